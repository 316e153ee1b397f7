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
