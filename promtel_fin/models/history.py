"""The append-only, hash-chained history of every proposal."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JSONType, Timestamp
from .people import User


class HistoryEntry(Base):
    __tablename__ = "history_entries"
    __table_args__ = (UniqueConstraint("proposal_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    seq: Mapped[int]
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    revision_number: Mapped[int | None]
    created_at: Mapped[Timestamp]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    actor: Mapped[User] = relationship()

    def hashed_fields(self) -> dict[str, Any]:
        """Give the fields the hash chain covers, as stored."""
        return {
            "proposal_id": self.proposal_id, "seq": self.seq, "actor_id": self.actor_id,
            "actor_role": self.actor_role, "action": self.action, "from_state": self.from_state,
            "to_state": self.to_state, "comment": self.comment, "payload": self.payload,
            "revision_number": self.revision_number, "created_at": self.created_at,
            "prev_hash": self.prev_hash, "hash": self.hash,
        }
