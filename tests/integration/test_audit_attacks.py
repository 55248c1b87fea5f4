"""Each attack on the history, done with raw SQL by someone who can write to the database but
does not hold the audit key, is named by ``audit verify`` for the proposal it touched."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session

from promtel_fin.domain.history import canonical_json, entry_content, entry_hash, sha256_of
from promtel_fin.domain.workflow import State
from promtel_fin.models import HistoryEntry, Proposal, Revision
from promtel_fin.services.workflow import terms_digest

from ..audit_helpers import checks, tamper, verify
from ..factories import Factory

CHILDREN = ("localities", "social_sites", "guarantees", "cash_flows", "signatures", "revisions",
            "messages", "notifications", "documents", "history_entries")


def _entries(session: Session, proposal_id: int) -> list[HistoryEntry]:
    return list(session.scalars(select(HistoryEntry).where(
        HistoryEntry.proposal_id == proposal_id).order_by(HistoryEntry.seq)))


def test_an_untouched_history_verifies_in_text_and_json(app: Flask, make: Factory) -> None:
    make.proposal(at=State.SIGNED)
    make.proposal(at=State.REJECTED)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    # 13 + (create, 2, reject), and each proposal's nine documents uploaded and accepted
    assert result.output == "ok: 53 entries, 2 proposals verified\n"
    code, report = verify(app)
    assert (code, report) == (0, {"ok": True, "entries": 53, "proposals": 2, "problems": []})


def test_a_broken_history_exits_1_and_names_the_proposal_in_text_and_json(
        app: Flask, make: Factory, session: Session) -> None:
    proposal = make.proposal(at=State.UPDATE)
    tamper(session, "UPDATE history_entries SET comment = 'todo bien' WHERE proposal_id = :p "
           "AND seq = 2", p=proposal.id)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN proposal {proposal.id}: mac: the entry's content does not match its MAC" \
        in result.stderr
    code, report = verify(app)
    assert code == 1 and report["ok"] is False
    assert {"proposal_id": proposal.id, "check": "mac", "seq": 2, "gseq": 2,
            "message": "the entry's content does not match its MAC"} in report["problems"]


def test_deleting_the_last_entries_of_a_proposal_is_reported_by_its_head(
        app: Flask, make: Factory, session: Session) -> None:
    signed = make.proposal(at=State.SIGNED)
    make.proposal(at=State.UPDATE)  # the log goes on after the cut
    tamper(session, "DELETE FROM history_entries WHERE proposal_id = :p AND seq > 10",
           p=signed.id)
    code, report = verify(app)
    assert code == 1
    assert {"head", "state", "version", "signature"} <= checks(report, signed.id)


def test_cutting_the_tail_of_the_whole_log_is_reported_by_the_heads(
        app: Flask, make: Factory, session: Session) -> None:
    make.proposal(at=State.SIGNED)
    last = make.proposal(at=State.UPDATE)
    tamper(session, "DELETE FROM history_entries WHERE proposal_id = :p AND seq > 2",
           "DELETE FROM revisions WHERE proposal_id = :p",
           "DELETE FROM documents WHERE proposal_id = :p",
           "UPDATE proposals SET state = 'proposal', version = 2 WHERE id = :p", p=last.id)
    code, report = verify(app)
    assert code == 1
    assert checks(report, last.id) == {"head"}
    assert checks(report, None) == {"head"}  # the global head counts every entry


def test_deleting_all_entries_of_a_proposal_is_reported(
        app: Flask, make: Factory, session: Session) -> None:
    proposal = make.proposal(at=State.PROMTEL_FEEDBACK)
    make.proposal(at=State.CONTACT)
    tamper(session, "DELETE FROM history_entries WHERE proposal_id = :p",
           "DELETE FROM history_heads WHERE stream = :s", p=proposal.id,
           s=f"proposal:{proposal.id}")
    code, report = verify(app)
    assert code == 1
    assert "history" in checks(report, proposal.id)
    assert {"gseq", "head"} <= checks(report, None)


@pytest.mark.parametrize("with_head", [False, True])
def test_deleting_a_whole_proposal_with_its_rows_is_reported(
        app: Flask, make: Factory, session: Session, with_head: bool) -> None:
    make.proposal(at=State.SIGNED)
    gone = make.proposal(at=State.SIGNED).id  # the last one: no gap in the global sequence
    statements = [f"DELETE FROM {table} WHERE proposal_id = :p" for table in CHILDREN]
    if with_head:
        statements.append("DELETE FROM history_heads WHERE stream = :s")
    tamper(session, *statements, "DELETE FROM proposals WHERE id = :p", p=gone,
           s=f"proposal:{gone}")
    code, report = verify(app)
    assert code == 1
    assert "head" in checks(report, None)
    if not with_head:
        assert checks(report, gone) == {"head"}


def _recompute(session: Session, proposal_id: int, seal: Any) -> None:
    """Edit entry 4's comment and re-link the rest of the chain with ``seal``."""
    previous = None
    for entry in _entries(session, proposal_id):
        fields = entry.hashed_fields()
        if entry.seq == 4:
            fields["comment"] = "todo en orden"
        if previous is not None:
            fields["prev_hash"] = previous
        if entry.seq >= 4:
            fields["hash"] = seal(fields)
            tamper(session, update(HistoryEntry).where(HistoryEntry.id == entry.id).values(
                comment=fields["comment"], prev_hash=fields["prev_hash"], hash=fields["hash"]))
            previous = fields["hash"]


def _plain_sha256(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(entry_content(fields)).encode()).hexdigest()


@pytest.mark.parametrize("seal", [entry_hash, _plain_sha256], ids=["old form", "same input"])
def test_an_edit_with_the_chain_recomputed_in_plain_sha256_is_reported(
        app: Flask, make: Factory, session: Session, seal: Any) -> None:
    proposal = make.proposal(at=State.AGREEMENT)
    _recompute(session, proposal.id, seal)
    code, report = verify(app)
    assert code == 1
    assert "mac" in checks(report, proposal.id)


def test_an_edit_with_the_chain_and_heads_resealed_under_a_wrong_key_is_reported(
        app: Flask, make: Factory, session: Session) -> None:
    proposal = make.proposal(at=State.AGREEMENT)
    wrong = b"a key the attacker made up, long enough"

    def seal(fields: dict[str, Any]) -> str:
        content = canonical_json(entry_content(fields))
        return hmac.new(wrong, content.encode(), hashlib.sha256).hexdigest()

    _recompute(session, proposal.id, seal)
    last = _entries(session, proposal.id)[-1]
    tamper(session, "UPDATE history_heads SET last_hash = :h, mac = :m WHERE stream IN (:s, "
           "'global')", h=last.hash, m="0" * 64, s=f"proposal:{proposal.id}")
    code, report = verify(app)
    assert code == 1
    assert {"mac", "head"} <= checks(report, proposal.id)


def test_an_entry_sealed_under_an_unknown_key_id_is_named(
        app: Flask, make: Factory, session: Session) -> None:
    proposal = make.proposal(at=State.CONTACT)
    tamper(session, "UPDATE history_entries SET key_id = 'feedfacefeedface' WHERE "
           "proposal_id = :p", p=proposal.id)
    code, report = verify(app)
    assert code == 1
    assert any("unknown key id feedfacefeedface" in p["message"] for p in report["problems"])


@pytest.mark.parametrize(("statement", "check"), [
    ("UPDATE proposals SET state = 'contact' WHERE id = :p", "state"),
    ("UPDATE proposals SET version = version + 1 WHERE id = :p", "version"),
    ("UPDATE proposals SET terms_sha256 = :fake WHERE id = :p", "terms"),
])
def test_changing_a_proposal_row_behind_the_history_is_reported(
        app: Flask, make: Factory, session: Session, statement: str, check: str) -> None:
    proposal = make.proposal(at=State.AGREEMENT)
    tamper(session, statement, p=proposal.id, fake="f" * 64)
    code, report = verify(app)
    assert code == 1
    assert checks(report, proposal.id) == {check}


@pytest.mark.parametrize("rehash", [False, True])
def test_changing_the_approved_terms_is_reported_even_with_their_digest_recomputed(
        app: Flask, make: Factory, session: Session, rehash: bool) -> None:
    proposal = make.proposal(at=State.AGREEMENT)
    terms = {**proposal.approved_terms, "amount": "9000000.00"}
    values: dict[str, Any] = {"approved_terms": terms}
    if rehash:
        values["terms_sha256"] = terms_digest(proposal.id, terms)
    tamper(session, update(Proposal).where(Proposal.id == proposal.id).values(**values))
    code, report = verify(app)
    assert code == 1
    assert checks(report, proposal.id) == {"terms"}


def test_approved_terms_without_an_approve_entry_are_reported(
        app: Flask, make: Factory, session: Session) -> None:
    proposal = make.proposal(at=State.PROMTEL_OPINION)
    terms = {"amount": "1.00"}
    tamper(session, update(Proposal).where(Proposal.id == proposal.id).values(
        approved_terms=terms, terms_sha256=terms_digest(proposal.id, terms)))
    code, report = verify(app)
    assert code == 1
    assert checks(report, proposal.id) == {"terms"}


@pytest.mark.parametrize("with_digest", [False, True])
def test_editing_a_stored_revision_document_is_reported(
        app: Flask, make: Factory, session: Session, with_digest: bool) -> None:
    proposal = make.proposal(at=State.PROMTEL_VERIFICATION)
    revision = session.scalars(select(Revision).where(Revision.proposal_id == proposal.id,
                                                      Revision.number == 2)).one()
    document = {**revision.document, "requested_amount": "9900000.00"}
    values: dict[str, Any] = {"document": document}
    if with_digest:
        values["document_sha256"] = sha256_of(document)
    tamper(session, update(Revision).where(Revision.id == revision.id).values(**values))
    code, report = verify(app)
    assert code == 1
    assert checks(report, proposal.id) == {"revision"}
    assert any("revision 2" in p["message"] and "submitting entry" in p["message"]
               for p in report["problems"])


def test_a_deleted_or_added_signature_is_reported(
        app: Flask, make: Factory, session: Session) -> None:
    signed = make.proposal(at=State.SIGNED)
    pending = make.proposal(at=State.AGREEMENT)
    tamper(session, "DELETE FROM signatures WHERE proposal_id = :p AND party = 'focir'",
           "INSERT INTO signatures (proposal_id, party, user_id, terms_sha256, signed_at) "
           "SELECT id, 'sme', created_by_id, terms_sha256, updated_at FROM proposals "
           "WHERE id = :q", p=signed.id, q=pending.id)
    code, report = verify(app)
    assert code == 1
    assert checks(report, signed.id) == {"signature"}
    assert checks(report, pending.id) == {"signature"}


def _checkpoint(app: Flask, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    result = app.test_cli_runner().invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0, result.output
    saved = json.loads(result.stdout)
    path = tmp_path / "checkpoint.json"
    path.write_text(result.stdout)
    return path, saved


def test_a_log_that_grew_still_extends_its_checkpoint(
        app: Flask, make: Factory, tmp_path: Path) -> None:
    make.proposal(at=State.UPDATE)
    path, saved = _checkpoint(app, tmp_path)
    # create, acknowledge, 9 uploads, submit, 9 acceptances, feedback
    assert set(saved) == {"count", "last_hash", "time", "key_id", "mac"} and saved["count"] == 22
    make.proposal(at=State.PROPOSAL)   # create, acknowledge, 9 uploads
    assert verify(app, "--against", str(path)) == (0, {
        "ok": True, "entries": 33, "proposals": 2, "problems": []})


@pytest.mark.parametrize("attack", ["truncate", "rewrite", "forge"])
def test_a_truncated_or_rewritten_log_or_a_forged_checkpoint_fails_against_it(
        app: Flask, make: Factory, session: Session, tmp_path: Path, attack: str) -> None:
    make.proposal(at=State.UPDATE)
    path, saved = _checkpoint(app, tmp_path)
    if attack == "truncate":
        tamper(session, "DELETE FROM history_entries WHERE gseq >= :n", n=saved["count"] - 1)
    elif attack == "rewrite":
        tamper(session, "UPDATE history_entries SET hash = :h WHERE gseq = :n", h="e" * 64,
               n=saved["count"])
    else:  # claim the checkpoint was taken at another time
        path.write_text(json.dumps({**saved, "time": "2000-01-01T00:00:00.000000Z"}))
    code, report = verify(app, "--against", str(path))
    assert code == 1
    assert "checkpoint" in checks(report, None)


def test_a_deleted_head_is_reported(app: Flask, make: Factory, session: Session) -> None:
    proposal = make.proposal(at=State.UPDATE)
    tamper(session, "DELETE FROM history_heads WHERE stream = :s", s=f"proposal:{proposal.id}")
    code, report = verify(app)
    assert code == 1
    assert checks(report, proposal.id) == {"head"}
    assert any("its head is missing" in p["message"] for p in report["problems"])


def test_a_deleted_proposal_row_whose_history_remains_is_reported(
        app: Flask, make: Factory, session: Session, engine: Engine) -> None:
    proposal = make.proposal(at=State.CONTACT, localities=[], social_sites=[], guarantees=[],
                             cash_flows=[]).id
    if engine.dialect.name == "postgresql":
        tamper(session, "DELETE FROM proposals WHERE id = :p", p=proposal)
    else:  # the attacker turns the foreign keys off first
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.execute(text("DELETE FROM proposals WHERE id = :p"), {"p": proposal})
            conn.commit()
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    code, report = verify(app)
    assert code == 1
    assert checks(report, proposal) == {"proposal"}
