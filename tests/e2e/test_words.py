"""Words people understand, and actions that are safe and expected (issue 12 §3 and §5):
messages that name the proposal and what happened, a step of its own before rejecting,
withdrawing or deactivating, labels instead of field names, the form's rows and errors."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import Proposal, User

from ..factories import Factory
from .pages import post, sign_in, text


def _act(client: FlaskClient, proposal: Proposal, **form: str):
    dossier = f"/proposals/{proposal.id}"
    return post(client, f"{dossier}/actions", {"version": str(proposal.version), **form},
                token_from=dossier)


def test_the_message_after_an_action_names_the_proposal_and_what_happened(
        client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    sign_in(client, cast[Role.PROMTEL])
    r = _act(client, proposal, action="give_feedback", comment="Precise la demanda.")
    assert r.status_code == 302
    page = text(client.get(r.headers["Location"]))
    assert (f"Envió sus comentarios sobre la propuesta {proposal.folio} a la PyME. "
            "Ahora está en el paso 4 de 10: Actualización.") in page
    assert "Listo:" not in page


def test_the_sme_reads_that_it_sent_its_proposal_to_promtel(client: FlaskClient,
                                                            make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROPOSAL)
    sign_in(client, cast[Role.SME])
    r = _act(client, proposal, action="submit_proposal")
    assert r.status_code == 302, text(r)[:300]
    assert f"Envió la propuesta {proposal.folio} a PROMTEL." in text(client.get(
        r.headers["Location"]))


def test_saving_a_draft_says_which_proposal_was_saved(client: FlaskClient,
                                                      make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT)
    sign_in(client, cast[Role.SME])
    edit = f"/proposals/{proposal.id}/edit"
    r = post(client, edit, {"version": str(proposal.version), "title": "Red rural"})
    assert r.status_code == 302
    assert f"Guardó el borrador de la propuesta {proposal.folio}." in text(client.get(edit))


def test_a_rejection_asks_on_a_page_of_its_own_and_only_the_confirmation_rejects(
        client: FlaskClient, make: Factory, session: Session) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    sign_in(client, cast[Role.PROMTEL])
    dossier = text(client.get(f"/proposals/{proposal.id}"))
    assert re.search(r'<button type="submit" class="danger">Rechazar</button>', dossier)
    first = _act(client, proposal, action="reject", reason="Zona ya cubierta.")
    page = text(first)
    assert first.status_code == 200
    assert f"¿Rechazar la propuesta {proposal.folio}?" in page
    assert "no se puede reanudar ni deshacer" in page and "Zona ya cubierta." in page
    assert f'class="danger">Sí, rechazar la propuesta {proposal.folio}</button>' in page
    assert 'name="confirm" value="yes"' in page
    session.expire_all()
    unchanged = session.get(Proposal, proposal.id)
    assert (unchanged.state, unchanged.version) == ("promtel_feedback", proposal.version)
    done = _act(client, proposal, action="reject", reason="Zona ya cubierta.", confirm="yes")
    assert done.status_code == 302
    session.expire_all()
    assert session.get(Proposal, proposal.id).state == "rejected"
    assert (f"Rechazó la propuesta {proposal.folio}. Su estado ahora: Rechazada."
            in text(client.get(done.headers["Location"])))


def test_a_rejection_without_reasons_is_sent_back_before_any_confirmation(
        client: FlaskClient, make: Factory, session: Session) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    sign_in(client, cast[Role.PROMTEL])
    r = _act(client, proposal, action="reject", reason="  ")
    assert r.status_code == 422
    assert "¿Rechazar la propuesta" not in text(r) and 'href="#reject-reason"' in text(r)


def test_a_withdrawal_asks_first_and_a_confirmed_one_withdraws(
        client: FlaskClient, make: Factory, session: Session) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT)
    sign_in(client, cast[Role.SME])
    first = _act(client, proposal, action="withdraw", comment="Financiamiento propio.")
    assert first.status_code == 200
    assert f"¿Retirar la propuesta {proposal.folio}?" in text(first)
    assert "Financiamiento propio." in text(first)
    session.expire_all()
    assert session.get(Proposal, proposal.id).state == "contact"
    done = _act(client, proposal, action="withdraw", comment="Financiamiento propio.",
                confirm="yes")
    assert done.status_code == 302
    session.expire_all()
    assert session.get(Proposal, proposal.id).state == "withdrawn"
    assert (f"Retiró la propuesta {proposal.folio}; su proceso terminó."
            in text(client.get(done.headers["Location"])))


def test_a_confirmation_page_is_not_offered_for_an_action_the_user_cannot_take(
        client: FlaskClient, make: Factory, session: Session) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    sign_in(client, cast[Role.SME])   # an SME never rejects
    r = _act(client, proposal, action="reject", reason="No.")
    assert "¿Rechazar la propuesta" not in text(r)
    session.expire_all()
    assert session.get(Proposal, proposal.id).state == "promtel_feedback"


def test_deactivating_an_account_asks_first_and_says_whose_account_ended(
        client: FlaskClient, make: Factory, session: Session) -> None:
    admin, other = make.user(Role.ADMIN), make.user(Role.PROMTEL)
    sign_in(client, admin)
    listing = text(client.get("/admin/users"))
    assert 'value="deactivate" class="danger"' in listing
    first = post(client, "/admin/users", {"do": "deactivate", "user_id": str(other.id)})
    assert first.status_code == 200
    assert f"Sí, desactivar {other.email}" in text(first)
    assert "ya no podrá iniciar sesión" in text(first)
    session.expire_all()
    assert session.get(User, other.id).active is True
    done = post(client, "/admin/users", {"do": "deactivate", "user_id": str(other.id),
                                         "confirm": "yes"})
    assert done.status_code == 302
    session.expire_all()
    assert session.get(User, other.id).active is False
    assert f"Desactivó la cuenta de {other.email}" in text(client.get("/admin/users"))


def test_an_administrator_cannot_be_asked_to_deactivate_their_own_account(
        client: FlaskClient, make: Factory, session: Session) -> None:
    admin = make.user(Role.ADMIN)
    sign_in(client, admin)
    r = post(client, "/admin/users", {"do": "deactivate", "user_id": str(admin.id)})
    assert r.status_code == 302
    session.expire_all()
    assert session.get(User, admin.id).active is True


def test_the_comparison_of_revisions_names_fields_in_words_and_formats_values(
        client: FlaskClient, make: Factory) -> None:
    from promtel_fin.schemas import ProposalPatch
    from promtel_fin.services.proposals import update_proposal

    from ..factories import proposal_document

    cast = make.cast()
    proposal = make.proposal(cast, at=State.UPDATE)
    changed = proposal_document(
        requested_amount="1234567.00", technology="fixed_wireless",
        social_sites=[{"kind": "health_centre", "name": "Centro de Salud",
                       "locality": "Cuautitla"}],
        localities=[{"name": "Cuautitla", "inegi_key": "170270003", "population": 12500,
                     "priority_zone": True}])
    changed["cash_flows"][2]["revenue"] = "3300000.00"
    data = ProposalPatch().load({**changed, "version": proposal.version})
    data.pop("version")
    update_proposal(make.session, cast[Role.SME], proposal.id, proposal.version, data)
    make.act(proposal.id, cast[Role.SME], "submit_update")
    sign_in(client, cast[Role.PROMTEL])
    page = text(client.get(f"/proposals/{proposal.id}/revisions/compare?from=1&to=2"))
    table = page[page.index("<table"):page.index("</table>")]
    for words in ("Monto solicitado", "$4,500,000.00", "$1,234,567.00", "Tecnología",
                  "Fibra al hogar (FTTH)", "Inalámbrico fijo", "Sitio social 1: Tipo",
                  "Escuela", "Centro de salud", "Localidad 1: Habitantes", "12,500",
                  "Flujos de efectivo, año 3: Ingresos", "$3,100,000.00", "$3,300,000.00"):
        assert words in table, words
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", re.sub(r"<[^>]+>", " ", table))
    dossier = text(client.get(f"/proposals/{proposal.id}"))
    assert "Monto solicitado" in dossier and "<code>requested_amount</code>" not in dossier


def _visible(page: str) -> str:
    """The page's text as read on screen: no tags, no attributes."""
    body = page[page.index("<main"):]
    return re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S))


def test_the_policy_page_says_what_each_parameter_means_in_both_languages(
        client: FlaskClient, make: Factory) -> None:
    from dataclasses import fields

    from promtel_fin.domain.policy import Policy

    sign_in(client, make.user(Role.ADMIN))
    codes = [f.name for f in fields(Policy) if f.name not in ("haircuts", "checklist")]
    spanish = _visible(text(client.get("/admin/policy")))
    english = _visible(text(client.get("/admin/policy?lang=en")))
    for code in codes:
        assert code not in spanish and code not in english, code
    assert "Préstamo máximo (pesos)" in spanish
    assert "Lo más que una propuesta puede pedir y FOCIR puede aprobar." in spanish
    assert "Días hábiles para actuar en el paso 9: Decisión de FOCIR" in spanish
    assert "Largest loan (pesos)" in english
    assert "Working days to act at step 1: Contact" in english
    # Each field's label points at its input and its meaning is tied to it.
    page = text(client.get("/admin/policy"))
    assert '<label for="max_amount">Préstamo máximo (pesos)' in page
    assert 'aria-describedby="max_amount-help' in page


def _rows(page: str, group: str, field: str) -> int:
    return len(re.findall(rf'name="{group}-\d+-{field}"', page))


def test_an_empty_form_starts_with_one_row_of_each_repeating_group(
        client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    sign_in(client, cast[Role.SME])
    r = post(client, "/proposals/new", {"title": "Red nueva"})
    page = text(client.get(r.headers["Location"]))
    assert (_rows(page, "localities", "name"), _rows(page, "social_sites", "name"),
            _rows(page, "guarantees", "value")) == (1, 1, 1)
    assert 'name="add" value="localities"' in page and "Agregar una localidad" in page


def test_adding_a_row_keeps_what_was_typed_adds_one_row_and_saves_nothing(
        client: FlaskClient, make: Factory, session: Session) -> None:
    cast = make.cast()
    sign_in(client, cast[Role.SME])
    r = post(client, "/proposals/new", {"title": "Red nueva"})
    edit = r.headers["Location"].split("#")[0]
    proposal = session.get(Proposal, int(edit.split("/")[-2]))
    form = {"version": str(proposal.version), "title": "Red nueva", "summary": "Fibra",
            "localities-0-name": "Cuautitla", "localities-0-population": "1850",
            "requested_amount": "mucho", "cash_flows-1-revenue": "2400000",
            "add": "localities"}
    added = post(client, edit, form)
    page = text(added)
    assert added.status_code == 200
    assert _rows(page, "localities", "name") == 2
    assert _rows(page, "social_sites", "name") == 1
    assert 'value="Cuautitla"' in page and 'value="1850"' in page and 'value="mucho"' in page
    assert 'value="2400000"' in page and ">Fibra</textarea>" in page
    assert 'formaction="#localities-2-name"' in page   # the next button lands on row 3
    assert "Revise estos campos" not in page           # adding is not saving: no errors
    session.expire_all()
    assert session.get(Proposal, proposal.id).summary in (None, "")
    again = post(client, edit, {**form, "localities-1-name": "", "add": "localities"})
    assert _rows(text(again), "localities", "name") == 3   # a blank row is kept as a row


def test_a_repeating_group_grows_up_to_its_limit_and_not_one_row_past_it(
        client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT)
    sign_in(client, cast[Role.SME])
    edit = f"/proposals/{proposal.id}/edit"

    def guarantees(n: int) -> dict[str, str]:
        return {f"guarantees-{i}-value": str(1000 + i) for i in range(n)}

    below = text(post(client, edit, {"version": str(proposal.version), "title": "Red",
                                     **guarantees(99), "add": "guarantees"}))
    assert _rows(below, "guarantees", "value") == 100       # 99 + 1: the limit, exactly
    assert 'name="add" value="guarantees"' not in below
    assert "Esta lista está llena: como máximo 100 filas." in below
    at = post(client, edit, {"version": str(proposal.version), "title": "Red",
                             **guarantees(100), "add": "guarantees"})
    assert at.status_code == 200
    assert _rows(text(at), "guarantees", "value") == 100    # not 101
    assert "Como máximo 100 filas; esta lista está llena." in text(at)


def test_an_invalid_form_shows_every_error_at_once_each_named_and_linked_to_its_field(
        client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT)
    sign_in(client, cast[Role.SME])
    edit = f"/proposals/{proposal.id}/edit"
    r = post(client, edit, {
        "version": str(proposal.version), "title": "Red", "requested_amount": "mucho",
        "term_months": "12", "grace_months": "12", "localities-0-name": "Cuautitla",
        "localities-0-population": "muchos", "bureau_score": "1000",
        # Years 1 and 2 blank: year 3 is the document's first flow, and its error is year 3's.
        "cash_flows-2-revenue": "abc", "cash_flows-2-opex": "100"})
    page = text(r)
    assert r.status_code == 422
    summary = page[page.index('<div class="summary"'):]
    summary = summary[:summary.index("</div>")]
    links = dict(re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary))
    assert set(links) == {"requested_amount", "grace_months", "localities-0-population",
                          "bureau_score", "cash_flows-2-revenue"}
    for target in links:                      # every link lands on a field of the page
        assert f'id="{target}"' in page, target
    assert links["requested_amount"].startswith("Monto solicitado: ")
    assert links["grace_months"].startswith("Meses de gracia: ")   # the schema-wide rule too
    assert links["localities-0-population"].startswith("Localidad 1: Habitantes: ")
    assert links["cash_flows-2-revenue"].startswith("Flujos de efectivo, año 3: Ingresos: ")
    assert 'id="cash_flows-2-revenue" name="cash_flows-2-revenue" value="abc"' in page
    assert 'aria-invalid="true" aria-describedby="cash_flows-2-revenue-error"' in page
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", re.sub(r"<[^>]+>", " ", summary))


def test_the_simulators_headline_payment_includes_vat_and_says_so(client: FlaskClient) -> None:
    from decimal import Decimal

    from promtel_fin.domain.loan import LoanTerms, schedule
    from promtel_fin.web.filters import money

    plan = schedule(LoanTerms(Decimal("10000000"), Decimal("0.10"), Decimal("0.16"), 40, 6,
                              "level"))
    month7 = plan.rows[6]
    assert month7.payment == plan.installment + month7.vat     # what the headline must say
    r = client.get("/simulator", query_string={"amount": "10000000", "term_months": 40,
                                               "grace_months": 6, "method": "level"})
    page = text(r)
    headline = re.search(r'<p class="headline">([^<]+)</p>', page)
    assert headline is not None
    assert headline.group(1) == (f"Su pago mensual desde el mes 7: {money(month7.payment)}, "
                                 "IVA incluido.")
    assert money(plan.installment) in page and "Durante los 6 meses de gracia" in page
    english = text(client.get("/simulator", query_string={
        "amount": "10000000", "term_months": 40, "grace_months": 6, "method": "level",
        "lang": "en"}))
    assert f"Your monthly payment from month 7: {money(month7.payment)}, VAT included." in english


def test_the_charts_name_both_axes_with_their_units_in_one_language(
        client: FlaskClient) -> None:
    query = {"amount": "10000000", "term_months": 40, "grace_months": 6, "method": "level"}
    spanish = text(client.get("/simulator", query_string=query))
    chart = spanish[spanish.index('<svg width="100%"'):]
    chart = chart[:chart.index("</svg></svg>") if "</svg></svg>" in chart else None]
    words = re.findall(r"<text[^>]*>([^<]+)</text>", chart)
    assert "Mes del préstamo" in words and "Pesos (M: millones)" in words
    assert not any(w.endswith(" k") for w in words)            # thousands as "mil" in Spanish
    assert 'font-size="13"' in chart and "viewBox" not in chart[:chart.index(">")]
    english = text(client.get("/simulator", query_string={**query, "lang": "en"}))
    words = re.findall(r"<text[^>]*>([^<]+)</text>", english)
    assert "Month of the loan" in words and not any(w.endswith(" mil") for w in words)


def test_at_step_one_the_sme_reads_what_happens_next_and_what_to_prepare(
        client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT)
    sign_in(client, cast[Role.SME])
    page = text(client.get(f"/proposals/{proposal.id}"))
    steps = page[page.index('id="next-steps"'):]
    steps = steps[:steps.index("</div>")]
    assert "Qué sigue" in steps
    assert "en un plazo de 5 días hábiles" in steps                 # the policy's service level
    assert f'href="/proposals/{proposal.id}/edit"' in steps
    assert ('href="#document-articles_of_incorporation"' in steps
            and "Acta constitutiva" in steps and steps.count('href="#document-') == 9)
    assert 'id="document-articles_of_incorporation"' in page       # the link lands
    # Not for PROMTEL, and not once the contact is answered.
    sign_in(client, cast[Role.PROMTEL])
    assert 'id="next-steps"' not in text(client.get(f"/proposals/{proposal.id}"))
    later = make.proposal(cast, at=State.PROPOSAL)
    sign_in(client, cast[Role.SME])
    assert 'id="next-steps"' not in text(client.get(f"/proposals/{later.id}"))


def test_a_refusal_on_a_page_names_actions_and_states_in_words_the_api_keeps_codes(
        client: FlaskClient, make: Factory, session: Session) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.WITHDRAWN)
    sign_in(client, cast[Role.PROMTEL])
    r = _act(client, proposal, action="verify")
    assert r.status_code == 302
    page = text(client.get(r.headers["Location"]))
    assert "La acción «Verificar» no es posible en el estado «Retirada»." in page
    flash = re.search(r'<p class="flash"[^>]*>([^<]+)</p>', page)
    assert flash is not None and "verify" not in flash.group(1)
    api = client.post(f"/api/v1/proposals/{proposal.id}/transitions",
                      headers=make.headers(cast[Role.PROMTEL]),
                      json={"action": "verify", "version": proposal.version})
    assert api.json["errors"]["reasons"][0]["message"] == (
        "La acción «verify» no es posible en el estado «withdrawn».")


def test_reviewing_a_document_says_which_file_of_which_proposal(
        client: FlaskClient, make: Factory) -> None:
    from promtel_fin.services.documents import proposal_documents

    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROPOSAL)
    document = next(d for d in proposal_documents(make.session, proposal.id)
                    if d.is_current and d.status == "pending")
    sign_in(client, cast[Role.PROMTEL])
    dossier = f"/proposals/{proposal.id}"
    r = post(client, f"{dossier}/documents/{document.id}/review", {"decision": "accepted"},
             token_from=dossier)
    assert r.status_code == 302, text(r)[:300]
    assert (f"Aceptó {document.filename} de la propuesta {proposal.folio}."
            in text(client.get(dossier)))


def test_the_policy_checklist_starts_with_one_blank_row_and_adds_one_without_saving(
        client: FlaskClient, make: Factory, session: Session) -> None:
    from promtel_fin.domain.policy import DEFAULT_CHECKLIST
    from promtel_fin.services.policy import list_versions

    sign_in(client, make.user(Role.ADMIN))
    page = text(client.get("/admin/policy"))
    count = len(DEFAULT_CHECKLIST)
    assert _rows(page, "checklist", "kind") == count + 1
    rows = dict(re.findall(r'name="(checklist-\d+-[a-z_]+)" value="([^"]*)"', page))
    rows[f"checklist-{count}-kind"] = "promissory_note"      # typed in the blank row
    form = {**rows, "checklist-present": "1", "effective_from": "2030-01-01", "note": "Nota",
            "max_term_months": "36", "add": "checklist"}
    added = post(client, "/admin/policy", form)
    page = text(added)
    assert added.status_code == 200
    assert _rows(page, "checklist", "kind") == count + 2       # the typed row and one blank
    assert 'value="promissory_note"' in page and 'value="36"' in page
    assert f'formaction="#checklist-{count + 2}-kind"' in page
    assert list_versions(session) == []                       # nothing saved


def test_a_focir_rejection_at_step_nine_says_a_second_officer_must_confirm_it(
        client: FlaskClient, make: Factory, session: Session) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.FOCIR_DECISION)
    sign_in(client, cast[Role.FOCIR])
    first = _act(client, proposal, action="reject", reason="Sin viabilidad.")
    assert "Un segundo funcionario de FOCIR debe confirmar el rechazo" in text(first)
    session.expire_all()
    assert session.get(Proposal, proposal.id).pending_action is None
    done = _act(client, proposal, action="reject", reason="Sin viabilidad.", confirm="yes")
    assert done.status_code == 302
    page = text(client.get(done.headers["Location"]))
    assert (f"Su rechazo de la propuesta {proposal.folio} quedó registrado. Un segundo "
            "funcionario de FOCIR debe confirmarlo.") in page


def test_an_action_forms_errors_link_only_to_fields_it_shows(
        client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    sign_in(client, cast[Role.PROMTEL])
    dossier = f"/proposals/{proposal.id}"
    r = post(client, f"{dossier}/actions", {"action": "give_feedback", "version": "x",
                                            "comment": ""}, token_from=dossier)
    page = text(r)
    assert r.status_code == 422
    summary = page[page.index('<div class="summary"'):]
    summary = summary[:summary.index("</div>")]
    assert "La página no estaba al día" in summary
    for target in re.findall(r'<a href="#([^"]+)">', summary):
        assert f'id="{target}"' in page, target


def test_saving_the_policy_says_the_day_it_applies_from_in_words(
        client: FlaskClient, make: Factory) -> None:
    sign_in(client, make.user(Role.ADMIN))
    r = post(client, "/admin/policy", {"effective_from": "2030-03-01", "note": "Comité"})
    assert r.status_code == 302
    assert "La nueva política aplica a partir del 1 de marzo de 2030." in text(
        client.get("/admin/policy"))
