"""Benchmark: 10,000 stress scenarios of one proposal, vectorized engine against a plain loop.

Both run in this process on the same scenarios: the vectorized engine (numpy arrays, all
scenarios at once) and the reference loop (numpy-financial called scenario by scenario). The
script checks that they agree and prints a table, then, as its last line, one JSON object:
scenarios, vectorized_s, loop_s, speedup, max_rel_diff (and the per-figure differences).

Relative differences are |a − b| / max(|b|, floor), with floors of 1 peso for NPV and 1e-6 for
IRR and DSCR, so that figures near zero do not inflate the ratio.

Run: .venv/bin/python bench/finance.py [--scenarios N] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from promtel_fin.demo import PROJECTS
from promtel_fin.domain.stress import (
    Uncertainty,
    base_from,
    draw,
    evaluate,
    evaluate_loop,
)

TARGETS = {"speedup": 100.0, "max_rel_diff": 1e-9, "vectorized_s": 0.050}


def proposal_base():
    """The demo FTTH proposal of Morelos: 4.5 million, 40 months, 6 of grace, level."""
    project = PROJECTS["ftth"]
    columns = list(zip(*[[float(v) for v in row] for row in project["flows"]], strict=True))
    return base_from(*columns, amount=float(project["requested_amount"]), annual_rate=0.10,
                     vat_rate=0.16, term_months=project["term_months"],
                     grace_months=project["grace_months"],
                     method=project["amortization_method"], discount_rate=0.10)


def rel_diff(a: np.ndarray, b: np.ndarray, floor: float) -> float:
    if not (np.isnan(a) == np.isnan(b)).all():
        return float("inf")
    known = ~np.isnan(a)
    if not known.any():
        return 0.0
    return float((np.abs(a[known] - b[known]) / np.maximum(np.abs(b[known]), floor)).max())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7, help="vectorized runs (best is kept)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    base = proposal_base()
    shocks = draw(args.scenarios, args.seed, Uncertainty())
    evaluate(base, draw(100, 1, Uncertainty()))  # warm up numpy

    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        fast = evaluate(base, shocks)
        times.append(time.perf_counter() - start)
    vectorized_s = min(times)

    start = time.perf_counter()
    slow = evaluate_loop(base, shocks)
    loop_s = time.perf_counter() - start

    diffs = {"npv": rel_diff(fast.npv, slow.npv, 1.0),
             "irr": rel_diff(fast.irr, slow.irr, 1e-6),
             "min_dscr": rel_diff(fast.min_dscr, slow.min_dscr, 1e-6)}
    result = {
        "scenarios": args.scenarios,
        "vectorized_s": round(vectorized_s, 6),
        "vectorized_median_s": round(float(np.median(times)), 6),
        "loop_s": round(loop_s, 4),
        "speedup": round(loop_s / vectorized_s, 1),
        "max_rel_diff": max(diffs.values()),
        "rel_diff": diffs,
        "targets_met": (loop_s / vectorized_s >= TARGETS["speedup"]
                        and max(diffs.values()) <= TARGETS["max_rel_diff"]
                        and vectorized_s < TARGETS["vectorized_s"]),
    }
    print(f"{'engine':<12}{'seconds':>12}{'scenarios/s':>16}")
    print(f"{'vectorized':<12}{vectorized_s:>12.4f}{args.scenarios / vectorized_s:>16,.0f}")
    print(f"{'loop':<12}{loop_s:>12.4f}{args.scenarios / loop_s:>16,.0f}")
    print(f"speedup {result['speedup']}x (target >= {TARGETS['speedup']:.0f}x); "
          f"max relative difference {result['max_rel_diff']:.2e} (target <= 1e-9); "
          f"vectorized {1000 * vectorized_s:.1f} ms (target < 50 ms)")
    print(json.dumps(result))
    return 0 if result["targets_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
