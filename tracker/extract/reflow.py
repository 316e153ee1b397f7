"""Join positioned lines into paragraphs and repair line-end hyphenation.

Goal: the same text laid out with different widths or font sizes gives the same output. So a
paragraph break is decided from layout cues that belong to the paragraph, not to the line:
- a vertical gap larger than the usual line pitch, or a change of font size;
- a first-line indent (UN documents indent the first line of every paragraph; numbered
  operative paragraphs use a hanging layout, whose continuation lines are *less* indented);
- the previous line ends short of the right margin on sentence-final punctuation;
- a list marker ("1.", "(a)", "•") after a line ending with punctuation.
Right-to-left lines (Arabic) mirror the indent and margin tests.
Inside a paragraph, lines are joined with a space, except between two CJK characters (Chinese
has no spaces) and at a line-end hyphen (decided by `resolve_hyphens`).
Footnotes are held back and emitted after the paragraph running at the end of their page, so a
paragraph that continues on the next page is not cut in two.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from tracker.extract.furniture import body_font_size, is_footnote_rule, split_footnotes
from tracker.extract.layout import Line, Page
from tracker.extract.normalise import clean_line
from tracker.extract.pdf import HYPHEN_BREAK

_LIST_START = re.compile(r"^(?:\d{1,3}\.\s|\(\w{1,5}\)\s|[a-z]\)\s|[•·▪◦●○■□]\s?|[IVXLC]{1,6}\.\s)")
_TERMINAL = re.compile(r"[.!?:;。！？：；»”\"')\]]\s*\d{0,3}$")
_ENDS_PUNCT = re.compile(r"[.!?:;,،؛。！？：；，]\s*\d{0,3}$")
_FOOTNOTE_START = re.compile(r"^(?:\d{1,3}|\*{1,3}|[a-z]|\[\w{1,4}\])(?:\s|$)")
_OPEN_WORD_END = re.compile(
    r"\b(?:of|the|and|or|on|for|to|in|at|by|with|from|a|an|its|their|as|that|which|such|"
    r"de|la|le|les|des|du|et|el|los|las|del|y|en|para|por|и|в|на|о|по|с|для)$"
)
# A line ending like this has more to come (a title is not over after "of the" or a comma).
_OPEN_ENDING = re.compile(
    r"(?:,|[-–]|\b(?:of|the|and|on|for|to|in|at|by|with|a|an|its|their|de|la|le|les|des|du|et|"
    r"el|los|las|del|y|en|para|por|и|в|на|о|по|с|для))$",
    re.I,
)
_HYPHENS = "-\u2010\u2011"
# A sentence ends here (a footnote mark may follow the punctuation: "plans.[2]").
_SENTENCE_END = re.compile(r"[.!?:;。！？：；][)\]'’”\"»]*(?:\[\w{1,4}\])?$")
_LONE_MARK = re.compile(r"^(?:\d{1,3}|\[\w{1,4}\])$")


_BULLET = re.compile(r"^[•·▪◦●○■□]")
_NUMBERED_CAPITAL = re.compile(r"^\d{1,3}\.\s+[^\W\d_a-z]")
# "... in paragraph\n14. States" is a reference, not a new paragraph 14.
_REFERENCE_WORD = re.compile(
    r"\b(?:paragraphs?|paras?\.?|resolutions?|articles?|chapters?|sections?|rules?|pages?|"
    r"items?|annex|vol\.?|no\.?|of|and|to|in|at|see)$",
    re.I,
)


def _spacing_chars(text: str) -> int:
    # Combining marks (Arabic harakat, accents in NFD) take no width of their own.
    return sum(1 for ch in text if not unicodedata.combining(ch))


def _ended_early(prev: Line, line: Line, shortfall: float) -> bool:
    """Did `prev` end although the first word of `line` would have fitted after it? Then the
    line break was deliberate: a paragraph end (or a heading). This holds for ragged and
    justified text alike, whatever the width, which is what makes reflow layout-independent."""
    size = prev.size or 10.0
    if shortfall < 2 * size:
        return False
    per_char = (prev.x1 - prev.x0) / max(_spacing_chars(prev.text), 1)  # type: ignore[operator]
    first = line.text[0] if is_cjk(line.text[0]) else line.text.split(" ", 1)[0]
    needed = (_spacing_chars(first) + 1) * per_char
    return shortfall > 1.3 * needed + 0.5 * size


def _starts_item(prev: str, text: str) -> bool:
    """Does `text` open a list item or numbered paragraph? Bullets always do; "1." or "(a)"
    after a line ending with punctuation do; "14. States" (capital after the number) does
    unless the previous line ends with a word that introduces a number ("paragraph")."""
    if _BULLET.match(text):
        return True
    if _LIST_START.match(text) and _ENDS_PUNCT.search(prev):
        return True
    return bool(_NUMBERED_CAPITAL.match(text)) and not _REFERENCE_WORD.search(prev)


def _continues_sentence(prev: str, text: str) -> bool:
    """`text` is no list item ("a) ...") and goes on with `prev`'s sentence: it starts with a
    small letter after a line that did not end a sentence, or `prev` ends with a word no
    sentence ends with ("... returned to the" / "Democratic People's Republic of Korea")."""
    if _LIST_START.match(text) or _SENTENCE_END.search(prev):
        return False
    return text[:1].islower() or bool(_OPEN_WORD_END.search(prev))


def _continues_heading(prev: Line, line: Line) -> bool:
    """Two bold lines of one size, the second starting with a small letter or the first ending
    on a word that cannot end a title ("... the expenses" / "of the United Nations", "...
    Conference on the" / "Least Developed Countries"): one heading or agenda title run over
    several lines, whatever the line lengths say."""
    if not (prev.bold and line.bold) or abs((prev.size or 0) - (line.size or 0)) > 0.5:
        return False
    if _LIST_START.match(line.text):
        return False
    return line.text[:1].islower() or bool(_OPEN_ENDING.search(prev.text))


def is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (
        0x2E80 <= o <= 0x9FFF  # radicals, kana, CJK symbols and punctuation, ideographs
        or 0xF900 <= o <= 0xFAFF
        or 0xFF00 <= o <= 0xFFEF  # full-width forms (，：；)
        or 0x20000 <= o <= 0x2FFFF
    )


@dataclass
class _Metrics:
    left: float = 0.0
    right: float = 0.0
    pitch: float = 12.0
    indent: float | None = None  # usual first-line position (x0, or x1 for right-to-left)
    body_size: float = 10.0

    @property
    def width(self) -> float:
        return max(self.right - self.left, 1.0)


def _metrics(pages: list[Page]) -> _Metrics | None:
    body_size = body_font_size(pages)
    if body_size is None:
        return None
    lefts: Counter[int] = Counter()
    rights: list[float] = []
    lefts_rtl: list[float] = []
    rights_rtl: Counter[int] = Counter()
    pitches: list[float] = []
    for page in pages:
        prev: Line | None = None
        for line in page.lines:
            if line.size is None or abs(line.size - body_size) > 0.6:
                prev = None
                continue
            if line.rtl:
                rights_rtl[round(line.x1)] += 1  # type: ignore[arg-type]
                lefts_rtl.append(line.x0)  # type: ignore[arg-type]
            else:
                lefts[round(line.x0)] += 1  # type: ignore[arg-type]
                rights.append(line.x1)  # type: ignore[arg-type]
            if prev is not None:
                diff = prev.y_last - line.y  # type: ignore[operator]
                if 0.8 * body_size < diff < 2.5 * body_size:
                    pitches.append(diff)
            prev = line
    # Lower quartile: paragraph spacing makes the median too large when paragraphs are short.
    pitch = sorted(pitches)[len(pitches) // 4] if pitches else body_size * 1.2
    m = _Metrics(body_size=body_size, pitch=pitch)
    if lefts and len(rights) >= len(lefts_rtl):
        m.right = sorted(rights)[int(0.95 * (len(rights) - 1))]
        m.left = _text_margin(pages, body_size, m.right) or float(lefts.most_common(1)[0][0])
        indents = Counter({x: n for x, n in lefts.items() if x > m.left + 2})
    elif rights_rtl:
        # The text margin is the rightmost edge used by several lines (first lines, indented,
        # may outnumber continuation lines when paragraphs are short).
        enough = max(2, int(0.03 * sum(rights_rtl.values())))
        m.right = float(
            max(x for x, n in rights_rtl.items() if n >= enough or n == max(rights_rtl.values()))
        )
        m.left = sorted(lefts_rtl)[int(0.05 * (len(lefts_rtl) - 1))]
        indents = Counter({x: n for x, n in rights_rtl.items() if x < m.right - 2})
    else:
        return m
    if indents:
        m.indent = float(indents.most_common(1)[0][0])
    return m


def _text_margin(pages: list[Page], body_size: float, right: float) -> float | None:
    """Left edge of running text. Not simply the most common x0: with short paragraphs the
    indented first lines outnumber continuation lines. A line that follows a *full* line of
    the same paragraph is a continuation, so the smaller x0 of such pairs is the margin."""
    margins: Counter[int] = Counter()
    for page in pages:
        lines = [ln for ln in page.lines if ln.size and abs(ln.size - body_size) <= 0.6]
        for a, b in zip(lines, lines[1:], strict=False):
            if a.rtl or b.rtl or right - a.x1 > 3 * body_size:  # type: ignore[operator]
                continue
            if 0 < a.y_last - b.y < 2.5 * body_size:  # type: ignore[operator]
                margins[round(min(a.x0, b.x0))] += 1  # type: ignore[type-var]
    return float(margins.most_common(1)[0][0]) if margins else None


class _Builder:
    def __init__(self, metrics: _Metrics | None) -> None:
        self.m = metrics
        self.paragraphs: list[str] = []
        self.parts: list[str] = []
        self.start: Line | None = None
        self.prev: Line | None = None
        self.pending_notes: list[str] = []
        self.typical_chars = 80
        self.in_table = False  # the paragraph being built is a table: one row a line

    # -- paragraph boundaries -------------------------------------------------------------
    def _breaks(self, prev: Line, line: Line, new_page: bool) -> bool:
        if _continues_heading(prev, line) and not self._gap_between(prev, line):
            return False
        if prev.has_geometry and line.has_geometry and self.m is not None:
            return self._breaks_geometric(prev, line, new_page)
        if line.indent > prev.indent:
            return True
        if _starts_item(prev.text, line.text):
            return True
        short = len(prev.text) < 0.6 * self.typical_chars
        return short and bool(_TERMINAL.search(prev.text))

    def _breaks_geometric(self, prev: Line, line: Line, new_page: bool) -> bool:
        m = self.m
        assert m is not None
        size = line.size or m.body_size
        tol = 0.8 * size
        hanging = self.start is not None and self.start.x_text is not None
        if abs((line.size or 0) - (prev.size or 0)) > 0.9:
            return True
        if not new_page:
            gap = prev.y_last - line.y  # type: ignore[operator]
            if gap > 1.6 * max(m.pitch, size * 1.05) or gap < -0.5 * size:
                return True  # blank space, or a jump back up (new column or region)
        if abs(size - m.body_size) > 0.6:
            return False  # headings and masthead: only gaps and size changes separate them
        indented = (
            line.x1 < prev.x1 - tol  # type: ignore[operator]
            if line.rtl
            else line.x0 > prev.x0 + tol  # type: ignore[operator]
        )
        repeats_first_line = self._repeats_first_line(prev, line, tol)
        list_item = self.start is not None and self.start.x_text is not None
        if (
            not indented
            and (list_item or not repeats_first_line)
            and _continues_sentence(prev.text, line.text)
            and not self._ended_early(prev, line)
        ):
            # A full line, then one starting with a small letter where the full line started:
            # the sentence goes on, even where both lines sit at the first-line indent of an
            # indented list item ("(i) Torture ..." / "including ..."), which once became a
            # paragraph a line. Two lines at the first-line indent outside a list are still
            # two one-line paragraphs.
            return False
        if repeats_first_line:
            return True
        if line.rtl:
            ref_right = m.right if new_page else prev.x1
            if line.x1 < ref_right - tol:  # type: ignore[operator]
                return True
            if _ended_early(prev, line, prev.x0 - m.left):  # type: ignore[operator]
                return True
        else:
            ref_left = m.left if new_page else prev.x0
            if line.x0 > ref_left + tol:  # type: ignore[operator]
                continues_hanging = hanging and abs(line.x0 - self.start.x_text) < tol  # type: ignore[union-attr,operator]
                if not continues_hanging:
                    return True
            if _ended_early(prev, line, m.right - prev.x1):  # type: ignore[operator]
                return True
        return _starts_item(prev.text, line.text)

    def _ended_early(self, prev: Line, line: Line) -> bool:
        m = self.m
        assert m is not None
        if line.rtl:
            return _ended_early(prev, line, prev.x0 - m.left)  # type: ignore[operator]
        return _ended_early(prev, line, m.right - prev.x1)  # type: ignore[operator]

    def _gap_between(self, prev: Line, line: Line) -> bool:
        """A blank line's worth of space between two lines of the same page."""
        if self.m is None or prev.y_last is None or line.y is None:
            return False
        gap = prev.y_last - line.y
        size = line.size or self.m.body_size
        return gap > 1.6 * max(self.m.pitch, size * 1.05) or gap < -0.5 * size

    def _stays_in_table(self, prev: Line, line: Line, new_page: bool) -> bool:
        """A line that is not a row, right after a table row: the wrapped part of a cell (kept
        as a line of the table) unless a blank space, a new page or body-size text at the
        text margin says the table has ended."""
        if line.is_row:
            return True
        if new_page or self.m is None or not line.has_geometry or self._gap_between(prev, line):
            return False
        at_margin = abs(line.x0 - self.m.left) < 2  # type: ignore[operator]
        body_size = abs((line.size or 0) - self.m.body_size) <= 0.6
        return not (at_margin and body_size)

    def _repeats_first_line(self, prev: Line, line: Line, tol: float) -> bool:
        """Two one-line paragraphs in a row: the line after a paragraph's first line starts at
        the document's usual first-line indent too (a continuation would start at the margin).
        Only that exact position counts, so an indented block quote is not cut into lines."""
        m = self.m
        if prev is not self.start or m is None or m.indent is None:
            return False
        if line.rtl:
            return abs(line.x1 - m.indent) < 2 and abs(prev.x1 - m.indent) < 2  # type: ignore[operator]
        return abs(line.x0 - m.indent) < 2 and abs(prev.x0 - m.indent) < 2  # type: ignore[operator]

    # -- assembling -----------------------------------------------------------------------
    def _flush(self) -> None:
        if self.parts:
            self.paragraphs.append("".join(self.parts))
        self.parts = []
        self.start = None
        self.in_table = False
        if self.pending_notes:
            self.paragraphs.extend(self.pending_notes)
            self.pending_notes = []

    def _append(self, text: str) -> None:
        if not self.parts:
            self.parts.append(text)
            return
        last, joiner = join_lines(self.parts[-1], text)
        self.parts[-1] = last
        self.parts.append(joiner + text)

    def add_page(self, page: Page) -> None:
        body, notes = split_footnotes(page.lines)
        if body and not body[0].has_geometry:
            lengths = sorted(len(line.text) for line in body)
            self.typical_chars = max(lengths[int(0.8 * (len(lengths) - 1))], 20)
        for i, line in enumerate(body):
            text = clean_line(line.text)
            if not text or is_footnote_rule(text):  # a second rule (continued footnotes)
                continue
            if self.in_table and self.prev is not None:
                if self._stays_in_table(self.prev, line, i == 0):
                    self.parts.append("\n" + text)  # one row (or wrapped cell) a line
                    self.prev = line
                    continue
                self._flush()
            if line.is_row:
                self._flush()
                self.start = line
                self.in_table = True
                self.parts.append(text)
                self.prev = line
                continue
            if self.prev is None or not self.parts or self._breaks(self.prev, line, i == 0):
                self._flush()
                self.start = line
            self._append(text)
            self.prev = line
        self.pending_notes.extend(_footnotes(notes))

    def finish(self) -> list[str]:
        self._flush()
        return self.paragraphs


def join_lines(last: str, text: str) -> tuple[str, str]:
    """How the line `text` follows `last` in a paragraph: (`last`, possibly with its line-end
    hyphen marked for `resolve_hyphens`, and what goes between them): nothing after a hyphen
    between letters or between two CJK characters, else a space."""
    if last.endswith(HYPHEN_BREAK):
        return last, ""
    if len(last) >= 2 and last[-1] in _HYPHENS and last[-2].isalpha() and text[:1].isalpha():
        return last[:-1] + HYPHEN_BREAK, ""
    if is_cjk(last[-1]) and is_cjk(text[0]):
        return last, ""
    return last, " "


def _footnotes(lines: list[Line]) -> list[str]:
    notes: list[str] = []
    for line in lines:
        text = clean_line(line.text)
        if not text or is_footnote_rule(text):
            continue
        lone = bool(notes) and bool(_LONE_MARK.match(notes[-1].strip()))
        if not notes or _FOOTNOTE_START.match(text) or lone:
            if lone:  # a lone superscript number, then its text
                mark = notes[-1].strip()
                notes[-1] = f"{mark if mark.startswith('[') else f'[{mark}]'} {text}"
            else:
                notes.append(text)
        else:
            last, joiner = join_lines(notes[-1], text)
            notes[-1] = f"{last}{joiner}{text}"
    return notes


def reflow(pages: list[Page]) -> list[str]:
    """Paragraphs (strings, one per paragraph) from furniture-free pages."""
    builder = _Builder(_metrics(pages))
    for page in pages:
        builder.add_page(page)
    return resolve_hyphens(builder.finish())


# -- hyphenation ---------------------------------------------------------------------------
# In a document hyphenated automatically (an old scan), a hyphen after these prefixes and
# number words ("thirty-fifth") at a line end is still kept.
COMPOUND_PREFIXES = frozenset(
    [
        "non",
        "anti",
        "self",
        "co",
        "counter",
        "cross",
        "ex",
        "extra",
        "multi",
        "neo",
        "post",
        "pre",
        "pro",
        "quasi",
        "semi",
        "socio",
        "ultra",
        "well",
        "all",
        "half",
        "vice",
        "inter",
        "intra",
        "macro",
        "micro",
        "mid",
        "over",
        "under",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "sous",
        "contre",
    ]
)
# After a suspended hyphen ("low- and middle-income", "pré- et post-") the line break is a space.
SUSPENDED_HYPHEN_WORDS = frozenset(["and", "or", "to", "et", "ou", "y", "o", "e", "и", "или"])
_AT_BREAK = re.compile(rf"[^\W_]*{HYPHEN_BREAK}[^\W_]*")
_BREAK = re.compile(rf"([^\W_]*){HYPHEN_BREAK}([^\W_]*)")


class _Vocabulary:
    """What the document writes elsewhere, for the words its line-end breaks ask about: the
    whole words ("a", "b", "ab") and the compounds ("a-b"). Only those are looked for (one scan
    each, in C), not every word of the document."""

    def __init__(self, text: str, breaks: list[tuple[str, str]]) -> None:
        clean = _AT_BREAK.sub(" ", text)  # fragments at breaks would vote for themselves
        self.words = _written(clean, {w.lower() for a, b in breaks for w in (a, b, a + b) if w})
        self.pairs = _written(clean, {f"{a}-{b}".lower() for a, b in breaks if a and b})


def _written(text: str, candidates: set[str]) -> set[str]:
    """The candidates that `text` has as whole words (not inside a longer word)."""
    if not candidates:
        return set()
    alternatives = "|".join(sorted(map(re.escape, candidates), key=len, reverse=True))
    pattern = re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])", re.IGNORECASE)
    return {m.group().lower() for m in pattern.finditer(text)}


def _keep_hyphen(a: str, b: str, vocab: _Vocabulary, auto_hyphenated: bool) -> bool:
    """Decide one line-end hyphen "a-|b" (a, b: the letters either side). UN documents are set
    without automatic hyphenation, so a hyphen at a line end is part of the word ("forward-|
    looking" is "forward-looking"): it is kept unless the document itself shows the word whole
    ("ab" written elsewhere and "a-b" nowhere). In a document that was hyphenated automatically
    (an old scan: "rensei-|gnements", see `_auto_hyphenated`) a word split at a line end is
    joined unless it is a compound: a known prefix, digits, a capital after the hyphen, or two
    words of the document (nuclear-|weapon)."""
    la, lb = a.lower(), b.lower()
    if not a or not b:
        return True
    if f"{la}-{lb}" in vocab.pairs:
        return True
    if la + lb in vocab.words:
        return False
    if not auto_hyphenated:
        return True
    if la in COMPOUND_PREFIXES or a[-1].isdigit() or b[0].isdigit() or b[0].isupper():
        return True
    return len(la) > 1 and len(lb) > 1 and la in vocab.words and lb in vocab.words


def _auto_hyphenated(breaks: list[tuple[str, str]], vocab: _Vocabulary) -> bool:
    """Was the document hyphenated automatically? Then its line-end hyphens are mostly words
    cut in two that the document writes whole elsewhere, not compounds it writes with a
    hyphen elsewhere."""
    joins = keeps = 0
    for a, b in breaks:
        la, lb = a.lower(), b.lower()
        if f"{la}-{lb}" in vocab.pairs:
            keeps += 1
        elif la + lb in vocab.words:
            joins += 1
    return joins >= 3 and joins > 2 * keeps


def resolve_hyphens_in(text: str, vocab: _Vocabulary, auto_hyphenated: bool = False) -> str:
    if HYPHEN_BREAK not in text:
        return text

    def decide(match: re.Match[str]) -> str:
        a, b = match.group(1), match.group(2)
        if b.lower() in SUSPENDED_HYPHEN_WORDS:
            return f"{a}- {b}"  # "low-|and middle-income": the hyphen stands for "-income"
        return f"{a}-{b}" if _keep_hyphen(a, b, vocab, auto_hyphenated) else f"{a}{b}"

    return _BREAK.sub(decide, text)


def resolve_hyphens(paragraphs: list[str]) -> list[str]:
    """Replace every line-end hyphen marker using the whole document's vocabulary."""
    if not any(HYPHEN_BREAK in p for p in paragraphs):
        return paragraphs
    text = "\n".join(paragraphs)
    breaks = [(m.group(1), m.group(2)) for m in _BREAK.finditer(text)]
    vocab = _Vocabulary(text, breaks)
    auto = _auto_hyphenated(breaks, vocab)
    return [resolve_hyphens_in(p, vocab, auto) for p in paragraphs]
