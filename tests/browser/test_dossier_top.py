"""The dossier tells what matters first, and the approval previews the schedule and the DSCR
(issue 12 §2), on a 360-pixel phone and a 1280-pixel screen, without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest

from promtel_fin.domain.workflow import Role, State

from ..factories import SECOND_FOCIR, Factory
from .pages import DESKTOP, PHONE, open_page

SIZES = {360: PHONE, 1280: DESKTOP}


def _page(chromium: Any, base: str, user: Any, width: int) -> Any:
    """A page without JavaScript, signed in as ``user``."""
    return open_page(chromium, base, user, viewport=SIZES[width], java_script_enabled=False)


def _no_sideways_scroll(page: Any, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _cast_with_contact(make: Factory) -> dict:
    company = make.company(legal_name="Telecomunicaciones Comunitarias de la Sierra Norte, "
                                      "S.A.P.I. de C.V.",
                           legal_rep_name="Rosa Méndez Ortiz", contact_name="Luis Pérez",
                           contact_phone="+52 246 123 4567",
                           contact_email="contacto.largo@telecomunicaciones-sierra.mx")
    return make.cast(make.user(Role.SME, company=company))


@pytest.mark.parametrize("width", [360, 1280])
def test_the_top_of_the_dossier_shows_what_matters_first(
        live_server: str, chromium: Any, make: Factory, shoot: Any, width: int) -> None:
    cast = _cast_with_contact(make)
    proposal = make.proposal(cast, at=State.UPDATE, title="Fibra al hogar en Cuautitla y "
                             "Cuauchichinola (ampliación a Coatetelco)")
    page = _page(chromium, live_server, cast[Role.PROMTEL], width)
    page.goto(f"{live_server}/proposals/{proposal.id}")
    summary = page.locator("#summary")
    assert summary.is_visible()
    box = summary.bounding_box()
    assert box["y"] + box["height"] <= page.viewport_size["height"] * 1.6   # near the top
    words = summary.inner_text()
    for expected in (proposal.folio, "Paso 4 de 10: Actualización.", "Quién debe actuar ahora",
                     "PyME", "Fecha límite", "Afine la demanda por localidad."):
        assert expected in words, expected
    contact = page.locator("#contact")
    assert contact.is_visible() and "+52 246 123 4567" in contact.inner_text()
    assert page.locator("ol.path").is_visible()      # still open: the ten steps, after it
    _no_sideways_scroll(page, width)
    page.screenshot(path=str(_artifact(f"dossier-top-{width}")))
    shoot(page, f"dossier-top-full-{width}")
    page.context.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_a_signed_and_a_rejected_dossier_say_how_it_ended(
        live_server: str, chromium: Any, make: Factory, shoot: Any, width: int) -> None:
    cast = make.cast()
    signed = make.proposal(cast, at=State.SIGNED)
    rejected = make.proposal(cast, at=State.REJECTED)
    page = _page(chromium, live_server, cast[Role.SME], width)
    page.goto(f"{live_server}/proposals/{signed.id}")
    block = page.locator("#signed")
    assert block.is_visible() and "El convenio firmado" in block.inner_text()
    assert "certificado del SAT" in block.inner_text()
    assert page.locator("ol.path").count() == 0
    _no_sideways_scroll(page, width)
    page.screenshot(path=str(_artifact(f"dossier-signed-{width}")))
    page.goto(f"{live_server}/proposals/{rejected.id}")
    assert "Motivo del rechazo: Fuera de zona." in page.locator("#summary").inner_text()
    assert page.locator("ol.path").count() == 0
    _no_sideways_scroll(page, width)
    page.screenshot(path=str(_artifact(f"dossier-rejected-{width}")))
    page.context.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_the_approval_previews_the_schedule_and_the_dscr_without_javascript(
        live_server: str, chromium: Any, make: Factory, shoot: Any, width: int) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.FOCIR_DECISION)
    page = _page(chromium, live_server, cast[Role.FOCIR], width)
    page.goto(f"{live_server}/proposals/{proposal.id}/decision")
    assert page.input_value("#annual_rate") == "10" and page.input_value("#vat_rate") == "16"
    assert page.get_by_role("button", name="Aprobar", exact=True).count() == 0
    page.fill("#annual_rate", "10,0")
    page.get_by_role("button", name="Vista previa", exact=True).click()
    page.wait_for_load_state()
    preview = page.locator("#preview")
    assert preview.is_visible()
    text = preview.inner_text()
    assert "DSCR mínimo" in text and "Pago mensual" in text
    assert page.input_value("#annual_rate") == "10,0"          # what was typed stays
    _no_sideways_scroll(page, width)
    shoot(page, f"decision-preview-{width}")
    page.get_by_role("button", name="Aprobar", exact=True).click()
    page.wait_for_load_state()
    assert "Decisión en espera de un segundo funcionario de FOCIR" in page.content()
    page.context.close()
    second = _page(chromium, live_server, cast[SECOND_FOCIR], width)
    second.goto(f"{live_server}/proposals/{proposal.id}/decision")
    assert "10.00%" in second.content()                        # stored as the fraction 0.10
    second.context.close()


def _artifact(name: str) -> Any:
    from .conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"
