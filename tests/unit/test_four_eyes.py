"""Four eyes on FOCIR decisions (issue 11 §5), in the domain: who may record, confirm, return."""

from __future__ import annotations

import pytest

from promtel_fin.domain.errors import CheckFailed, Conflict, Forbidden
from promtel_fin.domain.policy import Policy
from promtel_fin.domain.workflow import (
    Action,
    Facts,
    PendingDecision,
    Role,
    State,
    allowed_actions,
    mermaid,
    plan,
    waiting_on,
)

S, A, R = State, Action, Role
TERMS = {"amount": "4500000.00", "annual_rate": "0.10", "vat_rate": "0.16", "term_months": 40,
         "grace_months": 6, "method": "level"}
APPROVAL = PendingDecision(A.APPROVE, by=7, terms=TERMS)
REJECTION = PendingDecision(A.REJECT, by=7, reason="Sin garantías.")


def test_approve_and_reject_only_record_a_pending_decision() -> None:
    facts = Facts(S.FOCIR_DECISION, actor_id=7)
    approve = plan(facts, A.APPROVE, R.FOCIR, {"terms": TERMS})
    reject = plan(facts, A.REJECT, R.FOCIR, {"reason": "no"})
    assert approve.records_decision and reject.records_decision
    assert approve.target_for(facts, R.FOCIR) == reject.target_for(facts, R.FOCIR) == (
        S.FOCIR_DECISION)


@pytest.mark.parametrize(("pending", "outcome"), [(APPROVAL, S.AGREEMENT),
                                                  (REJECTION, S.REJECTED)])
def test_a_second_officer_confirms_and_the_pending_decision_applies(
        pending: PendingDecision, outcome: State) -> None:
    facts = Facts(S.FOCIR_DECISION, pending=pending, actor_id=8)
    assert plan(facts, A.CONFIRM_DECISION, R.FOCIR, {}).target_for(facts, R.FOCIR) == outcome
    back = plan(facts, A.RETURN_DECISION, R.FOCIR, {"comment": "Revisar plazo."})
    assert back.target_for(facts, R.FOCIR) == S.FOCIR_DECISION


@pytest.mark.parametrize("action", [A.CONFIRM_DECISION, A.RETURN_DECISION])
def test_the_officer_who_proposed_gets_403_on_both(action: Action) -> None:
    facts = Facts(S.FOCIR_DECISION, pending=APPROVAL, actor_id=7)
    with pytest.raises(Forbidden) as error:
        plan(facts, action, R.FOCIR, {})  # even without the comment: who first
    assert error.value.reasons[0].code == "same_officer"


@pytest.mark.parametrize("role", [R.SME, R.PROMTEL, R.ADMIN])
def test_no_other_role_confirms_or_returns(role: Role) -> None:
    facts = Facts(S.FOCIR_DECISION, pending=APPROVAL, actor_id=99)
    for action in (A.CONFIRM_DECISION, A.RETURN_DECISION):
        with pytest.raises(Forbidden):
            plan(facts, action, role, {"comment": "x"})


def test_nothing_to_confirm_or_return_without_a_pending_decision() -> None:
    facts = Facts(S.FOCIR_DECISION, actor_id=8)
    for action in (A.CONFIRM_DECISION, A.RETURN_DECISION):
        with pytest.raises(Conflict) as error:
            plan(facts, action, R.FOCIR, {"comment": "x"})
        assert error.value.reasons[0].code == "no_pending_decision"


def test_no_second_decision_while_one_is_pending() -> None:
    facts = Facts(S.FOCIR_DECISION, pending=REJECTION, actor_id=8)
    with pytest.raises(Conflict) as error:
        plan(facts, A.APPROVE, R.FOCIR, {"terms": TERMS})
    assert error.value.reasons[0].code == "decision_pending"


def test_returning_needs_a_comment() -> None:
    facts = Facts(S.FOCIR_DECISION, pending=APPROVAL, actor_id=8)
    with pytest.raises(CheckFailed) as error:
        plan(facts, A.RETURN_DECISION, R.FOCIR, {})
    assert [r.field for r in error.value.reasons] == ["comment"]


def test_confirming_terms_a_newer_policy_no_longer_allows_is_refused() -> None:
    facts = Facts(S.FOCIR_DECISION, pending=APPROVAL, actor_id=8,
                  policy=Policy(max_term_months=36))
    with pytest.raises(CheckFailed) as error:
        plan(facts, A.CONFIRM_DECISION, R.FOCIR, {})
    assert [r.code for r in error.value.reasons] == ["term_out_of_range"]


def test_allowed_actions_and_waiting_on_follow_the_pending_decision() -> None:
    assert allowed_actions(S.FOCIR_DECISION, R.FOCIR) == ["approve", "reject"]
    assert allowed_actions(S.FOCIR_DECISION, R.FOCIR, pending=True) == [
        "confirm_decision", "return_decision"]
    assert allowed_actions(S.FOCIR_DECISION, R.FOCIR, pending=True, proposer=True) == []
    assert allowed_actions(S.FOCIR_DECISION, R.SME, pending=True) == ["withdraw"]
    assert waiting_on(S.FOCIR_DECISION, pending=True) == (R.FOCIR,)


def test_the_diagram_shows_the_pending_decision_and_both_outcomes() -> None:
    diagram = mermaid()
    assert "focir_decision --> focir_decision: approve [focir] (pending, four eyes)" in diagram
    assert ("focir_decision --> agreement: confirm_decision [focir] (another officer, of a "
            "pending approve)") in diagram
    assert ("focir_decision --> rejected: confirm_decision [focir] (another officer, of a "
            "pending reject)") in diagram
    assert "focir_decision --> focir_decision: return_decision [focir]" in diagram
