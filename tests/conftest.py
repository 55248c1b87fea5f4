"""Fixtures: one database per test run (SQLite file, or PostgreSQL from TEST_DATABASE_URL).

The schema is built once through the Alembic migrations, and every table is emptied after each
test, so tests may commit (the concurrency tests must) and still start clean.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, make_url, text
from sqlalchemy.orm import Session

from promtel_fin import create_app
from promtel_fin.cli import alembic_config
from promtel_fin.db import make_engine
from promtel_fin.models import Base

from .efirma_helpers import pki
from .factories import Factory


def not_a_test_database(url: str) -> str | None:
    """Say why a TEST_DATABASE_URL must not be used: the suite drops and empties its tables.

    Its database name (for SQLite, the file's name) must contain ``test``.
    """
    database = make_url(url).database or ""
    name = Path(database).name if url.startswith("sqlite") else database
    if url.startswith("sqlite") and database in ("", ":memory:"):
        return None
    if "test" in name.lower():
        return None
    return (f"TEST_DATABASE_URL names the database {name or '(none)'!r}, whose name does not "
            "contain 'test': the test suite drops its schema and empties its tables, so it "
            "refuses to run on it")


def pytest_configure(config: pytest.Config) -> None:
    problem = not_a_test_database(os.environ.get("TEST_DATABASE_URL") or "sqlite://")
    if problem:
        raise pytest.UsageError(problem)


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        problem = not_a_test_database(url)
        if problem:  # checked at start-up too; never drop anything on a database not for tests
            pytest.exit(problem, returncode=pytest.ExitCode.USAGE_ERROR)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session", autouse=True)
def efirma_trust(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Trust the test CA (EFIRMA_CA_CERTS), and keep demo e.firma files in a temporary folder,
    for the app and for services called outside one."""
    folder = tmp_path_factory.mktemp("efirma")
    store = folder / "ca.pem"
    store.write_bytes(pki().ca_pem())
    settings = {"EFIRMA_CA_CERTS": str(store), "EFIRMA_DEMO_DIR": str(folder / "demo")}
    saved = {k: os.environ.get(k) for k in settings}
    os.environ.update(settings)
    yield settings
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Give an empty database with the schema applied by the migrations."""
    url = _database_url(tmp_path_factory)
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    command.upgrade(alembic_config(url), "head")
    yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _empty_tables(engine: Engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def app(database_url: str, engine: Engine, efirma_trust: dict[str, str],
        tmp_path: Path) -> Iterator[Flask]:
    app = create_app({
        **efirma_trust,
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "LOGIN_FAILURES_PER_ADDRESS": "5 per 15 minutes",
        "RATELIMIT_STORAGE_URI": "memory://",
        "DOCUMENTS_DIR": str(tmp_path / "documents"),
    })
    yield app
    app.extensions["engine"].dispose()
    _empty_tables(engine)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """Give an emptied Redis database (TEST_REDIS_URL) for a shared rate-limit store.

    Without Redis the test is skipped, unless REQUIRE_REDIS is set (CI sets it).
    """
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.flushdb()
    except redis.exceptions.ConnectionError as error:
        client.close()
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail(f"REQUIRE_REDIS is set but Redis does not answer at {url}: {error}")
        pytest.skip(f"no Redis at {url}")
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """Give the test's own session, outside any app context.

    Requests made with the test client then get their own app context and session, as in
    production; objects held here keep the values they had when the test read them.
    """
    session = app.extensions["sessionmaker"]()
    yield session
    session.close()


@pytest.fixture
def make(app: Flask, session: Session) -> Factory:
    """Give the factory of users, companies, proposals, documents and tokens."""
    return Factory(session, app.extensions["documents"])


@pytest.fixture
def dialect(engine: Engine) -> str:
    return engine.dialect.name


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get("TEST_DATABASE_URL", "sqlite (temporary file)")
    return f"database: {url.split('@')[-1] if '@' in url else url}"

