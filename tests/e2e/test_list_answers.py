"""Lists are written directly in their answer's shape: exactly what the schemas would dump.

``present.summary_answer`` and ``present.history_answer`` skip marshmallow for speed (issue 9
§4); the schemas still document the answers, so each must give exactly the schema's dump, for
every kind of proposal and entry (signed, with no amount or technology yet, system entries
without an actor), and the API's lists must answer them.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from promtel_fin.api import present
from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import HistoryEntry, utcnow
from promtel_fin.schemas import HistoryOut, ProposalSummary
from promtel_fin.services.proposals import get_proposal

from ..factories import Factory
from .conftest import ApiClient


def test_a_summary_is_what_the_schema_dumps(app: Flask, make: Factory, session: Session,
                                            api: ApiClient) -> None:
    cast = make.cast()
    made = [make.proposal(cast, at=state) for state in
            (State.CONTACT, State.PROMTEL_VERIFICATION, State.AGREEMENT, State.SIGNED)]
    made.append(make.proposal(cast, technology=None, requested_amount=None))
    now = utcnow() + timedelta(days=3)
    with app.test_request_context():
        for user in cast.values():
            for p in made:
                proposal = get_proposal(session, cast[Role.SME], p.id)
                expected = ProposalSummary().dump(present.summary(proposal, user))
                expected["days_waiting"] = present.status(proposal, user, now).days_waiting
                assert present.summary_answer(proposal, user, now) == expected
    listed = api.get("/proposals?page_size=100", cast[Role.PROMTEL]).json["items"]
    assert {p["id"] for p in listed} == {p.id for p in made}
    signed = next(p for p in listed if p["state"] == "signed")
    assert signed["requested_amount"].count(".") == 1 and signed["waiting_on"] == []


def test_a_history_entry_is_what_the_schema_dumps(app: Flask, make: Factory, session: Session,
                                                  api: ApiClient) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.SIGNED)
    entries = list(session.scalars(select(HistoryEntry).options(joinedload(HistoryEntry.actor))
                                   .order_by(HistoryEntry.gseq)))
    assert entries
    with app.test_request_context():
        for entry in entries:
            assert present.history_answer(entry) == HistoryOut().dump(entry)
        system = HistoryEntry(seq=1, actor=None, actor_role="system", action="x",
                              from_state=None, to_state="contact", comment="", payload={},
                              revision_number=None, created_at=utcnow(), prev_hash="0" * 64,
                              hash="1" * 64)
        assert present.history_answer(system) == HistoryOut().dump(system)
    answer = api.get(f"/proposals/{proposal.id}/history", cast[Role.SME]).json
    assert [e["seq"] for e in answer["items"]] == sorted(
        e.seq for e in entries if e.proposal_id == proposal.id)
    assert answer["items"][0]["actor"]["id"] == cast[Role.SME].id
