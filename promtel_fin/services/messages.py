"""The thread of messages on a proposal, between its SME and the staff who may see it.

Messages are never edited or deleted: each one is written with a history entry (action
``message``) that records its id and the SHA-256 of its body, so ``audit verify`` notices a
changed or removed message; on PostgreSQL a trigger refuses UPDATE and DELETE as well.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, joinedload

from ..domain.errors import N_, Forbidden, reason
from ..domain.workflow import Role, State, waiting_on
from ..models import Message, Proposal, User, utcnow
from ..web.labels import ROLES as _ROLES
from . import history
from .listing import ascending_page
from .locking import commit_guarded, flush_guarded
from .notify import notify, proposal_link, t
from .proposals import MAX_ID, get_proposal, not_found, signed_by
from .uow import transactional
from .visibility import visible_to

ACTION = "message"
KIND = "message"   # the notifications' kind
# Who writes in a thread: the SME and the institutions' reviewers (administrators manage
# people, not proposals, and read only).
WRITERS = frozenset({Role.SME, Role.PROMTEL, Role.FOCIR})


def body_digest(body: str) -> str:
    """Give the SHA-256 of a message's body as its history entry records it."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def list_messages(session: Session, user: User, proposal_id: int, after: int | None,
                  limit: int) -> tuple[list[Message], int | None]:
    """Give up to ``limit`` messages of a proposal this user may see, oldest first, after the
    message ``after``; and the last one's id when more follow. NotFound if hidden."""
    get_proposal(session, user, proposal_id, options=())
    query = (select(Message).options(joinedload(Message.author))
             .where(Message.proposal_id == proposal_id))
    return ascending_page(session, query, Message.id, after, limit)


@transactional
def post_message(session: Session, user: User, proposal_id: int, body: str) -> Message:
    """Add a message to the thread of a proposal this user may see, with its history entry.

    The proposal's row is locked first (an UPDATE that changes nothing), as a transition
    locks it, so that the entry is chained after any transition taking place at the same
    moment and records the proposal's state and version as they are.
    """
    if not 0 < proposal_id <= MAX_ID:
        raise not_found(proposal_id)
    locked = session.execute(update(Proposal).where(Proposal.id == proposal_id,
                                                    visible_to(user))
                             .values(id=Proposal.id).execution_options(synchronize_session=False))
    if locked.rowcount != 1:
        raise not_found(proposal_id)
    if Role(user.role) not in WRITERS:
        raise Forbidden(reason("cannot_write_messages",
                               N_("Administrators can read the messages but not write them.")))
    proposal = session.scalar(select(Proposal).where(Proposal.id == proposal_id)
                              .execution_options(populate_existing=True))
    assert proposal is not None
    message = Message(proposal_id=proposal.id, author_id=user.id, author_role=user.role,
                      body=body, body_sha256=body_digest(body), created_at=utcnow())
    session.add(message)
    flush_guarded(session)
    history.append(session, proposal, user, ACTION, proposal.state, proposal.state,
                   payload={"message_id": message.id, "body_sha256": message.body_sha256})
    notify(session, other_side(session, proposal, user), KIND, proposal,
           subject=t(N_("{folio}: a message from {author}"), folio=proposal.folio,
                     author=user.name or user.email),
           body=t(N_("{author} ({role}) wrote about proposal {folio}, “{title}”:\n\n{body}"),
                  author=user.name or user.email, role=_ROLES.get(user.role, user.role),
                  folio=proposal.folio, title=proposal.title, body=body),
           needs_action=True, link=f"{proposal_link(proposal.id)}#messages")
    commit_guarded(session)
    return message


def other_side(session: Session, proposal: Proposal, author: User) -> list[User]:
    """Whom a message is for: the SME's users when staff write; when the SME writes, the
    assigned PROMTEL reviewer (every active PROMTEL user when none or inactive) and, when
    FOCIR must act now, its officers. Active users only; never the author."""
    if Role(author.role) != Role.SME:
        wanted = and_(User.role == str(Role.SME), User.company_id == proposal.company_id)
    else:
        reviewer = proposal.assigned_reviewer
        promtel = (User.id == reviewer.id if reviewer is not None and reviewer.active
                   else User.role == str(Role.PROMTEL))
        waiting = waiting_on(State(proposal.state), signed_by(proposal),
                             proposal.pending_action is not None)
        wanted = (or_(promtel, User.role == str(Role.FOCIR))
                  if Role.FOCIR in waiting and proposal.presented_at is not None else promtel)
        wanted = and_(User.role != str(Role.SME), wanted)
    return list(session.scalars(select(User).where(wanted, User.active.is_(True),
                                                   User.id != author.id)))
