"""Does an event interest an alert rule? Every filter a rule sets must hold; empty means any.

Matching runs inside each capture's transaction, for every event against every rule, so rules are
compiled once (sets, one regex for the document globs, one for the words) by `CompiledRule`.

Words: case-insensitive (Unicode case folding), searched in the text the new version added and in
the event's summary (which holds the title of a new document, and the whole of a structured event:
a State's ratification, a reply, a proposal's stage). In scripts written with spaces between
words (Latin, Greek, Cyrillic) a word must start a word ("ban" finds "banned", not "urban"); in
Chinese, Japanese, Arabic and the like, where words run together or take attached prefixes
(Arabic "ال", "و"), it may appear anywhere. Spaces in a phrase match any run of whitespace, since
extracted text breaks lines anywhere.
"""

from __future__ import annotations

import fnmatch
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from tracker.config import Rule
from tracker.models import Event, EventType

SPACED_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC")


def _starts_words(ch: str) -> bool:
    """True when `ch` belongs to a script whose words are separated by spaces."""
    if ch.isdigit():
        return True
    if not ch.isalpha():
        return False
    return unicodedata.name(ch, "").startswith(SPACED_SCRIPTS)


def _word_pattern(word: str) -> str:
    word = word.casefold().strip()
    body = r"\s+".join(re.escape(part) for part in word.split())
    return (r"(?<!\w)" + body) if _starts_words(word[0]) else body


def words_regex(words: Iterable[str]) -> re.Pattern[str] | None:
    """One regex finding any of `words` in case-folded text; None for no words."""
    patterns = [_word_pattern(w) for w in words if w and w.strip()]
    return re.compile("|".join(patterns)) if patterns else None


def globs_regex(globs: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for document key globs; case-sensitive, as UN symbols are."""
    patterns = [fnmatch.translate(g) for g in globs if g]
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


class CompiledRule:
    """A rule ready to be tested against many events quickly."""

    __slots__ = (
        "rule",
        "types",
        "documents",
        "sources",
        "languages",
        "states",
        "words",
        "word_keys",
    )

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.types = frozenset(rule.events) or None
        self.documents = globs_regex(rule.documents)
        self.sources = frozenset(rule.sources) or None
        self.languages = frozenset(rule.languages) or None
        self.states = frozenset(s.casefold() for s in rule.states) or None
        self.words = words_regex(rule.words)
        # A plain substring test first (fast, in C): the regex runs only on texts that may match.
        self.word_keys = tuple(w.casefold().split()[0] for w in rule.words if w and w.strip())

    def matches(
        self,
        event: Event,
        document_key: str,
        added_folded: str | None = None,
        summary_folded: str | None = None,
    ) -> bool:
        """`added_folded`/`summary_folded`: the added text and summary, already case-folded
        (callers fold each text once and test it against every rule)."""
        data: dict[str, Any] = event.data or {}
        return self.test(
            event.type,
            document_key,
            event.source,
            event.lang,
            data.get("state"),
            bool(data.get("text_identical")),
            added_folded,
            summary_folded if summary_folded is not None else event.summary.casefold(),
        )

    def test(
        self,
        etype: str,
        document_key: str,
        source: str | None,
        lang: str | None,
        state: Any,
        text_identical: bool,
        added_folded: str | None,
        summary_folded: str,
    ) -> bool:
        """`matches` on plain values: the outbox reads an event's attributes once, not per rule."""
        if self.types is not None and etype not in self.types:
            return False
        if (
            text_identical
            and etype == EventType.NEW_VERSION
            and not self.rule.include_text_identical
        ):
            return False
        if self.sources is not None and source not in self.sources:
            return False
        if self.languages is not None and lang not in self.languages:
            return False
        if self.states is not None and (
            not isinstance(state, str) or state.casefold() not in self.states
        ):
            return False
        if self.documents is not None and not self.documents.match(document_key):
            return False
        return self.words is None or self._finds(added_folded) or self._finds(summary_folded)

    def _finds(self, folded: str | None) -> bool:
        if not folded or not any(key in folded for key in self.word_keys):
            return False
        return self.words is not None and self.words.search(folded) is not None


def rule_matches(rule: Rule, event: Event, document_key: str, added_text: str = "") -> bool:
    """Does `event` (about the document `document_key`, adding `added_text`) interest `rule`?"""
    return CompiledRule(rule).matches(event, document_key, added_text.casefold())


class RuleIndex:
    """Many rules tested at once: which of them does an event interest?

    The same answer as `CompiledRule.test` for each rule, in rule order, but an event costs a few
    dictionary look-ups and integer ANDs instead of a call per rule: each filter value (a type, a
    source, a language, a State, a document key) maps to a bit set (a Python int, bit i = rule i)
    of the rules it passes, computed on first sight and kept. Only the rules that pass every
    other filter and set words have their words searched; their answer for the added text, shared
    by a capture's events, is worked out once per `matcher`.
    """

    # Per-value caches are bounded (document keys grow with the store): cleared when this big.
    CACHE_LIMIT = 65_536

    def __init__(self, compiled: Iterable[CompiledRule]) -> None:
        self.rules = list(compiled)
        self._types: dict[str, int] = {}
        self._sources: dict[Any, int] = {}
        self._languages: dict[Any, int] = {}
        self._states: dict[Any, int] = {}
        self._documents: dict[str, int] = {}
        self.with_words = self._bits(lambda c: c.words is not None)
        self._word_keys: dict[str, int] = {}  # a word's first part -> the rules with that word
        for i, c in enumerate(self.rules):
            if c.words is not None:
                for key in c.word_keys:
                    self._word_keys[key] = self._word_keys.get(key, 0) | 1 << i
        # A new version whose text is identical passes only the rules that ask for those.
        self.identical_ok = self._bits(lambda c: c.rule.include_text_identical)

    def _bits(self, passes: Any) -> int:
        bits = 0
        for i, c in enumerate(self.rules):
            if passes(c):
                bits |= 1 << i
        return bits

    def _lookup(self, cache: dict, value: Any, passes: Any) -> int:
        bits = cache.get(value)
        if bits is None:
            if len(cache) >= self.CACHE_LIMIT:
                cache.clear()
            bits = cache[value] = self._bits(passes)
        return bits

    def candidates(
        self,
        etype: str,
        document_key: str,
        source: str | None,
        lang: str | None,
        state: Any,
        text_identical: bool,
    ) -> int:
        """The rules passing every filter but words, as a bit set."""
        bits = self._lookup(self._types, etype, lambda c: c.types is None or etype in c.types)
        if not bits:
            return 0
        if text_identical and etype == EventType.NEW_VERSION:
            bits &= self.identical_ok
        bits &= self._lookup(
            self._sources, source, lambda c: c.sources is None or source in c.sources
        )
        bits &= self._lookup(
            self._languages, lang, lambda c: c.languages is None or lang in c.languages
        )
        folded = state.casefold() if isinstance(state, str) else None
        bits &= self._lookup(
            self._states,
            folded,
            lambda c: c.states is None or (folded is not None and folded in c.states),
        )
        if bits:
            bits &= self._lookup(
                self._documents,
                document_key,
                lambda c: c.documents is None or c.documents.match(document_key) is not None,
            )
        return bits

    def _may_have_words(self, folded: str | None) -> int:
        """The rules with a word whose first part is in `folded` (`CompiledRule._finds`'s
        pre-test for every rule at once: one substring test per distinct word)."""
        bits = 0
        if folded:
            for key, rules in self._word_keys.items():
                if key in folded:
                    bits |= rules
        return bits

    def matcher(self, added_folded: str | None) -> Any:
        """A function (event fields -> matching rules, in order) for events sharing one added
        text (`added_folded`: case-folded). The fields are those of `CompiledRule.test`."""
        rules = self.rules
        with_words = self.with_words
        in_added = self._may_have_words(added_folded)  # narrowed to the real hits on first use
        added_checked = 0  # the rules whose words have been searched in the added text

        def match(
            etype: str,
            document_key: str,
            source: str | None,
            lang: str | None,
            state: Any,
            text_identical: bool,
            summary_folded: str,
        ) -> list[CompiledRule]:
            nonlocal in_added, added_checked
            bits = self.candidates(etype, document_key, source, lang, state, text_identical)
            wanting = bits & with_words
            if wanting:
                # Words in the added text (searched once per rule for all the events) ...
                unchecked = wanting & in_added & ~added_checked
                while unchecked:
                    low = unchecked & -unchecked
                    unchecked ^= low
                    added_checked |= low
                    words = rules[low.bit_length() - 1].words
                    if words is None or words.search(added_folded or "") is None:
                        in_added &= ~low
                wanting &= ~in_added
                # ... or else in the event's summary.
                if wanting:
                    maybe = wanting & self._may_have_words(summary_folded)
                    found_in_summary = 0
                    while maybe:
                        low = maybe & -maybe
                        maybe ^= low
                        words = rules[low.bit_length() - 1].words
                        if words is not None and words.search(summary_folded) is not None:
                            found_in_summary |= low
                    bits &= ~(wanting & ~found_in_summary)
            found = []
            while bits:
                low = bits & -bits
                bits ^= low
                found.append(rules[low.bit_length() - 1])
            return found

        return match
