"""The policy's limits hold at every entry point: simulators, drafts, submission, new drafts."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import Proposal
from promtel_fin.services.policy import set_policy

from ..factories import Factory, proposal_document
from .conftest import ApiClient
from .pages import sign_in, text

LOAN = {"amount": "4500000.00", "term_months": 40, "grace_months": 6, "method": "level"}


@pytest.mark.parametrize(("change", "ok"), [
    ({"amount": "10000000.00"}, True), ({"amount": "10000000.01"}, False),
    ({"amount": "50000000"}, False),
    ({"term_months": 40}, True), ({"term_months": 41}, False),
    ({"grace_months": 6}, True), ({"grace_months": 7}, False),
    ({"annual_rate": "0.10", "vat_rate": "0.16"}, True),  # the policy's own rates, stated
    ({"annual_rate": "0.50"}, False), ({"vat_rate": "0"}, False),
])
def test_the_public_loan_simulator_is_the_program_as_offered(
        api: ApiClient, change: dict, ok: bool) -> None:
    r = api.post("/simulations/loan", json={**LOAN, **change})
    assert r.status_code == (200 if ok else 422), r.json
    if not ok:
        (field,) = change if len(change) == 1 else ("annual_rate",)
        assert field in r.json["errors"]["fields"], r.json


@pytest.mark.parametrize("role", [Role.PROMTEL, Role.FOCIR, Role.ADMIN])
def test_staff_may_analyse_other_rates_within_the_limits(
        api: ApiClient, make: Factory, role: Role) -> None:
    staff = make.user(role)
    public = api.post("/simulations/loan", json=LOAN).json
    other = api.post("/simulations/loan", staff, json={**LOAN, "annual_rate": "0.15",
                                                       "vat_rate": "0"})
    assert other.status_code == 200, other.json
    assert other.json["installment"] != public["installment"]
    assert other.json["totals"]["vat"] == "0.00"
    too_much = api.post("/simulations/loan", staff, json={**LOAN, "amount": "10000000.01",
                                                          "annual_rate": "0.15"})
    assert too_much.status_code == 422
    assert set(too_much.json["errors"]["fields"]) == {"amount"}


def test_an_sme_is_the_public_for_rates(api: ApiClient, make: Factory) -> None:
    r = api.post("/simulations/loan", make.user(Role.SME), json={**LOAN, "annual_rate": "0.05"})
    assert r.status_code == 422


def test_a_wrong_token_on_the_simulator_is_a_401_not_the_public(api: ApiClient,
                                                                 client: FlaskClient) -> None:
    r = client.post("/api/v1/simulations/loan", json=LOAN,
                    headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401


def test_the_viability_simulator_holds_its_loan_to_the_same_rules(api: ApiClient) -> None:
    years = [{"year": y, "revenue": "3000000.00", "opex": "1000000.00", "capex": "0.00",
              "taxes": "0.00"} for y in range(1, 6)]
    r = api.post("/simulations/viability", json={"years": years,
                                                 "loan": {**LOAN, "annual_rate": "0.01"}})
    assert r.status_code == 422 and "annual_rate" in r.json["errors"]["fields"]


@pytest.mark.parametrize(("query", "status", "words"), [
    ({"annual_rate": "abc"}, 422, "como porcentaje"),   # forms take percentages
    ({"annual_rate": "0.5"}, 422, "usa la tasa del programa"),
    ({"vat_rate": "0"}, 422, "usa el IVA"),
    ({"amount": "50000000"}, 422, "supera el límite"),
    ({"amount": "10000000.00"}, 200, "Su pago mensual desde el mes"),
    ({"term_months": "41"}, 422, "de 1 a 40 meses"),
    ({"grace_months": "abc"}, 422, "número entero"),
])
def test_the_simulator_page_refuses_what_the_public_may_not_change(
        client: FlaskClient, query: dict, status: int, words: str) -> None:
    r = client.get("/simulator", query_string={**LOAN, **query})
    assert r.status_code == status
    assert words in text(r)


def test_the_simulator_page_offers_rate_fields_to_staff_only(
        client: FlaskClient, make: Factory) -> None:
    assert 'name="annual_rate"' not in text(client.get("/simulator"))
    sign_in(client, make.user(Role.FOCIR))
    assert 'name="annual_rate"' in text(client.get("/simulator"))
    r = client.get("/simulator", query_string={**LOAN, "annual_rate": "0.2"})
    assert r.status_code == 200


def test_a_policy_change_moves_every_simulator(api: ApiClient, client: FlaskClient,
                                               session: Session) -> None:
    set_policy(session, None, date.today(), {"max_amount": Decimal("5000000.00"),
                                             "max_term_months": 24,
                                             "annual_rate": Decimal("0.12")})
    assert api.post("/simulations/loan", json={**LOAN, "amount": "5000000.01",
                                               "term_months": 24}).status_code == 422
    assert api.post("/simulations/loan", json={**LOAN, "term_months": 25}).status_code == 422
    ok = api.post("/simulations/loan", json={**LOAN, "amount": "5000000", "term_months": 24})
    assert ok.status_code == 200 and ok.json["terms"]["annual_rate"] == "0.120000"
    assert client.get("/simulator", query_string={**LOAN, "term_months": 25}).status_code == 422


def test_a_draft_outside_the_limits_is_saved_with_what_to_change_and_refused_at_submission(
        api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROPOSAL)
    sme = cast[Role.SME]
    version = api.get(f"/proposals/{proposal.id}", sme).json["version"]
    r = api.patch(f"/proposals/{proposal.id}", sme, json={
        "version": version, "requested_amount": "50000000.00", "term_months": 60,
        "grace_months": 12})
    assert r.status_code == 200, r.json  # a draft may be saved while it is being worked on
    missing = " ".join(r.json["missing"])
    assert "supera el límite" in missing and "de 1 a 40 meses" in missing
    assert "de 0 a 6 meses" in missing
    refused = api.act(proposal.id, sme, "submit_proposal")
    assert refused.status_code == 422
    fields = refused.json["errors"]["fields"]
    assert {"requested_amount", "term_months", "grace_months"} <= set(fields)
    version = api.get(f"/proposals/{proposal.id}", sme).json["version"]
    api.patch(f"/proposals/{proposal.id}", sme, json={
        "version": version, "requested_amount": "10000000.00", "term_months": 40,
        "grace_months": 6})
    assert api.get(f"/proposals/{proposal.id}", sme).json["missing"] == []
    assert api.act(proposal.id, sme, "submit_proposal").status_code == 200


def test_one_centavo_over_the_limit_is_flagged(api: ApiClient, make: Factory) -> None:
    sme = make.user(Role.SME)
    at = api.post("/proposals", sme, json=proposal_document(requested_amount="10000000.00"))
    over = api.post("/proposals", sme, json=proposal_document(requested_amount="10000000.01"))
    assert at.json["missing"] == []
    assert len(over.json["missing"]) == 1 and "10,000,000.01" in over.json["missing"][0]


def _count(session: Session, company_id: int) -> int:
    session.expire_all()
    return session.scalar(select(func.count(Proposal.id)).where(
        Proposal.company_id == company_id)) or 0


def test_a_company_holds_at_most_five_unsubmitted_proposals(
        api: ApiClient, make: Factory, session: Session) -> None:
    cast = make.cast()
    sme = cast[Role.SME]
    submitted = make.proposal(cast, at=State.PROMTEL_FEEDBACK)  # submitted: does not count
    for _ in range(4):
        make.proposal(cast)
    fifth = make.proposal(cast, at=State.PROPOSAL)  # acknowledged, not submitted: counts
    assert submitted.state == "promtel_feedback" and fifth.state == "proposal"
    r = api.post("/proposals", sme, json=proposal_document())
    assert r.status_code == 422
    assert r.json["errors"]["reasons"][0]["code"] == "too_many_drafts"
    assert "el límite es 5" in r.json["message"]
    assert _count(session, sme.company_id) == 6
    assert api.act(fifth.id, sme, "withdraw").status_code == 200
    assert api.post("/proposals", sme, json=proposal_document()).status_code == 201


def test_the_draft_limit_is_the_policys(api: ApiClient, make: Factory, session: Session) -> None:
    set_policy(session, None, date.today(), {"max_open_drafts": 1})
    sme = make.user(Role.SME)
    assert api.post("/proposals", sme, json=proposal_document()).status_code == 201
    assert api.post("/proposals", sme, json=proposal_document()).status_code == 422


def test_two_drafts_at_once_cannot_pass_the_limit_together(
        app: Flask, make: Factory, session: Session) -> None:
    """Do simultaneous requests of one company take turns at the limit?"""
    cast = make.cast()
    sme = cast[Role.SME]
    for _ in range(3):
        make.proposal(cast)
    headers = make.headers(sme)
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def create() -> None:
        client = app.test_client()
        barrier.wait()
        r = client.post("/api/v1/proposals", json=proposal_document(), headers=headers)
        statuses.append(r.status_code)

    threads = [threading.Thread(target=create) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert statuses.count(201) >= 1, statuses
    assert set(statuses) <= {201, 409, 422}, statuses  # 409: lost the race, try again
    assert _count(session, sme.company_id) == 3 + statuses.count(201) <= 5


def test_an_sme_that_signed_can_no_longer_withdraw(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.AGREEMENT)
    sme = cast[Role.SME]
    before = api.get(f"/proposals/{proposal.id}", sme).json
    assert "withdraw" in before["allowed_actions"]
    signed = api.act(proposal.id, sme, "sign", terms_sha256=before["terms_sha256"])
    assert signed.status_code == 200 and signed.json["allowed_actions"] == []
    r = api.act(proposal.id, sme, "withdraw")
    assert r.status_code == 422
    assert r.json["errors"]["reasons"][0]["code"] == "signed_cannot_withdraw"
    assert api.get(f"/proposals/{proposal.id}", sme).json["state"] == "agreement"


def test_an_sme_may_withdraw_at_step_ten_while_only_focir_has_signed(
        api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.AGREEMENT)
    digest: Any = api.get(f"/proposals/{proposal.id}", cast[Role.FOCIR]).json["terms_sha256"]
    assert api.act(proposal.id, cast[Role.FOCIR], "sign", terms_sha256=digest).status_code == 200
    assert api.act(proposal.id, cast[Role.SME], "withdraw").json["state"] == "withdrawn"
