"""Build promtel_fin/data/mexico_map.json from the npm package @svg-maps/mexico (CC BY 4.0).

    mkdir /tmp/map && cd /tmp/map && npm pack @svg-maps/mexico && tar xzf svg-maps-mexico-*.tgz
    python tools/build_mexico_map.py /tmp/map/package/index.js

The paths are simplified for the page's weight (CC BY 4.0 allows adaptations; the change is
stated in promtel_fin/data/NOTICE.mexico_map.md): each outline is made absolute, points closer
than TOLERANCE units to the simplified line are dropped (Ramer-Douglas-Peucker), islands
smaller than MIN_SPAN units are dropped, and coordinates are rounded to one decimal, written as
relative moves between rounded points so that rounding does not accumulate.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

TOLERANCE = 0.45
MIN_SPAN = 2.0
OUT = Path(__file__).resolve().parents[1] / "promtel_fin" / "data" / "mexico_map.json"


def subpaths(d: str) -> list[list[tuple[float, float]]]:
    tokens = re.findall(r"[MmLlZz]|-?\d*\.?\d+(?:e-?\d+)?", d)
    shapes: list[list[tuple[float, float]]] = []
    x = y = 0.0
    start = (0.0, 0.0)
    command = "M"
    numbers: list[float] = []
    current: list[tuple[float, float]] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in "MmLlZz":
            if token in "Zz":
                if current:
                    shapes.append(current)
                current = []
                x, y = start
            command = token
            i += 1
            continue
        numbers = [float(tokens[i]), float(tokens[i + 1])]
        i += 2
        relative = command.islower()
        nx, ny = (x + numbers[0], y + numbers[1]) if relative else (numbers[0], numbers[1])
        if command in "Mm":
            if current:
                shapes.append(current)
            current = [(nx, ny)]
            start = (nx, ny)
            command = "l" if relative else "L"
        else:
            current.append((nx, ny))
        x, y = nx, ny
    if current:
        shapes.append(current)
    return shapes


def _distance(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    if dx == dy == 0:
        return ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return ((px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2) ** 0.5


def simplify(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        index, worst = 0, 0.0
        for k in range(first + 1, last):
            d = _distance(points[k], points[first], points[last])
            if d > worst:
                index, worst = k, d
        if worst > TOLERANCE:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def encode(shapes: list[list[tuple[float, float]]]) -> str:
    parts = []
    for shape in shapes:
        xs, ys = [p[0] for p in shape], [p[1] for p in shape]
        if max(max(xs) - min(xs), max(ys) - min(ys)) < MIN_SPAN:
            continue
        rounded = [(round(px * 10), round(py * 10)) for px, py in simplify(shape)]
        unique = [p for i, p in enumerate(rounded) if i == 0 or p != rounded[i - 1]]
        if len(unique) < 3:
            continue
        (x0, y0), moves = unique[0], []
        prev = unique[0]
        for p in unique[1:]:
            moves.append(f"{_n(p[0] - prev[0])} {_n(p[1] - prev[1])}")
            prev = p
        parts.append(f"M{_n(x0)} {_n(y0)}l" + " ".join(moves) + "z")
    return "".join(parts)


def _n(tenths: int) -> str:
    text = f"{tenths / 10:.1f}".rstrip("0").rstrip(".")
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def main(source: str) -> None:
    text = Path(source).read_text(encoding="utf-8")
    data = json.loads(text[text.index("{"): text.rindex("}") + 1])
    states = [{"id": loc["id"], "name": loc["name"], "path": encode(subpaths(loc["path"]))}
              for loc in data["locations"]]
    OUT.write_text(json.dumps({
        "source": "@svg-maps/mexico 2.0.0 (npm), by Victor Cazanave, based on MapSVG "
                  "(https://mapsvg.com/maps/mexico)",
        "licence": "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)",
        "changes": "outlines simplified and rounded to one decimal; islands under "
                   f"{MIN_SPAN} units dropped",
        "viewBox": data["viewBox"], "states": states,
    }, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
