"""How a request's transaction ends (promtel_fin/db.py): COMMIT when it only read, so that
psycopg keeps the statements it prepared; ROLLBACK whenever it wrote and did not commit, or
failed, so that nothing left uncommitted is ever committed by the teardown."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event, select, update

from promtel_fin.db import end_session, get_session
from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import Proposal

from ..factories import Factory
from .conftest import ApiClient


@contextmanager
def endings(app: Flask) -> Iterator[list[str]]:
    """Collect the commits and rollbacks the app's connections go through."""
    seen: list[str] = []
    engine = app.extensions["engine"]

    def commit(_conn: Any) -> None:
        seen.append("commit")

    def rollback(_conn: Any) -> None:
        seen.append("rollback")

    event.listen(engine, "commit", commit)
    event.listen(engine, "rollback", rollback)
    try:
        yield seen
    finally:
        event.remove(engine, "commit", commit)
        event.remove(engine, "rollback", rollback)


def test_a_read_ends_with_commit(app: Flask, api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast)
    api.headers(cast[Role.PROMTEL])
    with endings(app) as seen:
        assert api.get(f"/proposals/{proposal.id}", cast[Role.PROMTEL]).status_code == 200
        assert api.get("/proposals", cast[Role.PROMTEL]).status_code == 200
    assert seen == ["commit", "commit"]


def test_a_refused_action_is_rolled_back(app: Flask, api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_VERIFICATION)
    api.headers(cast[Role.PROMTEL])   # the token is made (and committed) outside
    with endings(app) as seen:
        r = api.post(f"/proposals/{proposal.id}/transitions", cast[Role.PROMTEL],
                     json={"action": "request_changes", "version": proposal.version + 5,
                           "comment": "x"})
    assert r.status_code == 409
    assert seen and "commit" not in seen


def test_an_uncommitted_write_is_never_committed_by_the_teardown(
        app: Flask, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast)
    with app.app_context():   # an UPDATE that nobody committed
        session = get_session()
        session.execute(update(Proposal).where(Proposal.id == proposal.id)
                        .values(title="Nunca guardado"))
        end_session(session, failed=False)
    with app.app_context():   # an ORM change that nobody flushed
        session = get_session()
        row = session.get(Proposal, proposal.id)
        assert row is not None
        row.title = "Tampoco guardado"
        end_session(session, failed=False)
    with app.app_context():
        session = get_session()
        assert session.scalar(select(Proposal.title).where(Proposal.id == proposal.id)) \
            == proposal.title
        end_session(session, failed=False)
