"""Registration does not reveal whether an e-mail address already has an account."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promtel_fin.domain.workflow import Role
from promtel_fin.models import Company, User
from promtel_fin.services import users

from ..factories import PASSWORD, Factory, make_rfc
from .pages import post, text

STRONG = "Cenote-Pinata-Grillo-58"
LEAKY = ("Date", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After")


def _body(email: str, password: str = STRONG) -> dict[str, Any]:
    return {"email": email, "password": password, "name": "Luz",
            "company": {"legal_name": "Redes del Sur, S.A. de C.V.", "rfc": make_rfc(),
                        "state_code": "07", "municipality_key": "07109"}}


def _headers(response: Any) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in LEAKY}


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the argon2 hashes computed (the slow part of registering)."""
    done: list[str] = []
    real: Callable[[str], str] = users.hash_password
    monkeypatch.setattr(users, "hash_password", lambda p: done.append(p) or real(p))
    return done


def test_the_api_answers_the_same_for_a_new_and_a_registered_email(
        client: FlaskClient, make: Factory, session: Session, hashes: list[str]) -> None:
    existing = make.user(Role.SME)
    new = client.post("/api/v1/registrations", json=_body("nueva@redes-sur.mx"))
    hashes_for_new = len(hashes)
    taken = client.post("/api/v1/registrations", json=_body(existing.email.upper()))
    assert (new.status_code, new.json) == (taken.status_code, taken.json)
    assert new.status_code == 202 and set(new.json) == {"message"}
    assert _headers(new) == _headers(taken)
    assert "Set-Cookie" not in new.headers
    assert hashes_for_new == len(hashes) - hashes_for_new == 1
    assert session.scalar(select(func.count()).select_from(Company)) == 2   # factory's + new


def test_a_registered_email_keeps_its_account_untouched(
        client: FlaskClient, make: Factory, session: Session) -> None:
    existing = make.user(Role.SME)
    before = (existing.password_hash, existing.company_id, existing.name)
    client.post("/api/v1/registrations", json=_body(existing.email))
    session.expire_all()
    after = session.get(User, existing.id)
    assert (after.password_hash, after.company_id, after.name) == before
    assert client.post("/api/v1/tokens", json={"email": existing.email, "password": PASSWORD}
                       ).status_code == 201


def test_a_weak_password_is_refused_alike_for_a_new_and_a_registered_email(
        client: FlaskClient, make: Factory) -> None:
    existing = make.user(Role.SME)
    new = client.post("/api/v1/registrations", json=_body("otra@redes-sur.mx", "contraseña1234"))
    taken = client.post("/api/v1/registrations", json=_body(existing.email, "contraseña1234"))
    assert new.status_code == taken.status_code == 422
    assert new.json == taken.json and "más usadas" in new.json["message"]


def test_the_page_answers_the_same_and_signs_nobody_in(
        client: FlaskClient, make: Factory, session: Session, hashes: list[str]) -> None:
    existing = make.user(Role.SME)

    def register(email: str) -> tuple[Any, str]:
        body = _body(email)
        form = {"email": email, "name": body["name"], "password": STRONG,
                "password_confirm": STRONG, **{f"company.{k}": v
                                               for k, v in body["company"].items()}}
        r = post(client, "/register", form)
        follow = text(client.get(r.headers["Location"]))
        return r, re.sub(r'name="csrf_token"[^>]*>', "", follow)   # tokens carry the time

    new, new_page = register("ana@redes-sur.mx")
    hashes_for_new = len(hashes)
    taken, taken_page = register(existing.email)
    assert (new.status_code, new.headers["Location"]) == (302, "/login")
    assert (taken.status_code, taken.headers["Location"]) == (302, "/login")
    assert new_page == taken_page and "Registro recibido" in new_page
    assert hashes_for_new == len(hashes) - hashes_for_new == 1
    assert client.get("/dashboard").status_code == 302                   # not signed in
    assert session.scalar(select(User).where(User.email == "ana@redes-sur.mx")) is not None


def test_the_page_says_to_sign_in_after_registering(client: FlaskClient) -> None:
    assert "inicie sesión con este correo y contraseña" in text(client.get("/register"))
