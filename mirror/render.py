"""Render real text (UN Charter paragraphs, amended document text) to PDF with reportlab.

The real UN publishes every document in six languages, but the corpus only holds English (plus a
few French/Spanish/Russian) PDFs, so the mirror renders the other language versions from the real
Charter text in corpus/charter/. Output is deterministic (reportlab ``invariant=1``): the same
input always gives the same bytes, so an unchanged mirror serves byte-identical files between
crawls and a watcher sees no false change.

This is also the renderer behind tests/pdfgen.py (extraction round trips), which asks for a few
other producer habits through `Layout`: a paragraph gap, a header on the outer edge, Arabic shaped
(harakat kept) before line breaking, Latin punctuation kept off a CJK line start.

The layout imitates how real producers place glyphs: lines are broken on the *logical* text and
each line is drawn on its own, with a first-line indent per paragraph. Chinese uses reportlab's
built-in CID font STSong-Light and breaks between any two characters; Cyrillic and Arabic need a
TrueType font (DejaVu Sans), and Arabic is shaped (arabic-reshaper) and drawn right-aligned in
visual order (python-bidi), so an extractor has to give back logical order.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

LANGS = ("en", "fr", "es", "ru", "zh", "ar")
_TTF_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
)
# reportlab keeps global font registries; registering from several server threads at once races.
_LOCK = threading.Lock()


class FontMissingError(RuntimeError):
    """No TrueType font with Cyrillic/Arabic glyphs is installed."""


@cache
def ttf_path() -> Path | None:
    """A TrueType font with Latin, Cyrillic and Arabic glyphs, or None."""
    for candidate in _TTF_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    return None


@cache
def _font_for(lang: str) -> str:
    if lang == "zh":
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        return "STSong-Light"
    path = ttf_path()
    if path is None:
        if lang in ("ru", "ar"):
            raise FontMissingError(
                f"cannot render {lang!r}: no DejaVuSans.ttf found "
                "(install it with `apt-get install -y fonts-dejavu-core`)"
            )
        return "Helvetica"
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(path)))
    return "DejaVuSans"


def charter_paragraphs(charter_dir: Path, lang: str) -> list[str]:
    """Non-empty lines of the real Charter in `lang` (one line is one paragraph), stripped of the
    ideographic-space indentation the Chinese file uses."""
    text = (charter_dir / f"un-charter-{lang}.txt").read_text(encoding="utf-8")
    paras = [p.strip(" \t\u3000") for p in text.splitlines()]
    return [p for p in paras if p]


# Kinsoku: closing punctuation never starts a CJK line (it hangs, as real producers do).
NO_LINE_START = frozenset("。，、；：！？）」』】》〉”’")


@dataclass
class Layout:
    page_width: float = A4[0]
    page_height: float = A4[1]
    font_size: float = 11.0
    margin: float = 72.0
    leading: float | None = None  # default 1.25 * font_size
    indent: float | None = None  # first-line indent; default 3 * font_size
    para_gap: float = 0.0  # extra vertical space between paragraphs
    header: str | None = None  # running header (e.g. a symbol) on every page
    footer_job: str | None = None  # job number, printed with "n/N" in the footer
    title: str | None = None  # PDF metadata title
    header_outside: bool = False  # header on the outer edge (left on even pages), else right
    invariant: bool = True  # deterministic bytes (no timestamps, fixed document ID)
    # Arabic: shape the whole paragraph before line breaking (so breaking measures the glyphs
    # drawn), else break the logical text and shape each line.
    arabic_shape_first: bool = False
    arabic_keep_harakat: bool = False  # arabic-reshaper's default drops shadda, tanween, ...
    no_line_start: frozenset[str] = NO_LINE_START  # CJK characters a line never starts with


def _wrap(
    text: str,
    width: float,
    first: float,
    font: str,
    size: float,
    cjk: bool,
    no_line_start: frozenset[str] = NO_LINE_START,
) -> list[str]:
    # CJK breaks between any two characters; other scripts between words.
    units = list(text) if cjk else text.split()
    joiner = "" if cjk else " "
    lines: list[str] = []
    current = ""
    for unit in units:
        candidate = f"{current}{joiner}{unit}" if current else unit
        limit = first if not lines else width
        too_wide = pdfmetrics.stringWidth(candidate, font, size) > limit
        if current and too_wide and not (cjk and unit in no_line_start):
            lines.append(current)
            current = unit
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


@cache
def _reshaper(keep_harakat: bool) -> Callable[[str], str]:
    import arabic_reshaper

    config = {"delete_harakat": not keep_harakat}
    return arabic_reshaper.ArabicReshaper(configuration=config).reshape


def _visual_arabic(line: str) -> str:
    from bidi import get_display

    return get_display(line)


def render_pdf(
    paragraphs: Sequence[str],
    lang: str = "en",
    *,
    header: str | None = None,
    job: str | None = None,
    title: str | None = None,
    size: float = 11.0,
) -> bytes:
    """Lay out paragraphs (logical order) as an A4 PDF with UN page furniture: the symbol as a
    running header and the job number with "n/N" in the footer (as real UN documents print)."""
    layout = Layout(font_size=size, header=header, footer_job=job, title=title)
    return render_layout(paragraphs, lang, layout)


def render_layout(
    paragraphs: Sequence[str], lang: str = "en", layout: Layout | None = None
) -> bytes:
    """Lay out `paragraphs` (logical-order text, one string per paragraph) and return PDF bytes."""
    with _LOCK:
        return _render(paragraphs, lang, layout or Layout())


def _render(paragraphs: Sequence[str], lang: str, lay: Layout) -> bytes:
    font = _font_for(lang)
    size = lay.font_size
    leading = lay.leading or size * 1.25
    indent = lay.indent if lay.indent is not None else size * 3
    width = lay.page_width - 2 * lay.margin
    rtl = lang == "ar"
    reshape = _reshaper(lay.arabic_keep_harakat) if rtl else None

    # Pass 1: break paragraphs into (line, is_first_line, y) and paginate, so the footer knows N.
    pages: list[list[tuple[str, bool, float]]] = [[]]
    top = lay.page_height - lay.margin
    y = top
    for para in paragraphs:
        para = re.sub(r"\s+", " ", para).strip()
        if not para:
            continue
        if reshape and lay.arabic_shape_first:
            para = reshape(para)
        lines = _wrap(para, width, width - indent, font, size, lang == "zh", lay.no_line_start)
        for i, line in enumerate(lines):
            gap = lay.para_gap if i == 0 and pages[-1] else 0.0
            if y - leading - gap < lay.margin:
                pages.append([])
                y = top
                gap = 0.0
            y -= leading + gap
            pages[-1].append((line, i == 0, y))

    buf = io.BytesIO()
    pagesize = (lay.page_width, lay.page_height)
    c = canvas.Canvas(buf, pagesize=pagesize, invariant=1 if lay.invariant else None)
    if lay.title:
        c.setTitle(lay.title)
    for number, page in enumerate(pages, start=1):
        if lay.header:
            c.setFont("Helvetica", 9)
            header_y = lay.page_height - lay.margin / 2
            if lay.header_outside and number % 2 == 0:
                c.drawString(lay.margin, header_y, lay.header)
            else:
                c.drawRightString(lay.page_width - lay.margin, header_y, lay.header)
        if lay.footer_job:
            c.setFont("Helvetica", 8)
            c.drawString(lay.margin, lay.margin / 2, f"{number}/{len(pages)}")
            c.drawRightString(lay.page_width - lay.margin, lay.margin / 2, lay.footer_job)
        c.setFont(font, size)
        for line, first, ly in page:
            shift = indent if first else 0.0
            if reshape:
                shaped = line if lay.arabic_shape_first else reshape(line)
                c.drawRightString(lay.page_width - lay.margin - shift, ly, _visual_arabic(shaped))
            else:
                c.drawString(lay.margin + shift, ly, line)
        c.showPage()
    c.save()
    return buf.getvalue()
