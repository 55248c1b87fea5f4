"""The delivery worker: mails what the outbox holds, once, retrying failures with growing delays.

Each notification is claimed in its own transaction with ``SELECT ... FOR UPDATE SKIP LOCKED``
(PostgreSQL), sent, marked and committed: several workers may run at once and none sends what
another holds. SQLite has no row locks: run one worker there. A worker that dies between sending
and committing leaves the row pending, so that message may be sent twice, with the same
``Message-ID`` (chosen when the notification was written), which mail systems use to drop the
duplicate. Failures are tried again after 1, 2, 4, 8... times ``NOTIFY_RETRY_SECONDS`` (at most
six hours apart) and marked ``failed`` after ``NOTIFY_MAX_ATTEMPTS``, or at once when the server
refuses the recipient for good (5xx); the administrator sees them (``/admin/notifications``,
``GET /api/v1/admin/notifications``) and may send them again.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from ..domain.errors import N_, Forbidden, NotFound, reason
from ..domain.workflow import Role
from ..models import EmailToken, Notification, User, utcnow
from ..models.notifications import FAILED, PENDING, SENT, SKIPPED
from .proposals import MAX_ID
from .tokens import link_of
from .uow import transactional

MAX_DELAY = timedelta(hours=6)
ERROR_LENGTH = 1000


@dataclass
class Outcome:
    """What one pass did."""

    sent: int = 0
    skipped: int = 0
    retried: int = 0
    failed: int = 0
    ids: list[int] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.skipped + self.retried + self.failed


def retry_delay(attempts: int, base_seconds: int) -> timedelta:
    """Give the wait after failure number ``attempts``: base, twice it, four times... (<= 6 h)."""
    return min(timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0)), MAX_DELAY)


def _claim(session: Session) -> Notification | None:
    statement = (select(Notification)
                 .where(Notification.email_state == PENDING,
                        Notification.email_due_at <= utcnow())
                 .order_by(Notification.email_due_at, Notification.id).limit(1)
                 .with_for_update(skip_locked=True, of=Notification))
    return session.scalar(statement)


def _permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _msg in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600 \
        and not isinstance(error, smtplib.SMTPServerDisconnected)


Composer = Callable[[Notification, User, str | None], Any]
Sender = Callable[[Any, Mapping[str, Any]], None]


def deliver_one(make_session: sessionmaker[Session], config: Mapping[str, Any],
                compose: Composer, send: Sender, outcome: Outcome) -> bool:
    """Claim, send and mark one due notification; answer False when none is due."""
    with make_session() as session:
        notification = _claim(session)
        if notification is None:
            session.rollback()
            return False
        user = session.get(User, notification.user_id)
        assert user is not None
        now = utcnow()
        notification.email_attempts += 1
        if not user.active or not (notification.needs_action or user.email_notifications):
            notification.email_state = SKIPPED
            outcome.skipped += 1
        else:
            link = notification.link
            if notification.email_token_id is not None:
                row = session.get(EmailToken, notification.email_token_id)
                assert row is not None
                link = link_of(row)   # the token is derived again, never stored
            try:
                send(compose(notification, user, link), config)
            except (smtplib.SMTPException, OSError) as error:
                notification.email_error = f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
                if _permanent(error) or \
                        notification.email_attempts >= config["NOTIFY_MAX_ATTEMPTS"]:
                    notification.email_state = FAILED
                    outcome.failed += 1
                else:
                    notification.email_due_at = now + retry_delay(
                        notification.email_attempts, config["NOTIFY_RETRY_SECONDS"])
                    outcome.retried += 1
            else:
                notification.email_state = SENT
                notification.email_sent_at = now
                notification.email_error = None
                outcome.sent += 1
        outcome.ids.append(notification.id)
        session.commit()
        return True


def deliver_due(make_session: sessionmaker[Session], config: Mapping[str, Any],
                compose: Composer, send: Sender, limit: int | None = None) -> Outcome:
    """Deliver everything due now (or ``limit`` notifications), one transaction each."""
    outcome = Outcome()
    while limit is None or outcome.handled < limit:
        if not deliver_one(make_session, config, compose, send, outcome):
            break
    return outcome


# What the administrator sees of the outbox.
def _require_admin(user: User) -> None:
    if user.role != Role.ADMIN:
        raise Forbidden(reason("admin_only", N_("Only an administrator may see the e-mails.")))


def outbox(session: Session, user: User, states: tuple[str, ...] = (FAILED, PENDING),
           limit: int = 200) -> list[Notification]:
    """List e-mails not delivered (failed first, then the oldest), for an administrator."""
    _require_admin(user)
    return list(session.scalars(
        select(Notification).where(Notification.email_state.in_(states))
        .order_by((Notification.email_state == FAILED).desc(), Notification.email_due_at,
                  Notification.id).limit(limit)))


def outbox_counts(session: Session, user: User) -> dict[str, int]:
    """Count e-mails by delivery state, for an administrator."""
    _require_admin(user)
    rows = session.execute(select(Notification.email_state, func.count())
                           .group_by(Notification.email_state)).all()
    return {state: 0 for state in (PENDING, SENT, SKIPPED, FAILED)} | dict(rows)  # type: ignore


@transactional
def retry(session: Session, user: User, notification_id: int) -> Notification:
    """Send a failed e-mail again at the next pass (an administrator's decision)."""
    _require_admin(user)
    notification = session.get(Notification, notification_id) \
        if 0 < notification_id <= MAX_ID else None
    if notification is None or notification.email_state != FAILED:
        raise NotFound(reason("not_found", N_("The page or record was not found.")))
    session.execute(update(Notification).where(Notification.id == notification_id)
                    .values(email_state=PENDING, email_due_at=utcnow(), email_attempts=0)
                    .execution_options(synchronize_session="fetch"))
    session.commit()
    return notification
