"""What a proposal must contain before it is submitted for review."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import N_, Reason, reason

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
    term, grace = document.get("term_months"), document.get("grace_months")
    if term is not None and grace is not None and grace >= term:
        problems.append(reason(
            "grace_not_less_than_term",
            N_("The grace period ({grace} months) must be shorter than the term ({term} months)."),
            field="grace_months", grace=grace, term=term))
    return problems
