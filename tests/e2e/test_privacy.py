"""The privacy notice (aviso de privacidad) is public, Spanish first, and linked from every page."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from promtel_fin.domain.workflow import Role, State

from ..factories import Factory
from .pages import sign_in, text


def test_the_notice_is_public_and_spanish_by_default(client: FlaskClient) -> None:
    r = client.get("/privacidad")
    page = text(r)
    assert r.status_code == 200
    assert "<h1>Aviso de privacidad integral</h1>" in page
    for required in ("Quién trata sus datos", "Para qué los usamos", "derechos ARCO",
                     "plataformadetransparencia.org.mx", "1 de diciembre de 2026"):
        assert required in page, required
    assert "mailto:" not in page  # no contact address configured, none invented


def test_the_notice_in_english_says_the_spanish_one_binds(client: FlaskClient) -> None:
    page = text(client.get("/privacidad", query_string={"lang": "en"}))
    assert "<h1>Privacy notice</h1>" in page and "The Spanish notice is the one that binds" in page


def test_a_configured_contact_is_shown(app: Flask, client: FlaskClient) -> None:
    app.config["PRIVACY_CONTACT_EMAIL"] = "datos@example.gob.mx"
    assert 'href="mailto:datos@example.gob.mx"' in text(client.get("/privacidad"))


def test_every_page_links_to_it_in_its_footer(client: FlaskClient, make: Factory) -> None:
    footer = re.compile(r'<footer>.*<a href="/privacidad">Aviso de privacidad</a>.*</footer>',
                        re.S)
    for path in ("/", "/simulator", "/login", "/register", "/does-not-exist"):
        assert footer.search(text(client.get(path))), path
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_VERIFICATION)
    sign_in(client, cast[Role.PROMTEL])
    for path in ("/queue", f"/proposals/{proposal.id}"):
        assert footer.search(text(client.get(path))), path


def test_the_registration_form_links_to_it(client: FlaskClient) -> None:
    form = re.search(r"<form.*?</form>", text(client.get("/register")), re.S).group(0)
    assert '<a href="/privacidad">aviso de privacidad</a>' in form
