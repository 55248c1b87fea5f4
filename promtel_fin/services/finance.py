"""Figures for a proposal: its schedule, viability metrics, eligibility, and stress runs."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..domain import eligibility, stress, viability
from ..domain.errors import N_, CheckFailed, Forbidden, InvalidInput, Reason, reason
from ..domain.loan import LoanTerms, Schedule, schedule
from ..domain.policy import Policy, check_terms, limit_problems, rate_problems
from ..domain.workflow import STEPS, Role, State
from ..models import Proposal, User
from .policy import current_policy
from .proposals import get_proposal, visible_to

# From step 6 on: presented to FOCIR or later, including signed agreements.
PORTFOLIO_STATES = (*(str(s) for s in STEPS[5:]), str(State.SIGNED))


def loan_terms(proposal: Proposal, policy: Policy) -> LoanTerms | None:
    """Give the approved terms once decided, otherwise the requested ones at the policy's rates."""
    if proposal.approved_terms:
        t = proposal.approved_terms
        return LoanTerms(Decimal(t["amount"]), Decimal(t["annual_rate"]), Decimal(t["vat_rate"]),
                         int(t["term_months"]), int(t["grace_months"]), t["method"])
    if None in (proposal.requested_amount, proposal.term_months, proposal.grace_months,
                proposal.amortization_method):
        return None
    return LoanTerms(proposal.requested_amount, policy.annual_rate, policy.vat_rate,
                     proposal.term_months, proposal.grace_months, proposal.amortization_method)


def year_flows(proposal: Proposal) -> list[viability.YearFlow] | None:
    """Give the five projected years, or None while any is missing."""
    flows = [viability.YearFlow(c.year, c.revenue, c.opex, c.capex, c.taxes)
             for c in proposal.cash_flows]
    return flows if sorted(f.year for f in flows) == [1, 2, 3, 4, 5] else None


@dataclass(frozen=True)
class Figures:
    """Everything computed for a proposal, under one policy."""

    policy: Policy
    terms: LoanTerms | None
    schedule: Schedule | None
    metrics: viability.Metrics | None
    checks: list[eligibility.Check]
    approved: bool


def _no_schedule() -> CheckFailed:
    return CheckFailed(reason("schedule_unavailable",
                              N_("The schedule needs the amount, term, grace and method.")))


def figures_for(proposal: Proposal, policy: Policy, today: date | None = None) -> Figures:
    """Compute the schedule, the metrics and the eligibility checks of a loaded proposal."""
    terms = loan_terms(proposal, policy)
    try:
        plan = schedule(terms) if terms else None
    except InvalidInput:  # terms that cannot make a schedule are reported by the checks
        plan = None
    flows = year_flows(proposal)
    metrics = (viability.evaluate(flows, policy.discount_rate, plan,
                                  terms.annual_rate if terms else policy.annual_rate)
               if flows else None)
    applicant = eligibility.Applicant(
        amount=terms.amount if terms else proposal.requested_amount,
        term_months=terms.term_months if terms else proposal.term_months,
        grace_months=terms.grace_months if terms else proposal.grace_months,
        guarantees=[(g.kind, g.value) for g in proposal.guarantees],
        bureau_score=proposal.bureau_score, report_date=proposal.credit_report_date,
        localities=[(loc.population, loc.priority_zone) for loc in proposal.localities],
        social_sites=len(proposal.social_sites),
    )
    checks = eligibility.evaluate(applicant, metrics, policy, today or date.today())
    return Figures(policy, terms, plan, metrics, checks, bool(proposal.approved_terms))


def proposal_figures(session: Session, user: User, proposal_id: int) -> Figures:
    """Load a proposal this user may see and compute its figures under the policy in force."""
    proposal = get_proposal(session, user, proposal_id)
    return figures_for(proposal, current_policy(session))


def proposal_schedule(session: Session, user: User, proposal_id: int) -> Schedule:
    """Give the proposal's schedule, or a 422 saying amount, term, grace and method are needed."""
    proposal = get_proposal(session, user, proposal_id, options=())
    terms = loan_terms(proposal, current_policy(session))
    if terms is None:
        raise _no_schedule()
    return schedule(terms)


@dataclass(frozen=True)
class Preview:
    """What FOCIR sees before deciding: how the typed terms fall outside the policy, and when
    they do not, their schedule and the debt service coverage (DSCR) of the projection."""

    policy: Policy
    problems: list[Reason]
    schedule: Schedule | None
    metrics: viability.Metrics | None


def approval_preview(session: Session, user: User, proposal_id: int,
                     terms: dict[str, Any]) -> Preview:
    """Check the terms an officer typed against the policy in force and, when they fit, give
    their schedule and the DSCR of the proposal's five years under them. Changes nothing."""
    proposal = get_proposal(session, user, proposal_id)
    policy = current_policy(session)
    problems = check_terms(terms, policy)
    if problems:
        return Preview(policy, problems, None, None)
    plan = schedule(LoanTerms(terms["amount"], terms["annual_rate"], terms["vat_rate"],
                              terms["term_months"], terms["grace_months"], terms["method"]))
    flows = year_flows(proposal)
    metrics = (viability.evaluate(flows, policy.discount_rate, plan, terms["annual_rate"])
               if flows else None)
    return Preview(policy, [], plan, metrics)


def simulate_loan(session: Session, data: dict[str, Any], *, may_set_rates: bool) -> Schedule:
    """Build a simulation's schedule under the policy in force.

    Everyone is held to the policy's amount, term and grace limits. The rate and VAT default to
    the policy's; only callers who ``may_set_rates`` (signed-in staff, and the operator's CLI)
    may try others, for analysis. The public gets the program as it is offered.
    """
    rules = current_policy(session)
    values = {**data}
    for name in ("annual_rate", "vat_rate"):
        if values.get(name) is None:
            values[name] = getattr(rules, name)
    terms = LoanTerms(**values)
    problems = limit_problems(terms.amount, terms.term_months, terms.grace_months, rules)
    if not may_set_rates:
        problems += [replace(p, template=PUBLIC_RATES[p.code],
                             params={"policy": f"{(p.params['policy'] * 100).normalize():f}%"})
                     for p in rate_problems(terms.annual_rate, terms.vat_rate, rules)]
    if problems:
        raise InvalidInput(*problems)
    return schedule(terms)


PUBLIC_RATES = {
    "rate_not_policy": N_("The public simulator uses the program's rate of {policy} a year; "
                          "PROMTEL, FOCIR and administrators may try others once signed in."),
    "vat_not_policy": N_("The public simulator uses the VAT of {policy} on the interest; "
                         "PROMTEL, FOCIR and administrators may try others once signed in."),
}


def stress_base(proposal: Proposal, policy: Policy) -> stress.Base | None:
    """Turn a proposal into the float inputs of the stress engine."""
    terms, flows = loan_terms(proposal, policy), year_flows(proposal)
    if terms is None or flows is None:
        return None
    ordered = sorted(flows, key=lambda f: f.year)
    return stress.base_from(
        [f.revenue for f in ordered], [f.opex for f in ordered], [f.capex for f in ordered],
        [f.taxes for f in ordered], amount=terms.amount, annual_rate=terms.annual_rate,
        vat_rate=terms.vat_rate, term_months=terms.term_months, grace_months=terms.grace_months,
        method=terms.method, discount_rate=policy.discount_rate)


def proposal_monte_carlo(session: Session, user: User, proposal_id: int, n: int, seed: int,
                         spec: stress.Uncertainty) -> dict[str, object]:
    """Run a seeded Monte Carlo on the proposal's projection and loan."""
    proposal = get_proposal(session, user, proposal_id)
    policy = current_policy(session)
    base = stress_base(proposal, policy)
    if base is None:
        raise CheckFailed(reason("stress_unavailable",
                                 N_("Stress runs need the loan terms and five years of cash "
                                    "flows.")))
    return stress.monte_carlo(base, n, seed, spec, float(policy.dscr_threshold))


def _finite(value: float) -> float | None:
    """Give a float for JSON, or None where the engine answered NaN (no figure)."""
    return None if value != value else float(value)


def portfolio_stress(session: Session, user: User, shock: stress.Shocks) -> dict[str, object]:
    """Apply one set of shocks to the proposals from step 6 on that the caller may see.

    Proposals without loan terms or five years of cash flows have nothing to stress and are
    left out. FOCIR sees (and stresses) a proposal once PROMTEL has presented it.
    """
    if Role(user.role) == Role.SME:
        raise Forbidden(reason("staff_only", N_("Only PROMTEL, FOCIR and administrators can "
                                                "stress the portfolio.")))
    policy = current_policy(session)
    threshold = float(policy.dscr_threshold)
    proposals = session.scalars(
        select(Proposal).options(joinedload(Proposal.company), selectinload(Proposal.cash_flows))
        .where(Proposal.state.in_(PORTFOLIO_STATES), visible_to(user)).order_by(Proposal.id))
    # Each proposal is evaluated once, on two scenarios: no shock, and the shock given.
    both = stress.Shocks(*(np.array([neutral, value[0]]) for neutral, value in zip(
        (1.0, 1.0, 0.0, 0.0), (shock.revenue, shock.cost, shock.rate_shift, shock.delay_years),
        strict=True)))
    rows = []
    for proposal in proposals:
        base = stress_base(proposal, policy)
        if base is None:
            continue
        results = stress.evaluate(base, both)
        stressed = _finite(results.min_dscr[1])
        rows.append({
            "proposal_id": proposal.id, "title": proposal.title,
            "company": proposal.company.legal_name, "state": proposal.state,
            "base_min_dscr": _finite(results.min_dscr[0]), "stressed_min_dscr": stressed,
            "base_npv": float(results.npv[0]), "stressed_npv": float(results.npv[1]),
            "breaks_threshold": stressed is not None and stressed < threshold,
        })
    return {"dscr_threshold": threshold, "proposals": rows,
            "breaking": sum(1 for r in rows if r["breaks_threshold"])}
