"""Who may see which proposals: the one rule every read of proposals applies, as SQL.

SMEs see their company's proposals; FOCIR sees a proposal once PROMTEL has presented it;
PROMTEL and administrators see all. The rule is named by a scope (and the SME's company) so that
statements built once can take the company as a bound parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, false, true

from ..domain.workflow import Role
from ..models import Proposal, User

SCOPES: dict[str, Callable[[Any], ColumnElement[bool]]] = {
    "all": lambda _company: true(),
    "presented": lambda _company: Proposal.presented_at.is_not(None),
    "company": lambda company: Proposal.company_id == company,
    "none": lambda _company: false(),
}


def scope(user: User) -> tuple[str, int | None]:
    """Name what this user may see, and the company it is limited to (SMEs)."""
    role = Role(user.role)
    if role == Role.SME:
        return ("company", user.company_id) if user.company_id else ("none", None)
    if role == Role.FOCIR:
        return "presented", None
    return "all", None


def visible_to(user: User) -> ColumnElement[bool]:
    """Give the condition on Proposal for what this user may see."""
    name, company = scope(user)
    return SCOPES[name](company)
