"""What a line's plain text does not say, read back from PDFium's glyph boxes.

PDFium's text for a line is good, but three things printed on the page are lost in it:

- **footnote marks**: a raised, smaller "2" after "plans," reads as "plans,2", and after a year
  as "20242". Marks become "[2]" attached to what they follow ("plans,[2]"); a mark opening a
  footnote body becomes "[2] " ("[2] A/79/69.").
- **spaces around hyphens**: PDFium invents a space where a hyphen glyph sits a little apart
  ("capacity -building", "Non- Proliferation"); a space narrower than a quarter of the font
  size beside a hyphen is not a space.
- **table cells**: cells of a row are runs of text far apart on one line; PDFium joins them with
  one space ("Angola 0.010"). Wide gaps between text objects are found here and left in the
  text as CELL_GAP; the page decides later whether they separate cells (see tables.py).

Only a few glyphs per line are looked at (ends of numbers, spaces beside hyphens, spaces in
lines made of several far-apart runs), so the cost stays small next to PDFium's own.
"""

from __future__ import annotations

import ctypes
import re

import pypdfium2.raw as pdfium_c

from tracker.extract.layout import CELL_GAP

# A possible footnote mark: digits ending a token, or a letter after a number or ")" ("2024a",
# "missions)a"); in a line of cells also after a word ("inflationb"); on a short line also a
# letter ending it (a table's label cell alone on its line: "Questionsc").
_NUMBER_MARK = r"\d{1,4}(?=[\s,.;:)\]]|$)"
_LETTER_MARK = r"[a-h](?=[\s,.;:]|$)"
_MARK_CANDIDATE = re.compile(rf"{_NUMBER_MARK}|(?<=[\d)]){_LETTER_MARK}")
_SHORT_LINE_MARK_CANDIDATE = re.compile(
    rf"{_NUMBER_MARK}|(?<=[\d)]){_LETTER_MARK}|(?<=[a-z])[a-h]$"
)
_TABLE_MARK_CANDIDATE = re.compile(rf"{_NUMBER_MARK}|(?<=[\w)]){_LETTER_MARK}")
_SHORT_LINE = 60
_MAY_HAVE_MARK = re.compile(r"\d|[a-h]$")
_HYPHEN_SPACE = re.compile(r"(?<=\w) (?=[-\u2010\u2011](?:\w|$))|(?<=\w[-\u2010\u2011]) (?=\w)")
_SPACE_RUN = re.compile(r" +")
# The tab after a paragraph number or list marker ("1.", "(a)") is not a cell separator.
_MARKER_ONLY = re.compile(r"^(?:\d{1,3}\.|\(\w{1,5}\)|[a-z]\)|[IVXLC]{1,6}\.|[•·▪◦●○■□\-–—])$")
MARK_RATIO = 0.8  # a mark's font size is at most this share of the text beside it
CELL_GAP_EM = 1.5  # a gap between text runs at least this many font sizes wide may split cells
HYPHEN_SPACE_EM = 0.25


class GlyphReader:
    """Glyph measurements of one PDFium text page (indices are str offsets of its text)."""

    def __init__(self, raw: object) -> None:
        self.raw = raw
        self._l, self._r, self._b, self._t = (ctypes.c_double() for _ in range(4))
        self._ox, self._oy = ctypes.c_double(), ctypes.c_double()

    def box(self, i: int) -> tuple[float, float, float, float]:
        pdfium_c.FPDFText_GetCharBox(self.raw, i, self._l, self._r, self._b, self._t)
        return self._l.value, self._r.value, self._b.value, self._t.value

    def size(self, i: int) -> float:
        return pdfium_c.FPDFText_GetFontSize(self.raw, i)

    def invisible(self, i: int) -> bool:
        """Is glyph `i` drawn invisibly (render mode 3: the OCR text layer of a scan)?"""
        obj = pdfium_c.FPDFText_GetTextObject(self.raw, i)
        return bool(obj) and pdfium_c.FPDFTextObj_GetTextRenderMode(obj) == 3

    def bold(self, i: int) -> bool:
        return pdfium_c.FPDFText_GetFontWeight(self.raw, i) >= 600

    def baseline(self, i: int) -> float:
        pdfium_c.FPDFText_GetCharOrigin(self.raw, i, self._ox, self._oy)
        return self._oy.value

    def run_gaps(self, start: int, count: int, size: float) -> list[tuple[float, float]]:
        """Wide horizontal gaps between PDFium's text runs (one per text object) of a line."""
        n = pdfium_c.FPDFText_CountRects(self.raw, start, count)
        if n < 2:
            return []
        rects = []
        for i in range(n):
            pdfium_c.FPDFText_GetRect(self.raw, i, self._l, self._t, self._r, self._b)
            rects.append((self._l.value, self._r.value))
        pairs = zip(rects, rects[1:], strict=False)
        return [(a[1], b[0]) for a, b in pairs if b[0] - a[1] >= CELL_GAP_EM * size]


def repair_line(
    glyphs: GlyphReader, s: str, base: int, size: float, rtl: bool
) -> tuple[str, list[tuple[float, float]]]:
    """The text of one PDFium line `s` (starting at text offset `base`) with footnote marks
    bracketed, false spaces beside hyphens dropped and wide gaps marked; and those gaps."""
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in s, not overlapping
    gaps: list[tuple[float, float]] = []
    if " " in s and not rtl:
        gap_edits, gaps = _cell_gaps(glyphs, s, base, size)
        edits.extend(gap_edits)
    if not rtl and (gaps or _MAY_HAVE_MARK.search(s)):
        # In a line of cells, a table's footnote letter may follow a word ("inflationb").
        if gaps:
            candidates = _TABLE_MARK_CANDIDATE
        else:
            candidates = _SHORT_LINE_MARK_CANDIDATE if len(s) < _SHORT_LINE else _MARK_CANDIDATE
        edits.extend(_marks(glyphs, s, base, size, candidates))
    if "-" in s or "\u2010" in s or "\u2011" in s:
        edits.extend(_hyphen_spaces(glyphs, s, base, size))
    if not edits:
        return s, gaps
    edits.sort()
    out: list[str] = []
    pos = 0
    for start, end, replacement in edits:
        if start < pos:  # overlapping repairs: the first one wins
            continue
        out.append(s[pos:start])
        out.append(replacement)
        pos = end
    out.append(s[pos:])
    return "".join(out), gaps


def _marks(
    glyphs: GlyphReader, s: str, base: int, size: float, candidates: re.Pattern[str]
) -> list[tuple[int, int, str]]:
    edits: list[tuple[int, int, str]] = []
    # Most candidates are plain numbers in text of the line's size: one glyph size rules them
    # out. A line that opens with a digit may open with a (small) mark: no shortcut there.
    line_size = 0.0 if s[:1].isdigit() else size
    for m in candidates.finditer(s):
        start, end = m.start(), m.end()
        last_size = glyphs.size(base + end - 1)
        if last_size >= MARK_RATIO * line_size > 0:
            continue
        before = start - 1 if start > 0 and s[start - 1] != " " else None
        if before is None:
            # A mark standing alone: opening a footnote body, or after a space PDFium added.
            after = end + 1 if end + 1 < len(s) and s[end] == " " and s[end + 1] != " " else None
            ref = after if start == 0 else (start - 2 if start >= 2 else after)
        else:
            ref = before
        if ref is None:
            continue
        ref_size = glyphs.size(base + ref)
        if ref_size <= 0 or last_size >= MARK_RATIO * ref_size:
            continue
        # Raised, not lowered (a subscript, as in CO2, is not a mark).
        if glyphs.baseline(base + end - 1) <= glyphs.baseline(base + ref) + 0.1 * ref_size:
            continue
        first = end - 1
        while first > start and glyphs.size(base + first - 1) < MARK_RATIO * ref_size:
            first -= 1
        mark = s[first:end]
        if start == 0 and first == 0:
            edits.append((0, end, f"[{mark}]"))
        elif first == start and start > 0 and s[start - 1] == " ":
            # Attach the mark to the word it follows: "Change 2 that" -> "Change[2] that".
            edits.append((start - 1, end, f"[{mark}]"))
        else:
            edits.append((first, end, f"[{mark}]"))
    return edits


def _hyphen_spaces(
    glyphs: GlyphReader, s: str, base: int, size: float
) -> list[tuple[int, int, str]]:
    edits: list[tuple[int, int, str]] = []
    for m in _HYPHEN_SPACE.finditer(s):
        i = m.start()
        if i + 1 >= len(s):
            continue
        gap = glyphs.box(base + i + 1)[0] - glyphs.box(base + i - 1)[1]
        if gap < HYPHEN_SPACE_EM * size:
            edits.append((i, i + 1, ""))
    return edits


def _cell_gaps(
    glyphs: GlyphReader, s: str, base: int, size: float
) -> tuple[list[tuple[int, int, str]], list[tuple[float, float]]]:
    runs = glyphs.run_gaps(base, len(s), size)
    if not runs:
        return [], []
    if (len(runs) >= 4 and len(runs) >= 0.6 * s.count(" ")) or glyphs.invisible(base):
        # Nearly every space a wide gap between runs, or invisible text: the OCR layer of a
        # scan (one object per word, placed where the word was seen), not a table row.
        return [], []
    edits: list[tuple[int, int, str]] = []
    gaps: list[tuple[float, float]] = []
    spaces = [(m.start(), m.end()) for m in _SPACE_RUN.finditer(s) if 0 < m.start() < len(s)]
    for left, right in runs:
        best: tuple[int, int] | None = None
        for a, b in spaces:
            if b >= len(s):
                continue
            after = glyphs.box(base + b)[0]
            if abs(after - right) < 1.0:
                best = (a, b)
                break
        if best is not None and not _MARKER_ONLY.match(s[: best[0]]):
            edits.append((best[0], best[1], CELL_GAP))
            gaps.append((left, right))
    return edits, gaps
