"""Repeated failures slow one account down instead of locking it; addresses are throttled.

The clock is moved with ``clock_shift`` rather than by sleeping.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from promtel_fin import create_app
from promtel_fin.domain.workflow import Role
from promtel_fin.models import clock_shift
from promtel_fin.services import signin

from ..factories import PASSWORD, Factory
from .pages import csrf


def _token(client: FlaskClient, email: str, password: str, **headers: str) -> Any:
    return client.post("/api/v1/tokens", json={"email": email, "password": password},
                       headers=headers)


def _page(client: FlaskClient, email: str, password: str) -> Any:
    return client.post("/login", data={"csrf_token": csrf(client, "/login"), "email": email,
                                       "password": password})


@pytest.fixture
def generous(app: Flask) -> Flask:
    """Lift the per-address limit so that only the per-account delays show."""
    app.config["LOGIN_FAILURES_PER_ADDRESS"] = "1000 per minute"
    return app


@pytest.mark.parametrize("known", [True, False], ids=["known e-mail", "unknown e-mail"])
def test_after_three_free_failures_each_try_waits_and_says_how_long(
        generous: Flask, client: FlaskClient, make: Factory, known: bool) -> None:
    email = make.user(Role.SME).email if known else "nadie@example.mx"
    for _ in range(4):                                   # three free, the fourth starts a delay
        assert _token(client, email, "equivocada").status_code == 401
    waiting = _token(client, email, PASSWORD, **{"Accept-Language": "en"})
    assert waiting.status_code == 429 and waiting.headers["Retry-After"] == "2"
    assert waiting.json["code"] == 429
    with clock_shift(timedelta(seconds=3)):
        assert _token(client, email, "equivocada").status_code == 401     # fifth: 4 s
        assert _token(client, email, "equivocada").headers["Retry-After"] == "4"
    with clock_shift(timedelta(seconds=8)):
        assert _token(client, email, "equivocada").status_code == 401     # sixth: 8 s
    with clock_shift(timedelta(seconds=12)):
        assert _token(client, email, "equivocada").headers["Retry-After"] == "4"


def test_the_owner_gets_in_after_the_delay_and_success_starts_the_count_over(
        generous: Flask, client: FlaskClient, make: Factory) -> None:
    user = make.user(Role.SME)
    for _ in range(4):
        _token(client, user.email, "equivocada")
    with clock_shift(timedelta(seconds=2)):
        assert _token(client, user.email, PASSWORD).status_code == 201
        for _ in range(3):
            assert _token(client, user.email, "equivocada").status_code == 401
        assert _token(client, user.email, PASSWORD).status_code == 201


def test_the_delay_never_grows_past_the_configured_cap(generous: Flask, client: FlaskClient,
                                                       make: Factory) -> None:
    generous.config["LOGIN_MAX_DELAY_SECONDS"] = 10
    user = make.user(Role.SME)
    for minute in range(12):
        with clock_shift(timedelta(minutes=minute)):
            assert _token(client, user.email, "equivocada").status_code == 401
    with clock_shift(timedelta(minutes=11, seconds=1)):
        assert _token(client, user.email, PASSWORD).headers["Retry-After"] == "9"


def test_during_a_delay_the_password_is_not_even_checked(
        generous: Flask, client: FlaskClient, make: Factory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    user = make.user(Role.SME)
    for _ in range(4):
        _token(client, user.email, "equivocada")
    checked = []
    real = signin.users.authenticate
    monkeypatch.setattr(signin.users, "authenticate",
                        lambda *a, **k: checked.append(1) or real(*a, **k))
    for _ in range(20):
        assert _token(client, user.email, PASSWORD).status_code == 429
    assert checked == []


def test_the_sign_in_page_waits_the_same_way_and_explains(
        generous: Flask, client: FlaskClient, make: Factory) -> None:
    user = make.user(Role.PROMTEL)
    for _ in range(4):
        assert _page(client, user.email, "equivocada").status_code == 401
    r = _page(client, user.email, PASSWORD)
    assert r.status_code == 429 and r.headers["Retry-After"] == "2"
    assert "vuelva a intentar en 2 s" in r.get_data(as_text=True)
    with clock_shift(timedelta(seconds=2)):
        assert _page(client, user.email, PASSWORD).status_code == 302


def test_failures_on_the_page_and_the_api_add_up_for_one_account(
        generous: Flask, client: FlaskClient, make: Factory) -> None:
    user = make.user(Role.PROMTEL)
    for _ in range(2):
        _page(client, user.email, "equivocada")
        _token(client, user.email.upper(), "equivocada")
    assert _token(client, user.email, PASSWORD).status_code == 429


def test_guessing_one_account_does_not_slow_another(generous: Flask, client: FlaskClient,
                                                    make: Factory) -> None:
    victim, other = make.user(Role.SME), make.user(Role.SME)
    for _ in range(6):
        _token(client, victim.email, "equivocada")
    assert _token(client, other.email, PASSWORD).status_code == 201


def test_the_address_limit_is_shared_by_the_page_and_the_api(client: FlaskClient,
                                                             make: Factory) -> None:
    user = make.user(Role.SME)
    for n in range(3):
        assert _page(client, f"a{n}@example.mx", "equivocada").status_code == 401
    for n in range(2):
        assert _token(client, f"b{n}@example.mx", "equivocada").status_code == 401
    assert _token(client, user.email, PASSWORD).status_code == 429
    assert _page(client, user.email, PASSWORD).status_code == 429


@pytest.fixture
def proxied(database_url: str, engine: Engine) -> Iterator[Flask]:
    """Give an app that believes one proxy in front of it."""
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test",
                      "LOGIN_FAILURES_PER_ADDRESS": "5 per 15 minutes", "TRUSTED_PROXIES": 1,
                      "RATELIMIT_STORAGE_URI": "memory://"})
    yield app
    app.extensions["engine"].dispose()


def _exhaust(client: FlaskClient, forwarded_for: str) -> None:
    for n in range(5):
        assert _token(client, f"x{n}@example.mx", "equivocada",
                      **{"X-Forwarded-For": forwarded_for}).status_code == 401


def test_x_forwarded_for_is_ignored_without_trusted_proxies(client: FlaskClient) -> None:
    _exhaust(client, "203.0.113.7")
    assert _token(client, "y@example.mx", "equivocada",
                  **{"X-Forwarded-For": "198.51.100.9"}).status_code == 429


def test_x_forwarded_for_is_believed_from_one_trusted_proxy(proxied: Flask) -> None:
    client = proxied.test_client()
    _exhaust(client, "203.0.113.7")
    assert _token(client, "y@example.mx", "equivocada",
                  **{"X-Forwarded-For": "203.0.113.7"}).status_code == 429
    assert _token(client, "y@example.mx", "equivocada",
                  **{"X-Forwarded-For": "198.51.100.9"}).status_code == 401
    # A client cannot push its own address in front: only the last hop is believed.
    assert _token(client, "z@example.mx", "equivocada",
                  **{"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}).status_code == 429
