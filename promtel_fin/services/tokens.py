"""One-time links sent by e-mail (password reset, address confirmation), stored hashed.

A link's token is ``HMAC-SHA-256(SECRET_KEY, purpose:nonce)``: the row keeps the random nonce and
the token's SHA-256, never the token, so neither the table nor the outbox holds a usable link;
the delivery worker, which has the key, derives the token again when it writes the e-mail.
Checking a token is one lookup by its SHA-256; it is used at most once (a conditional UPDATE, so
two requests racing with the same link cannot both win).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..domain.errors import N_, Gone, reason
from ..models import EmailToken, User, utcnow

PASSWORD_RESET = "password_reset"
EMAIL_CONFIRMATION = "email_confirmation"
# How long a link lives: one hour to reset a password (the issue), two days to confirm an
# address (an SME on a slow rural link may read its mail the next day).
LIFETIME = {PASSWORD_RESET: timedelta(hours=1), EMAIL_CONFIRMATION: timedelta(days=2)}
# Where each link leads; {token} is filled in when the e-mail is written.
PATHS = {PASSWORD_RESET: "/password-reset/{token}",
         EMAIL_CONFIRMATION: "/email-confirmation/{token}"}
MAX_LENGTH = 100   # a token is 43 characters; anything much longer is refused unread


def digest(token: str) -> str:
    """Give the SHA-256 by which a token is stored and found."""
    return hashlib.sha256(token.encode()).hexdigest()


def derive(purpose: str, nonce: str, secret: str | None = None) -> str:
    """Give the token of a row from its nonce under the app's SECRET_KEY."""
    key = (secret or current_app.secret_key or "").encode()
    mac = hmac.new(key, f"{purpose}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def issue(session: Session, purpose: str, user: User | None) -> EmailToken:
    """Add a one-time link for ``user`` (None: the same work for an unknown address)."""
    nonce = secrets.token_hex(32)
    now = utcnow()
    row = EmailToken(purpose=purpose, user_id=user.id if user else None, nonce=nonce,
                     token_sha256=digest(derive(purpose, nonce)), created_at=now,
                     expires_at=now + LIFETIME[purpose])
    session.add(row)
    return row


def link_of(row: EmailToken) -> str:
    """Give the path of a row's link, with its token (for the e-mail only)."""
    return PATHS[row.purpose].format(token=derive(row.purpose, row.nonce))


def gone() -> Gone:
    """Say that a link was used, expired or never existed (the same for all three)."""
    return Gone(reason("link_gone", N_("This link is no longer valid: it was used, it expired, "
                                       "or it is not complete. Ask for a new one."),
                       field="token"))


def live(session: Session, purpose: str, token: str) -> EmailToken:
    """Give the unused, unexpired row of a token, or raise Gone.

    A link is valid up to and including the moment it expires (exactly one hour for a reset).
    """
    if not token or len(token) > MAX_LENGTH:
        raise gone()
    row = session.scalar(select(EmailToken).where(EmailToken.token_sha256 == digest(token),
                                                  EmailToken.purpose == purpose))
    if row is None or row.user_id is None or row.used_at is not None \
            or utcnow() > row.expires_at:
        raise gone()
    return row


def use(session: Session, row: EmailToken) -> None:
    """Mark a row used, unless another request did first (then raise Gone); the caller commits."""
    done = session.execute(update(EmailToken).where(EmailToken.id == row.id,
                                                    EmailToken.used_at.is_(None))
                           .values(used_at=utcnow()).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise gone()


def retire(session: Session, user: User, purpose: str) -> None:
    """Mark every unused link of a user for ``purpose`` used (a new password ends them all)."""
    session.execute(update(EmailToken).where(EmailToken.user_id == user.id,
                                             EmailToken.purpose == purpose,
                                             EmailToken.used_at.is_(None))
                    .values(used_at=utcnow()).execution_options(synchronize_session=False))
