"""Loan schedules: known answers worked out by hand or with a spreadsheet, and properties."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promtel_fin.domain.errors import InvalidInput
from promtel_fin.domain.loan import LoanTerms, add_months, schedule

D = Decimal


def test_the_program_example_matches_the_issue_to_the_centavo() -> None:
    plan = schedule(LoanTerms(D("10000000.00"), D("0.10"), D("0.16"), 40, 6, "level"))
    assert {r.payment for r in plan.rows[:6]} == {D("96666.66")}
    assert plan.installment == D("338964.95")
    assert {r.principal + r.interest for r in plan.rows[6:-1]} == {D("338964.95")}
    assert plan.totals.interest == D("2024808.39")
    assert plan.totals.vat == D("323969.32")
    assert plan.totals.principal == D("10000000.00")
    assert plan.rows[-1].closing_balance == D("0.00")


def test_level_payments_match_a_spreadsheets_pmt_ipmt_and_ppmt() -> None:
    # =PMT(1%;12;-100000) = 8,884.88; =IPMT(1%;1;12;-100000) = 1,000.00; =PPMT(...) = 7,884.88
    plan = schedule(LoanTerms(D("100000"), D("0.12"), D("0"), 12, 0, "level"))
    first = plan.rows[0]
    assert plan.installment == D("8884.88")
    assert (first.interest, first.principal, first.vat) == (D("1000.00"), D("7884.88"), D("0.00"))
    # =IPMT(1%;2;12;-100000) = 921.15 (balance 92,115.12 × 1%)
    assert plan.rows[1].interest == D("921.15")
    assert sum(r.principal for r in plan.rows) == D("100000.00")


def test_equal_principal_with_grace_and_vat_worked_by_hand() -> None:
    plan = schedule(LoanTerms(D("120000"), D("0.12"), D("0.16"), 4, 2, "equal_principal"))
    assert [(r.interest, r.vat, r.principal, r.payment) for r in plan.rows] == [
        (D("1200.00"), D("192.00"), D("0.00"), D("1392.00")),
        (D("1200.00"), D("192.00"), D("0.00"), D("1392.00")),
        (D("1200.00"), D("192.00"), D("60000.00"), D("61392.00")),
        (D("600.00"), D("96.00"), D("60000.00"), D("60696.00")),
    ]
    assert plan.installment is None


def test_zero_interest_splits_the_amount_and_the_last_month_takes_the_remainder() -> None:
    for method in ("level", "equal_principal"):
        plan = schedule(LoanTerms(D("1000"), D("0"), D("0.16"), 3, 0, method))
        assert [r.payment for r in plan.rows] == [D("333.33"), D("333.33"), D("333.34")]
        assert plan.totals.interest == plan.totals.vat == D("0.00")


def test_half_a_centavo_rounds_up() -> None:
    plan = schedule(LoanTerms(D("1000.50"), D("0.12"), D("0.16"), 1, 0, "level"))
    row = plan.rows[0]
    assert row.interest == D("10.01")         # 10.005 rounds half up, not to even
    assert row.vat == D("1.60")               # 1.6016
    assert row.payment == D("1012.11")


def test_actual_360_uses_the_days_between_due_dates() -> None:
    plan = schedule(LoanTerms(D("100000"), D("0.12"), D("0"), 2, 0, "level", "actual/360",
                              date(2026, 1, 15), date(2026, 2, 15)))
    first, second = plan.rows
    assert plan.installment == D("50751.24")
    assert (first.due_date, first.days, first.interest) == (date(2026, 2, 15), 31, D("1033.33"))
    assert first.principal == D("49717.91")
    assert (second.due_date, second.days) == (date(2026, 3, 15), 28)
    assert second.interest == D("469.30")     # 50,282.09 × 12% × 28 / 360 = 469.2996
    assert second.principal == D("50282.09") and second.closing_balance == D("0.00")


def test_due_dates_keep_the_day_or_fall_on_the_months_last_day() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 31), 2) == date(2026, 3, 31)
    assert add_months(date(2027, 12, 15), 2) == date(2028, 2, 15)
    plan = schedule(LoanTerms(D("5000"), D("0.10"), D("0.16"), 3, 0, "level",
                              first_due_date=date(2026, 1, 31)))
    assert [r.due_date for r in plan.rows] == [date(2026, 1, 31), date(2026, 2, 28),
                                               date(2026, 3, 31)]


@pytest.mark.parametrize(("terms", "code"), [
    (LoanTerms(D("1000"), D("0.1"), D("0.16"), 6, 6), "grace_not_less_than_term"),
    (LoanTerms(D("-5"), D("0.1"), D("0.16"), 6, 0), "amount_not_positive"),
    (LoanTerms(D("1000"), D("0.1"), D("0.16"), 6, 0, "balloon"), "method_unknown"),
    (LoanTerms(D("1000"), D("0.1"), D("0.16"), 6, 0, "level", "actual/360"),
     "disbursement_required"),
    (LoanTerms(D("1000"), D("0.1"), D("0.16"), 6, 0, "level", "30/360", date(2026, 5, 1),
               date(2026, 4, 1)), "first_due_date_out_of_range"),
])
def test_impossible_terms_are_refused_with_a_reason(terms: LoanTerms, code: str) -> None:
    with pytest.raises(InvalidInput) as error:
        schedule(terms)
    assert code in {r.code for r in error.value.reasons}


def _cents(value: Decimal) -> Decimal:
    return value.quantize(D("0.01"), rounding=ROUND_HALF_UP)


@st.composite
def loans(draw: st.DrawFn) -> LoanTerms:
    term = draw(st.integers(1, 40))
    return LoanTerms(
        amount=D(draw(st.integers(100_000, 1_000_000_000))) / 100,
        annual_rate=D(draw(st.integers(0, 3000))) / 10_000,
        vat_rate=draw(st.sampled_from([D("0"), D("0.16"), D("0.08")])),
        term_months=term,
        grace_months=draw(st.integers(0, term - 1)),
        method=draw(st.sampled_from(["level", "equal_principal"])),
    )


@settings(max_examples=300, deadline=None)
@given(loans())
def test_every_schedule_adds_up_and_closes_at_zero(terms: LoanTerms) -> None:
    plan = schedule(terms)
    rows = plan.rows
    assert len(rows) == terms.term_months
    assert sum(r.principal for r in rows) == terms.amount
    assert rows[-1].closing_balance == D("0.00")
    rate = terms.annual_rate / 12
    opening = terms.amount
    for row in rows:
        assert row.opening_balance == opening
        assert min(row.interest, row.vat, row.principal, row.payment, row.closing_balance) >= 0
        assert row.interest == _cents(row.opening_balance * rate)
        assert row.vat == _cents(row.interest * terms.vat_rate)
        assert row.payment == row.principal + row.interest + row.vat
        assert row.closing_balance == row.opening_balance - row.principal
        if row.period <= terms.grace_months:
            assert row.principal == 0
        opening = row.closing_balance
    assert plan.totals.payment == sum(r.payment for r in rows)
