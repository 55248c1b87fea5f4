"""Each refusal of the workflow carries the code, field and words the API and pages show."""

from __future__ import annotations

from typing import Any

import pytest

from promtel_fin.domain.errors import CheckFailed, Conflict, DomainError, Forbidden
from promtel_fin.domain.workflow import MISSING_INPUT, Action, Facts, Role, State, plan

from .test_boundaries import translated

S, A, R = State, Action, Role
SHA = "a" * 64


def refusal(error: type[DomainError], facts: Facts, action: str, role: Role,
            params: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    with pytest.raises(error) as caught:
        plan(facts, action, role, params)
    reasons = caught.value.reasons
    assert translated(*(r.template for r in reasons)), [r.template for r in reasons]
    return [(r.code, r.field, str(r)) for r in reasons]


def test_an_action_that_does_not_exist_is_named() -> None:
    assert refusal(Conflict, Facts(S.CONTACT), "fly", R.SME, {}) == [
        ("action_unknown", "action", "The action fly does not exist.")]


def test_a_role_that_never_takes_an_action_is_told_so() -> None:
    assert refusal(Forbidden, Facts(S.FOCIR_DECISION), "approve", R.SME, {}) == [
        ("role_cannot_act", None, "The role sme cannot take the action approve.")]


def test_an_action_that_does_not_leave_the_current_state_is_a_conflict() -> None:
    assert refusal(Conflict, Facts(S.CONTACT), "verify", R.PROMTEL, {}) == [
        ("action_not_available", None, "The action verify is not possible at the state contact.")]


def test_a_role_that_takes_the_action_at_other_steps_is_told_which_state_it_is() -> None:
    assert refusal(Forbidden, Facts(S.FOCIR_DECISION), "reject", R.PROMTEL,
                   {"reason": "x"}) == [
        ("role_cannot_act_now", None,
         "The role promtel cannot take the action reject at the state focir_decision.")]


@pytest.mark.parametrize(("state", "action", "role", "name"), [
    (S.PROMTEL_FEEDBACK, A.GIVE_FEEDBACK, R.PROMTEL, "comment"),
    (S.PROMTEL_FEEDBACK, A.REJECT, R.PROMTEL, "reason"),
    (S.PROMTEL_OPINION, A.GIVE_OPINION, R.PROMTEL, "opinion"),
    (S.FOCIR_DECISION, A.APPROVE, R.FOCIR, "terms"),
    (S.AGREEMENT, A.SIGN, R.SME, "terms_sha256"),
    (S.AGREEMENT, A.SIGN, R.SME, "certificate"),
    (S.AGREEMENT, A.SIGN, R.SME, "signature"),
])
@pytest.mark.parametrize("empty", [None, "", {}])
def test_an_empty_required_input_is_named_with_its_own_message(
        state: State, action: Action, role: Role, name: str, empty: Any) -> None:
    params = {"comment": "ok", "reason": "no", "opinion": "favourable",
              "terms": {"amount": "1"}, "terms_sha256": SHA, "certificate": b"cer",
              "signature": b"sig", name: empty}
    found = refusal(CheckFailed, Facts(state, terms_sha256=SHA), action, role, params)
    assert found[0] == (f"{name}_required", name, MISSING_INPUT[name])
    # The guards look only for an absent value: an empty opinion or digest is also "unknown".
    assert len(found) == (1 if empty is None or name not in ("opinion", "terms_sha256") else 2)


@pytest.mark.parametrize("opinion", ["favourable", "unfavourable"])
def test_both_opinions_are_accepted(opinion: str) -> None:
    transition = plan(Facts(S.PROMTEL_OPINION), A.GIVE_OPINION, R.PROMTEL,
                      {"opinion": opinion, "comment": "ok"})
    assert transition.target == S.FOCIR_DECISION


def test_any_other_opinion_is_refused_with_its_field() -> None:
    assert refusal(CheckFailed, Facts(S.PROMTEL_OPINION), "give_opinion", R.PROMTEL,
                   {"opinion": "Favourable", "comment": "ok"}) == [
        ("opinion_unknown", "opinion", "The opinion must be favourable or unfavourable.")]


def test_a_party_that_signed_cannot_withdraw_and_is_told_why() -> None:
    facts = Facts(S.AGREEMENT, signed_by=frozenset({R.SME}))
    assert refusal(CheckFailed, facts, "withdraw", R.SME, {}) == [
        ("signed_cannot_withdraw", None,
         "Your party signed the agreement, so it can no longer withdraw.")]


def test_the_sme_may_withdraw_at_step_ten_while_only_focir_has_signed() -> None:
    facts = Facts(S.AGREEMENT, signed_by=frozenset({R.FOCIR}))
    assert plan(facts, A.WITHDRAW, R.SME, {}).target_for(facts, R.SME) == S.WITHDRAWN


EFIRMA = {"certificate": b"cer", "signature": b"sig"}


def test_signing_other_terms_names_both_digests() -> None:
    facts = Facts(S.AGREEMENT, terms_sha256="b" * 64)
    assert refusal(CheckFailed, facts, "sign", R.FOCIR, {"terms_sha256": SHA, **EFIRMA}) == [
        ("terms_hash_mismatch", "terms_sha256",
         f"The terms you accepted ({SHA}) are not the approved terms ({'b' * 64}).")]


def test_signing_twice_is_refused_once_with_the_reason() -> None:
    facts = Facts(S.AGREEMENT, signed_by=frozenset({R.FOCIR}), terms_sha256=SHA)
    assert refusal(CheckFailed, facts, "sign", R.FOCIR, {"terms_sha256": SHA, **EFIRMA}) == [
        ("already_signed", None, "Your party has already signed this agreement.")]


def test_approval_terms_are_checked_against_the_policy_in_the_facts() -> None:
    terms = {"amount": "10000000.01", "annual_rate": "0.10", "vat_rate": "0.16",
             "term_months": 40, "grace_months": 6, "method": "level"}
    assert refusal(CheckFailed, Facts(S.FOCIR_DECISION), "approve", R.FOCIR,
                   {"terms": terms}) == [
        ("amount_over_limit", "terms.amount",
         "The amount 10,000,000.01 is above the policy limit of 10,000,000.00.")]
    plan(Facts(S.FOCIR_DECISION), A.APPROVE, R.FOCIR,
         {"terms": {**terms, "amount": "10000000.00"}})


def test_missing_inputs_are_the_ones_plan_refuses_first() -> None:
    from promtel_fin.domain.workflow import Action, Role, State, missing_inputs

    missing = missing_inputs(State.PROMTEL_FEEDBACK, Action.REJECT, Role.PROMTEL, {})
    assert [(r.code, r.field) for r in missing] == [("reason_required", "reason")]
    assert missing_inputs(State.PROMTEL_FEEDBACK, Action.REJECT, Role.PROMTEL,
                          {"reason": "Fuera de zona."}) == []
    assert missing_inputs(State.CONTACT, Action.WITHDRAW, Role.SME, {}) == []
    assert missing_inputs(State.CONTACT, Action.REJECT, Role.SME, {}) == []   # not its action
