"""Render real text (UN Charter paragraphs, amended document text) to PDF with reportlab.

The real UN publishes every document in six languages, but the corpus only holds English (plus a
few French/Spanish/Russian) PDFs, so the mirror renders the other language versions from the real
Charter text in corpus/charter/. Output is deterministic (reportlab ``invariant=1``): the same
input always gives the same bytes, so an unchanged mirror serves byte-identical files between
crawls and a watcher sees no false change.

Chinese uses reportlab's built-in CID font STSong-Light; Cyrillic and Arabic need a TrueType font
(DejaVu Sans), and Arabic is shaped (arabic-reshaper) and laid out in visual order (python-bidi)
as real producers do.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Sequence
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
    """Non-empty lines of the real Charter in `lang` (one line is one paragraph)."""
    text = (charter_dir / f"un-charter-{lang}.txt").read_text(encoding="utf-8")
    paras = [p.strip(" \t\u3000") for p in text.splitlines()]
    return [p for p in paras if p]


NO_LINE_START = set("。，、；：！？）」』】》〉”’")


def _wrap(text: str, width: float, first: float, font: str, size: float, cjk: bool) -> list[str]:
    # CJK breaks between any two characters; other scripts between words.
    units = list(text) if cjk else text.split()
    joiner = "" if cjk else " "
    lines: list[str] = []
    current = ""
    for unit in units:
        candidate = f"{current}{joiner}{unit}" if current else unit
        limit = first if not lines else width
        too_wide = pdfmetrics.stringWidth(candidate, font, size) > limit
        # Kinsoku: closing punctuation never starts a line (it hangs, as real producers do).
        if current and too_wide and not (cjk and unit in NO_LINE_START):
            lines.append(current)
            current = unit
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def _visual_arabic(line: str) -> str:
    import arabic_reshaper
    from bidi import get_display

    return get_display(arabic_reshaper.reshape(line))


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
    with _LOCK:
        return _render(paragraphs, lang, header, job, title, size)


def _render(
    paragraphs: Sequence[str],
    lang: str,
    header: str | None,
    job: str | None,
    title: str | None,
    size: float,
) -> bytes:
    font = _font_for(lang)
    width_page, height_page = A4
    margin, leading, indent = 72.0, size * 1.25, size * 3
    width = width_page - 2 * margin
    pages: list[list[tuple[str, bool, float]]] = [[]]
    y = height_page - margin
    for para in paragraphs:
        para = re.sub(r"\s+", " ", para).strip()
        if not para:
            continue
        for i, line in enumerate(_wrap(para, width, width - indent, font, size, lang == "zh")):
            if y - leading < margin:
                pages.append([])
                y = height_page - margin
            y -= leading
            pages[-1].append((line, i == 0, y))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    if title:
        c.setTitle(title)
    for number, page in enumerate(pages, start=1):
        if header:
            c.setFont("Helvetica", 9)
            c.drawRightString(width_page - margin, height_page - margin / 2, header)
        if job:
            c.setFont("Helvetica", 8)
            c.drawString(margin, margin / 2, f"{number}/{len(pages)}")
            c.drawRightString(width_page - margin, margin / 2, job)
        c.setFont(font, size)
        for line, first, ly in page:
            shift = indent if first else 0.0
            if lang == "ar":
                c.drawRightString(width_page - margin - shift, ly, _visual_arabic(line))
            else:
                c.drawString(margin + shift, ly, line)
        c.showPage()
    c.save()
    return buf.getvalue()
