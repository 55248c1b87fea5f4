"""The flask commands: users, audit verify and seed-demo."""

from __future__ import annotations

from collections import Counter

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from promtel_fin.demo import PLAN
from promtel_fin.domain.workflow import State
from promtel_fin.models import Company, HistoryEntry, Proposal, User

from ..audit_helpers import tamper
from ..factories import Factory


def test_users_create_makes_an_sme_and_its_company(app: Flask, session: Session) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "pyme@example.mx", "--role", "sme",
                                 "--password", "clave-larga-123", "--company-rfc",
                                 "FMR180605CD1", "--company-name", "Fibra Rural"])
    assert result.exit_code == 0, result.output
    second = runner.invoke(args=["users", "create", "socia@example.mx", "--role", "sme",
                                 "--password", "clave-larga-456", "--company-rfc",
                                 "FMR180605CD1"])
    assert second.exit_code == 0, second.output
    companies = session.scalars(select(Company)).all()
    assert [(c.rfc, c.legal_name) for c in companies] == [("FMR180605CD1", "Fibra Rural")]
    assert {u.company_id for u in session.scalars(select(User))} == {companies[0].id}


def test_users_create_refuses_bad_requests_with_a_message(app: Flask) -> None:
    runner = app.test_cli_runner()
    no_company = runner.invoke(args=["users", "create", "x@example.mx", "--role", "sme",
                                     "--password", "clave-larga-123"])
    assert no_company.exit_code != 0 and "company" in no_company.output
    weak = runner.invoke(args=["users", "create", "y@example.mx", "--role", "promtel",
                               "--password", "corta"])
    assert weak.exit_code != 0 and "12" in weak.output
    common = runner.invoke(args=["users", "create", "y@example.mx", "--role", "promtel",
                                 "--password", "password1234"])
    assert common.exit_code != 0 and "most used" in common.output
    assert runner.invoke(args=["users", "create", "z@example.mx", "--role", "promtel",
                               "--password", "clave-larga-123"]).exit_code == 0
    dup = runner.invoke(args=["users", "create", "Z@example.mx", "--role", "focir",
                              "--password", "clave-larga-123"])
    assert dup.exit_code != 0 and "already registered" in dup.output


def test_audit_verify_passes_on_an_untouched_history(app: Flask, make: Factory) -> None:
    make.proposal(at=State.SIGNED)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    # create + 9 steps + the second officer's confirmation + 2 signs, and nine documents
    # uploaded and accepted
    assert "ok: 31 entries, 1 proposals verified" in result.output


def test_audit_verify_names_the_entry_that_was_altered(app: Flask, make: Factory,
                                                       session: Session) -> None:
    make.proposal(at=State.SIGNED)
    target = make.proposal(at=State.AGREEMENT)
    entry = session.scalars(select(HistoryEntry).where(
        HistoryEntry.proposal_id == target.id, HistoryEntry.seq == 4)).one()
    # Someone with database access edits a comment behind the application's back.
    tamper(session, "UPDATE history_entries SET comment = 'todo bien' WHERE id = :id", id=entry.id)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN proposal {target.id}: mac: the entry's content does not match" in result.output


def test_audit_verify_detects_a_deleted_entry(app: Flask, make: Factory,
                                              session: Session) -> None:
    proposal = make.proposal(at=State.UPDATE)
    tamper(session, "DELETE FROM history_entries WHERE proposal_id = :p AND seq = 2",
           p=proposal.id)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN proposal {proposal.id}: seq: the sequence jumps from 1 to 3" in result.output


def test_seed_demo_spreads_proposals_over_every_step_and_final_state(
        app: Flask, session: Session) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "revisor@demo.promtel.mx" in result.output
    states = Counter(session.scalars(select(Proposal.state)))
    assert set(states) == {s.value for s in State}
    assert sum(states.values()) == len(PLAN)        # one proposal per line of the demo's plan
    assert states["signed"] >= 8                    # the transparency portal's agreements
    assert {u.role for u in session.scalars(select(User))} == {"sme", "promtel", "focir", "admin"}
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "nothing done" in again.output
    assert sum(Counter(session.scalars(select(Proposal.state))).values()) == sum(states.values())
