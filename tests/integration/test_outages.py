"""Outages say so: 503 with Retry-After, nothing half-written, and the app heals by itself.

Real components, no mocks: a TCP proxy between the app and PostgreSQL that the test cuts and
restores; a PostgreSQL database set read-only (as after a fail-over to a replica); a SQLite file
whose directory goes away; SQLite's own read-only mode (``PRAGMA query_only``: the suite runs as
root, whom file permissions do not stop); a Redis that does not answer. Whatever a test changes on
a database, it undoes in a ``finally``.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, event, func, make_url, select, text
from sqlalchemy.pool import NullPool
from werkzeug.test import TestResponse

from promtel_fin import create_app
from promtel_fin.domain.workflow import Role, State
from promtel_fin.errors import stale_connection, unavailable
from promtel_fin.models import HistoryEntry, Proposal, User

from ..e2e.pages import csrf, sign_in
from ..factories import PASSWORD, Factory, proposal_document

SPANISH = ("Servicio no disponible por el momento; no se guardó nada. Por favor, vuelva a "
           "intentarlo en unos minutos.")
ENGLISH = ("Service unavailable for the moment; nothing was saved. Please try again in a few "
           "minutes.")
SETTINGS = {"TESTING": True, "SECRET_KEY": "test-secret",
            "LOGIN_FAILURES_PER_ADDRESS": "5 per 15 minutes", "RATELIMIT_STORAGE_URI": "memory://"}


def retry_after(r: TestResponse) -> int:
    """Seconds to wait: 30, or more where a rate limit's window ends later (Flask-Limiter)."""
    seconds = int(r.headers["Retry-After"])
    assert seconds >= 30
    return seconds


def assert_api_outage(r: TestResponse, message: str = SPANISH) -> None:
    assert r.status_code == 503, r.get_data(as_text=True)[:300]
    retry_after(r)
    assert r.json == {"code": 503, "status": "Service Unavailable", "message": message}


def assert_page_outage(r: TestResponse) -> None:
    assert r.status_code == 503, r.get_data(as_text=True)[:300]
    retry_after(r)
    page = r.get_data(as_text=True)
    assert r.mimetype == "text/html" and '<html lang="es">' in page
    assert SPANISH in page


def counts(engine: Engine) -> tuple[int, ...]:
    """Count what a request could have written, read on the test's own connection."""
    with engine.connect() as conn:
        return tuple(conn.scalar(select(func.count()).select_from(model))
                     for model in (Proposal, HistoryEntry, User))


def proposal_row(engine: Engine, proposal_id: int) -> tuple[Any, ...]:
    with engine.connect() as conn:
        row = conn.execute(select(Proposal.state, Proposal.version)
                           .where(Proposal.id == proposal_id)).one()
        entries = conn.scalar(select(func.count()).select_from(HistoryEntry)
                              .where(HistoryEntry.proposal_id == proposal_id))
    return (*row, entries)


def bearer(make: Factory, user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {make.token(user)}"}


@pytest.fixture
def postgres(dialect: str) -> None:
    if dialect != "postgresql":
        pytest.skip("PostgreSQL only")


@pytest.fixture
def sqlite(dialect: str) -> None:
    if dialect != "sqlite":
        pytest.skip("SQLite only")


# -- the database unreachable: a TCP proxy the test cuts ------------------------------------------

class CuttableProxy:
    """Forward 127.0.0.1:port to the database; ``cut`` drops every connection and refuses new ones
    (as a network outage or a database restart does), ``restore`` lets them through again."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                client, _address = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(self.upstream, timeout=5)
            upstream.settimeout(None)
            with self.lock:
                self.open += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        for end in (source, target):
            with suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.up = False
        with self.lock:
            for end in self.open:
                with suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()
            self.open.clear()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.running = False
        self.listener.close()
        self.thread.join(5)


@pytest.fixture
def proxy(postgres: None, database_url: str) -> Iterator[CuttableProxy]:
    url = make_url(database_url)
    proxy = CuttableProxy((url.host or "127.0.0.1", url.port or 5432))
    yield proxy
    proxy.close()


@pytest.fixture
def behind_proxy(proxy: CuttableProxy, database_url: str, app: Flask) -> Iterator[Flask]:
    """The app, reaching its database through the proxy (``app`` empties the tables after)."""
    url = make_url(database_url).set(host="127.0.0.1", port=proxy.port)
    proxied = create_app({**SETTINGS, "DATABASE_URL": url.render_as_string(hide_password=False)})
    yield proxied
    proxied.extensions["engine"].dispose()


def test_the_api_answers_503_while_postgresql_is_unreachable_and_recovers(
        behind_proxy: Flask, proxy: CuttableProxy, make: Factory, engine: Engine) -> None:
    sme = make.user(Role.SME)
    headers = bearer(make, sme)
    client = behind_proxy.test_client()
    assert client.get("/api/v1/proposals", headers=headers).status_code == 200  # pooled, through
    before = counts(engine)

    proxy.cut()
    refused = client.post("/api/v1/proposals", headers=headers, json=proposal_document())
    assert_api_outage(refused)
    assert refused.headers["Retry-After"] == "30"
    assert_api_outage(client.get("/api/v1/proposals", headers={**headers,
                                                               "Accept-Language": "en"}), ENGLISH)
    assert_api_outage(client.post("/api/v1/tokens", json={"email": sme.email,
                                                          "password": PASSWORD}))
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert (ready.status_code, ready.json["checks"]) == (503, {"database": "down"})
    assert counts(engine) == before

    proxy.restore()   # the same requests, the same app: no restart
    created = client.post("/api/v1/proposals", headers=headers, json=proposal_document())
    assert created.status_code == 201, created.json
    assert client.post("/api/v1/tokens", json={"email": sme.email,
                                               "password": PASSWORD}).status_code == 201
    assert client.get("/readyz").status_code == 200
    assert counts(engine)[0] == before[0] + 1


def test_pages_show_the_spanish_503_page_while_postgresql_is_unreachable_and_recover(
        behind_proxy: Flask, proxy: CuttableProxy, make: Factory) -> None:
    client = behind_proxy.test_client()
    sign_in(client, make.user(Role.SME))
    assert client.get("/dashboard").status_code == 200

    proxy.cut()
    assert_page_outage(client.get("/simulator"))            # reads the policy
    assert_page_outage(client.get("/dashboard"))            # reads the signed-in user first

    proxy.restore()
    assert client.get("/simulator").status_code == 200
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200                     # still signed in
    assert 'action="/logout"' in dashboard.get_data(as_text=True)


# -- a read-only PostgreSQL (a fail-over to a replica, or default_transaction_read_only) -------

@contextmanager
def read_only_postgresql(database_url: str) -> Iterator[Callable[[], None]]:
    """Make the test database read-only for every new session, and drop the open ones (as a
    fail-over does); give a function that makes it writable again. Always undone."""
    admin = create_engine(database_url, poolclass=NullPool, isolation_level="AUTOCOMMIT",
                          connect_args={"options": "-c default_transaction_read_only=off"})
    name = admin.dialect.identifier_preparer.quote(make_url(database_url).database or "")
    drop_others = text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    with admin.connect() as conn:
        def writable() -> None:
            conn.execute(text(f"ALTER DATABASE {name} RESET default_transaction_read_only"))

        try:
            conn.execute(text(f"ALTER DATABASE {name} SET default_transaction_read_only = on"))
            conn.execute(drop_others)
            yield writable
        finally:
            writable()
            conn.execute(drop_others)   # no pool keeps a read-only session for later tests
    admin.dispose()


def test_a_read_only_postgresql_answers_503_writes_nothing_and_recovers(
        postgres: None, app: Flask, client: FlaskClient, make: Factory, engine: Engine,
        database_url: str) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    headers = bearer(make, cast[Role.PROMTEL])
    feedback = {"action": "give_feedback", "version": proposal.version,
                "comment": "Afine la demanda por localidad."}
    path = f"/api/v1/proposals/{proposal.id}/transitions"
    before = proposal_row(engine, proposal.id)

    with read_only_postgresql(database_url) as writable:
        assert client.get(f"/api/v1/proposals/{proposal.id}", headers=headers).status_code == 200
        assert_api_outage(client.post(path, headers=headers, json=feedback))
        signing_in = client.post("/login", data={"csrf_token": csrf(client, "/login"),
                                                 "email": cast[Role.SME].email,
                                                 "password": PASSWORD})
        assert_page_outage(signing_in)                  # a page session cannot be written
        assert proposal_row(engine, proposal.id) == before

        writable()   # the app drops the read-only connection it met: the same request works
        done = client.post(path, headers=headers, json=feedback)
        assert done.status_code == 200, done.json
    assert proposal_row(engine, proposal.id) == (State.UPDATE, before[1] + 1, before[2] + 1)


# -- SQLite: the file goes away, or cannot be written ---------------------------------------------

def test_a_sqlite_database_that_goes_away_answers_503_and_recovers(
        sqlite: None, app: Flask, client: FlaskClient, make: Factory, database_url: str) -> None:
    headers = bearer(make, make.user(Role.SME))
    folder = Path(make_url(database_url).database or "").parent
    away = folder.with_name(folder.name + "-away")
    app.extensions["engine"].dispose()   # close its idle connections: new ones must open the file
    folder.rename(away)
    try:
        assert_api_outage(client.get("/api/v1/proposals", headers=headers))
        assert_page_outage(client.get("/simulator"))
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz").status_code == 200
    finally:
        away.rename(folder)
    assert client.get("/api/v1/proposals", headers=headers).status_code == 200
    assert client.get("/simulator").status_code == 200


def test_a_read_only_sqlite_answers_503_writes_nothing_and_recovers(
        sqlite: None, app: Flask, client: FlaskClient, make: Factory, engine: Engine) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    headers = bearer(make, cast[Role.PROMTEL])
    feedback = {"action": "give_feedback", "version": proposal.version,
                "comment": "Afine la demanda por localidad."}
    path = f"/api/v1/proposals/{proposal.id}/transitions"
    before = proposal_row(engine, proposal.id)
    app_engine = app.extensions["engine"]

    def read_only(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA query_only = ON")

    event.listen(app_engine, "connect", read_only)
    app_engine.dispose()   # the app's connections from now on open the file read-only
    try:
        assert client.get(f"/api/v1/proposals/{proposal.id}", headers=headers).status_code == 200
        assert_api_outage(client.post(path, headers=headers, json=feedback))
        signing_in = client.post("/login", data={"csrf_token": csrf(client, "/login"),
                                                 "email": cast[Role.SME].email,
                                                 "password": PASSWORD})
        assert_page_outage(signing_in)
        assert proposal_row(engine, proposal.id) == before
    finally:
        event.remove(app_engine, "connect", read_only)
    # The connection that could not write was dropped; the app's next one can.
    done = client.post(path, headers=headers, json=feedback)
    assert done.status_code == 200, done.json
    assert proposal_row(engine, proposal.id) == (State.UPDATE, before[1] + 1, before[2] + 1)


# -- the shared rate-limit store does not answer --------------------------------------------------

def test_an_unreachable_rate_limit_store_answers_503_not_500(database_url: str,
                                                             make: Factory) -> None:
    user = make.user(Role.PROMTEL)
    broken = create_app({**SETTINGS, "DATABASE_URL": database_url,
                         "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"})
    try:
        client = broken.test_client()
        assert_api_outage(client.post("/api/v1/tokens", json={"email": user.email,
                                                              "password": PASSWORD}))
        ready = client.get("/readyz")
        assert (ready.status_code, ready.json["checks"]) == (
            503, {"database": "ok", "redis": "down"})
    finally:
        broken.extensions["engine"].dispose()


# -- the one place that says what an outage is -----------------------------------------------------

def test_only_outages_are_outages(app: Flask, engine: Engine) -> None:
    """A mistake in a statement is a 500 to fix, not a 503 to wait out."""
    with engine.connect() as conn:
        with pytest.raises(Exception) as mistake:
            conn.execute(text("SELECT no_such_column FROM users"))
        assert not unavailable(mistake.value)
        assert not stale_connection(getattr(mistake.value, "orig", None))
    assert not unavailable(RuntimeError("boom"))
