"""The agreement and the term sheet: what their PDFs print, for a user who may see them.

Both exist from FOCIR's approval on (step 10, ``agreement``, and once ``signed``): before that
there are no approved terms to print, and the answer is 409 like any action not open at the
proposal's step. Who may read them is the one visibility rule (``load_proposal``): the
company's users and the staff who may see the proposal; anyone else gets 404.

The schedule is computed by the same code as the dossier's (``finance.loan_terms`` and
``domain.loan.schedule``), so both print the same figures to the centavo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..domain.errors import N_, Conflict, reason
from ..domain.loan import Schedule, schedule
from ..domain.workflow import Action, Role, State
from ..models import HistoryEntry, Proposal, User, utcnow
from .agreement import agreement_of
from .finance import loan_terms
from .loading import Extras
from .proposals import load_proposal

# From FOCIR's approval on: the agreement awaiting its signatures, and the signed agreement.
PAPER_STATES = frozenset({State.AGREEMENT, State.SIGNED})
# The signature block's order: the borrower first, then the lender.
PARTY_ORDER = (Role.SME, Role.FOCIR)
KINDS = {"agreement": "convenio", "terms": "terminos"}


@dataclass(frozen=True)
class Paper:
    """Everything one PDF prints; ``filename`` is the download's name (folio and kind)."""

    kind: str
    proposal: Proposal
    terms: dict[str, Any]
    terms_sha256: str
    schedule: Schedule
    approved_at: datetime | None
    approved_by: str | None
    approval_comment: str
    signatures: list[dict[str, Any]]
    agreement_sha256: str | None
    issued_at: datetime

    @property
    def filename(self) -> str:
        """Name the file by folio and kind: PF-2026-00042-convenio.pdf."""
        return f"{self.proposal.folio}-{KINDS[self.kind]}.pdf"

    @property
    def signed(self) -> bool:
        """Say whether every party has signed."""
        return self.proposal.state == State.SIGNED


def available(proposal: Proposal) -> bool:
    """Say whether the proposal's agreement and term sheet exist (FOCIR approved its terms)."""
    return (State(proposal.state) in PAPER_STATES and bool(proposal.approved_terms)
            and bool(proposal.terms_sha256))


def not_ready(proposal: Proposal) -> Conflict:
    """Build the refusal for a proposal whose terms FOCIR has not approved (yet)."""
    return Conflict(reason(
        "paper_not_available",
        N_("The agreement and the term sheet exist once FOCIR approves the financing (step "
           "10); this proposal is at the state {state}."), state=proposal.state))


def agreement(session: Session, user: User, proposal: Proposal) -> dict[str, Any]:
    """The agreement's signatures and digest (``services.agreement``): ``signatures`` is a list
    of ``{"party", "name", "rfc", "curp", "certificate_number", "signed_at",
    "signature_sha256"}`` and ``sha256`` the digest of the cadena original that each party
    signed. ``user`` may see ``proposal`` (checked by the caller)."""
    return agreement_of(session, proposal)


def _with_datetime(signature: dict[str, Any]) -> dict[str, Any]:
    """Read a signing time given as ISO 8601 text (as a JSON-ready document gives it)."""
    when = signature.get("signed_at")
    if isinstance(when, str):
        return {**signature, "signed_at": datetime.fromisoformat(when)}
    return signature


def paper(session: Session, user: User, proposal_id: int, kind: str) -> Paper:
    """Gather what the agreement (``kind="agreement"``) or the term sheet (``"terms"``) of a
    proposal this user may see prints; 404 when hidden, 409 before FOCIR's approval."""
    if kind not in KINDS:
        raise ValueError(kind)
    bundle = load_proposal(session, user, proposal_id, Extras(policy=True))
    proposal, policy = bundle.proposal, bundle.policy
    assert policy is not None
    if not available(proposal):
        raise not_ready(proposal)
    terms = loan_terms(proposal, policy)
    assert terms is not None   # approved terms always make a schedule
    approval = session.scalar(
        select(HistoryEntry).options(joinedload(HistoryEntry.actor))
        .where(HistoryEntry.proposal_id == proposal.id,
               HistoryEntry.action == str(Action.APPROVE))
        .order_by(HistoryEntry.seq.desc()).limit(1))
    signed = agreement(session, user, proposal) if kind == "agreement" \
        else {"sha256": None, "signatures": []}
    return Paper(
        kind=kind, proposal=proposal, terms=dict(proposal.approved_terms),
        terms_sha256=proposal.terms_sha256, schedule=schedule(terms),
        approved_at=approval.created_at if approval else None,
        approved_by=(approval.actor.name or approval.actor.email)
        if approval and approval.actor else None,
        approval_comment=approval.comment if approval else "",
        signatures=[_with_datetime(s) for s in signed["signatures"]],
        agreement_sha256=signed["sha256"],
        issued_at=utcnow(),
    )
