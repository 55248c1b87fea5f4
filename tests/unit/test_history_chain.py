"""The hash chain, plain and keyed: any change to a stored entry, or to its order, is detected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from promtel_fin.domain.history import (
    GENESIS,
    Keyring,
    checkpoint_problem,
    entry_content,
    entry_hash,
    entry_mac,
    first_broken,
    key_id,
    make_checkpoint,
    utc_iso,
)


def _chain(n: int) -> list[dict[str, Any]]:
    entries, previous = [], GENESIS
    start = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    for seq in range(1, n + 1):
        entry = {"proposal_id": 7, "seq": seq, "actor_id": 3, "actor_role": "promtel",
                 "action": f"step{seq}", "from_state": "a", "to_state": "b",
                 "comment": "ñandú", "payload": {"amount": "10.00"}, "revision_number": None,
                 "created_at": start + timedelta(minutes=seq), "prev_hash": previous}
        entry["hash"] = entry_hash(entry)
        previous = entry["hash"]
        entries.append(entry)
    return entries


def test_an_untouched_chain_verifies() -> None:
    assert first_broken(_chain(5)) is None


@pytest.mark.parametrize(("field", "value"), [
    ("comment", "edited"), ("actor_id", 4), ("to_state", "signed"),
    ("payload", {"amount": "11.00"}), ("created_at", datetime(2026, 1, 5, tzinfo=UTC)),
])
def test_altering_any_hashed_field_breaks_the_chain_at_that_entry(field: str, value: Any) -> None:
    chain = _chain(5)
    chain[2][field] = value
    assert first_broken(chain) == (3, "its content does not match its hash")


def test_rehashing_an_altered_entry_still_breaks_the_next_link() -> None:
    chain = _chain(5)
    chain[1]["comment"] = "rewritten"
    chain[1]["hash"] = entry_hash(chain[1])
    assert first_broken(chain) == (3, "its link to the previous entry is broken")


def test_a_deleted_entry_is_detected() -> None:
    chain = _chain(5)
    del chain[2]
    assert first_broken(chain)[0] == 4


def test_naive_and_aware_utc_moments_hash_alike() -> None:
    aware = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)
    assert utc_iso(aware) == utc_iso(aware.replace(tzinfo=None)) == "2026-03-01T08:30:15.123456Z"


KEYS = Keyring.from_settings("k" * 40)


def _sealed(n: int, keys: Keyring = KEYS) -> list[dict[str, Any]]:
    entries, previous = [], GENESIS
    for entry in _chain(n):
        entry.update(prev_hash=previous, gseq=entry["seq"] + 10, gprev_hash="a" * 64,
                     proposal_version=entry["seq"], key_id=keys.current_id)
        entry["hash"] = entry_mac(keys, entry)
        previous = entry["hash"]
        entries.append(entry)
    return entries


def test_a_sealed_chain_verifies_only_with_its_key() -> None:
    chain = _sealed(4)
    assert first_broken(chain, KEYS) is None
    assert first_broken(chain, Keyring.from_settings("other" * 8)) == (
        1, "its content does not match its hash")


@pytest.mark.parametrize("field", ["gseq", "gprev_hash", "proposal_version", "key_id"])
def test_the_mac_covers_the_global_place_the_version_and_the_key_id(field: str) -> None:
    entry = _sealed(1)[0]
    assert KEYS.check(entry_content(entry), entry["key_id"], entry["hash"]) is True
    entry[field] = "changed"
    assert KEYS.check(entry_content(entry), KEYS.current_id, entry["hash"]) is False


def test_a_chain_recomputed_in_plain_sha256_does_not_verify_as_sealed() -> None:
    chain = _sealed(3)
    chain[1]["comment"] = "rewritten"
    chain[1]["hash"] = entry_hash(chain[1])
    chain[2]["prev_hash"] = chain[1]["hash"]
    assert first_broken(chain, KEYS) == (2, "its content does not match its hash")


def test_previous_keys_verify_but_only_the_current_key_seals() -> None:
    old = Keyring.from_settings("o" * 40)
    rotated = Keyring.from_settings("n" * 40, f"{'x' * 40}, {'o' * 40}")
    entry = _sealed(1, old)[0]
    assert rotated.check(entry_content(entry), entry["key_id"], entry["hash"]) is True
    assert rotated.current_id == key_id("n" * 40) != entry["key_id"]
    assert Keyring("n" * 40).check(entry_content(entry), entry["key_id"], entry["hash"]) is None


def test_a_checkpoint_is_sealed_and_any_edit_to_it_shows() -> None:
    checkpoint = make_checkpoint(KEYS, 12, "c" * 64, datetime(2026, 5, 1, tzinfo=UTC))
    assert checkpoint["time"] == "2026-05-01T00:00:00.000000Z"
    assert checkpoint_problem(KEYS, checkpoint) is None
    assert checkpoint_problem(KEYS, {**checkpoint, "count": 11}) == (
        "the checkpoint's MAC does not match its content")
    assert "unknown key id" in checkpoint_problem(Keyring("z" * 40), checkpoint)
    assert checkpoint_problem(KEYS, {"count": "x"}) == (
        "the checkpoint is not one this command wrote")
