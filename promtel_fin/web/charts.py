"""Small server-rendered SVG charts: no JavaScript, no library, a few kilobytes each.

Each chart carries a <title> and a <desc> for screen readers; the pages also show the same
numbers in a table. Each has an axis title with its unit on both axes.

The charts take the page's width but keep their height, and their text is in real pixels
(13 px) on a phone as on a computer: the outer <svg> has no viewBox, so nothing written in
it is scaled; positions across are percentages of the width. Bars and lines are drawn in an
inner <svg> that stretches across (``preserveAspectRatio="none"``, lines keep their width).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from decimal import Decimal
from html import escape

from flask_babel import gettext as _
from markupsafe import Markup

HEIGHT = 270
TOP, BOTTOM = 24, 48      # above: the y axis's title; below: the categories and the x axis's title
FONT = 13                 # pixels, never scaled (11 px is the least legible on a phone)
LEGEND_LINE = 18
INNER = 1000              # the inner drawing's width in its own units (stretched to the chart's)
COLORS = ("#0b5d3b", "#b35c00", "#3358a4")
INK = "#333"
_ids = itertools.count(1)


def _text(x: str, y: float, words: str, anchor: str = "start", weight: str = "400") -> str:
    # A white halo keeps labels legible where they cross a bar or a line.
    return (f'<text x="{x}" y="{y:.1f}" text-anchor="{anchor}" font-size="{FONT}" '
            f'font-weight="{weight}" fill="{INK}" stroke="#fff" stroke-width="3" '
            f'paint-order="stroke">{escape(words)}</text>')


def _short(value: float) -> str:
    size = abs(value)
    if size >= 1_000_000:
        return _("%(n)s M", n=f"{value / 1_000_000:,.1f}")
    if size >= 1_000:
        return _("%(n)s k", n=f"{value / 1_000:,.0f}")
    return f"{value:,.0f}"


def _frame(title: str, description: str, low: float, high: float, x_title: str,
           y_title: str, top: float = TOP) -> tuple[list[str], Callable[[float], float]]:
    chart_id = next(_ids)
    span = (high - low) or 1.0

    def y(value: float) -> float:
        return top + 22 + (high - value) / span * (HEIGHT - top - 22 - BOTTOM)

    parts = [
        f'<svg width="100%" height="{HEIGHT}" role="img" '
        f'aria-labelledby="c{chart_id}t c{chart_id}d" class="chart" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="c{chart_id}t">{escape(title)}</title>',
        f'<desc id="c{chart_id}d">{escape(description)}</desc>',
        _text("0", 15, y_title, weight="600"),
        _text("50%", HEIGHT - 6, x_title, anchor="middle", weight="600"),
    ]
    for tick in (low, (low + high) / 2, high):
        parts.append(f'<line x1="0" x2="100%" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
                     f'stroke="#d0d0d0"/>')
    if low < 0 < high:
        parts.append(f'<line x1="0" x2="100%" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="{INK}"/>')
    return parts, y


def _ticks(low: float, high: float, y: Callable[[float], float]) -> list[str]:
    """The values of the grid lines, written just above them at the left (drawn last: on top)."""
    return [_text("2", y(tick) - 3, _short(tick)) for tick in (low, (low + high) / 2, high)]


def _categories(categories: Sequence[str]) -> list[str]:
    count = max(len(categories), 1)
    return [_text(f"{(i + 0.5) / count * 100:.2f}%", HEIGHT - 28, category, anchor="middle")
            for i, category in enumerate(categories) if category]


def _bounds(series: Sequence[Sequence[float]]) -> tuple[float, float]:
    values = [v for s in series for v in s] or [0.0]
    return min(0.0, min(values)), max(0.0, max(values))


def _inner(body: list[str]) -> str:
    return (f'<svg x="0" y="0" width="100%" height="{HEIGHT}" viewBox="0 0 {INNER} {HEIGHT}" '
            f'preserveAspectRatio="none">' + "".join(body) + "</svg>")


def bars(categories: Sequence[str], series: Sequence[Sequence[float | Decimal]],
         names: Sequence[str], title: str, description: str, x_title: str,
         y_title: str) -> Markup:
    """Draw grouped bars, one group per category, one bar per series."""
    data = [[float(v) for v in s] for s in series]
    low, high = _bounds(data)
    legend = LEGEND_LINE * len(data) if len(data) > 1 else 0   # a band for the legend
    parts, y = _frame(title, description, low, high, x_title, y_title, TOP + legend)
    slot = INNER / max(len(categories), 1)
    bar = slot * 0.7 / max(len(data), 1)
    body = []
    for i, category in enumerate(categories):
        x0 = i * slot + slot * 0.15
        for j, values in enumerate(data):
            top, bottom = y(max(values[i], 0)), y(min(values[i], 0))
            color = COLORS[j % len(COLORS)] if len(data) > 1 or values[i] >= 0 else "#a4161a"
            body.append(f'<rect x="{x0 + j * bar:.1f}" y="{top:.1f}" '
                        f'width="{max(bar * 0.9, 0.5):.1f}" height="{max(bottom - top, 1):.1f}" '
                        f'fill="{color}"><title>{escape(names[j])} {escape(category)}: '
                        f'{values[i]:,.2f}</title></rect>')
    parts.append(_inner(body))
    parts += _categories(categories)
    if len(data) > 1:
        for j, name in enumerate(names):   # one legend line per series: long labels fit
            parts.append(f'<rect x="0" y="{TOP + 2 + LEGEND_LINE * j}" width="12" height="12" '
                         f'fill="{COLORS[j % len(COLORS)]}"/>')
            parts.append(_text("18", TOP + 13 + LEGEND_LINE * j, name))
    parts += _ticks(low, high, y)
    parts.append("</svg>")
    return Markup("".join(parts))


def line(categories: Sequence[str], values: Sequence[float | Decimal], title: str,
         description: str, x_title: str, y_title: str) -> Markup:
    """Draw one line with a dot per category."""
    data = [float(v) for v in values]
    low, high = _bounds([data])
    parts, y = _frame(title, description, low, high, x_title, y_title)
    count = max(len(data), 1)
    points = [((i + 0.5) / count, y(v)) for i, v in enumerate(data)]
    parts.append(_inner([
        '<polyline fill="none" stroke="#0b5d3b" stroke-width="2.5" '
        'vector-effect="non-scaling-stroke" points="'
        + " ".join(f"{x * INNER:.1f},{py:.1f}" for x, py in points) + '"/>']))
    for (x, py), value, category in zip(points, data, categories, strict=True):
        parts.append(f'<circle cx="{x * 100:.2f}%" cy="{py:.1f}" r="4" fill="#0b5d3b">'
                     f'<title>{escape(category)}: {value:,.2f}</title></circle>')
    parts += _categories(categories)
    parts += _ticks(low, high, y)
    parts.append("</svg>")
    return Markup("".join(parts))
