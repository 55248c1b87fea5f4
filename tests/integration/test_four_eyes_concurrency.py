"""Several FOCIR officers confirming or returning the same pending decision at once: exactly one
wins, the others get 409, and the history records one decision."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import HistoryEntry, Proposal
from promtel_fin.services.audit import verify
from promtel_fin.services.history import keyring

from ..factories import TERMS, Factory
from .test_concurrency import THREADS, everyone_flushes_together  # noqa: F401  (fixture)


def test_two_officers_at_once_on_confirm_decision_one_wins(
        app: Flask, make: Factory, session: Session,
        everyone_flushes_together: Any) -> None:  # noqa: F811  (the imported fixture)
    cast = make.cast()
    proposal = make.proposal(cast, at=State.FOCIR_DECISION)
    make.act(proposal.id, cast[Role.FOCIR], "approve", terms=TERMS)
    session.expire_all()
    pid = proposal.id
    version = session.get(Proposal, pid).version
    officers = [make.user(Role.FOCIR) for _ in range(THREADS)]
    tokens = [make.token(o) for o in officers]
    actions = ["confirm_decision", "return_decision"] * (THREADS // 2)

    def attempt(i: int) -> int:
        with app.test_client() as client:
            r = client.post(f"/api/v1/proposals/{pid}/transitions",
                            headers={"Authorization": f"Bearer {tokens[i]}"},
                            json={"action": actions[i], "version": version, "comment": "c"})
            return r.status_code

    everyone_flushes_together()
    with ThreadPoolExecutor(THREADS) as pool:
        statuses = Counter(pool.map(attempt, range(THREADS)))
    assert statuses == {200: 1, 409: THREADS - 1}
    session.expire_all()
    stored = session.get(Proposal, pid)
    assert stored.version == version + 1 and stored.pending_action is None
    decided = session.scalar(select(func.count()).select_from(HistoryEntry).where(
        HistoryEntry.proposal_id == pid,
        HistoryEntry.action.in_(("confirm_decision", "return_decision"))))
    assert decided == 1
    assert verify(session, keyring()).ok
