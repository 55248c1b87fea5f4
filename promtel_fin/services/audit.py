"""Verify the keyed history and tie the tables to it; checkpoints of the whole log.

Entries are streamed (``yield_per``): once in global order for the MACs and the global chain,
once stream by stream for each chain and its proposal's rows, a few proposals at a time. What is
kept between batches grows with the number of proposals, never with the number of entries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from itertools import groupby
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.history import (
    GENESIS,
    GLOBAL_STREAM,
    SYSTEM_STREAM,
    Keyring,
    checkpoint_problem,
    entry_content,
    first_broken,
    make_checkpoint,
    stream_of,
)
from ..models import Document, HistoryEntry, Message, Proposal, Revision, Signature, utcnow
from ..models.history import HistoryHead
from ..storage import DocumentStore
from . import audit_documents, audit_ties
from .history import head_problem

ENTRY_COLUMNS = tuple(HistoryEntry.__table__.c)
PROPOSALS_PER_BATCH = 100


@dataclass(frozen=True)
class Problem:
    """One thing that disagrees: for a proposal (None: the whole log), which check, and why."""

    proposal_id: int | None
    check: str
    message: str
    seq: int | None = None
    gseq: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Give the problem as JSON-ready data, without empty details."""
        data = asdict(self)
        return {k: v for k, v in data.items() if v is not None or k == "proposal_id"}

    def __str__(self) -> str:
        where = "log" if self.proposal_id is None else f"proposal {self.proposal_id}"
        return f"{where}: {self.check}: {self.message}"


@dataclass
class Report:
    """What ``verify`` read and found."""

    entries: int = 0
    proposals: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Tell whether nothing disagrees."""
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        """Give the report as one JSON-ready object."""
        return {"ok": self.ok, "entries": self.entries, "proposals": self.proposals,
                "problems": [p.to_dict() for p in self.problems]}


def _entries(session: Session, *order: Any, batch: int) -> Iterator[Mapping[str, Any]]:
    rows = session.execute(select(*ENTRY_COLUMNS).order_by(*order)
                           .execution_options(yield_per=batch))
    yield from rows.mappings()


def _global_pass(session: Session, keys: Keyring, report: Report, batch: int) -> str:
    """Check every MAC, the global sequence and links; answer the last entry's hash."""
    expected, previous = 1, GENESIS
    for entry in _entries(session, HistoryEntry.gseq, batch=batch):
        report.entries += 1
        pid, seq, gseq = entry["proposal_id"], entry["seq"], entry["gseq"]
        # A gap or a broken global link is the log's: the entry after it is not to blame.
        if gseq != expected:
            report.problems.append(Problem(None, "gseq", f"the global sequence jumps from "
                                           f"{expected - 1} to {gseq}", gseq=gseq))
        if entry["key_id"] is not None:
            if entry["gprev_hash"] != previous:
                report.problems.append(Problem(None, "global link", f"entry gseq {gseq} does not "
                                               "link to the one before it", gseq=gseq))
            verdict = keys.check(entry_content(entry), entry["key_id"], entry["hash"])
            if verdict is None:
                report.problems.append(Problem(pid, "mac", "the entry is sealed under an "
                                               f"unknown key id {entry['key_id']}", seq, gseq))
            elif not verdict:
                report.problems.append(Problem(pid, "mac", "the entry's content does not match "
                                               "its MAC", seq, gseq))
        expected, previous = gseq + 1, entry["hash"]
    return previous


def _chain_problems(pid: int | None, entries: Sequence[Mapping[str, Any]],
                    keys: Keyring) -> Iterator[Problem]:
    unsealed = sum(1 for e in entries if e["key_id"] is None)
    if unsealed:
        yield Problem(pid, "sealed", f"{unsealed} entries not sealed: run audit reseal")
        broken = first_broken(entries, keys)
        if broken:
            yield Problem(pid, "chain", f"entry seq {broken[0]}: {broken[1]}", broken[0])
        return
    expected, previous = 1, GENESIS
    for entry in entries:
        if entry["seq"] != expected:
            yield Problem(pid, "seq", f"the sequence jumps from {expected - 1} to "
                          f"{entry['seq']}", entry["seq"], entry["gseq"])
        elif entry["prev_hash"] != previous:
            yield Problem(pid, "link", f"entry seq {entry['seq']} does not link to the entry "
                          "before it", entry["seq"], entry["gseq"])
        expected, previous = entry["seq"] + 1, entry["hash"]


def _head_problems(pid: int | None, head: HistoryHead | None, count: int, last_hash: str,
                   keys: Keyring, what: str = "chain") -> Iterator[Problem]:
    if head is None:
        yield Problem(pid, "head", f"its head is missing (the {what} has {count} entries)")
        return
    if problem := head_problem(keys, head):
        yield Problem(pid, "head", problem)
    if head.count != count:
        yield Problem(pid, "head", f"its head records {head.count} entries, the {what} has "
                      f"{count} (entries cut or added)")
    elif head.last_hash != last_hash:
        yield Problem(pid, "head", f"its head's last hash is not its last entry's ({what})")


def _check_batch(session: Session, keys: Keyring,
                 groups: list[tuple[int | None, list[Mapping[str, Any]]]],
                 store: DocumentStore | None = None) -> Iterator[Problem]:
    ids = [pid for pid, _ in groups if pid is not None]
    proposals = {p.id: p for p in session.scalars(select(Proposal).where(Proposal.id.in_(ids)))}
    heads = {h.stream: h for h in session.scalars(select(HistoryHead).where(
        HistoryHead.stream.in_([stream_of(pid) for pid, _ in groups])))}
    signatures, revisions, messages = defaultdict(list), defaultdict(list), defaultdict(list)
    for m in session.scalars(select(Message).where(Message.proposal_id.in_(ids))):
        messages[m.proposal_id].append(m)
    for s in session.scalars(select(Signature).where(Signature.proposal_id.in_(ids))):
        signatures[s.proposal_id].append(s)
    for r in session.scalars(select(Revision).where(Revision.proposal_id.in_(ids))
                             .order_by(Revision.proposal_id, Revision.number)):
        revisions[r.proposal_id].append(r)
    documents: dict[int, list[Document]] = defaultdict(list)
    for d in session.scalars(select(Document).where(Document.proposal_id.in_(ids))
                             .order_by(Document.id)):
        documents[d.proposal_id].append(d)
    digests: dict[str, bool | None] = {}
    for pid, entries in groups:
        chain = list(_chain_problems(pid, entries, keys))
        yield from chain
        sealed = not any(p.check == "sealed" for p in chain)
        if sealed:
            yield from _head_problems(pid, heads.get(stream_of(pid)), entries[-1]["seq"],
                                      entries[-1]["hash"], keys)
        if pid is None:
            continue
        proposal = proposals.get(pid)
        if proposal is None:
            yield Problem(pid, "proposal", f"the proposal row is missing; its history has "
                          f"{len(entries)} entries")
        elif sealed:
            for check, message in audit_ties.all_ties(proposal, entries, signatures[pid],
                                                      revisions[pid], messages[pid]):
                yield Problem(pid, check, message)
            for check, message in audit_documents.ties(documents[pid], entries):
                yield Problem(pid, check, message)
        if store is not None:
            for check, message in audit_documents.files(documents[pid], store, digests):
                yield Problem(pid, check, message)
    session.expunge_all()


def _stream_pass(session: Session, keys: Keyring, report: Report, batch: int,
                 store: DocumentStore | None = None) -> set[str]:
    """Check each stream's chain and head, and each proposal's rows; answer the streams seen."""
    seen: set[str] = set()
    rows = _entries(session, HistoryEntry.proposal_id, HistoryEntry.seq, batch=batch)
    groups: list[tuple[int | None, list[Mapping[str, Any]]]] = []
    for pid, entries in groupby(rows, key=lambda e: e["proposal_id"]):
        groups.append((pid, [dict(e) for e in entries]))
        seen.add(stream_of(pid))
        if len(groups) >= PROPOSALS_PER_BATCH:
            report.problems.extend(_check_batch(session, keys, groups, store))
            groups = []
    if groups:
        report.problems.extend(_check_batch(session, keys, groups, store))
    return seen


def _orphans(session: Session, keys: Keyring, report: Report, seen: set[str],
             last_hash: str) -> None:
    """Report proposals without history, heads without entries, and the global head."""
    for pid in session.scalars(select(Proposal.id).order_by(Proposal.id)
                               .execution_options(yield_per=1000)):
        report.proposals += 1
        if stream_of(pid) not in seen:
            report.problems.append(Problem(pid, "history", "the proposal has no history "
                                           "entries (its whole history is missing)"))
    global_head = None
    for head in session.scalars(select(HistoryHead).order_by(HistoryHead.stream)):
        if head.stream == GLOBAL_STREAM:
            global_head = head
        elif head.stream not in seen:
            pid = None if head.stream == SYSTEM_STREAM else int(head.stream.split(":")[1])
            report.problems.append(Problem(pid, "head", f"its head records {head.count} "
                                           "entries but none remain"))
    if report.entries or global_head is not None:
        report.problems.extend(_head_problems(None, global_head, report.entries, last_hash,
                                              keys, what="whole log"))


def verify(session: Session, keys: Keyring, batch: int = 1000,
           store: DocumentStore | None = None) -> Report:
    """Check the whole history and every table tied to it, and (given the document ``store``)
    every stored file; name each thing that disagrees."""
    report = Report()
    last_hash = _global_pass(session, keys, report, batch)
    seen = _stream_pass(session, keys, report, batch, store)
    _orphans(session, keys, report, seen, last_hash)
    return report


def checkpoint(session: Session, keys: Keyring) -> dict[str, Any]:
    """Seal the whole log's current head (count, last hash, time) for safekeeping elsewhere."""
    last = session.execute(select(HistoryEntry.gseq, HistoryEntry.hash)
                           .order_by(HistoryEntry.gseq.desc()).limit(1)).first()
    count, last_hash = (last.gseq, last.hash) if last else (0, GENESIS)
    return make_checkpoint(keys, count, last_hash, utcnow())


def against(session: Session, keys: Keyring, saved: Mapping[str, Any]) -> list[Problem]:
    """Check that the log still extends a checkpoint: same entry at its count, none fewer."""
    if problem := checkpoint_problem(keys, saved):
        return [Problem(None, "checkpoint", problem)]
    count, last_hash = int(saved["count"]), saved["last_hash"]
    problems = []
    total = session.scalar(select(func.count()).select_from(HistoryEntry))
    if total < count:
        problems.append(Problem(None, "checkpoint", f"the log has {total} entries, fewer than "
                                f"the {count} of the checkpoint of {saved['time']}"))
    if count:
        stored = session.scalar(select(HistoryEntry.hash).where(HistoryEntry.gseq == count))
        if stored != last_hash:
            problems.append(Problem(None, "checkpoint", f"entry gseq {count} is not the one the "
                                    f"checkpoint of {saved['time']} sealed", gseq=count))
    return problems

