"""Viability figures against answers worked out independently (fractions, closed forms)."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import numpy_financial as npf
import pytest

from promtel_fin.domain.loan import LoanTerms, schedule
from promtel_fin.domain.money import cents
from promtel_fin.domain.viability import (
    YearFlow,
    evaluate,
    irr,
    mirr,
    npv,
    payback,
    profitability_index,
    sign_changes,
)

D = Decimal
FLOWS = [D(-1000), D(300), D(400), D(500), D(200)]


def years(nets: list[Decimal], capex: list[Decimal] | None = None) -> list[YearFlow]:
    """Build years whose net flow is ``nets`` (capex separate when given)."""
    capex = capex or [D(0)] * 5
    return [YearFlow(t, n + c if n + c > 0 else D(0), D(0) if n + c > 0 else -(n + c), c, D(0))
            for t, (n, c) in enumerate(zip(nets, capex, strict=True), start=1)]


def test_npv_discounts_each_year_from_its_end_like_a_spreadsheet() -> None:
    exact = sum(Fraction(int(f)) / Fraction(11, 10) ** t for t, f in enumerate(FLOWS, 1))
    assert cents(npv(D("0.10"), FLOWS)) == cents(D(exact.numerator) / D(exact.denominator))
    assert cents(npv(D("0.10"), FLOWS)) == D("105.06")   # =NPV(10%;-1000;300;400;500;200)


def test_irr_of_flows_with_a_known_rate() -> None:
    assert float(irr([D(-1000), D(0), D(0), D(0), D("1464.10")])) == pytest.approx(0.10, abs=1e-12)
    # The IRR is given to 12 places.
    # -100 + 60x + 60x² = 0 with x = 1/(1+r): r = 1/x − 1, x = (−60 + √27600)/120
    expected = 1 / ((-60 + math.sqrt(27600)) / 120) - 1
    assert float(irr([D(-100), D(60), D(60), D(0), D(0)])) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("flows", [[D(100)] * 5, [D(-1)] * 5, [D(0)] * 5])
def test_irr_does_not_exist_when_the_flows_never_change_sign(flows: list[Decimal]) -> None:
    assert irr(flows) is None


def test_flows_changing_sign_twice_are_flagged_and_the_mirr_is_given() -> None:
    flows = [D(-100), D(230), D(-132), D(0), D(0)]    # roots at 10% and 20%
    metrics = evaluate(years(flows), D("0.10"))
    assert sign_changes(flows) == 2
    assert metrics.irr_may_not_be_unique
    assert float(metrics.irr) in (pytest.approx(0.10), pytest.approx(0.20))
    assert metrics.mirr is not None


def test_mirr_follows_the_domain_formula_and_a_spreadsheet() -> None:
    future = 300 * 1.1**3 + 400 * 1.1**2 + 500 * 1.1 + 200
    present = 1000 / 1.1
    expected = (future / present) ** (1 / 5) - 1
    value = float(mirr(FLOWS, D("0.10"), D("0.10")))
    assert value == pytest.approx(expected, rel=1e-12)
    assert value == pytest.approx(npf.mirr([0, *map(float, FLOWS)], 0.10, 0.10), rel=1e-12)
    assert mirr([D(1)] * 5, D("0.1"), D("0.1")) is None


def test_payback_interpolates_within_the_year() -> None:
    assert payback(FLOWS) == D("3.6")                    # 3 + 300/500
    discounted = [f / D("1.1") ** t for t, f in enumerate(FLOWS, 1)]
    assert float(payback(discounted)) == pytest.approx(4 + 19.1217 / 124.1843, abs=1e-4)
    assert payback([D(-1000), D(100), D(100), D(100), D(100)]) is None
    assert payback([D(50)] * 5) == 0


def test_payback_waits_until_the_cumulative_flow_stays_non_negative() -> None:
    assert payback([D(-100), D(150), D(-100), D(100), D(10)]) == D("3.5")


def test_profitability_index_is_pv_without_capex_over_pv_of_capex() -> None:
    flows = years([D(-1000), D(300), D(400), D(500), D(200)],
                  capex=[D(1000), D(0), D(0), D(0), D(0)])
    expected = (300 / 1.1**2 + 400 / 1.1**3 + 500 / 1.1**4 + 200 / 1.1**5) / (1000 / 1.1)
    assert float(profitability_index(flows, D("0.10"))) == pytest.approx(expected, rel=1e-12)
    assert profitability_index(years(FLOWS), D("0.10")) is None   # no capex


def test_dscr_per_loan_year_and_its_minimum() -> None:
    loan = schedule(LoanTerms(D("240000"), D("0"), D("0"), 24, 0, "equal_principal"))
    flows = [YearFlow(1, D(200000), D(50000), D(240000), D(0)),
             YearFlow(2, D(300000), D(100000), D(0), D(20000)),
             YearFlow(3, D(300000), D(100000), D(0), D(20000)),
             YearFlow(4, D(0), D(0), D(0), D(0)), YearFlow(5, D(0), D(0), D(0), D(0))]
    metrics = evaluate(flows, D("0.10"), loan)
    assert [(c.year, c.cfads, c.debt_service) for c in metrics.dscr] == [
        (1, D(150000), D("120000.00")), (2, D(180000), D("120000.00"))]
    assert metrics.min_dscr == D("1.25")


def test_dscr_counts_interest_and_its_vat_as_debt_service() -> None:
    loan = schedule(LoanTerms(D("120000"), D("0.12"), D("0.16"), 12, 0, "equal_principal"))
    service = loan.debt_service_by_year()
    assert service == {1: loan.totals.payment}
    assert loan.totals.payment == D(120000) + loan.totals.interest + loan.totals.vat
