"""The dossier (with its schedule) and the simulator print cleanly on A4 and on Letter, without
navigation or forms, and nothing runs past the paper's width (issue 12 §5)."""

from __future__ import annotations

from typing import Any

import pytest

from promtel_fin.domain.workflow import Role, State

from ..factories import Factory
from .pages import open_page

# The printable width at 96 px per inch with the stylesheet's 12 mm side margins (@page).
PAPERS = {"A4": round((210 - 24) / 25.4 * 96), "Letter": round((215.9 - 24) / 25.4 * 96)}
HIDDEN = "header, footer, nav, form, details.menu, button"


@pytest.mark.parametrize("paper", sorted(PAPERS))
def test_the_dossier_and_the_simulator_print_on_the_paper(
        live_server: str, chromium: Any, make: Factory, shoot: Any, paper: str) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.AGREEMENT)
    width = PAPERS[paper]
    page = open_page(chromium, live_server, cast[Role.SME],
                     viewport={"width": width, "height": 1000})
    for url in (f"/proposals/{proposal.id}",
                "/simulator?amount=10000000&term_months=40&grace_months=6"):
        response = page.goto(live_server + url)
        assert response is not None and response.status == 200, url
        page.emulate_media(media="print")
        shown = [e.evaluate("e => e.tagName + '.' + e.className")
                 for e in page.locator(HIDDEN).element_handles() if e.is_visible()]
        assert shown == [], (url, shown)
        assert page.locator("main table").first.is_visible()   # the schedule is printed
        assert page.evaluate("document.documentElement.scrollWidth") <= width, url
        pdf = page.pdf(format=paper, print_background=False)
        assert pdf.startswith(b"%PDF-") and pdf.count(b"/Type /Page") >= 1
        shoot(page, f"print-{paper}-{url.strip('/').split('?')[0].replace('/', '-')}")
        page.emulate_media(media="screen")
    page.context.close()
