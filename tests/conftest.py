"""Fixtures: one database per test run (SQLite file, or PostgreSQL from TEST_DATABASE_URL).

The schema is built once through the Alembic migrations, and every table is emptied after each
test, so tests may commit (the concurrency tests must) and still start clean.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from promtel_fin import create_app
from promtel_fin.cli import alembic_config
from promtel_fin.db import make_engine
from promtel_fin.models import Base

from .factories import Factory


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


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
def app(database_url: str, engine: Engine) -> Iterator[Flask]:
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "LOGIN_FAILURES_PER_ADDRESS": "5 per 15 minutes",
        "RATELIMIT_STORAGE_URI": "memory://",
    })
    yield app
    app.extensions["engine"].dispose()
    _empty_tables(engine)


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
def make(session: Session) -> Factory:
    """Give the factory of users, companies, proposals and tokens."""
    return Factory(session)


@pytest.fixture
def dialect(engine: Engine) -> str:
    return engine.dialect.name


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get("TEST_DATABASE_URL", "sqlite (temporary file)")
    return f"database: {url.split('@')[-1] if '@' in url else url}"

