"""Table rows: which wide gaps on a page's lines separate cells.

A gap found by glyphs.py becomes a cell separator (a tab) when it is very wide (three font sizes
or more: nothing but a tab stop or a table leaves such a hole in a line), or when another line
of the page has a cell starting or ending at the same place (a column). A justified line can
have a few wide spaces, but they do not line up with another line's, so it stays text.
"""

from __future__ import annotations

from tracker.extract.layout import CELL_GAP, Line, Page

WIDE_GAP_EM = 3.0
ALIGN_PT = 2.0
SHORT_CELL_EM = 25.0  # cells compared by their right edge (numbers) must be short


def _cells_after(line: Line) -> list[tuple[float, float]]:
    """(left, right) of the cell after each gap of `line`."""
    edges = [b for _a, b in line.gaps]
    rights = [a for a, _b in line.gaps[1:]] + [line.x1 or 0.0]
    return list(zip(edges, rights, strict=True))


def mark_cells(page: Page) -> None:
    """Replace the CELL_GAP placeholders on `page`'s lines by tabs (cell separators) or
    spaces, and flag the lines that are table rows."""
    gapped = [line for line in page.lines if line.gaps or CELL_GAP in line.text]
    if not gapped:
        return
    cells = {id(line): _cells_after(line) for line in gapped}
    for line in gapped:
        size = line.size or 10.0
        decisions: list[bool] = []
        for (a, b), (left, right) in zip(line.gaps, cells[id(line)], strict=True):
            if b - a >= WIDE_GAP_EM * size:
                decisions.append(True)
                continue
            short = right - left < SHORT_CELL_EM * size
            decisions.append(
                any(
                    abs(left - o_left) < ALIGN_PT
                    or (short and o_right - o_left < SHORT_CELL_EM * size)
                    and abs(right - o_right) < ALIGN_PT
                    for other in gapped
                    if other is not line
                    for o_left, o_right in cells[id(other)]
                )
            )
        parts = line.text.split(CELL_GAP)
        out = [parts[0]]
        for i, part in enumerate(parts[1:]):
            tab = decisions[i] if i < len(decisions) else False
            out.append("\t" if tab else " ")
            out.append(part)
        line.text = "".join(out)
        line.is_row = any(decisions)
