"""``audit verify`` names a stored document that is missing or no longer matches, and a
document row that no longer agrees with its history; a damaged file is never served."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from promtel_fin.demo import sample_pdf
from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import HistoryEntry, User
from promtel_fin.services.documents import proposal_documents

from ..audit_helpers import checks, tamper, verify
from ..factories import Factory


def _own_file(make: Factory) -> tuple[int, int, str, Path, User]:
    """Give a proposal whose technical project (uploaded again at step 4) is a file of its own
    (the factory's other papers share one file); its id, the document's, digest, path, SME."""
    cast = make.cast()
    proposal = make.proposal(cast, at=State.UPDATE)
    document = make.upload(proposal.id, cast[Role.SME], "technical_project",
                           sample_pdf("Proyecto técnico", "única copia"), "proyecto.pdf")
    assert make.store is not None
    path = make.store.path_of(document.sha256)  # type: ignore[attr-defined]
    return proposal.id, document.id, document.sha256, path, cast[Role.SME]


def _upload_seq(session: Session, proposal_id: int, document_id: int) -> int:
    return next(e.seq for e in session.scalars(select(HistoryEntry).where(
        HistoryEntry.proposal_id == proposal_id, HistoryEntry.action == "document_uploaded"))
        if e.payload["document_id"] == document_id)


def test_untouched_documents_verify(app: Flask, make: Factory) -> None:
    _own_file(make)
    make.proposal(at=State.SIGNED)
    assert verify(app)[0] == 0


def test_a_deleted_file_is_reported_as_missing(app: Flask, make: Factory) -> None:
    proposal_id, document_id, digest, path, _sme = _own_file(make)
    path.unlink()
    code, report = verify(app)
    assert code == 1
    assert checks(report, proposal_id) == {"document_file"}
    assert [p["message"] for p in report["problems"]] == [
        f"document {document_id} (technical_project, “proyecto.pdf”): its file "
        f"{digest[:12]}… is missing from the store"]
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN proposal {proposal_id}: document_file: document {document_id}" in (
        result.stderr)


def test_an_altered_file_is_reported_and_never_served(app: Flask, make: Factory) -> None:
    proposal_id, document_id, _digest, path, sme = _own_file(make)
    path.write_bytes(path.read_bytes().replace(b"copia", b"COPIA"))
    code, report = verify(app)
    assert code == 1 and checks(report, proposal_id) == {"document_file"}
    assert "no longer matches its SHA-256" in report["problems"][0]["message"]
    r = app.test_client().get(
        f"/api/v1/proposals/{proposal_id}/documents/{document_id}/content",
        headers=make.headers(sme))
    assert r.status_code == 500


def test_a_document_row_edited_behind_the_history_is_reported(
        app: Flask, make: Factory, session: Session) -> None:
    proposal_id, document_id, _digest, _path, _sme = _own_file(make)
    # Point the row at another stored file (which verifies on its own) and accept it.
    other = make.proposal(at=State.PROPOSAL)
    other_digest = proposal_documents(session, other.id)[0].sha256
    tamper(session, "UPDATE documents SET sha256 = :s, status = 'accepted' WHERE id = :d",
           s=other_digest, d=document_id)
    code, report = verify(app)
    assert code == 1
    assert checks(report, proposal_id) == {"document"}
    messages = {p["message"] for p in report["problems"]}
    seq = _upload_seq(session, proposal_id, document_id)
    assert messages == {
        f"document {document_id} (technical_project)'s SHA-256 is not the one its upload "
        f"entry (seq {seq}) recorded",
        f"document {document_id} (technical_project) is accepted but its history (no review) "
        "left it pending"}


def test_a_deleted_document_row_is_reported_by_its_upload_entry(
        app: Flask, make: Factory, session: Session) -> None:
    proposal_id, document_id, _digest, _path, _sme = _own_file(make)
    earlier = next(d.supersedes_id for d in proposal_documents(session, proposal_id)
                   if d.id == document_id)
    tamper(session, "DELETE FROM documents WHERE id = :d",
           "UPDATE documents SET is_current = true WHERE id = :e", d=document_id, e=earlier)
    code, report = verify(app)
    assert code == 1
    messages = {p["message"] for p in report["problems"] if p["proposal_id"] == proposal_id}
    seq = _upload_seq(session, proposal_id, document_id)
    assert f"the upload entry (seq {seq}) of document {document_id} has no document row" in (
        messages)


def test_simultaneous_uploads_of_one_kind_leave_one_current_document(
        app: Flask, make: Factory, session: Session) -> None:
    """Each upload wins (201, superseding the one before) or loses the race (409); never two
    current documents of a kind, and the history still verifies."""
    from collections import Counter
    from concurrent.futures import ThreadPoolExecutor

    from ..documents_helpers import multipart

    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT)
    token = make.token(cast[Role.SME])

    def attempt(i: int) -> int:
        body, content_type = multipart({"kind": "technical_project"},
                                       sample_pdf("Proyecto", str(i)), f"proyecto-{i}.pdf")
        with app.test_client() as client:
            return client.post(f"/api/v1/proposals/{proposal.id}/documents", data=body,
                               content_type=content_type,
                               headers={"Authorization": f"Bearer {token}"}).status_code

    with ThreadPoolExecutor(4) as pool:
        statuses = Counter(pool.map(attempt, range(4)))
    assert set(statuses) <= {201, 409} and statuses[201] >= 1
    session.expire_all()
    rows = proposal_documents(session, proposal.id)
    assert len(rows) == statuses[201]
    assert sum(1 for d in rows if d.is_current) == 1
    assert verify(app)[0] == 0
