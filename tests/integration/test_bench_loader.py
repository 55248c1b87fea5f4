"""The benchmark's loader writes what the services would: a history that verifies, and
proposals the app reads and moves on. PostgreSQL only (the loader writes with COPY); it loads a
scratch database of its own, created and dropped around the test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import make_url, select, text
from sqlalchemy.exc import DBAPIError

from bench.loader import HELD_FOR_TRANSITIONS, PASSWORD, load, reuse
from promtel_fin import create_app
from promtel_fin.db import make_engine
from promtel_fin.domain.workflow import State
from promtel_fin.models import Proposal
from promtel_fin.services import audit
from promtel_fin.services.history import keyring


@pytest.fixture
def scratch_database(database_url: str, dialect: str) -> Iterator[str]:
    """Give the URL of an empty database beside the test database (dropped afterwards)."""
    if dialect != "postgresql":
        pytest.skip("PostgreSQL only: the loader writes with COPY")
    url = make_url(database_url)
    name = f"{url.database}_loader"
    admin = make_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except DBAPIError as error:
        admin.dispose()
        pytest.skip(f"cannot create a scratch database: {error.orig}")
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_the_loaded_history_verifies_and_the_app_moves_a_held_proposal(
        scratch_database: str) -> None:
    loaded = load(scratch_database, 120, keyring())
    assert loaded.proposals == 120 and loaded.entries > 120
    app = create_app({"TESTING": True, "DATABASE_URL": scratch_database})
    session = app.extensions["sessionmaker"]()
    try:
        report = audit.verify(session, keyring())
        assert report.ok, [str(p) for p in report.problems[:5]]
        assert (report.proposals, report.entries) == (120, loaded.entries)
        states = set(session.scalars(select(Proposal.state)))
        assert {"signed", "rejected"} <= states and len(states) >= 5
    finally:
        session.close()
    assert len(loaded.held) >= HELD_FOR_TRANSITIONS

    client = app.test_client()
    pid, version, company, state = loaded.held[0]
    assert state == State.PROMTEL_VERIFICATION

    def token(email: str) -> str:
        r = client.post("/api/v1/tokens", json={"email": email, "password": PASSWORD})
        assert r.status_code == 201, r.json
        return r.json["token"]

    reviewer = {"Authorization": f"Bearer {token('revisor1@bench.promtel.mx')}"}
    sme = {"Authorization": f"Bearer {token(loaded.people.sme_email[company])}"}
    changed = client.post(f"/api/v1/proposals/{pid}/transitions", headers=reviewer, json={
        "action": "request_changes", "version": version, "comment": "Ajuste el año 2."})
    assert changed.status_code == 200, changed.json
    resubmitted = client.post(f"/api/v1/proposals/{pid}/transitions", headers=sme, json={
        "action": "submit_update", "version": changed.json["version"]})
    assert resubmitted.status_code == 200, resubmitted.json
    assert resubmitted.json["state"] == State.PROMTEL_VERIFICATION
    # --reuse finds the loaded proposals again, the held ones at their current version;
    # another number of proposals must be loaded anew.
    again = reuse(scratch_database, 120)
    assert again is not None and again.entries == loaded.entries + 2
    assert (pid, resubmitted.json["version"], company, State.PROMTEL_VERIFICATION) in again.held
    assert again.people.sme_email[company] == loaded.people.sme_email[company]
    assert reuse(scratch_database, 121) is None
    session = app.extensions["sessionmaker"]()
    try:
        assert audit.verify(session, keyring()).ok
    finally:
        session.close()
        app.extensions["engine"].dispose()
