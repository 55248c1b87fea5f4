"""The Alembic migrations build exactly the models' schema, and remove it, on either database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from promtel_fin import create_app
from promtel_fin.db import make_engine
from promtel_fin.models import Base


@pytest.fixture
def scratch_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """Give an empty database of the same kind as the test database."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    schema = f"mig_{uuid.uuid4().hex[:8]}"
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in database_url else "?"
    yield f"{database_url}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def test_upgrade_builds_the_models_schema_and_downgrade_removes_it(scratch_url: str) -> None:
    app = create_app({"DATABASE_URL": scratch_url, "TESTING": True})
    runner = app.test_cli_runner()
    engine = make_engine(scratch_url)

    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        tables = set(inspect(conn).get_table_names())
        assert tables >= {t.name for t in Base.metadata.tables.values()}

    result = runner.invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}

    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    engine.dispose()
    app.extensions["engine"].dispose()


def test_existing_proposals_get_folios_in_creation_order_per_mexico_city_year(
        scratch_url: str) -> None:
    app = create_app({"DATABASE_URL": scratch_url, "TESTING": True})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0005"]).exit_code == 0
    engine = make_engine(scratch_url)
    # Inserted out of order; the second is 21:00 on 31 December 2025 in Mexico City.
    created = ["2026-03-01 12:00:00", "2026-01-01 03:00:00", "2025-12-31 23:00:00",
               "2026-01-01 07:00:00"]
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO companies (id, legal_name, rfc, state_code, municipality_key, created_at)"
            " VALUES (1, 'Telecom', 'TRU150101AB1', '17', '17027', '2025-01-01 00:00:00')"))
        conn.execute(text(
            "INSERT INTO users (id, email, name, password_hash, role, company_id, active, "
            "created_at) VALUES (1, 'a@example.mx', 'A', 'x', 'sme', 1, true, "
            "'2025-01-01 00:00:00')"))
        for i, moment in enumerate(created, 1):
            conn.execute(text(
                "INSERT INTO proposals (id, company_id, created_by_id, title, summary, state, "
                "version, state_entered_at, created_at, updated_at) VALUES "
                "(:id, 1, 1, 't', '', 'contact', 1, :m, :m, :m)"), {"id": i, "m": moment})

    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with engine.connect() as conn:
        folios = dict(conn.execute(text("SELECT id, folio FROM proposals")).all())
        counters = dict(conn.execute(text("SELECT year, last FROM folio_counters")).all())
    assert folios == {3: "PF-2025-00001", 2: "PF-2025-00002", 4: "PF-2026-00001",
                      1: "PF-2026-00002"}
    assert counters == {2025: 2, 2026: 2}
    engine.dispose()
    app.extensions["engine"].dispose()
