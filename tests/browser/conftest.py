"""A live server on a free port and Debian's Chromium driven by Playwright.

Playwright's own browser download does not work here, so the tests launch the Chromium that
`.ci/run` installs from Debian (CHROMIUM_PATH overrides). Without it the tests are skipped,
unless REQUIRE_BROWSER=1 (set by .ci/run), when its absence is a failure.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/lib/chromium/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _missing(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serve the test app on 127.0.0.1 in a thread; give its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Launch Debian's Chromium headless once for the run."""
    if not Path(CHROMIUM).exists():
        _missing(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def shoot() -> object:
    """Save a full-page screenshot under tests/artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page: object, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]

    return take


@pytest.fixture
def axe() -> object:
    """Run axe-core (served from node_modules, no CDN) and give serious or critical violations."""
    if not AXE.exists():
        _missing("axe-core is not installed (npm ci --prefix tests/browser)")

    def check(page: object) -> list[dict]:
        page.add_script_tag(path=str(AXE))  # type: ignore[attr-defined]
        result = page.evaluate("async () => await axe.run(document)")  # type: ignore[attr-defined]
        return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                 "nodes": [n["target"] for n in v["nodes"]][:3]}
                for v in result["violations"] if v["impact"] in ("serious", "critical")]

    return check
