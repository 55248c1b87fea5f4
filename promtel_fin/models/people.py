"""Users, their API tokens, and the SMEs' companies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamp, UTCDateTime, utcnow


class Company(Base):
    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(200))
    rfc: Mapped[str] = mapped_column(String(13), unique=True)
    ift_registration: Mapped[str | None] = mapped_column(String(60))
    state_code: Mapped[str | None] = mapped_column(String(2), index=True)
    municipality_key: Mapped[str | None] = mapped_column(String(5))
    address: Mapped[str | None] = mapped_column(Text)
    legal_rep_name: Mapped[str | None] = mapped_column(String(200))
    legal_rep_curp: Mapped[str | None] = mapped_column(String(18))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="company")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    # Issue 11: the language of this person's e-mails, whether to mail what needs no action of
    # theirs, and when a self-registered SME confirmed its address (others count as confirmed).
    language: Mapped[str] = mapped_column(String(5), default="es", server_default="es")
    email_notifications: Mapped[bool] = mapped_column(Boolean, default=True,
                                                      server_default=true())
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=utcnow)

    company: Mapped[Company | None] = relationship(back_populates="users")

    # What Flask-Login expects of a user, written here so the models do not import it.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        """Say whether the account may sign in."""
        return self.active

    def get_id(self) -> str:
        """Give the id Flask-Login keeps in the session."""
        return str(self.id)


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored, so a database leak reveals no token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    expires_at: Mapped[Timestamp]
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
