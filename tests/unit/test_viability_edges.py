"""Viability figures at their edges: a cumulative flow of exactly zero, fractions of a peso,
negative flows after the first year, and which finance rate the MIRR takes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from promtel_fin.domain.loan import LoanTerms, schedule
from promtel_fin.domain.numbers import NumberError, parse_money
from promtel_fin.domain.viability import YearFlow, evaluate, mirr, payback, sign_changes

D = Decimal


def years(nets: list[str]) -> list[YearFlow]:
    return [YearFlow(t, max(D(n), D(0)), max(-D(n), D(0)), D(0), D(0))
            for t, n in enumerate(nets, start=1)]


def test_payback_counts_a_cumulative_flow_of_exactly_zero_as_paid_back() -> None:
    assert payback([D(-100), D(100), D(0), D(0), D(0)]) == D(2)
    assert payback([D(-100), D(60), D(40), D(-1), D(1)]) == D(5)


def test_flows_of_less_than_a_peso_still_count_as_positive() -> None:
    assert sign_changes([D("-1"), D("0.50"), D("0"), D("-0.25")]) == 2
    assert mirr([D("-1"), D("0.50"), D("0.50"), D("0.50"), D("0.50")], D(0), D(0)) == \
        pytest.approx(D(2) ** (D(1) / 5) - 1)


def test_the_mirr_discounts_each_negative_flow_from_its_own_year() -> None:
    flows = [D(-500), D(-500), D(800), D(600), D(400)]
    future = 800 * 1.1**2 + 600 * 1.1 + 400
    present = 500 / 1.2 + 500 / 1.2**2
    expected = (future / present) ** (1 / 5) - 1
    assert float(mirr(flows, D("0.20"), D("0.10"))) == pytest.approx(expected, rel=1e-12)


def test_the_mirr_finances_at_the_given_rate_else_the_loans_else_the_discount_rate() -> None:
    flows = years(["-1000", "300", "400", "500", "200"])
    loan = schedule(LoanTerms(D("1000"), D("0.12"), D("0"), 12, 0, "level"))
    assert evaluate(flows, D("0.10")).finance_rate == D("0.10")
    assert evaluate(flows, D("0.10"), loan).finance_rate == D("0.12")
    given = evaluate(flows, D("0.10"), loan, finance_rate=D("0.07"))
    assert given.finance_rate == D("0.07")
    assert given.mirr == mirr([f for f in given.net_cash_flows], D("0.07"), D("0.10"))


def test_every_figure_of_a_projection_is_put_together() -> None:
    metrics = evaluate(years(["-1000", "300", "400", "500", "200"]), D("0.10"))
    assert metrics.net_cash_flows == (D(-1000), D(300), D(400), D(500), D(200))
    assert metrics.payback_years == D("3.6")                       # 3 + 300/500
    # discounted: -909.09, 247.93, 300.53, 341.51, 124.18 → 4 + 19.12/124.18
    assert float(metrics.discounted_payback_years) == pytest.approx(4 + 19.1217 / 124.1843,
                                                                    abs=1e-4)
    assert metrics.profitability_index is None                     # no capex
    assert metrics.dscr == () and metrics.min_dscr is None
    assert metrics.discount_rate == D("0.10")


def test_years_given_out_of_order_are_taken_in_order() -> None:
    flows = years(["-1000", "300", "400", "500", "200"])
    assert evaluate(list(reversed(flows)), D("0.10")).net_cash_flows[0] == D(-1000)


@pytest.mark.parametrize("value", [D("5"), b"5", None, [], True])
def test_only_text_and_json_numbers_are_read_as_money(value: object) -> None:
    with pytest.raises(NumberError) as caught:
        parse_money(value)
    assert caught.value.code == "format"
