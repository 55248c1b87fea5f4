"""The audit key: rotation keeps old entries verifiable, production insists on a real key,
system entries join the chain, and a tampered head is never extended."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import DEV_AUDIT_KEY, check_production
from promtel_fin import create_app
from promtel_fin.domain.history import key_id
from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import HistoryEntry
from promtel_fin.services import history

from ..audit_helpers import checks, tamper, verify
from ..factories import Factory

NEW_KEY = "n" * 40


@pytest.fixture
def app_with(app: Flask, database_url: str) -> Iterator[Any]:
    """Build apps on the test database (and the test's document store) with other audit
    settings."""
    apps: list[Flask] = []
    documents_dir = app.config["DOCUMENTS_DIR"]

    def build(**settings: str) -> Flask:
        app = create_app({"TESTING": True, "DATABASE_URL": database_url,
                          "DOCUMENTS_DIR": documents_dir, **settings})
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["engine"].dispose()


def test_entries_under_an_old_key_verify_only_while_it_is_listed(
        app: Flask, make: Factory, session: Session, app_with: Any) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROPOSAL)
    rotated = app_with(AUDIT_KEY=NEW_KEY, AUDIT_PREVIOUS_KEYS=f" other-old-key , {DEV_AUDIT_KEY}")
    with rotated.app_context():
        make.act(proposal.id, cast[Role.SME], "submit_proposal")
    keys = set(session.scalars(select(HistoryEntry.key_id)))
    assert keys == {key_id(DEV_AUDIT_KEY), key_id(NEW_KEY)}

    assert verify(rotated)[0] == 0
    code, report = verify(app_with(AUDIT_KEY=NEW_KEY))
    assert code == 1
    assert checks(report, proposal.id) == {"mac"}  # the heads were sealed again under the new key
    assert any(f"unknown key id {key_id(DEV_AUDIT_KEY)}" in p["message"]
               for p in report["problems"])
    assert verify(app)[0] == 1  # the old key alone does not know the new entries


def test_the_key_id_reveals_nothing_and_is_stable() -> None:
    assert key_id(NEW_KEY) == key_id(NEW_KEY) != key_id(NEW_KEY + "x")
    assert len(key_id(NEW_KEY)) == 16 and NEW_KEY[:4] not in key_id(NEW_KEY)


@pytest.mark.parametrize(("settings", "message"), [
    ({}, "AUDIT_KEY must be set"),
    ({"AUDIT_KEY": DEV_AUDIT_KEY}, "AUDIT_KEY must be set"),
    ({"AUDIT_KEY": "short"}, "AUDIT_KEY must be set"),
    ({"AUDIT_KEY": "s" * 40}, "AUDIT_KEY must differ from SECRET_KEY"),
])
def test_production_refuses_to_start_without_a_real_audit_key(
        settings: dict[str, str], message: str) -> None:
    config = {"ENV": "production", "SECRET_KEY": "s" * 40,
              "DATABASE_URL": "postgresql+psycopg://promtel@db/promtel",
              "RATELIMIT_STORAGE_URI": "redis://db:6379", **settings}
    with pytest.raises(RuntimeError, match=message):
        check_production(config)


def test_production_starts_with_its_own_audit_key() -> None:
    check_production({"ENV": "production", "SECRET_KEY": "s" * 40, "AUDIT_KEY": "a" * 40,
                      "DATABASE_URL": "postgresql+psycopg://promtel@db/promtel",
                      "RATELIMIT_STORAGE_URI": "redis://db:6379"})


def test_a_system_entry_without_an_actor_joins_the_global_chain(
        app: Flask, make: Factory, session: Session) -> None:
    make.proposal(at=State.PROPOSAL)   # create, acknowledge and nine documents: 11 entries
    admin = make.user(Role.ADMIN)
    history.append_system(session, "policy_change", payload={"note": "tasa"}, actor=admin)
    history.append_system(session, "maintenance", comment="sin usuario")
    session.commit()
    make.proposal(at=State.CONTACT)
    system = session.scalars(select(HistoryEntry).where(HistoryEntry.proposal_id.is_(None))
                             .order_by(HistoryEntry.seq)).all()
    assert [(e.seq, e.gseq, e.actor_id, e.actor_role) for e in system] == [
        (1, 12, admin.id, "admin"), (2, 13, None, "system")]
    assert verify(app) == (0, {"ok": True, "entries": 14, "proposals": 2, "problems": []})

    tamper(session, "DELETE FROM history_entries WHERE proposal_id IS NULL AND seq = 2")
    code, report = verify(app)
    assert code == 1 and {"head", "gseq"} <= checks(report, None)


def test_a_tampered_head_is_not_extended(make: Factory, session: Session) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.SIGNED)
    # Cut the tail and wind the head back, without the key to seal it.
    tamper(session, "DELETE FROM history_entries WHERE proposal_id = :p AND seq > 10",
           "UPDATE history_heads SET count = 10 WHERE stream = :s", p=proposal.id,
           s=f"proposal:{proposal.id}")
    with pytest.raises(history.HistoryTampered, match="head's MAC"):
        history.append(session, proposal, cast[Role.SME], "edit", "signed", "signed")
    session.rollback()
