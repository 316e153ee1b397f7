"""Positioned text lines: what the PDF engines produce and furniture removal and reflow consume.

Coordinates are PDF points with y growing upwards (page bottom = 0). Geometry is optional:
the fallback engine gives text only, and the later steps then use textual cues alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CELL_GAP = "\ue001"  # placeholder for a wide gap on a line (see Line.gaps)

_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_LTR = re.compile(r"[A-Za-z\u00c0-\u024f\u0400-\u04ff]")


@dataclass(slots=True)
class Line:
    text: str
    x0: float | None = None  # left edge of the first glyph
    x1: float | None = None  # right edge of the last glyph
    y: float | None = None  # baseline of the first glyph
    y_last: float | None = None  # baseline of the last glyph (lower if PDFium joined two lines)
    top: float | None = None
    size: float | None = None  # font size of the first glyph
    x_text: float | None = None  # where text starts after a list marker ("1.", "(a)", "•")
    indent: int = 0  # leading spaces (fallback engine only: its indentation cue)
    rtl: bool = False
    bold: bool = False  # the first glyph's font is bold (headings and titles)
    # Wide gaps between text runs on this line, left to right: (right edge of the run before,
    # left edge of the run after). Each stands in the text as CELL_GAP until the page decides
    # whether it separates table cells (a tab) or is just a wide space.
    gaps: list[tuple[float, float]] = field(default_factory=list)
    is_row: bool = False  # a table row: its cells are separated by tabs

    @property
    def has_geometry(self) -> bool:
        return self.x0 is not None


@dataclass(slots=True)
class Page:
    number: int  # 1-based
    lines: list[Line] = field(default_factory=list)
    width: float | None = None
    height: float | None = None
    footnotes_from: int | None = None  # index in `lines` where footnotes start, if any


def has_rtl(text: str) -> bool:
    """Any right-to-left letter at all?"""
    return _RTL.search(text) is not None


def is_rtl(text: str) -> bool:
    """Mostly right-to-left letters (Arabic, Hebrew)?"""
    rtl = len(_RTL.findall(text))
    return rtl > 0 and rtl >= len(_LTR.findall(text))
