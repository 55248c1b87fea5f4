"""Security headers on every response, no caching of anything personal, production cookies."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from promtel_fin import create_app
from promtel_fin.domain.workflow import Role, State

from ..factories import PASSWORD, Factory
from .pages import csrf, sign_in


def assert_secure_headers(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    policy = headers["Content-Security-Policy"]
    directives = dict(d.partition(" ")[::2] for d in policy.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'none'" and directives["object-src"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers     # only in production


def test_a_page_an_api_answer_and_a_static_file_carry_the_headers(client: FlaskClient) -> None:
    for path in ("/", "/login", "/api/v1/policy", "/api/v1/docs", "/static/app.css"):
        with client.get(path) as r:
            assert r.status_code == 200, path
            assert_secure_headers(r)


def test_error_pages_carry_the_headers_and_are_not_cached(app: Flask,
                                                          client: FlaskClient) -> None:
    def boom() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/boom", "boom", boom)
    for path, code in (("/no-existe", 404), ("/api/v1/no-existe", 404), ("/boom", 500)):
        r = client.get(path)
        assert r.status_code == code
        assert_secure_headers(r)
        assert r.headers["Cache-Control"] == "no-store"


def test_the_pages_need_no_inline_style_or_script(client: FlaskClient) -> None:
    for path in ("/", "/simulator?amount=4500000&term_months=40&grace_months=6", "/register",
                 "/api/v1/docs"):
        page = client.get(path).get_data(as_text=True)
        assert "<style" not in page and "<script" not in page and " style=" not in page, path
        assert 'rel="stylesheet" href="/static/' in page
    with client.get("/static/app.css") as css:
        assert css.content_type.startswith("text/css") and b"--brand" in css.data


def test_personal_pages_and_proposal_answers_are_never_cached(
        client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROPOSAL)
    headers = make.headers(cast[Role.SME])
    for path in (f"/api/v1/proposals/{proposal.id}", f"/api/v1/proposals/{proposal.id}/history",
                 "/api/v1/me", "/api/v1/policy"):
        r = client.get(path, headers=headers)
        assert r.status_code == 200, path
        assert r.headers["Cache-Control"] == "no-store", path
    assert client.post("/api/v1/tokens", json={"email": cast[Role.SME].email,
                                               "password": PASSWORD}
                       ).headers["Cache-Control"] == "no-store"
    assert client.get("/login").headers["Cache-Control"] == "no-store"     # carries a CSRF token
    sign_in(client, cast[Role.SME])
    for path in ("/", "/dashboard", f"/proposals/{proposal.id}", "/static/app.css"):
        with client.get(path) as r:
            assert r.status_code == 200, path
            assert r.headers["Cache-Control"] == "no-store", path


def test_public_resources_may_be_cached_for_anonymous_visitors(client: FlaskClient) -> None:
    for path in ("/", "/simulator", "/api/v1/policy", "/api/v1/openapi.json", "/static/app.css"):
        with client.get(path) as r:
            assert r.status_code == 200, path
            assert "no-store" not in r.headers.get("Cache-Control", ""), path


@pytest.fixture
def production(database_url: str, engine: Engine, redis_url: str) -> Iterator[Flask]:
    if engine.dialect.name != "postgresql":
        pytest.skip("production refuses SQLite: this runs on PostgreSQL (and in .ci/prod-smoke)")
    app = create_app({"TESTING": True, "ENV": "production", "DATABASE_URL": database_url,
                      "SECRET_KEY": secrets.token_urlsafe(48),
                      "AUDIT_KEY": secrets.token_urlsafe(48),
                      "RATELIMIT_STORAGE_URI": redis_url})   # production refuses memory://
    yield app
    app.extensions["engine"].dispose()


def test_production_adds_hsts_and_a_host_only_secure_session_cookie(
        production: Flask, make: Factory) -> None:
    client = production.test_client()
    home = client.get("/", base_url="https://localhost")
    assert home.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    user = make.user(Role.PROMTEL)
    r = client.post("/login", base_url="https://localhost",
                    headers={"Referer": "https://localhost/login"}, data={
                        "csrf_token": csrf(client, "https://localhost/login"),
                        "email": user.email, "password": PASSWORD})
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    cookie = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("__Host-session="))
    parts = [p.strip() for p in cookie.split(";")]
    assert "Secure" in parts and "Path=/" in parts and "HttpOnly" in parts
    assert not any(p.lower().startswith("domain=") for p in parts)
