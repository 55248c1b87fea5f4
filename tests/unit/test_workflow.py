"""The transition table, checked against docs/rules.md's ten steps written out by hand."""

from __future__ import annotations

import itertools

import pytest

from promtel_fin.domain.errors import CheckFailed, Conflict, Forbidden
from promtel_fin.domain.policy import Policy
from promtel_fin.domain.workflow import (
    TRANSITIONS,
    Action,
    Facts,
    PendingDecision,
    Role,
    State,
    allowed_actions,
    mermaid,
    plan,
    step_of,
    waiting_on,
)

S, A, R = State, Action, Role
STEPS = [S.CONTACT, S.PROPOSAL, S.PROMTEL_FEEDBACK, S.UPDATE, S.PROMTEL_VERIFICATION,
         S.FOCIR_PRESENTATION, S.FOCIR_FEEDBACK, S.PROMTEL_OPINION, S.FOCIR_DECISION, S.AGREEMENT]

# docs/rules.md, "The ten steps", transcribed independently of the code.
EXPECTED: dict[tuple[State, Action, Role], State] = {
    (S.CONTACT, A.ACKNOWLEDGE_CONTACT, R.PROMTEL): S.PROPOSAL,
    (S.PROPOSAL, A.SUBMIT_PROPOSAL, R.SME): S.PROMTEL_FEEDBACK,
    (S.PROMTEL_FEEDBACK, A.GIVE_FEEDBACK, R.PROMTEL): S.UPDATE,
    (S.PROMTEL_FEEDBACK, A.REJECT, R.PROMTEL): S.REJECTED,
    (S.UPDATE, A.SUBMIT_UPDATE, R.SME): S.PROMTEL_VERIFICATION,
    (S.PROMTEL_VERIFICATION, A.VERIFY, R.PROMTEL): S.FOCIR_PRESENTATION,
    (S.PROMTEL_VERIFICATION, A.REQUEST_CHANGES, R.PROMTEL): S.UPDATE,
    (S.PROMTEL_VERIFICATION, A.REJECT, R.PROMTEL): S.REJECTED,
    (S.FOCIR_PRESENTATION, A.PRESENT_TO_FOCIR, R.PROMTEL): S.FOCIR_FEEDBACK,
    (S.FOCIR_FEEDBACK, A.GIVE_FEEDBACK, R.FOCIR): S.PROMTEL_OPINION,
    (S.FOCIR_FEEDBACK, A.REQUEST_CHANGES, R.FOCIR): S.UPDATE,
    (S.FOCIR_FEEDBACK, A.REJECT, R.FOCIR): S.REJECTED,
    (S.PROMTEL_OPINION, A.GIVE_OPINION, R.PROMTEL): S.FOCIR_DECISION,
    # Four eyes: one officer's decision waits at step 9 for a second officer (issue 11 §5).
    (S.FOCIR_DECISION, A.APPROVE, R.FOCIR): S.FOCIR_DECISION,
    (S.FOCIR_DECISION, A.REJECT, R.FOCIR): S.FOCIR_DECISION,
    (S.FOCIR_DECISION, A.CONFIRM_DECISION, R.FOCIR): S.AGREEMENT,  # of a pending approve
    (S.FOCIR_DECISION, A.RETURN_DECISION, R.FOCIR): S.FOCIR_DECISION,
    (S.AGREEMENT, A.SIGN, R.SME): S.AGREEMENT,     # the other party has not signed yet
    (S.AGREEMENT, A.SIGN, R.FOCIR): S.AGREEMENT,
    **{(state, A.WITHDRAW, R.SME): S.WITHDRAWN for state in STEPS},
}
TERMS = {"amount": "4500000.00", "annual_rate": "0.10", "vat_rate": "0.16", "term_months": 40,
         "grace_months": 6, "method": "level"}
FULL_PARAMS = {"comment": "ok", "reason": "no", "opinion": "favourable", "terms": TERMS,
               "terms_sha256": "a" * 64, "certificate": b"cer", "signature": b"sig"}
ROLE_ACTIONS = {(action, role) for (_s, action, role) in EXPECTED}


def _facts(state: State, action: Action | None = None) -> Facts:
    if action in (A.CONFIRM_DECISION, A.RETURN_DECISION):  # another officer's approval waits
        return Facts(state=state, terms_sha256="a" * 64, actor_id=2,
                     pending=PendingDecision(A.APPROVE, by=1, terms=TERMS))
    return Facts(state=state, terms_sha256="a" * 64)


@pytest.mark.parametrize(("state", "action", "role"),
                         list(itertools.product(State, Action, Role)),
                         ids=lambda v: str(v))
def test_every_state_action_role_combination_is_allowed_or_refused_as_the_domain_says(
        state: State, action: Action, role: Role) -> None:
    """Does each (state, action, role) lead where docs/rules.md says, or get the right refusal?"""
    key = (state, action, role)
    facts = _facts(state, action)
    if key in EXPECTED:
        transition = plan(facts, action, role, FULL_PARAMS)
        assert transition.target_for(facts, role) == EXPECTED[key]
    elif (action, role) not in ROLE_ACTIONS:
        with pytest.raises(Forbidden):
            plan(facts, action, role, FULL_PARAMS)
    elif not any(s == state and a == action for (s, a, _r) in EXPECTED):
        with pytest.raises(Conflict):
            plan(facts, action, role, FULL_PARAMS)
    else:
        with pytest.raises(Forbidden):
            plan(facts, action, role, FULL_PARAMS)


def test_the_table_holds_exactly_the_transitions_of_the_domain() -> None:
    assert {(t.source, t.action, t.role) for t in TRANSITIONS} == set(EXPECTED)


def test_steps_are_numbered_one_to_ten_and_final_states_have_none() -> None:
    assert [step_of(s) for s in STEPS] == list(range(1, 11))
    assert step_of(S.SIGNED) is step_of(S.REJECTED) is step_of(S.WITHDRAWN) is None


def test_the_second_signature_completes_the_agreement() -> None:
    facts = Facts(state=S.AGREEMENT, signed_by=frozenset({R.SME}), terms_sha256="a" * 64)
    transition = plan(facts, A.SIGN, R.FOCIR, FULL_PARAMS)
    assert transition.target_for(facts, R.FOCIR) == S.SIGNED


def test_a_party_cannot_sign_twice() -> None:
    facts = Facts(state=S.AGREEMENT, signed_by=frozenset({R.SME}), terms_sha256="a" * 64)
    with pytest.raises(CheckFailed) as error:
        plan(facts, A.SIGN, R.SME, FULL_PARAMS)
    assert [r.code for r in error.value.reasons] == ["already_signed"]


def test_signing_other_terms_than_the_approved_ones_is_refused() -> None:
    facts = Facts(state=S.AGREEMENT, terms_sha256="b" * 64)
    with pytest.raises(CheckFailed) as error:
        plan(facts, A.SIGN, R.SME, FULL_PARAMS)
    assert error.value.reasons[0].code == "terms_hash_mismatch"
    assert "b" * 64 in str(error.value)


def test_missing_inputs_are_all_listed_at_once() -> None:
    with pytest.raises(CheckFailed) as error:
        plan(_facts(S.PROMTEL_OPINION), A.GIVE_OPINION, R.PROMTEL, {})
    assert {r.code for r in error.value.reasons} == {"opinion_required", "comment_required"}


def test_a_reject_needs_a_reason() -> None:
    with pytest.raises(CheckFailed) as error:
        plan(_facts(S.FOCIR_DECISION), A.REJECT, R.FOCIR, {"comment": "x"})
    assert [r.field for r in error.value.reasons] == ["reason"]


def test_an_incomplete_proposal_cannot_be_submitted_and_every_gap_is_named() -> None:
    from promtel_fin.domain.errors import reason

    gaps = (reason("missing", "a", field="title"), reason("missing", "b", field="localities"))
    with pytest.raises(CheckFailed) as error:
        plan(Facts(state=S.PROPOSAL, incomplete=gaps), A.SUBMIT_PROPOSAL, R.SME, {})
    assert [r.field for r in error.value.reasons] == ["title", "localities"]


def test_approving_terms_outside_the_policy_is_refused_with_each_reason() -> None:
    terms = {**TERMS, "amount": "12000000.00", "term_months": 48, "grace_months": 8}
    with pytest.raises(CheckFailed) as error:
        plan(_facts(S.FOCIR_DECISION), A.APPROVE, R.FOCIR, {"terms": terms})
    codes = {r.code for r in error.value.reasons}
    assert codes == {"amount_over_limit", "term_out_of_range", "grace_out_of_range"}
    assert "12,000,000.00" in str(error.value)


def test_a_stricter_policy_refuses_what_the_default_allows() -> None:
    facts = Facts(state=S.FOCIR_DECISION, policy=Policy(max_term_months=36))
    with pytest.raises(CheckFailed):
        plan(facts, A.APPROVE, R.FOCIR, {"terms": TERMS})


def test_an_unknown_action_is_a_conflict_not_a_crash() -> None:
    with pytest.raises(Conflict):
        plan(_facts(S.CONTACT), "fly", R.SME, {})


@pytest.mark.parametrize(("state", "expected"), [
    (S.CONTACT, (R.PROMTEL,)), (S.PROPOSAL, (R.SME,)), (S.FOCIR_FEEDBACK, (R.FOCIR,)),
    (S.PROMTEL_OPINION, (R.PROMTEL,)), (S.AGREEMENT, (R.SME, R.FOCIR)), (S.SIGNED, ()),
])
def test_waiting_on_names_who_must_act_next(state: State, expected: tuple[Role, ...]) -> None:
    assert waiting_on(state) == expected


def test_after_the_sme_signs_only_focir_is_awaited() -> None:
    assert waiting_on(S.AGREEMENT, frozenset({R.SME})) == (R.FOCIR,)
    assert allowed_actions(S.AGREEMENT, R.SME, frozenset({R.SME})) == []  # nor withdraw
    assert allowed_actions(S.AGREEMENT, R.FOCIR, frozenset({R.SME})) == ["sign"]


def test_allowed_actions_come_from_the_table() -> None:
    assert allowed_actions(S.PROMTEL_VERIFICATION, R.PROMTEL) == [
        "verify", "request_changes", "reject"]
    assert allowed_actions(S.PROMTEL_VERIFICATION, R.SME) == ["withdraw"]
    assert allowed_actions(S.SIGNED, R.SME) == []
    assert allowed_actions(S.CONTACT, R.ADMIN) == []


def test_the_diagram_draws_every_transition_of_the_table() -> None:
    diagram = mermaid()
    for t in TRANSITIONS:
        if t.action not in (A.WITHDRAW, A.SIGN):
            for target in t.leads_to():
                assert f"{t.source} --> {target}: {t.action} [{t.role}]" in diagram
    assert "agreement --> signed: sign [sme] (both parties)" in diagram


def test_the_workflow_document_is_generated_from_the_current_table() -> None:
    from pathlib import Path

    from promtel_fin.cli import workflow_markdown

    committed = Path(__file__).resolve().parents[2] / "docs" / "workflow.md"
    assert committed.read_text(encoding="utf-8") == workflow_markdown(), (
        "docs/workflow.md is stale: run `flask --app wsgi docs workflow`")
