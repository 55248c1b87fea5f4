"""Benchmark: every main page on a first visit over a slow rural link, in headless Chromium.

The app runs in this process on a temporary SQLite database with the demo data. Each page is
loaded in a fresh browser context (empty cache) whose link Chromium throttles to 400 ms of
latency and 50 KB/s each way. The script prints, per page: bytes transferred, their gzip size
(what a compressing proxy would send), time to DOMContentLoaded and to load, and the ratios to
the budgets (100 KB compressed, usable within 3 s). The baseline, measured in the same run, is
the smallest page the app serves (its 404 page): the floor that latency alone sets. The last
line is one JSON object; the exit status is 1 when a page misses a budget.

Run: .venv/bin/python bench/pages.py   (needs Debian's chromium; CHROMIUM_PATH overrides)
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from alembic import command
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from promtel_fin import create_app
from promtel_fin.cli import alembic_config
from promtel_fin.db import get_session
from promtel_fin.demo import seed

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/lib/chromium/chromium")
LATENCY_MS, BYTES_PER_S = 400, 50 * 1024
BUDGET_BYTES, BUDGET_S = 100 * 1024, 3.0
USERS = {"sme": ("morelos@demo.pyme.mx", "Jicama-Bruma-Candil-31"),
         "promtel": ("revisor@demo.promtel.mx", "Nopal-Cometa-Guitarra-17"),
         "focir": ("oficial@demo.focir.mx", "Ocelote-Tinta-Viento-7"),
         "admin": ("admin@demo.promtel.mx", "Tejon-Milpa-Faro-81")}
PAGES = [
    ("baseline (404)", None, "/no-such-page"),
    ("landing", None, "/"),
    ("simulator result", None, "/simulator?amount=4500000&term_months=40&grace_months=6"),
    ("register", None, "/register"),
    ("sign in", None, "/login"),
    ("SME dashboard", "sme", "/dashboard"),
    ("SME proposal form", "sme", "/proposals/1/edit"),
    ("SME dossier", "sme", "/proposals/1"),
    ("PROMTEL queue", "promtel", "/queue"),
    ("PROMTEL dossier", "promtel", "/proposals/5"),
    ("FOCIR decision", "focir", "/proposals/9/decision"),
    ("admin users", "admin", "/admin/users"),
    ("admin policy", "admin", "/admin/policy"),
]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def serve() -> tuple[str, object]:
    """Start the app on a demo database; give its URL and the server."""
    folder = Path(tempfile.mkdtemp(prefix="promtel-bench-"))
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    command.upgrade(alembic_config(url), "head")
    app = create_app({"DATABASE_URL": url, "SIMULATOR_RATE_LIMIT": "10000 per minute",
                      "LOGIN_FAILURES_PER_ADDRESS": "1000 per minute"})
    with app.app_context():
        list(seed(get_session()))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def measure(browser: object, base: str, role: str | None, path: str) -> dict[str, object]:
    """Load one page on a cold cache over the throttled link."""
    context = browser.new_context()  # type: ignore[attr-defined]
    if role:  # sign in on a fast link first; the cache is cleared before measuring
        page = context.new_page()
        page.goto(base + "/login")
        page.fill("#email", USERS[role][0])
        page.fill("#password", USERS[role][1])
        page.locator("main button[type=submit]").click()
        page.wait_for_load_state()
        page.close()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.clearBrowserCache")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": LATENCY_MS, "downloadThroughput": BYTES_PER_S,
        "uploadThroughput": BYTES_PER_S})
    responses: list[object] = []
    page.on("response", lambda response: responses.append(response))
    start = time.perf_counter()
    page.goto(base + path, wait_until="domcontentloaded")
    dom_s = time.perf_counter() - start
    page.wait_for_load_state("load")
    load_s = time.perf_counter() - start
    raw = compressed = 0
    for response in responses:   # read after the load, while the page is still open
        sizes = response.request.sizes()  # type: ignore[attr-defined]
        raw += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        compressed += len(gzip.compress(response.body())) + sizes["responseHeadersSize"]  # type: ignore[attr-defined]
    context.close()
    return {"bytes": raw, "gzip_bytes": compressed, "dom_s": round(dom_s, 3),
            "load_s": round(load_s, 3), "requests": len(responses)}


def main() -> int:
    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM}", file=sys.stderr)
        return 2
    base, server = serve()
    rows = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, role, path in PAGES:
            rows[name] = measure(browser, base, role, path)
        browser.close()
    server.shutdown()  # type: ignore[attr-defined]
    floor = rows["baseline (404)"]["load_s"]
    print(f"link: {LATENCY_MS} ms latency, {BYTES_PER_S // 1024} KB/s; budgets "
          f"{BUDGET_BYTES // 1024} KB compressed, {BUDGET_S:.0f} s")
    print(f"{'page':<20}{'bytes':>9}{'gzip':>8}{'req':>5}{'DOM s':>8}{'load s':>8}"
          f"{'KB/budget':>11}{'s/budget':>10}{'x floor':>9}")
    ok = True
    for name, row in rows.items():
        byte_ratio = row["gzip_bytes"] / BUDGET_BYTES
        time_ratio = row["load_s"] / BUDGET_S
        row.update(bytes_vs_budget=round(byte_ratio, 3), time_vs_budget=round(time_ratio, 3),
                   time_vs_baseline=round(row["load_s"] / floor, 2))
        ok &= byte_ratio <= 1 and time_ratio <= 1
        print(f"{name:<20}{row['bytes']:>9,}{row['gzip_bytes']:>8,}{row['requests']:>5}"
              f"{row['dom_s']:>8.2f}{row['load_s']:>8.2f}{byte_ratio:>11.2f}{time_ratio:>10.2f}"
              f"{row['time_vs_baseline']:>9.2f}")
    print(json.dumps({"latency_ms": LATENCY_MS, "bytes_per_s": BYTES_PER_S, "pages": rows,
                      "all_within_budget": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
