"""Remove UN page furniture: running headers and footers that repeat on every page.

Looked at in the corpus (A/C.1/80/L.*, A/RES/79/*, A/79/88, the French and Spanish files):
- a header band on pages 2..N in a smaller font: the symbol ("A/C.1/80/L.1"), on resolutions and
  Spanish files also a short title, sometimes on the same line as the symbol;
- a footer band: job number and page ("2/3 25-16208", "25-16208 3/3"); on page 1 the job number
  with language and dates ("25-16208 (E) 151025") and a barcode ("*2516208*");
- old scans: "652 Assemblée générale - Quatorzième session ..." running heads, "/ . . ." marks.

Furniture is recognised by what it is, never by where it sits alone (a table's small rows at the
top of a page, or a note at its foot, are text):
1. anywhere: lines that can only be furniture (job number with language letter, barcode,
   "Please recycle"), a barcode opening a line of text, and the running header (a symbol alone
   on a line, in the header of two pages or more) wherever else it appears;
2. the running header, page 2 onwards (on page 1 only a symbol or page number alone): the
   cluster of lines at the top of a page (each a line's distance from the next, a blank space
   below them, no larger than body text) when one of them is the document's own symbol (with
   a few words of running title), a symbol or page number alone, or a line that comes back in
   the top cluster of another page: the whole cluster goes (the running title goes with it);
3. in the footer band (baseline in the bottom 7.5 % of the page): lines that are nothing but a
   symbol, a page number ("5/9", "3", "Page 3"), a job number, or a mix of these, and lines that
   repeat (digits ignored) on at least 30 % of the pages (min. 2).
A symbol inside body text is never touched. Without geometry (the fallback engine), the first and
last three lines of a page stand in for header and footer, and only rule 3's kinds of line go.
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
MAX_HEADER_LINES = 6


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


def _header_cluster(page: Page, body_size: float | None) -> list[int]:
    """Indices of the lines that stand together at the top of the page: the top line and those
    below it at a line's distance, up to the first blank space. Body text
    starts a blank line or more below the running header, so a table's small rows near the top
    of a page are not in it. Empty when the top of the page is not header-like (too low, too
    many lines together, or a font larger than the body's)."""
    lines = page.lines
    if not lines or not lines[0].has_geometry or not page.height:
        return []
    order = sorted(range(len(lines)), key=lambda i: -(lines[i].top or 0))
    if (lines[order[0]].top or 0) < 0.8 * page.height:
        return []
    cluster = order[:1]
    for i in order[1 : MAX_HEADER_LINES + 1]:
        prev, line = lines[cluster[-1]], lines[i]
        size = max(prev.size or 10.0, line.size or 10.0)
        if (prev.y_last or 0) - (line.y or 0) > 1.45 * size:
            break
        cluster.append(i)
    if len(cluster) > MAX_HEADER_LINES or len(cluster) == len(lines):
        return []
    if body_size is not None and any((lines[i].size or 0) > body_size + 0.5 for i in cluster):
        return []
    return cluster


def _footer_band(page: Page, head: list[int]) -> list[int]:
    lines = page.lines
    if not lines:
        return []
    if not lines[0].has_geometry or not page.height:
        return [i for i in range(max(0, len(lines) - 3), len(lines)) if i not in head]
    return [i for i, ln in enumerate(lines) if (ln.y or 0) <= page.height * 0.075 and i not in head]


def _names_header(text: str, own: set[str]) -> bool:
    """Furniture by what it says: a symbol, page or job number alone, or the document's own
    symbol beside a few words (the running title)."""
    if is_weak_furniture(text) or is_strong_furniture(text):
        return True
    return any(symbol in text for symbol in own) and len(text.split()) <= 16


def remove_furniture(pages: list[Page], own_symbol: str | None = None) -> int:
    """Drop furniture lines from `pages` in place; returns how many lines were removed.

    `own_symbol` is the document's symbol as read from its first page: a running header is
    recognised by it. Lines are dropped only for being furniture: a line that appears once in
    the body (a table row in the top of a page, a small-print note) is kept.
    """
    own = {own_symbol} if own_symbol else set()
    body_size = body_font_size(pages)
    clusters = [_header_cluster(page, body_size) for page in pages]
    # Lines of the top clusters that come back on other pages (digits ignored) are a running
    # header even where no symbol names it.
    cluster_repeats: Counter[str] = Counter()
    for page, cluster in zip(pages, clusters, strict=True):
        cluster_repeats.update({_repeat_key(page.lines[i].text) for i in cluster})
    heads: list[list[int]] = []
    for page, cluster in zip(pages, clusters, strict=True):
        named = any(
            _names_header(page.lines[i].text, own)
            or cluster_repeats[_repeat_key(page.lines[i].text)] >= 2
            for i in cluster
        )
        if page.number == 1:
            # Page 1's top is the masthead ("United Nations  A/C.1/80/L.1"): only a symbol or
            # page number standing alone there is a running header.
            heads.append([i for i in cluster if is_weak_furniture(page.lines[i].text)])
        elif named:
            heads.append(cluster)
        elif page.lines and not page.lines[0].has_geometry:
            heads.append(list(range(min(3, len(page.lines)))))
        else:
            heads.append([])
    bands = [(head, _footer_band(page, head)) for page, head in zip(pages, heads, strict=True)]

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
        for i in foot:
            text = page.lines[i].text
            if is_weak_furniture(text) or _repeat_key(text) in repeated:
                drop.add(i)
        geometric_head = head and page.lines[head[0]].has_geometry
        if geometric_head:
            drop.update(head)  # the whole running header: symbol, title, page number
        else:
            drop.update(i for i in head if is_weak_furniture(page.lines[i].text))
            drop.update(i for i in head if _repeat_key(page.lines[i].text) in repeated)
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
