"""Administrators' work on accounts, each change sealed in the history with who made it.

Creating an account, changing a role, deactivating or reactivating, and setting a temporary
password are written to the keyed history's ``system`` stream (see services/history.py) in the
same transaction as the change, with the administrator as actor (none from the CLI), so that
``audit verify`` covers them like every workflow step.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.errors import N_, Forbidden, InvalidInput, NotFound, reason
from ..domain.identifiers import normalize_rfc, person_rfc_problems
from ..domain.workflow import Role
from ..models import User
from . import history, users
from .proposals import MAX_ID
from .sessions import end_user_sessions
from .uow import transactional


def _require_admin(actor: User | None) -> None:
    if actor is not None and Role(actor.role) != Role.ADMIN:
        raise Forbidden(reason("admin_only_users",
                               N_("Only an administrator can manage users.")))


def _target(session: Session, actor: User | None, user_id: int) -> User:
    _require_admin(actor)
    target = session.get(User, user_id) if 0 < user_id <= MAX_ID else None
    if target is None:
        raise NotFound(reason("user_not_found", N_("User {id} was not found."), id=user_id))
    if actor is not None and target.id == actor.id:
        raise Forbidden(reason("not_yourself",
                               N_("You cannot change your own account from here; ask another "
                                  "administrator.")))
    return target


def user_to_change(session: Session, actor: User, user_id: int) -> User:
    """Give an account an administrator may change (not their own), e.g. to confirm a change."""
    return _target(session, actor, user_id)


def list_users(session: Session, actor: User) -> list[User]:
    """Give every account, by role and e-mail (administrators only)."""
    _require_admin(actor)
    return list(session.scalars(select(User).order_by(User.role, User.email)))


@transactional
def create_account(session: Session, actor: User | None, email: str, password: str, role: str,
                   name: str = "", company_rfc: str | None = None,
                   company_name: str | None = None, rfc: str | None = None) -> User:
    """Create an account (an SME's needs its company's RFC) and record who created it.

    ``rfc`` is the person's own RFC, which a FOCIR officer's e.firma must name to sign."""
    _require_admin(actor)
    if role not in [r.value for r in Role]:
        raise InvalidInput(reason("role_unknown", N_("Choose a role."), field="role"))
    if rfc:
        rfc = normalize_rfc(rfc)
        if problems := person_rfc_problems(rfc):
            raise InvalidInput(*problems)
    company = users.get_or_create_company(session, company_rfc, company_name) \
        if company_rfc else None
    user = users.create_user(session, email, password, role, name=name, company=company,
                             commit=False)
    user.rfc = rfc or None
    session.flush()
    history.append_system(session, "user_created", actor, payload={
        "user_id": user.id, "email": user.email, "role": user.role,
        "company_id": user.company_id, **({"rfc": user.rfc} if user.rfc else {})})
    session.commit()
    return user


@transactional
def set_role(session: Session, actor: User | None, user_id: int, role: str) -> User:
    """Give an account another role; an SME role needs a company. Recorded with the actor."""
    target = _target(session, actor, user_id)
    if role not in [r.value for r in Role] or (role == Role.SME and not target.company_id):
        raise InvalidInput(reason("role_not_possible",
                                  N_("That role cannot be given to this user."), field="role"))
    if role != target.role:
        history.append_system(session, "user_role_changed", actor, payload={
            "user_id": target.id, "from": target.role, "to": role})
        target.role = role
    session.commit()
    return target


@transactional
def set_active(session: Session, actor: User | None, user_id: int, active: bool) -> User:
    """Deactivate (ending every session and token) or reactivate an account; recorded."""
    target = _target(session, actor, user_id)
    if active != target.active:
        history.append_system(session, "user_activated" if active else "user_deactivated",
                              actor, payload={"user_id": target.id})
        target.active = active
    session.commit()
    return target


@transactional
def reset_password(session: Session, actor: User | None, user_id: int, password: str) -> User:
    """Set a temporary password for someone locked out; their sessions and tokens end."""
    target = _target(session, actor, user_id)
    problems = users.password_problems(password, target.email, target.name, target.company)
    if problems:
        raise InvalidInput(*[replace(p, field="password") for p in problems])
    target.password_hash = users.hash_password(password)
    users.revoke_tokens(session, target)
    end_user_sessions(session, target)
    history.append_system(session, "user_password_reset", actor,
                          payload={"user_id": target.id})
    session.commit()
    return target
