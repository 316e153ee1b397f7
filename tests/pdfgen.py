"""Render real text (the UN Charter from the corpus, or any paragraphs) to PDF with reportlab.

Used for extraction round trips in every official language, and by other tests that need a
"changed version" PDF made from real text. A thin layer over the mirror's renderer
(mirror/render.py), which lays out like real producers; this module's `Layout` switches on the
habits the round trips were written against:

- Arabic is shaped with arabic-reshaper (presentation forms, harakat kept), broken into lines on
  the shaped text, and each line drawn in *visual* order (python-bidi), right-aligned, so an
  extractor has to give back logical order;
- Chinese breaks lines between any two characters, never before closing punctuation (CJK or
  Latin: PDFium drops a lone "。" at the start of a line);
- the running header sits on the outer edge (right on odd pages, left on even);
- output is not pinned to invariant bytes.

Paragraphs are marked like UN documents: first-line indent, plus an optional vertical gap.
An optional running header/footer reproduces UN page furniture (symbol, job number, "n/N").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mirror import render
from mirror.render import LANGS, ttf_path
from tests.corpus import CHARTER_DIR

__all__ = [
    "LANGS",
    "Layout",
    "charter_paragraphs",
    "charter_text",
    "font_missing_reason",
    "render_charter",
    "render_pdf",
    "ttf_path",
]


def font_missing_reason(lang: str) -> str | None:
    """Why `lang` cannot be rendered here (for pytest.skip), or None when it can."""
    if lang in ("ru", "ar") and ttf_path() is None:
        return (
            "no TrueType font with Cyrillic/Arabic glyphs (DejaVuSans.ttf) on this machine; "
            "install it with `apt-get install fonts-dejavu-core`"
        )
    return None


def charter_text(lang: str) -> str:
    return (CHARTER_DIR / f"un-charter-{lang}.txt").read_text(encoding="utf-8")


def charter_paragraphs(lang: str, start: int = 0, count: int | None = None) -> list[str]:
    """Non-empty lines of the real Charter text (each line is one paragraph), stripped of the
    ideographic-space indentation the Chinese file uses."""
    paras = render.charter_paragraphs(CHARTER_DIR, lang)
    return paras[start : None if count is None else start + count]


@dataclass
class Layout(render.Layout):
    header_outside: bool = True
    invariant: bool = False
    arabic_shape_first: bool = True
    arabic_keep_harakat: bool = True
    no_line_start: frozenset[str] = render.NO_LINE_START | frozenset(",.;:?!)")


def render_pdf(paragraphs: Sequence[str], lang: str = "en", layout: Layout | None = None) -> bytes:
    """Lay out `paragraphs` (logical-order text, one string per paragraph) and return PDF bytes."""
    return render.render_layout(paragraphs, lang, layout or Layout())


def render_charter(
    lang: str, start: int = 0, count: int | None = 40, layout: Layout | None = None
) -> bytes:
    """The real Charter text in `lang` (paragraphs start..start+count) as a PDF."""
    return render_pdf(charter_paragraphs(lang, start, count), lang, layout)
