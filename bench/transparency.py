"""Benchmark: every answer of the transparency portal at 100,000 proposals, cold and cached.

Loads a PostgreSQL database with N proposals with ``bench/loader.py`` (or reuses it when it
already holds exactly N at the migrations' head), runs the app in this process, and asks each
portal answer through Flask's test client:

- **cold**: the process's cache emptied first, so the answer computes what it shows (the data
  changed, or the process just started);
- **cached**: the same request again, the stamp of the data checked on every request
  (``TRANSPARENCY_REFRESH_SECONDS=0``, the dearest cached case: the default 300 skips even that).

Each is repeated ``--repeat`` times (median kept), the answers taking turns so that whatever else
the machine does weighs on all alike. The baseline, measured in the same run, is ``/healthz``.
Prints a table, then one JSON line.

Run::

    createdb -h 127.0.0.1 -U postgres bench_transp
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_transp \\
        .venv/bin/python bench/transparency.py --proposals 100000
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

# Run as a script, this file's folder comes first on sys.path, where bench/http.py would shadow
# the standard library's ``http``: take the folder out, and put the repository in.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
sys.path.insert(0, os.path.dirname(_HERE))

from bench.loader import load, reuse  # noqa: E402
from promtel_fin import create_app  # noqa: E402
from promtel_fin.services.history import keyring  # noqa: E402

ANSWERS = (
    ("baseline /healthz", "/healthz"),
    ("map /transparencia", "/transparencia"),
    ("state /transparencia/07", "/transparencia/07"),
    ("CSV /datos/acuerdos.csv", "/datos/acuerdos.csv"),
    ("dictionary /datos/diccionario.csv", "/datos/diccionario.csv"),
    ("catalogue /datos/catalogo.json", "/datos/catalogo.json"),
    ("stats /api/v1/public/stats", "/api/v1/public/stats"),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get(
        "DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench_transp"))
    parser.add_argument("--proposals", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    began = time.monotonic()
    if reuse(args.url, args.proposals) is None:
        loaded = load(args.url, args.proposals, keyring())
        print(f"# {args.proposals:,} proposals loaded ({loaded.entries:,} history entries) in "
              f"{time.monotonic() - began:.0f} s", flush=True)
    else:
        print(f"# {args.proposals:,} proposals already loaded: reused", flush=True)
    app = create_app({"DATABASE_URL": args.url, "TRANSPARENCY_REFRESH_SECONDS": 0})
    client = app.test_client()
    cold: dict[str, list[float]] = {name: [] for name, _ in ANSWERS}
    cached: dict[str, list[float]] = {name: [] for name, _ in ANSWERS}
    sizes: dict[str, int] = {}
    for _round in range(args.repeat):
        for name, path in ANSWERS:
            app.extensions.pop("transparency_cache", None)      # as after a change of the data
            start = time.perf_counter()
            answer = client.get(path)
            cold[name].append(time.perf_counter() - start)
            assert answer.status_code == 200, (path, answer.status_code)
            sizes[name] = len(answer.data)
            start = time.perf_counter()
            again = client.get(path)
            cached[name].append(time.perf_counter() - start)
            assert again.status_code == 200 and again.data == answer.data, path
    base_cold = statistics.median(cold[ANSWERS[0][0]])
    base_cached = statistics.median(cached[ANSWERS[0][0]])
    rows = []
    print(f"{'answer':<36} {'bytes':>10} {'cold ms':>10} {'x base':>8} {'cached ms':>10} "
          f"{'x base':>8}")
    for name, _path in ANSWERS:
        c, k = statistics.median(cold[name]), statistics.median(cached[name])
        rows.append({"answer": name, "bytes": sizes[name], "cold_ms": round(c * 1000, 2),
                     "cold_ratio": round(c / base_cold, 1),
                     "cold_all_ms": [round(x * 1000, 1) for x in cold[name]],
                     "cached_ms": round(k * 1000, 2), "cached_ratio": round(k / base_cached, 1)})
        print(f"{name:<36} {sizes[name]:>10,} {c * 1000:>10.1f} {c / base_cold:>8.1f} "
              f"{k * 1000:>10.2f} {k / base_cached:>8.1f}")
    print(json.dumps({"proposals": args.proposals, "repeat": args.repeat,
                      "load_average": os.getloadavg()[0], "answers": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
