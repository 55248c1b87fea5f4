"""Eligibility checks: each gives pass, fail or review with its reason."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from promtel_fin.domain.eligibility import Applicant, evaluate
from promtel_fin.domain.loan import LoanTerms, schedule
from promtel_fin.domain.policy import Policy
from promtel_fin.domain.viability import YearFlow
from promtel_fin.domain.viability import evaluate as viability

D = Decimal
TODAY = date(2026, 11, 22)


def applicant(**changes: Any) -> Applicant:
    values: dict[str, Any] = dict(
        amount=D("4500000"), term_months=40, grace_months=6,
        guarantees=[("real_estate", D("10000000"))], bureau_score=690,
        report_date=TODAY - timedelta(days=10), localities=[(1850, False)], social_sites=2)
    values.update(changes)
    return Applicant(**values)


def results(a: Applicant, metrics: Any = None) -> dict[str, tuple[str, str]]:
    return {c.code: (c.result, str(c)) for c in evaluate(a, metrics, Policy(), TODAY)}


def test_a_sound_request_passes_the_non_financial_checks() -> None:
    found = results(applicant())
    for code in ("amount", "term", "grace", "guarantees", "credit", "location", "social"):
        assert found[code][0] == "pass", (code, found[code])
    assert found["viability"][0] == "review"   # no cash flows given


@pytest.mark.parametrize(("changes", "code", "result", "words"), [
    ({"amount": D("12000000")}, "amount", "fail", "$12,000,000.00"),
    ({"term_months": 48}, "term", "fail", "48"),
    ({"grace_months": 8}, "grace", "fail", "8"),
    ({"guarantees": [("real_estate", D("7000000"))]}, "guarantees", "fail", "1.09"),
    ({"guarantees": [("cash_deposit", D("6750000"))]}, "guarantees", "pass", "1.50"),
    ({"bureau_score": 550}, "credit", "fail", "550"),
    ({"report_date": TODAY - timedelta(days=91)}, "credit", "review", "91"),
    ({"bureau_score": None}, "credit", "review", "missing"),
    ({"localities": [(6200, False)]}, "location", "fail", "2,500"),
    ({"localities": [(6200, True)]}, "location", "pass", "priority"),
    ({"localities": [(None, False)]}, "location", "review", "population"),
    ({"social_sites": 0}, "social", "fail", "school"),
])
def test_each_check_gives_its_result_and_reason(changes: dict, code: str, result: str,
                                                words: str) -> None:
    got = results(applicant(**changes))[code]
    assert got[0] == result
    assert words in got[1]


def _metrics(revenue: int) -> Any:
    loan = schedule(LoanTerms(D("4500000"), D("0.10"), D("0.16"), 40, 6, "level"))
    flows = [YearFlow(t, D(revenue), D(600000), D(4800000) if t == 1 else D(0), D(0))
             for t in range(1, 6)]
    return viability(flows, D("0.10"), loan)


def test_viability_checks_read_npv_irr_and_minimum_dscr() -> None:
    strong, weak = results(applicant(), _metrics(4_000_000)), results(applicant(),
                                                                       _metrics(1_500_000))
    assert {k: strong[k][0] for k in ("npv", "irr", "dscr")} == {
        "npv": "pass", "irr": "pass", "dscr": "pass"}
    assert {k: weak[k][0] for k in ("npv", "irr", "dscr")} == {
        "npv": "fail", "irr": "fail", "dscr": "fail"}
    assert "-$" in weak["npv"][1]
