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
