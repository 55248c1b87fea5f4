"""The sealed form of the history is a contract with every database already written.

Entries, heads and checkpoints stored yesterday must verify tomorrow, so the canonical JSON,
the labels inside each MAC and the way moments are written may never change silently. These
known answers were computed once; a change to any of them breaks every stored chain.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from promtel_fin.domain.history import (
    GENESIS,
    Keyring,
    canonical_json,
    checkpoint_problem,
    entry_hash,
    entry_mac,
    head_content,
    key_id,
    make_checkpoint,
    stream_of,
    utc_iso,
)

MEXICO_CITY = timezone(timedelta(hours=-6))
KEYS = Keyring("k" * 32, ("old-key-" * 4,))
ENTRY = {"proposal_id": 7, "seq": 1, "actor_id": 3, "actor_role": "promtel", "action": "verify",
         "from_state": "a", "to_state": "b", "comment": "ñandú",
         "payload": {"amount": Decimal("10.00")}, "revision_number": None,
         "created_at": datetime(2026, 1, 5, 6, 0, tzinfo=MEXICO_CITY), "prev_hash": GENESIS,
         "gseq": 1, "gprev_hash": GENESIS, "proposal_version": 2, "key_id": KEYS.current_id}


def test_canonical_json_sorts_keys_drops_spaces_keeps_accents_and_writes_decimals_as_text() -> None:
    assert canonical_json({"b": [1, "ñ"], "a": Decimal("1.50"),
                           "t": datetime(2026, 1, 5, 12, 0)}) == (
        '{"a":"1.50","b":[1,"ñ"],"t":"2026-01-05T12:00:00.000000Z"}')
    with pytest.raises(TypeError):
        canonical_json({"x": object()})


def test_moments_are_written_in_utc_with_microseconds_naive_ones_taken_as_utc() -> None:
    assert utc_iso(datetime(2026, 1, 5, 6, 0, tzinfo=MEXICO_CITY)) == "2026-01-05T12:00:00.000000Z"
    assert utc_iso(datetime(2026, 1, 5, 12, 0, 0, 5)) == "2026-01-05T12:00:00.000005Z"


def test_key_ids_and_streams_are_named_as_stored() -> None:
    assert (KEYS.current_id, key_id("old-key-" * 4)) == ("75b31c6050aa4d6c", "bdf5d5420ee2fca4")
    assert (stream_of(7), stream_of(None)) == ("proposal:7", "system")


def test_an_entry_seals_to_the_same_mac_and_old_hash_as_ever() -> None:
    assert entry_mac(KEYS, ENTRY) == (
        "ae350b801f41fa06a3e4599c983663f60b397ff4ff190c8d8fb0ab94882a2984")
    assert entry_hash(ENTRY) == "1edc23e429e227dc6042afe357cabe95ea7b92579eb2bdf0584cff8cfcc02ff1"


def test_an_entry_sealed_under_a_previous_key_is_sealed_with_that_key() -> None:
    old = {**ENTRY, "key_id": key_id("old-key-" * 4)}
    assert entry_mac(KEYS, old) == entry_mac(Keyring("old-key-" * 4), old)
    assert entry_mac(KEYS, old) != entry_mac(KEYS, ENTRY)


def test_heads_and_checkpoints_keep_their_form() -> None:
    assert head_content("proposal:7", 2, "e" * 64, KEYS.current_id, datetime(2026, 1, 5)) == {
        "kind": "head", "stream": "proposal:7", "count": 2, "last_hash": "e" * 64,
        "key_id": "75b31c6050aa4d6c", "updated_at": "2026-01-05T00:00:00.000000Z"}
    checkpoint = make_checkpoint(KEYS, 3, "f" * 64, datetime(2026, 1, 5, 12, 0, 0, 5, tzinfo=UTC))
    assert checkpoint == {
        "count": 3, "last_hash": "f" * 64, "time": "2026-01-05T12:00:00.000005Z",
        "key_id": "75b31c6050aa4d6c",
        "mac": "2dcb4b461fdabf4cf20dce4fc42412f86a860ef9f4c6031b7a68019dd44a91a1"}
    assert checkpoint_problem(KEYS, checkpoint) is None
    assert checkpoint_problem(KEYS, {**checkpoint, "mac": None}) == (
        "the checkpoint's MAC does not match its content")


def test_previous_keys_are_read_from_a_comma_separated_setting() -> None:
    keys = Keyring.from_settings("current-key", " first , ,second,")
    assert keys.previous == ("first", "second")
    assert Keyring.from_settings("current-key").previous == ()
    assert Keyring.from_settings("current-key", ["a ", " "]).previous == ("a",)


def test_an_empty_audit_key_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^the audit key is empty$"):
        Keyring("")
