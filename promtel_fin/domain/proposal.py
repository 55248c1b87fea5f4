"""What a proposal must contain before it is submitted for review."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .errors import N_, Reason, reason
from .policy import Policy, limit_problems

TECHNOLOGIES = ("ftth", "fixed_wireless", "small_cells", "wifi_hotspots", "satellite", "other")
SOCIAL_SITE_KINDS = ("school", "health_centre", "library", "civic_square")
GUARANTEE_KINDS = ("real_estate", "movable_property", "cash_deposit", "personal_guarantee", "other")
PROJECTION_YEARS = (1, 2, 3, 4, 5)

_REQUIRED = {
    "title": N_("The project needs a title."),
    "summary": N_("The project needs a summary."),
    "technology": N_("Choose the project's technology."),
    "requested_amount": N_("State the amount you request."),
    "term_months": N_("State the term in months."),
    "grace_months": N_("State the grace months (0 if none)."),
    "amortization_method": N_("Choose the amortization method."),
}


def completeness_problems(document: Mapping[str, Any]) -> list[Reason]:
    """List everything a proposal still lacks before it can be submitted."""
    problems = [
        reason("missing", template, field=name)
        for name, template in _REQUIRED.items()
        if document.get(name) in (None, "")
    ]
    if not document.get("localities"):
        problems.append(reason("missing", N_("Add at least one locality served."),
                               field="localities"))
    if not document.get("social_sites"):
        problems.append(reason(
            "missing",
            N_("Add at least one school, health centre, library or civic square served."),
            field="social_sites"))
    years = sorted(int(flow["year"]) for flow in document.get("cash_flows") or [])
    if years != list(PROJECTION_YEARS):
        problems.append(reason("cash_flows_incomplete",
                               N_("The cash flows must cover years 1 to 5; they cover {years}."),
                               field="cash_flows", years=", ".join(map(str, years)) or "-"))
    return problems


def submission_problems(document: Mapping[str, Any], policy: Policy) -> list[Reason]:
    """List what must change before the proposal can be submitted: gaps, and policy limits.

    While the SME edits, these are shown as what is still to do; at submission they refuse it.
    """
    amount = document.get("requested_amount")
    return completeness_problems(document) + limit_problems(
        Decimal(str(amount)) if amount is not None else None, document.get("term_months"),
        document.get("grace_months"), policy, amount_field="requested_amount")
