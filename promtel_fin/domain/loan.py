"""Loan amortization schedules, exact to the centavo (docs/rules.md, "Loan schedule conventions").

Monthly periods. The first ``grace`` periods pay interest and its VAT only; the remaining
``term - grace`` periods amortize by ``level`` installments (principal + interest, VAT excluded)
or by ``equal_principal``. Every posted amount is rounded half-up to the centavo and the last
period repays whatever balance remains, so principal sums to the amount and the balance closes
at exactly 0.00.

Day count: ``30/360`` uses annual rate / 12 each month, whatever the dates. ``actual/360``
(which needs a disbursement date; the first due date, when not given, is a month after it)
charges each period the actual days since the previous due date (or the disbursement) / 360;
the level installment is still the one computed at annual rate / 12, and principal =
installment - interest, never below zero. The first due date must fall 1 to
``MAX_FIRST_PERIOD_DAYS`` days after the disbursement, so no period has zero days.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy_financial as npf

from .errors import N_, InvalidInput, Reason, reason
from .money import ZERO, cents

METHODS = ("level", "equal_principal")
DAY_COUNTS = ("30/360", "actual/360")
MAX_FIRST_PERIOD_DAYS = 92


@dataclass(frozen=True)
class LoanTerms:
    """What is lent and how it is repaid."""

    amount: Decimal
    annual_rate: Decimal
    vat_rate: Decimal
    term_months: int
    grace_months: int
    method: str = "level"
    day_count: str = "30/360"
    disbursement_date: date | None = None
    first_due_date: date | None = None


@dataclass(frozen=True)
class Row:
    """One month of the schedule."""

    period: int
    due_date: date | None
    days: int | None
    opening_balance: Decimal
    interest: Decimal
    vat: Decimal
    principal: Decimal
    payment: Decimal
    closing_balance: Decimal


@dataclass(frozen=True)
class Totals:
    interest: Decimal
    vat: Decimal
    principal: Decimal
    payment: Decimal


@dataclass(frozen=True)
class Schedule:
    """The rows, their totals, and the level installment (None for equal principal)."""

    terms: LoanTerms
    rows: tuple[Row, ...]
    installment: Decimal | None
    totals: Totals = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "totals", Totals(
            interest=sum((r.interest for r in self.rows), ZERO),
            vat=sum((r.vat for r in self.rows), ZERO),
            principal=sum((r.principal for r in self.rows), ZERO),
            payment=sum((r.payment for r in self.rows), ZERO),
        ))

    def debt_service_by_year(self) -> dict[int, Decimal]:
        """Sum what is paid to FOCIR in each loan year (months 12(y-1)+1 to 12y)."""
        years: dict[int, Decimal] = {}
        for row in self.rows:
            year = (row.period - 1) // 12 + 1
            years[year] = years.get(year, ZERO) + row.payment
        return years


def terms_problems(terms: LoanTerms) -> list[Reason]:
    """List why these terms cannot make a schedule."""
    problems = []
    if terms.amount <= 0:
        problems.append(reason("amount_not_positive", N_("The amount must be greater than zero."),
                               field="amount"))
    if terms.annual_rate < 0 or terms.vat_rate < 0:
        problems.append(reason("rate_negative", N_("Rates cannot be negative."),
                               field="annual_rate"))
    if terms.term_months < 1:
        problems.append(reason("term_too_short", N_("The term must be at least one month."),
                               field="term_months"))
    if not 0 <= terms.grace_months < max(terms.term_months, 1):
        problems.append(reason(
            "grace_not_less_than_term",
            N_("The grace period ({grace} months) must be shorter than the term ({term} months)."),
            field="grace_months", grace=terms.grace_months, term=terms.term_months))
    if terms.method not in METHODS:
        problems.append(reason("method_unknown", N_("The amortization method {method} is unknown."),
                               field="method", method=terms.method))
    if terms.day_count not in DAY_COUNTS:
        problems.append(reason("day_count_unknown", N_("The day count {day_count} is unknown."),
                               field="day_count", day_count=terms.day_count))
    if terms.day_count == "actual/360" and terms.disbursement_date is None:
        problems.append(reason("disbursement_required",
                               N_("The actual/360 day count needs a disbursement date."),
                               field="disbursement_date"))
    if terms.disbursement_date and terms.first_due_date:
        gap = (terms.first_due_date - terms.disbursement_date).days
        if not 0 < gap <= MAX_FIRST_PERIOD_DAYS:
            problems.append(reason(
                "first_due_date_out_of_range",
                N_("The first due date must fall 1 to {days} days after the disbursement."),
                field="first_due_date", days=MAX_FIRST_PERIOD_DAYS))
    return problems


def add_months(start: date, months: int) -> date:
    """Give the same day ``months`` later, or the month's last day when it is shorter."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _due_dates(terms: LoanTerms) -> Iterator[date | None]:
    first = terms.first_due_date
    if first is None and terms.disbursement_date is not None:
        first = add_months(terms.disbursement_date, 1)
    for k in range(terms.term_months):
        yield add_months(first, k) if first else None


def level_installment(balance: Decimal, monthly_rate: Decimal, periods: int) -> Decimal:
    """Compute A = round(B·r / (1 − (1+r)^−n)) in Decimal with numpy-financial's pmt."""
    return cents(npf.pmt(monthly_rate, periods, -balance))


def schedule(terms: LoanTerms) -> Schedule:
    """Build the month-by-month schedule; raise InvalidInput listing every problem."""
    problems = terms_problems(terms)
    if problems:
        raise InvalidInput(*problems)
    monthly_rate = terms.annual_rate / 12
    amortizing = terms.term_months - terms.grace_months
    actual = terms.day_count == "actual/360"
    balance = cents(terms.amount)
    installment = (level_installment(balance, monthly_rate, amortizing)
                   if terms.method == "level" else None)
    equal_share = cents(balance / amortizing)
    previous = terms.disbursement_date
    rows = []
    for period, due in enumerate(_due_dates(terms), start=1):
        days = (due - previous).days if (due and previous) else None
        if actual and days is not None:
            interest = cents(balance * terms.annual_rate * days / 360)
        else:
            interest = cents(balance * monthly_rate)
        vat = cents(interest * terms.vat_rate)
        if period <= terms.grace_months:
            principal = ZERO
        elif period == terms.term_months:
            principal = balance
        elif installment is not None:
            principal = min(balance, max(ZERO, installment - interest))
        else:
            principal = min(balance, equal_share)
        closing = balance - principal
        rows.append(Row(period=period, due_date=due, days=days, opening_balance=balance,
                        interest=interest, vat=vat, principal=principal,
                        payment=principal + interest + vat, closing_balance=closing))
        balance, previous = closing, due
    return Schedule(terms=terms, rows=tuple(rows), installment=installment)
