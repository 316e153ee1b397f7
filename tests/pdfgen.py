"""Render real text (the UN Charter from the corpus, or any paragraphs) to PDF with reportlab.

Used for extraction round trips in every official language, and by other tests that need a
"changed version" PDF made from real text. The layout imitates how real producers place glyphs:

- lines are broken on the *logical* text, then each line is drawn on its own;
- Arabic is shaped with arabic-reshaper (presentation forms), broken into lines on the shaped
  text, and each line drawn in *visual* order (python-bidi), right-aligned, so an extractor has
  to give back logical order;
- Chinese uses reportlab's built-in CID font STSong-Light and breaks lines between any two
  characters (no spaces exist to break on);
- Russian/Arabic use an embedded TrueType font (DejaVu Sans) found on the machine.

Paragraphs are marked like UN documents: first-line indent, plus an optional vertical gap.
An optional running header/footer reproduces UN page furniture (symbol, job number, "n/N").
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from tests.corpus import CHARTER_DIR

_TTF_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
)
LANGS = ("en", "fr", "es", "ru", "zh", "ar")


@cache
def ttf_path() -> Path | None:
    """A TrueType font with Latin, Cyrillic and Arabic glyphs, or None (tests then skip)."""
    for candidate in _TTF_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    return None


def font_missing_reason(lang: str) -> str | None:
    """Why `lang` cannot be rendered here (for pytest.skip), or None when it can."""
    if lang in ("ru", "ar") and ttf_path() is None:
        return (
            "no TrueType font with Cyrillic/Arabic glyphs (DejaVuSans.ttf) on this machine; "
            "install it with `apt-get install fonts-dejavu-core`"
        )
    return None


@cache
def _font_for(lang: str) -> str:
    if lang == "zh":
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        return "STSong-Light"
    path = ttf_path()
    if path is None:
        if lang in ("ru", "ar"):
            raise RuntimeError(font_missing_reason(lang))
        return "Helvetica"
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(path)))
    return "DejaVuSans"


def charter_text(lang: str) -> str:
    return (CHARTER_DIR / f"un-charter-{lang}.txt").read_text(encoding="utf-8")


def charter_paragraphs(lang: str, start: int = 0, count: int | None = None) -> list[str]:
    """Non-empty lines of the real Charter text (each line is one paragraph), stripped of the
    ideographic-space indentation the Chinese file uses."""
    paras = [p.strip(" \t\u3000") for p in charter_text(lang).splitlines()]
    paras = [p for p in paras if p]
    return paras[start : None if count is None else start + count]


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


def _wrap_words(text: str, width: float, first_width: float, font: str, size: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        limit = first_width if not lines else width
        if current and pdfmetrics.stringWidth(candidate, font, size) > limit:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


# Closing punctuation never starts a line in Chinese typesetting (kinsoku); real producers hang
# it in the margin. (PDFium also drops a lone "。" at the start of a line.)
_NO_LINE_START = set("，。、；：？！）」』】》〉”’,.;:?!)")


def _wrap_chars(text: str, width: float, first_width: float, font: str, size: float) -> list[str]:
    # CJK: a line may break between any two characters, except before closing punctuation.
    lines: list[str] = []
    current = ""
    for ch in text:
        limit = first_width if not lines else width
        too_wide = pdfmetrics.stringWidth(current + ch, font, size) > limit
        if current and too_wide and ch not in _NO_LINE_START:
            lines.append(current)
            current = ch
        else:
            current += ch
    if current:
        lines.append(current)
    return lines


@cache
def _reshaper():  # noqa: ANN202 - arabic_reshaper has no type hints
    import arabic_reshaper

    # Keep the harakat (shadda, tanween): the default drops them, and the round trip would then
    # compare against a text that was never drawn.
    return arabic_reshaper.ArabicReshaper(configuration={"delete_harakat": False})


def _visual_arabic(line: str) -> str:
    from bidi import get_display

    return get_display(line)


def render_pdf(paragraphs: Sequence[str], lang: str = "en", layout: Layout | None = None) -> bytes:
    """Lay out `paragraphs` (logical-order text, one string per paragraph) and return PDF bytes."""
    lay = layout or Layout()
    font = _font_for(lang)
    size = lay.font_size
    leading = lay.leading or size * 1.25
    indent = lay.indent if lay.indent is not None else size * 3
    width = lay.page_width - 2 * lay.margin
    rtl = lang == "ar"
    wrap = _wrap_chars if lang == "zh" else _wrap_words

    # Pass 1: break paragraphs into (line, is_first_line) and paginate, so the footer knows N.
    pages: list[list[tuple[str, bool, float]]] = [[]]
    top = lay.page_height - lay.margin
    bottom = lay.margin
    y = top
    for para in paragraphs:
        para = re.sub(r"\s+", " ", para).strip()
        if not para:
            continue
        if rtl:  # shape first, so that line breaking measures the glyphs actually drawn
            para = _reshaper().reshape(para)
        for i, line in enumerate(wrap(para, width, width - indent, font, size)):
            gap = lay.para_gap if i == 0 and pages[-1] else 0.0
            if y - leading - gap < bottom:
                pages.append([])
                y = top
                gap = 0.0
            y -= leading + gap
            pages[-1].append((line, i == 0, y))

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(lay.page_width, lay.page_height))
    if lay.title:
        c.setTitle(lay.title)
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        c.setFont(font, size)
        if lay.header:
            c.setFont("Helvetica", 9)
            header_x = lay.page_width - lay.margin if number % 2 else lay.margin
            draw = c.drawRightString if number % 2 else c.drawString
            draw(header_x, lay.page_height - lay.margin / 2, lay.header)
        if lay.footer_job:
            c.setFont("Helvetica", 8)
            c.drawString(lay.margin, lay.margin / 2, f"{number}/{total}")
            c.drawRightString(lay.page_width - lay.margin, lay.margin / 2, lay.footer_job)
        c.setFont(font, size)
        for line, first, y in page:
            shift = indent if first else 0.0
            if rtl:
                c.drawRightString(lay.page_width - lay.margin - shift, y, _visual_arabic(line))
            else:
                c.drawString(lay.margin + shift, y, line)
        c.showPage()
    c.save()
    return buf.getvalue()


def render_charter(
    lang: str, start: int = 0, count: int | None = 40, layout: Layout | None = None
) -> bytes:
    """The real Charter text in `lang` (paragraphs start..start+count) as a PDF."""
    return render_pdf(charter_paragraphs(lang, start, count), lang, layout)
