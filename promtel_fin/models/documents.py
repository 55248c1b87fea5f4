"""The documents of a proposal: each upload's facts; the files themselves live in the store
(promtel_fin/storage.py), named by their SHA-256."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Timestamp, UTCDateTime, utcnow


class Document(Base):
    """One uploaded file of one kind of the checklist. Uploading the kind again supersedes it:
    the old row stays (``is_current`` false) and the new one names it in ``supersedes_id``."""

    __tablename__ = "documents"
    # At most one current document of each kind per proposal: of two uploads racing, the second
    # fails on this index (a 409, as any lost race).
    __table_args__ = (
        Index("uq_documents_current_kind", "proposal_id", "kind", unique=True,
              postgresql_where=text("is_current"), sqlite_where=text("is_current")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    # The client's name, cleaned for display (domain/documents.clean_filename); never a path.
    filename: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    reason: Mapped[str] = mapped_column(Text, default="")
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), unique=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
