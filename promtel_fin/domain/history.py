"""Tamper-evident history: a keyed hash chain per stream and one global chain across them.

Each entry's MAC (HMAC-SHA-256 under the audit key) covers its content, its place in its own
stream (``seq``, ``prev_hash``) and in the global log (``gseq``, ``gprev_hash``), and the id of
the key. A head per stream, and one for the whole log, records the count and the last MAC under
its own MAC, so that cutting a tail or removing a stream shows. Someone who can write to the
database but does not hold the key can neither forge an entry nor re-link a chain.

Chains written before keys existed used a plain SHA-256 (``entry_hash``); they are checked with
``first_broken`` and moved to the keyed form once (``flask --app wsgi audit reseal``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64
GLOBAL_STREAM = "global"
SYSTEM_STREAM = "system"
HASHED_FIELDS = (
    "proposal_id", "seq", "actor_id", "actor_role", "action", "from_state", "to_state",
    "comment", "payload", "revision_number", "created_at", "prev_hash",
)
MAC_FIELDS = (*HASHED_FIELDS, "gseq", "gprev_hash", "proposal_version", "key_id")
KEY_ID_LABEL = b"promtel_fin audit key id\x00"


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


def sha256_of(data: Any) -> str:
    """Compute the SHA-256 of data's canonical JSON."""
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


def stream_of(proposal_id: int | None) -> str:
    """Name the stream an entry belongs to: its proposal's, or the system's."""
    return SYSTEM_STREAM if proposal_id is None else f"proposal:{proposal_id}"


def key_id(key: str) -> str:
    """Give the public id of a key: 16 hex digits of a labelled SHA-256, revealing nothing."""
    return hashlib.sha256(KEY_ID_LABEL + key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Keyring:
    """The current audit key, which seals, and older keys, which only verify."""

    current: str
    previous: tuple[str, ...] = ()
    _by_id: dict[str, bytes] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.current:
            raise ValueError("the audit key is empty")
        keys = {key_id(k): k.encode() for k in (*self.previous, self.current) if k}
        object.__setattr__(self, "_by_id", keys)

    @classmethod
    def from_settings(cls, current: str, previous: str | Iterable[str] = "") -> Keyring:
        """Build a keyring from the settings (previous keys comma-separated, or a list)."""
        if isinstance(previous, str):
            previous = previous.split(",")
        return cls(current, tuple(k.strip() for k in previous if k.strip()))

    @property
    def current_id(self) -> str:
        """Give the id of the key that seals new entries."""
        return key_id(self.current)

    def knows(self, kid: str | None) -> bool:
        """Tell whether a key with this id is in the keyring."""
        return kid in self._by_id

    def mac(self, data: Mapping[str, Any], kid: str | None = None) -> str:
        """Compute the HMAC-SHA-256 of data's canonical JSON under a key (the current one)."""
        key = self._by_id[kid or self.current_id]
        return hmac.new(key, canonical_json(data).encode(), hashlib.sha256).hexdigest()

    def check(self, data: Mapping[str, Any], kid: str | None, mac: str) -> bool | None:
        """Tell whether the MAC is right; None when the key id is unknown."""
        if not self.knows(kid):
            return None
        return hmac.compare_digest(self.mac(data, kid), mac or "")


def entry_content(entry: Mapping[str, Any]) -> dict[str, Any]:
    """Give what an entry's MAC covers: every field but the row id and the MAC itself."""
    content = {name: entry.get(name) for name in MAC_FIELDS}
    content["created_at"] = utc_iso(content["created_at"])
    content["kind"] = "entry"
    return content


def entry_mac(keys: Keyring, entry: Mapping[str, Any]) -> str:
    """Seal an entry under the key named by its ``key_id``."""
    return keys.mac(entry_content(entry), entry["key_id"])


def head_content(stream: str, count: int, last_hash: str, kid: str,
                 moment: datetime) -> dict[str, Any]:
    """Give what a stream head's MAC covers."""
    return {"kind": "head", "stream": stream, "count": count, "last_hash": last_hash,
            "key_id": kid, "updated_at": utc_iso(moment)}


def checkpoint_content(count: int, last_hash: str, moment: str, kid: str) -> dict[str, Any]:
    """Give what a checkpoint's MAC covers (``moment`` as written in the checkpoint)."""
    return {"kind": "checkpoint", "count": count, "last_hash": last_hash, "time": moment,
            "key_id": kid}


def make_checkpoint(keys: Keyring, count: int, last_hash: str,
                    moment: datetime) -> dict[str, Any]:
    """Seal a checkpoint of the whole log: its entry count and last MAC, at a moment."""
    content = checkpoint_content(count, last_hash, utc_iso(moment), keys.current_id)
    return {"count": count, "last_hash": last_hash, "time": content["time"],
            "key_id": content["key_id"], "mac": keys.mac(content)}


def checkpoint_problem(keys: Keyring, checkpoint: Mapping[str, Any]) -> str | None:
    """Say what is wrong with a checkpoint's own seal, or None when it holds."""
    try:
        content = checkpoint_content(int(checkpoint["count"]), str(checkpoint["last_hash"]),
                                     str(checkpoint["time"]), str(checkpoint["key_id"]))
    except (KeyError, TypeError, ValueError):
        return "the checkpoint is not one this command wrote"
    verdict = keys.check(content, content["key_id"], str(checkpoint.get("mac", "")))
    if verdict is None:
        return f"the checkpoint is sealed under an unknown key id {content['key_id']}"
    return None if verdict else "the checkpoint's MAC does not match its content"


def entry_hash(entry: Mapping[str, Any]) -> str:
    """Compute the old, unkeyed SHA-256 of an entry (chains written before ``reseal``)."""
    content = {name: entry[name] for name in HASHED_FIELDS}
    content["created_at"] = utc_iso(content["created_at"])
    return sha256_of(content)


def first_broken(entries: Iterable[Mapping[str, Any]],
                 keys: Keyring | None = None) -> tuple[int, str] | None:
    """Find the first entry (seq, why) whose seal or link does not verify, or None if all do.

    Entries without a ``key_id`` are checked with the old plain SHA-256; sealed entries need
    ``keys``.
    """
    previous = GENESIS
    expected_seq = 1
    for entry in entries:
        if entry["seq"] != expected_seq:
            return entry["seq"], f"sequence jumps from {expected_seq - 1} to {entry['seq']}"
        if entry["prev_hash"] != previous:
            return entry["seq"], "its link to the previous entry is broken"
        if entry.get("key_id") is None:
            intact = entry_hash(entry) == entry["hash"]
        else:
            intact = bool(keys and keys.check(entry_content(entry), entry["key_id"],
                                              entry["hash"]))
        if not intact:
            return entry["seq"], "its content does not match its hash"
        previous = entry["hash"]
        expected_seq += 1
    return None
