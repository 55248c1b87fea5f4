"""The ten-step process as one transition table, with named guards that give their reasons.

Every change of state is first checked by ``plan``: it checks that the action leaves the
current state, that the role may take it there, that the action carries what it needs and that
every guard holds, and answers the transition to apply (``target_for`` gives the state to move
to). ``allowed_actions``, ``waiting_on`` and the diagram in ``docs/workflow.md`` are all derived
from ``TRANSITIONS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .errors import N_, CheckFailed, Conflict, Forbidden, Reason, reason
from .policy import Policy, check_terms


class State(StrEnum):
    CONTACT = "contact"
    PROPOSAL = "proposal"
    PROMTEL_FEEDBACK = "promtel_feedback"
    UPDATE = "update"
    PROMTEL_VERIFICATION = "promtel_verification"
    FOCIR_PRESENTATION = "focir_presentation"
    FOCIR_FEEDBACK = "focir_feedback"
    PROMTEL_OPINION = "promtel_opinion"
    FOCIR_DECISION = "focir_decision"
    AGREEMENT = "agreement"
    SIGNED = "signed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Role(StrEnum):
    SME = "sme"
    PROMTEL = "promtel"
    FOCIR = "focir"
    ADMIN = "admin"


class Action(StrEnum):
    ACKNOWLEDGE_CONTACT = "acknowledge_contact"
    SUBMIT_PROPOSAL = "submit_proposal"
    GIVE_FEEDBACK = "give_feedback"
    SUBMIT_UPDATE = "submit_update"
    VERIFY = "verify"
    REQUEST_CHANGES = "request_changes"
    PRESENT_TO_FOCIR = "present_to_focir"
    GIVE_OPINION = "give_opinion"
    APPROVE = "approve"
    REJECT = "reject"
    SIGN = "sign"
    WITHDRAW = "withdraw"
    CONFIRM_DECISION = "confirm_decision"
    RETURN_DECISION = "return_decision"


STEPS: tuple[State, ...] = (
    State.CONTACT, State.PROPOSAL, State.PROMTEL_FEEDBACK, State.UPDATE,
    State.PROMTEL_VERIFICATION, State.FOCIR_PRESENTATION, State.FOCIR_FEEDBACK,
    State.PROMTEL_OPINION, State.FOCIR_DECISION, State.AGREEMENT,
)
FINAL_STATES = frozenset({State.SIGNED, State.REJECTED, State.WITHDRAWN})
SIGNING_PARTIES = frozenset({Role.SME, Role.FOCIR})
# The institutions' people: they may try rates other than the policy's in the simulators.
STAFF_ROLES = frozenset({Role.PROMTEL, Role.FOCIR, Role.ADMIN})
# Steps at which the SME may edit its draft (the revision is frozen when it submits).
EDITABLE_STATES = frozenset({State.CONTACT, State.PROPOSAL, State.UPDATE})
# Proposals not yet submitted even once (the policy limits how many a company holds at once).
DRAFT_STATES = frozenset({State.CONTACT, State.PROPOSAL})
# Submissions that freeze an immutable revision of the proposal.
FREEZING_ACTIONS = frozenset({Action.SUBMIT_PROPOSAL, Action.SUBMIT_UPDATE})
OPINIONS = ("favourable", "unfavourable")
# Four eyes at step 9: one FOCIR officer's approve or reject is only a pending decision until a
# different FOCIR officer confirms it (or returns it, which discards it).
DECISIONS = frozenset({Action.APPROVE, Action.REJECT})


def step_of(state: State) -> int | None:
    """Give the step number 1-10 of a state, or None for a final state."""
    return STEPS.index(state) + 1 if state in STEPS else None


@dataclass(frozen=True)
class PendingDecision:
    """A FOCIR decision (approve with its terms, or reject with its reason) awaiting a second
    officer: ``by`` is the id of the officer who proposed it."""

    action: Action
    by: int
    terms: Mapping[str, Any] | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Facts:
    """What the guards may look at: the proposal as it stands, the policy in force, and who
    acts (``actor_id``, for the four-eyes rule)."""

    state: State
    signed_by: frozenset[Role] = frozenset()
    incomplete: tuple[Reason, ...] = ()
    policy: Policy = field(default_factory=Policy)
    terms_sha256: str | None = None
    pending: PendingDecision | None = None
    actor_id: int | None = None


Guard = Callable[[Facts, Role, Mapping[str, Any]], list[Reason]]


def proposal_is_complete(facts: Facts, role: Role, params: Mapping[str, Any]) -> list[Reason]:
    """Hold when the draft has everything a reviewer needs and fits the policy's limits."""
    return list(facts.incomplete)


def terms_within_policy(facts: Facts, role: Role, params: Mapping[str, Any]) -> list[Reason]:
    """Hold when the proposed terms are inside the policy limits."""
    return check_terms(params["terms"], facts.policy) if params.get("terms") else []


def opinion_is_known(facts: Facts, role: Role, params: Mapping[str, Any]) -> list[Reason]:
    """Hold when the opinion is favourable or unfavourable."""
    value = params.get("opinion")
    if value is None or value in OPINIONS:
        return []
    return [reason("opinion_unknown", N_("The opinion must be favourable or unfavourable."),
                   field="opinion")]


def party_has_not_signed(facts: Facts, role: Role, params: Mapping[str, Any]) -> list[Reason]:
    """Hold when this party has not signed the agreement yet."""
    if role in facts.signed_by:
        return [reason("already_signed", N_("Your party has already signed this agreement."))]
    return []


def party_has_not_signed_to_withdraw(facts: Facts, role: Role,
                                     params: Mapping[str, Any]) -> list[Reason]:
    """Hold when this party has not signed: a party that signed can no longer withdraw."""
    if role in facts.signed_by:
        return [reason("signed_cannot_withdraw",
                       N_("Your party signed the agreement, so it can no longer withdraw."))]
    return []


def signer_accepts_current_terms(facts: Facts, role: Role,
                                 params: Mapping[str, Any]) -> list[Reason]:
    """Hold when the signer accepted exactly the terms that were approved."""
    given = params.get("terms_sha256")
    if given is None or given == facts.terms_sha256:
        return []
    return [reason("terms_hash_mismatch",
                   N_("The terms you accepted ({given}) are not the approved terms ({expected})."),
                   field="terms_sha256", given=given, expected=facts.terms_sha256)]


def pending_terms_within_policy(facts: Facts, role: Role,
                                params: Mapping[str, Any]) -> list[Reason]:
    """Hold when the pending approval's terms are still inside the policy in force."""
    pending = facts.pending
    if pending is None or pending.action != Action.APPROVE or not pending.terms:
        return []
    return check_terms(dict(pending.terms), facts.policy)


def _after_signing(facts: Facts, role: Role) -> State:
    return State.SIGNED if facts.signed_by | {role} >= SIGNING_PARTIES else State.AGREEMENT


def _decided(facts: Facts, role: Role) -> State:
    """Apply the pending decision: an approval leads to the agreement, a rejection ends it."""
    assert facts.pending is not None
    return State.AGREEMENT if facts.pending.action == Action.APPROVE else State.REJECTED


@dataclass(frozen=True)
class Transition:
    """One row of the table: from a state, an action by a role leads to a state."""

    source: State
    action: Action
    role: Role
    target: State
    requires: tuple[str, ...] = ()
    guards: tuple[Guard, ...] = ()
    resolve: Callable[[Facts, Role], State] | None = None
    # Not offered to a party once it has signed (signing again, withdrawing after signing).
    closed_once_signed: bool = False
    # Offered only while a FOCIR decision is pending (True) or only while none is (False).
    pending: bool | None = None
    # Records a pending decision instead of applying it (approve and reject at step 9).
    records_decision: bool = False
    # Refused (403) to the officer who proposed the pending decision.
    four_eyes: bool = False
    # The states ``resolve`` may lead to, for the diagram and the docs (default: ``target``).
    outcomes: tuple[State, ...] = ()

    def open_to(self, role: Role, signed_by: frozenset[Role], pending: bool = False,
                proposer: bool = False) -> bool:
        """Say whether this row is offered to ``role`` given who has signed, whether a
        decision is pending, and whether this user proposed it."""
        if self.closed_once_signed and role in signed_by:
            return False
        if self.pending is not None and self.pending != pending:
            return False
        return not (self.four_eyes and proposer)

    def leads_to(self) -> tuple[State, ...]:
        """Give every state this row may lead to."""
        return self.outcomes or (self.target,)

    def target_for(self, facts: Facts, role: Role) -> State:
        """Give the state this transition leads to for these facts."""
        return self.resolve(facts, role) if self.resolve else self.target


S, A, R = State, Action, Role
TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.CONTACT, A.ACKNOWLEDGE_CONTACT, R.PROMTEL, S.PROPOSAL),
    Transition(S.PROPOSAL, A.SUBMIT_PROPOSAL, R.SME, S.PROMTEL_FEEDBACK,
               guards=(proposal_is_complete,)),
    Transition(S.PROMTEL_FEEDBACK, A.GIVE_FEEDBACK, R.PROMTEL, S.UPDATE, requires=("comment",)),
    Transition(S.PROMTEL_FEEDBACK, A.REJECT, R.PROMTEL, S.REJECTED, requires=("reason",)),
    Transition(S.UPDATE, A.SUBMIT_UPDATE, R.SME, S.PROMTEL_VERIFICATION,
               guards=(proposal_is_complete,)),
    Transition(S.PROMTEL_VERIFICATION, A.VERIFY, R.PROMTEL, S.FOCIR_PRESENTATION),
    Transition(S.PROMTEL_VERIFICATION, A.REQUEST_CHANGES, R.PROMTEL, S.UPDATE,
               requires=("comment",)),
    Transition(S.PROMTEL_VERIFICATION, A.REJECT, R.PROMTEL, S.REJECTED, requires=("reason",)),
    Transition(S.FOCIR_PRESENTATION, A.PRESENT_TO_FOCIR, R.PROMTEL, S.FOCIR_FEEDBACK,
               requires=("comment",)),
    Transition(S.FOCIR_FEEDBACK, A.GIVE_FEEDBACK, R.FOCIR, S.PROMTEL_OPINION,
               requires=("comment",)),
    Transition(S.FOCIR_FEEDBACK, A.REQUEST_CHANGES, R.FOCIR, S.UPDATE, requires=("comment",)),
    Transition(S.FOCIR_FEEDBACK, A.REJECT, R.FOCIR, S.REJECTED, requires=("reason",)),
    Transition(S.PROMTEL_OPINION, A.GIVE_OPINION, R.PROMTEL, S.FOCIR_DECISION,
               requires=("opinion", "comment"), guards=(opinion_is_known,)),
    Transition(S.FOCIR_DECISION, A.APPROVE, R.FOCIR, S.FOCIR_DECISION, requires=("terms",),
               guards=(terms_within_policy,), pending=False, records_decision=True),
    Transition(S.FOCIR_DECISION, A.REJECT, R.FOCIR, S.FOCIR_DECISION, requires=("reason",),
               pending=False, records_decision=True),
    Transition(S.FOCIR_DECISION, A.CONFIRM_DECISION, R.FOCIR, S.AGREEMENT,
               guards=(pending_terms_within_policy,), resolve=_decided, pending=True,
               four_eyes=True, outcomes=(S.AGREEMENT, S.REJECTED)),
    Transition(S.FOCIR_DECISION, A.RETURN_DECISION, R.FOCIR, S.FOCIR_DECISION,
               requires=("comment",), pending=True, four_eyes=True),
    *(
        Transition(S.AGREEMENT, A.SIGN, party, S.SIGNED,
                   requires=("terms_sha256", "certificate", "signature"),
                   guards=(party_has_not_signed, signer_accepts_current_terms),
                   resolve=_after_signing, closed_once_signed=True, outcomes=(S.SIGNED,))
        for party in (R.SME, R.FOCIR)
    ),
    *(Transition(state, A.WITHDRAW, R.SME, S.WITHDRAWN) for state in STEPS
      if state != S.AGREEMENT),
    Transition(S.AGREEMENT, A.WITHDRAW, R.SME, S.WITHDRAWN,
               guards=(party_has_not_signed_to_withdraw,), closed_once_signed=True),
)

_BY_KEY: dict[tuple[State, Action, Role], Transition] = {
    (t.source, t.action, t.role): t for t in TRANSITIONS
}
_ACTIONS_OF_ROLE: dict[Role, frozenset[Action]] = {
    role: frozenset(t.action for t in TRANSITIONS if t.role == role) for role in Role
}

MISSING_INPUT = {
    "comment": N_("A comment is required for this action."),
    "reason": N_("A reason is required to reject a proposal."),
    "opinion": N_("The opinion (favourable or unfavourable) is required."),
    "terms": N_("The financing terms are required to approve."),
    "terms_sha256": N_("The SHA-256 of the terms you accept is required to sign."),
    "certificate": N_("Your e.firma certificate (.cer) is required to sign."),
    "signature": N_("Your e.firma signature of the agreement's cadena original is required to "
                    "sign."),
}


def waiting_on(state: State, signed_by: frozenset[Role] = frozenset(),
               pending: bool = False) -> tuple[Role, ...]:
    """Name the roles that must act next, in table order (none when final)."""
    roles = []
    for t in TRANSITIONS:
        if (t.source == state and t.action != Action.WITHDRAW and t.role not in roles
                and t.open_to(t.role, signed_by, pending)):
            roles.append(t.role)
    return tuple(roles)


def allowed_actions(state: State, role: Role, signed_by: frozenset[Role] = frozenset(),
                    pending: bool = False, proposer: bool = False) -> list[str]:
    """List the actions this role may take now (guards are checked when it takes them).

    ``pending``: a FOCIR decision awaits its second officer; ``proposer``: this user proposed
    it (and so may neither confirm nor return it)."""
    actions = []
    for t in TRANSITIONS:
        if (t.source == state and t.role == role and t.action not in actions
                and t.open_to(role, signed_by, pending, proposer)):
            actions.append(t.action)
    return [str(a) for a in actions]


def _four_eyes(facts: Facts, transition: Transition) -> None:
    """Refuse a step-9 decision that does not fit whether one is pending, and refuse its
    confirmation or return to the officer who proposed it."""
    pending = facts.pending
    if transition.pending is True and pending is None:
        raise Conflict(reason("no_pending_decision",
                              N_("There is no pending decision to {action}."),
                              action=transition.action))
    if transition.pending is False and pending is not None:
        raise Conflict(reason("decision_pending",
                              N_("A decision ({decision}) is already pending; a second FOCIR "
                                 "officer must confirm or return it first."),
                              decision=pending.action))
    if transition.four_eyes and pending is not None and pending.by == facts.actor_id:
        raise Forbidden(reason("same_officer",
                               N_("You proposed this decision: a different FOCIR officer must "
                                  "confirm or return it.")))


def plan(facts: Facts, action: Action | str, role: Role, params: Mapping[str, Any]) -> Transition:
    """Check that ``role`` may take ``action`` now and answer the transition to apply.

    Raises Forbidden (the role never takes this action, or not at this step), Conflict (the
    action does not exist or does not leave the current state) or CheckFailed (every missing
    input and failing guard, all at once).
    """
    try:
        action = Action(action)
    except ValueError:
        raise Conflict(reason("action_unknown", N_("The action {action} does not exist."),
                              field="action", action=action)) from None
    if action not in _ACTIONS_OF_ROLE[role]:
        raise Forbidden(reason("role_cannot_act",
                               N_("The role {role} cannot take the action {action}."),
                               role=role, action=action))
    if not any(t.source == facts.state and t.action == action for t in TRANSITIONS):
        raise Conflict(reason("action_not_available",
                              N_("The action {action} is not possible at the state {state}."),
                              action=action, state=facts.state))
    transition = _BY_KEY.get((facts.state, action, role))
    if transition is None:
        raise Forbidden(reason("role_cannot_act_now",
                               N_("The role {role} cannot take the action {action} at the "
                                  "state {state}."),
                               role=role, action=action, state=facts.state))
    _four_eyes(facts, transition)
    problems = _missing(transition, params)
    for guard in transition.guards:
        problems.extend(guard(facts, role, params))
    if problems:
        raise CheckFailed(*problems)
    return transition


def _missing(transition: Transition, params: Mapping[str, Any]) -> list[Reason]:
    return [reason(f"{name}_required", MISSING_INPUT[name], field=name)
            for name in transition.requires if params.get(name) in (None, "", {})]


def missing_inputs(state: State, action: Action, role: Role,
                   params: Mapping[str, Any]) -> list[Reason]:
    """The inputs the action requires of this role at this state that ``params`` lacks, as
    ``plan`` refuses them (for a form that asks them before a confirmation step)."""
    transition = _BY_KEY.get((state, action, role))
    return _missing(transition, params) if transition is not None else []


def mermaid() -> str:
    """Draw the transition table as a Mermaid state diagram."""
    lines = ["stateDiagram-v2", f"    [*] --> {State.CONTACT}"]
    for t in TRANSITIONS:
        if t.action == Action.WITHDRAW:
            continue
        note = " (both parties)" if t.action == Action.SIGN else ""
        if t.records_decision:
            note = " (pending, four eyes)"
        if t.action == Action.SIGN and t.role == Role.FOCIR:
            continue
        for target in t.leads_to():
            if t.action == Action.CONFIRM_DECISION:
                decision = Action.APPROVE if target == State.AGREEMENT else Action.REJECT
                note = f" (another officer, of a pending {decision})"
            elif t.action == Action.RETURN_DECISION:
                note = " (another officer, discards it)"
            lines.append(f"    {t.source} --> {target}: {t.action} [{t.role}]{note}")
    lines.append(f"    note right of {State.WITHDRAWN}: withdraw [sme] from any step 1-10"
                 " (at 10 until it signs)")
    lines.extend(f"    {s} --> [*]" for s in sorted(FINAL_STATES))
    return "\n".join(lines) + "\n"
