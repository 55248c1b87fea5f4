"""``audit reseal`` moves chains written under the old plain SHA-256 to the keyed form, once,
and refuses (changing nothing) when an old chain is already broken."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from promtel_fin import create_app
from promtel_fin.db import make_engine
from promtel_fin.domain.workflow import State
from promtel_fin.models import HistoryEntry
from promtel_fin.models.history import HistoryHead
from promtel_fin.services.policy import set_policy

from ..audit_helpers import checks, make_legacy, tamper, verify
from ..factories import Factory


def _reseal(app: Flask) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["audit", "reseal"])
    return result.exit_code, result.output


def _hashes(session: Session) -> list[tuple[int, str]]:
    return [(i, h) for i, h in session.execute(select(HistoryEntry.id, HistoryEntry.hash)
                                               .order_by(HistoryEntry.id))]


def test_reseal_seals_old_chains_records_itself_and_verifies(
        app: Flask, make: Factory, session: Session, engine: Engine) -> None:
    signed = make.proposal(at=State.SIGNED)
    update = make.proposal(at=State.UPDATE)
    make_legacy(session)
    code, report = verify(app)
    assert code == 1
    assert checks(report, signed.id) == checks(report, update.id) == {"sealed"}
    # 13 steps and 18 document entries; 4 steps and 18 document entries
    assert "31 entries not sealed: run audit reseal" in {p["message"]
                                                           for p in report["problems"]}

    assert _reseal(app) == (0, "resealed 53 entries (53 under the old hash) in 2 streams; "
                               "recorded as a system entry\n")
    assert verify(app) == (0, {"ok": True, "entries": 54, "proposals": 2, "problems": []})
    session.expire_all()
    entry = session.scalars(select(HistoryEntry).where(HistoryEntry.proposal_id.is_(None))).one()
    assert (entry.action, entry.actor_id, entry.gseq) == ("reseal", None, 54)
    assert entry.payload["entries"] == entry.payload["unsealed"] == 53
    submit = session.scalars(select(HistoryEntry).where(
        HistoryEntry.proposal_id == signed.id, HistoryEntry.action == "submit_proposal")).one()
    assert len(submit.payload["revision_sha256"]) == 64 and submit.proposal_version == 3
    if engine.dialect.name == "postgresql":  # the trigger is back on
        enabled = session.scalar(text("SELECT tgenabled FROM pg_trigger WHERE tgname = "
                                      "'history_entries_append_only'"))
        assert enabled == "O"
    assert _reseal(app) == (0, "nothing to reseal: every entry is sealed\n")


@pytest.mark.parametrize("attack", ["entry", "revision"])
def test_reseal_refuses_a_broken_old_chain_and_changes_nothing(
        app: Flask, make: Factory, session: Session, attack: str) -> None:
    proposal = make.proposal(at=State.PROMTEL_VERIFICATION)
    make_legacy(session)
    if attack == "entry":
        tamper(session, "UPDATE history_entries SET comment = 'otro' WHERE proposal_id = :p "
               "AND seq = 3", p=proposal.id)
    else:
        tamper(session, "UPDATE revisions SET document_sha256 = :d WHERE proposal_id = :p",
               p=proposal.id, d="d" * 64)
    before = _hashes(session)
    code, output = _reseal(app)
    assert code == 1
    assert f"BROKEN proposal {proposal.id}: {'chain' if attack == 'entry' else 'revision'}" \
        in output and "nothing changed" in output
    session.expire_all()
    assert _hashes(session) == before
    assert session.scalar(select(func.count()).select_from(HistoryHead)) == 0


@pytest.fixture
def scratch_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """Give an empty database of the same kind as the test database."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    schema = f"reseal_{uuid.uuid4().hex[:8]}"
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield f"{database_url}?options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def test_history_written_before_migration_0003_is_resealed_after_it(
        scratch_url: str, tmp_path: Path) -> None:
    app = create_app({"DATABASE_URL": scratch_url, "TESTING": True,
                      "DOCUMENTS_DIR": str(tmp_path / "documents")})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    session = app.extensions["sessionmaker"]()
    make = Factory(session, app.extensions["documents"])
    # No documents back then (going down to 0002 drops their table): an empty checklist.
    set_policy(session, None, date.today(), {"checklist": []}, "sin documentos")
    first = make.proposal(at=State.SIGNED).id
    second = make.proposal(at=State.UPDATE).id
    make.proposal(at=State.CONTACT, title="Otra")
    make_legacy(session)
    session.close()
    # Back to the schema of 0002, where these chains were written, and up again.
    assert runner.invoke(args=["db", "downgrade", "0002"]).exit_code == 0
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0

    code, report = verify(app)
    assert code == 1 and checks(report, first) == checks(report, second) == {"sealed"}
    assert _reseal(app)[0] == 0
    assert verify(app) == (0, {"ok": True, "entries": 19, "proposals": 3, "problems": []})
    session = app.extensions["sessionmaker"]()
    gseqs = session.scalars(select(HistoryEntry.gseq).order_by(HistoryEntry.gseq)).all()
    assert gseqs == list(range(1, 20))
    session.close()
    app.extensions["engine"].dispose()
