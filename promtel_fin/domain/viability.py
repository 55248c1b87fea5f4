"""Viability of a five-year projection (docs/rules.md, "Viability conventions").

Flows are at the end of each year 1..5 (year 0 is empty), as a spreadsheet's
``NPV(d; year1..year5)``. NPV, MIRR, paybacks, profitability index and DSCR are computed in
Decimal; the IRR is a root of a polynomial, found with numpy-financial and then given as a
Decimal rate. A figure that does not exist is None.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

import numpy_financial as npf

from .loan import Schedule
from .money import ZERO, cents, ratio

YEARS = 5


@dataclass(frozen=True)
class YearFlow:
    """One projected year, as the SME states it."""

    year: int
    revenue: Decimal
    opex: Decimal
    capex: Decimal
    taxes: Decimal

    @property
    def net(self) -> Decimal:
        """Net cash flow = revenue − operating costs − capex − taxes."""
        return self.revenue - self.opex - self.capex - self.taxes

    @property
    def cfads(self) -> Decimal:
        """Cash flow available for debt service = revenue − operating costs − taxes."""
        return self.revenue - self.opex - self.taxes


@dataclass(frozen=True)
class YearDscr:
    year: int
    cfads: Decimal
    debt_service: Decimal
    dscr: Decimal


@dataclass(frozen=True)
class Metrics:
    """Every viability figure; None where it does not exist."""

    net_cash_flows: tuple[Decimal, ...]
    npv: Decimal
    irr: Decimal | None
    irr_may_not_be_unique: bool
    mirr: Decimal | None
    payback_years: Decimal | None
    discounted_payback_years: Decimal | None
    profitability_index: Decimal | None
    dscr: tuple[YearDscr, ...]
    min_dscr: Decimal | None
    discount_rate: Decimal
    finance_rate: Decimal


def sign_changes(flows: Sequence[Decimal | float]) -> int:
    """Count the sign changes of a series, ignoring zeros."""
    signs = [f > 0 for f in flows if f != 0]
    return sum(1 for a, b in itertools.pairwise(signs) if a != b)


def npv(rate: Decimal, flows: Sequence[Decimal]) -> Decimal:
    """Discount flows of years 1..n to the start of year 1 (spreadsheet NPV)."""
    return sum((f / (1 + rate) ** t for t, f in enumerate(flows, start=1)), ZERO)


IRR_PLACES = Decimal("1e-12")


def irr(flows: Sequence[Decimal]) -> Decimal | None:
    """Give the rate at which NPV is zero, or None when none above −100% exists."""
    if sign_changes(flows) == 0:
        return None
    # Roots of Σ f_t (1+r)^−t for t = 1..n equal those of npf.irr over the same list.
    value = npf.irr([float(f) for f in flows])
    if value != value or value <= -1:  # NaN: no real root
        return None
    # The root is found in floats, good to about 1e-15; twelve places keep every digit that means
    # something and drop the noise, so an IRR of exactly 10% is 0.1, not 0.09999999999999987.
    return Decimal(repr(float(value))).quantize(IRR_PLACES)


def mirr(flows: Sequence[Decimal], finance_rate: Decimal, reinvest_rate: Decimal) -> Decimal | None:
    """Modified IRR with year 0 empty: (FV₅ of positives / PV₀ of negatives)^(1/5) − 1."""
    n = len(flows)
    future = sum((f * (1 + reinvest_rate) ** (n - t) for t, f in enumerate(flows, 1) if f > 0),
                 ZERO)
    present = -sum((f / (1 + finance_rate) ** t for t, f in enumerate(flows, 1) if f < 0), ZERO)
    if future <= 0 or present <= 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 34
        return (future / present) ** (Decimal(1) / n) - 1


def payback(flows: Sequence[Decimal]) -> Decimal | None:
    """Years until the cumulative flow turns non-negative for good, interpolated within the year."""
    cumulative, previous, crossing = ZERO, ZERO, None
    for year, flow in enumerate(flows, start=1):
        previous, cumulative = cumulative, cumulative + flow
        if cumulative < 0:
            crossing = None
        elif crossing is None:
            crossing = Decimal(year - 1) + (-previous / flow if previous < 0 else ZERO)
    return crossing


def profitability_index(years: Sequence[YearFlow], rate: Decimal) -> Decimal | None:
    """PV of the flows without capex / PV of capex; None without capex."""
    capex = npv(rate, [y.capex for y in years])
    if capex <= 0:
        return None
    return npv(rate, [y.net + y.capex for y in years]) / capex


def dscr(years: Sequence[YearFlow], loan: Schedule | None) -> tuple[YearDscr, ...]:
    """Give CFADS / debt service for each loan year that has debt service and a projection."""
    if loan is None:
        return ()
    service = loan.debt_service_by_year()
    return tuple(
        YearDscr(y.year, y.cfads, service[y.year], y.cfads / service[y.year])
        for y in years if service.get(y.year, ZERO) > 0
    )


def evaluate(years: Sequence[YearFlow], discount_rate: Decimal, loan: Schedule | None = None,
             finance_rate: Decimal | None = None) -> Metrics:
    """Compute every figure for a five-year projection and, if given, its loan."""
    ordered = sorted(years, key=lambda y: y.year)
    flows = [y.net for y in ordered]
    finance = finance_rate if finance_rate is not None else (
        loan.terms.annual_rate if loan else discount_rate)
    discounted = [f / (1 + discount_rate) ** t for t, f in enumerate(flows, start=1)]
    coverage = dscr(ordered, loan)
    return Metrics(
        net_cash_flows=tuple(flows),
        npv=npv(discount_rate, flows),
        irr=irr(flows),
        irr_may_not_be_unique=sign_changes(flows) > 1,
        mirr=mirr(flows, finance, discount_rate),
        payback_years=payback(flows),
        discounted_payback_years=payback(discounted),
        profitability_index=profitability_index(ordered, discount_rate),
        dscr=coverage,
        min_dscr=min((c.dscr for c in coverage), default=None),
        discount_rate=discount_rate,
        finance_rate=finance,
    )


def rounded(metrics: Metrics) -> dict[str, object]:
    """Give the figures as shown to people: money to the centavo, rates to 6 places, ratios to
    4 (the DSCRs and the profitability index) and paybacks to 2 (years)."""
    def rate(value: Decimal | None, places: int = 6) -> Decimal | None:
        return None if value is None else ratio(value, places)

    return {
        "net_cash_flows": [cents(f) for f in metrics.net_cash_flows],
        "npv": cents(metrics.npv),
        "irr": rate(metrics.irr),
        "irr_may_not_be_unique": metrics.irr_may_not_be_unique,
        "mirr": rate(metrics.mirr),
        "payback_years": rate(metrics.payback_years, 2),
        "discounted_payback_years": rate(metrics.discounted_payback_years, 2),
        "profitability_index": rate(metrics.profitability_index, 4),
        "dscr": [{"year": c.year, "cfads": cents(c.cfads), "debt_service": cents(c.debt_service),
                  "dscr": ratio(c.dscr)} for c in metrics.dscr],
        "min_dscr": rate(metrics.min_dscr, 4),
        "discount_rate": metrics.discount_rate,
        "finance_rate": metrics.finance_rate,
    }
