"""The delivery worker mails the outbox through a real SMTP server, once, in each one's language."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import Notification, clock_shift
from promtel_fin.services import delivery

from ..factories import Factory
from ..mailbox import Mailbox, deliver, free_port, mailbox_fixture  # noqa: F401  (fixture)


def _rows(session: Session) -> list[Notification]:
    session.expire_all()
    return list(session.scalars(select(Notification).order_by(Notification.id)))


def test_a_transition_is_mailed_in_each_recipients_language_as_text_and_html(
        app: Flask, session: Session, make: Factory, mailbox: Mailbox) -> None:
    cast = make.cast()
    cast[Role.SME].language = "en"
    session.commit()
    proposal = make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    make.act(proposal.id, cast[Role.PROMTEL], "give_feedback", comment="Revise <b>el año 2</b>.")
    outcome = deliver(app)
    assert outcome.failed == 0 and outcome.sent >= 1
    english = mailbox.to(cast[Role.SME].email)[-1]
    assert english["Subject"] == f"{proposal.folio}: step 4, Update"
    assert english["Content-Language"] == "en"
    text = Mailbox.text(english)
    assert "Comment: Revise <b>el año 2</b>." in text
    assert f"https://financia.example.mx/proposals/{proposal.id}" in text
    html = Mailbox.html(english)
    assert "Revise &lt;b&gt;el año 2&lt;/b&gt;." in html
    assert f'href="https://financia.example.mx/proposals/{proposal.id}"' in html
    # The reviewer (Spanish, the default) got the submission's notice in Spanish.
    spanish = mailbox.to(cast[Role.PROMTEL].email)[-1]
    assert spanish["Subject"] == f"{proposal.folio}: paso 3, Retroalimentación de PROMTEL" \
        or spanish["Subject"].startswith(f"{proposal.folio}: paso 3")
    assert "Qué sigue" in Mailbox.text(spanish)
    assert all(n.email_state == "sent" for n in _rows(session))
    assert deliver(app).handled == 0   # nothing twice


def test_failures_are_retried_later_with_the_same_message_id_then_marked_failed(
        app: Flask, session: Session, make: Factory, mailbox: Mailbox) -> None:
    cast = make.cast()
    make.proposal(cast, at=State.PROPOSAL)   # acknowledged: the SME is told
    port = mailbox.port
    app.config["MAIL_PORT"] = free_port()    # nobody listens there
    assert deliver(app).retried == 1
    row, = _rows(session)
    assert (row.email_state, row.email_attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in (row.email_error or "")
    first_due = row.email_due_at
    assert deliver(app).handled == 0         # not due yet
    with clock_shift(timedelta(seconds=61)):
        assert deliver(app).retried == 1     # second failure: waits twice as long
    row, = _rows(session)
    assert row.email_due_at - first_due >= timedelta(seconds=120)
    app.config["MAIL_PORT"] = port
    with clock_shift(timedelta(minutes=10)):
        assert deliver(app).sent == 1
    row, = _rows(session)
    assert (row.email_state, row.email_attempts, row.email_error) == ("sent", 3, None)
    message, = mailbox.messages
    assert message["Message-ID"] == row.message_id


def test_after_the_last_attempt_the_failure_is_left_for_the_administrator(
        app: Flask, session: Session, make: Factory, mailbox: Mailbox) -> None:
    cast = make.cast()
    make.proposal(cast, at=State.PROPOSAL)
    mailbox.refuse = (451, "Try again later")
    for minutes in (0, 5, 30):
        with clock_shift(timedelta(minutes=minutes)):
            deliver(app)
    row, = _rows(session)
    assert (row.email_state, row.email_attempts) == ("failed", 3)
    assert "451" in (row.email_error or "")
    admin = cast[Role.ADMIN]
    assert [n.id for n in delivery.outbox(session, admin)] == [row.id]
    mailbox.refuse = None
    delivery.retry(session, admin, row.id)
    assert deliver(app).sent == 1
    assert _rows(session)[0].email_state == "sent"


def test_a_recipient_refused_for_good_fails_at_once(
        app: Flask, session: Session, make: Factory, mailbox: Mailbox) -> None:
    make.proposal(make.cast(), at=State.PROPOSAL)
    mailbox.refuse = (550, "No such user")
    assert deliver(app).failed == 1


def test_email_off_skips_what_needs_no_action_but_not_what_does(
        app: Flask, session: Session, make: Factory, mailbox: Mailbox) -> None:
    cast = make.cast()
    quiet = make.user(Role.SME, company=cast[Role.SME].company, email_notifications=False)
    proposal = make.proposal(cast, at=State.PROPOSAL)   # acknowledged: the SME must act
    deliver(app)
    assert len(mailbox.to(quiet.email)) == 1
    make.act(proposal.id, cast[Role.SME], "submit_proposal")   # the colleague need not act
    outcome = deliver(app)
    assert outcome.skipped == 1 and len(mailbox.to(quiet.email)) == 1
    make.act(proposal.id, cast[Role.PROMTEL], "give_feedback", comment="Ajuste.")  # SME acts
    deliver(app)
    assert len(mailbox.to(quiet.email)) == 2
    skipped = [n for n in _rows(session) if n.email_state == "skipped"]
    assert [n.user_id for n in skipped] == [quiet.id]


def test_two_workers_at_once_send_each_message_once(
        app: Flask, session: Session, make: Factory, mailbox: Mailbox, dialect: str) -> None:
    if dialect != "postgresql":
        pytest.skip("SKIP LOCKED needs PostgreSQL; on SQLite one worker runs")
    cast = make.cast()
    people = [make.user(Role.SME, company=cast[Role.SME].company) for _ in range(14)]
    for _ in range(3):
        make.proposal(cast, at=State.PROPOSAL)
    expected = len(_rows(session))
    assert expected == 3 * (len(people) + 1)
    outcomes: list[delivery.Outcome] = []

    def work() -> None:
        outcomes.append(deliver(app))

    workers = [threading.Thread(target=work) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    ids = [m["Message-ID"] for m in mailbox.messages]
    assert len(ids) == expected and len(set(ids)) == expected
    assert sum(o.sent for o in outcomes) == expected
    assert all(o.sent > 0 for o in outcomes), "both workers should have shared the work"
    assert not set(outcomes[0].ids) & set(outcomes[1].ids)
