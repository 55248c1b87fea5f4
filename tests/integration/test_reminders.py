"""Reminders and deadlines (issue 11 §3): who is overdue is told once a day; reviewers get a
weekly digest; the queue shows each due date and marks what is overdue."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from promtel_fin.domain.texts import render
from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import Notification, Proposal
from promtel_fin.services.reminders import remind, week_of

from ..factories import SECOND_FOCIR, TERMS, Factory

# 23:00 in Mexico City on Friday 13 November 2026 (05:00 UTC on the 14th): the step's first
# working day is Tuesday 17 (Monday 16 is Revolution day); five working days end on Monday 23.
ENTERED = datetime(2026, 11, 14, 5, 0, tzinfo=UTC)
DUE = date(2026, 11, 23)


def _entered(session: Session, proposal_id: int, moment: datetime = ENTERED) -> None:
    session.execute(text("UPDATE proposals SET state_entered_at = :m WHERE id = :p"),
                    {"m": moment, "p": proposal_id})
    session.commit()
    session.expire_all()   # the app's sessions keep what they loaded across commits


def _reminded(session: Session, kind: str = "reminder") -> list[Notification]:
    session.expire_all()
    return list(session.scalars(select(Notification).where(Notification.kind == kind)
                                .order_by(Notification.id)))


def test_a_step_is_due_after_its_working_days_across_a_holiday_and_a_weekend(
        session: Session, make: Factory) -> None:
    cast = make.cast()
    other = make.user(Role.PROMTEL)
    pid = make.proposal(cast).id                      # at contact: 5 working days
    _entered(session, pid)
    assert remind(session, DUE).reminders == 0        # the last day: not yet overdue
    assert _reminded(session) == []
    assert remind(session, DUE + timedelta(days=1)).reminders == 1
    told = _reminded(session)
    # nobody assigned yet: every active PROMTEL user must act
    assert {n.user_id for n in told} == {cast[Role.PROMTEL].id, other.id}
    assert all(n.needs_action and n.proposal_id == pid for n in told)
    body = render(told[0].body, lambda s: s)
    assert "2026-11-13" in body and "2026-11-23" in body and "1 working days late" in body
    assert render(told[0].subject, lambda s: s).endswith("overdue at step 1, Contact")


def test_once_per_proposal_and_step_per_day(session: Session, make: Factory) -> None:
    cast = make.cast()
    pid = make.proposal(cast).id
    _entered(session, pid)
    day = DUE + timedelta(days=2)
    assert remind(session, day).reminders == 1
    again = remind(session, day)
    assert (again.reminders, again.digests, again.already_sent) == (0, 0, 2)  # + the digest
    assert len(_reminded(session)) == 1
    assert remind(session, day + timedelta(days=1)).reminders == 1   # the next day, again
    assert len(_reminded(session)) == 2


def test_only_whoever_must_act_is_reminded(session: Session, make: Factory) -> None:
    cast = make.cast()
    colleague = make.user(Role.SME, company=cast[Role.SME].company)
    stranger = make.user(Role.PROMTEL)
    at_update = make.proposal(cast, at=State.UPDATE).id             # the SME must update
    reviewed = make.proposal(cast, at=State.PROMTEL_FEEDBACK).id    # the assigned reviewer
    decided = make.proposal(cast, at=State.FOCIR_DECISION).id
    make.act(decided, cast[Role.FOCIR], "approve", terms=TERMS)     # the other officer
    long_ago = ENTERED - timedelta(days=120)
    for pid in (at_update, reviewed, decided):
        _entered(session, pid, long_ago)
    assert remind(session, DUE).reminders == 3
    told: dict[int, set[int]] = {}
    for n in _reminded(session):
        told.setdefault(n.proposal_id, set()).add(n.user_id)
    assert told == {at_update: {cast[Role.SME].id, colleague.id},
                    reviewed: {cast[Role.PROMTEL].id},
                    decided: {cast[SECOND_FOCIR].id}}
    assert stranger.id not in set().union(*told.values())


def test_a_final_proposal_is_never_overdue(session: Session, make: Factory) -> None:
    pid = make.proposal(at=State.WITHDRAWN).id
    _entered(session, pid, ENTERED - timedelta(days=400))
    assert remind(session, DUE).reminders == 0


def test_each_reviewer_gets_one_digest_a_week(session: Session, make: Factory) -> None:
    cast = make.cast()
    waiting = make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    _entered(session, waiting.id, ENTERED - timedelta(days=60))
    make.proposal(cast, at=State.FOCIR_FEEDBACK)
    monday = date(2026, 11, 30)
    assert week_of(monday) == "2026-W49"
    done = remind(session, monday)
    digests = _reminded(session, "digest")
    reviewers = {cast[Role.PROMTEL].id, cast[Role.FOCIR].id, cast[SECOND_FOCIR].id}
    assert {n.user_id for n in digests} == reviewers and done.digests == 3
    mine = next(n for n in digests if n.user_id == cast[Role.PROMTEL].id)
    body = render(mine.body, lambda s: s)
    assert waiting.folio in body and "(overdue)" in body
    assert not mine.needs_action and mine.link == "/queue"
    assert remind(session, monday + timedelta(days=3)).digests == 0      # same week
    assert remind(session, monday + timedelta(days=7)).digests == 3      # next week


def test_the_queue_shows_the_due_date_and_marks_what_is_overdue(
        app: Flask, session: Session, make: Factory) -> None:
    from ..e2e.conftest import ApiClient
    from ..e2e.pages import sign_in

    cast = make.cast()
    late = make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    fresh = make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    _entered(session, late.id, ENTERED - timedelta(days=60))
    api = ApiClient(app.test_client(), make)
    items = {i["id"]: i for i in api.get("/queue", cast[Role.PROMTEL]).json["items"]}
    assert items[late.id]["overdue"] is True
    assert date.fromisoformat(items[late.id]["due_date"]) < date.today()
    assert items[fresh.id]["overdue"] is False
    assert date.fromisoformat(items[fresh.id]["due_date"]) > date.today()
    client = app.test_client()
    sign_in(client, cast[Role.PROMTEL])
    page = client.get("/queue").get_data(as_text=True)
    assert 'class="overdue"' in page and page.count('class="overdue"') == 1
    assert "Vencido (días hábiles de retraso:" in page


def test_the_command_reminds_and_says_what_it_did(app: Flask, session: Session,
                                                  make: Factory) -> None:
    pid = make.proposal().id
    _entered(session, pid)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["notifications", "remind", "--date", "2026-11-24"])
    assert result.exit_code == 0, result.output
    assert "reminded 1 overdue steps" in result.output
    again = runner.invoke(args=["notifications", "remind", "--date", "2026-11-24"])
    assert "reminded 0 overdue steps, sent 0 digests" in again.output
    bad = runner.invoke(args=["notifications", "remind", "--date", "24/11/2026"])
    assert bad.exit_code != 0
    assert session.get(Proposal, pid) is not None
