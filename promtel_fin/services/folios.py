"""Folios: ``PF-YYYY-NNNNN``, handed out from one counter row per year.

The counter is bumped with a single ``INSERT … ON CONFLICT DO UPDATE … RETURNING``, which both
PostgreSQL and SQLite (3.35 and later) run atomically: two proposals created at the same moment
get consecutive numbers, never the same one, and the row lock is held only until the creating
transaction ends. A rolled-back creation leaves a gap in the sequence, as a bank's folios do;
the folio's uniqueness is also enforced by the database (``proposals.folio`` is unique).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..domain.identifiers import format_folio
from ..models import FolioCounter

# The program runs on Mexico City's calendar: a proposal created at 20:00 on 31 December there
# (02:00 on 1 January in UTC) belongs to the year that is ending.
PROGRAM_TIMEZONE = ZoneInfo("America/Mexico_City")


def folio_year(moment: datetime) -> int:
    """The year a folio carries for a proposal created at ``moment`` (an aware datetime)."""
    return moment.astimezone(PROGRAM_TIMEZONE).year


def next_folio(session: Session, moment: datetime) -> str:
    """Take the next folio for a proposal created at ``moment``, in the caller's transaction."""
    year = folio_year(moment)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(FolioCounter).values(year=year, last=1)
    statement = statement.on_conflict_do_update(
        index_elements=[FolioCounter.year],
        set_={"last": FolioCounter.last + 1},
    ).returning(FolioCounter.last)
    number = session.execute(statement).scalar_one()
    return format_folio(year, number)
