"""A proposal's documents: the checklist, uploads, downloads, reviews, and the gate on actions.

Who may do what:
- list and download: whoever may see the proposal (its company; PROMTEL and administrators;
  FOCIR once the proposal is presented to it); anyone else is told it does not exist (404);
- upload: the role the checklist names for the kind (the SME for its papers, FOCIR for its
  credit memo), when ``domain.documents.UPLOAD_STATES`` allows: the SME while it may edit
  (steps 1, 2 and 4, where a reviewer's request for changes brings it);
- review: PROMTEL, and FOCIR once the proposal is presented to it, while the proposal is open.

Every upload, supersession and review is an entry of the proposal's history carrying the file's
SHA-256, written in the same transaction as the row; the file is in the store before the row is
committed, so a row never names a file that was not stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, BinaryIO

from flask import has_request_context
from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import documents as rules
from ..domain import workflow
from ..domain.errors import (
    N_,
    CheckFailed,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooLarge,
    UnsupportedType,
    reason,
)
from ..domain.policy import Policy
from ..domain.workflow import Action, Facts, Role, State, Transition
from ..models import Document, Proposal, User, utcnow
from ..storage import CHUNK, DocumentStore, file_sha256
from . import history
from .locking import commit_guarded, flush_guarded
from .policy import current_policy
from .proposals import MAX_ID, get_proposal
from .uow import transactional

UPLOADED_BY_OTHER = {
    "sme": N_("The document “{label}” is uploaded by the company."),
    "promtel": N_("The document “{label}” is uploaded by PROMTEL."),
    "focir": N_("The document “{label}” is uploaded by FOCIR."),
}


def current_language() -> str:
    """Give the request's language ("es" outside a request: the CLI, the demo)."""
    if has_request_context():
        locale = get_locale()
        if locale is not None and locale.language == "en":
            return "en"
    return "es"


# ---- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """A proposal's checklist with each item's standing, and every document uploaded."""

    proposal: Proposal
    checklist: list[dict[str, Any]]
    items: list[dict[str, Any]]


def proposal_documents(session: Session, proposal_id: int) -> list[Document]:
    """Give every document of a proposal, oldest first (one statement)."""
    return list(session.scalars(select(Document).where(Document.proposal_id == proposal_id)
                                .order_by(Document.id)))


def describe(documents: Iterable[Document]) -> list[dict[str, Any]]:
    """Give the documents as the API answers them, each with the one that superseded it."""
    rows = list(documents)
    later = {d.supersedes_id: d.id for d in rows if d.supersedes_id is not None}
    return [{"id": d.id, "kind": d.kind, "filename": d.filename, "size": d.size,
             "sha256": d.sha256, "content_type": d.content_type, "status": d.status,
             "reason": d.reason, "uploaded_at": d.uploaded_at, "supersedes": d.supersedes_id,
             "superseded_by": later.get(d.id), "current": d.is_current,
             "reviewed_at": d.reviewed_at} for d in rows]


def _current(documents: Iterable[Document]) -> dict[str, rules.Current]:
    return {d.kind: rules.Current(d.id, d.status, d.uploaded_at, d.reason)
            for d in documents if d.is_current}


def checklist(policy: Policy, documents: Iterable[Document], language: str,
              now: datetime | None = None) -> list[dict[str, Any]]:
    """Give each item of the checklist with the standing of its current document."""
    now = now or utcnow()
    current = _current(documents)
    out = []
    for item in policy.checklist:
        document = current.get(item.kind)
        out.append({
            "kind": item.kind, "label": item.label(language),
            "required_for": list(item.required_for), "optional_for": list(item.optional_for),
            "uploaded_by": item.uploaded_by,
            "max_age_days": policy.credit_report_max_age_days if item.dated else None,
            "expired": rules.expired(item, document, policy, now),
            "status": document.status if document else rules.MISSING,
            "document_id": document.id if document else None,
        })
    return out


def listing(session: Session, user: User, proposal_id: int) -> Listing:
    """Give a proposal's checklist and documents, for whoever may see the proposal."""
    proposal = get_proposal(session, user, proposal_id, options=())
    documents = proposal_documents(session, proposal.id)
    policy = current_policy(session)
    return Listing(proposal, checklist(policy, documents, current_language()),
                   describe(documents))


@dataclass(frozen=True)
class Page:
    """What the dossier shows of the documents: each item of the checklist with its current
    document and the earlier ones, documents of kinds no longer asked for, and what this user
    may do."""

    entries: list[dict[str, Any]]
    others: list[Document]
    may_review: bool


def page(session: Session, user: User, proposal: Proposal, policy: Policy) -> Page:
    """Gather the dossier's documents section (one statement) for a proposal already loaded
    for this user."""
    documents = proposal_documents(session, proposal.id)
    role, state = str(user.role), State(proposal.state)
    by_id = {d.id: d for d in documents}
    entries = []
    for entry in checklist(policy, documents, current_language()):
        kind = entry["kind"]
        entries.append({
            **entry,
            "document": by_id.get(entry["document_id"] or 0),
            "earlier": [d for d in reversed(documents) if d.kind == kind and not d.is_current],
            "may_upload": entry["uploaded_by"] == role
            and state in rules.UPLOAD_STATES.get(role, ()),
        })
    asked = {item.kind for item in policy.checklist}
    return Page(entries=entries, others=[d for d in documents if d.kind not in asked],
                may_review=role in rules.REVIEWERS and state not in workflow.FINAL_STATES)


def _document(session: Session, proposal: Proposal, document_id: int,
              lock: bool = False) -> Document:
    query = select(Document).where(Document.id == document_id,
                                   Document.proposal_id == proposal.id)
    found = session.scalar(query.with_for_update() if lock else query) \
        if 0 < document_id <= MAX_ID else None
    if found is None:
        raise NotFound(reason("document_not_found",
                              N_("Document {id} of proposal {proposal} was not found."),
                              id=document_id, proposal=proposal.id))
    return found


class StoredFileDamaged(RuntimeError):
    """The store no longer holds a document's file as it was uploaded (audit verify says it)."""


def content(session: Session, store: DocumentStore, user: User, proposal_id: int,
            document_id: int) -> tuple[Proposal, Document, BinaryIO]:
    """Open a document's file for whoever may see the proposal, checked against its SHA-256
    first (a file that no longer matches is never served). The caller closes the stream (a
    response sent with it does)."""
    proposal = get_proposal(session, user, proposal_id, options=())
    document = _document(session, proposal, document_id)
    try:
        stream = store.open(document.sha256)
    except FileNotFoundError:
        raise StoredFileDamaged(f"document {document.id}: its file {document.sha256} is "
                                "missing from the store; run audit verify") from None
    if file_sha256(stream) != document.sha256:
        stream.close()
        raise StoredFileDamaged(f"document {document.id}: its file no longer hashes to "
                                f"{document.sha256}; run audit verify")
    stream.seek(0)
    return proposal, document, stream


# ---- uploading -------------------------------------------------------------------------------


def _may_upload_now(proposal: Proposal, user: User, policy: Policy) -> None:
    """Refuse a user who may upload no document of this proposal now: 403 for a role that
    uploads nothing the checklist asks for, 409 for the step."""
    role = str(user.role)
    if role not in {item.uploaded_by for item in policy.checklist}:
        raise Forbidden(reason("document_upload_role",
                               N_("The role {role} cannot upload documents."), role=role))
    if State(proposal.state) not in rules.UPLOAD_STATES[role]:
        raise Conflict(reason(
            "document_upload_closed",
            N_("Documents cannot be uploaded at the state {state}; the company uploads them "
               "at steps 1, 2 and 4 (when a reviewer asks for changes)."),
            state=proposal.state))


def may_upload(session: Session, user: User, proposal_id: int) -> None:
    """Refuse, before a byte of the file is read, an upload that cannot be taken whatever its
    kind: 404 (a proposal this user may not see), 403, 409."""
    proposal = get_proposal(session, user, proposal_id, options=())
    _may_upload_now(proposal, user, current_policy(session))


def _may_upload(proposal: Proposal, user: User, policy: Policy, kind: str | None) -> None:
    """Refuse an upload this user may not make now: 403 for the role, 422 for an unknown kind,
    409 for the step."""
    _may_upload_now(proposal, user, policy)
    role = str(user.role)
    item = policy.item(kind or "")
    if item is None:
        raise InvalidInput(reason(
            "document_kind_unknown", N_("Choose a kind of document of the checklist: {kinds}."),
            field="kind", kinds=", ".join(i.kind for i in policy.checklist)))
    if item.uploaded_by != role:
        raise Forbidden(reason("document_uploaded_by_other", UPLOADED_BY_OTHER[item.uploaded_by],
                               label=item.label(current_language())))


def _receive(store: DocumentStore, source: IO[bytes], max_bytes: int) -> tuple[str, int, str]:
    """Copy an upload into the store chunk by chunk, hashing it; refuse it when it is larger
    than ``max_bytes`` (413) or not of an accepted type (415). Answer (sha256, size, type)."""
    with store.receive() as incoming:
        while chunk := source.read(CHUNK):
            incoming.write(chunk)
            if incoming.size > max_bytes:
                raise TooLarge(reason(
                    "document_too_large",
                    N_("The file is larger than {limit} bytes ({mb} MB), the most a document "
                       "may have."), field="file", limit=max_bytes,
                    mb=f"{max_bytes / 1024 / 1024:g}"))
        content_type = rules.sniff(incoming.reader())
        if content_type is None:
            raise UnsupportedType(reason(
                "document_type_refused",
                N_("The file is not a PDF, JPEG, PNG or XLSX (its content was checked, not its "
                   "name)."), field="file"))
        return incoming.keep(), incoming.size, content_type


@transactional
def upload(session: Session, store: DocumentStore, user: User, proposal_id: int,
           kind: str | None, filename: str | None, source: IO[bytes] | None,
           max_bytes: int) -> Document:
    """Store a file of a kind of the checklist for a proposal; a current document of the same
    kind is superseded (it stays listed). Recorded in the history with the file's SHA-256."""
    proposal = get_proposal(session, user, proposal_id, options=())
    policy = current_policy(session)
    _may_upload(proposal, user, policy, kind)
    assert kind is not None
    if source is None:
        raise InvalidInput(reason("document_file_missing", N_("Choose a file to upload."),
                                  field="file"))
    sha256, size, content_type = _receive(store, source, max_bytes)
    now = utcnow()
    previous = session.scalar(select(Document).where(
        Document.proposal_id == proposal.id, Document.kind == kind, Document.is_current)
        .with_for_update())
    if previous is not None:
        previous.is_current = False
        flush_guarded(session)   # before the new row, which the unique index would refuse
    document = Document(
        proposal_id=proposal.id, kind=kind, filename=rules.clean_filename(filename),
        size=size, sha256=sha256, content_type=content_type, status=rules.PENDING, reason="",
        is_current=True, supersedes_id=previous.id if previous else None,
        uploaded_by_id=user.id, uploaded_at=now)
    session.add(document)
    flush_guarded(session)
    if previous is not None:
        history.append(session, proposal, user, "document_superseded", proposal.state,
                       proposal.state, payload={
                           "document_id": previous.id, "kind": kind,
                           "sha256": previous.sha256, "superseded_by": document.id})
    history.append(session, proposal, user, "document_uploaded", proposal.state,
                   proposal.state, payload={
                       "document_id": document.id, "kind": kind, "sha256": sha256,
                       "size": size, "content_type": content_type,
                       "filename": document.filename, "supersedes": document.supersedes_id})
    commit_guarded(session)
    return document


# ---- reviewing -------------------------------------------------------------------------------


@transactional
def review(session: Session, user: User, proposal_id: int, document_id: int, decision: str,
           why: str = "") -> Document:
    """Accept or reject the current document of a kind (a rejection needs its reason, which
    the company reads); recorded in the history with the file's SHA-256."""
    proposal = get_proposal(session, user, proposal_id, options=())
    if str(user.role) not in rules.REVIEWERS:
        raise Forbidden(reason("document_review_role",
                               N_("Only PROMTEL, and FOCIR once the proposal is presented to "
                                  "it, review documents.")))
    if State(proposal.state) in workflow.FINAL_STATES:
        raise Conflict(reason("document_review_closed",
                              N_("The proposal is {state}: its documents can no longer be "
                                 "reviewed."), state=proposal.state))
    document = _document(session, proposal, document_id, lock=True)
    if not document.is_current:
        raise Conflict(reason("document_superseded",
                              N_("Document {id} was replaced by a newer upload; review that "
                                 "one."), id=document.id))
    why = (why or "").strip()
    if decision not in rules.DECISIONS:
        raise InvalidInput(reason("decision_unknown",
                                  N_("The decision must be accepted or rejected."),
                                  field="decision"))
    if decision == rules.REJECTED and not why:
        raise CheckFailed(reason("reason_required",
                                 N_("A reason is required to reject a document."),
                                 field="reason"))
    document.status, document.reason = decision, why
    document.reviewed_by_id, document.reviewed_at = user.id, utcnow()
    flush_guarded(session)
    history.append(session, proposal, user, f"document_{decision}", proposal.state,
                   proposal.state, comment=why, payload={
                       "document_id": document.id, "kind": document.kind,
                       "sha256": document.sha256, "decision": decision})
    commit_guarded(session)
    return document


# ---- the gate on workflow actions -----------------------------------------------------------


def gate_problems(current: Iterable[Document], policy: Policy, action: Action) -> list[Any]:
    """List why the documents hold up ``action``, given the proposal's current documents."""
    return rules.gate_problems(policy, action, _current(current), utcnow(), current_language())


def plan(current: Iterable[Document], facts: Facts, action: str, role: Role,
         params: dict[str, Any]) -> Transition:
    """``workflow.plan`` and the checklist's gate on the proposal's ``current`` documents (read
    with it, in the same statement): every reason of both refused at once (422), after the 403
    and 409 of the workflow."""
    current = list(current)
    try:
        transition = workflow.plan(facts, action, role, params)
    except CheckFailed as refused:
        raise CheckFailed(*refused.reasons,
                          *gate_problems(current, facts.policy, Action(action))) from None
    problems = gate_problems(current, facts.policy, transition.action)
    if problems:
        raise CheckFailed(*problems)
    return transition
