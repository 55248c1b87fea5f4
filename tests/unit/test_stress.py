"""The vectorized stress engine agrees with the plain numpy-financial loop."""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest

from promtel_fin.domain.stress import (
    Shocks,
    Uncertainty,
    base_from,
    delayed_revenue,
    draw,
    evaluate,
    evaluate_loop,
    irr_many,
    monte_carlo,
)

FLOWS = dict(revenue=[2_900_000, 4_000_000, 4_300_000, 4_500_000, 4_700_000],
             opex=[1_200_000, 1_350_000, 1_400_000, 1_450_000, 1_500_000],
             capex=[4_800_000, 200_000, 150_000, 150_000, 150_000],
             taxes=[50_000, 350_000, 420_000, 470_000, 500_000])


def base(method: str = "level", rate: float = 0.10, grace: int = 6, term: int = 40):
    return base_from(**FLOWS, amount=4_500_000, annual_rate=rate, vat_rate=0.16,
                     term_months=term, grace_months=grace, method=method, discount_rate=0.10)


def _max_rel(a: np.ndarray, b: np.ndarray, floor: float) -> float:
    assert (np.isnan(a) == np.isnan(b)).all()
    known = ~np.isnan(a)
    if not known.any():
        return 0.0
    return float((np.abs(a[known] - b[known]) / np.maximum(np.abs(b[known]), floor)).max())


@pytest.mark.parametrize(("method", "rate", "grace", "term"), [
    ("level", 0.10, 6, 40), ("equal_principal", 0.10, 6, 40), ("level", 0.0, 0, 12),
    ("level", 0.25, 3, 60), ("equal_principal", 0.05, 0, 1),
])
def test_vectorized_and_loop_agree_to_one_in_a_billion(method: str, rate: float, grace: int,
                                                        term: int) -> None:
    shocks = draw(300, 7, Uncertainty(revenue_sd=0.4, cost_sd=0.3, rate_sd=0.03,
                                      mean_delay_years=0.6))
    b = base(method, rate, grace, term)
    fast, slow = evaluate(b, shocks), evaluate_loop(b, shocks)
    assert _max_rel(fast.npv, slow.npv, 1.0) <= 1e-9
    assert _max_rel(fast.irr, slow.irr, 1e-6) <= 1e-9
    assert _max_rel(fast.min_dscr, slow.min_dscr, 1e-6) <= 1e-9
    assert np.isnan(fast.irr).sum() < 300


def test_no_shock_reproduces_the_base_case() -> None:
    b = base()
    result = evaluate(b, Shocks.single())
    flows = np.array(FLOWS["revenue"]) - FLOWS["opex"] - np.array(FLOWS["capex"]) - FLOWS["taxes"]
    assert result.npv[0] == pytest.approx(npf.npv(0.10, [0, *flows]), rel=1e-12)
    assert result.irr[0] == pytest.approx(npf.irr(flows), rel=1e-10)


def test_revenue_delay_moves_revenue_later() -> None:
    revenue = np.array([10.0, 20.0, 30.0, 40.0, 50.0])
    assert delayed_revenue(revenue, np.array([1.0]))[0].tolist() == [0, 10, 20, 30, 40]
    assert delayed_revenue(revenue, np.array([0.5]))[0].tolist() == [5, 15, 25, 35, 45]
    assert delayed_revenue(revenue, np.array([0.0]))[0].tolist() == revenue.tolist()


def test_irr_many_takes_the_root_closest_to_zero_when_there_are_several() -> None:
    flows = np.array([[-100.0, 230.0, -132.0, 0.0, 0.0], [-100, 60, 60, 0, 0], [1, 1, 1, 1, 1]])
    found = irr_many(flows)
    assert found[0] == pytest.approx(npf.irr(flows[0]))
    assert found[1] == pytest.approx(npf.irr(flows[1]), rel=1e-12)
    assert np.isnan(found[2])


def test_monte_carlo_is_reproducible_from_its_seed() -> None:
    first = monte_carlo(base(), 2000, 42, Uncertainty(), 1.2)
    again = monte_carlo(base(), 2000, 42, Uncertainty(), 1.2)
    other = monte_carlo(base(), 2000, 43, Uncertainty(), 1.2)
    assert first == again
    assert first != other
    assert 0 <= first["probability_min_dscr_below_1"] <= first[
        "probability_min_dscr_below_threshold"] <= 1
    npv = first["npv"]
    assert npv["p5"] <= npv["p25"] <= npv["p50"] <= npv["p75"] <= npv["p95"]


def test_harsher_shocks_raise_the_probability_of_distress() -> None:
    calm = monte_carlo(base(), 3000, 1, Uncertainty(0.05, 0.05, 0.0, 0.0), 1.2)
    rough = monte_carlo(base(), 3000, 1, Uncertainty(0.40, 0.30, 0.03, 1.0), 1.2)
    assert rough["probability_min_dscr_below_threshold"] > calm[
        "probability_min_dscr_below_threshold"]
    assert rough["probability_npv_negative"] > calm["probability_npv_negative"]


@pytest.mark.parametrize(("method", "rate", "grace", "term"), [
    ("level", 0.10, 6, 40), ("equal_principal", 0.10, 6, 40), ("level", 0.0, 2, 30),
    ("level", 1e-9, 0, 24), ("equal_principal", 0.3, 5, 7),
])
def test_closed_form_debt_service_matches_the_exact_schedule(method: str, rate: float,
                                                             grace: int, term: int) -> None:
    """Does the float engine's yearly debt service agree with the centavo schedule?"""
    from decimal import Decimal

    from promtel_fin.domain.loan import LoanTerms, schedule
    from promtel_fin.domain.stress import yearly_debt_service

    exact = schedule(LoanTerms(Decimal("4500000"), Decimal(repr(rate)), Decimal("0.16"), term,
                               grace, method)).debt_service_by_year()
    fast = yearly_debt_service(base(method, rate, grace, term), np.array([rate]))[0]
    for year in range(1, 6):
        # each posted month is rounded to the centavo: at most half a centavo × 3 per month
        assert fast[year - 1] == pytest.approx(float(exact.get(year, 0)), abs=0.02 * 12)
