"""No page scrolls sideways on a 360-pixel phone, and the header folds into a menu that opens
without JavaScript (issue 12 §1). The tour covers every kind of page with real content: a
proposal at step 10 (the dossier with its schedule and charts, the edit form, the signing page
with its cadena original), the queue, the decision page, the portal and the admin pages."""

from __future__ import annotations

from typing import Any

from promtel_fin.domain.workflow import Role, State

from ..factories import Factory
from .pages import DESKTOP, PHONE, open_page


def _page(chromium: Any, base: str, user: Any | None, javascript: bool = True) -> Any:
    return open_page(chromium, base, user, viewport=PHONE, java_script_enabled=javascript)


def _sideways(page: Any, url: str) -> int:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    return page.evaluate("document.documentElement.scrollWidth")


def test_no_page_of_the_tour_scrolls_sideways_at_360_pixels(
        live_server: str, chromium: Any, make: Factory, shoot: Any) -> None:
    cast = make.cast()
    at_ten = make.proposal(cast, at=State.AGREEMENT, title="Fibra al hogar en Cuautitla y "
                           "Cuauchichinola (ampliación a Coatetelco)")
    decision = make.proposal(cast, at=State.FOCIR_DECISION)
    draft = make.proposal(cast, at=State.CONTACT)
    tour = {
        None: ["/", "/simulator?amount=10000000&term_months=40&grace_months=6", "/register",
               "/login", "/privacidad", "/transparencia", "/password-reset"],
        Role.SME: ["/dashboard", f"/proposals/{at_ten.id}", f"/proposals/{draft.id}/edit",
                   f"/proposals/{at_ten.id}/sign", "/notifications"],
        Role.PROMTEL: ["/queue", "/proposals", f"/proposals/{at_ten.id}",
                       f"/proposals/{decision.id}", f"/proposals/{at_ten.id}?history_until=3",
                       f"/proposals/{at_ten.id}/revisions/compare?from=1&to=2"],
        Role.FOCIR: ["/queue", f"/proposals/{decision.id}/decision"],
        Role.ADMIN: ["/admin/users", "/admin/policy"],
    }
    wide = []
    for role, urls in tour.items():
        page = _page(chromium, live_server, cast[role] if role else None)
        for url in urls:
            width = _sideways(page, live_server + url)
            if width > PHONE["width"]:
                wide.append((url, width))
                shoot(page, f"phone-too-wide-{url.strip('/').replace('/', '-') or 'home'}")
        page.context.close()
    assert wide == []


def test_the_header_folds_into_a_menu_that_opens_without_javascript(
        live_server: str, chromium: Any, make: Factory) -> None:
    sme = make.user(Role.SME)
    page = _page(chromium, live_server, sme, javascript=False)
    page.goto(f"{live_server}/dashboard")
    menu = page.locator("details.menu")
    assert menu.is_visible() and not page.locator("nav.wide").is_visible()
    link = menu.get_by_role("link", name="Mis propuestas")
    assert not link.is_visible()
    summary = menu.locator("summary")
    assert summary.bounding_box()["height"] >= 44          # a touch target
    summary.click()
    assert link.is_visible() and link.bounding_box()["height"] >= 44
    page.context.close()
    desktop = open_page(chromium, live_server, viewport=DESKTOP)
    desktop.goto(live_server)
    assert desktop.locator("nav.wide").is_visible() and not desktop.locator(
        "details.menu").is_visible()
    desktop.context.close()


# What a finger presses: buttons, fields, the menu, and the links that act like buttons.
TARGETS = ("button:visible, select:visible, summary:visible, "
           "input:visible:not([type=checkbox]):not([type=radio]):not([type=hidden]), "
           "a.button:visible")


def test_touch_targets_are_at_least_44_pixels_high_on_a_phone(
        live_server: str, chromium: Any, make: Factory) -> None:
    cast = make.cast()
    at_ten = make.proposal(cast, at=State.AGREEMENT)
    decision = make.proposal(cast, at=State.FOCIR_DECISION)
    draft = make.proposal(cast, at=State.CONTACT)
    tour = {
        None: ["/", "/simulator", "/register", "/login"],
        Role.SME: [f"/proposals/{draft.id}/edit", f"/proposals/{at_ten.id}/sign"],
        Role.PROMTEL: [f"/proposals/{decision.id}"],
        Role.FOCIR: [f"/proposals/{decision.id}/decision"],
        Role.ADMIN: ["/admin/users"],
    }
    small = []
    for role, urls in tour.items():
        page = _page(chromium, live_server, cast[role] if role else None)
        for url in urls:
            page.goto(live_server + url)
            for handle in page.locator(TARGETS).element_handles():
                box = handle.bounding_box()
                if box and box["height"] < 44:
                    small.append((url, handle.evaluate("e => e.outerHTML.slice(0, 80)"),
                                  round(box["height"])))
        page.context.close()
    assert small == []
