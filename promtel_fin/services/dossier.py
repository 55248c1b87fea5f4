"""Everything the dossier page shows about a proposal, read in one statement (two at contact).

The proposal with its parts, the policy in force, the latest stretch of its history, every
reviewer's comment and every revision: one round trip (``loading.load``), whatever the
proposal's size; and, when PROMTEL may acknowledge the contact, the reviewers it may assign.
The history is shown by windows of ``HISTORY_WINDOW`` entries, the latest first; the page links
to the earlier ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.errors import Reason
from ..domain.proposal import submission_problems
from ..domain.revisions import diff
from ..domain.workflow import FINAL_STATES, STAFF_ROLES, Action, Role, State
from ..models import HistoryEntry, Message, Proposal, Signature, User
from .deadlines import Deadline, deadline
from .finance import Figures, figures_for
from .loading import MESSAGE_WINDOW, Extras
from .proposals import Status, document, load_proposal, status

HISTORY_WINDOW = 50
# What a reviewer asks of or says to the SME: the latest one is shown at the top of the dossier.
FEEDBACK_ACTIONS = frozenset({Action.GIVE_FEEDBACK, Action.REQUEST_CHANGES, Action.VERIFY,
                              Action.GIVE_OPINION})


@dataclass(frozen=True)
class Summary:
    """The top of the dossier: when the current step is due, the latest word from a reviewer,
    why it was rejected, the approval's conditions and the signatures, and whether the
    proposal is finished (no steps to go)."""

    deadline: Deadline | None
    latest_feedback: HistoryEntry | None
    rejection: HistoryEntry | None
    conditions: str
    signatures: list[Signature]
    finished: bool
    show_contact: bool


@dataclass(frozen=True)
class Dossier:
    """What the dossier page shows; ``earlier`` is where the previous window of history ends
    (None when this window starts at the first entry)."""

    proposal: Proposal
    status: Status
    document: dict[str, Any]
    figures: Figures
    missing: list[Reason]
    history: list[HistoryEntry]
    earlier: int | None
    feedback: dict[int | None, list[HistoryEntry]]
    revisions: list[dict[str, Any]]
    reviewers: list[User]
    messages: list[Message]
    earlier_messages: bool
    summary: Summary


def dossier(session: Session, user: User, proposal_id: int,
            history_until: int | None = None) -> Dossier:
    """Gather a proposal's dossier for this user; the history up to ``history_until`` (a seq;
    None: up to the latest entry)."""
    extras = Extras(policy=True, history="latest" if history_until is None else "until",
                    feedback=True, revisions=True, messages=True)
    bundle = load_proposal(session, user, proposal_id, extras, window=HISTORY_WINDOW,
                           until=history_until)
    proposal, policy = bundle.proposal, bundle.policy
    assert policy is not None
    content = document(proposal)
    where = status(proposal, user)
    feedback: dict[int | None, list[HistoryEntry]] = {}
    shown = [e for e in bundle.history if e.comment and e.action not in ("create", "edit")]
    noted = sorted([*bundle.feedback, *shown], key=lambda e: e.seq)
    for entry in noted:
        feedback.setdefault(entry.revision_number, []).append(entry)
    revisions, previous = [], None
    for revision in bundle.revisions:
        revisions.append({"revision": revision, "changes":
                          diff(previous.document, revision.document) if previous else []})
        previous = revision
    first = bundle.history[0].seq if bundle.history else None
    return Dossier(
        proposal=proposal, status=where, document=content,
        figures=figures_for(proposal, policy),
        missing=submission_problems(content, policy),
        history=bundle.history, earlier=first - 1 if first and first > 1 else None,
        feedback=feedback, revisions=revisions,
        reviewers=_reviewers(session) if Action.ACKNOWLEDGE_CONTACT in where.allowed_actions
        else [],
        messages=bundle.messages[-MESSAGE_WINDOW:],
        earlier_messages=len(bundle.messages) > MESSAGE_WINDOW,
        summary=_summary(proposal, policy, user, noted),
    )


def _summary(proposal: Proposal, policy: Any, user: User,
             noted: list[HistoryEntry]) -> Summary:
    """Pick what the top of the dossier says from the entries with a comment (by seq)."""
    state = State(proposal.state)

    def latest(found: list[HistoryEntry]) -> HistoryEntry | None:
        return found[-1] if found else None

    # The approval's conditions: the comment of the approval that was confirmed; a returned one
    # is followed by its return (whose comment is required), so it no longer counts.
    decisions = [e for e in noted if e.action in (Action.APPROVE, Action.RETURN_DECISION)]
    approved = decisions[-1] if decisions and decisions[-1].action == Action.APPROVE else None
    return Summary(
        deadline=deadline(proposal, policy),
        latest_feedback=latest([e for e in noted if e.action in FEEDBACK_ACTIONS]),
        rejection=latest([e for e in noted if e.to_state == State.REJECTED])
        if state == State.REJECTED else None,
        conditions=approved.comment if approved and proposal.approved_terms else "",
        signatures=sorted(proposal.signatures, key=lambda s: s.signed_at),
        finished=state in FINAL_STATES,
        show_contact=Role(user.role) in STAFF_ROLES,
    )


def _reviewers(session: Session) -> list[User]:
    """Give the active PROMTEL users, by name: whom a contact can be assigned to."""
    return list(session.scalars(select(User).where(
        User.role == str(Role.PROMTEL), User.active.is_(True)).order_by(User.name, User.id)))
