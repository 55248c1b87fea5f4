"""Load a proposal, its parts and whatever else a view shows of it, in one SQL statement.

The statement drives from a small list of part numbers (a recursive CTE counting 0, 1, ...)
and outer-joins each part's table on "this part, and this proposal": row 0 carries the proposal
(with its company and reviewer), each other row one locality, site, guarantee, cash flow,
signature, history entry or revision. No part multiplies another, so a proposal with 500
localities and 300 history entries is 800-odd rows, and always one round trip: the cost in
statements stays the same whatever the proposal's size.

The ORM builds the objects as it would for any query (each one persistent in the session), and
the proposal's collections are set as loaded, so nothing is lazily read afterwards and the
services can change them as usual. Each combination of parts is built once, with bound
parameters, and reused: building and keying a statement of this size costs more than running
it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    func,
    literal_column,
    select,
)
from sqlalchemy.orm import Session, aliased, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..domain.policy import Policy
from ..models import (
    CashFlow,
    Document,
    Guarantee,
    HistoryEntry,
    Locality,
    Message,
    PolicyVersion,
    Proposal,
    Revision,
    Signature,
    SocialSite,
)
from .visibility import SCOPES

# The proposal's own collections, each with the order its relationship declares.
COLLECTIONS: dict[str, tuple[Any, Callable[[Any], Any]]] = {
    "localities": (Locality, lambda row: row.position),
    "social_sites": (SocialSite, lambda row: row.position),
    "guarantees": (Guarantee, lambda row: row.position),
    "cash_flows": (CashFlow, lambda row: row.year),
    "signatures": (Signature, lambda row: row.id),
}
PROPOSAL_ID = bindparam("proposal_id", type_=Integer)
WINDOW = bindparam("window", type_=Integer)
UNTIL = bindparam("until", type_=Integer)


@dataclass(frozen=True)
class Extras:
    """What to load beside the proposal and its parts.

    ``policy``: the policy in force today; ``latest_revision``: the number of its last frozen
    revision; ``history``: a window of its history, oldest first, with the actors: the last
    ``window`` entries ("latest") or those up to a sequence number ("until"); ``feedback``:
    every entry with a reviewer's comment from before that window; ``revisions``: every
    revision; ``messages``: the latest ``MESSAGE_WINDOW`` messages of its thread (one more, to
    tell whether earlier ones exist), with their authors; ``documents``: the current document of
    each kind (the checklist's gate).
    """

    policy: bool = False
    latest_revision: bool = False
    history: str | None = None
    feedback: bool = False
    revisions: bool = False
    messages: bool = False
    documents: bool = False


MESSAGE_WINDOW = 50


@dataclass
class Bundle:
    """A proposal with its collections loaded, and the extras that were asked for."""

    proposal: Proposal
    policy: Policy | None = None
    latest_revision: int | None = None
    history: list[HistoryEntry] = field(default_factory=list)
    feedback: list[HistoryEntry] = field(default_factory=list)
    revisions: list[Revision] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)


def _window(entry: Any, kind: str) -> ColumnElement[bool]:
    """Give the condition on a history entry for the window of the given kind."""
    if kind == "until":
        return (entry.seq > UNTIL - WINDOW) & (entry.seq <= UNTIL)
    last = aliased(HistoryEntry)
    latest = (select(func.max(last.seq)).where(last.proposal_id == PROPOSAL_ID)
              .correlate(None).scalar_subquery())
    return entry.seq > latest - WINDOW


@cache
def _statement(scope: str, extras: Extras) -> tuple[Select[Any], tuple[str, ...], bool]:
    """Build the statement for a visibility scope and extras; give it, the parts' names in
    order, and whether it carries the latest revision's number."""
    parts: list[tuple[str, Any, ColumnElement[bool]]] = [
        (name, entity, entity.proposal_id == PROPOSAL_ID)
        for name, (entity, _order) in COLLECTIONS.items()
    ]
    options = [joinedload(Proposal.company), joinedload(Proposal.assigned_reviewer),
               joinedload(Proposal.pending_by)]
    if extras.history is not None:
        entry = aliased(HistoryEntry, name="window_entry")
        parts.append(("history", entry, and_(entry.proposal_id == PROPOSAL_ID,
                                             _window(entry, extras.history))))
        options.append(joinedload(entry.actor))
        if extras.feedback:
            noted = aliased(HistoryEntry, name="noted_entry")
            parts.append(("feedback", noted, and_(
                noted.proposal_id == PROPOSAL_ID, noted.comment != "",
                noted.action.not_in(("create", "edit")), ~_window(noted, extras.history))))
            options.append(joinedload(noted.actor))
    if extras.revisions:
        parts.append(("revisions", Revision, Revision.proposal_id == PROPOSAL_ID))
    if extras.messages:
        latest = aliased(Message)
        window = (select(latest.id).where(latest.proposal_id == PROPOSAL_ID)
                  .order_by(latest.id.desc()).limit(MESSAGE_WINDOW + 1).correlate(None))
        parts.append(("messages", Message, and_(Message.proposal_id == PROPOSAL_ID,
                                                Message.id.in_(window))))
        options.append(joinedload(Message.author))
    if extras.documents:
        parts.append(("documents", Document, and_(Document.proposal_id == PROPOSAL_ID,
                                                  Document.is_current)))
    if extras.policy:
        in_force = aliased(PolicyVersion)
        today = bindparam("today", type_=in_force.effective_from.type)
        current = (select(in_force.id).where(in_force.effective_from <= today)
                   .order_by(in_force.effective_from.desc()).limit(1)
                   .correlate(None).scalar_subquery())
        parts.append(("policy", PolicyVersion, PolicyVersion.id == current))

    # Counted by a recursive CTE: one relation for PostgreSQL's planner, where a UNION ALL of
    # constants is one per row; values() can neither be cached nor run on SQLite.
    first = select(literal_column("0", Integer).label("part")).cte("parts", recursive=True)
    numbers = first.union_all(select(first.c.part + 1).where(first.c.part < len(parts)))
    extra_columns = []
    if extras.latest_revision:
        frozen = aliased(Revision)
        extra_columns.append(select(func.max(frozen.number))
                             .where(frozen.proposal_id == PROPOSAL_ID)
                             .correlate(None).scalar_subquery())
    visible = SCOPES[scope](bindparam("company_id", type_=Integer))
    statement = (
        select(numbers.c.part, Proposal, *(entity for _n, entity, _on in parts), *extra_columns)
        .select_from(numbers)
        .outerjoin(Proposal, and_(numbers.c.part == 0, Proposal.id == PROPOSAL_ID, visible))
    )
    for i, (_name, entity, on) in enumerate(parts, 1):
        statement = statement.outerjoin(entity, and_(numbers.c.part == i, on))
    statement = statement.options(*options).execution_options(populate_existing=True)
    return statement, tuple(name for name, _e, _o in parts), bool(extra_columns)


def load(session: Session, scope: tuple[str, int | None], proposal_id: int,
         extras: Extras = Extras(), window: int = 50, until: int | None = None
         ) -> Bundle | None:
    """Load the proposal if it is in the visibility ``scope``, with the extras; else None.

    ``window`` and ``until`` size and place the history's window (see ``Extras``).
    """
    statement, names, with_latest = _statement(scope[0], extras)
    params: dict[str, Any] = {"proposal_id": proposal_id, "company_id": scope[1],
                              "today": date.today(), "window": window, "until": until}
    found: dict[str, list[Any]] = {name: [] for name in names}
    proposal = None
    latest = None
    for row in session.execute(statement, params):
        part = row[0]
        if part == 0:
            proposal = row[1]
            latest = row[len(names) + 2] if with_latest else None
        elif (obj := row[part + 1]) is not None:
            found[names[part - 1]].append(obj)
    if proposal is None:
        return None
    for name, (_entity, order) in COLLECTIONS.items():
        set_committed_value(proposal, name, sorted(found[name], key=order))
    by_seq = lambda e: e.seq  # noqa: E731
    in_force = found.get("policy") or []
    return Bundle(
        proposal=proposal,
        policy=(Policy.from_dict(in_force[0].parameters) if in_force else Policy())
        if extras.policy else None,
        latest_revision=latest,
        history=sorted(found.get("history", []), key=by_seq),
        feedback=sorted(found.get("feedback", []), key=by_seq),
        revisions=sorted(found.get("revisions", []), key=lambda r: r.number),
        messages=sorted(found.get("messages", []), key=lambda m: m.id),
        documents=sorted(found.get("documents", []), key=lambda d: d.id),
    )
