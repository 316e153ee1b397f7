"""Counts over time as an inline SVG step chart, drawn on the server (no script, no library).

Every piece of text in the SVG is escaped here, because the page inserts it as markup.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 28
# Colours with at least 4.5:1 contrast on white, told apart by dash pattern too (not colour only).
SERIES_STYLE = [("#0b5cad", ""), ("#a33b00", "6 3"), ("#2b7a0b", "2 3")]


def step_chart(points: list[dict[str, Any]], series: tuple[str, ...]) -> str:
    """An accessible SVG of `series` over `points` ({"date": "YYYY-MM-DD", name: count...})."""
    if not points:
        return ""
    days = [date.fromisoformat(p["date"]).toordinal() for p in points]
    first, last = days[0], max(days[-1], days[0] + 1)
    top_value = max(1, *(int(p.get(s, 0)) for p in points for s in series))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: int) -> float:
        return LEFT + (day - first) / (last - first) * plot_w

    def y(value: int) -> float:
        return TOP + plot_h - value / top_value * plot_h

    final = points[-1]
    label = "; ".join(f"{s}: {final.get(s, 0)}" for s in series)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(", ".join(series))} from {escape(points[0]["date"])} '
        f"to {escape(final['date'])} ({escape(label)})</title>",
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        f'class="axis"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" class="axis"/>',
    ]
    for tick in sorted({0, top_value // 2, top_value}):
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" class="tick">'
            f"{tick}</text>"
        )
    for ordinal in sorted({first, (first + last) // 2, last}):
        parts.append(
            f'<text x="{x(ordinal):.1f}" y="{HEIGHT - 8}" text-anchor="middle" class="tick">'
            f"{date.fromordinal(ordinal).year}</text>"
        )
    for index, name in enumerate(series):
        colour, dash = SERIES_STYLE[index % len(SERIES_STYLE)]
        coords: list[str] = []
        previous = None
        for day, point in zip(days, points, strict=True):
            value = int(point.get(name, 0))
            if previous is not None:
                coords.append(f"{x(day):.1f},{y(previous):.1f}")
            coords.append(f"{x(day):.1f},{y(value):.1f}")
            previous = value
        coords.append(f"{x(last):.1f},{y(previous or 0):.1f}")
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline points="{" ".join(coords)}" fill="none" stroke="{colour}" '
            f'stroke-width="2"{dash_attr}><title>{escape(name)}</title></polyline>'
        )
        parts.append(
            f'<text x="{LEFT + 8}" y="{TOP + 14 + 16 * index}" fill="{colour}" class="legend">'
            f"{escape(name)}: {int(final.get(name, 0))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
