"""Optimistic locking: turn a lost race into a Conflict, whatever the database."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..domain.errors import N_, Conflict, reason

RACE_LOST = N_("Someone else changed this proposal at the same moment; reload it and try again.")


def flush_guarded(session: Session) -> None:
    """Flush, answering Conflict when another transaction changed the same proposal first.

    The UPDATE carries ``WHERE version = <the version loaded>`` (SQLAlchemy's version_id_col).
    On PostgreSQL the loser waits for the winner's row lock and then matches no row; on SQLite
    it waits for the write lock (busy timeout) and matches no row, or is told the database is
    locked. A duplicate history sequence number means the same race.
    """
    try:
        session.flush()
    except (StaleDataError, IntegrityError) as exc:
        session.rollback()
        raise Conflict(reason("race_lost", RACE_LOST)) from exc
    except OperationalError as exc:
        session.rollback()
        if "locked" in str(exc.orig).lower():
            raise Conflict(reason("race_lost", RACE_LOST)) from exc
        raise


def commit_guarded(session: Session) -> None:
    """Commit, with the same mapping of lost races to Conflict as flush_guarded."""
    flush_guarded(session)
    try:
        session.commit()
    except (IntegrityError, OperationalError) as exc:
        session.rollback()
        if isinstance(exc, OperationalError) and "locked" not in str(exc.orig).lower():
            raise
        raise Conflict(reason("race_lost", RACE_LOST)) from exc
