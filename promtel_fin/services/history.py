"""Append entries to the keyed history, inside the caller's transaction.

Lock order, the same for every writer so that none deadlocks: the proposal's row (the caller's
versioned UPDATE or INSERT, already flushed), then its stream's head, then the global head last.
The global head's row lock serialises appenders on PostgreSQL; SQLite serialises writers anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from ..domain.history import (
    GENESIS,
    GLOBAL_STREAM,
    SYSTEM_STREAM,
    Keyring,
    entry_mac,
    head_content,
    stream_of,
)
from ..models import HistoryEntry, Proposal, User, utcnow
from ..models.history import HistoryHead

SYSTEM_ROLE = "system"


class HistoryTampered(RuntimeError):
    """A head that should seal the history does not verify: refuse to extend it."""


def keyring(config: Mapping[str, Any] | None = None) -> Keyring:
    """Give the audit keys from this configuration, the app's, or (outside one) the environment."""
    if config is None:
        if has_app_context():
            config = current_app.config
        else:
            from config import Config

            config = {"AUDIT_KEY": Config.AUDIT_KEY,
                      "AUDIT_PREVIOUS_KEYS": Config.AUDIT_PREVIOUS_KEYS}
    return Keyring.from_settings(config["AUDIT_KEY"], config.get("AUDIT_PREVIOUS_KEYS") or "")


def seal_head(keys: Keyring, head: HistoryHead) -> None:
    """Write a head's key id and MAC for its current count and last hash."""
    head.key_id = keys.current_id
    head.mac = keys.mac(head_content(head.stream, head.count, head.last_hash, head.key_id,
                                     head.updated_at))


def head_problem(keys: Keyring, head: HistoryHead) -> str | None:
    """Say what is wrong with a head's seal, or None when it holds."""
    verdict = keys.check(head_content(head.stream, head.count, head.last_hash, head.key_id,
                                      head.updated_at), head.key_id, head.mac)
    if verdict is None:
        return f"its head is sealed under an unknown key id {head.key_id}"
    return None if verdict else "its head's MAC does not match its count and last hash"


def _locked_heads(session: Session, keys: Keyring,
                  stream: str) -> tuple[HistoryHead | None, HistoryHead | None]:
    """Lock and read a stream's head, then the global head, in one statement.

    PostgreSQL locks the rows of a ``SELECT ... ORDER BY ... FOR UPDATE`` one by one in the
    order of the ORDER BY, which puts the global head last: the lock order of the module's
    docstring, with one round trip instead of two. The heads are read afresh even when this
    session already holds them, so that the chain continues from what the database has.
    """
    rows = session.scalars(
        select(HistoryHead).where(HistoryHead.stream.in_((stream, GLOBAL_STREAM)))
        .order_by(HistoryHead.stream == GLOBAL_STREAM).with_for_update()
        .execution_options(populate_existing=True)).all()
    heads = {head.stream: head for head in rows}
    for name in (stream, GLOBAL_STREAM):
        head = heads.get(name)
        if head is not None and (problem := head_problem(keys, head)):
            raise HistoryTampered(f"history stream {name}: {problem}; run audit verify")
    return heads.get(stream), heads.get(GLOBAL_STREAM)


def _tail(session: Session, head: HistoryHead | None, *where: Any,
          number: Any) -> tuple[int, str]:
    """Give the count and last hash of a stream: from its head, else from its entries."""
    if head is not None:
        return head.count, head.last_hash
    last = session.execute(select(number, HistoryEntry.hash).where(*where)
                           .order_by(number.desc()).limit(1)).first()
    return (last[0], last[1]) if last else (0, GENESIS)


def _advance(session: Session, keys: Keyring, head: HistoryHead | None, stream: str,
             count: int, last_hash: str) -> None:
    if head is None:
        head = HistoryHead(stream=stream)
        session.add(head)
    head.count, head.last_hash, head.updated_at = count, last_hash, utcnow()
    seal_head(keys, head)


def _append(session: Session, proposal_id: int | None, proposal_version: int | None,
            actor: User | None, action: str, from_state: str | None, to_state: str,
            comment: str, payload: dict[str, Any] | None,
            revision_number: int | None) -> HistoryEntry:
    keys = keyring()
    stream = stream_of(proposal_id)
    head, global_head = _locked_heads(session, keys, stream)
    in_stream = (HistoryEntry.proposal_id.is_(None) if proposal_id is None
                 else HistoryEntry.proposal_id == proposal_id)
    seq, prev_hash = _tail(session, head, in_stream, number=HistoryEntry.seq)
    gseq, gprev_hash = _tail(session, global_head, number=HistoryEntry.gseq)
    entry = HistoryEntry(
        proposal_id=proposal_id, seq=seq + 1, gseq=gseq + 1,
        actor_id=actor.id if actor else None, actor_role=actor.role if actor else SYSTEM_ROLE,
        action=action, from_state=from_state, to_state=to_state, comment=comment or "",
        payload=payload or {}, revision_number=revision_number,
        proposal_version=proposal_version, created_at=utcnow(), prev_hash=prev_hash,
        gprev_hash=gprev_hash, key_id=keys.current_id, hash="",
    )
    entry.hash = entry_mac(keys, entry.hashed_fields())
    session.add(entry)
    _advance(session, keys, head, stream, entry.seq, entry.hash)
    _advance(session, keys, global_head, GLOBAL_STREAM, entry.gseq, entry.hash)
    return entry


def append(session: Session, proposal: Proposal, actor: User, action: str,
           from_state: str | None, to_state: str, comment: str = "",
           payload: dict[str, Any] | None = None,
           revision_number: int | None = None) -> HistoryEntry:
    """Add the next entry of a proposal's chain; the caller has flushed the proposal's change."""
    return _append(session, proposal.id, proposal.version, actor, action, from_state, to_state,
                   comment, payload, revision_number)


def append_system(session: Session, action: str, actor: User | None = None, comment: str = "",
                  payload: dict[str, Any] | None = None) -> HistoryEntry:
    """Add an entry that belongs to no proposal (``system`` stream); the CLI has no actor."""
    return _append(session, None, None, actor, action, None, SYSTEM_STREAM, comment, payload,
                   None)


# Every read of a history runs this: built once, with the proposal, the cursor's seq (0 before
# the first entry) and the page's size bound at each call.
_HISTORY_PAGE = (select(HistoryEntry).options(joinedload(HistoryEntry.actor))
                 .where(HistoryEntry.proposal_id == bindparam("proposal_id"),
                        HistoryEntry.seq > bindparam("after"))
                 .order_by(HistoryEntry.seq).limit(bindparam("limit")))


def history_page(session: Session, proposal_id: int, after: int | None,
                 limit: int) -> tuple[list[HistoryEntry], int | None]:
    """Give up to ``limit`` entries of a proposal's history after ``seq`` ``after``, oldest
    first, with their actors; and the last one's seq when more follow."""
    rows = list(session.scalars(_HISTORY_PAGE, {"proposal_id": proposal_id,
                                                "after": after or 0, "limit": limit + 1}))
    return rows[:limit], rows[limit - 1].seq if len(rows) > limit else None
