"""Proposals: loading them as a user may see them, creating and editing drafts.

Lists and the reviewers' queue are in services/listing.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy.orm import Session

from ..domain import workflow
from ..domain.errors import N_, CheckFailed, Conflict, Forbidden, NotFound, Reason, reason
from ..domain.proposal import submission_problems
from ..domain.workflow import Role, State
from ..models import (
    CashFlow,
    Company,
    Guarantee,
    Locality,
    Proposal,
    SocialSite,
    User,
    utcnow,
)
from . import history, loading
from .folios import next_folio
from .loading import Bundle, Extras
from .locking import commit_guarded, flush_guarded
from .policy import current_policy
from .uow import transactional
from .visibility import SCOPES, scope, visible_to

MAX_ID = 2**31 - 1
SCALARS = ("title", "summary", "technology", "requested_amount", "term_months", "grace_months",
           "amortization_method")


def not_found(proposal_id: int) -> NotFound:
    """Build the one answer for a proposal that is missing or hidden from this user."""
    return NotFound(reason("proposal_not_found", N_("Proposal {id} was not found."),
                           id=proposal_id))


def load_proposal(session: Session, user: User, proposal_id: int,
                  extras: Extras | None = None, **window: Any) -> Bundle:
    """Load a proposal this user may see, with all its parts and the ``extras`` asked for
    (see ``loading``), in one statement; or raise NotFound (never revealing that it exists)."""
    if not 0 < proposal_id <= MAX_ID:
        raise not_found(proposal_id)
    bundle = loading.load(session, scope(user), proposal_id, extras or Extras(), **window)
    if bundle is None:
        raise not_found(proposal_id)
    return bundle


def get_proposal(session: Session, user: User, proposal_id: int,
                 options: Sequence[Any] | None = None) -> Proposal:
    """Load a proposal this user may see, or raise NotFound (never revealing that it exists).

    By default with every part (one statement); with ``options``, only the proposal's row and
    what those loader options ask for.
    """
    if options is None:
        return load_proposal(session, user, proposal_id).proposal
    if not 0 < proposal_id <= MAX_ID:
        raise not_found(proposal_id)
    seen, company = scope(user)
    if options:
        statement = (select(Proposal).options(*options)
                     .where(Proposal.id == proposal_id, visible_to(user)))
        proposal = session.scalar(statement)
    else:
        proposal = session.scalar(_proposal_row(seen),
                                  {"proposal_id": proposal_id, "company_id": company})
    if proposal is None:
        raise not_found(proposal_id)
    return proposal


@cache
def _proposal_row(seen: str) -> Select[Any]:
    """Build, once per visibility scope, the statement of a proposal's own row (the checks
    before its history, its documents, a message): the proposal and the company bound at each
    call."""
    return select(Proposal).where(Proposal.id == bindparam("proposal_id", type_=Integer),
                                  SCOPES[seen](bindparam("company_id", type_=Integer)))


def detail(session: Session, user: User, proposal_id: int) -> tuple[Proposal, list[Reason]]:
    """Load a proposal this user may see and list what it lacks under the policy in force,
    in one statement."""
    bundle = load_proposal(session, user, proposal_id, Extras(policy=True))
    assert bundle.policy is not None
    return bundle.proposal, submission_problems(document(bundle.proposal), bundle.policy)


def signed_by(proposal: Proposal) -> frozenset[Role]:
    """Give the parties that have signed the agreement."""
    return frozenset(Role(s.party) for s in proposal.signatures)


@dataclass(frozen=True)
class Status:
    """Where a proposal stands, as this user sees it."""

    state: str
    step: int | None
    waiting_on: list[str]
    allowed_actions: list[str]
    days_waiting: int
    can_edit: bool


@cache
def _standing(state: State, role: Role, parties: frozenset[Role], pending: bool = False,
              proposer: bool = False) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Give who is awaited and what this role may do: read from the transition table once per
    combination, not once per proposal of every page."""
    return (tuple(str(r) for r in workflow.waiting_on(state, parties, pending)),
            tuple(workflow.allowed_actions(state, role, parties, pending, proposer)))


def status(proposal: Proposal, user: User, now: datetime | None = None) -> Status:
    """Describe where the proposal stands and what this user may do with it now."""
    state = State(proposal.state)
    role = Role(user.role)
    pending = proposal.pending_action is not None
    waiting, allowed = _standing(state, role, signed_by(proposal), pending,
                                 pending and proposal.pending_by_id == user.id)
    now = now or utcnow()
    return Status(
        state=str(state),
        step=workflow.step_of(state),
        waiting_on=list(waiting),
        allowed_actions=list(allowed),
        days_waiting=max(0, (now - proposal.state_entered_at).days),
        can_edit=role == Role.SME and state in workflow.EDITABLE_STATES,
    )


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def document(proposal: Proposal) -> dict[str, Any]:
    """Give the proposal's content as one JSON-ready document (what a revision freezes)."""
    return {
        "title": proposal.title,
        "summary": proposal.summary,
        "technology": proposal.technology,
        "localities": [
            {"name": loc.name, "inegi_key": loc.inegi_key, "population": loc.population,
             "priority_zone": loc.priority_zone}
            for loc in proposal.localities
        ],
        "social_sites": [
            {"kind": s.kind, "name": s.name, "locality": s.locality}
            for s in proposal.social_sites
        ],
        "requested_amount": _money(proposal.requested_amount),
        "term_months": proposal.term_months,
        "grace_months": proposal.grace_months,
        "amortization_method": proposal.amortization_method,
        "guarantees": [
            {"kind": g.kind, "description": g.description, "value": _money(g.value)}
            for g in proposal.guarantees
        ],
        "credit_history": {
            "bureau_score": proposal.bureau_score,
            "report_date": proposal.credit_report_date.isoformat()
            if proposal.credit_report_date else None,
        },
        "cash_flows": [
            {"year": c.year, "revenue": _money(c.revenue), "opex": _money(c.opex),
             "capex": _money(c.capex), "taxes": _money(c.taxes)}
            for c in proposal.cash_flows
        ],
    }


def _apply(proposal: Proposal, data: dict[str, Any]) -> list[str]:
    """Write the given parts of a document onto the proposal; answer the fields written."""
    for name in SCALARS:
        if name in data:
            setattr(proposal, name, data[name])
    if "credit_history" in data:
        credit = data["credit_history"] or {}
        proposal.bureau_score = credit.get("bureau_score")
        proposal.credit_report_date = credit.get("report_date")
    if "localities" in data:
        proposal.localities = [Locality(position=i, **loc)
                               for i, loc in enumerate(data["localities"])]
    if "social_sites" in data:
        proposal.social_sites = [SocialSite(position=i, **site)
                                 for i, site in enumerate(data["social_sites"])]
    if "guarantees" in data:
        proposal.guarantees = [Guarantee(position=i, **g) for i, g in enumerate(data["guarantees"])]
    if "cash_flows" in data:
        # Update rows in place by year: replacing them would insert a year before the old
        # row is deleted and trip the (proposal, year) unique constraint.
        existing = {c.year: c for c in proposal.cash_flows}
        wanted = {flow["year"]: flow for flow in data["cash_flows"]}
        for year, row in existing.items():
            if year not in wanted:
                proposal.cash_flows.remove(row)
        for year, flow in sorted(wanted.items()):
            row = existing.get(year)
            if row is None:
                proposal.cash_flows.append(CashFlow(**flow))
            else:
                for key in ("revenue", "opex", "capex", "taxes"):
                    setattr(row, key, flow[key])
    return sorted(data)


@transactional
def create_proposal(session: Session, user: User, data: dict[str, Any]) -> Proposal:
    """Create a proposal at step 1 (contact) for the SME's company, and its first history entry."""
    if Role(user.role) != Role.SME or user.company_id is None:
        raise Forbidden(reason("sme_only", N_("Only an SME user can create a proposal.")))
    _check_open_drafts(session, user.company_id)
    now = utcnow()
    proposal = Proposal(folio=next_folio(session, now),
                        company_id=user.company_id, created_by_id=user.id,
                        state=str(State.CONTACT), state_entered_at=now, created_at=now,
                        updated_at=now)
    _apply(proposal, data)
    session.add(proposal)
    session.flush()
    history.append(session, proposal, user, "create", None, proposal.state,
                   payload={"fields": sorted(data)})
    session.commit()
    return proposal


def _check_open_drafts(session: Session, company_id: int) -> None:
    """Refuse a new proposal while the company holds the policy's number of unsubmitted ones.

    The company's row is written first (``SET id = id``, which changes nothing) so that two
    requests of the same company take turns: PostgreSQL holds the row lock, SQLite the write
    lock, until the first commits; the second then counts the first's draft.
    """
    session.execute(update(Company).where(Company.id == company_id).values(id=Company.id))
    limit = current_policy(session).max_open_drafts
    open_drafts = session.scalar(select(func.count(Proposal.id)).where(
        Proposal.company_id == company_id,
        Proposal.state.in_([str(s) for s in workflow.DRAFT_STATES]))) or 0
    if open_drafts >= limit:
        raise CheckFailed(reason(
            "too_many_drafts",
            N_("Your company already has {count} proposals not yet submitted (the limit is "
               "{limit}); submit or withdraw one before starting another."),
            count=open_drafts, limit=limit))


def check_version(proposal: Proposal, version: int) -> None:
    """Refuse to act on a proposal the user saw at an older version."""
    if version != proposal.version:
        raise Conflict(reason(
            "stale_version",
            N_("The proposal changed since you loaded it (version {given}, now {current}); "
               "reload it and try again."),
            field="version", given=version, current=proposal.version))


@transactional
def update_proposal(session: Session, user: User, proposal_id: int, version: int,
                    data: dict[str, Any]) -> Proposal:
    """Edit the SME's draft at steps 1, 2 or 4, guarded by the version the SME saw."""
    proposal = get_proposal(session, user, proposal_id)
    if Role(user.role) != Role.SME:
        raise Forbidden(reason("sme_only_edit", N_("Only the proposal's SME can edit it.")))
    if State(proposal.state) not in workflow.EDITABLE_STATES:
        raise Conflict(reason("not_editable",
                              N_("The proposal can only be edited at steps 1, 2 and 4; it is at "
                                 "the state {state}."), state=proposal.state))
    check_version(proposal, version)
    with session.no_autoflush:
        before = document(proposal)
        _apply(proposal, data)
        after = document(proposal)
    changed = sorted(name for name in after if after[name] != before[name])
    if not changed:  # nothing new: no write, no version, no history entry
        session.rollback()
        return proposal
    proposal.updated_at = utcnow()
    flush_guarded(session)
    history.append(session, proposal, user, "edit", proposal.state, proposal.state,
                   payload={"fields": changed})
    commit_guarded(session)
    return proposal
