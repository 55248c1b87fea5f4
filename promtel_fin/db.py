"""Engine and per-request sessions (plain SQLAlchemy 2, no Flask-SQLAlchemy).

A request whose transaction only read ends it with COMMIT, not ROLLBACK: the two leave the data
the same, but psycopg forgets every statement it has prepared on a connection at each
ROLLBACK (and has PostgreSQL deallocate them), so that with ROLLBACK no statement ever reached
its fifth use on a connection, where psycopg prepares it: every request had PostgreSQL parse
and plan each statement again. A transaction that wrote anything, whose request failed, or
whose session still holds unflushed changes is rolled back as before: nothing a service left
uncommitted is ever committed here.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout for concurrency."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 15, "check_same_thread": False})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


WROTE = "promtel_wrote"   # in a pooled connection's info: its transaction ran a write
_WRITES = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b")


def reads_only(statement: str) -> bool:
    """Say whether a statement surely only reads: a SELECT (or WITH ... SELECT) that names no
    INSERT, UPDATE, DELETE or MERGE anywhere (``FOR UPDATE`` counts as a write: anything in
    doubt is rolled back, as every transaction was before)."""
    head = statement.lstrip()[:6].upper()
    return (head == "SELECT" or (head[:4] == "WITH" and head[4:5].isspace())) \
        and _WRITES.search(statement) is None


def _note_writes(engine: Engine) -> None:
    """Mark a connection whose current transaction sends anything but a SELECT."""

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not reads_only(statement):
            conn.info[WROTE] = True

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _ended(conn: Any) -> None:
        # An invalidated connection's info cannot be read (and a rollback must never fail
        # here): the checkin below forgets its flag then.
        if not conn.invalidated:
            with contextlib.suppress(Exception):
                conn.info.pop(WROTE, None)

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info.pop(WROTE, None)


def end_session(session: Session, failed: bool) -> None:
    """End a request's session: COMMIT a transaction that only read (see the module's doc),
    roll back any other, and give the connection back to the pool."""
    try:
        if (not failed and session.in_transaction()
                and not (session.new or session.dirty or session.deleted)):
            connection = session.connection()
            if not connection.info.get(WROTE) and not connection.invalidated:
                session.commit()
    except Exception:   # a transaction that cannot commit is rolled back by close()
        pass
    finally:
        session.close()


def init_app(app: Flask) -> None:
    """Attach an engine and a session factory to the app; end sessions after each request."""
    engine = make_engine(app.config["DATABASE_URL"])
    _note_writes(engine)
    app.extensions["engine"] = engine
    app.extensions["sessionmaker"] = sessionmaker(engine, expire_on_commit=False)

    @app.teardown_appcontext
    def _close_session(exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            end_session(session, exc is not None)


def get_session() -> Session:
    """Give the session of the current request (or CLI command), opening it on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["sessionmaker"]()
    return g.db_session
