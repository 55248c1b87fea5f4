"""Taking an action on a proposal: the state changes and its history entry commit together."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from ..domain import workflow
from ..domain.errors import N_, CheckFailed, reason
from ..domain.history import canonical_json
from ..domain.proposal import submission_problems
from ..domain.workflow import Action, Facts, PendingDecision, Role, State, Transition
from ..models import Proposal, Revision, Signature, User, utcnow
from . import agreement, documents, history, notify, resets
from .loading import Extras
from .locking import commit_guarded, flush_guarded
from .proposals import check_version, document, load_proposal, signed_by
from .uow import transactional


def _plain(value: Any) -> str:
    return format(Decimal(str(value)).normalize(), "f")


def normalize_terms(terms: dict[str, Any]) -> dict[str, Any]:
    """Write approved terms in one canonical form (decimals as strings) for storage and hashing."""
    return {
        "amount": f"{Decimal(str(terms['amount'])):.2f}",
        "annual_rate": _plain(terms["annual_rate"]),
        "vat_rate": _plain(terms["vat_rate"]),
        "term_months": int(terms["term_months"]),
        "grace_months": int(terms["grace_months"]),
        "method": str(terms["method"]),
    }


def terms_digest(proposal_id: int, terms: dict[str, Any]) -> str:
    """Compute the SHA-256 that a signer accepts: these terms, for this proposal."""
    body = canonical_json({"proposal_id": proposal_id, "terms": terms})
    return hashlib.sha256(body.encode()).hexdigest()


def _reviewer(session: Session, user: User, params: dict[str, Any]) -> User:
    reviewer_id = params.get("reviewer_id")
    if reviewer_id is None:
        return user
    reviewer = session.get(User, reviewer_id)
    if reviewer is None or reviewer.role != Role.PROMTEL or not reviewer.active:
        raise CheckFailed(reason("reviewer_invalid",
                                 N_("User {id} is not an active PROMTEL reviewer."),
                                 field="reviewer_id", id=reviewer_id))
    return reviewer


def pending_decision(proposal: Proposal) -> PendingDecision | None:
    """Give the FOCIR decision awaiting a second officer, if there is one."""
    if proposal.pending_action is None or proposal.pending_by_id is None:
        return None
    return PendingDecision(Action(proposal.pending_action), proposal.pending_by_id,
                           proposal.pending_terms, proposal.pending_reason)


def _four_eyes(proposal: Proposal, transition: Transition, user: User, params: dict[str, Any],
               policy: Any, now: Any) -> dict[str, Any]:
    """Record, apply or discard a FOCIR decision at step 9 (issue 11 §5); answer the history
    entry's payload. Any other action leaving step 9 (withdraw) discards a pending one."""
    pending = pending_decision(proposal)
    payload: dict[str, Any] = {}
    if transition.records_decision:
        proposal.pending_action, proposal.pending_by_id = str(transition.action), user.id
        proposal.pending_terms = (normalize_terms(params["terms"])
                                  if transition.action == Action.APPROVE else None)
        proposal.pending_reason = params.get("reason")
        proposal.pending_at = now
        return {"decision": "pending", "terms": proposal.pending_terms,
                "reason": proposal.pending_reason}
    if pending is None:
        return payload
    payload.update(decision=str(pending.action), proposed_by=pending.by)
    if transition.action == Action.CONFIRM_DECISION and pending.action == Action.APPROVE:
        proposal.approved_terms = dict(pending.terms or {})
        proposal.terms_sha256 = terms_digest(proposal.id, proposal.approved_terms)
        proposal.policy_snapshot = policy.to_dict()
        payload.update(terms=proposal.approved_terms, terms_sha256=proposal.terms_sha256,
                       policy=proposal.policy_snapshot)
    else:
        payload.update(terms=pending.terms, reason=pending.reason)
    proposal.pending_action = proposal.pending_by_id = proposal.pending_terms = None
    proposal.pending_reason = proposal.pending_at = None
    return payload


@transactional
def take_action(session: Session, user: User, proposal_id: int, action: str, version: int,
                params: dict[str, Any]) -> Proposal:
    """Apply ``action`` to the proposal for ``user``: checks, effects and history, atomically."""
    # The proposal with its parts, the policy, the last revision's number and the current
    # documents (the checklist's gate): one statement.
    bundle = load_proposal(session, user, proposal_id,
                           Extras(policy=True, latest_revision=True, documents=True))
    proposal, policy = bundle.proposal, bundle.policy
    assert policy is not None
    check_version(proposal, version)
    role = Role(user.role)
    facts = Facts(
        state=State(proposal.state), signed_by=signed_by(proposal), policy=policy,
        incomplete=tuple(submission_problems(document(proposal), policy)),
        terms_sha256=proposal.terms_sha256, pending=pending_decision(proposal),
        actor_id=user.id,
    )
    transition = documents.plan(bundle.documents, facts, action, role, params)  # + checklist
    if transition.action in workflow.FREEZING_ACTIONS:
        resets.check_may_submit(user)
    target = transition.target_for(facts, role)
    now = utcnow()
    payload: dict[str, Any] = {}
    revision_number = bundle.latest_revision
    reviewer = (_reviewer(session, user, params)
                if transition.action == Action.ACKNOWLEDGE_CONTACT else None)
    comment = params.get("comment") or params.get("reason") or ""
    if transition.action == Action.CONFIRM_DECISION:  # the SME reads why it was rejected
        comment = comment or proposal.pending_reason or ""

    # One UPDATE per action: no query may flush half of the change on its own.
    with session.no_autoflush:
        if State(proposal.state) == State.FOCIR_DECISION:
            payload.update(_four_eyes(proposal, transition, user, params, policy, now))
        match transition.action:
            case Action.ACKNOWLEDGE_CONTACT if reviewer is not None:
                proposal.assigned_reviewer_id = reviewer.id
                payload["reviewer_id"] = reviewer.id
            case Action.PRESENT_TO_FOCIR:
                proposal.presented_at = now
            case Action.GIVE_OPINION:
                proposal.opinion = params["opinion"]
                payload["opinion"] = params["opinion"]
            case Action.SIGN:
                # Every e.firma check (certificate, CA, RFC, signature over the cadena
                # original) at the signing time; each failure is its own reason.
                signed = agreement.check_signature(session, user, proposal,
                                                   params["certificate"], params["signature"],
                                                   now)
                proposal.signatures.append(Signature(party=str(role), user_id=user.id,
                                                     terms_sha256=params["terms_sha256"],
                                                     signed_at=now, **signed.row_fields()))
                payload["terms_sha256"] = params["terms_sha256"]
                payload.update(signed.history_payload())
            case Action.REJECT if not transition.records_decision:
                payload["reason"] = params["reason"]

        if transition.action in workflow.FREEZING_ACTIONS:
            snapshot = document(proposal)
            snapshot["company"] = {
                "legal_name": proposal.company.legal_name, "rfc": proposal.company.rfc,
                "state_code": proposal.company.state_code,
                "municipality_key": proposal.company.municipality_key,
            }
            revision_number = (revision_number or 0) + 1
            digest = hashlib.sha256(canonical_json(snapshot).encode()).hexdigest()
            session.add(Revision(
                proposal_id=proposal.id, number=revision_number, action=str(transition.action),
                document=snapshot, created_by_id=user.id, created_at=now, document_sha256=digest,
            ))
            # The chain records the digest, so that an edited document (and digest) shows.
            payload.update(revision=revision_number, revision_sha256=digest)

        from_state = proposal.state
        proposal.state = str(target)
        if target != State(from_state):
            proposal.state_entered_at = now
        proposal.updated_at = now
    flush_guarded(session)
    history.append(session, proposal, user, str(transition.action), from_state, proposal.state,
                   comment=comment, payload=payload, revision_number=revision_number)
    notify.notify_transition(session, proposal, user, str(transition.action),
                             signed_by(proposal), comment)
    commit_guarded(session)
    return proposal
