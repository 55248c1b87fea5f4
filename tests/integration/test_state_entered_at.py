"""``state_entered_at`` moves on every transition that changes the state, and only then.

The queue orders by it and the dashboard counts "days waiting" from it, so an action that
leaves the proposal where it was (the first of two signatures) must not restart the clock.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from promtel_fin.domain.workflow import TRANSITIONS, Action, Role, State, Transition
from promtel_fin.services.proposals import get_proposal

from ..factories import SECOND_FOCIR, Factory

PARAMS = {"comment": "Revisado.", "reason": "Fuera de la zona.", "opinion": "favourable",
          "terms": {"amount": "4500000.00", "annual_rate": "0.10", "vat_rate": "0.16",
                    "term_months": 40, "grace_months": 6, "method": "level"}}


def _params(transition: Transition) -> dict:
    return {name: PARAMS[name] for name in transition.requires if name in PARAMS}


@pytest.mark.parametrize("transition", TRANSITIONS,
                         ids=lambda t: f"{t.source}-{t.action}-{t.role}")
def test_every_transition_restarts_the_clock_when_it_changes_the_state_and_only_then(
        make: Factory, session: Session, transition: Transition) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=transition.source)
    actor = cast[transition.role]
    if transition.action in (Action.CONFIRM_DECISION, Action.RETURN_DECISION):
        # Four eyes: one officer's approval waits for a second officer.
        make.act(proposal.id, cast[Role.FOCIR], "approve", terms=PARAMS["terms"])
        actor = cast[SECOND_FOCIR]
        proposal = get_proposal(session, cast[Role.SME], proposal.id)
    before = proposal.state_entered_at
    assert before is not None
    make.act(proposal.id, actor, str(transition.action), **_params(transition))
    session.expire_all()
    after = get_proposal(session, cast[Role.SME], proposal.id)
    if transition.action == Action.SIGN:             # the first signature: nobody else signed
        assert after.state == State.AGREEMENT
        assert after.state_entered_at == before
        assert after.updated_at > before
    elif transition.records_decision or transition.action == Action.RETURN_DECISION:
        # A pending decision, recorded or returned, leaves the proposal at step 9: the clock
        # of step 9 keeps running.
        assert after.state == State.FOCIR_DECISION == transition.source
        assert after.state_entered_at == before
        assert after.updated_at > before
    else:
        assert after.state == transition.target
        assert after.state_entered_at == after.updated_at
        assert after.state_entered_at > before


@pytest.mark.parametrize("first", [Role.SME, Role.FOCIR])
def test_the_first_signature_keeps_the_clock_and_the_second_restarts_it(
        make: Factory, session: Session, first: Role) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.AGREEMENT)
    entered = proposal.state_entered_at

    make.act(proposal.id, cast[first], "sign")
    session.expire_all()
    signed_once = get_proposal(session, cast[Role.SME], proposal.id)
    assert signed_once.state == State.AGREEMENT
    assert signed_once.state_entered_at == entered
    assert signed_once.updated_at > entered          # the proposal did change: a signature

    second = Role.FOCIR if first == Role.SME else Role.SME
    make.act(proposal.id, cast[second], "sign")
    session.expire_all()
    done = get_proposal(session, cast[Role.SME], proposal.id)
    assert done.state == State.SIGNED
    assert done.state_entered_at == done.updated_at > entered


def test_a_new_proposal_entered_its_first_state_when_it_was_created(
        make: Factory, session: Session) -> None:
    proposal = make.proposal()
    assert proposal.state == State.CONTACT
    assert proposal.state_entered_at == proposal.created_at
