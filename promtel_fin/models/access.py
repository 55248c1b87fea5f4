"""Who is signed in on the pages, and how often an e-mail address failed to sign in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamp, UTCDateTime, utcnow
from .people import User


class WebSession(Base):
    """A page session; the cookie holds a random id, the table only its SHA-256."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    last_seen_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class LoginFailures(Base):
    """Failed sign-ins in a row for one e-mail address, known or not (keyed by its SHA-256)."""

    __tablename__ = "login_failures"

    email_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[Timestamp] = mapped_column(default=utcnow, index=True)
