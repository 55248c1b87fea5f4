"""Words people understand and actions that are safe (issue 12 §3, §5), in Chromium without
JavaScript at a phone's 360 pixels and a computer's 1280: the confirmation step of a
withdrawal, adding a row to the form, the error summary's links, and the charts' text."""

from __future__ import annotations

from typing import Any

import pytest

from promtel_fin.domain.workflow import Role, State

from ..factories import Factory
from .pages import DESKTOP, PHONE, open_page

SIZES = {"phone": PHONE, "desktop": DESKTOP}


def _page(chromium: Any, base: str, user: Any | None, size: str) -> Any:
    return open_page(chromium, base, user, viewport=SIZES[size], java_script_enabled=False)


def _not_sideways(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("size", SIZES)
def test_a_withdrawal_asks_on_its_own_page_with_a_red_button(
        live_server: str, chromium: Any, make: Factory, shoot: Any, size: str) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROPOSAL)
    page = _page(chromium, live_server, cast[Role.SME], size)
    page.goto(f"{live_server}/proposals/{proposal.id}")
    page.locator("#form-withdraw").locator("xpath=..").locator("summary").click()
    page.fill("#withdraw-comment", "Financiamiento propio.")
    withdraw = page.locator("#form-withdraw button")
    red = withdraw.evaluate("b => getComputedStyle(b).backgroundColor")
    assert red == "rgb(164, 22, 26)"
    withdraw.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name=f"¿Retirar la propuesta {proposal.folio}?"
                            ).is_visible()
    confirm = page.get_by_role("button", name=f"Sí, retirar la propuesta {proposal.folio}")
    assert confirm.evaluate("b => getComputedStyle(b).backgroundColor") == red
    assert confirm.bounding_box()["height"] >= 44
    _not_sideways(page)
    shoot(page, f"words-confirm-withdraw-{size}")
    page.get_by_role("link", name="Cancelar y volver").click()
    page.wait_for_load_state()
    assert "Retirar la propuesta" in page.content()           # nothing happened
    if not page.locator("#form-withdraw button").is_visible():   # the link may open it
        page.locator("#form-withdraw").locator("xpath=..").locator("summary").click()
    page.locator("#form-withdraw button").click()
    page.wait_for_load_state()
    page.get_by_role("button", name=f"Sí, retirar la propuesta {proposal.folio}").click()
    page.wait_for_load_state()
    assert f"Retiró la propuesta {proposal.folio}; su proceso terminó." in page.content()
    shoot(page, f"words-withdrawn-{size}")
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_row_is_added_without_javascript_and_errors_link_to_their_fields(
        live_server: str, chromium: Any, make: Factory, shoot: Any, size: str) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT, localities=[], social_sites=[])
    page = _page(chromium, live_server, cast[Role.SME], size)
    page.goto(f"{live_server}/proposals/{proposal.id}/edit")
    assert page.locator("input[name$='-name'][name^='localities-']").count() == 1
    page.fill("#localities-0-name", "Cuautitla")
    page.fill("#localities-0-population", "1850")
    page.fill("#summary", "Fibra para dos comunidades.")
    page.get_by_role("button", name="Agregar una localidad").click()
    page.wait_for_load_state()
    assert page.locator("input[name$='-name'][name^='localities-']").count() == 2
    assert page.input_value("#localities-0-name") == "Cuautitla"
    assert page.input_value("#summary") == "Fibra para dos comunidades."
    assert page.url.endswith("#localities-1-name")           # the new row is in view
    _not_sideways(page)
    shoot(page, f"words-row-added-{size}")
    page.fill("#localities-1-name", "Coatetelco")
    page.fill("#localities-1-population", "muchos")
    page.fill("#cash_flows-2-revenue", "abc")
    page.get_by_role("button", name="Guardar borrador", exact=True).click()
    page.wait_for_load_state()
    summary = page.locator(".summary")
    links = summary.get_by_role("link")
    assert links.count() == 2
    assert summary.get_by_role("link", name="Localidad 2: Habitantes:").count() == 1
    cash = summary.get_by_role("link", name="Flujos de efectivo, año 3: Ingresos:")
    cash.click()
    assert page.url.endswith("#cash_flows-2-revenue")
    assert page.locator("#cash_flows-2-revenue").is_visible()
    _not_sideways(page)
    shoot(page, f"words-form-errors-{size}")
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_chart_text_is_at_least_11_pixels(live_server: str, chromium: Any, shoot: Any,
                                          size: str) -> None:
    page = _page(chromium, live_server, None, size)
    page.goto(f"{live_server}/simulator?amount=10000000&term_months=40&grace_months=6")
    chart = page.locator("svg.chart").first
    chart.scroll_into_view_if_needed()
    sizes = chart.evaluate("""svg => [...svg.querySelectorAll('text')].map(t => {
        const box = t.getBoundingClientRect();
        return [t.textContent, parseFloat(getComputedStyle(t).fontSize), box.height];
    })""")
    assert sizes and all(font >= 11 and height >= 11 for _, font, height in sizes), sizes
    width = chart.bounding_box()["width"]
    assert width <= SIZES[size]["width"]
    assert page.locator("p.headline").inner_text().endswith("IVA incluido.")
    _not_sideways(page)
    shoot(page, f"words-simulator-{size}")
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_step_one_page_says_what_happens_next(live_server: str, chromium: Any,
                                                  make: Factory, shoot: Any, size: str) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT)
    page = _page(chromium, live_server, cast[Role.SME], size)
    page.goto(f"{live_server}/proposals/{proposal.id}")
    steps = page.locator("#next-steps")
    assert steps.get_by_role("heading", name="Qué sigue").is_visible()
    steps.get_by_role("link", name="Acta constitutiva").click()
    assert page.url.endswith("#document-articles_of_incorporation")
    _not_sideways(page)
    steps.scroll_into_view_if_needed()
    shoot(page, f"words-step-one-{size}")
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_deactivating_an_account_asks_on_its_own_page(live_server: str, chromium: Any,
                                                      make: Factory, shoot: Any,
                                                      size: str) -> None:
    admin, other = make.user(Role.ADMIN), make.user(Role.PROMTEL)
    page = _page(chromium, live_server, admin, size)
    page.goto(f"{live_server}/admin/users")
    row = page.locator("tr", has_text=other.email)
    button = row.get_by_role("button", name="Desactivar")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(164, 22, 26)"
    assert row.get_by_role("button", name="Cambiar rol").evaluate(
        "b => getComputedStyle(b).backgroundColor") != "rgb(164, 22, 26)"
    button.click()
    page.wait_for_load_state()
    confirm = page.get_by_role("button", name=f"Sí, desactivar {other.email}")
    assert confirm.is_visible()
    _not_sideways(page)
    shoot(page, f"words-confirm-deactivate-{size}")
    confirm.click()
    page.wait_for_load_state()
    assert f"Desactivó la cuenta de {other.email}" in page.content()
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_dossiers_charts_keep_legible_text(live_server: str, chromium: Any,
                                               make: Factory, shoot: Any, size: str) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.AGREEMENT)
    page = _page(chromium, live_server, cast[Role.PROMTEL], size)
    page.goto(f"{live_server}/proposals/{proposal.id}")
    charts = page.locator("svg.chart")
    assert charts.count() == 3
    for i in range(3):
        sizes = charts.nth(i).evaluate("""svg => [...svg.querySelectorAll('text')].map(t =>
            [t.textContent, parseFloat(getComputedStyle(t).fontSize),
             t.getBoundingClientRect().height])""")
        assert all(font >= 11 and height >= 11 for _, font, height in sizes), sizes
        words = [w for w, _, _ in sizes]
        assert "Pesos (M: millones)" in words
        assert "Año del proyecto" in words or "Año del préstamo" in words
    _not_sideways(page)
    charts.nth(2).scroll_into_view_if_needed()
    page.screenshot(path=f"tests/artifacts/words-dossier-charts-{size}.png")
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_comparison_and_the_policy_page_read_in_words(
        live_server: str, chromium: Any, make: Factory, shoot: Any, size: str) -> None:
    from promtel_fin.schemas import ProposalPatch
    from promtel_fin.services.proposals import update_proposal

    from ..factories import proposal_document

    cast = make.cast()
    proposal = make.proposal(cast, at=State.UPDATE)
    data = ProposalPatch().load({**proposal_document(requested_amount="1234567.00",
                                                     technology="fixed_wireless"),
                                 "version": proposal.version})
    data.pop("version")
    update_proposal(make.session, cast[Role.SME], proposal.id, proposal.version, data)
    make.act(proposal.id, cast[Role.SME], "submit_update")
    page = _page(chromium, live_server, cast[Role.PROMTEL], size)
    page.goto(f"{live_server}/proposals/{proposal.id}/revisions/compare?from=1&to=2")
    table = page.locator("main table")
    assert table.get_by_role("rowheader", name="Monto solicitado").is_visible()
    assert "$1,234,567.00" in table.inner_text() and "Inalámbrico fijo" in table.inner_text()
    _not_sideways(page)
    shoot(page, f"words-compare-{size}")
    page.context.close()
    admin = _page(chromium, live_server, cast[Role.ADMIN], size)
    admin.goto(f"{live_server}/admin/policy")
    field = admin.get_by_label("Préstamo máximo (pesos)")
    assert field.is_visible()
    assert "Lo más que una propuesta puede pedir" in admin.locator("#max_amount-help").inner_text()
    _not_sideways(admin)
    shoot(admin, f"words-policy-{size}")
    admin.context.close()
