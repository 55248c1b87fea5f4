"""Play the attacker with write access to the database, and read what ``audit verify`` says."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from sqlalchemy import Executable, select, text, update
from sqlalchemy.orm import Session

from promtel_fin.domain.history import GENESIS, entry_hash
from promtel_fin.models import HistoryEntry

LATER_PAYLOAD = frozenset({"revision_sha256", "certificate_number", "rfc", "certificate_sha256",
                           "signature_sha256", "cadena_sha256"})


def tamper(session: Session, *statements: str | Executable, **params: Any) -> None:
    """Run raw SQL and commit; on PostgreSQL first get past the triggers as a superuser can."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL session_replication_role = replica"))
    for statement in statements:
        session.execute(text(statement) if isinstance(statement, str) else statement, params)
    session.commit()
    session.expire_all()


def verify(app: Flask, *args: str) -> tuple[int, dict[str, Any]]:
    """Run ``audit verify --json``; answer its exit code and report."""
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--json", *args])
    return result.exit_code, json.loads(result.stdout)


def checks(report: dict[str, Any], proposal_id: int | None) -> set[str]:
    """Give the names of the checks that failed for one proposal (None: the whole log)."""
    return {p["check"] for p in report["problems"] if p["proposal_id"] == proposal_id}


def make_legacy(session: Session) -> None:
    """Turn every entry back into the pre-keyed form: plain SHA-256 chains, no heads."""
    entries = session.scalars(select(HistoryEntry).order_by(HistoryEntry.proposal_id,
                                                             HistoryEntry.seq)).all()
    previous: dict[int | None, str] = {}
    rows = []
    for entry in entries:
        fields = entry.hashed_fields()
        fields["prev_hash"] = previous.get(entry.proposal_id, GENESIS)
        # What entries carried before: no revision digest (0003), no e.firma (0008).
        payload = {k: v for k, v in entry.payload.items() if k not in LATER_PAYLOAD}
        fields["payload"] = payload
        fields["hash"] = entry_hash(fields)
        previous[entry.proposal_id] = fields["hash"]
        rows.append({"id": entry.id, "prev_hash": fields["prev_hash"], "hash": fields["hash"],
                     "payload": payload, "key_id": None, "gprev_hash": None,
                     "proposal_version": None})
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL session_replication_role = replica"))
    session.execute(text("DELETE FROM history_heads"))
    # Signatures then were a digest of the terms only, without an e.firma.
    session.execute(text("UPDATE signatures SET certificate = NULL, certificate_number = NULL, "
                         "signer_name = NULL, rfc = NULL, curp = NULL, signature = NULL, "
                         "cadena_original = NULL, cadena_sha256 = NULL"))
    for row in rows:
        session.execute(update(HistoryEntry.__table__)
                        .where(HistoryEntry.__table__.c.id == row.pop("id")).values(**row))
    session.commit()
    session.expire_all()
