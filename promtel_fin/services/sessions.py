"""Page sessions kept on the server: the cookie holds a random id, the table its SHA-256.

A session is live until it is ended (sign-out, password change, deactivation), has been idle
too long, or has lived too long. Signing out therefore ends the session everywhere: a copy of
the cookie taken before opens nothing afterwards.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, joinedload

from ..models import User, utcnow
from ..models.access import WebSession

# last_seen_at is written at most this often, not on every request.
TOUCH_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class Lifetime:
    """How long a page session may be idle, and how long it may live in all."""

    idle: timedelta = timedelta(minutes=60)
    absolute: timedelta = timedelta(hours=12)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start_session(session: Session, user: User) -> str:
    """Open a page session for a user who just signed in; give its id for the cookie."""
    session_id = secrets.token_urlsafe(32)
    session.add(WebSession(id_sha256=_digest(session_id), user_id=user.id))
    session.commit()
    return session_id


# Every signed-in page runs this: built once, with the session's digest bound at each call.
_SESSION_ROW = (select(WebSession).options(joinedload(WebSession.user))
                .where(WebSession.id_sha256 == bindparam("digest")))


def session_user(session: Session, session_id: str, lifetime: Lifetime) -> User | None:
    """Give the active user of a live page session, or None; note that it was seen."""
    row = session.scalar(_SESSION_ROW, {"digest": _digest(session_id)})
    now = utcnow()
    if (row is None or row.ended_at is not None or now - row.last_seen_at > lifetime.idle
            or now - row.created_at > lifetime.absolute or not row.user.active):
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        session.commit()
    return row.user


def end_session(session: Session, session_id: str) -> None:
    """End one page session (sign-out)."""
    session.execute(update(WebSession).where(WebSession.id_sha256 == _digest(session_id),
                                             WebSession.ended_at.is_(None))
                    .values(ended_at=utcnow()))
    session.commit()


def end_user_sessions(session: Session, user: User, keep: str | None = None) -> None:
    """End every page session of a user, except the one ``keep`` names; the caller commits."""
    statement = update(WebSession).where(WebSession.user_id == user.id,
                                         WebSession.ended_at.is_(None))
    if keep:
        statement = statement.where(WebSession.id_sha256 != _digest(keep))
    session.execute(statement.values(ended_at=utcnow()))
