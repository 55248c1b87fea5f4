"""Sign-in with growing delays per e-mail address instead of a lockout.

Failures are counted per SHA-256 of the lower-cased e-mail, whether or not it has an account,
so the delays reveal nothing about which addresses exist. While a delay runs the password is not
even checked; a success starts the count over. Guessing across many accounts is limited per
client address in ``security.py``.
"""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..domain.throttle import FORGET_AFTER_SECONDS, Backoff
from ..models import User, utcnow
from ..models.access import LoginFailures
from . import users


class TooSoon(Exception):
    """A sign-in came before the delay after the last failures ran out."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(f"retry after {retry_after} s")


def _key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode("utf-8", "surrogatepass")).hexdigest()


def seconds_to_wait(session: Session, email: str, backoff: Backoff) -> int:
    """Give how many seconds this e-mail address must still wait before the next try."""
    row = session.get(LoginFailures, _key(email))
    if row is None:
        return 0
    elapsed = (utcnow() - row.last_failure_at).total_seconds()
    if elapsed >= FORGET_AFTER_SECONDS:
        return 0
    return max(0, math.ceil(backoff.delay(row.failures) - elapsed))


def _record_failure(session: Session, email: str) -> None:
    key, now = _key(email), utcnow()
    forgotten = now - timedelta(seconds=FORGET_AFTER_SECONDS)
    session.execute(delete(LoginFailures).where(LoginFailures.last_failure_at < forgotten))
    counted = session.execute(update(LoginFailures).where(LoginFailures.email_sha256 == key)
                              .values(failures=LoginFailures.failures + 1, last_failure_at=now))
    if counted.rowcount == 0:  # type: ignore[attr-defined]
        session.add(LoginFailures(email_sha256=key, failures=1, last_failure_at=now))
    try:
        session.commit()
    except IntegrityError:   # another failure for the same address inserted it first
        session.rollback()
        session.execute(update(LoginFailures).where(LoginFailures.email_sha256 == key)
                        .values(failures=LoginFailures.failures + 1, last_failure_at=now))
        session.commit()


def sign_in(session: Session, email: str, password: str, backoff: Backoff) -> User | None:
    """Answer the active user with these credentials, or None; raise TooSoon during a delay."""
    wait = seconds_to_wait(session, email, backoff)
    if wait > 0:
        raise TooSoon(wait)
    user = users.authenticate(session, email, password)
    if user is None:
        _record_failure(session, email)
    elif session.scalar(select(LoginFailures.failures).where(
            LoginFailures.email_sha256 == _key(email))) is not None:
        session.execute(delete(LoginFailures).where(LoginFailures.email_sha256 == _key(email)))
        session.commit()
    return user
