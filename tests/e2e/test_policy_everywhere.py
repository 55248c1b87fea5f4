"""One policy object answers every entry point: change it once and every door follows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from promtel_fin.domain.workflow import Role, State
from promtel_fin.services.policy import set_policy

from ..factories import TERMS, Factory
from .conftest import ApiClient

LOAN = {"amount": "4000000.00", "term_months": 30, "grace_months": 3, "method": "level"}


def _follows(app: Flask, api: ApiClient, client: FlaskClient, make: Factory) -> dict[str, bool]:
    """Ask every entry point whether a 4,000,000 loan over 30 months is within the policy."""
    cli = app.test_cli_runner().invoke(args=["simulate", "loan", "--amount", "4000000",
                                             "--term", "30", "--grace", "3", "--format", "json"])
    cast = make.cast()
    draft = make.proposal(cast, at=State.PROPOSAL, requested_amount="4000000.00",
                          term_months=30, grace_months=3)
    decided = make.proposal(cast, at=State.FOCIR_DECISION, requested_amount="2000000.00",
                            term_months=20, grace_months=3)  # within both policies
    eligibility = api.get(f"/proposals/{draft.id}/eligibility", cast[Role.PROMTEL]).json
    results = {c["code"]: c["result"] for c in eligibility["checks"]}
    approve = api.act(decided.id, cast[Role.FOCIR], "approve",
                      terms={**TERMS, "amount": "4000000.00", "term_months": 30,
                             "grace_months": 3})
    return {
        "api simulator": api.post("/simulations/loan", json=LOAN).status_code == 200,
        "page simulator": client.get("/simulator", query_string=LOAN).status_code == 200,
        "cli simulator": cli.exit_code == 0,
        "draft": api.get(f"/proposals/{draft.id}", cast[Role.SME]).json["missing"] == [],
        "submission": api.act(draft.id, cast[Role.SME], "submit_proposal").status_code == 200,
        "eligibility": results["amount"] == results["term"] == "pass",
        "approval": approve.status_code == 200,
    }


def test_every_entry_point_follows_a_policy_change(app: Flask, api: ApiClient,
                                                   client: FlaskClient, make: Factory,
                                                   session: Session) -> None:
    assert set(_follows(app, api, client, make).values()) == {True}
    set_policy(session, None, date.today(), {"max_amount": Decimal("3000000.00"),
                                             "max_term_months": 24})
    after = _follows(app, api, client, make)
    assert after == dict.fromkeys(after, False), after
