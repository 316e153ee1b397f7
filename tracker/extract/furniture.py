"""Remove UN page furniture: running headers and footers that repeat on every page.

Looked at in the corpus (A/C.1/80/L.*, A/RES/79/*, A/79/88, the French and Spanish files):
- a header band on pages 2..N in a smaller font: the symbol ("A/C.1/80/L.1"), on resolutions and
  Spanish files also a short title, sometimes on the same line as the symbol;
- a footer band: job number and page ("2/3 25-16208", "25-16208 3/3"); on page 1 the job number
  with language and dates ("25-16208 (E) 151025") and a barcode ("*2516208*");
- old scans: "652 Assemblée générale - Quatorzième session ..." running heads, "/ . . ." marks.

Rules, from safest to broadest:
1. anywhere: lines that can only be furniture (job number with language letter, barcode,
   "Please recycle"), a barcode opening a line of text, and the running header (a symbol alone
   on a line, in the header band of two pages or more) wherever else it appears;
2. in a header/footer band only: lines that are nothing but a symbol, a page number ("5/9", "3",
   "Page 3"), a job number, or a mix of these;
3. a header band (page 2 onwards, all smaller than body text) that contains a symbol: the whole
   band (the running title goes with the symbol);
4. in a band: a line that repeats (digits ignored) on at least 30% of the pages (min. 2).
A symbol inside body text is never touched: rules 2-4 only look at the bands.

Bands: with geometry, lines near the top (above 85% of the page height, in a smaller font than
the body or matching rule 2) and near the bottom (baseline below 7.5%); without geometry, the
first and last three lines of the page.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from tracker.extract.layout import Line, Page

# A UN document symbol: organ or series, then "/"-separated parts, at least one with a digit.
SYMBOL = r"[A-Z][A-Z0-9]{0,7}(?:\.\d+)?(?:/[A-Za-z0-9][A-Za-z0-9.\-]*(?:\s?\([A-Za-z0-9]+\))?){1,8}"
_SYMBOL_RE = re.compile(rf"(?<![\w/]){SYMBOL}")
_JOB = r"\d{2}-\d{5}"
_PAGE = r"(?:\d{1,4}/\d{1,4}|Page\s+\d{1,4}|Página\s+\d{1,4}|-\s*\d{1,4}\s*-|\d{1,4})"

_STRONG = re.compile(
    rf"^(?:{_JOB}\*?(?:\s+\w{{1,8}})?\s*\([A-Z]\)(?:\s+\d{{4,6}})*(?:\s*/\s*\.\s*\.\s*\.)?"
    r"|\*\d{7,9}\*"
    r"|Please\s+recycle\b.*|Merci de recycler\b.*|Sírvase reciclar\b.*)$",
    re.IGNORECASE,
)
# A barcode ("*2516208*") opening a line that also holds text (a masthead line read as one).
_BARCODE_PREFIX = re.compile(r"^\*\d{7,9}\*\s+(?=\S)")
_WEAK_PARTS = re.compile(rf"^(?:\s*(?:{_JOB}|{_PAGE}|{SYMBOL}|/\s*\.\s*\.\s*\.))+\s*$")
_FOOTNOTE_RULE = re.compile(r"^_{5,}$")
_SYMBOL_ONLY = re.compile(rf"^{SYMBOL}$")


def is_strong_furniture(text: str) -> bool:
    return bool(_STRONG.match(text))


def strip_barcode(text: str) -> str:
    """A line without the barcode it starts with ("*2516208* Eightieth session")."""
    return _BARCODE_PREFIX.sub("", text) if text.startswith("*") else text


def is_footnote_rule(text: str) -> bool:
    return bool(_FOOTNOTE_RULE.match(text))


def is_weak_furniture(text: str) -> bool:
    # OCR turns "." into "," in symbols ("A/C,4/SR.985").
    return bool(_WEAK_PARTS.match(text.replace(",", ".")))


def has_symbol(text: str) -> bool:
    return bool(_SYMBOL_RE.search(text))


def _repeat_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower())


def body_font_size(pages: list[Page]) -> float | None:
    """The font size carrying most characters: the body text."""
    sizes: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            if line.size:
                sizes[round(line.size * 2) / 2] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else None


def _bands(page: Page, body_size: float | None) -> tuple[list[int], list[int]]:
    """Indices of header-band and footer-band lines."""
    lines = page.lines
    if not lines:
        return [], []
    if not lines[0].has_geometry or not page.height:
        head = list(range(min(3, len(lines))))
        foot = [i for i in range(max(0, len(lines) - 3), len(lines)) if i not in head]
        return head, foot
    height = page.height
    head: list[int] = []
    for i in sorted(range(len(lines)), key=lambda i: -(lines[i].top or 0)):
        line = lines[i]
        if (line.top or 0) < height * 0.85:
            break
        small = body_size is not None and (line.size or 0) < body_size - 0.4
        if not (small or is_weak_furniture(line.text) or is_strong_furniture(line.text)):
            break
        head.append(i)
    foot = [i for i, line in enumerate(lines) if (line.y or 0) <= height * 0.075 and i not in head]
    return head, foot


def remove_furniture(pages: list[Page]) -> int:
    """Drop furniture lines from `pages` in place; returns how many lines were removed."""
    body_size = body_font_size(pages)
    bands = [_bands(page, body_size) for page in pages]

    repeats: Counter[str] = Counter()
    for page, (head, foot) in zip(pages, bands, strict=True):
        keys = {_repeat_key(page.lines[i].text) for i in head + foot}
        repeats.update(keys)
    threshold = max(2, math.ceil(0.3 * len(pages)))
    # Short keys ("。", "3") repeat by chance; rule 2 already handles page numbers.
    repeated = {
        key
        for key, count in repeats.items()
        if count >= threshold and sum(ch.isalnum() for ch in key) >= 4
    }

    # The running header (the symbol alone on a line) seen on several pages is furniture
    # wherever it sits: some layouts put it after the footnotes, outside the band.
    headers: Counter[str] = Counter()
    for page, (head, _foot) in zip(pages, bands, strict=True):
        headers.update({page.lines[i].text for i in head if _SYMBOL_ONLY.match(page.lines[i].text)})
    running = {text for text, count in headers.items() if count >= 2}

    removed = 0
    for page, (head, foot) in zip(pages, bands, strict=True):
        drop: set[int] = set()
        for i, line in enumerate(page.lines):
            if is_strong_furniture(line.text) or line.text in running:
                drop.add(i)
            elif line.text.startswith("*"):
                line.text = strip_barcode(line.text)
        for i in head + foot:
            text = page.lines[i].text
            if is_weak_furniture(text) or _repeat_key(text) in repeated:
                drop.add(i)
        geometric_head = head and page.lines[head[0]].has_geometry
        if page.number > 1 and geometric_head and any(has_symbol(page.lines[i].text) for i in head):
            drop.update(head)
        if drop:
            removed += len(drop)
            page.lines = [line for i, line in enumerate(page.lines) if i not in drop]
    return removed


def split_footnotes(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """Body lines and footnote lines (those after a "__________" rule), rule dropped."""
    for i, line in enumerate(lines):
        if _FOOTNOTE_RULE.match(line.text):
            return lines[:i], lines[i + 1 :]
    return lines, []
