"""What a proposal's rows must agree with in its history: state, version, terms, signatures and
revisions. Each check takes one proposal's entries (oldest first) and rows, and names what
disagrees."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from hashlib import sha256
from typing import Any

from ..domain import efirma as efirma_checks
from ..domain.history import sha256_of
from ..models import Message, Proposal, Revision, Signature
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
    """Check the approved terms against their digest and against the entry that applied them:
    an approve that led to the agreement (before four eyes), or the confirmation of a pending
    approve."""
    approvals = [e for e in entries if e["to_state"] == "agreement" and e["action"] in (
        "approve", "confirm_decision")]
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


def pending_decision(proposal: Proposal,
                     entries: Sequence[Entry]) -> Iterator[tuple[str, str]]:
    """Check the pending FOCIR decision against the history: the last step-9 approve or reject
    not yet confirmed, returned or left behind, by the same officer, with the same terms or
    reason."""
    expected: Entry | None = None
    for entry in entries:
        if (entry["action"] in ("approve", "reject") and entry["from_state"] == entry["to_state"]
                == "focir_decision"):
            expected = entry
        elif entry["action"] in ("confirm_decision", "return_decision") or (
                entry["to_state"] != "focir_decision"):
            expected = None
    if expected is None:
        if proposal.pending_action is not None:
            yield "pending", "it has a pending decision that no entry recorded"
        return
    recorded = expected["payload"]
    if (proposal.pending_action != expected["action"]
            or proposal.pending_by_id != expected["actor_id"]
            or proposal.pending_terms != recorded.get("terms")
            or proposal.pending_reason != recorded.get("reason")):
        yield "pending", (f"its pending decision is not the one its entry seq {expected['seq']} "
                          "recorded")


def messages(rows: Sequence[Message], entries: Sequence[Entry]) -> Iterator[tuple[str, str]]:
    """Check each message against its entry: same author, and a body that still hashes to the
    SHA-256 the entry recorded; and each message entry against its row."""
    written = {e["payload"].get("message_id"): e for e in entries if e["action"] == "message"}
    for message in rows:
        entry = written.pop(message.id, None)
        if entry is None:
            yield "message", f"message {message.id} has no history entry"
            continue
        digest = sha256(message.body.encode("utf-8")).hexdigest()
        if digest != entry["payload"].get("body_sha256") or digest != message.body_sha256:
            yield "message", (f"message {message.id}'s body does not hash to what its entry "
                              f"(seq {entry['seq']}) recorded: it was edited")
        if message.author_id != entry["actor_id"]:
            yield "message", (f"message {message.id}'s author is not its entry's (seq "
                              f"{entry['seq']}) actor")
    for message_id, entry in sorted(written.items(), key=lambda item: str(item[0])):
        yield "message", (f"the entry seq {entry['seq']} of message {message_id} has no message "
                          "row: it was deleted")


def all_ties(proposal: Proposal, entries: Sequence[Entry], signature_rows: Sequence[Signature],
             revision_rows: Sequence[Revision],
             message_rows: Sequence[Message] = ()) -> Iterator[tuple[str, str]]:
    """Run every check that ties a proposal's rows to its history."""
    yield from state_and_version(proposal, entries)
    yield from terms(proposal, entries)
    yield from pending_decision(proposal, entries)
    yield from signatures(signature_rows, entries)
    yield from efirma(signature_rows, entries)
    yield from revisions(revision_rows, entries)
    yield from messages(message_rows, entries)
