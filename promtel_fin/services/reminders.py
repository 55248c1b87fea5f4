"""Reminders (issue 11 §3): whoever must act on an overdue step is told once a day, and each
reviewer gets a weekly digest of what waits on them. Run by ``flask notifications remind``.

Once means once: each reminder is written to ``reminder_log`` under a unique key (overdue: the
proposal, its step and the day; digest: the reviewer and the ISO week) in the same transaction
as its notifications, so running the command again the same day, or twice at once, sends
nothing twice (the second concurrent run fails on the key and changes nothing).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, joinedload

from ..domain.errors import N_, Conflict, reason
from ..domain.workflow import STEPS, Role, State, step_of, waiting_on
from ..models import Proposal, ReminderLog, User
from ..web.labels import STATES, STEP_HELP
from .deadlines import MEXICO_CITY, Deadline, deadline, local_day, today
from .listing import Filters, queue
from .locking import commit_guarded
from .notify import Text, notify, proposal_link, t
from .policy import current_policy
from .proposals import signed_by
from .uow import transactional

OVERDUE = "overdue"
DIGEST = "digest"
REMINDER_KIND = "reminder"   # the notifications' kind
DIGEST_KIND = "digest"
DIGEST_ITEMS = 50


@dataclass
class Reminded:
    """What one run did: reminders of overdue steps, digests, and reminders already sent."""

    reminders: int = 0
    digests: int = 0
    already_sent: int = 0


def _step(state: str) -> Text:
    number = step_of(State(state))
    return t(N_("step {number}, {step}"), number=number, step=STATES[state])


def _overdue_texts(proposal: Proposal, due: Deadline) -> tuple[Text, Text]:
    step = _step(proposal.state)
    subject = t(N_("{folio}: overdue at {step}"), folio=proposal.folio, step=step)
    body = t(N_("Proposal {folio}, “{title}”, has been at {step} since {since}. It was due on "
                "{due} and is {late} working days late. What is needed: {help}"),
             folio=proposal.folio, title=proposal.title, step=step,
             since=local_day(proposal.state_entered_at).isoformat(),
             due=due.due_date.isoformat(), late=due.working_days_late,
             help=STEP_HELP[proposal.state])
    return subject, body


def _candidates(session: Session, policy: Any, day: date) -> list[Proposal]:
    """Proposals that may be overdue: at each step, entered more than its service level in
    calendar days before ``day`` (working days are never fewer), read with their signatures."""
    start_of_day = datetime.combine(day, time(), MEXICO_CITY)
    branches = [and_(Proposal.state == str(s),
                     Proposal.state_entered_at < start_of_day - timedelta(days=policy.sla_days(s)))
                for s in STEPS]
    return list(session.scalars(
        select(Proposal).options(joinedload(Proposal.signatures))
        .where(or_(*branches)).order_by(Proposal.id)
        .execution_options(populate_existing=True)).unique())


def _recipients(proposal: Proposal, staff: dict[str, list[User]],
                sme_users: dict[int, list[User]]) -> list[User]:
    """Whoever must act now: the assigned PROMTEL reviewer (every PROMTEL user when none or
    inactive), every FOCIR officer (but not the one whose decision awaits a second), the SME's
    users."""
    pending = proposal.pending_action is not None
    people: list[User] = []
    for role in waiting_on(State(proposal.state), signed_by(proposal), pending):
        if role == Role.SME:
            people += sme_users.get(proposal.company_id, [])
        elif role == Role.PROMTEL:
            mine = [u for u in staff["promtel"] if u.id == proposal.assigned_reviewer_id]
            people += mine or staff["promtel"]
        else:
            people += [u for u in staff[str(role)]
                       if not (pending and u.id == proposal.pending_by_id)]
    return people


def _remind_overdue(session: Session, day: date, done: Reminded) -> None:
    policy = current_policy(session, day)
    sent = set(session.scalars(select(ReminderLog.subject).where(
        ReminderLog.kind == OVERDUE, ReminderLog.period == day.isoformat())))
    late = [(p, due) for p in _candidates(session, policy, day)
            if (due := deadline(p, policy, day)) is not None and due.overdue]
    if not late:
        return
    active = list(session.scalars(select(User).where(User.active.is_(True), or_(
        User.role.in_((str(Role.PROMTEL), str(Role.FOCIR))),
        User.company_id.in_({p.company_id for p, _d in late})))))
    staff: dict[str, list[User]] = {"promtel": [], "focir": []}
    sme_users: dict[int, list[User]] = defaultdict(list)
    for user in active:
        if user.role in staff:
            staff[user.role].append(user)
        elif user.role == str(Role.SME) and user.company_id is not None:
            sme_users[user.company_id].append(user)
    for proposal, due in late:
        key = f"{proposal.id}:{proposal.state}"
        if key in sent:
            done.already_sent += 1
            continue
        subject, body = _overdue_texts(proposal, due)
        notify(session, _recipients(proposal, staff, sme_users), REMINDER_KIND, proposal,
               subject=subject, body=body, needs_action=True,
               link=proposal_link(proposal.id))
        session.add(ReminderLog(kind=OVERDUE, subject=key, period=day.isoformat()))
        done.reminders += 1


def week_of(day: date) -> str:
    """Name the ISO week of a day, e.g. 2026-W49."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def _digest_texts(items: list[Proposal], deadlines: dict[int, Deadline]) -> tuple[Text, Text]:
    lines: dict[str, Any] = {"intro": t(N_("{count} proposals wait on you, the longest-waiting "
                                           "first:"), count=len(items))}
    for i, proposal in enumerate(items):
        due = deadlines.get(proposal.id)
        lines[f"l{i}"] = t(N_("{folio} “{title}”: {step}, due {due}{overdue}"),
                           folio=proposal.folio, title=proposal.title,
                           step=_step(proposal.state),
                           due=due.due_date.isoformat() if due else "—",
                           overdue=t(N_(" (overdue)")) if due and due.overdue else "")
    key = "{intro}\n\n" + "\n".join(f"{{l{i}}}" for i in range(len(items)))
    return t(N_("What waits on you this week")), Text(key, lines)


def _send_digests(session: Session, day: date, done: Reminded) -> None:
    week = week_of(day)
    policy = current_policy(session, day)
    sent = set(session.scalars(select(ReminderLog.subject).where(
        ReminderLog.kind == DIGEST, ReminderLog.period == week)))
    reviewers = session.scalars(select(User).where(
        User.active.is_(True), User.role.in_((str(Role.PROMTEL), str(Role.FOCIR))))
        .order_by(User.id)).all()
    for reviewer in reviewers:
        if str(reviewer.id) in sent:
            done.already_sent += 1
            continue
        found = queue(session, reviewer, Filters(), None, DIGEST_ITEMS)
        items = [p for p in found.items if _waits_on(p, reviewer)]
        if not items:
            continue
        dues = {p.id: due for p in items if (due := deadline(p, policy, day)) is not None}
        subject, body = _digest_texts(items, dues)
        notify(session, [reviewer], DIGEST_KIND, None, subject=subject, body=body,
               needs_action=False, link="/queue")
        session.add(ReminderLog(kind=DIGEST, subject=str(reviewer.id), period=week))
        done.digests += 1


def _waits_on(proposal: Proposal, reviewer: User) -> bool:
    """A PROMTEL reviewer's digest holds what is assigned to them or to nobody; a FOCIR
    officer's, what they may act on (not their own decision awaiting a second officer)."""
    if reviewer.role == str(Role.PROMTEL):
        return proposal.assigned_reviewer_id in (None, reviewer.id)
    return proposal.pending_by_id != reviewer.id


@transactional
def remind(session: Session, on: date | None = None) -> Reminded:
    """Remind whoever is overdue today (Mexico City) and send this week's digests, once each."""
    day = on or today()
    done = Reminded()
    _remind_overdue(session, day, done)
    _send_digests(session, day, done)
    try:
        commit_guarded(session)
    except Conflict:
        raise Conflict(reason("remind_running", N_("Another run of the reminders is sending "
                                                   "the same reminders; nothing was sent "
                                                   "twice."))) from None
    return done
