"""Table rows: which wide gaps on a page's lines separate cells.

A gap found by glyphs.py becomes a cell separator (a tab) when the cell after it starts or ends
where cells of at least two other lines of the page start or end: a column. A justified line can
have a few wide spaces, but they do not line up with other lines', so it stays text; the
masthead's two lines ("United Nations ... A/C.1/80/L.1", "General Assembly ... Distr.: General")
are not a table either.
"""

from __future__ import annotations

from tracker.extract.layout import CELL_GAP, Line, Page

MIN_OTHER_ROWS = 2  # a column is three rows or more: a two-line masthead is not a table
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
        for left, right in cells[id(line)]:
            short = right - left < SHORT_CELL_EM * size
            aligned = sum(
                1
                for other in gapped
                if other is not line
                and any(
                    abs(left - o_left) < ALIGN_PT
                    or (short and o_right - o_left < SHORT_CELL_EM * size)
                    and abs(right - o_right) < ALIGN_PT
                    for o_left, o_right in cells[id(other)]
                )
            )
            decisions.append(aligned >= MIN_OTHER_ROWS)
        parts = line.text.split(CELL_GAP)
        out = [parts[0]]
        for i, part in enumerate(parts[1:]):
            tab = decisions[i] if i < len(decisions) else False
            out.append("\t" if tab else " ")
            out.append(part)
        line.text = "".join(out)
        line.is_row = any(decisions)
