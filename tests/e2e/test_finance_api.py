"""The finance endpoints: public simulators, a proposal's figures and exports, stress runs."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from promtel_fin import create_app
from promtel_fin.domain.workflow import Role, State

from ..factories import SECOND_FOCIR, TERMS, Factory
from .conftest import ApiClient

LOAN = {"amount": "10000000.00", "annual_rate": "0.10", "vat_rate": "0.16", "term_months": 40,
        "grace_months": 6, "method": "level"}
YEARS = [{"year": 1, "revenue": "0.00", "opex": "0.00", "capex": "1000.00", "taxes": "0.00"},
         {"year": 2, "revenue": "300.00", "opex": "0.00", "capex": "0.00", "taxes": "0.00"},
         {"year": 3, "revenue": "400.00", "opex": "0.00", "capex": "0.00", "taxes": "0.00"},
         {"year": 4, "revenue": "500.00", "opex": "0.00", "capex": "0.00", "taxes": "0.00"},
         {"year": 5, "revenue": "200.00", "opex": "0.00", "capex": "0.00", "taxes": "0.00"}]


def test_the_public_loan_simulator_answers_the_known_schedule(api: ApiClient) -> None:
    r = api.post("/simulations/loan", json=LOAN)
    assert r.status_code == 200, r.json
    body = r.json
    assert body["installment"] == "338964.95"
    assert body["schedule"][0]["payment"] == "96666.66"
    assert body["totals"] == {"interest": "2024808.39", "vat": "323969.32",
                              "principal": "10000000.00", "payment": "12348777.71"}
    assert body["schedule"][-1]["closing_balance"] == "0.00"
    assert set(body["schedule"][0]) >= {"period", "opening_balance", "interest", "vat",
                                        "principal", "payment", "closing_balance"}


def test_the_simulator_gives_due_dates_with_actual_360(api: ApiClient) -> None:
    r = api.post("/simulations/loan", json={**LOAN, "day_count": "actual/360",
                                            "disbursement_date": "2026-01-15",
                                            "first_due_date": "2026-02-15"})
    assert r.status_code == 200, r.json
    first = r.json["schedule"][0]
    assert (first["due_date"], first["days"], first["interest"]) == ("2026-02-15", 31,
                                                                     "86111.11")


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"grace_months": 40}, "grace_months", "menor que el plazo"),
    ({"amount": "-5"}, "amount", "mayor que cero"),
    ({"annual_rate": "abc"}, "annual_rate", "fracción"),
    ({"term_months": 48, "grace_months": 6}, "term_months", "40"),
    ({"grace_months": 9}, "grace_months", "6"),
    ({"day_count": "actual/360"}, "disbursement_date", "fecha de disposición"),
    ({"method": "globo"}, "method", "Elija una de estas opciones"),
])
def test_bad_simulator_input_answers_422_with_the_reason(api: ApiClient, change: dict,
                                                         field: str, words: str) -> None:
    r = api.post("/simulations/loan", json={**LOAN, **change})
    assert r.status_code == 422, r.json
    errors = r.json["errors"]
    text = str(errors.get(field) or errors.get("fields", {}).get(field))
    assert words in text, r.json


def test_the_viability_simulator_computes_every_figure(api: ApiClient) -> None:
    r = api.post("/simulations/viability", json={"years": YEARS, "discount_rate": "0.10",
                                                 "loan": {**LOAN, "amount": "1000.00",
                                                          "term_months": 12,
                                                          "grace_months": 0}})
    assert r.status_code == 200, r.json
    body = r.json
    assert body["net_cash_flows"] == ["-1000.00", "300.00", "400.00", "500.00", "200.00"]
    assert body["npv"] == "105.06"
    assert body["payback_years"] == "3.600000"
    assert Decimal(body["irr"]) > Decimal("0.13") and body["mirr"]
    assert body["dscr"][0]["year"] == 1 and body["min_dscr"] == body["dscr"][0]["dscr"]
    assert body["profitability_index"] == "1.115566"


def test_viability_without_an_irr_says_so(api: ApiClient) -> None:
    flat = [{**y, "capex": "0.00", "revenue": "10.00"} for y in YEARS]
    r = api.post("/simulations/viability", json={"years": flat}, lang="en")
    assert r.status_code == 200
    assert (r.json["irr"], r.json["min_dscr"], r.json["dscr"]) == (None, None, [])
    assert r.json["irr_note"] == "No IRR exists for these cash flows."


@pytest.mark.parametrize("body", [{"years": YEARS[:4]}, {"years": [*YEARS[:4], YEARS[0]]},
                                  {"years": "cinco"}, {"years": YEARS, "discount_rate": "x"}])
def test_viability_needs_five_distinct_years(api: ApiClient, body: dict) -> None:
    assert api.post("/simulations/viability", json=body).status_code == 422


def test_the_public_simulators_are_rate_limited(database_url: str) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": database_url,
                      "SIMULATOR_RATE_LIMIT": "3 per minute"})
    client = app.test_client()
    codes = [client.post("/api/v1/simulations/loan", json=LOAN).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    app.extensions["engine"].dispose()


def test_a_proposals_schedule_uses_the_request_then_the_approved_terms(
        api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.FOCIR_DECISION)
    sme = cast[Role.SME]
    requested = api.get(f"/proposals/{proposal.id}/schedule", sme).json
    assert (requested["terms"]["amount"], len(requested["schedule"])) == ("4500000.00", 40)
    make.act(proposal.id, cast[Role.FOCIR], "approve",
             terms={**TERMS, "amount": "4000000.00", "term_months": 36})
    make.act(proposal.id, cast[SECOND_FOCIR], "confirm_decision")
    approved = api.get(f"/proposals/{proposal.id}/schedule", sme).json
    assert (approved["terms"]["amount"], len(approved["schedule"])) == ("4000000.00", 36)
    assert approved["totals"]["principal"] == "4000000.00"


def test_the_schedule_downloads_as_csv_and_xlsx_with_spanish_headers(
        api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast)
    sme = cast[Role.SME]
    r = api.get(f"/proposals/{proposal.id}/schedule.csv", sme)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:5] == ["Periodo", "Fecha de pago", "Días", "Saldo inicial", "Interés"]
    assert rows[1][3] == "4500000.00" and rows[-1][0] == "Total"
    assert sum(Decimal(row[6]) for row in rows[1:-1]) == Decimal("4500000.00")

    x = api.get(f"/proposals/{proposal.id}/schedule.xlsx", sme)
    assert x.status_code == 200
    sheet = load_workbook(io.BytesIO(x.data)).active
    header = next(row for row in sheet.iter_rows() if row[0].value == "Periodo")
    first = sheet.cell(header[0].row + 1, 4)
    assert isinstance(first.value, int | float) and first.value == 4500000  # a number
    assert first.number_format == "#,##0.00"
    assert [c.value for c in header][6] == "Capital"


def test_a_proposals_metrics_and_eligibility(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast)
    metrics = api.get(f"/proposals/{proposal.id}/metrics", cast[Role.PROMTEL]).json
    assert metrics["net_cash_flows"][0] == "-4500000.00" and metrics["min_dscr"]
    eligibility = api.get(f"/proposals/{proposal.id}/eligibility", cast[Role.SME]).json
    codes = {c["code"]: c for c in eligibility["checks"]}
    assert set(codes) == {"amount", "term", "grace", "npv", "irr", "dscr", "guarantees",
                          "credit", "location", "social"}
    assert codes["location"]["result"] == "pass"
    assert codes["guarantees"]["reason"].startswith("Las garantías cubren 1.09 veces")
    assert sum(eligibility["summary"].values()) == 10


def test_figures_of_another_companys_proposal_are_not_found(api: ApiClient,
                                                            make: Factory) -> None:
    proposal = make.proposal()
    stranger = make.user(Role.SME)
    for path in ("schedule", "schedule.csv", "schedule.xlsx", "metrics", "eligibility"):
        assert api.get(f"/proposals/{proposal.id}/{path}", stranger).status_code == 404, path
    assert api.post(f"/proposals/{proposal.id}/stress", stranger, json={}).status_code == 404


def test_a_draft_without_terms_has_no_schedule_and_says_why(api: ApiClient,
                                                            make: Factory) -> None:
    cast = make.cast()
    r = api.post("/proposals", cast[Role.SME], json={"title": "Borrador"})
    got = api.get(f"/proposals/{r.json['id']}/schedule", cast[Role.SME])
    assert got.status_code == 422
    assert "monto" in got.json["message"]


def test_monte_carlo_on_a_proposal_is_seeded(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast)
    body = {"scenarios": 2000, "seed": 9, "revenue_sd": 0.2}
    first = api.post(f"/proposals/{proposal.id}/stress", cast[Role.PROMTEL], json=body).json
    again = api.post(f"/proposals/{proposal.id}/stress", cast[Role.PROMTEL], json=body).json
    assert first == again and first["scenarios"] == 2000
    assert set(first["npv"]) == {"p5", "p25", "p50", "p75", "p95"}
    assert 0 <= Decimal(first["probability_npv_negative"]) <= 1
    assert api.post(f"/proposals/{proposal.id}/stress", cast[Role.PROMTEL],
                    json={"scenarios": 10**7}).status_code == 422


def test_the_portfolio_stress_covers_proposals_from_step_six_on(api: ApiClient,
                                                                make: Factory) -> None:
    cast = make.cast()
    early = make.proposal(cast, at=State.PROMTEL_VERIFICATION)
    presented = make.proposal(cast, at=State.FOCIR_FEEDBACK)
    signed = make.proposal(cast, at=State.SIGNED)
    r = api.post("/portfolio/stress", cast[Role.FOCIR],
                 json={"revenue": 0.5, "cost": 1.3, "rate_shift": 0.05, "delay_years": 1})
    assert r.status_code == 200, r.json
    ids = [p["proposal_id"] for p in r.json["proposals"]]
    assert ids == [presented.id, signed.id] and early.id not in ids
    assert all(p["breaks_threshold"] for p in r.json["proposals"])
    assert r.json["breaking"] == 2
    gentle = api.post("/portfolio/stress", cast[Role.FOCIR],
                      json={"revenue": 1, "cost": 1, "rate_shift": 0, "delay_years": 0}).json
    assert [p["stressed_min_dscr"] for p in gentle["proposals"]] == [
        p["base_min_dscr"] for p in gentle["proposals"]]
    assert api.post("/portfolio/stress", cast[Role.SME], json={}).status_code == 403


def _set_policy(api: ApiClient, user: Any, **body: Any) -> Any:
    from datetime import date

    return api.post("/policies", user, json={"effective_from": date.today().isoformat(),
                                             **body})


def test_an_administrator_changes_the_policy_and_the_simulator_follows(
        api: ApiClient, make: Factory) -> None:
    admin = make.user(Role.ADMIN)
    assert _set_policy(api, make.user(Role.PROMTEL), max_term_months=36).status_code == 403
    r = _set_policy(api, admin, max_term_months=36, note="Plazo reducido")
    assert r.status_code == 201, r.json
    assert api.get("/policy").json["parameters"]["max_term_months"] == 36
    assert api.post("/simulations/loan", json=LOAN).status_code == 422
    assert api.post("/simulations/loan", json={**LOAN, "term_months": 36}).status_code == 200
    assert _set_policy(api, admin, max_term_months=30).status_code == 409   # same day
    assert len(api.get("/policies", admin).json) == 1


@pytest.mark.parametrize(("body", "status"), [
    ({"effective_from": "2001-01-01"}, 422), ({"annual_rate": "1.5"}, 422),
    ({"max_grace_months": 50}, 422), ({"haircuts": {"real_estate": "2"}}, 422),
    ({"unknown": 1}, 422),
])
def test_bad_policy_changes_are_refused(api: ApiClient, make: Factory, body: dict,
                                        status: int) -> None:
    from datetime import date

    payload = {"effective_from": date.today().isoformat(), **body}
    assert api.post("/policies", make.user(Role.ADMIN), json=payload).status_code == status


def test_a_decision_keeps_the_policy_it_was_taken_under(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.AGREEMENT)
    assert _set_policy(api, cast[Role.ADMIN], max_amount="5000000.00",
                       annual_rate="0.12").status_code == 201
    after = api.get(f"/proposals/{proposal.id}", cast[Role.SME]).json
    assert after["policy_snapshot"]["max_amount"] == "10000000.00"
    assert after["policy_snapshot"]["annual_rate"] == "0.10"
    schedule = api.get(f"/proposals/{proposal.id}/schedule", cast[Role.SME]).json
    assert schedule["terms"]["annual_rate"] == "0.100000"


def test_the_policy_cli_shows_and_sets(app: Flask) -> None:
    from datetime import date, timedelta

    runner = app.test_cli_runner()
    later = (date.today() + timedelta(days=30)).isoformat()
    r = runner.invoke(args=["policy", "set", "--effective-from", later, "--vat-rate", "0.08",
                            "--haircut", "real_estate=0.4"])
    assert r.exit_code == 0, r.output
    shown = runner.invoke(args=["policy", "show", "--on", later]).output
    assert "vat_rate: 0.08" in shown and "'real_estate': '0.4'" in shown
    assert "vat_rate: 0.16" in runner.invoke(args=["policy", "show"]).output
    bad = runner.invoke(args=["policy", "set", "--effective-from", "2000-01-01"])
    assert bad.exit_code != 0


def test_the_simulate_cli_prints_table_csv_and_json(app: Flask) -> None:
    import json

    runner = app.test_cli_runner()
    table = runner.invoke(args=["simulate", "loan", "--amount", "10000000", "--term", "40",
                                "--grace", "6"])
    assert table.exit_code == 0, table.output
    assert "338,964.95" in table.output and "2,024,808.39" in table.output
    as_csv = runner.invoke(args=["simulate", "loan", "--amount", "1000", "--term", "3",
                                 "--rate", "0", "--format", "csv"]).output
    assert as_csv.splitlines()[3].startswith("3,,,333.34")
    as_json = json.loads(runner.invoke(args=["simulate", "loan", "--amount", "1000", "--term",
                                             "2", "--format", "json"]).output)
    assert as_json["totals"]["principal"] == "1000.00"
    bad = runner.invoke(args=["simulate", "loan", "--amount", "1000", "--term", "3",
                              "--grace", "3"])
    assert bad.exit_code != 0 and "grace" in bad.output
    assert runner.invoke(args=["simulate", "loan", "--amount", "abc", "--term", "3"]
                         ).exit_code != 0


def test_the_simulator_never_answers_500(client: FlaskClient) -> None:
    for body in ([], "x", {"amount": None}, {**LOAN, "amount": "1e40"},
                 {**LOAN, "disbursement_date": "ayer", "day_count": "actual/360"},
                 {**LOAN, "first_due_date": "2026-02-01", "disbursement_date": "2026-06-01"}):
        r = client.post("/api/v1/simulations/loan", json=body)
        assert r.status_code in (400, 422), (body, r.json)
