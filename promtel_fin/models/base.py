"""Declarative base and column types shared by every table."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from sqlalchemy import JSON, DateTime, MetaData, Numeric, String, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Store aware UTC datetimes and always give them back aware, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use promtel_fin.models.base.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_offset = timedelta(0)


def utcnow() -> datetime:
    """Give the current moment, aware, in UTC (shifted while a ``clock_shift`` is active)."""
    return datetime.now(UTC) + _offset


@contextmanager
def clock_shift(delta: timedelta) -> Iterator[None]:
    """Make ``utcnow`` answer ``delta`` later (earlier when negative) within the block.

    Used to load demo data with realistic past dates and to test waiting times; the history
    hash chain covers the shifted times like any other. Not thread-safe by design: never used
    while serving requests.
    """
    global _offset
    previous = _offset
    _offset = delta
    try:
        yield
    finally:
        _offset = previous


JSONType = JSON().with_variant(JSONB(), "postgresql")
Money = Annotated[Decimal, mapped_column(Numeric(14, 2))]
Timestamp = Annotated[datetime, mapped_column(UTCDateTime())]
Str80 = Annotated[str, mapped_column(String(80))]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
