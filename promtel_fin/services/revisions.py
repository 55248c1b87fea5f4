"""Reading and comparing a proposal's frozen revisions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.errors import N_, NotFound, reason
from ..domain.revisions import diff
from ..models import Revision, User
from .proposals import MAX_ID, get_proposal


def list_revisions(session: Session, user: User, proposal_id: int) -> list[Revision]:
    """Give the revisions of a proposal this user may see, oldest first."""
    get_proposal(session, user, proposal_id, options=())
    return list(session.scalars(select(Revision).where(Revision.proposal_id == proposal_id)
                                .order_by(Revision.number)))


def get_revision(session: Session, user: User, proposal_id: int, number: int) -> Revision:
    """Give one revision, or raise NotFound."""
    get_proposal(session, user, proposal_id, options=())
    revision = session.scalar(select(Revision).where(
        Revision.proposal_id == proposal_id, Revision.number == number)) \
        if 0 < number <= MAX_ID else None
    if revision is None:
        raise NotFound(reason("revision_not_found",
                              N_("Revision {number} of proposal {id} was not found."),
                              number=number, id=proposal_id))
    return revision


def compare(session: Session, user: User, proposal_id: int, before: int,
            after: int) -> list[dict[str, Any]]:
    """List the field-by-field differences between two revisions."""
    old = get_revision(session, user, proposal_id, before)
    new = get_revision(session, user, proposal_id, after)
    return diff(old.document, new.document)
