"""/healthz says the process is alive without touching the database; /readyz says what is down."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from promtel_fin import create_app
from promtel_fin.security import limiter

# Nothing answers on port 1; the directory does not exist, so SQLite cannot create the file.
UNREACHABLE = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/test_unreachable",
    "sqlite": "sqlite:////nonexistent-directory/test.sqlite3",
}


def build(database_url: str, **settings: str) -> Flask:
    return create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
                       "RATELIMIT_STORAGE_URI": "memory://", **settings})


@pytest.fixture(params=sorted(UNREACHABLE))
def no_database(request: pytest.FixtureRequest) -> Iterator[Flask]:
    app = build(UNREACHABLE[request.param])
    yield app
    app.extensions["engine"].dispose()


def assert_plain(r: TestResponse) -> None:
    """Never cached, and no cookie: a probe every few seconds must not open sessions."""
    assert r.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in r.headers
    assert r.mimetype == "application/json"


def test_healthz_answers_ok_while_the_process_is_alive(client: FlaskClient) -> None:
    r = client.get("/healthz")
    assert (r.status_code, r.json) == (200, {"status": "ok"})
    assert_plain(r)


def test_healthz_answers_ok_with_the_database_unreachable(no_database: Flask) -> None:
    client = no_database.test_client()
    r = client.get("/healthz")
    assert (r.status_code, r.json) == (200, {"status": "ok"})
    assert_plain(r)
    # The same app cannot reach its database: readiness says so.
    assert client.get("/readyz").status_code == 503


def test_readyz_answers_ok_when_the_database_answers(client: FlaskClient) -> None:
    r = client.get("/readyz")
    assert (r.status_code, r.json) == (200, {"status": "ok", "checks": {"database": "ok"}})
    assert_plain(r)


def test_readyz_names_the_database_when_it_is_down(no_database: Flask) -> None:
    r = no_database.test_client().get("/readyz")
    assert (r.status_code, r.json) == (
        503, {"status": "unavailable", "checks": {"database": "down"}})
    assert r.headers["Retry-After"] == "30"
    assert_plain(r)


def test_readyz_pings_redis_when_the_rate_limits_live_there(database_url: str,
                                                           redis_url: str) -> None:
    app = build(database_url, RATELIMIT_STORAGE_URI=redis_url)
    try:
        r = app.test_client().get("/readyz")
    finally:
        app.extensions["engine"].dispose()
    assert (r.status_code, r.json) == (
        200, {"status": "ok", "checks": {"database": "ok", "redis": "ok"}})


def test_readyz_names_redis_when_it_is_down(database_url: str) -> None:
    app = build(database_url, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    try:
        r = app.test_client().get("/readyz")
    finally:
        app.extensions["engine"].dispose()
    assert (r.status_code, r.json) == (
        503, {"status": "unavailable", "checks": {"database": "ok", "redis": "down"}})
    assert_plain(r)


def test_the_probes_are_never_rate_limited(database_url: str) -> None:
    app = build(database_url, RATELIMIT_APPLICATION="2 per minute")
    try:
        client = app.test_client()
        # The application-wide limit applies to everything else...
        assert [client.get("/api/v1/policy").status_code for _ in range(3)] == [200, 200, 429]
        # ...but not to the probes, however often they come.
        for path in ("/healthz", "/readyz"):
            assert {client.get(path).status_code for _ in range(5)} == {200}
    finally:
        limiter.limit_manager.set_application_limits([])   # the limiter outlives the app
        app.extensions["engine"].dispose()


def test_the_probes_answer_a_head_request_too(client: FlaskClient) -> None:
    assert client.head("/healthz").status_code == 200
    assert client.head("/readyz").status_code == 200


def test_the_probes_are_documented_for_operators() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "/healthz" in readme and "/readyz" in readme
