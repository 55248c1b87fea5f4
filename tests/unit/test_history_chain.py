"""The hash chain: any change to a stored entry, or to its order, is detected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from promtel_fin.domain.history import GENESIS, entry_hash, first_broken, utc_iso


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
