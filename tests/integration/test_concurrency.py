"""Of many simultaneous transitions on one proposal, exactly one succeeds; the rest get 409."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import HistoryEntry, Proposal

from ..factories import Factory

THREADS = 6


@pytest.fixture
def everyone_flushes_together() -> Any:
    """Hold each request at its first write until all have loaded the same version."""
    barrier = threading.Barrier(THREADS, timeout=20)
    local = threading.local()

    def wait(session: Session, _ctx: Any, _instances: Any) -> None:
        if any(isinstance(o, Proposal) for o in session.dirty) and not getattr(
                local, "waited", False):
            local.waited = True
            barrier.wait()

    armed = []

    def arm() -> None:
        event.listen(Session, "before_flush", wait)
        armed.append(True)

    yield arm
    if armed:
        event.remove(Session, "before_flush", wait)


@pytest.mark.parametrize("actions", [
    ["verify"] * THREADS,
    ["verify", "request_changes", "reject", "verify", "request_changes", "reject"],
])
def test_exactly_one_of_simultaneous_transitions_wins(
        app: Flask, make: Factory, session: Session, everyone_flushes_together: Any,
        actions: list[str]) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_VERIFICATION)
    reviewers = [make.user(Role.PROMTEL) for _ in range(THREADS)]
    tokens = [make.token(r) for r in reviewers]
    version = proposal.version
    entries_before = session.scalar(select(func.count()).select_from(HistoryEntry).where(
        HistoryEntry.proposal_id == proposal.id))

    def attempt(i: int) -> int:
        with app.test_client() as client:
            r = client.post(f"/api/v1/proposals/{proposal.id}/transitions",
                            headers={"Authorization": f"Bearer {tokens[i]}"},
                            json={"action": actions[i], "version": version,
                                  "comment": "c", "reason": "r"})
            return r.status_code

    everyone_flushes_together()
    with ThreadPoolExecutor(THREADS) as pool:
        statuses = Counter(pool.map(attempt, range(THREADS)))

    assert statuses == {200: 1, 409: THREADS - 1}
    session.expire_all()
    stored = session.get(Proposal, proposal.id)
    assert stored.version == version + 1
    entries_after = session.scalar(select(func.count()).select_from(HistoryEntry).where(
        HistoryEntry.proposal_id == proposal.id))
    assert entries_after == entries_before + 1
