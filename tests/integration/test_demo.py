"""The demo data puts each planned proposal exactly where its plan says."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promtel_fin.demo import PLAN, PROJECTS, seed
from promtel_fin.domain.workflow import STEPS
from promtel_fin.models import Document, Proposal


def test_each_proposal_planned_to_a_state_ends_at_that_state(app: Flask,
                                                             session: Session) -> None:
    list(seed(session, store=app.extensions["documents"]))
    states = {p.title: p.state for p in session.scalars(select(Proposal))}
    planned = {PROJECTS[project]["title"] + suffix: goal
               for _email, project, suffix, goal, _days in PLAN if goal in STEPS}
    assert len(planned) == 10   # one proposal at each of the ten steps
    assert {title: states[title] for title in planned} == planned
    # Past submission every proposal has its papers, real small PDFs; at step 4 the company
    # reads why its financial statements came back; FOCIR filed its memo where it approved.
    papers = {(d.proposal_id, d.kind): d for d in session.scalars(select(Document))
              if d.is_current}
    ids = {p.title: p.id for p in session.scalars(select(Proposal))}
    by_state = {goal: ids[PROJECTS[project]["title"] + suffix]
                for _email, project, suffix, goal, _days in PLAN}
    for state in ("promtel_feedback", "promtel_verification", "agreement", "signed"):
        assert (by_state[state], "articles_of_incorporation") in papers, state
    assert papers[(by_state["update"], "financial_statements")].status == "rejected"
    assert papers[(by_state["signed"], "guarantee_deeds")].status == "accepted"
    assert (by_state["signed"], "focir_credit_memo") in papers
    assert (by_state["contact"], "articles_of_incorporation") not in papers
    store = app.extensions["documents"]
    with store.open(papers[(by_state["signed"], "technical_project")].sha256) as stream:
        assert stream.read(5) == b"%PDF-"
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_the_demo_signs_agreements_in_several_states(app: Flask, session: Session) -> None:
    from promtel_fin.services.transparency import figures

    list(seed(session, store=app.extensions["documents"]))
    with app.app_context():
        shown = figures(session)
    states = [s for s in shown.states.values() if s.agreements]
    signed = session.scalar(select(func.count()).select_from(Proposal).where(
        Proposal.state == "signed"))
    assert len(states) >= 6
    assert shown.totals.agreements == signed >= 8
    assert all(s.population and s.localities and s.sites for s in states)


def test_the_demo_has_a_decision_awaiting_its_second_officer_and_a_thread(
        app: Flask, session: Session) -> None:
    from promtel_fin.models import Message

    list(seed(session, store=app.extensions["documents"]))
    pending = [p for p in session.scalars(select(Proposal)) if p.pending_action]
    assert [(p.state, p.pending_action) for p in pending] == [("focir_decision", "approve")]
    assert pending[0].pending_by.email == "oficial@demo.focir.mx"
    agreements = [p for p in session.scalars(select(Proposal)) if p.state == "agreement"]
    assert agreements and all(p.approved_terms for p in agreements)
    assert session.scalar(select(Message.body).order_by(Message.id)).startswith("¿Necesitan")
