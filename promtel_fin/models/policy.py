"""Policy versions: each set of parameters applies from its date on."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONType, Timestamp, utcnow


class PolicyVersion(Base):
    __tablename__ = "policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_from: Mapped[date] = mapped_column(unique=True)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSONType)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
