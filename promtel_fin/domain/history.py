"""Tamper-evident history: each entry's SHA-256 covers its content and the previous hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64
HASHED_FIELDS = (
    "proposal_id", "seq", "actor_id", "actor_role", "action", "from_state", "to_state",
    "comment", "payload", "revision_number", "created_at", "prev_hash",
)


def utc_iso(moment: datetime) -> str:
    """Write a moment as UTC ISO-8601 with microseconds; naive moments are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return utc_iso(value)
    raise TypeError(f"cannot hash a {type(value).__name__}")


def canonical_json(data: Any) -> str:
    """Serialize to one canonical JSON text (sorted keys, no spaces), for hashing."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_default)


def entry_hash(entry: Mapping[str, Any]) -> str:
    """Compute the SHA-256 of an entry's hashed fields (which include the previous hash)."""
    content = {name: entry[name] for name in HASHED_FIELDS}
    content["created_at"] = utc_iso(content["created_at"])
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


def first_broken(entries: Iterable[Mapping[str, Any]]) -> tuple[int, str] | None:
    """Find the first entry (seq, why) whose hash or link does not verify, or None if all do."""
    previous = GENESIS
    expected_seq = 1
    for entry in entries:
        if entry["seq"] != expected_seq:
            return entry["seq"], f"sequence jumps from {expected_seq - 1} to {entry['seq']}"
        if entry["prev_hash"] != previous:
            return entry["seq"], "its link to the previous entry is broken"
        if entry_hash(entry) != entry["hash"]:
            return entry["seq"], "its content does not match its hash"
        previous = entry["hash"]
        expected_seq += 1
    return None
