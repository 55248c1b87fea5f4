"""The policy in force, its history, and changes by administrators."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.documents import checklist_problems
from ..domain.errors import N_, Conflict, Forbidden, InvalidInput, reason
from ..domain.policy import ChecklistItem, Policy, policy_problems
from ..domain.workflow import Role
from ..models import PolicyVersion, User
from . import history
from .uow import transactional


def _in_force(what: Any, on: date | None) -> Any:
    """Select ``what`` of the version in force on a day (today by default): the latest one
    effective by then."""
    return (select(what).where(PolicyVersion.effective_from <= (on or date.today()))
            .order_by(PolicyVersion.effective_from.desc()).limit(1))


def version_in_force(session: Session, on: date | None = None) -> PolicyVersion | None:
    """Give the stored version in force on a day (today by default), or None."""
    return session.scalar(_in_force(PolicyVersion, on))


def current_policy(session: Session, on: date | None = None) -> Policy:
    """Give the policy in force (docs/rules.md's seed figures until an administrator sets one).

    Only its parameters are read, as a plain value: the queue and the lists ask for it on every
    request, and an ORM object (identity map, state) would cost them more than the rest."""
    parameters = session.scalar(_in_force(PolicyVersion.parameters, on))
    return Policy.from_dict(parameters) if parameters is not None else Policy()


def list_versions(session: Session) -> list[PolicyVersion]:
    """Give every stored version, newest first."""
    return list(session.scalars(select(PolicyVersion)
                                .order_by(PolicyVersion.effective_from.desc())))


@transactional
def set_policy(session: Session, user: User | None, effective_from: date,
               changes: dict[str, Any], note: str = "") -> PolicyVersion:
    """Store a new version from ``effective_from`` on: the current policy with ``changes``.

    Only administrators (or the CLI, with no user) may do this, and never for a past day, so
    that no figure already shown changes behind anyone's back. Decisions already issued keep
    the copy of the policy they were taken under.
    """
    if user is not None and Role(user.role) != Role.ADMIN:
        raise Forbidden(reason("admin_only", N_("Only an administrator can change the policy.")))
    if effective_from < date.today():
        raise InvalidInput(reason("policy_in_past",
                                  N_("A policy change applies from today or a later day."),
                                  field="effective_from"))
    base = current_policy(session, effective_from)
    haircuts = {**base.haircuts, **changes.pop("haircuts", {})}
    if "checklist" in changes:   # the whole checklist, as the API and the page send it
        changes["checklist"] = tuple(ChecklistItem.from_dict(item)
                                     for item in changes["checklist"])
    policy = replace(base, haircuts=haircuts, **changes)
    problems = policy_problems(policy) + checklist_problems(policy.checklist)
    if problems:
        raise InvalidInput(*problems)
    if session.scalar(select(PolicyVersion.id).where(
            PolicyVersion.effective_from == effective_from)):
        raise Conflict(reason("policy_date_taken",
                              N_("A policy already applies from {date}."),
                              field="effective_from", date=effective_from.isoformat()))
    version = PolicyVersion(effective_from=effective_from, parameters=policy.to_dict(),
                            note=note, created_by_id=user.id if user else None)
    session.add(version)
    history.append_system(session, "policy_set", user, comment=note, payload={
        "effective_from": effective_from.isoformat(), "parameters": version.parameters})
    session.commit()
    return version
