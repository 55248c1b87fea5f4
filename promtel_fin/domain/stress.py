"""Stress scenarios, many at once: NPV, IRR and minimum DSCR per scenario with numpy arrays.

A scenario multiplies revenue (``revenue``) and operating costs (``cost``), shifts the loan's
annual rate (``rate_shift``, floored at 0%), and delays revenue by ``delay_years`` (fractional:
each year's revenue moves later and the part pushed past year 5 is lost; costs and taxes are not
delayed, which is the prudent reading). This is the one place where money is float: the figures
are for comparing scenarios, not for posting. ``evaluate_loop`` is the plain reference, one
scenario at a time with numpy-financial, against which the vectorized engine is checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy_financial as npf

YEARS = 5


@dataclass(frozen=True)
class Base:
    """A proposal's projection and loan, in floats."""

    revenue: np.ndarray
    opex: np.ndarray
    capex: np.ndarray
    taxes: np.ndarray
    amount: float
    annual_rate: float
    vat_rate: float
    term_months: int
    grace_months: int
    method: str
    discount_rate: float


@dataclass(frozen=True)
class Shocks:
    """One value per scenario for each shock."""

    revenue: np.ndarray
    cost: np.ndarray
    rate_shift: np.ndarray
    delay_years: np.ndarray

    @classmethod
    def single(cls, revenue: float = 1.0, cost: float = 1.0, rate_shift: float = 0.0,
               delay_years: float = 0.0) -> Shocks:
        """Build one scenario."""
        return cls(*(np.array([v], dtype=float) for v in (revenue, cost, rate_shift,
                                                         delay_years)))

    def __len__(self) -> int:
        return len(self.revenue)


@dataclass(frozen=True)
class Results:
    npv: np.ndarray
    irr: np.ndarray        # NaN where no IRR exists
    min_dscr: np.ndarray   # NaN where no debt service falls within the projection


def delayed_revenue(revenue: np.ndarray, delay_years: np.ndarray) -> np.ndarray:
    """Move each year's revenue ``delay_years`` later (S × 5), mixing neighbours linearly."""
    whole = np.floor(delay_years).astype(int)[:, None]
    part = (delay_years - np.floor(delay_years))[:, None]
    index = np.arange(YEARS)[None, :] - whole
    padded = np.concatenate([[0.0, 0.0], revenue])     # position 0 and 1 stand for "before"

    def take(shift: np.ndarray) -> np.ndarray:
        return padded[np.clip(shift + 2, 0, None)] * (shift >= 0)

    return (1 - part) * take(index) + part * take(index - 1)


def _flows(base: Base, shocks: Shocks) -> tuple[np.ndarray, np.ndarray]:
    revenue = delayed_revenue(base.revenue, shocks.delay_years) * shocks.revenue[:, None]
    cfads = revenue - base.opex[None, :] * shocks.cost[:, None] - base.taxes[None, :]
    return cfads - base.capex[None, :], cfads


def yearly_debt_service(base: Base, annual_rates: np.ndarray) -> np.ndarray:
    """Give each scenario's debt service (principal + interest + VAT) per loan year, S × 5.

    Closed forms per year instead of month by month: with c amortizing months from k₀ to k₁
    in a year, level installments pay c·A of principal and interest, and the interest is
    c·A − (B_k₀ − B_k₁₊₁), the installments less the balance paid down; equal principal pays
    c·B/n plus interest on a balance that falls linearly. Grace months pay B·r with its VAT.
    Balances use expm1/log1p, so rates near zero lose no precision.
    """
    rate = annual_rates / 12
    n, g, amount, vat = (base.term_months - base.grace_months, base.grace_months, base.amount,
                         base.vat_rate)
    starts = 12 * np.arange(YEARS)
    grace_months = np.clip(np.minimum(starts + 12, g) - starts, 0, 12)
    first = np.maximum(starts, g) - g                           # k₀ of each year
    last = np.minimum(starts + 12, base.term_months) - g        # k₁ + 1
    count = np.clip(last - first, 0, None)
    last = first + count
    grace = np.outer(rate * amount * (1 + vat), grace_months)
    if base.method == "level":
        log_growth = np.log1p(rate)[:, None]
        zero = (rate == 0)[:, None]
        safe = np.where(zero, 1.0, rate[:, None])
        # S_k = ((1+r)^k − 1)/r, which is k when r = 0.
        def accrued(k: np.ndarray) -> np.ndarray:
            return np.where(zero, k, np.expm1(k * log_growth) / safe)
        installment = np.where(zero, amount / n, amount / accrued(np.array([float(n)])) *
                               np.exp(n * log_growth))
        def balance(k: np.ndarray) -> np.ndarray:
            return amount * np.exp(k * log_growth) - installment * accrued(k)
        paid_down = balance(first.astype(float)) - balance(last.astype(float))
        interest = count * installment - paid_down
        amortizing = count * installment + vat * interest
    else:
        k_sum = (first + last - 1) * count / 2                  # Σ k over the year's months
        interest = rate[:, None] * amount * (count - k_sum / n)
        amortizing = count * amount / n + (1 + vat) * interest
    return grace + np.where(count > 0, amortizing, 0.0)


def _min_dscr(cfads: np.ndarray, service: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(service > 0, cfads / np.where(service > 0, service, 1.0), np.inf)
    lowest = ratios.min(axis=1)
    return np.where(np.isinf(lowest), np.nan, lowest)


def irr_many(flows: np.ndarray, iterations: int = 25) -> np.ndarray:
    """Give each row's IRR (flows at the end of years 1..n), NaN where none exists.

    Bisection on u = log(x), x = 1/(1+r), of P(x) = Σ f_t x^t (Horner's rule) down to a
    bracket of about 7e-7, then three Newton steps (quadratic convergence), for rows whose flows
    change sign once (a single root, by Descartes' rule). Rows that change sign more often go
    to numpy-financial, which picks the root closest to zero, so both engines agree everywhere.
    """
    changes = _sign_changes(np.sign(flows))
    coefficients = flows[:, ::-1].T            # f_n, ..., f_1

    def value(x: np.ndarray) -> np.ndarray:
        total = np.zeros_like(x)
        for c in coefficients:
            total = (total + c) * x
        return total

    def slope(x: np.ndarray) -> np.ndarray:
        total = np.zeros_like(x)
        for power, c in zip(range(len(coefficients), 0, -1), coefficients, strict=True):
            total = total * x + power * c
        return total

    lo = np.full(flows.shape[0], -12.0)   # x tiny: r about 160,000
    hi = np.full(flows.shape[0], 12.0)    # x huge: r about -0.999994
    f_lo, f_hi = value(np.exp(lo)), value(np.exp(hi))
    bracketed = np.sign(f_lo) != np.sign(f_hi)
    for _ in range(iterations):
        mid = (lo + hi) / 2
        f_mid = value(np.exp(mid))
        same = np.sign(f_mid) == np.sign(f_lo)
        lo, f_lo = np.where(same, mid, lo), np.where(same, f_mid, f_lo)
        hi = np.where(same, hi, mid)
    x = np.exp((lo + hi) / 2)
    for _ in range(3):
        with np.errstate(divide="ignore", invalid="ignore"):
            step = value(x) / slope(x)
        x = np.where(np.isfinite(step), x - step, x)
    rate = np.where((changes == 1) & bracketed, 1 / x - 1, np.nan)
    for i in np.flatnonzero(changes > 1):
        found = npf.irr(flows[i])
        rate[i] = found if found == found and found > -1 else np.nan
    return rate


def _sign_changes(signs: np.ndarray) -> np.ndarray:
    """Count sign changes per row, skipping zeros (carry the last non-zero sign forward)."""
    filled = signs.copy()
    for j in range(1, filled.shape[1]):
        filled[:, j] = np.where(filled[:, j] == 0, filled[:, j - 1], filled[:, j])
    return ((filled[:, 1:] != filled[:, :-1]) & (filled[:, :-1] != 0)).sum(axis=1)


def evaluate(base: Base, shocks: Shocks) -> Results:
    """Evaluate every scenario at once."""
    flows, cfads = _flows(base, shocks)
    discount = (1 + base.discount_rate) ** -np.arange(1, YEARS + 1)
    rates = np.maximum(base.annual_rate + shocks.rate_shift, 0.0)
    service = yearly_debt_service(base, rates)
    return Results(npv=flows @ discount, irr=irr_many(flows), min_dscr=_min_dscr(cfads, service))


def evaluate_loop(base: Base, shocks: Shocks) -> Results:
    """Evaluate scenario by scenario with plain numpy-financial calls (the reference)."""
    npv, irr, low = [], [], []
    for i in range(len(shocks)):
        one = Shocks(*(np.array([a[i]]) for a in (shocks.revenue, shocks.cost,
                                                  shocks.rate_shift, shocks.delay_years)))
        revenue = delayed_revenue(base.revenue, one.delay_years)[0] * one.revenue[0]
        cfads = revenue - base.opex * one.cost[0] - base.taxes
        flows = cfads - base.capex
        npv.append(npf.npv(base.discount_rate, [0.0, *flows]))
        found = npf.irr(flows) if _sign_changes(np.sign(flows)[None, :])[0] else np.nan
        irr.append(found if found == found and found > -1 else np.nan)
        rate = max(base.annual_rate + one.rate_shift[0], 0.0) / 12
        n, g = base.term_months - base.grace_months, base.grace_months
        periods = np.arange(1, n + 1)
        if base.method == "level" and rate:
            interest = -npf.ipmt(rate, periods, n, base.amount)
            principal = -npf.ppmt(rate, periods, n, base.amount)
        else:
            interest = rate * base.amount * (1 - (periods - 1) / n)
            principal = np.full(n, base.amount / n)
        payments = [base.amount * rate * (1 + base.vat_rate)] * g + list(
            principal + interest * (1 + base.vat_rate))
        service = [sum(payments[12 * y: 12 * y + 12]) for y in range(YEARS)]
        ratios = [c / s for c, s in zip(cfads, service, strict=True) if s > 0]
        low.append(min(ratios) if ratios else np.nan)
    return Results(np.array(npv), np.array(irr), np.array(low))


def base_from(revenue: Sequence[float], opex: Sequence[float], capex: Sequence[float],
              taxes: Sequence[float], *, amount: float, annual_rate: float, vat_rate: float,
              term_months: int, grace_months: int, method: str, discount_rate: float) -> Base:
    """Build a Base from plain numbers."""
    return Base(np.asarray(revenue, float), np.asarray(opex, float), np.asarray(capex, float),
                np.asarray(taxes, float), float(amount), float(annual_rate), float(vat_rate),
                int(term_months), int(grace_months), method, float(discount_rate))


@dataclass(frozen=True)
class Uncertainty:
    """How the Monte Carlo draws its shocks."""

    revenue_sd: float = 0.15      # revenue multiplier ~ Normal(1, sd), not below 0
    cost_sd: float = 0.10         # operating-cost multiplier ~ Normal(1, sd), not below 0
    rate_sd: float = 0.01         # shift of the annual rate ~ Normal(0, sd)
    mean_delay_years: float = 0.25  # revenue delay ~ Exponential(mean), at most 2 years


PERCENTILES = (5, 25, 50, 75, 95)


def draw(n: int, seed: int, spec: Uncertainty) -> Shocks:
    """Draw ``n`` scenarios reproducibly from ``seed``."""
    rng = np.random.default_rng(seed)
    return Shocks(
        revenue=np.clip(rng.normal(1.0, spec.revenue_sd, n), 0.0, None),
        cost=np.clip(rng.normal(1.0, spec.cost_sd, n), 0.0, None),
        rate_shift=rng.normal(0.0, spec.rate_sd, n),
        delay_years=np.clip(rng.exponential(spec.mean_delay_years, n), 0.0, 2.0)
        if spec.mean_delay_years > 0 else np.zeros(n),
    )


def _summary(values: np.ndarray) -> dict[str, float | None]:
    known = values[~np.isnan(values)]
    if not len(known):
        return {f"p{p}": None for p in PERCENTILES}
    return {f"p{p}": float(v) for p, v in zip(PERCENTILES, np.percentile(known, PERCENTILES),
                                              strict=True)}


def monte_carlo(base: Base, n: int, seed: int, spec: Uncertainty,
                threshold: float) -> dict[str, object]:
    """Run ``n`` seeded scenarios; answer probabilities of distress and percentiles."""
    results = evaluate(base, draw(n, seed, spec))
    dscr = results.min_dscr
    has_dscr = ~np.isnan(dscr)
    return {
        "scenarios": n,
        "seed": seed,
        "probability_min_dscr_below_1": float((dscr[has_dscr] < 1.0).sum() / n),
        "probability_min_dscr_below_threshold": float((dscr[has_dscr] < threshold).sum() / n),
        "probability_npv_negative": float((results.npv < 0).sum() / n),
        "share_without_irr": float(np.isnan(results.irr).sum() / n),
        "npv": _summary(results.npv),
        "irr": _summary(results.irr),
        "min_dscr": _summary(dscr),
        "dscr_threshold": threshold,
    }
