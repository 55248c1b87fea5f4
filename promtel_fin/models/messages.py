"""Messages on a proposal (append-only) and the log of reminders already sent."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamp, utcnow
from .people import User


class Message(Base):
    """One message in a proposal's thread; never edited or deleted (its history entry carries
    the SHA-256 of its body, and ``audit verify`` compares them)."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_proposal_id_id", "proposal_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    author_role: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    body_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()


class ReminderLog(Base):
    """A reminder already sent: ``kind`` "overdue" for a proposal at a step on a day
    (``subject`` "<proposal id>:<state>", ``period`` the day), "digest" for a reviewer in an
    ISO week (``subject`` the user's id, ``period`` "2026-W49"). The unique key makes each one
    go out once however often ``notifications remind`` runs."""

    __tablename__ = "reminder_log"
    __table_args__ = (UniqueConstraint("kind", "subject", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(16))
    sent_at: Mapped[Timestamp] = mapped_column(default=utcnow)
