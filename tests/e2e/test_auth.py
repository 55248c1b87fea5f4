"""Bearer tokens, failed-login limits and SME self-registration."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from promtel_fin.domain.workflow import Role
from promtel_fin.models import ApiToken, Company, User, utcnow

from ..factories import PASSWORD, Factory


def _login(client: FlaskClient, email: str, password: str, **headers: str) -> Any:
    return client.post("/api/v1/tokens", json={"email": email, "password": password},
                       headers=headers)


def test_a_user_signs_in_and_the_token_is_stored_only_as_a_digest(
        client: FlaskClient, make: Factory, session: Session) -> None:
    user = make.user(Role.PROMTEL)
    r = _login(client, user.email.upper(), PASSWORD)
    assert r.status_code == 201, r.json
    token = r.json["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert (me.status_code, me.json["role"]) == (200, "promtel")
    stored = session.scalars(select(ApiToken.token_sha256)).all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]


def test_passwords_are_hashed_with_argon2(client: FlaskClient, session: Session) -> None:
    from promtel_fin.services.users import create_user

    user = create_user(session, "nueva@example.mx", "Garza-Mezcal-Columpio-64", "promtel")
    assert user.password_hash.startswith("$argon2id$")
    assert _login(client, "nueva@example.mx", "Garza-Mezcal-Columpio-64").status_code == 201


@pytest.mark.parametrize("password", ["wrong-password", ""])
def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
        client: FlaskClient, make: Factory, password: str) -> None:
    user = make.user(Role.PROMTEL)
    wrong = _login(client, user.email, password)
    unknown = _login(client, "nadie@example.mx", password)
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json
    assert "Inicie sesión" in wrong.json["message"]


def test_an_expired_token_is_refused(client: FlaskClient, make: Factory,
                                     session: Session) -> None:
    user = make.user(Role.FOCIR)
    token = make.token(user)
    row = session.scalars(select(ApiToken)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}
                      ).status_code == 401


def test_a_revoked_token_is_refused(client: FlaskClient, make: Factory) -> None:
    headers = make.headers(make.user(Role.FOCIR))
    assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_deactivated_user_can_neither_sign_in_nor_use_old_tokens(
        client: FlaskClient, make: Factory, session: Session) -> None:
    user = make.user(Role.PROMTEL)
    headers = make.headers(user)
    user.active = False
    session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert _login(client, user.email, PASSWORD).status_code == 401


def test_failed_sign_ins_are_limited_per_client_address_across_accounts(
        client: FlaskClient, make: Factory) -> None:
    """After 5 failures (the test limit) from one address, even a right password waits."""
    user, other = make.user(Role.PROMTEL), make.user(Role.PROMTEL)
    assert _login(client, user.email, PASSWORD).status_code == 201  # successes do not count
    for n in range(5):
        assert _login(client, f"nadie{n}@example.mx", "nope").status_code == 401
    blocked = _login(client, other.email, PASSWORD, **{"Accept-Language": "en"})
    assert blocked.status_code == 429
    assert blocked.json["message"] == "Too many attempts; wait a few minutes and try again."


REGISTRATION = {
    "email": "contacto@redes-sierra.mx", "password": "Cenote-Pinata-Grillo-58", "name": "Luz",
    "company": {"legal_name": "Redes de la Sierra, S.A. de C.V.", "rfc": "CSA190312AB2",
                "state_code": "07", "municipality_key": "07109",
                "legal_rep_curp": "GOLM800101HCSMPR07"},
}


def _register(client: FlaskClient, **changes: Any) -> Any:
    body = {**REGISTRATION, **changes}
    if "company" in changes:
        body["company"] = {**REGISTRATION["company"], **changes["company"]}
    return client.post("/api/v1/registrations", json=body)


def test_an_sme_registers_its_company_and_first_user(client: FlaskClient,
                                                     session: Session) -> None:
    r = _register(client)
    assert r.status_code == 202, r.json
    assert set(r.json) == {"message"} and "inicie sesión" in r.json["message"]
    company = session.scalars(select(Company)).one()
    user = session.scalars(select(User)).one()
    assert (company.rfc, user.company_id, user.role) == ("CSA190312AB2", company.id, "sme")
    assert _login(client, REGISTRATION["email"], REGISTRATION["password"]).status_code == 201


def test_a_wrong_rfc_check_digit_still_registers(client: FlaskClient,
                                                 session: Session) -> None:
    r = _register(client, company={"rfc": "csa-190312-ab9"})
    assert r.status_code == 202, r.json
    assert session.scalars(select(Company.rfc)).one() == "CSA190312AB9"


@pytest.mark.parametrize(("changes", "field"), [
    ({"company": {"rfc": "XYZ"}}, "rfc"),
    ({"company": {"rfc": "GODE561231GR8"}}, "rfc"),
    ({"company": {"legal_rep_curp": "GOLM800101HCSMPR09"}}, "company"),
    ({"company": {"municipality_key": "17027"}}, "company"),
    ({"company": {"state_code": "33"}}, "company"),
    ({"password": "corta"}, "password"),
    ({"password": "Contraseña2026!"}, "password"),
    ({"password": "contacto@redes-sierra.mx"}, "password"),
    ({"email": "no-es-correo"}, "email"),
])
def test_registration_refuses_bad_company_data_with_a_reason(
        client: FlaskClient, session: Session, changes: dict, field: str) -> None:
    r = _register(client, **changes)
    assert r.status_code == 422, r.json
    assert field in str(r.json["errors"]), r.json
    assert session.scalars(select(Company)).all() == []  # nothing half-saved


def test_a_company_already_registered_is_a_conflict(client: FlaskClient,
                                                   session: Session) -> None:
    """RFCs are public (printed on every invoice), so saying one is registered reveals nothing."""
    assert _register(client).status_code == 202
    again = _register(client, email="otra@redes-sierra.mx")
    assert again.status_code == 409
    assert "CSA190312AB2" in again.json["message"]
    assert len(session.scalars(select(Company)).all()) == 1
