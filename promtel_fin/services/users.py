"""People: accounts, passwords (argon2), API tokens and SME self-registration."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, event, func, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..domain import passwords
from ..domain.errors import N_, Conflict, InvalidInput, Reason, reason
from ..domain.identifiers import normalize_rfc, rfc_problems
from ..domain.workflow import Role
from ..models import ApiToken, Company, User, utcnow
from .sessions import end_user_sessions
from .uow import transactional

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so both paths take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def password_problems(password: str, email: str = "", name: str = "",
                      company: Company | dict[str, Any] | None = None) -> list[Reason]:
    """List why a new password is refused, guessing from the user's own data too."""
    if isinstance(company, Company):
        company = {"legal_name": company.legal_name, "rfc": company.rfc}
    company = company or {}
    return passwords.password_problems(
        password, (email, name, company.get("legal_name"), company.get("rfc")))


def revoke_tokens(session: Session, user: User) -> None:
    """Revoke every live API token of a user; the caller commits."""
    session.execute(update(ApiToken).where(ApiToken.user_id == user.id,
                                           ApiToken.revoked_at.is_(None))
                    .values(revoked_at=utcnow()))


@transactional
def change_password(session: Session, user: User, current: str, new: str,
                    keep_session: str | None = None) -> None:
    """Change a user's password after checking the current one.

    Every other page session of the user ends and every API token is revoked: whoever had
    learnt the old password is out, except the session that made the change.
    """
    try:
        _hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise InvalidInput(reason("password_wrong", N_("The current password is not right."),
                                  field="current_password")) from None
    problems = password_problems(new, user.email, user.name, user.company)
    if problems:
        raise InvalidInput(*[replace(p, field="new_password") for p in problems])
    user.password_hash = hash_password(new)
    revoke_tokens(session, user)
    end_user_sessions(session, user, keep=keep_session)
    session.commit()


@event.listens_for(Session, "before_flush")
def _deactivation_ends_access(session: Session, _context: Any, _instances: Any) -> None:
    """End the sessions and tokens of a user deactivated by any path (page, CLI, service)."""
    for user in [o for o in session.dirty if isinstance(o, User)]:
        if user.active is False and inspect(user).attrs.active.history.has_changes():
            with session.no_autoflush:
                revoke_tokens(session, user)
                end_user_sessions(session, user)


def find_user(session: Session, email: str) -> User | None:
    """Find a user by e-mail, case-insensitively."""
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Answer the active user with these credentials, or None."""
    user = find_user(session, email)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.commit()
    return user


@transactional
def create_user(session: Session, email: str, password: str, role: str, *, name: str = "",
                company: Company | None = None, commit: bool = True) -> User:
    """Create an account; SMEs must belong to a company."""
    problems = password_problems(password, email, name, company)
    if Role(role) == Role.SME and company is None:
        problems.append(reason("company_required", N_("An SME user must belong to a company."),
                               field="company"))
    if find_user(session, email) is not None:
        raise Conflict(reason("email_taken", N_("The e-mail {email} is already registered."),
                              field="email", email=email))
    if problems:
        raise InvalidInput(*problems)
    user = _new_user(session, email, password, role, name, company)
    if commit:
        session.commit()
    return user


def _new_user(session: Session, email: str, password: str, role: str, name: str,
              company: Company | None) -> User:
    user = User(email=email.strip().lower(), name=name, password_hash=hash_password(password),
                role=str(Role(role)), company=company, active=True)
    session.add(user)
    return user


def get_or_create_company(session: Session, rfc: str, legal_name: str | None) -> Company:
    """Find a company by RFC, or create it (the CLI's --company-rfc)."""
    number = normalize_rfc(rfc)
    company = session.scalar(select(Company).where(Company.rfc == number))
    if company is not None:
        return company
    errors, _warnings = rfc_problems(number)
    if errors:
        raise InvalidInput(*errors)
    company = Company(rfc=number, legal_name=legal_name or number)
    session.add(company)
    return company


def _company_taken(rfc: str) -> Conflict:
    return Conflict(reason("company_taken",
                           N_("A company with RFC {rfc} is already registered; ask its users "
                              "or PROMTEL for access."), field="company.rfc", rfc=rfc))


@transactional
def register_sme(session: Session, data: dict[str, Any]) -> None:
    """Register a new SME and its first user in one transaction, unless the e-mail has one.

    The caller cannot tell the two apart: an e-mail that already has an account changes nothing,
    yet checks and hashes the password like a new one, so the answer and its timing are the
    same. A company whose RFC is already registered is refused openly (RFCs are public, printed
    on every invoice): joining an existing company goes through its users or PROMTEL.
    """
    company_data = dict(data["company"])
    company_data["rfc"] = normalize_rfc(company_data["rfc"])
    errors, _warnings = rfc_problems(company_data["rfc"])
    problems = password_problems(data["password"], data["email"], data.get("name", ""),
                                 company_data)
    if errors or problems:
        raise InvalidInput(*errors, *problems)
    if session.scalar(select(Company.id).where(Company.rfc == company_data["rfc"])):
        raise _company_taken(company_data["rfc"])
    if find_user(session, data["email"]) is not None:
        hash_password(data["password"])   # the same work as a new account, then nothing
        return
    company = Company(**company_data)
    session.add(company)
    user = _new_user(session, data["email"], data["password"], Role.SME, data.get("name", ""),
                     company)
    user.email_confirmed_at = None   # confirmed by the link mailed now, before submitting
    from .resets import send_confirmation  # resets builds on this module

    send_confirmation(session, user)
    try:
        session.commit()
    except IntegrityError:   # a concurrent registration took the RFC or the e-mail first
        session.rollback()
        if session.scalar(select(Company.id).where(Company.rfc == company_data["rfc"])):
            raise _company_taken(company_data["rfc"]) from None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, ttl_hours: int) -> tuple[str, ApiToken]:
    """Create a bearer token for a user; only its digest is stored."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_sha256=_digest(token),
                   expires_at=utcnow() + timedelta(hours=ttl_hours))
    session.add(row)
    session.commit()
    return token, row


# Every API request runs this: built once, with its token and moment bound at each call.
_TOKEN_USER = select(User).join(ApiToken, ApiToken.user_id == User.id).where(
    ApiToken.token_sha256 == bindparam("digest"), ApiToken.revoked_at.is_(None),
    ApiToken.expires_at > bindparam("now", type_=ApiToken.expires_at.type),
    User.active.is_(True))


def user_for_token(session: Session, token: str) -> User | None:
    """Answer the active user of a live (unexpired, unrevoked) token, or None (one statement)."""
    return session.scalar(_TOKEN_USER, {"digest": _digest(token), "now": utcnow()})


def revoke_token(session: Session, token: str) -> bool:
    """Revoke a token; answer whether it was live."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == _digest(token)))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    session.commit()
    return True
