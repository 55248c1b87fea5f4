"""Page sessions: HttpOnly SameSite=Lax cookies, CSRF on every form, and friendly errors."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from promtel_fin.domain.workflow import Role

from ..factories import PASSWORD, Factory


def _csrf(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def _sign_in(client: FlaskClient, email: str, password: str, **query: str):
    return client.post("/login", query_string=query, data={
        "csrf_token": _csrf(client), "email": email, "password": password})


def test_signing_in_sets_an_httponly_samesite_lax_session_cookie(client: FlaskClient,
                                                                 make: Factory) -> None:
    user = make.user(Role.PROMTEL)
    r = _sign_in(client, user.email, PASSWORD)
    assert r.status_code == 302
    cookie = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert r.headers["Location"] == "/dashboard"
    assert f'title="{user.email}"' in client.get("/").get_data(as_text=True)


def test_a_form_posted_without_its_csrf_token_is_refused(client: FlaskClient,
                                                         make: Factory) -> None:
    user = make.user(Role.PROMTEL)
    r = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert r.status_code == 400
    assert "El formulario venció" in r.get_data(as_text=True)
    assert r.content_type.startswith("text/html")


def test_a_wrong_password_keeps_the_email_and_explains(client: FlaskClient,
                                                       make: Factory) -> None:
    user = make.user(Role.SME)
    r = _sign_in(client, user.email, "equivocada")
    page = r.get_data(as_text=True)
    assert r.status_code == 401
    assert "El correo o la contraseña no son correctos." in page
    assert f'value="{user.email}"' in page
    assert 'aria-invalid="true"' in page


def test_sign_out_is_a_post_with_csrf(client: FlaskClient, make: Factory) -> None:
    user = make.user(Role.FOCIR)
    _sign_in(client, user.email, PASSWORD)
    assert client.post("/logout").status_code == 400
    r = client.post("/logout", data={"csrf_token": _csrf(client, "/")})
    assert r.status_code == 302
    assert user.email not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/x", "//evil.example", "javascript:x"])
def test_sign_in_never_redirects_to_another_site(client: FlaskClient, make: Factory,
                                                 target: str) -> None:
    user = make.user(Role.PROMTEL)
    r = _sign_in(client, user.email, PASSWORD, next=target)
    assert r.headers["Location"] == "/"


def test_sign_in_follows_next_within_the_site(client: FlaskClient, make: Factory) -> None:
    user = make.user(Role.PROMTEL)
    assert _sign_in(client, user.email, PASSWORD, next="/api/v1/docs").headers[
        "Location"] == "/api/v1/docs"


def test_failed_form_sign_ins_are_limited_per_address(client: FlaskClient,
                                                      make: Factory) -> None:
    user = make.user(Role.PROMTEL)
    for n in range(5):
        assert _sign_in(client, f"nadie{n}@example.mx", "equivocada").status_code == 401
    assert _sign_in(client, user.email, PASSWORD).status_code == 429


def test_a_deactivated_user_is_signed_out(client: FlaskClient, make: Factory,
                                          session: Session) -> None:
    user = make.user(Role.SME)
    _sign_in(client, user.email, PASSWORD)
    user.active = False
    session.commit()
    assert user.email not in client.get("/").get_data(as_text=True)


def test_the_home_page_renders_in_spanish_and_in_english(client: FlaskClient) -> None:
    es = client.get("/")
    assert es.status_code == 200
    assert "Interés fijo de 10% anual más IVA" in es.get_data(as_text=True)
    en = client.get("/?lang=en")
    assert en.status_code == 200
    assert "Fixed interest of 10% a year plus VAT" in en.get_data(as_text=True)


def test_the_language_switch_is_remembered(client: FlaskClient) -> None:
    assert "Iniciar sesión" in client.get("/").get_data(as_text=True)
    r = client.get("/lang/en", query_string={"next": "/login"})
    assert r.headers["Location"] == "/login"
    home = client.get("/")
    assert home.status_code == 200
    assert "Sign in" in home.get_data(as_text=True)
    assert '<html lang="en">' in home.get_data(as_text=True)


def test_pages_get_friendly_html_errors_and_the_api_keeps_json(client: FlaskClient) -> None:
    page = client.get("/no-existe")
    assert page.status_code == 404 and page.content_type.startswith("text/html")
    assert "No se encontró la página o el registro." in page.get_data(as_text=True)
    api = client.get("/api/v1/no-existe")
    assert api.status_code == 404 and api.json["code"] == 404


def test_pages_stay_in_spanish_for_an_english_browser_until_the_switch_is_used(
        client: FlaskClient) -> None:
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="es">' in page.get_data(as_text=True)
    api = client.get("/api/v1/nothing", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert api.json["message"] == "The page or record was not found."
