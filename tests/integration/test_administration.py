"""Administrators change accounts through one service; each change is sealed with who did it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from promtel_fin.domain.errors import Forbidden, InvalidInput, NotFound
from promtel_fin.domain.workflow import Role
from promtel_fin.models import HistoryEntry, User
from promtel_fin.services import admin

from ..audit_helpers import verify
from ..e2e.pages import post, sign_in, text
from ..factories import Factory

STRONG = "Maguey-Cobre-Brujula-88"


def system_entries(session: Session) -> list[HistoryEntry]:
    session.expire_all()
    return list(session.scalars(select(HistoryEntry).where(HistoryEntry.proposal_id.is_(None))
                                .order_by(HistoryEntry.gseq)))


@pytest.mark.parametrize(("change", "action"), [
    (lambda s, a, u: admin.set_role(s, a, u.id, "focir"), "user_role_changed"),
    (lambda s, a, u: admin.set_active(s, a, u.id, False), "user_deactivated"),
    (lambda s, a, u: admin.reset_password(s, a, u.id, STRONG), "user_password_reset"),
])
def test_each_change_to_an_account_is_recorded_with_its_administrator(
        app: Flask, session: Session, make: Factory, change: Any, action: str) -> None:
    boss, target = make.user(Role.ADMIN), make.user(Role.PROMTEL)
    change(session, boss, target)
    (entry,) = system_entries(session)
    assert (entry.action, entry.actor_id, entry.actor_role) == (action, boss.id, "admin")
    assert entry.payload["user_id"] == target.id
    code, report = verify(app)
    assert code == 0, report


def test_a_change_that_changes_nothing_records_nothing(session: Session, make: Factory) -> None:
    boss, target = make.user(Role.ADMIN), make.user(Role.PROMTEL)
    admin.set_role(session, boss, target.id, "promtel")
    admin.set_active(session, boss, target.id, True)
    assert system_entries(session) == []


def test_the_role_change_records_from_and_to(session: Session, make: Factory) -> None:
    boss, target = make.user(Role.ADMIN), make.user(Role.PROMTEL)
    admin.set_role(session, boss, target.id, "focir")
    assert system_entries(session)[0].payload == {"user_id": target.id, "from": "promtel",
                                                  "to": "focir"}


def test_creating_an_account_is_recorded(session: Session, make: Factory) -> None:
    boss = make.user(Role.ADMIN)
    user = admin.create_account(session, boss, "nueva@promtel.gob.mx", STRONG, "promtel",
                                name="Nueva")
    (entry,) = system_entries(session)
    assert entry.action == "user_created" and entry.payload["user_id"] == user.id


@pytest.mark.parametrize("role", [Role.SME, Role.PROMTEL, Role.FOCIR])
def test_only_administrators_manage_accounts(session: Session, make: Factory,
                                             role: Role) -> None:
    target = make.user(Role.PROMTEL)
    with pytest.raises(Forbidden):
        admin.set_active(session, make.user(role), target.id, False)
    session.expire_all()
    assert session.get(User, target.id).active


def test_an_administrator_cannot_change_their_own_account(session: Session,
                                                           make: Factory) -> None:
    boss = make.user(Role.ADMIN)
    for change in (lambda: admin.set_role(session, boss, boss.id, "sme"),
                   lambda: admin.set_active(session, boss, boss.id, False)):
        with pytest.raises(Forbidden):
            change()


def test_refusals_leave_nothing_behind(session: Session, make: Factory) -> None:
    boss, sme = make.user(Role.ADMIN), make.user(Role.SME)
    with pytest.raises(NotFound):
        admin.set_active(session, boss, 2**31, False)
    with pytest.raises(InvalidInput):
        admin.set_role(session, boss, make.user(Role.PROMTEL).id, "sme")  # no company
    with pytest.raises(InvalidInput):
        admin.reset_password(session, boss, sme.id, "corta")
    assert system_entries(session) == []


def test_a_temporary_password_ends_the_users_sessions(app: Flask, client: FlaskClient,
                                                     make: Factory, session: Session) -> None:
    user, boss = make.user(Role.SME), make.user(Role.ADMIN)
    sign_in(client, user)
    assert client.get("/dashboard").status_code == 200
    browser = app.test_client()
    sign_in(browser, boss)
    r = post(browser, "/admin/users", {"do": "password", "user_id": str(user.id),
                                       "password": STRONG})
    assert r.status_code == 302
    assert user.email in text(browser.get("/admin/users"))
    assert client.get("/dashboard").status_code == 302   # signed out
    fresh = app.test_client()
    login = fresh.post("/login", data={"csrf_token": _token(fresh), "email": user.email,
                                       "password": STRONG})
    assert login.status_code == 302


def _token(client: FlaskClient) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)


def test_a_weak_temporary_password_is_refused_on_the_page(app: Flask, make: Factory,
                                                         session: Session) -> None:
    user, boss = make.user(Role.SME), make.user(Role.ADMIN)
    browser = app.test_client()
    sign_in(browser, boss)
    r = post(browser, "/admin/users", {"do": "password", "user_id": str(user.id),
                                       "password": "contraseña"})
    assert r.status_code == 302
    page = text(browser.get("/admin/users"))
    assert "12 caracteres" in page
    assert system_entries(session) == []
