"""Small server-rendered SVG charts: no JavaScript, no library, a few kilobytes each.

Each chart carries a <title> and a <desc> for screen readers; the pages also show the same
numbers in a table.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 84, 12, 16, 34
COLORS = ("#0b5d3b", "#b35c00", "#3358a4")
_ids = itertools.count(1)


def _short(value: float) -> str:
    size = abs(value)
    if size >= 1_000_000:
        return f"{value / 1_000_000:,.1f} M"
    if size >= 1_000:
        return f"{value / 1_000:,.0f} mil"
    return f"{value:,.0f}"


def _frame(title: str, description: str, low: float, high: float,
           top: float = TOP) -> tuple[list[str], callable]:
    chart_id = next(_ids)
    span = (high - low) or 1.0

    def y(value: float) -> float:
        return top + (high - value) / span * (HEIGHT - top - BOTTOM)

    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-labelledby="c{chart_id}t c{chart_id}d" class="chart" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="c{chart_id}t">{escape(title)}</title>',
        f'<desc id="c{chart_id}d">{escape(description)}</desc>',
    ]
    for tick in (low, (low + high) / 2, high):
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" '
                     f'y2="{y(tick):.1f}" stroke="#d0d0d0"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" '
                     f'font-size="12" fill="#333">{escape(_short(tick))}</text>')
    if low < 0 < high:
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(0):.1f}" y2="{y(0):.1f}" '
                     f'stroke="#333"/>')
    return parts, y


def _bounds(series: Sequence[Sequence[float]]) -> tuple[float, float]:
    values = [v for s in series for v in s] or [0.0]
    return min(0.0, min(values)), max(0.0, max(values))


def bars(categories: Sequence[str], series: Sequence[Sequence[float | Decimal]],
         names: Sequence[str], title: str, description: str) -> Markup:
    """Draw grouped bars, one group per category, one bar per series."""
    data = [[float(v) for v in s] for s in series]
    low, high = _bounds(data)
    legend = 16 * len(data) if len(data) > 1 else 0     # a band above the plot for the legend
    parts, y = _frame(title, description, low, high, TOP + legend)
    slot = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    bar = slot * 0.7 / max(len(data), 1)
    for i, category in enumerate(categories):
        x0 = LEFT + i * slot + slot * 0.15
        for j, values in enumerate(data):
            top, bottom = y(max(values[i], 0)), y(min(values[i], 0))
            color = COLORS[j % len(COLORS)] if len(data) > 1 or values[i] >= 0 else "#a4161a"
            parts.append(f'<rect x="{x0 + j * bar:.1f}" y="{top:.1f}" width="{bar - 2:.1f}" '
                         f'height="{max(bottom - top, 1):.1f}" fill="{color}">'
                         f'<title>{escape(names[j])} {escape(category)}: '
                         f'{values[i]:,.2f}</title></rect>')
        parts.append(f'<text x="{LEFT + (i + 0.5) * slot:.1f}" y="{HEIGHT - 12}" '
                     f'text-anchor="middle" font-size="12" fill="#333">{escape(category)}</text>')
    if len(data) > 1:
        for j, name in enumerate(names):   # one legend line per series: long labels fit
            parts.append(f'<rect x="{LEFT}" y="{2 + 16 * j}" width="10" height="10" '
                         f'fill="{COLORS[j % len(COLORS)]}"/><text x="{LEFT + 14}" '
                         f'y="{11 + 16 * j}" font-size="12" fill="#333">{escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def line(categories: Sequence[str], values: Sequence[float | Decimal], title: str,
         description: str) -> Markup:
    """Draw one line with a dot per category."""
    data = [float(v) for v in values]
    low, high = _bounds([data])
    parts, y = _frame(title, description, low, high)
    step = (WIDTH - LEFT - RIGHT) / max(len(data), 1)
    points = [(LEFT + (i + 0.5) * step, y(v)) for i, v in enumerate(data)]
    parts.append('<polyline fill="none" stroke="#0b5d3b" stroke-width="2.5" points="'
                 + " ".join(f"{x:.1f},{py:.1f}" for x, py in points) + '"/>')
    for (x, py), value, category in zip(points, data, categories, strict=True):
        parts.append(f'<circle cx="{x:.1f}" cy="{py:.1f}" r="4" fill="#0b5d3b">'
                     f'<title>{escape(category)}: {value:,.2f}</title></circle>')
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - 12}" text-anchor="middle" font-size="12" '
                     f'fill="#333">{escape(category)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
