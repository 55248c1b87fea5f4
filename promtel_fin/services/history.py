"""Append entries to a proposal's hash-chained history, inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.history import GENESIS, entry_hash
from ..models import HistoryEntry, Proposal, User, utcnow


def append(session: Session, proposal: Proposal, actor: User, action: str,
           from_state: str | None, to_state: str, comment: str = "",
           payload: dict[str, Any] | None = None,
           revision_number: int | None = None) -> HistoryEntry:
    """Add the next entry of the chain; the caller has already locked the proposal's version."""
    last = session.execute(
        select(HistoryEntry.seq, HistoryEntry.hash)
        .where(HistoryEntry.proposal_id == proposal.id)
        .order_by(HistoryEntry.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (last.seq + 1, last.hash) if last else (1, GENESIS)
    entry = HistoryEntry(
        proposal_id=proposal.id, seq=seq, actor_id=actor.id, actor_role=actor.role,
        action=action, from_state=from_state, to_state=to_state, comment=comment or "",
        payload=payload or {}, revision_number=revision_number, created_at=utcnow(),
        prev_hash=prev_hash, hash="",
    )
    entry.hash = entry_hash(entry.hashed_fields())
    session.add(entry)
    return entry


def list_history(session: Session, proposal_id: int) -> list[HistoryEntry]:
    """Give a proposal's history, oldest first, with each actor."""
    from sqlalchemy.orm import joinedload

    return list(session.scalars(
        select(HistoryEntry).options(joinedload(HistoryEntry.actor))
        .where(HistoryEntry.proposal_id == proposal_id).order_by(HistoryEntry.seq)
    ))
