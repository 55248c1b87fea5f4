"""A service is one unit of work: when it refuses or fails, nothing it did survives."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promtel_fin.domain.errors import CheckFailed
from promtel_fin.domain.workflow import Role
from promtel_fin.models import Company, HistoryEntry
from promtel_fin.services.policy import set_policy
from promtel_fin.services.proposals import create_proposal
from promtel_fin.services.uow import transactional

from ..factories import Factory


@transactional
def _adds_then_fails(session: Session, rfc: str) -> None:
    session.add(Company(legal_name="A medias, S.A.", rfc=rfc))
    session.flush()   # written to the database inside the transaction...
    raise CheckFailed()   # ...then refused


def test_what_a_refused_service_wrote_is_rolled_back_before_the_error_leaves_it(
        session: Session) -> None:
    with pytest.raises(CheckFailed):
        _adds_then_fails(session, "AMS010101AB1")
    assert not session.new and not session.dirty
    session.commit()   # a later commit in the same request cannot carry the half-done change
    assert session.scalar(select(func.count(Company.id))) == 0


def test_a_refused_draft_leaves_the_company_row_and_history_untouched(
        session: Session, make: Factory) -> None:
    set_policy(session, None, date.today(), {"max_open_drafts": 1})
    sme = make.user(Role.SME)
    create_proposal(session, sme, {"title": "Primera"})
    entries = session.scalar(select(func.count(HistoryEntry.id)))
    with pytest.raises(CheckFailed):
        create_proposal(session, sme, {"title": "Segunda"})
    assert not session.in_transaction() or not (session.new or session.dirty)
    session.commit()
    assert session.scalar(select(func.count(HistoryEntry.id))) == entries
