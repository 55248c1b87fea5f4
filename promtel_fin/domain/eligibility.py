"""Advisory eligibility checks (docs/rules.md, "Eligibility checks"): each says pass, fail or
review, and why. The decision stays with the people."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from .errors import N_
from .money import pesos, ratio
from .policy import Policy
from .viability import Metrics

PASS, FAIL, REVIEW = "pass", "fail", "review"


@dataclass(frozen=True)
class Check:
    """One check's result, with a reason template (an N_ msgid) and its values."""

    code: str
    result: str
    template: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template.format(**self.params)


@dataclass(frozen=True)
class Applicant:
    """What the checks read from a proposal."""

    amount: Decimal | None
    term_months: int | None
    grace_months: int | None
    guarantees: Sequence[tuple[str, Decimal]]
    bureau_score: int | None
    report_date: date | None
    localities: Sequence[tuple[int | None, bool]]   # (population, priority zone)
    social_sites: int


def _pct(value: Decimal) -> str:
    return f"{ratio(value * 100, 2)}%"


def check_limits(a: Applicant, p: Policy) -> list[Check]:
    """Amount, term and grace within the policy limits."""
    if a.amount is None or a.term_months is None or a.grace_months is None:
        return [Check("limits", REVIEW, N_("The amount, term or grace is not stated yet."))]
    checks = [
        Check("amount", PASS if 0 < a.amount <= p.max_amount else FAIL,
              N_("Amount {amount}; the limit is {limit}."),
              {"amount": pesos(a.amount), "limit": pesos(p.max_amount)}),
        Check("term", PASS if 1 <= a.term_months <= p.max_term_months else FAIL,
              N_("Term of {term} months; the limit is {limit} months."),
              {"term": a.term_months, "limit": p.max_term_months}),
    ]
    grace_ok = 0 <= a.grace_months <= p.max_grace_months and a.grace_months < a.term_months
    checks.append(Check("grace", PASS if grace_ok else FAIL,
                        N_("Grace of {grace} months; the limit is {limit} months and it must be "
                           "shorter than the term."),
                        {"grace": a.grace_months, "limit": p.max_grace_months}))
    return checks


def check_viability(m: Metrics | None, p: Policy) -> list[Check]:
    """NPV ≥ 0, IRR ≥ the discount rate, minimum DSCR ≥ the lender's threshold."""
    if m is None:
        return [Check("viability", REVIEW,
                      N_("The five-year cash flows are incomplete, so viability cannot be "
                         "measured."))]
    checks = [Check("npv", PASS if m.npv >= 0 else FAIL,
                    N_("NPV at {rate} is {npv}; it must not be negative."),
                    {"rate": _pct(m.discount_rate), "npv": pesos(m.npv)})]
    if m.irr is None:
        checks.append(Check("irr", REVIEW, N_("The IRR does not exist for these flows; see the "
                                              "MIRR of {mirr}."),
                            {"mirr": _pct(m.mirr) if m.mirr is not None else "-"}))
    else:
        result = PASS if m.irr >= m.discount_rate else FAIL
        if m.irr_may_not_be_unique:
            result = REVIEW
        checks.append(Check("irr", result,
                            N_("IRR of {irr} against a discount rate of {rate}."),
                            {"irr": _pct(m.irr), "rate": _pct(m.discount_rate)}))
    if m.min_dscr is None:
        checks.append(Check("dscr", REVIEW, N_("There is no debt service within the five "
                                               "projected years to cover.")))
    else:
        checks.append(Check("dscr", PASS if m.min_dscr >= p.dscr_threshold else FAIL,
                            N_("Minimum DSCR of {dscr}; the lender asks for {threshold}."),
                            {"dscr": ratio(m.min_dscr, 2), "threshold": p.dscr_threshold}))
    return checks


def check_guarantees(a: Applicant, p: Policy) -> list[Check]:
    """Guarantee coverage = Σ value × (1 − haircut of its kind) / amount ≥ the policy's.

    A kind the policy has no haircut for takes the haircut of ``other``.
    """
    if not a.amount:
        return [Check("guarantees", REVIEW, N_("Coverage needs the amount requested."))]
    covered = sum((value * (1 - p.haircuts.get(kind, p.haircuts["other"]))
                   for kind, value in a.guarantees), Decimal(0))
    coverage = covered / a.amount
    return [Check("guarantees", PASS if coverage >= p.guarantee_coverage else FAIL,
                  N_("Guarantees cover {coverage} times the amount after haircuts; the policy "
                     "asks for {required}."),
                  {"coverage": ratio(coverage, 2), "required": p.guarantee_coverage})]


def check_credit(a: Applicant, p: Policy, today: date) -> list[Check]:
    """A bureau score at or above the threshold, from a report no older than the policy allows.

    A report older than that is left to review rather than failed.
    """
    if a.bureau_score is None or a.report_date is None:
        return [Check("credit", REVIEW, N_("The credit bureau score or report date is missing."))]
    age = (today - a.report_date).days
    if age > p.credit_report_max_age_days:
        return [Check("credit", REVIEW,
                      N_("The credit report is {age} days old; it may be at most {limit}."),
                      {"age": age, "limit": p.credit_report_max_age_days})]
    return [Check("credit", PASS if a.bureau_score >= p.min_bureau_score else FAIL,
                  N_("Bureau score {score}; the minimum is {minimum}."),
                  {"score": a.bureau_score, "minimum": p.min_bureau_score})]


def check_location(a: Applicant, p: Policy) -> list[Check]:
    """A locality under the rural threshold (INEGI: 2,500) or in a priority zone."""
    if any(zone for _pop, zone in a.localities):
        return [Check("location", PASS, N_("At least one locality is in a priority zone."))]
    known = [pop for pop, _zone in a.localities if pop is not None]
    if any(pop < p.rural_population_threshold for pop in known):
        return [Check("location", PASS,
                      N_("At least one locality has fewer than {threshold} inhabitants."),
                      {"threshold": f"{p.rural_population_threshold:,}"})]
    if len(known) < len(a.localities) or not a.localities:
        return [Check("location", REVIEW,
                      N_("State the population of each locality, or mark priority zones."))]
    return [Check("location", FAIL,
                  N_("No locality has fewer than {threshold} inhabitants or is a priority zone."),
                  {"threshold": f"{p.rural_population_threshold:,}"})]


def check_social(a: Applicant) -> list[Check]:
    """At least one school, health centre, library or civic square served."""
    if a.social_sites:
        return [Check("social", PASS, N_("Serves {count} social sites."),
                      {"count": a.social_sites})]
    return [Check("social", FAIL, N_("Serves no school, health centre, library or civic square."))]


def evaluate(a: Applicant, metrics: Metrics | None, policy: Policy, today: date) -> list[Check]:
    """Run every check, in the order docs/rules.md lists them."""
    return [*check_limits(a, policy), *check_viability(metrics, policy),
            *check_guarantees(a, policy), *check_credit(a, policy, today),
            *check_location(a, policy), *check_social(a)]
