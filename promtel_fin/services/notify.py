"""Telling people: notifications written in the caller's transaction (a transactional outbox).

``notify`` is the one way to tell someone something. It only adds rows to the caller's session:
they commit with the change that caused them, or not at all, and the delivery worker
(``services.delivery``, ``flask notifications deliver``) mails them later. The web process never
sends mail.

Language: subject and body are stored as a message key and its values (``domain.texts``), not as
rendered sentences. One row serves any language: the inbox renders it in the reader's language of
the moment, the e-mail in the recipient's (``User.language``, Spanish by default), and one INSERT
serves every recipient. Write subjects and bodies with ``t(N_("... {name} ..."), name=value)``;
values may be texts too (``t(...)``, or a lazy ``_l("...")`` without values, such as the labels
of ``web.labels``); plain strings (a comment someone wrote) are shown as written, never
translated nor used as a template.

Whether an e-mail is sent is decided when mailing: everyone may turn off e-mail
(``User.email_notifications``) except for what needs their own action (``needs_action``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_app_context
from sqlalchemy import (
    Boolean,
    String,
    and_,
    case,
    cast,
    exists,
    insert,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, aliased

from ..domain.errors import N_
from ..domain.texts import Text, stored, t
from ..domain.workflow import Role, State, step_of, waiting_on
from ..models import Notification, Proposal, User, utcnow
from ..models.base import JSONType
from ..models.notifications import PENDING, EmailToken
from ..web.labels import ACTIONS, ROLES, STATES, STEP_HELP

# Kinds of notification (the API's "kind").
TRANSITION = "transition"
PASSWORD_RESET = "password_reset"
EMAIL_CONFIRMATION = "email_confirmation"

Words = Text | str | Any   # a Text, a plain string, or a lazy string of _l("...")


def proposal_link(proposal_id: int) -> str:
    """Give the path of a proposal's page (e-mails prefix PUBLIC_URL)."""
    return f"/proposals/{proposal_id}"


def _mail_domain() -> str:
    url = current_app.config.get("PUBLIC_URL") if has_app_context() else None
    return urlsplit(url or "").hostname or "promtel-fin.invalid"


def new_message_id() -> str:
    """Give a Message-ID for a new e-mail; it is kept across every retry."""
    return f"<{uuid.uuid4().hex}@{_mail_domain()}>"


def notify(session: Session, recipients: Iterable[User], kind: str,
           proposal: Proposal | None, *, subject: Words, body: Words,
           needs_action: bool | Callable[[User], bool] = False, link: str | None = None,
           in_app: bool = True, email_token: EmailToken | None = None) -> list[Notification]:
    """Tell each recipient (once, however often listed) something, in the caller's transaction.

    Adds one notification per recipient to ``session`` (flushed with the caller's change, as one
    INSERT for all) and answers them; the caller commits. ``needs_action`` says whether the
    recipient must act (a bool for all, or a function of the user): such notices are mailed even
    to whoever turned e-mail off. ``link`` is a path on this site; ``in_app=False`` keeps a
    notice out of the inbox (e-mail only). Inactive users are skipped.
    """
    now = utcnow()
    subject_json, body_json = stored(subject), stored(body)
    made: list[Notification] = []
    seen: set[int] = set()
    for user in recipients:
        if user.id in seen or not user.active:
            continue
        seen.add(user.id)
        acts = needs_action(user) if callable(needs_action) else bool(needs_action)
        made.append(Notification(
            user_id=user.id, kind=kind, proposal_id=proposal.id if proposal else None,
            subject=subject_json, body=body_json, link=link, needs_action=acts, in_app=in_app,
            created_at=now, email_state=PENDING, email_due_at=now, email_attempts=0,
            message_id=new_message_id(), email_token_id=email_token.id if email_token else None))
    session.add_all(made)
    return made


def transition_texts(proposal: Proposal, actor: User, action: str, target: State,
                     comment: str) -> tuple[Text, Text]:
    """Give the subject and body of the notice of an action: the folio and the new step's name
    in the subject; what happened, the comment, what comes next in the body."""
    number = step_of(target)
    step = (t(N_("step {number}, {step}"), number=number, step=STATES[str(target)])
            if number else STATES[str(target)])
    subject = t(N_("{folio}: {step}"), folio=proposal.folio, step=step)
    happened = t(N_("{actor} ({role}) took the action “{action}” on proposal {folio}, "
                    "“{title}”. It is now at {step}."),
                 actor=actor.name or actor.email, role=ROLES.get(actor.role, actor.role),
                 action=ACTIONS.get(action, action), folio=proposal.folio,
                 title=proposal.title, step=step)
    after = (t(N_("What comes next: {help}"), help=STEP_HELP[str(target)])
             if str(target) in STEP_HELP else t(N_("The process has ended.")))
    parts: dict[str, Any] = {"happened": happened, "after": after}
    key = "{happened}\n\n{after}"
    if comment:
        parts["comment"] = t(N_("Comment: {comment}"), comment=comment)
        key = "{happened}\n\n{comment}\n\n{after}"
    return subject, Text(key, parts)


def notify_transition(session: Session, proposal: Proposal, actor: User, action: str,
                      signed_by: frozenset[Role], comment: str) -> None:
    """Tell whoever must act next, and the SME's users, that ``actor`` took ``action``.

    Those who must act: the assigned reviewer when PROMTEL must act and has one (every active
    PROMTEL user when none, or when the reviewer was deactivated), otherwise every active user
    of the role. The SME's active users are told of every action. The actor is not told of their
    own action. One statement (INSERT ... SELECT from users) whatever the number of recipients.
    """
    target = State(proposal.state)
    roles = set(waiting_on(target, signed_by))
    subject, body = transition_texts(proposal, actor, action, target, comment)
    reviewer_id = proposal.assigned_reviewer_id
    other = aliased(User)
    reviewer_live = exists().where(other.id == reviewer_id, other.active.is_(True))
    staff = [r for r in roles if r != Role.SME]
    acting = [User.role == str(r) for r in staff if r != Role.PROMTEL]
    if Role.PROMTEL in staff:
        acting.append(and_(User.role == str(Role.PROMTEL),
                           or_(User.id == reviewer_id, ~reviewer_live)
                           if reviewer_id is not None else true()))
    sme = and_(User.role == str(Role.SME), User.company_id == proposal.company_id)
    now = utcnow()
    domain = _mail_domain()
    stamp = uuid.uuid4().hex
    rows = select(
        User.id,
        literal(TRANSITION), literal(proposal.id),
        literal(subject.to_json(), JSONType), literal(body.to_json(), JSONType),
        literal(proposal_link(proposal.id)),
        case((User.role == str(Role.SME), literal(Role.SME in roles, Boolean)),
             else_=true()),
        true(), literal(now, Notification.created_at.type), literal(PENDING),
        literal(now, Notification.email_due_at.type), literal(0),
        literal(f"<{stamp}.") + cast(User.id, String) + literal(f"@{domain}>"),
    ).where(User.active.is_(True), User.id != actor.id, or_(sme, *acting) if acting else sme)
    session.execute(insert(Notification).from_select(
        ["user_id", "kind", "proposal_id", "subject", "body", "link", "needs_action", "in_app",
         "created_at", "email_state", "email_due_at", "email_attempts", "message_id"], rows))


__all__ = ["EMAIL_CONFIRMATION", "PASSWORD_RESET", "TRANSITION", "Text", "notify",
           "notify_transition", "proposal_link", "t"]
