"""The caller's notifications through the API and the pages: newest first, unread, read."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import Notification, User
from promtel_fin.services.notify import notify

from ..factories import Factory
from .conftest import ApiClient
from .pages import csrf, post, sign_in, text
from .test_statement_counts import counting

FIELDS = {"id", "kind", "proposal_id", "subject", "body", "created_at", "read_at"}


def _walk(make: Factory) -> tuple[dict[Role, User], int]:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.UPDATE)   # ack, submit, feedback: 2 told the SME
    return cast, proposal.id


def test_the_list_is_the_callers_newest_first_in_the_requests_language(
        api: ApiClient, make: Factory) -> None:
    cast, proposal_id = _walk(make)
    sme = cast[Role.SME]
    page = api.get("/notifications", sme, lang="en").json
    assert page["next"] is None and len(page["items"]) == 2
    first = page["items"][0]
    assert set(first) == FIELDS
    assert first["kind"] == "transition" and first["proposal_id"] == proposal_id
    assert first["subject"].endswith(": step 4, Update") and first["read_at"] is None
    assert page["items"][0]["id"] > page["items"][1]["id"]
    spanish = api.get("/notifications", sme).json["items"][0]
    assert spanish["id"] == first["id"] and spanish["subject"].endswith(": paso 4, Actualización")
    # Another user sees none of these; FOCIR was never told.
    assert api.get("/notifications", cast[Role.FOCIR]).json["items"] == []
    assert api.get("/notifications").status_code == 401


def test_read_one_read_all_and_unread_only(api: ApiClient, make: Factory) -> None:
    cast, _proposal_id = _walk(make)
    sme, other = cast[Role.SME], cast[Role.PROMTEL]
    newest, older = api.get("/notifications", sme).json["items"]
    answer = api.post(f"/notifications/{older['id']}/read", sme)
    assert answer.status_code == 200 and answer.json["read_at"] is not None
    again = api.post(f"/notifications/{older['id']}/read", sme).json
    assert again["read_at"] == answer.json["read_at"]           # reading twice changes nothing
    unread = api.get("/notifications", sme, query={"unread": "true"}).json["items"]
    assert [n["id"] for n in unread] == [newest["id"]]
    assert api.post(f"/notifications/{newest['id']}/read", other).status_code == 404
    assert api.post("/notifications/999999/read", sme).status_code == 404
    assert api.post("/notifications/read-all", sme).json == {"marked": 1}
    assert api.get("/notifications", sme, query={"unread": "true"}).json["items"] == []
    assert api.post("/notifications/read-all", sme).json == {"marked": 0}


def test_pages_follow_by_cursor_and_refuse_a_forged_one(
        api: ApiClient, make: Factory, session: Session) -> None:
    user = make.user(Role.PROMTEL)
    for i in range(5):
        notify(session, [user], "test", None, subject=f"n{i}", body="b")
    session.commit()
    first = api.get("/notifications", user, query={"page_size": 2}).json
    assert [n["subject"] for n in first["items"]] == ["n4", "n3"]
    second = api.client.get(first["next"], headers=api.headers(user)).json
    assert [n["subject"] for n in second["items"]] == ["n2", "n1"]
    third = api.client.get(second["next"], headers=api.headers(user)).json
    assert [n["subject"] for n in third["items"]] == ["n0"] and third["next"] is None
    for bad in ({"cursor": "x" * 50}, {"page_size": 0}, {"page_size": 101},
                {"unread": "maybe"}):
        assert api.get("/notifications", user, query=bad).status_code == 422, bad


def test_preferences_turn_email_off_and_choose_the_language(
        api: ApiClient, make: Factory) -> None:
    user = make.user(Role.FOCIR)
    assert api.get("/notifications/preferences", user).json == {
        "email_notifications": True, "language": "es"}
    answer = api.request("PUT", "/notifications/preferences", user,
                         json={"email_notifications": False, "language": "en"})
    assert answer.json == {"email_notifications": False, "language": "en"}
    bad = api.request("PUT", "/notifications/preferences", user,
                      json={"email_notifications": "no", "language": "fr"})
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"email_notifications",
                                                                   "language"}


def test_header_count_inbox_and_read_buttons_without_javascript(
        app: Flask, client: FlaskClient, make: Factory, session: Session) -> None:
    cast, proposal_id = _walk(make)
    sme = cast[Role.SME]
    assert "unread" not in text(client.get("/"))                # anonymous: no count
    sign_in(client, sme)
    with counting(app) as statements:
        home = text(client.get("/"))
    assert "(2 sin leer)" in home
    assert sum("FROM notifications" in s for s in statements) == 1  # one cheap query
    inbox = text(client.get("/notifications"))
    assert "paso 4, Actualización" in inbox and "Qué sigue" in inbox
    newest = session.scalars(select(Notification).where(Notification.user_id == sme.id)
                             .order_by(Notification.id.desc())).first()
    assert newest is not None
    opened = post(client, f"/notifications/{newest.id}/read", {"open": "1"},
                  token_from="/notifications")
    assert opened.status_code == 302 and opened.location.endswith(f"/proposals/{proposal_id}")
    assert "(1 sin leer)" in text(client.get("/"))
    done = post(client, "/notifications/read-all", {}, token_from="/notifications")
    assert done.status_code == 302 and "sin leer" not in text(client.get("/"))
    # Without the CSRF token nothing happens.
    assert client.post("/notifications/read-all").status_code == 400


def test_the_preferences_page_saves_with_its_token(client: FlaskClient, make: Factory,
                                                   session: Session) -> None:
    user = make.user(Role.SME)
    sign_in(client, user)
    token = csrf(client, "/account/notifications")
    answer = client.post("/account/notifications", data={"csrf_token": token,
                                                         "language": "en"})
    assert answer.status_code == 302
    session.expire_all()
    fresh = session.get(User, user.id)
    assert fresh is not None and (fresh.email_notifications, fresh.language) == (False, "en")
