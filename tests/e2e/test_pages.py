"""The pages each kind of user works with, through the test client (no JavaScript)."""

from __future__ import annotations

import io
import re
from io import BytesIO

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from promtel_fin.domain.policy import DEFAULT_CHECKLIST
from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import Company, Proposal, User

from ..efirma_helpers import b64
from ..factories import PASSWORD, PDF, Factory, proposal_document
from .pages import post, sign_in, text


@pytest.mark.parametrize("lang", ["es", "en"])
def test_public_pages_render_in_both_languages(client: FlaskClient, lang: str) -> None:
    words = {"es": ("Los diez pasos", "Simulador de crédito", "Registre su empresa"),
             "en": ("The ten steps", "Loan simulator", "Register your company")}[lang]
    for path, expected in zip(("/", "/simulator", "/register"), words, strict=True):
        r = client.get(path, query_string={"lang": lang})
        assert r.status_code in (200, 422), path
        assert expected in text(r), path


def test_the_simulator_works_as_a_plain_get_form(client: FlaskClient) -> None:
    r = client.get("/simulator", query_string={"amount": "10000000", "term_months": 40,
                                               "grace_months": 6, "method": "level"})
    page = text(r)
    assert r.status_code == 200
    assert "$338,964.95" in page and "$96,666.66" in page and "$2,024,808.39" in page
    assert "<svg" in page and "<script" not in page


def test_the_simulator_opened_from_the_menu_shows_an_example_without_errors(
        client: FlaskClient) -> None:
    r = client.get("/simulator")
    assert r.status_code == 200
    assert 'value="4500000"' in text(r) and "Revise estos campos" not in text(r)


def test_the_simulator_keeps_what_was_typed_and_explains_errors(client: FlaskClient) -> None:
    r = client.get("/simulator", query_string={"amount": "mucho", "term_months": 48,
                                               "grace_months": 6, "method": "level"})
    page = text(r)
    assert r.status_code == 422
    assert 'value="mucho"' in page and 'value="48"' in page
    assert "Escriba el monto con dígitos" in page
    assert 'aria-invalid="true"' in page


def test_an_sme_registers_through_the_form(client: FlaskClient, session: Session) -> None:
    form = {"email": "ana@redes.mx", "name": "Ana", "password": "Cenote-Pinata-Grillo-58",
            "password_confirm": "Cenote-Pinata-Grillo-58", "company.legal_name": "Redes, S.A.",
            "company.rfc": "CSA190312AB2", "company.state_code": "07",
            "company.municipality_key": "07109"}
    bad = post(client, "/register", {**form, "company.rfc": "ABC991399AB1",
                                     "password_confirm": "otra"})
    assert bad.status_code == 422
    page = text(bad)
    assert "no tiene una estructura válida" in page and "no coinciden" in page
    assert 'value="ana@redes.mx"' in page and 'value="Redes, S.A."' in page
    assert session.scalars(select(Company)).all() == []
    good = post(client, "/register", form)
    assert good.status_code == 302 and good.headers["Location"] == "/login"
    assert "Registro recibido" in text(client.get("/login"))
    signed_in = post(client, "/login", {"email": "ana@redes.mx",
                                        "password": "Cenote-Pinata-Grillo-58"})
    assert signed_in.headers["Location"] == "/dashboard"
    assert "Mis propuestas" in text(client.get("/dashboard"))


def test_the_sme_dashboard_shows_each_proposal_and_what_comes_next(
        client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    make.proposal(cast, at=State.UPDATE)
    make.proposal(cast, at=State.AGREEMENT)
    sign_in(client, cast[Role.SME])
    page = text(client.get("/dashboard"))
    assert "Paso 4 de 10: Actualización." in page and "complete las secciones" in page
    assert "Paso 10 de 10: Convenio." in page and "firme el convenio" in page


def test_an_sme_creates_fills_and_submits_a_proposal(client: FlaskClient, make: Factory,
                                                     session: Session) -> None:
    cast = make.cast()
    sign_in(client, cast[Role.SME])
    r = post(client, "/proposals/new", {"title": "Red en la sierra"})
    assert r.status_code == 302
    proposal = session.scalars(select(Proposal)).one()
    edit = f"/proposals/{proposal.id}/edit"
    doc = proposal_document()
    form = {"version": "1", "title": "Red en la sierra", "summary": doc["summary"],
            "technology": "ftth", "requested_amount": "4500000", "term_months": "40",
            "grace_months": "6", "amortization_method": "level",
            "localities-0-name": "Cuautitla", "localities-0-population": "1850",
            "social_sites-0-kind": "school", "social_sites-0-name": "Primaria",
            "guarantees-0-kind": "real_estate", "guarantees-0-value": "10000000",
            "bureau_score": "690", "report_date": doc["credit_history"]["report_date"]}
    for i, flow in enumerate(doc["cash_flows"]):
        form.update({f"cash_flows-{i}-{k}": flow[k] for k in ("revenue", "opex", "capex",
                                                              "taxes")})
    bad = post(client, edit, {**form, "localities-0-population": "muchos",
                              "cash_flows-2-revenue": "-5"})
    assert bad.status_code == 422
    page = text(bad)
    assert 'id="localities-0-population-error"' in page and "El monto no puede ser negativo" in page
    assert 'value="muchos"' in page
    saved = post(client, edit, form)
    assert saved.status_code == 302
    session.expire_all()
    stored = session.get(Proposal, proposal.id)
    assert (stored.requested_amount, len(stored.cash_flows), stored.localities[0].population) == (
        4500000, 5, 1850)
    dossier = text(client.get(f"/proposals/{proposal.id}"))
    assert "Valor presente neto (VPN)" in dossier and "Elegibilidad" in dossier
    # PROMTEL acknowledges; the SME cannot submit before uploading its papers (named in
    # Spanish), uploads them from the dossier's forms, then submits from the dossier.
    current = make.act(proposal.id, cast[Role.PROMTEL], "acknowledge_contact")
    early = post(client, f"/proposals/{proposal.id}/actions",
                 {"action": "submit_proposal", "version": str(current.version)},
                 token_from=f"/proposals/{proposal.id}")
    assert early.status_code == 422 and "Falta el documento «Acta constitutiva»." in text(early)
    for item in DEFAULT_CHECKLIST:
        if "submit_proposal" in item.required_for:
            up = post(client, f"/proposals/{proposal.id}/documents",
                      {"kind": item.kind, "file": (BytesIO(PDF), f"{item.kind}.pdf")},
                      token_from=f"/proposals/{proposal.id}")
            assert up.status_code == 302, text(up)[:500]
    submitted = post(client, f"/proposals/{proposal.id}/actions",
                     {"action": "submit_proposal", "version": str(current.version)},
                     token_from=f"/proposals/{proposal.id}")
    assert submitted.status_code == 302
    session.expire_all()
    assert session.get(Proposal, proposal.id).state == "promtel_feedback"


def test_a_missing_comment_is_shown_next_to_the_action(client: FlaskClient,
                                                       make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    sign_in(client, cast[Role.PROMTEL])
    r = post(client, f"/proposals/{proposal.id}/actions",
             {"action": "give_feedback", "version": str(proposal.version), "comment": ""},
             token_from=f"/proposals/{proposal.id}")
    assert r.status_code == 422
    assert "Esta acción requiere un comentario." in text(r)


def test_focir_previews_the_schedule_then_confirms_the_approval(
        client: FlaskClient, make: Factory, session: Session) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.FOCIR_DECISION)
    sign_in(client, cast[Role.FOCIR])
    path = f"/proposals/{proposal.id}/decision"
    page = text(client.get(path))
    assert 'value="4500000.00"' in page and 'value="10"' in page   # rates as percentages
    terms = {"version": str(proposal.version), "amount": "4500000.00", "annual_rate": "10",
             "vat_rate": "16", "term_months": "40", "grace_months": "6", "method": "level"}
    outside = post(client, path, {**terms, "amount": "20000000", "confirm": "no"})
    assert outside.status_code == 422 and "supera el límite" in text(outside)
    preview = post(client, path, {**terms, "confirm": "no"})
    assert "Vista previa: tabla de amortización" in text(preview)
    previewed = re.search(r'name="previewed" value="([^"]+)"', text(preview))
    assert previewed
    session.expire_all()
    assert session.get(Proposal, proposal.id).state == "focir_decision"
    done = post(client, path, {**terms, "confirm": "yes", "comment": "Aprobado.",
                               "previewed": previewed.group(1)})
    assert done.status_code == 302
    session.expire_all()
    stored = session.get(Proposal, proposal.id)
    assert (stored.state, stored.pending_action) == ("focir_decision", "approve")  # four eyes


def test_signing_needs_the_box_ticked(client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.AGREEMENT)
    sign_in(client, cast[Role.SME])
    path = f"/proposals/{proposal.id}/sign"
    signed = make.efirma(proposal.id, cast[Role.SME])
    base = {"version": str(proposal.version), "terms_sha256": proposal.terms_sha256,
            "signature": b64(signed["signature"])}
    r = post(client, path, {**base, "certificate_file": (io.BytesIO(signed["certificate"]),
                                                         "firma.cer")})
    assert r.status_code == 422 and "Marque la casilla" in text(r)
    r = post(client, path, {**base, "accept": "yes",
                            "certificate_file": (io.BytesIO(signed["certificate"]), "firma.cer")})
    assert r.status_code == 302


def test_pages_authorize_every_user_and_record(client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_VERIFICATION)
    assert client.get(f"/proposals/{proposal.id}").status_code == 302   # to the sign-in page
    sign_in(client, make.user(Role.SME))                                  # another company
    r = client.get(f"/proposals/{proposal.id}")
    assert r.status_code == 404 and "No se encontró la propuesta" in text(r)
    client.post("/logout", data={"csrf_token": ""})
    with client.session_transaction() as s:
        s.clear()
    sign_in(client, cast[Role.FOCIR])
    assert client.get(f"/proposals/{proposal.id}").status_code == 404     # not yet presented
    assert client.get("/admin/users").status_code == 403
    with client.session_transaction() as s:
        s.clear()
    sign_in(client, cast[Role.PROMTEL])
    assert client.get(f"/proposals/{proposal.id}/edit").status_code == 403
    assert client.get(f"/proposals/{proposal.id}/decision").status_code == 403


def test_the_queue_filters_and_pages(client: FlaskClient, make: Factory) -> None:
    morelos = make.cast(make.user(Role.SME, company=make.company(state_code="17")))
    for _ in range(3):
        make.proposal(morelos, at=State.CONTACT)
    make.proposal(morelos, at=State.PROMTEL_FEEDBACK, requested_amount="900000.00")
    sign_in(client, morelos[Role.PROMTEL])

    def listed(query: str = "") -> int:
        row = r'<tr><td>PF-\d{4}-\d{5}</td><td><a href="/proposals/\d+">'
        return len(re.findall(row, text(client.get("/queue" + query))))

    assert listed() == 4
    assert listed("?step=3") == 1
    assert listed("?max_amount=1000000") == 1
    assert listed("?state_code=07") == 0
    assert client.get("/queue?step=99").status_code == 422


def test_an_administrator_manages_users_and_policy(client: FlaskClient, make: Factory,
                                                   session: Session) -> None:
    admin = make.user(Role.ADMIN)
    other = make.user(Role.PROMTEL)
    sign_in(client, admin)
    r = post(client, "/admin/users", {"do": "create", "email": "nuevo@promtel.mx",
                                      "name": "Nuevo", "role": "focir",
                                      "password": "Garza-Mezcal-Columpio-64"})
    assert r.status_code == 302
    assert session.scalar(select(User).where(User.email == "nuevo@promtel.mx")).role == "focir"
    post(client, "/admin/users", {"do": "deactivate", "user_id": str(other.id), "confirm": "yes"})
    post(client, "/admin/users", {"do": "role", "user_id": str(other.id), "role": "admin"})
    session.expire_all()
    assert (other.active, other.role) == (False, "admin")
    weak = post(client, "/admin/users", {"do": "create", "email": "x@y.mx", "role": "focir",
                                         "password": "corta"})
    assert weak.status_code == 422 and "al menos 12 caracteres" in text(weak)
    from datetime import date

    bad = post(client, "/admin/policy", {"effective_from": date.today().isoformat(),
                                         "max_term_months": "36", "max_grace_months": "40"})
    assert bad.status_code == 422
    ok = post(client, "/admin/policy", {"effective_from": date.today().isoformat(),
                                        "max_term_months": "36", "note": "Comité"})
    assert ok.status_code == 302
    assert "hasta 36" in text(client.get("/simulator"))


def test_a_user_changes_the_password(client: FlaskClient, make: Factory) -> None:
    user = make.user(Role.PROMTEL)
    sign_in(client, user)
    wrong = post(client, "/account/password", {"current_password": "no", "new_password":
                                               "Garza-Mezcal-Columpio-64",
                                               "confirm": "Garza-Mezcal-Columpio-64"})
    assert wrong.status_code == 422 and "La contraseña actual no es correcta." in text(wrong)
    common = post(client, "/account/password", {"current_password": PASSWORD,
                                                "new_password": "Contraseña2026!",
                                                "confirm": "Contraseña2026!"})
    assert common.status_code == 422 and "entre las más usadas" in text(common)
    ok = post(client, "/account/password", {"current_password": PASSWORD,
                                            "new_password": "Garza-Mezcal-Columpio-64",
                                            "confirm": "Garza-Mezcal-Columpio-64"})
    assert ok.status_code == 302


def test_the_schedule_downloads_from_the_dossier(client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast)
    sign_in(client, cast[Role.SME])
    r = client.get(f"/proposals/{proposal.id}/schedule.xlsx")
    assert r.status_code == 200 and r.data[:2] == b"PK"
    assert client.get(f"/proposals/{proposal.id}/schedule.pdf").status_code == 404


def test_the_dossier_shows_the_projection_and_compares_any_two_revisions(
        client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.UPDATE)
    make.act(proposal.id, cast[Role.SME], "submit_update")
    sign_in(client, cast[Role.PROMTEL])
    page = text(client.get(f"/proposals/{proposal.id}"))
    assert "$2,400,000.00" in page            # year 2 revenue of the projection
    assert 'id="compare-from"' in page
    compared = text(client.get(f"/proposals/{proposal.id}/revisions/compare?from=1&to=2"))
    assert "Sin diferencias." in compared


def test_an_unexpected_failure_shows_a_friendly_page_and_keeps_the_api_json(
        client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from promtel_fin.web import public

    client.application.config["PROPAGATE_EXCEPTIONS"] = False

    def broken() -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(public, "steps", broken)
    r = client.get("/")
    assert r.status_code == 500 and r.content_type.startswith("text/html")
    assert "Algo falló de nuestro lado; no se guardó nada." in text(r)
    assert "boom" not in text(r) and "Traceback" not in text(r)


HOSTILE = ["", "abc", "-1", "99999999999999999999", "1e309", "a\x00b", "x" * 6000]


def test_hostile_form_values_never_cause_a_server_error(client: FlaskClient,
                                                        make: Factory) -> None:
    """Does every form answer 4xx, never 500, to junk (on PostgreSQL too)?"""
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_VERIFICATION)
    decision = make.proposal(cast, at=State.FOCIR_DECISION)
    draft = make.proposal(cast)
    admin = make.user(Role.ADMIN)

    def check(user: User, path: str, fields: list[str], base: dict | None = None,
              token_from: str | None = None) -> None:
        with client.session_transaction() as s:
            s.clear()
        sign_in(client, user)
        for value in HOSTILE:
            data = {**(base or {}), **{f: value for f in fields}}
            r = post(client, path, data, token_from=token_from)
            assert r.status_code < 500, (path, value, r.status_code)

    check(cast[Role.PROMTEL], f"/proposals/{proposal.id}/actions",
          ["version", "reviewer_id", "comment", "reason", "opinion", "terms_sha256"],
          {"action": "verify"}, token_from=f"/proposals/{proposal.id}")
    check(cast[Role.FOCIR], f"/proposals/{decision.id}/decision",
          ["amount", "annual_rate", "term_months", "grace_months", "version"],
          {"confirm": "yes", "method": "level", "vat_rate": "0.16"})
    check(cast[Role.SME], f"/proposals/{draft.id}/edit",
          ["version", "title", "requested_amount", "term_months", "localities-0-population",
           "cash_flows-0-revenue", "bureau_score", "report_date"])
    check(admin, "/admin/users", ["user_id", "role"], {"do": "role"})
    check(admin, "/admin/policy", ["effective_from", "max_amount", "max_term_months",
                                   "haircut-real_estate"])
    for value in HOSTILE[:5]:
        assert client.get(f"/proposals/{draft.id}/revisions/compare",
                          query_string={"from": value, "to": value}).status_code < 500
        assert client.get("/queue", query_string={"step": value, "min_amount": value}
                          ).status_code < 500
        assert client.get("/proposals", query_string={
            k: value for k in ("q", "state", "step", "state_code", "technology", "overdue",
                               "mine", "cursor")}).status_code < 500
