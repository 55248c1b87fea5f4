"""PostgreSQL refuses to change or remove history: triggers for everyone, and the README's
GRANTs for the application's role. SQLite has neither; these tests are skipped there."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlalchemy.orm import Session

from config import DEV_AUDIT_KEY
from promtel_fin.domain.workflow import State
from promtel_fin.services import audit
from promtel_fin.services.history import keyring
from promtel_fin.services.reseal import reseal

from ..audit_helpers import make_legacy
from ..factories import Factory

README = Path(__file__).resolve().parents[2] / "README.md"
APPEND_ONLY = ("history_entries", "revisions", "signatures", "messages")


@pytest.fixture(autouse=True)
def _postgres_only(dialect: str) -> None:
    if dialect != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no triggers and no roles")


def _refused(conn: Connection, statement: str, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match), conn.begin_nested():
        conn.execute(text(statement))


def test_update_and_delete_on_the_append_only_tables_are_refused(
        engine: Engine, make: Factory) -> None:
    make.proposal(at=State.SIGNED)
    with engine.connect() as conn:
        for table in APPEND_ONLY:
            _refused(conn, f"UPDATE {table} SET proposal_id = proposal_id", DBAPIError,
                     f"UPDATE on {table} refused: the table is append-only")
            _refused(conn, f"DELETE FROM {table}", DBAPIError,
                     f"DELETE on {table} refused: the table is append-only")
        counts = [conn.scalar(text(f"SELECT count(*) FROM {t}")) for t in APPEND_ONLY]
    # 13 steps (the second officer's confirmation among them) and the nine documents' uploads
    # and acceptances
    assert counts == [31, 2, 2, 0]


def _grants(role: str) -> list[str]:
    """Give the README's GRANT block, for ``role``, as statements."""
    readme = README.read_text(encoding="utf-8")
    section = readme[readme.index("### The history proves itself"):]
    block = re.search(r"```sql\n(.*?)```", section, re.S).group(1)
    block = "\n".join(line for line in block.splitlines() if not line.startswith("--"))
    return [s.strip() for s in block.replace("promtel_app", role).split(";") if s.strip()]


@pytest.fixture
def app_role(engine: Engine) -> Iterator[tuple[Connection, str]]:
    """Create the README's application role in a transaction that is rolled back afterwards."""
    role = f"app_{uuid.uuid4().hex[:10]}"
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            for statement in _grants(role):
                conn.execute(text(statement))
            yield conn, role
        finally:
            trans.rollback()
    with engine.begin() as conn:  # the rollback removed it; make sure
        conn.execute(text(f"DROP ROLE IF EXISTS {role}"))


def test_the_readme_grants_let_the_application_work_but_not_change_history(
        make: Factory, app_role: tuple[Connection, str]) -> None:
    # ``make`` first: the app (and its store) outlive the role's transaction.
    conn, role = app_role
    conn.execute(text(f"SET ROLE {role}"))
    assert conn.scalar(text("SELECT current_user")) == role
    session = Session(bind=conn, join_transaction_mode="create_savepoint")
    Factory(session, make.store).proposal(at=State.SIGNED)  # every insert and update of the
    # workflow, the documents' uploads and reviews among them
    assert audit.verify(session, keyring({"AUDIT_KEY": DEV_AUDIT_KEY})).ok
    session.close()
    for table in APPEND_ONLY:
        for statement in (f"UPDATE {table} SET proposal_id = proposal_id",
                          f"DELETE FROM {table}", f"TRUNCATE {table}"):
            _refused(conn, statement, ProgrammingError, f"permission denied for table {table}")
    _refused(conn, "ALTER TABLE history_entries DISABLE TRIGGER history_entries_append_only",
             ProgrammingError, "must be owner")


def test_the_application_role_cannot_reseal_past_the_trigger(
        make: Factory, app_role: tuple[Connection, str]) -> None:
    conn, role = app_role
    session = Session(bind=conn, join_transaction_mode="create_savepoint")
    Factory(session, make.store).proposal(at=State.PROPOSAL)
    make_legacy(session)  # as the superuser, who may
    conn.execute(text("SET LOCAL session_replication_role = origin"))
    conn.execute(text(f"SET ROLE {role}"))
    with pytest.raises(ProgrammingError, match="must be owner of table history_entries"):
        reseal(session, keyring({"AUDIT_KEY": DEV_AUDIT_KEY}))
