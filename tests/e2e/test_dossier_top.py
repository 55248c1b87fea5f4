"""Issue 12 §2: the dossier tells what matters first; the approval previews the schedule and the
DSCR; rates are typed as percentages on every form (the JSON API keeps fractions)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from babel.dates import format_date, format_datetime
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import HistoryEntry, Proposal
from promtel_fin.services.deadlines import MEXICO_CITY, deadline
from promtel_fin.services.policy import current_policy

from ..factories import SECOND_FOCIR, Factory
from .pages import post, sign_in, text


def _top(page: str) -> str:
    """The summary block: from the h1 to the end of its section."""
    start = page.index("<h1>")
    return page[start:page.index("</section>", page.index('id="summary"')) + 10]


def test_the_summary_comes_first_with_folio_step_who_acts_due_date_and_the_latest_feedback(
        client: FlaskClient, make: Factory, session: Session) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.UPDATE)
    sign_in(client, cast[Role.SME])
    page = text(client.get(f"/proposals/{proposal.id}"))
    top = _top(page)
    due = deadline(proposal, current_policy(session))
    assert due is not None
    assert proposal.folio in top and proposal.company.legal_name in top
    assert "Paso 4 de 10: Actualización." in top
    assert re.search(r'id="summary-who">PyME', top)
    assert format_date(due.due_date, "long", locale="es") in top and "vencido" not in top
    assert "Afine la demanda por localidad." in top          # PROMTEL's feedback, at the top
    assert "Motivo del rechazo" not in top
    # ... before the actions, the documents and the timeline, where it used to be found.
    summary, timeline = page.index('id="summary"'), page.index("<h2>Cronología</h2>")
    assert summary < page.index('id="what-now"') < timeline
    assert page.index('class="path"') > summary          # the ten steps still show, after it


def test_an_overdue_step_says_by_how_many_working_days(
        client: FlaskClient, make: Factory, session: Session) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    long_ago = datetime.now(UTC) - timedelta(days=90)
    session.execute(update(Proposal).where(Proposal.id == proposal.id)
                    .values(state_entered_at=long_ago))
    session.commit()
    sign_in(client, cast[Role.PROMTEL])
    top = _top(text(client.get(f"/proposals/{proposal.id}")))
    late = deadline(session.get(Proposal, proposal.id), current_policy(session))
    assert late is not None and late.overdue
    assert f"vencido por {late.working_days_late} días hábiles" in top


def test_the_latest_word_of_a_reviewer_is_the_one_on_top(
        client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_OPINION)
    sign_in(client, cast[Role.SME])
    top = _top(text(client.get(f"/proposals/{proposal.id}")))
    assert "Bancable." in top and "Afine la demanda" not in top


def test_a_rejected_proposal_says_why_on_top_and_shows_no_path(
        client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.REJECTED)
    sign_in(client, cast[Role.SME])
    page = text(client.get(f"/proposals/{proposal.id}"))
    top = _top(page)
    assert "Motivo del rechazo:</strong> Fuera de zona." in top
    assert "Rechazada" in top or "Rechazado" in top
    assert 'class="path"' not in page and "Fecha límite" not in top


def test_a_rejection_confirmed_by_a_second_officer_gives_its_reason_on_top(
        client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.FOCIR_DECISION)
    make.act(proposal.id, cast[Role.FOCIR], "reject", reason="Flujos insuficientes.")
    make.act(proposal.id, cast[SECOND_FOCIR], "confirm_decision")
    sign_in(client, cast[Role.SME])
    top = _top(text(client.get(f"/proposals/{proposal.id}")))
    assert "Motivo del rechazo:</strong> Flujos insuficientes." in top


@pytest.mark.parametrize("at", [State.WITHDRAWN, State.SIGNED])
def test_finished_proposals_show_no_path(client: FlaskClient, make: Factory, at: State) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=at)
    sign_in(client, cast[Role.SME])
    page = text(client.get(f"/proposals/{proposal.id}"))
    assert 'class="path"' not in page and "Los diez pasos" not in page


def test_the_path_shows_while_the_proposal_is_open(client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.AGREEMENT)
    sign_in(client, cast[Role.SME])
    assert 'class="path"' in text(client.get(f"/proposals/{proposal.id}"))


def test_after_signing_the_dossier_summarizes_the_terms_conditions_and_signatures(
        client: FlaskClient, make: Factory, session: Session) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.FOCIR_DECISION)
    terms = {"amount": "4000000.00", "annual_rate": "0.10", "vat_rate": "0.16",
             "term_months": 36, "grace_months": 3, "method": "level"}
    make.act(proposal.id, cast[Role.FOCIR], "approve", terms=terms,
             comment="Seguro de los equipos vigente.")
    make.act(proposal.id, cast[SECOND_FOCIR], "confirm_decision")
    make.act(proposal.id, cast[Role.SME], "sign")
    make.act(proposal.id, cast[Role.FOCIR], "sign")
    signed = session.get(Proposal, proposal.id)
    session.refresh(signed)
    assert signed.state == "signed"
    sign_in(client, cast[Role.SME])
    page = text(client.get(f"/proposals/{proposal.id}"))
    block = page[page.index('id="signed"'):page.index("</section>", page.index('id="signed"'))]
    assert page.index('id="summary"') < page.index('id="signed"')
    for words in ("El convenio firmado", "$4,000,000.00", "36 meses", "3 meses", "10.00%",
                  "16%", "Seguro de los equipos vigente."):
        assert words in block, words
    assert len(signed.signatures) == 2
    for s in signed.signatures:
        assert s.signer_name and s.signer_name in block
        assert f"RFC {s.rfc}" in block and s.certificate_number in block
        assert format_datetime(s.signed_at, "d MMM y, HH:mm", tzinfo=MEXICO_CITY,
                               locale="es") in block


def test_no_signed_summary_before_both_parties_sign(client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.AGREEMENT)
    make.act(proposal.id, cast[Role.SME], "sign")
    sign_in(client, cast[Role.SME])
    assert 'id="signed"' not in text(client.get(f"/proposals/{proposal.id}"))


def _company_with_contact(make: Factory) -> dict:
    company = make.company(legal_rep_name="Rosa Méndez Ortiz", contact_name="Luis Pérez",
                           contact_phone="+52 246 123 4567",
                           contact_email="contacto@telerural.mx")
    return make.cast(make.user(Role.SME, company=company))


@pytest.mark.parametrize("role", [Role.PROMTEL, Role.FOCIR, Role.ADMIN])
def test_reviewers_see_the_applicants_contact(client: FlaskClient, make: Factory,
                                             role: Role) -> None:
    cast = _company_with_contact(make)
    proposal = make.proposal(cast, at=State.PROMTEL_OPINION)
    sign_in(client, cast[role])
    page = text(client.get(f"/proposals/{proposal.id}"))
    block = page[page.index('id="contact"'):page.index("</section>", page.index('id="contact"'))]
    assert "Contacto del solicitante" in block and "Rosa Méndez Ortiz" in block
    assert "Luis Pérez" in block
    assert 'href="tel:+522461234567"' in block and "+52 246 123 4567" in block
    assert 'href="mailto:contacto@telerural.mx"' in block


def test_the_contact_block_is_not_for_smes(client: FlaskClient, make: Factory) -> None:
    cast = _company_with_contact(make)
    proposal = make.proposal(cast, at=State.PROMTEL_OPINION)
    sign_in(client, cast[Role.SME])
    page = text(client.get(f"/proposals/{proposal.id}"))
    assert 'id="contact"' not in page and "+52 246 123 4567" not in page
    other = make.user(Role.SME)        # another company's SME cannot open the dossier at all
    with client.session_transaction() as s:
        s.clear()
    sign_in(client, other)
    r = client.get(f"/proposals/{proposal.id}")
    assert r.status_code == 404 and "+52 246 123 4567" not in text(r)


def test_a_company_without_contact_details_shows_dashes(client: FlaskClient,
                                                        make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    sign_in(client, cast[Role.PROMTEL])
    page = text(client.get(f"/proposals/{proposal.id}"))
    block = page[page.index('id="contact"'):page.index("</section>", page.index('id="contact"'))]
    assert block.count("—") == 4 and "tel:" not in block


# The decision: rates as percentages, the preview, and approving only what was previewed.

TERMS = {"amount": "4500000.00", "annual_rate": "10", "vat_rate": "16", "term_months": "40",
         "grace_months": "6", "method": "level"}


def _decision(client: FlaskClient, make: Factory) -> tuple[dict, Proposal, str]:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.FOCIR_DECISION)
    sign_in(client, cast[Role.FOCIR])
    return cast, proposal, f"/proposals/{proposal.id}/decision"


def test_the_decision_form_shows_rates_as_percentages(client: FlaskClient,
                                                      make: Factory) -> None:
    _cast, _proposal, path = _decision(client, make)
    page = text(client.get(path))
    assert 'id="annual_rate" name="annual_rate" type="text" value="10"' in page
    assert 'id="vat_rate" name="vat_rate" type="text" value="16"' in page
    assert "Tasa anual (%)" in page and "0.10" not in page
    assert "Vista previa" in page and 'value="yes"' not in page   # no approval before a preview


def test_the_preview_shows_the_schedule_and_the_dscr_and_changes_nothing(
        client: FlaskClient, make: Factory, session: Session) -> None:
    _cast, proposal, path = _decision(client, make)
    before = (proposal.state, proposal.version)
    entries = session.query(HistoryEntry).filter_by(proposal_id=proposal.id).count()
    r = post(client, path, {**TERMS, "version": str(proposal.version), "confirm": "no"})
    page = text(r)
    assert r.status_code == 200
    preview = page[page.index('id="preview"'):]
    assert "Vista previa: tabla de amortización y cobertura con estos términos" in preview
    assert "Pago mensual: $152,534.23" in preview and "IVA de los intereses: $" in preview
    assert "<th scope=\"col\" class=\"num\">IVA</th>" in preview     # VAT per instalment
    assert preview.count("<tr><td>") == 12                       # the first twelve months
    assert "Los primeros 12 de 40 meses" in preview and "Total" in preview
    assert "DSCR mínimo:" in preview and "la política pide" in preview
    assert 'name="confirm" value="yes"' in page and ">Aprobar<" in page
    assert 'value="10"' in page and 'value="16"' in page            # what was typed stays
    session.expire_all()
    stored = session.get(Proposal, proposal.id)
    assert (stored.state, stored.version) == before and stored.pending_action is None
    assert session.query(HistoryEntry).filter_by(proposal_id=proposal.id).count() == entries


def test_approve_applies_the_previewed_terms(client: FlaskClient, make: Factory,
                                             session: Session) -> None:
    _cast, proposal, path = _decision(client, make)
    form = {**TERMS, "version": str(proposal.version)}
    page = text(post(client, path, {**form, "confirm": "no"}))
    previewed = re.search(r'name="previewed" value="([^"]+)"', page)
    assert previewed
    done = post(client, path, {**form, "confirm": "yes", "previewed": previewed.group(1)},
                token_from=path)
    assert done.status_code == 302
    session.expire_all()
    stored = session.get(Proposal, proposal.id)
    assert stored.pending_action == "approve"
    assert stored.pending_terms["annual_rate"] in ("0.1", "0.10", "0.100000")
    assert stored.pending_terms["vat_rate"] in ("0.16", "0.160000")


def test_approve_with_terms_changed_after_the_preview_shows_them_first(
        client: FlaskClient, make: Factory, session: Session) -> None:
    _cast, proposal, path = _decision(client, make)
    form = {**TERMS, "version": str(proposal.version)}
    page = text(post(client, path, {**form, "confirm": "no"}))
    previewed = re.search(r'name="previewed" value="([^"]+)"', page).group(1)
    changed = post(client, path, {**form, "amount": "4000000.00", "confirm": "yes",
                                  "previewed": previewed})
    assert changed.status_code == 200
    assert "Los términos cambiaron desde la última vista previa" in text(changed)
    assert "$4,000,000.00" in text(changed)
    session.expire_all()
    assert session.get(Proposal, proposal.id).pending_action is None


@pytest.mark.parametrize("typed", ["10", "10.0", "10,0", "10 %", "10.0000"])
def test_the_rate_is_read_as_a_percentage(client: FlaskClient, make: Factory,
                                          typed: str) -> None:
    _cast, proposal, path = _decision(client, make)
    r = post(client, path, {**TERMS, "annual_rate": typed, "version": str(proposal.version),
                            "confirm": "no"})
    assert r.status_code == 200, typed
    assert 'id="preview"' in text(r)


@pytest.mark.parametrize(("typed", "words"), [
    ("abc", "Escriba la tasa como porcentaje; por ejemplo, 10 o 10.5"),
    ("0.10%%", "Escriba la tasa como porcentaje"),
    ("-10", "Escriba la tasa como porcentaje"),
    ("10.12345", "cuatro decimales como máximo"),
    ("100.0001", "La tasa es un porcentaje de 0 a 100."),
    ("101", "La tasa es un porcentaje de 0 a 100."),
])
def test_a_rate_that_is_not_a_percentage_is_refused_in_spanish(
        client: FlaskClient, make: Factory, session: Session, typed: str, words: str) -> None:
    _cast, proposal, path = _decision(client, make)
    r = post(client, path, {**TERMS, "annual_rate": typed, "version": str(proposal.version),
                            "confirm": "yes", "previewed": "x"})
    page = text(r)
    assert r.status_code == 422 and words in page, typed
    assert f'value="{typed}"' in page and 'aria-invalid="true"' in page
    assert 'id="preview"' not in page
    session.expire_all()
    assert session.get(Proposal, proposal.id).pending_action is None


@pytest.mark.parametrize(("typed", "ok"), [
    ("10", True),          # exactly the policy's rate
    ("10.0001", False),    # one unit (of the last decimal a rate may have) past it
    ("9.9999", False),
    ("10.5", False), ("10,5", False),
])
def test_the_decision_holds_the_rate_to_the_policys(client: FlaskClient, make: Factory,
                                                    typed: str, ok: bool) -> None:
    _cast, proposal, path = _decision(client, make)
    r = post(client, path, {**TERMS, "annual_rate": typed, "version": str(proposal.version),
                            "confirm": "no"})
    page = text(r)
    if ok:
        assert r.status_code == 200 and 'id="preview"' in page
    else:
        typed_as = typed.replace(",", ".")
        assert r.status_code == 422
        assert f"La tasa anual {typed_as} % difiere de la tasa de la política 10 %." in page
        assert 'id="preview"' not in page and f'value="{typed}"' in page


def test_the_percentage_limits_exactly_at_100_and_one_unit_past(client: FlaskClient,
                                                               make: Factory) -> None:
    sign_in(client, make.user(Role.FOCIR))   # staff may try other rates in the simulator
    base = {"amount": "1000000", "term_months": 12, "grace_months": 0, "method": "level",
            "vat_rate": "16"}
    at_limit = client.get("/simulator", query_string={**base, "annual_rate": "100"})
    assert at_limit.status_code == 200 and "Su pago mensual" in text(at_limit)
    past = client.get("/simulator", query_string={**base, "annual_rate": "100.0001"})
    assert past.status_code == 422 and "La tasa es un porcentaje de 0 a 100." in text(past)
    decimals = client.get("/simulator", query_string={**base, "annual_rate": "10.1234"})
    assert decimals.status_code == 200
    five = client.get("/simulator", query_string={**base, "annual_rate": "10.12345"})
    assert five.status_code == 422 and "cuatro decimales como máximo" in text(five)


def test_the_simulator_reads_percentages_with_a_point_or_a_comma(
        client: FlaskClient, make: Factory) -> None:
    sign_in(client, make.user(Role.PROMTEL))
    page = text(client.get("/simulator"))
    assert 'name="annual_rate" type="text" value="10"' in page
    assert 'name="vat_rate" type="text" value="16"' in page
    base = {"amount": "1000000", "term_months": 12, "grace_months": 0, "method": "level",
            "vat_rate": "16"}
    point = text(client.get("/simulator", query_string={**base, "annual_rate": "10.5"}))
    comma = text(client.get("/simulator", query_string={**base, "annual_rate": "10,5"}))
    ten = text(client.get("/simulator", query_string={**base, "annual_rate": "10"}))
    amounts = re.compile(r"Su pago mensual desde el mes \d+: (\$[\d,.]+)")
    assert amounts.search(point).group(1) == amounts.search(comma).group(1)
    assert amounts.search(point).group(1) != amounts.search(ten).group(1)


def test_the_api_keeps_fractions(client: FlaskClient, make: Factory) -> None:
    user = make.user(Role.FOCIR)
    loan = {"amount": "1000000.00", "term_months": 12, "grace_months": 0, "method": "level"}
    ok = client.post("/api/v1/simulations/loan", json={**loan, "annual_rate": "0.105"},
                     headers=make.headers(user))
    assert ok.status_code == 200 and ok.json["terms"]["annual_rate"] == "0.105000"
    percent = client.post("/api/v1/simulations/loan", json={**loan, "annual_rate": "10.5"},
                          headers=make.headers(user))
    assert percent.status_code == 422


def test_the_policy_page_takes_rates_as_percentages(client: FlaskClient, make: Factory,
                                                    session: Session) -> None:
    from datetime import date
    from decimal import Decimal

    sign_in(client, make.user(Role.ADMIN))
    page = text(client.get("/admin/policy"))
    assert 'name="annual_rate" type="text" value="10"' in page
    assert 'name="vat_rate" type="text" value="16"' in page and "Tasa de interés anual (%)" in page
    bad = post(client, "/admin/policy", {"effective_from": date.today().isoformat(),
                                         "annual_rate": "diez"})
    assert bad.status_code == 422 and "Escriba la tasa como porcentaje" in text(bad)
    assert 'value="diez"' in text(bad)
    ok = post(client, "/admin/policy", {"effective_from": date.today().isoformat(),
                                        "annual_rate": "11,5", "note": "Comité"})
    assert ok.status_code == 302
    assert current_policy(session).annual_rate == Decimal("0.115")
    assert 'name="annual_rate" type="text" value="11.5"' in text(client.get("/admin/policy"))


def test_the_conditions_of_a_returned_approval_do_not_show_as_signed(
        client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.FOCIR_DECISION)
    terms = {"amount": "4500000.00", "annual_rate": "0.10", "vat_rate": "0.16",
             "term_months": 40, "grace_months": 6, "method": "level"}
    make.act(proposal.id, cast[Role.FOCIR], "approve", terms=terms, comment="Condición vieja.")
    make.act(proposal.id, cast[SECOND_FOCIR], "return_decision", comment="Revisar plazo.")
    make.act(proposal.id, cast[Role.FOCIR], "approve", terms=terms)
    make.act(proposal.id, cast[SECOND_FOCIR], "confirm_decision")
    make.act(proposal.id, cast[Role.SME], "sign")
    make.act(proposal.id, cast[Role.FOCIR], "sign")
    sign_in(client, cast[Role.SME])
    page = text(client.get(f"/proposals/{proposal.id}"))
    block = page[page.index('id="signed"'):page.index("</section>", page.index('id="signed"'))]
    assert "ninguna además de las del convenio" in block and "Condición vieja." not in block
