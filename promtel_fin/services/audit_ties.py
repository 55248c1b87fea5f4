"""What a proposal's rows must agree with in its history: state, version, terms, signatures and
revisions. Each check takes one proposal's entries (oldest first) and rows, and names what
disagrees."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..domain import efirma as efirma_checks
from ..domain.history import sha256_of
from ..models import Proposal, Revision, Signature
from .agreement import stored_problems
from .workflow import terms_digest

Entry = Mapping[str, Any]


def state_and_version(proposal: Proposal, entries: Sequence[Entry]) -> Iterator[tuple[str, str]]:
    """Check that the proposal's state and version are what its last entry left."""
    last = entries[-1]
    if proposal.state != last["to_state"]:
        yield "state", (f"its state is {proposal.state} but its last entry (seq {last['seq']}) "
                        f"left it at {last['to_state']}")
    if proposal.version != last["proposal_version"]:
        yield "version", (f"its version is {proposal.version} but its last entry (seq "
                          f"{last['seq']}) left it at {last['proposal_version']}")


def terms(proposal: Proposal, entries: Sequence[Entry]) -> Iterator[tuple[str, str]]:
    """Check the approved terms against their digest and against the approve entry."""
    approvals = [e for e in entries if e["action"] == "approve"]
    if not approvals:
        if proposal.approved_terms is not None or proposal.terms_sha256 is not None:
            yield "terms", "it has approved terms but no approve entry"
        return
    recorded = approvals[-1]["payload"]
    if proposal.approved_terms is None or proposal.terms_sha256 is None:
        yield "terms", "its approve entry recorded terms that the proposal no longer has"
        return
    if terms_digest(proposal.id, proposal.approved_terms) != proposal.terms_sha256:
        yield "terms", "its approved terms do not hash to its terms_sha256"
    if proposal.terms_sha256 != recorded.get("terms_sha256"):
        yield "terms", "its terms_sha256 is not the one its approve entry recorded"
    if proposal.approved_terms != recorded.get("terms"):
        yield "terms", "its approved terms are not the ones its approve entry recorded"


def signatures(rows: Sequence[Signature], entries: Sequence[Entry]) -> Iterator[tuple[str, str]]:
    """Check that each signature row has its sign entry, and each sign entry its row."""
    stored = Counter((s.party, s.user_id, s.terms_sha256) for s in rows)
    signed = Counter((e["actor_role"], e["actor_id"], e["payload"].get("terms_sha256"))
                     for e in entries if e["action"] == "sign")
    for party, user_id, digest in sorted((stored - signed).elements()):
        yield "signature", (f"the {party} signature by user {user_id} on terms {digest[:12]}… "
                            "has no sign entry")
    for party, user_id, digest in sorted((signed - stored).elements(), key=str):
        yield "signature", (f"the sign entry of {party} user {user_id} on terms "
                            f"{str(digest)[:12]}… has no signature row")


def _digest(data: bytes | None) -> str | None:
    return efirma_checks.digest(data) if data else None


def efirma(rows: Sequence[Signature], entries: Sequence[Entry]) -> Iterator[tuple[str, str]]:
    """Verify every stored e.firma signature again, and tie it to what its sign entry chained:
    the certificate number, the signature's and the signed text's digests."""
    recorded = {(e["actor_role"], e["actor_id"]): e["payload"] for e in entries
                if e["action"] == "sign"}
    for row in rows:
        who = f"the {row.party} signature by user {row.user_id}"
        for problem in stored_problems(row):
            yield "signature", f"{who}: {problem}"
        payload = recorded.get((row.party, row.user_id))
        if payload is None or "signature_sha256" not in payload:
            if row.signature is not None:
                yield "signature", f"{who} carries an e.firma its sign entry did not record"
            continue
        stored = {"certificate_number": row.certificate_number,
                  "signature_sha256": _digest(row.signature),
                  "certificate_sha256": _digest(row.certificate),
                  "cadena_sha256": row.cadena_sha256}
        for name, value in stored.items():
            if payload.get(name) != value:
                yield "signature", f"{who}: its {name} is not the one its sign entry recorded"


def revisions(rows: Sequence[Revision], entries: Sequence[Entry]) -> Iterator[tuple[str, str]]:
    """Check each revision's document against its digest and its submitting entry's record."""
    submitted = {e["payload"]["revision"]: e for e in entries if "revision" in e["payload"]}
    for revision in rows:
        actual = sha256_of(revision.document)
        if actual != revision.document_sha256:
            yield "revision", (f"revision {revision.number}'s document does not hash to its "
                               "stored document_sha256")
        entry = submitted.pop(revision.number, None)
        if entry is None:
            yield "revision", f"revision {revision.number} has no submitting entry"
        elif entry["payload"].get("revision_sha256") != actual:
            yield "revision", (f"revision {revision.number}'s document does not hash to what "
                               f"its submitting entry (seq {entry['seq']}) recorded")
    for number, entry in sorted(submitted.items()):
        yield "revision", (f"the submitting entry (seq {entry['seq']}) of revision {number} has "
                           "no revision row")


def all_ties(proposal: Proposal, entries: Sequence[Entry], signature_rows: Sequence[Signature],
             revision_rows: Sequence[Revision]) -> Iterator[tuple[str, str]]:
    """Run every check that ties a proposal's rows to its history."""
    yield from state_and_version(proposal, entries)
    yield from terms(proposal, entries)
    yield from signatures(signature_rows, entries)
    yield from efirma(signature_rows, entries)
    yield from revisions(revision_rows, entries)
