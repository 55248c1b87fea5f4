"""Creating, reading and editing proposals through the API, and who may see them."""

from __future__ import annotations

from typing import Any

import pytest

from promtel_fin.domain.workflow import Role, State

from ..factories import Factory, proposal_document
from .conftest import ApiClient


def test_an_sme_creates_a_proposal_at_step_one_with_every_field_kept(
        api: ApiClient, make: Factory) -> None:
    sme = make.user(Role.SME)
    document = proposal_document()
    r = api.post("/proposals", sme, json=document)
    assert r.status_code == 201, r.json
    body = r.json
    assert (body["state"], body["step"], body["version"]) == ("contact", 1, 1)
    assert body["waiting_on"] == ["promtel"]
    assert body["missing"] == []
    for key in ("title", "summary", "technology", "requested_amount", "term_months",
                "grace_months", "amortization_method", "credit_history", "social_sites"):
        assert body[key] == document[key], key
    assert body["cash_flows"] == document["cash_flows"]
    assert body["localities"] == [{**document["localities"][0], "priority_zone": False}]
    assert body["company"]["id"] == sme.company_id


def test_a_draft_needs_only_a_title_and_lists_what_it_lacks(api: ApiClient, make: Factory) -> None:
    r = api.post("/proposals", make.user(Role.SME), json={"title": "Red en la sierra"})
    assert r.status_code == 201
    assert len(r.json["missing"]) == 9
    assert "Agregue al menos una localidad atendida." in r.json["missing"]


@pytest.mark.parametrize("role", [Role.PROMTEL, Role.FOCIR, Role.ADMIN])
def test_only_smes_create_proposals(api: ApiClient, make: Factory, role: Role) -> None:
    r = api.post("/proposals", make.user(role), json=proposal_document())
    assert r.status_code == 403
    assert r.json["code"] == 403


def test_requests_without_a_valid_token_get_401(api: ApiClient, client: Any) -> None:
    assert api.get("/proposals").status_code == 401
    r = client.get("/api/v1/proposals", headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("change", "field", "es", "en"), [
    ({"requested_amount": "abc"}, "requested_amount", "Escriba el monto con dígitos",
     "Write the amount with digits"),
    ({"requested_amount": "-5.00"}, "requested_amount", "mayor que cero", "greater than zero"),
    ({"requested_amount": "10.005"}, "requested_amount", "dos decimales", "two decimals"),
    ({"grace_months": 40, "term_months": 40}, "grace_months", "menor que el plazo",
     "shorter than the term"),
    ({"technology": "5g"}, "technology", "Elija una de estas opciones", "Choose one of"),
    ({"cash_flows": [{"year": 1}]}, "cash_flows", "Falta este dato obligatorio",
     "Missing data for required field"),
    ({"localities": [{"name": "X", "inegi_key": "12"}]}, "localities", "9 dígitos", "9 digits"),
    ({"credit_history": {"report_date": "2999-01-01"}}, "credit_history", "en el futuro",
     "in the future"),
    ({"title": "ab"}, "title", "Entre 3 y 200", "Between 3 and 200"),
    ({"surprise": 1}, "surprise", "Campo desconocido", "Unknown field"),
])
def test_bad_input_is_refused_per_field_in_spanish_and_in_english(
        api: ApiClient, make: Factory, change: dict, field: str, es: str, en: str) -> None:
    sme = make.user(Role.SME)
    for lang, expected in (("es", es), ("en", en)):
        r = api.post("/proposals", sme, json=proposal_document(**change), lang=lang)
        assert r.status_code == 422, r.json
        assert expected in str(r.json["errors"][field]), r.json
    listing = api.get("/proposals", sme)
    assert listing.json["items"] == []  # nothing half-saved


@pytest.mark.parametrize("body", [
    {"title": "a\x00b NUL"}, {"title": "x" * 5000}, {"title": "Red", "term_months": 2**40},
    {"title": "Red", "requested_amount": "1e30"}, {"title": "Red", "requested_amount": "NaN"},
    {"title": "Red", "localities": "not a list"}, {"title": "Red", "cash_flows": [None]},
    {"title": "Red", "requested_amount": True}, [], "just a string", {"title": 12},
])
def test_malformed_input_never_causes_a_server_error(api: ApiClient, make: Factory,
                                                     body: Any) -> None:
    r = api.post("/proposals", make.user(Role.SME), json=body)
    assert r.status_code in (400, 422), r.json
    assert r.json["message"]


def test_another_companys_proposal_answers_404_as_if_it_did_not_exist(
        api: ApiClient, make: Factory) -> None:
    proposal = make.proposal()
    stranger = make.user(Role.SME)
    for path in ("", "/history", "/revisions", "/revisions/1"):
        r = api.get(f"/proposals/{proposal.id}{path}", stranger)
        assert r.status_code == 404, path
    missing = api.get("/proposals/999999", stranger)
    assert r.json["message"].replace(str(proposal.id), "N") == missing.json["message"].replace(
        "999999", "N")
    r = api.post(f"/proposals/{proposal.id}/transitions", stranger,
                 json={"action": "withdraw", "version": proposal.version})
    assert r.status_code == 404
    assert api.get("/proposals", stranger).json["items"] == []


def test_focir_sees_a_proposal_only_once_promtel_presents_it(api: ApiClient,
                                                             make: Factory) -> None:
    cast = make.cast()
    early = make.proposal(cast, at=State.FOCIR_PRESENTATION)
    presented = make.proposal(cast, at=State.FOCIR_FEEDBACK)
    focir = cast[Role.FOCIR]
    assert api.get(f"/proposals/{early.id}", focir).status_code == 404
    assert api.get(f"/proposals/{presented.id}", focir).status_code == 200
    assert [p["id"] for p in api.get("/proposals", focir).json["items"]] == [presented.id]


def test_patch_changes_only_the_fields_sent(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast)
    sme = cast[Role.SME]
    before = api.get(f"/proposals/{proposal.id}", sme).json
    r = api.patch(f"/proposals/{proposal.id}", sme,
                  json={"version": before["version"], "requested_amount": "5000000.00"})
    assert r.status_code == 200, r.json
    after = r.json
    assert after["requested_amount"] == "5000000.00"
    assert after["version"] == before["version"] + 1
    ignore = {"requested_amount", "version", "updated_at", "allowed_actions"}
    assert {k: v for k, v in after.items() if k not in ignore} == {
        k: v for k, v in before.items() if k not in ignore}


def test_patch_replaces_cash_flow_years_in_place(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast)
    flows = proposal_document()["cash_flows"]
    flows[0]["revenue"] = "1.00"
    r = api.patch(f"/proposals/{proposal.id}", cast[Role.SME],
                  json={"version": proposal.version, "cash_flows": flows[:3]})
    assert r.status_code == 200, r.json
    assert [c["year"] for c in r.json["cash_flows"]] == [1, 2, 3]
    assert r.json["cash_flows"][0]["revenue"] == "1.00"


@pytest.mark.parametrize(("at", "status"), [
    (State.CONTACT, 200), (State.PROPOSAL, 200), (State.PROMTEL_FEEDBACK, 409),
    (State.UPDATE, 200), (State.PROMTEL_VERIFICATION, 409), (State.AGREEMENT, 409),
])
def test_the_sme_edits_only_at_steps_one_two_and_four(
        api: ApiClient, make: Factory, at: State, status: int) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=at)
    r = api.patch(f"/proposals/{proposal.id}", cast[Role.SME],
                  json={"version": proposal.version, "title": "Nuevo título"})
    assert r.status_code == status, r.json


def test_reviewers_cannot_edit_a_proposal(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast)
    r = api.patch(f"/proposals/{proposal.id}", cast[Role.PROMTEL],
                  json={"version": proposal.version, "title": "Cambiado por PROMTEL"})
    assert r.status_code == 403


def test_an_edit_based_on_a_stale_version_is_refused(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast)
    sme = cast[Role.SME]
    first = api.patch(f"/proposals/{proposal.id}", sme,
                      json={"version": proposal.version, "title": "Primera edición"})
    assert first.status_code == 200
    second = api.patch(f"/proposals/{proposal.id}", sme,
                       json={"version": proposal.version, "title": "Edición perdida"})
    assert second.status_code == 409
    assert api.get(f"/proposals/{proposal.id}", sme).json["title"] == "Primera edición"


def test_reviewers_see_a_warning_for_a_wrong_rfc_check_digit_and_smes_do_not(
        api: ApiClient, make: Factory) -> None:
    company = make.company(rfc="FMR180605CD9")
    cast = make.cast(make.user(Role.SME, company=company))
    proposal = make.proposal(cast)
    warnings = api.get(f"/proposals/{proposal.id}", cast[Role.PROMTEL]).json["warnings"]
    assert len(warnings) == 1 and "FMR180605CD9" in warnings[0]
    assert api.get(f"/proposals/{proposal.id}", cast[Role.SME]).json["warnings"] == []


def test_out_of_range_ids_in_the_path_are_not_found_not_errors(api: ApiClient,
                                                               make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast)
    huge = 10**12
    for path in (f"/proposals/{huge}", f"/proposals/{huge}/history",
                 f"/proposals/{proposal.id}/revisions/{huge}"):
        assert api.get(path, cast[Role.PROMTEL]).status_code == 404, path
