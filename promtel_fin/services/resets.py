"""Password reset and e-mail confirmation, by one-time links mailed through the outbox.

A reset is asked for with an e-mail address and answered the same way whether or not the
address has an account, with the same work either way: a link is made and stored hashed (for an
unknown address it leads nowhere and nothing is mailed). Using a link sets the new password,
ends every page session and revokes every API token of the user, and retires every other reset
link. A self-registered SME confirms its address the same way before it can submit.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.errors import N_, CheckFailed, InvalidInput, reason
from ..domain.texts import t
from ..domain.workflow import Role
from ..models import EmailToken, User, utcnow
from . import tokens
from .notify import notify
from .sessions import end_user_sessions
from .uow import transactional
from .users import find_user, hash_password, password_problems, revoke_tokens

# At most this many reset e-mails to one address per hour (more are answered alike, not sent).
RESETS_PER_HOUR = 3


def _mail_link(session: Session, user: User, row: EmailToken) -> None:
    if row.purpose == tokens.PASSWORD_RESET:
        subject = t(N_("Reset your password"))
        body = t(N_("Someone, hopefully you, asked to reset the password of {email} on "
                    "PROMTEL/FOCIR financing. Open the link below within one hour to choose a "
                    "new one; it works once. If it was not you, ignore this e-mail: your "
                    "password does not change."), email=user.email)
    else:
        subject = t(N_("Confirm your e-mail address"))
        body = t(N_("Confirm that {email} is the address of your account on PROMTEL/FOCIR "
                    "financing by opening the link below within two days. You can submit "
                    "proposals once it is confirmed."), email=user.email)
    session.flush()   # the link's row needs its id
    notify(session, [user], row.purpose, None, subject=subject, body=body, needs_action=True,
           in_app=False, email_token=row)


@transactional
def request_reset(session: Session, email: str) -> None:
    """Mail a reset link to ``email`` if it is an active account's; the same work if not."""
    user = find_user(session, email)
    if user is not None and not user.active:
        user = None
    since = utcnow() - timedelta(hours=1)
    recent = session.scalar(select(func.count()).select_from(EmailToken).where(
        EmailToken.purpose == tokens.PASSWORD_RESET, EmailToken.created_at > since,
        EmailToken.user_id == (user.id if user else None))) or 0
    row = tokens.issue(session, tokens.PASSWORD_RESET, user)
    if user is not None and recent < RESETS_PER_HOUR:
        _mail_link(session, user, row)
    session.commit()


@transactional
def reset_password(session: Session, token: str, password: str) -> User:
    """Set a new password with a reset link (once, within the hour).

    Raises Gone (410) for a used, expired or unknown link and InvalidInput (422) for a weak
    password (the link stays usable then). Ends every page session and revokes every API token
    of the user; also confirms the address, which the link just proved.
    """
    row = tokens.live(session, tokens.PASSWORD_RESET, token)
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise tokens.gone()
    problems = password_problems(password, user.email, user.name, user.company)
    if problems:
        raise InvalidInput(*[replace(p, field="password") for p in problems])
    tokens.use(session, row)
    tokens.retire(session, user, tokens.PASSWORD_RESET)
    user.password_hash = hash_password(password)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    revoke_tokens(session, user)
    end_user_sessions(session, user)
    session.commit()
    return user


def check_reset_link(session: Session, token: str) -> None:
    """Raise Gone unless a reset link can still be used (the page asks before showing a form)."""
    tokens.live(session, tokens.PASSWORD_RESET, token)


def send_confirmation(session: Session, user: User) -> None:
    """Add a confirmation link for a new SME's address to the outbox; the caller commits."""
    _mail_link(session, user, tokens.issue(session, tokens.EMAIL_CONFIRMATION, user))


@transactional
def resend_confirmation(session: Session, user: User) -> bool:
    """Mail a new confirmation link, unless the address is confirmed; answer whether one went."""
    if user.email_confirmed_at is not None:
        return False
    send_confirmation(session, user)
    session.commit()
    return True


@transactional
def confirm_email(session: Session, token: str) -> User:
    """Confirm an address with its link (Gone when used, expired or unknown)."""
    row = tokens.live(session, tokens.EMAIL_CONFIRMATION, token)
    user = session.get(User, row.user_id)
    if user is None:
        raise tokens.gone()
    tokens.use(session, row)
    tokens.retire(session, user, tokens.EMAIL_CONFIRMATION)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    session.commit()
    return user


def check_may_submit(user: User) -> None:
    """Refuse a submission by an SME user whose address is not confirmed yet."""
    if user.role == Role.SME and user.email_confirmed_at is None:
        raise CheckFailed(reason(
            "email_unconfirmed",
            N_("Confirm your e-mail address {email} before submitting: open the link we sent "
               "you, or ask for a new one on your account page."), email=user.email))
