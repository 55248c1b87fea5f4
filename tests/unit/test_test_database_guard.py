"""The suite refuses a TEST_DATABASE_URL whose database name lacks ``test``: it drops its schema."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import not_a_test_database

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://postgres@127.0.0.1:5432/test_ops",
    "postgresql+psycopg://postgres@127.0.0.1:5432/promtel_TEST",
    "sqlite:////tmp/run/test.sqlite3",
    "sqlite://",                                   # in memory: nothing to lose
])
def test_a_database_named_for_tests_is_accepted(url: str) -> None:
    assert not_a_test_database(url) is None


@pytest.mark.parametrize(("url", "name"), [
    ("postgresql+psycopg://promtel@db:5432/promtel", "'promtel'"),
    ("postgresql+psycopg://postgres@127.0.0.1:5432/postgres", "'postgres'"),
    ("postgresql+psycopg://postgres@127.0.0.1:5432", "'(none)'"),
    ("sqlite:////srv/test/promtel_fin.sqlite3", "'promtel_fin.sqlite3'"),  # the file, not dir
])
def test_any_other_database_is_refused_by_name(url: str, name: str) -> None:
    problem = not_a_test_database(url)
    assert problem is not None and name in problem and "does not contain 'test'" in problem


def test_pytest_stops_before_touching_a_database_not_named_for_tests(tmp_path: Path) -> None:
    database = tmp_path / "promtel.sqlite3"
    with sqlite3.connect(database) as conn:
        conn.execute("CREATE TABLE users (email TEXT)")
        conn.execute("INSERT INTO users VALUES ('revisora@promtel.gob.mx')")
    env = {**os.environ, "TEST_DATABASE_URL": f"sqlite:///{database}"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/unit/test_loan.py"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    assert "whose name does not contain 'test'" in done.stderr
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT email FROM users").fetchall() == [("revisora@promtel.gob.mx",)]
