"""Page sessions live on the server: sign-out, password changes and timeouts end them."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from promtel_fin.domain.workflow import Role
from promtel_fin.models import clock_shift, utcnow
from promtel_fin.models.access import WebSession
from promtel_fin.services import admin as administration

from ..factories import PASSWORD, Factory
from .pages import csrf, post, sign_in

NEW_PASSWORD = "Garza-Mezcal-Columpio-64"


def _opens_dashboard(client: FlaskClient) -> bool:
    r = client.get("/dashboard")
    assert r.status_code in (200, 302), r.status_code
    return r.status_code == 200


def test_a_copy_of_the_cookie_taken_before_sign_out_opens_nothing_afterwards(
        app: Flask, client: FlaskClient, make: Factory) -> None:
    sign_in(client, make.user(Role.SME))
    assert _opens_dashboard(client)
    copied = client.get_cookie("session").value
    assert client.post("/logout", data={"csrf_token": csrf(client, "/")}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied)
    r = thief.get("/dashboard")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    client.set_cookie("session", copied)
    assert not _opens_dashboard(client)


def test_only_the_sessions_digest_is_stored(client: FlaskClient, make: Factory,
                                            session: Session) -> None:
    sign_in(client, make.user(Role.PROMTEL))
    row = session.scalars(select(WebSession)).one()
    assert len(row.id_sha256) == 64 and row.id_sha256 not in client.get_cookie("session").value


def test_changing_the_password_ends_every_other_session_and_revokes_every_token(
        app: Flask, client: FlaskClient, make: Factory) -> None:
    user = make.user(Role.SME)
    other_browser = app.test_client()
    sign_in(client, user)
    sign_in(other_browser, user)
    token = {"Authorization": f"Bearer {make.token(user)}"}
    assert client.get("/api/v1/me", headers=token).status_code == 200
    r = post(client, "/account/password", {"current_password": PASSWORD,
                                           "new_password": NEW_PASSWORD,
                                           "confirm": NEW_PASSWORD})
    assert r.status_code == 302, r.get_data(as_text=True)
    assert _opens_dashboard(client)                 # the session that changed it stays
    assert not _opens_dashboard(other_browser)
    assert client.get("/api/v1/me", headers=token).status_code == 401


def test_a_deactivated_users_sessions_and_tokens_end(app: Flask, client: FlaskClient,
                                                     make: Factory, session: Session) -> None:
    user = make.user(Role.SME)
    sign_in(client, user)
    token = {"Authorization": f"Bearer {make.token(user)}"}
    administration.set_active(session, None, user.id, False)
    assert not _opens_dashboard(client)
    administration.set_active(session, None, user.id, True)
    assert not _opens_dashboard(client)             # reactivating does not revive them
    assert client.get("/api/v1/me", headers=token).status_code == 401
    assert set(session.scalars(select(WebSession.ended_at))) != {None}


def test_a_session_ends_after_an_hour_without_requests(client: FlaskClient,
                                                       make: Factory) -> None:
    sign_in(client, make.user(Role.SME))
    with clock_shift(timedelta(minutes=59)):
        assert _opens_dashboard(client)             # seen: the idle hour starts again
    with clock_shift(timedelta(minutes=118)):
        assert _opens_dashboard(client)
    with clock_shift(timedelta(minutes=179)):
        assert not _opens_dashboard(client)


def test_last_seen_is_written_at_most_every_few_minutes(client: FlaskClient, make: Factory,
                                                        session: Session) -> None:
    sign_in(client, make.user(Role.SME))
    first = session.scalars(select(WebSession.last_seen_at)).one()
    with clock_shift(timedelta(minutes=2)):
        assert _opens_dashboard(client)
    assert session.scalars(select(WebSession.last_seen_at)).one() == first
    with clock_shift(timedelta(minutes=6)):
        assert _opens_dashboard(client)
    assert session.scalars(select(WebSession.last_seen_at)).one() > first


def test_a_session_ends_twelve_hours_after_sign_in_however_busy(
        client: FlaskClient, make: Factory, session: Session) -> None:
    sign_in(client, make.user(Role.SME))
    row = session.scalars(select(WebSession)).one()
    row.created_at = utcnow() - timedelta(hours=12, minutes=1)
    session.commit()
    assert not _opens_dashboard(client)


def test_the_lifetimes_are_configurable(app: Flask, client: FlaskClient, make: Factory) -> None:
    app.config["SESSION_IDLE_MINUTES"] = 5
    sign_in(client, make.user(Role.SME))
    with clock_shift(timedelta(minutes=6)):
        assert not _opens_dashboard(client)


def test_signing_in_again_on_the_same_browser_ends_the_previous_session(
        client: FlaskClient, make: Factory, session: Session) -> None:
    first, second = make.user(Role.SME), make.user(Role.PROMTEL)
    sign_in(client, first)
    sign_in(client, second)
    ended = {row.user_id: row.ended_at for row in session.scalars(select(WebSession))}
    assert ended[first.id] is not None and ended[second.id] is None


def test_a_forged_or_missing_session_id_is_refused(app: Flask, make: Factory) -> None:
    user = make.user(Role.SME)
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = str(user.id)          # the old way in: a user id alone
    assert not _opens_dashboard(client)
    with client.session_transaction() as cookie:
        cookie["sid"] = "not-a-real-session"
    assert not _opens_dashboard(client)


def test_deactivating_on_the_administrators_page_ends_the_users_sessions(
        app: Flask, client: FlaskClient, make: Factory, session: Session) -> None:
    user, admin = make.user(Role.SME), make.user(Role.ADMIN)
    sign_in(client, user)
    admin_browser = app.test_client()
    sign_in(admin_browser, admin)
    assert post(admin_browser, "/admin/users", {"do": "deactivate", "user_id": str(user.id),
                                                  "confirm": "yes"}
                ).status_code == 302
    row = session.scalars(select(WebSession).where(WebSession.user_id == user.id)).one()
    assert row.ended_at is not None
    assert not _opens_dashboard(client)
