"""Notifications are written in the transaction of the change, for the right people, once each."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from promtel_fin.domain.errors import N_, DomainError
from promtel_fin.domain.texts import render, t
from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import Notification
from promtel_fin.services.notify import notify

from ..factories import Factory


def _of(session: Session, proposal_id: int) -> dict[int, Notification]:
    session.expire_all()
    rows = session.scalars(select(Notification).where(Notification.proposal_id == proposal_id)
                           .order_by(Notification.id)).all()
    return {n.user_id: n for n in rows}


def test_notify_adds_one_row_per_recipient_in_the_callers_transaction(
        session: Session, make: Factory) -> None:
    a, b = make.user(Role.PROMTEL), make.user(Role.FOCIR)
    proposal = make.proposal()
    made = notify(session, [a, b, a], "test", proposal,
                  subject=t(N_("{folio}: {step}"), folio=proposal.folio, step="x"),
                  body="Plain {text} from a person", needs_action=lambda u: u.id == a.id,
                  link="/proposals/1")
    assert len(made) == 2
    session.rollback()   # not committed: nothing was written
    assert session.scalars(select(Notification).where(Notification.kind == "test")).all() == []
    made = notify(session, [a, b], "test", proposal, subject="s", body="b")
    session.commit()
    rows = session.scalars(select(Notification).where(Notification.kind == "test")).all()
    assert {n.user_id for n in rows} == {a.id, b.id}
    assert len({n.message_id for n in rows}) == 2
    assert all(n.email_state == "pending" and n.read_at is None for n in rows)


def test_plain_strings_are_never_templates_and_keys_render_per_language() -> None:
    stored = t(N_("Comment: {comment}"), comment="{0.__class__} {comment}").to_json()
    assert render(stored, lambda s: s) == "Comment: {0.__class__} {comment}"
    spanish = {"Comment: {comment}": "Comentario: {comment}"}
    assert render(stored, lambda s: spanish.get(s, s)).startswith("Comentario: ")
    assert render({"text": "{x}"}, lambda s: "boom") == "{x}"


def test_a_transition_tells_the_assigned_reviewer_and_the_smes_users_not_the_actor(
        session: Session, make: Factory) -> None:
    cast = make.cast()
    colleague = make.user(Role.SME, company=cast[Role.SME].company)
    other_reviewer = make.user(Role.PROMTEL)
    proposal = make.proposal(cast, at=State.PROPOSAL)   # acknowledged: reviewer assigned
    make.act(proposal.id, cast[Role.SME], "submit_proposal")
    told = _of(session, proposal.id)
    # Submitted by the SME: the assigned reviewer must act; the SME's colleague is told.
    latest = max(n.id for n in told.values())
    last = {u: n for u, n in told.items() if n.id > latest - 2}
    assert set(last) == {cast[Role.PROMTEL].id, colleague.id}
    assert last[cast[Role.PROMTEL].id].needs_action is True
    assert last[colleague.id].needs_action is False
    assert other_reviewer.id not in told and cast[Role.SME].id not in last
    subject = render(last[colleague.id].subject, lambda s: s)
    assert subject == f"{proposal.folio}: step 3, PROMTEL feedback"
    body = render(last[colleague.id].body, lambda s: s)
    assert "What comes next: PROMTEL gives feedback" in body


def test_feedback_tells_every_sme_user_who_must_act_with_the_comment(
        session: Session, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    before = max((n.id for n in _of(session, proposal.id).values()), default=0)
    make.act(proposal.id, cast[Role.PROMTEL], "give_feedback", comment="Falta el flujo {0}.")
    new = [n for n in _of(session, proposal.id).values() if n.id > before]
    assert [(n.user_id, n.needs_action) for n in new] == [(cast[Role.SME].id, True)]
    assert "Comment: Falta el flujo {0}." in render(new[0].body, lambda s: s)


def test_a_refused_transition_writes_no_notification(session: Session, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    before = _of(session, proposal.id)
    with pytest.raises(DomainError):
        make.act(proposal.id, cast[Role.PROMTEL], "give_feedback")   # no comment
    assert _of(session, proposal.id).keys() == before.keys()


def test_when_the_assigned_reviewer_is_gone_every_active_promtel_user_is_told(
        session: Session, make: Factory) -> None:
    cast = make.cast()
    extra = make.user(Role.PROMTEL)
    gone = make.user(Role.PROMTEL, active=False)
    proposal = make.proposal(cast, at=State.PROPOSAL)
    assert set(_of(session, proposal.id)) == {cast[Role.SME].id}   # acknowledged: SME told
    reviewer = cast[Role.PROMTEL]
    reviewer.active = False
    session.commit()
    make.act(proposal.id, cast[Role.SME], "submit_proposal")
    told = _of(session, proposal.id)
    assert extra.id in told and told[extra.id].needs_action is True
    assert gone.id not in told and reviewer.id not in told
    assert cast[Role.FOCIR].id not in told
