"""Move chains written under the old plain SHA-256 to the keyed form, once, in one transaction.

The old chains are checked first with the old algorithm (and the revisions against their stored
digests); if anything is broken nothing changes. Then every entry is sealed again in global
order, re-linked, given what the old form lacked (``proposal_version``, ``gprev_hash``,
``revision_sha256``), the heads are rebuilt and a ``reseal`` system entry records the counts.
On PostgreSQL the append-only trigger on ``history_entries`` is disabled for the length of the
transaction, which only the table's owner may do.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from ..domain.history import (
    GENESIS,
    GLOBAL_STREAM,
    Keyring,
    entry_mac,
    first_broken,
    sha256_of,
    stream_of,
)
from ..models import HistoryEntry, Revision, utcnow
from ..models.history import HistoryHead
from .audit import ENTRY_COLUMNS, Problem
from .history import append_system, seal_head

PAGE = 1000


@dataclass(frozen=True)
class Resealed:
    """What a reseal did: entries sealed anew (of them, previously unsealed) and streams."""

    entries: int
    unsealed: int
    streams: int


def _old_chain_problems(session: Session, keys: Keyring) -> list[Problem]:
    problems = []
    rows = session.execute(select(*ENTRY_COLUMNS)
                           .order_by(HistoryEntry.proposal_id, HistoryEntry.seq)
                           .execution_options(yield_per=PAGE)).mappings()
    for pid, entries in groupby(rows, key=lambda e: e["proposal_id"]):
        broken = first_broken(list(entries), keys)
        if broken:
            problems.append(Problem(pid, "chain", f"entry seq {broken[0]}: {broken[1]}",
                                    broken[0]))
    revisions = session.execute(select(Revision.proposal_id, Revision.number, Revision.document,
                                       Revision.document_sha256)
                                .execution_options(yield_per=PAGE))
    for pid, number, document, digest in revisions:
        if sha256_of(document) != digest:
            problems.append(Problem(pid, "revision", f"revision {number}'s document does not "
                                    "hash to its stored document_sha256"))
    return problems


def _digest(session: Session, proposal_id: int, number: int) -> str | None:
    return session.scalar(select(Revision.document_sha256).where(
        Revision.proposal_id == proposal_id, Revision.number == number))


# Entries that leave the proposal's row, and so its version, as it was.
UNVERSIONED = frozenset({"document_uploaded", "document_superseded", "document_accepted",
                         "document_rejected"})


def _resealed(session: Session, keys: Keyring, entry: dict[str, Any],
              tails: dict[str, tuple[int, str]], gprev: str,
              versions: dict[str, int] | None = None) -> dict[str, Any]:
    stream = stream_of(entry["proposal_id"])
    versions = {} if versions is None else versions
    if entry["action"] not in UNVERSIONED:
        versions[stream] = versions.get(stream, 0) + 1
    payload = dict(entry["payload"] or {})
    if "revision" in payload and "revision_sha256" not in payload:
        payload["revision_sha256"] = _digest(session, entry["proposal_id"], payload["revision"])
    entry.update(
        payload=payload, prev_hash=tails.get(stream, (0, GENESIS))[1], gprev_hash=gprev,
        key_id=keys.current_id,
        # Each action and edit bumps the version by one and writes one entry; the documents'
        # entries leave it as it was.
        proposal_version=(entry["proposal_version"] or versions[stream])
        if entry["proposal_id"] is not None else None,
    )
    entry["hash"] = entry_mac(keys, entry)
    tails[stream] = (entry["seq"], entry["hash"])
    return entry


def reseal(session: Session, keys: Keyring) -> Resealed | list[Problem]:
    """Seal every chain under the current key; answer the problems instead if any is broken."""
    unsealed = session.scalar(select(HistoryEntry.id).where(HistoryEntry.key_id.is_(None))
                              .limit(1))
    if unsealed is None:
        return Resealed(0, 0, 0)
    problems = _old_chain_problems(session, keys)
    if problems:
        return problems
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        session.execute(text("ALTER TABLE history_entries "
                             "DISABLE TRIGGER history_entries_append_only"))
    tails: dict[str, tuple[int, str]] = {}
    versions: dict[str, int] = {}
    gprev, last_gseq, total, was_unsealed = GENESIS, 0, 0, 0
    while True:
        page = [dict(e) for e in session.execute(
            select(*ENTRY_COLUMNS).where(HistoryEntry.gseq > last_gseq)
            .order_by(HistoryEntry.gseq).limit(PAGE)).mappings()]
        if not page:
            break
        was_unsealed += sum(1 for e in page if e["key_id"] is None)
        rows = []
        for entry in page:
            rows.append(_resealed(session, keys, entry, tails, gprev, versions))
            gprev = entry["hash"]
        session.execute(update(HistoryEntry), [
            {k: e[k] for k in ("id", "payload", "prev_hash", "gprev_hash", "key_id",
                               "proposal_version", "hash")} for e in rows])
        total += len(page)
        last_gseq = page[-1]["gseq"]
    session.execute(delete(HistoryHead))
    now = utcnow()
    heads = [HistoryHead(stream=s, count=c, last_hash=h, updated_at=now)
             for s, (c, h) in [*tails.items(), (GLOBAL_STREAM, (last_gseq, gprev))]]
    for head in heads:
        seal_head(keys, head)
    session.add_all(heads)
    session.flush()
    append_system(session, "reseal", payload={
        "entries": total, "unsealed": was_unsealed, "streams": len(tails), "key_id":
        keys.current_id})
    session.flush()
    if postgres:
        session.execute(text("ALTER TABLE history_entries "
                             "ENABLE TRIGGER history_entries_append_only"))
    session.commit()
    return Resealed(total, was_unsealed, len(tails))
