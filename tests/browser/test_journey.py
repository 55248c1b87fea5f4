"""In a real browser: three people take a proposal through the ten steps, in Spanish."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from promtel_fin.domain import efirma
from promtel_fin.domain.policy import DEFAULT_CHECKLIST
from promtel_fin.domain.workflow import Role

from ..efirma_helpers import pki
from ..factories import PASSWORD, PDF, SECOND_FOCIR, TERMS, Factory
from ..mailbox import Mailbox, deliver, mailbox_fixture  # noqa: F401  (fixture)
from .pages import open_page, sign_in_here

PAPERS = [item.kind for item in DEFAULT_CHECKLIST if "submit_proposal" in item.required_for]


def signed_in(chromium: Any, base: str, email: str, password: str = PASSWORD,
              **context: Any) -> Any:
    """Open a new browser context and sign in."""
    context.setdefault("viewport", {"width": 1100, "height": 900})
    page = open_page(chromium, base, **context)
    page.goto(f"{base}/login")
    sign_in_here(page, email, password)
    return page


def csp_violations(page: Any) -> list[str]:
    """Collect what the Content-Security-Policy blocks on this page from now on."""
    found: list[str] = []
    page.on("console", lambda message: found.append(message.text)
            if "Content Security Policy" in message.text else None)
    return found


def press(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def upload_papers(page: Any) -> None:
    """Upload a PDF for each paper of the checklist, each from its own form on the dossier."""
    for kind in PAPERS:
        item = page.locator(f"#document-{kind}")
        item.locator("input[type=file]").set_input_files(
            files=[{"name": f"{kind}.pdf", "mimeType": "application/pdf", "buffer": PDF}])
        item.get_by_role("button", name="Subir").click()
        page.wait_for_load_state()
        assert "queda en espera de revisión" in page.content()


def accept_papers(page: Any) -> None:
    """Accept each paper waiting for review, from its form on the dossier."""
    for kind in PAPERS:
        page.locator(f"#document-{kind}").get_by_role("button", name="Aceptar").click()
        page.wait_for_load_state()
    assert "9 de 9 documentos obligatorios aceptados." in page.content()


def fill_proposal(page: Any) -> None:
    page.fill("#summary", "Troncal de fibra de 15 km y red FTTH de 5 km para dos comunidades.")
    page.select_option("#technology", "ftth")
    page.fill("#localities-0-name", "Cuautitla")
    page.fill("#localities-0-inegi_key", "170270003")
    page.fill("#localities-0-population", "1850")
    page.select_option("#social_sites-0-kind", "school")
    page.fill("#social_sites-0-name", "Escuela Primaria Benito Juárez")
    page.fill("#requested_amount", "4500000")
    page.fill("#term_months", "40")
    page.fill("#grace_months", "6")
    page.select_option("#amortization_method", "level")
    page.select_option("#guarantees-0-kind", "real_estate")
    page.fill("#guarantees-0-value", "10000000")
    page.fill("#bureau_score", "690")
    page.fill("#report_date", (date.today() - timedelta(days=15)).isoformat())
    flows = [("2900000", "1200000", "4800000", "50000"), ("4000000", "1350000", "200000", "350000"),
             ("4300000", "1400000", "150000", "420000"), ("4500000", "1450000", "150000", "470000"),
             ("4700000", "1500000", "150000", "500000")]
    for i, row in enumerate(flows):
        for field, value in zip(("revenue", "opex", "capex", "taxes"), row, strict=True):
            page.fill(f"#cash_flows-{i}-{field}", value)


def test_three_people_take_a_proposal_through_the_ten_steps_in_spanish(
        live_server: str, chromium: Any, make: Factory, shoot: Any, tmp_path: Path,
        app: Flask, mailbox: Mailbox) -> None:
    base = live_server
    promtel_user, focir_user = make.user(Role.PROMTEL, name="Revisora"), make.user(Role.FOCIR)
    second_officer = make.user(Role.FOCIR, name="Supervisora")

    sme = chromium.new_context(viewport={"width": 1100, "height": 900}).new_page()
    blocked = csp_violations(sme)
    sme.goto(f"{base}/register")
    sme.fill("#email", "duena@telecom-sierra.mx")
    sme.fill("#password", "Maguey-Cobre-Brujula-88")
    sme.fill("#password_confirm", "Maguey-Cobre-Brujula-88")
    sme.fill("#company-legal_name", "Telecom de la Sierra, S.A. de C.V.")
    sme.fill("#company-rfc", "FMR180605CD1")
    sme.select_option("#company-state_code", "17")
    sme.fill("#company-municipality_key", "17027")
    shoot(sme, "register")
    press(sme, "Registrarme")
    assert sme.url.endswith("/login")            # registering does not sign in
    assert "Registro recibido" in sme.content()
    sign_in_here(sme, "duena@telecom-sierra.mx", "Maguey-Cobre-Brujula-88")
    assert sme.url.endswith("/dashboard")
    deliver(app)   # the address is confirmed with the link mailed to it, before submitting
    mailed = Mailbox.text(mailbox.to("duena@telecom-sierra.mx")[-1])
    link = re.search(r"/email-confirmation/[\w-]+", mailed)
    assert link is not None
    sme.goto(f"{base}{link.group(0)}")
    assert "Su correo está confirmado" in sme.content()
    sme.get_by_role("link", name="Iniciar una propuesta nueva").click()
    sme.fill("#title", "Fibra al hogar en Cuautitla")
    press(sme, "Crear la propuesta")
    fill_proposal(sme)
    press(sme, "Guardar borrador")
    assert "Guardó el borrador de la propuesta PF-" in sme.content()
    shoot(sme, "sme-proposal-form")
    proposal_url = re.sub(r"/edit.*$", "", sme.url)

    promtel = signed_in(chromium, base, promtel_user.email)
    promtel.goto(f"{base}/queue")
    shoot(promtel, "promtel-queue")
    promtel.get_by_role("link", name="Fibra al hogar en Cuautitla").click()
    press(promtel, "Atender el contacto")
    assert "Paso 2 de 10" in promtel.content()

    sme.goto(proposal_url)
    assert "Valor presente neto (VPN)" in sme.content()   # figures before submitting
    upload_papers(sme)
    shoot(sme, "sme-dossier-before-submitting")
    press(sme, "Enviar propuesta")
    promtel.goto(proposal_url)
    accept_papers(promtel)
    promtel.fill("#give_feedback-comment", "Detalle la demanda esperada por localidad.")
    press(promtel, "Dar retroalimentación")

    sme.goto(f"{proposal_url}/edit")
    sme.fill("#summary", "Red FTTH de 5 km; 600 hogares esperados en dos comunidades.")
    press(sme, "Guardar borrador")
    sme.goto(proposal_url)
    assert "Detalle la demanda esperada" in sme.content()   # feedback beside its revision
    press(sme, "Enviar actualización")

    promtel.goto(proposal_url)
    press(promtel, "Verificar")
    promtel.fill("#present_to_focir-comment", "PROMTEL respalda el proyecto.")
    press(promtel, "Presentar a FOCIR")

    focir = signed_in(chromium, base, focir_user.email)
    focir.goto(proposal_url)
    focir.fill("#give_feedback-comment", "Bancable; garantías suficientes.")
    press(focir, "Dar retroalimentación")

    promtel.goto(proposal_url)
    promtel.check("input[name=opinion][value=favourable]")
    promtel.fill("#give_opinion-comment", "Viable: flujos positivos desde el segundo año.")
    press(promtel, "Dar opinión")
    shoot(promtel, "promtel-dossier")

    focir.goto(proposal_url)
    press(focir, "Preparar la aprobación")
    press(focir, "Vista previa")
    assert "Vista previa: tabla de amortización" in focir.content()
    shoot(focir, "focir-decision")
    press(focir, "Aprobar")
    assert "Decisión en espera de un segundo funcionario de FOCIR" in focir.content()
    second = signed_in(chromium, base, second_officer.email)   # four eyes
    second.goto(proposal_url)
    press(second, "Confirmar la decisión")
    assert "Paso 10 de 10" in second.content()

    # Each signs with an e.firma in the browser: the .key is read by the page, never sent.
    key_file = tmp_path / "firma.key"
    key_file.write_bytes(efirma.encrypt_key_like_sat(pki().key, "12345678a"))
    sent: list[str] = []
    for page, rfc in ((sme, "FMR180605CD1"), (focir, focir_user.rfc)):
        cer = tmp_path / f"{rfc}.cer"
        cer.write_bytes(efirma.der(pki().certificate(rfc)))
        page.on("request", lambda request: sent.append(request.post_data_buffer or b""))
        page.goto(proposal_url)
        press(page, "Leer y firmar el convenio")
        page.set_input_files("#key-file", str(key_file))
        page.fill("#key-password", "12345678a")
        page.get_by_role("button", name="Firmar la cadena original").click()
        page.wait_for_function("document.getElementById('signature').value.length > 300")
        page.set_input_files("#certificate", str(cer))
        page.check("#accept")
        shoot(page, f"sign-{rfc}")
        press(page, "Firmar el convenio")
        assert "con su e.firma" in page.content()
    assert "Firmado" in focir.content()
    assert not any(b"12345678a" in body or key_file.read_bytes()[:64] in body for body in sent)
    sme.goto(f"{base}/dashboard")
    assert "esta propuesta está cerrada" in sme.content()
    shoot(sme, "sme-dashboard")
    assert blocked == []                         # the pages need nothing the policy forbids


def test_the_simulator_works_with_javascript_switched_off(live_server: str, chromium: Any,
                                                          shoot: Any) -> None:
    page = chromium.new_context(java_script_enabled=False).new_page()
    page.goto(live_server)
    shoot(page, "landing")
    page.fill("#amount", "10000000")
    page.fill("#term_months", "40")
    page.fill("#grace_months", "6")
    page.get_by_role("button", name="Simular").click()
    page.wait_for_load_state()
    content = page.content()
    assert "$338,964.95" in content and "$2,024,808.39" in content and "<svg" in content
    shoot(page, "simulator")


def test_a_validation_error_is_shown_beside_the_field(live_server: str, chromium: Any,
                                                      shoot: Any) -> None:
    page = chromium.new_page()
    page.goto(f"{live_server}/register")
    page.fill("#email", "no-es-correo")
    page.fill("#company-rfc", "ABC991399AB1")
    page.get_by_role("button", name="Registrarme").click()
    page.wait_for_load_state()
    assert page.locator("#email-error").inner_text() == "No es un correo electrónico válido."
    assert "no tiene una estructura válida" in page.locator("#company-rfc-error").inner_text()
    assert page.input_value("#company-rfc") == "ABC991399AB1"
    shoot(page, "validation-error")


def test_the_language_switch_shows_english_pages(live_server: str, chromium: Any,
                                                 shoot: Any) -> None:
    page = chromium.new_context().new_page()
    page.goto(live_server)
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "The ten steps" in page.content()
    page.goto(f"{live_server}/simulator?amount=4500000&term_months=40&grace_months=6")
    assert "VAT included" in page.content()
    shoot(page, "english")


@pytest.mark.parametrize("width", [360, 1280])
def test_main_pages_have_no_serious_accessibility_violations(
        live_server: str, chromium: Any, make: Factory, axe: Any, shoot: Any,
        width: int) -> None:
    """axe-core on every main page, on a phone and on a desktop (issue 12 §5)."""
    from promtel_fin.domain.workflow import State

    cast = make.cast()
    proposal = make.proposal(cast, at=State.FOCIR_DECISION)
    pending = make.proposal(cast, at=State.FOCIR_DECISION)
    make.act(pending.id, cast[Role.FOCIR], "approve", terms=TERMS)
    at_ten = make.proposal(cast, at=State.AGREEMENT)
    draft = make.proposal(cast, at=State.CONTACT)
    admin = make.user(Role.ADMIN)
    pages = {None: ["/", "/simulator?amount=4500000&term_months=40&grace_months=6",
                    "/register", "/login", "/privacidad", "/transparencia", "/password-reset"],
             cast[Role.SME]: ["/dashboard", f"/proposals/{proposal.id}",
                              f"/proposals/{draft.id}/edit", f"/proposals/{at_ten.id}/sign",
                              "/notifications"],
             cast[Role.PROMTEL]: ["/queue", f"/proposals/{proposal.id}",
                                  f"/proposals/{at_ten.id}"],
             cast[Role.FOCIR]: [f"/proposals/{proposal.id}/decision"],
             cast[SECOND_FOCIR]: [f"/proposals/{pending.id}/decision",
                                  f"/proposals/{pending.id}"],
             admin: ["/admin/users", "/admin/policy", "/account/password"]}
    found = {}
    for user, paths in pages.items():
        # axe-core is injected as an inline script, which the CSP rightly blocks: bypass it here.
        viewport = {"width": width, "height": 900}
        page = (signed_in(chromium, live_server, user.email, bypass_csp=True, viewport=viewport)
                if user else chromium.new_context(bypass_csp=True, viewport=viewport).new_page())
        for path in paths:
            response = page.goto(live_server + path)
            assert response is not None and response.status == 200, (path, response.status, user)
            name = f"{user.role if user else 'public'}{path}".replace("/", "-").split("?")[0]
            shoot(page, f"axe-{width}-{name}")
            violations = axe(page)
            if violations:
                found[f"{user.role if user else 'public'} {path}"] = violations
        page.context.close()
    assert found == {}, {path: [(v["id"], v["nodes"][:3]) for v in violations]
                         for path, violations in found.items()}
