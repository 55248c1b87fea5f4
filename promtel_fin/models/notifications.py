"""Notifications: each one is both an inbox entry and its e-mail's outbox row.

Written in the transaction of the change that causes it (``services.notify.notify``), and
delivered later by ``flask notifications deliver``; the web process never sends mail. Subject and
body are stored as a message key and its parameters (``domain.texts``), rendered in the reader's
language when read and in the recipient's language when mailed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JSONType, Timestamp, UTCDateTime, utcnow
from .people import User
from .proposals import Proposal

# E-mail delivery states of a notification.
PENDING, SENT, SKIPPED, FAILED = "pending", "sent", "skipped", "failed"


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        # The inbox, newest first (and ?unread=true, the header's count) of one user.
        Index("ix_notifications_user_id_id", "user_id", "id"),
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
        # What the delivery worker picks up: pending and due, oldest first.
        Index("ix_notifications_email_state_email_due_at", "email_state", "email_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"), index=True)
    # {"key": msgid, "params": {...}} or {"text": "..."} (domain/texts.py).
    subject: Mapped[dict[str, Any]] = mapped_column(JSONType)
    body: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # A path on this site ("/proposals/12"); e-mails prefix PUBLIC_URL.
    link: Mapped[str | None] = mapped_column(String(500))
    # Needs the recipient's own action: mailed even to those who turned e-mail off.
    needs_action: Mapped[bool] = mapped_column(Boolean, default=False)
    # Shown in the inbox; False for e-mail-only messages (password reset, confirmation).
    in_app: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # The outbox: one e-mail per notification, retried with growing delays.
    email_state: Mapped[str] = mapped_column(String(10), default=PENDING)
    email_due_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    email_attempts: Mapped[int] = mapped_column(Integer, default=0)
    email_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    email_error: Mapped[str | None] = mapped_column(Text)
    # Chosen when enqueued and kept across retries, so a receiver can drop a duplicate.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    # For e-mails carrying a one-time link: the token is derived again when mailing, never stored.
    email_token_id: Mapped[int | None] = mapped_column(ForeignKey("email_tokens.id"))

    user: Mapped[User] = relationship()
    proposal: Mapped[Proposal | None] = relationship()


class EmailToken(Base):
    """A one-time link sent by e-mail: a password reset or an address confirmation.

    Only the SHA-256 of the token is stored; the token itself is an HMAC of the row's nonce
    under SECRET_KEY (``services.tokens``), so the worker can write it into the e-mail without
    the database ever holding it.
    """

    __tablename__ = "email_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))
    # None when a reset was asked for an unknown address (the same work, nothing sent).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    nonce: Mapped[str] = mapped_column(String(64))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow, index=True)
    expires_at: Mapped[Timestamp]
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User | None] = relationship()
