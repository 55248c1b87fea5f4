"""The append-only, keyed hash-chained history, and the sealed heads of its streams."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JSONType, Timestamp
from .people import User

# A history entry that changes its proposal's state (the portal's step visits are made of them).
STATE_CHANGE = "proposal_id IS NOT NULL AND (from_state IS NULL OR from_state <> to_state)"


class HistoryEntry(Base):
    """One entry: in its proposal's stream (or the system's, without a proposal) and globally."""

    __tablename__ = "history_entries"
    __table_args__ = (
        UniqueConstraint("proposal_id", "seq"), UniqueConstraint("gseq"),
        # The state changes, covering what the transparency portal's pipeline reads (0011).
        Index("ix_history_entries_state_changes", "proposal_id", "seq",
              postgresql_include=["to_state", "created_at"],
              postgresql_where=text(STATE_CHANGE), sqlite_where=text(STATE_CHANGE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"), index=True)
    seq: Mapped[int]
    gseq: Mapped[int]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    revision_number: Mapped[int | None]
    proposal_version: Mapped[int | None]
    created_at: Mapped[Timestamp]
    prev_hash: Mapped[str] = mapped_column(String(64))
    gprev_hash: Mapped[str | None] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(16))
    hash: Mapped[str] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship()

    def hashed_fields(self) -> dict[str, Any]:
        """Give the fields the chain covers, as stored, with the stored MAC as ``hash``."""
        return {
            "proposal_id": self.proposal_id, "seq": self.seq, "gseq": self.gseq,
            "actor_id": self.actor_id, "actor_role": self.actor_role, "action": self.action,
            "from_state": self.from_state, "to_state": self.to_state, "comment": self.comment,
            "payload": self.payload, "revision_number": self.revision_number,
            "proposal_version": self.proposal_version, "created_at": self.created_at,
            "prev_hash": self.prev_hash, "gprev_hash": self.gprev_hash, "key_id": self.key_id,
            "hash": self.hash,
        }


class HistoryHead(Base):
    """The sealed head of a stream: ``proposal:<id>``, ``system``, or ``global`` (all entries)."""

    __tablename__ = "history_heads"

    stream: Mapped[str] = mapped_column(String(40), primary_key=True)
    count: Mapped[int]
    last_hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(16))
    mac: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[Timestamp]
