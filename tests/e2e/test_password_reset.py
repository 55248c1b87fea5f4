"""Password reset and address confirmation by one-time links, mailed through a real SMTP server."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from promtel_fin.domain.errors import CheckFailed
from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import EmailToken, Notification, User, clock_shift, utcnow
from promtel_fin.services.proposals import get_proposal

from ..factories import PASSWORD, Factory, make_rfc, proposal_document
from ..mailbox import Mailbox, deliver, mailbox_fixture  # noqa: F401  (fixture)
from .conftest import ApiClient
from .pages import post, sign_in, text

NEW = "Lampara-Girasol-Montaña-71"
LINK = re.compile(r"https://financia\.example\.mx/(password-reset|email-confirmation)/([\w-]+)")


def _link(app: Flask, mailbox: Mailbox, email: str) -> str:
    deliver(app)
    message = mailbox.to(email)[-1]
    found = LINK.search(Mailbox.text(message))
    assert found, Mailbox.text(message)
    assert found.group(0) in Mailbox.html(message)
    return found.group(2)


def _ask(api: ApiClient, email: str) -> str:
    answer = api.post("/password-resets", json={"email": email})
    assert answer.status_code == 202
    return answer.json["message"]


def test_the_answer_is_the_same_for_any_address_and_only_accounts_get_mail(
        app: Flask, api: ApiClient, make: Factory, mailbox: Mailbox, session: Session) -> None:
    user = make.user(Role.PROMTEL)
    gone = make.user(Role.PROMTEL, active=False)
    assert _ask(api, user.email.upper()) == _ask(api, "nadie@example.mx") == _ask(api, gone.email)
    deliver(app)
    assert [m["To"] for m in mailbox.messages] == [user.email]
    token = LINK.search(Mailbox.text(mailbox.messages[0])).group(2)  # type: ignore[union-attr]
    # Neither the links' table nor the outbox holds the token.
    rows = session.scalars(select(EmailToken)).all()
    assert len(rows) == 3 and {r.user_id for r in rows} == {user.id, None}
    stored = [str(v) for r in rows for v in vars(r).values()]
    stored += [str(v) for n in session.scalars(select(Notification)) for v in vars(n).values()]
    assert not any(token in value for value in stored)
    # The reset e-mail is not an in-app notification.
    assert api.get("/notifications", user).json["items"] == []
    assert api.post("/password-resets", json={"email": ""}).status_code == 422
    assert api.post("/password-resets", json={"mail": user.email}).status_code == 422


def test_a_reset_ends_every_session_and_token_and_works_once(
        app: Flask, api: ApiClient, client: FlaskClient, make: Factory,
        mailbox: Mailbox) -> None:
    user = make.user(Role.FOCIR)
    assert api.get("/me", user).status_code == 200     # a live API token
    sign_in(client, user)                                # a live page session
    _ask(api, user.email)
    token = _link(app, mailbox, user.email)
    weak = api.post(f"/password-resets/{token}", json={"password": "password123"})
    assert weak.status_code == 422 and "password" in weak.json["errors"]["fields"]
    assert api.post(f"/password-resets/{token}", json={"password": NEW}).status_code == 204
    assert api.get("/me", user).status_code == 401
    assert client.get("/notifications").status_code == 302          # back to sign-in
    again = api.post(f"/password-resets/{token}", json={"password": NEW + "x"})
    assert again.status_code == 410 and again.json["code"] == 410
    assert api.post("/tokens", json={"email": user.email, "password": NEW}).status_code == 201
    assert api.post("/tokens", json={"email": user.email,
                                     "password": PASSWORD}).status_code == 401


def test_a_link_lives_one_hour_and_a_new_password_retires_the_others(
        app: Flask, api: ApiClient, make: Factory, mailbox: Mailbox, session: Session) -> None:
    user = make.user(Role.PROMTEL)
    _ask(api, user.email)
    first = _link(app, mailbox, user.email)
    _ask(api, user.email)
    second = _link(app, mailbox, user.email)
    row = session.scalars(select(EmailToken).order_by(EmailToken.id)).first()
    assert row is not None and row.expires_at - row.created_at == timedelta(hours=1)
    late = row.expires_at - utcnow() + timedelta(seconds=1)
    with clock_shift(late):                                # one second past the hour
        assert api.post(f"/password-resets/{first}",
                        json={"password": NEW}).status_code == 410
    almost = row.expires_at - utcnow() - timedelta(milliseconds=500)
    with clock_shift(almost):                              # the last moment of the hour
        assert api.post(f"/password-resets/{second}",
                        json={"password": NEW}).status_code == 204
    third_ask = api.post(f"/password-resets/{first}", json={"password": NEW})
    assert third_ask.status_code == 410


def test_hostile_tokens_are_gone_not_errors(api: ApiClient) -> None:
    for token in ("x" * 500, "' OR 1=1 --", "..%2F..%2Fetc", "a"):
        answer = api.post(f"/password-resets/{token}", json={"password": NEW})
        assert answer.status_code in (404, 410), token
    assert api.post("/email-confirmations/" + "y" * 300).status_code == 410


def test_at_most_three_reset_mails_an_hour_to_one_address(
        app: Flask, api: ApiClient, make: Factory, mailbox: Mailbox) -> None:
    user = make.user(Role.PROMTEL)
    for _ in range(5):
        _ask(api, user.email)
    deliver(app)
    assert len(mailbox.to(user.email)) == 3


def test_the_pages_reset_a_password_without_javascript(
        app: Flask, client: FlaskClient, make: Factory, mailbox: Mailbox) -> None:
    user = make.user(Role.SME)
    login = text(client.get("/login"))
    assert 'href="/password-reset"' in login
    answer = post(client, "/password-reset", {"email": user.email})
    assert answer.status_code == 200 and "Si este correo tiene una cuenta" in text(answer)
    other = post(client, "/password-reset", {"email": "nadie@example.mx"})
    assert text(other) == text(answer).replace(user.email, "nadie@example.mx")
    token = _link(app, mailbox, user.email)
    page = f"/password-reset/{token}"
    assert client.get(page).status_code == 200
    mismatch = post(client, page, {"password": NEW, "password_confirm": NEW + "!"})
    assert mismatch.status_code == 422 and "no coinciden" in text(mismatch)
    done = post(client, page, {"password": NEW, "password_confirm": NEW})
    assert done.status_code == 302 and done.location.endswith("/login")
    assert client.get(page).status_code == 410
    assert "ya no es válido" in text(client.get("/password-reset/nope"))


def _register(api: ApiClient) -> str:
    email = f"pyme-{make_rfc().lower()}@example.mx"
    body = {"email": email, "password": NEW, "name": "Ana",
            "company": {"legal_name": "Red Comunitaria, S.A. de C.V.", "rfc": make_rfc(),
                        "state_code": "20"}}
    answer = api.post("/registrations", json=body)
    assert answer.status_code == 202, answer.json
    return email


def test_a_self_registered_sme_confirms_its_address_before_it_can_submit(
        app: Flask, api: ApiClient, client: FlaskClient, make: Factory, mailbox: Mailbox,
        session: Session) -> None:
    email = _register(api)
    user = session.scalar(select(User).where(User.email == email))
    assert user is not None and user.email_confirmed_at is None
    first = _link(app, mailbox, email)
    assert mailbox.to(email)[-1]["Subject"] == "Confirme su correo electrónico"
    cast = make.cast(sme=user)
    proposal = make.proposal(cast, at=State.PROPOSAL, **{
        k: v for k, v in proposal_document().items() if k != "title"})
    try:
        make.act(proposal.id, user, "submit_proposal")
    except CheckFailed as refused:
        assert refused.reasons[0].code == "email_unconfirmed"
    else:
        raise AssertionError("an unconfirmed SME submitted")
    refused = api.act(proposal.id, user, "submit_proposal")
    assert refused.status_code == 422
    assert refused.json["errors"]["reasons"][0]["code"] == "email_unconfirmed"
    # A new link may be asked for; either link confirms, once; then the other is retired.
    assert api.post("/email-confirmations", user).status_code == 202
    second = _link(app, mailbox, email)
    assert second != first
    assert client.get("/email-confirmation/not-a-token").status_code == 410
    opened = client.get(f"/email-confirmation/{second}")   # the page: confirms, signs nobody in
    assert opened.status_code == 302 and opened.location.endswith("/login")
    assert api.post(f"/email-confirmations/{first}").status_code == 410     # retired
    assert client.get(f"/email-confirmation/{second}").status_code == 410   # used
    session.expire_all()
    assert user.email_confirmed_at is not None
    make.act(proposal.id, user, "submit_proposal")
    assert get_proposal(session, user, proposal.id).state == "promtel_feedback"
    # Confirmed: asking again sends nothing.
    count = len(mailbox.to(email))
    assert api.post("/email-confirmations", user).status_code == 202
    deliver(app)
    assert len(mailbox.to(email)) == count


def test_users_made_by_the_cli_admin_or_factory_count_as_confirmed(
        make: Factory, session: Session) -> None:
    user = make.user(Role.SME)
    assert user.email_confirmed_at is not None
