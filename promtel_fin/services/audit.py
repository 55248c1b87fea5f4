"""Verifying the hash chains of every proposal's history."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.history import first_broken
from ..models import HistoryEntry


@dataclass(frozen=True)
class Break:
    """Where a chain stops verifying."""

    proposal_id: int
    seq: int
    entry_id: int | None
    why: str


def verify_chains(session: Session, batch: int = 1000) -> tuple[int, list[Break]]:
    """Recompute every chain; answer how many entries were read and each chain's first break."""
    rows = session.scalars(
        select(HistoryEntry).order_by(HistoryEntry.proposal_id, HistoryEntry.seq)
        .execution_options(yield_per=batch)
    )
    count, breaks = 0, []
    for proposal_id, entries in groupby(rows, key=lambda e: e.proposal_id):
        chain = list(entries)
        count += len(chain)
        broken = first_broken(e.hashed_fields() for e in chain)
        if broken:
            seq, why = broken
            entry_id = next((e.id for e in chain if e.seq == seq), None)
            breaks.append(Break(proposal_id, seq, entry_id, why))
    return count, breaks
