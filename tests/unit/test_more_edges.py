"""Edges the mutation run found untested: rounding half up, dates years ahead, removed fields,
naive moments on a machine in another time zone, tiny amounts, and the Monte Carlo's answer."""

from __future__ import annotations

import time
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pytest

from promtel_fin.domain import stress
from promtel_fin.domain.errors import DomainError, reason
from promtel_fin.domain.history import GENESIS, canonical_json, entry_hash, first_broken, utc_iso
from promtel_fin.domain.loan import LoanTerms, add_months, schedule
from promtel_fin.domain.money import ratio
from promtel_fin.domain.numbers import NumberError, parse_rate
from promtel_fin.domain.policy import Policy
from promtel_fin.domain.revisions import diff
from promtel_fin.domain.viability import YearFlow, evaluate, mirr, profitability_index, rounded

D = Decimal


def test_ratios_round_half_up_not_to_even() -> None:
    assert ratio(D("0.125"), 2) == D("0.13")
    assert ratio(D("1.00005")) == D("1.0001")


def test_due_dates_years_ahead_land_in_the_right_year() -> None:
    assert add_months(date(2026, 1, 15), 24) == date(2028, 1, 15)
    assert add_months(date(2026, 11, 30), 27) == date(2029, 2, 28)


def test_a_removed_field_has_no_value_after() -> None:
    assert diff({"a": 1, "b": 2}, {"b": 2}) == [
        {"field": "a", "change": "removed", "before": 1, "after": None}]


def test_a_domain_error_reads_as_its_reasons_joined() -> None:
    error = DomainError(reason("x", "First {n}.", n=1), reason("y", "Second."))
    assert str(error) == "First 1.; Second."


def test_unknown_policy_keys_are_skipped_wherever_they_come() -> None:
    assert Policy.from_dict({"retired": "1", "max_term_months": 30}).max_term_months == 30


@pytest.fixture
def mexico_city(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TZ", "America/Mexico_City")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_naive_moments_are_utc_whatever_the_machines_time_zone(mexico_city: None) -> None:
    assert utc_iso(datetime(2026, 1, 5, 12, 0)) == "2026-01-05T12:00:00.000000Z"


def test_only_decimals_and_moments_are_hashed_and_anything_else_is_named() -> None:
    with pytest.raises(TypeError, match=r"^cannot hash a set$"):
        canonical_json({"x": {1}})


def test_a_gap_in_the_sequence_names_both_numbers() -> None:
    entries, previous = [], GENESIS
    for seq in (1, 2, 4):
        entry = {"proposal_id": 1, "seq": seq, "actor_id": 1, "actor_role": "sme",
                 "action": "a", "from_state": "x", "to_state": "y", "comment": "",
                 "payload": {}, "revision_number": None,
                 "created_at": datetime(2026, 1, 1), "prev_hash": previous}
        entry["hash"] = previous = entry_hash(entry)
        entries.append(entry)
    assert first_broken(entries) == (4, "sequence jumps from 2 to 4")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_not_a_number_and_infinities_are_refused_as_malformed(value: float) -> None:
    with pytest.raises(NumberError) as caught:
        parse_rate(value)
    assert caught.value.code == "format" and str(caught.value) == "format"


def test_figures_of_less_than_a_peso_still_exist() -> None:
    assert mirr([D("-1"), D("0.2"), D("0.2"), D("0.2"), D("0.2")], D(0), D(0)) == \
        pytest.approx(D("0.8") ** (D(1) / 5) - 1)
    capex = [YearFlow(1, D("1"), D("0"), D("0.50"), D("0")),
             *(YearFlow(t, D("1"), D("0"), D("0"), D("0")) for t in range(2, 6))]
    assert profitability_index(capex, D("0")) == D(10)
    tiny = schedule(LoanTerms(D("1.00"), D("0"), D("0"), 1, 0, "level"))
    covered = evaluate(capex, D("0"), tiny)
    assert [(c.year, c.debt_service, c.dscr) for c in covered.dscr] == [(1, D("1.00"), D("1"))]


def test_figures_that_do_not_exist_are_shown_as_none() -> None:
    flat = [YearFlow(t, D("100"), D("0"), D("0"), D("0")) for t in range(1, 6)]
    shown = rounded(evaluate(flat, D("0.10")))
    assert (shown["irr"], shown["mirr"], shown["profitability_index"], shown["min_dscr"]) == (
        None, None, None, None)
    assert shown["payback_years"] == D("0.00")


def test_the_monte_carlo_answers_its_probabilities_over_every_scenario() -> None:
    base = stress.base_from([2_000_000] * 5, [1_500_000] * 5, [3_000_000, 0, 0, 0, 0],
                            [0] * 5, amount=3_000_000, annual_rate=0.10, vat_rate=0.16,
                            term_months=40, grace_months=6, method="level", discount_rate=0.10)
    spec = stress.Uncertainty(revenue_sd=0.3, cost_sd=0.2, rate_sd=0.02, mean_delay_years=0.5)
    found = stress.monte_carlo(base, 400, 5, spec, 1.2)
    results = stress.evaluate(base, stress.draw(400, 5, spec))
    dscr = results.min_dscr[~np.isnan(results.min_dscr)]
    assert found == {
        "scenarios": 400, "seed": 5,
        "probability_min_dscr_below_1": float((dscr < 1.0).sum() / 400),
        "probability_min_dscr_below_threshold": float((dscr < 1.2).sum() / 400),
        "probability_npv_negative": float((results.npv < 0).sum() / 400),
        "share_without_irr": float(np.isnan(results.irr).sum() / 400),
        "npv": stress._summary(results.npv), "irr": stress._summary(results.irr),
        "min_dscr": stress._summary(results.min_dscr), "dscr_threshold": 1.2,
    }
    assert 0 < found["probability_npv_negative"] < 1
    assert 0 < found["probability_min_dscr_below_threshold"] < 1
    assert 0 < found["share_without_irr"] < 1


@pytest.mark.parametrize("text", ["1E+5", "1 000", "1,00", "--1", "١٢٣", ""])
def test_malformed_numbers_are_refused_as_malformed_not_as_too_long(text: str) -> None:
    with pytest.raises(NumberError) as caught:
        parse_rate(text)
    assert caught.value.code == "format"
