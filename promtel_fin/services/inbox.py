"""A person's notifications in the app: the inbox, what is unread, and e-mail preferences."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from ..domain.errors import N_, NotFound, reason
from ..models import Notification, User, utcnow
from .listing import Slice
from .proposals import MAX_ID
from .uow import transactional

LANGUAGES = ("es", "en")


def _mine(user_id: Any) -> list:   # a user's notifications in the app (an id, or a bindparam)
    return [Notification.user_id == user_id, Notification.in_app.is_(True)]


def list_notifications(session: Session, user: User, unread: bool, after: tuple[int] | None,
                       page_size: int) -> Slice:
    """Give a page of the user's notifications, newest first, after the cursor's id."""
    statement = select(Notification).where(*_mine(user.id))
    if unread:
        statement = statement.where(Notification.read_at.is_(None))
    if after:
        statement = statement.where(Notification.id < after[0])
    rows = list(session.scalars(statement.order_by(Notification.id.desc())
                                .limit(page_size + 1)))
    more = len(rows) > page_size
    rows = rows[:page_size]
    return Slice(items=rows, after=(rows[-1].id,) if more else None)  # type: ignore[arg-type]


# Every signed-in page's header runs this: built once, with the user bound at each call.
_UNREAD = (select(func.count()).select_from(Notification)
           .where(*_mine(bindparam("user_id")), Notification.read_at.is_(None)))


def unread_count(session: Session, user: User) -> int:
    """Count the user's unread notifications shown in the app (one statement, for the
    header)."""
    return session.scalar(_UNREAD, {"user_id": user.id}) or 0


@transactional
def mark_read(session: Session, user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (again: nothing changes); others' are 404."""
    notification = session.scalar(select(Notification).where(
        Notification.id == notification_id, *_mine(user.id))) if 0 < notification_id <= MAX_ID \
        else None
    if notification is None:
        raise NotFound(reason("notification_not_found",
                              N_("Notification {id} was not found."), id=notification_id))
    if notification.read_at is None:
        notification.read_at = utcnow()
        session.commit()
    return notification


@transactional
def mark_all_read(session: Session, user: User) -> int:
    """Mark every unread notification of the user read; answer how many there were."""
    done = session.execute(update(Notification).where(*_mine(user.id),
                                                      Notification.read_at.is_(None))
                           .values(read_at=utcnow()).execution_options(synchronize_session=False))
    session.commit()
    return done.rowcount or 0


@transactional
def set_preferences(session: Session, user: User, email_notifications: bool,
                    language: str | None = None) -> User:
    """Turn e-mail on or off (what needs the user's own action is mailed anyway) and choose the
    language of the e-mails."""
    user.email_notifications = bool(email_notifications)
    if language in LANGUAGES:
        user.language = language
    session.commit()
    return user
