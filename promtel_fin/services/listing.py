"""Lists of proposals and the reviewers' queue, read by keyset (cursor) pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    exists,
    false,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session, defer, joinedload

from ..domain import workflow
from ..domain.identifiers import parse_folio
from ..domain.policy import Policy
from ..domain.workflow import Role, State
from ..models import Company, Proposal, Signature, User, utcnow
from .deadlines import Deadline, deadline, late_before, today
from .policy import current_policy
from .visibility import SCOPES, scope


@dataclass(frozen=True)
class Filters:
    """Filters on a list of proposals; None means not filtered."""

    state: str | None = None
    step: int | None = None
    state_code: str | None = None
    technology: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    q: str | None = None
    # True: only proposals past their step's due date (services/deadlines.py); False: only
    # the others (on time, or finished).
    overdue: bool | None = None
    # Only proposals whose assigned PROMTEL reviewer is this user id.
    assigned_to: int | None = None


FILTER_KEYS = tuple(f.name for f in fields(Filters))


def _like(text: str) -> str:
    """``text`` as a LIKE pattern that matches it anywhere, its own ``%`` and ``_`` literal."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _searched(query: Select, text: str) -> Select:
    """Narrow to a folio when ``text`` is one (however typed), else to a title, company or RFC.

    A folio is read from its unique index. Other text matches anywhere in the title, the
    company's legal name or its RFC, ignoring case (on SQLite, only for ASCII letters); accents
    must match as written.
    """
    folio = parse_folio(text)
    if folio:
        return query.where(Proposal.folio == folio)
    pattern = _like(text)
    return query.where(or_(
        Proposal.title.ilike(pattern, escape="\\"),
        Proposal.company.has(or_(Company.legal_name.ilike(pattern, escape="\\"),
                                 Company.rfc.ilike(pattern, escape="\\")))))


def _late(cutoffs: dict[str, datetime]) -> ColumnElement[bool]:
    """Give the condition "past its step's due date": entered the step before its cutoff."""
    return or_(false(), *(and_(Proposal.state == state, Proposal.state_entered_at < moment)
                          for state, moment in cutoffs.items()))


def _filtered(query: Select, filters: Filters,
              cutoffs: dict[str, datetime] | None = None) -> Select:
    """Narrow ``query`` by ``filters``; ``cutoffs`` (``deadlines.late_before``) are needed
    when ``filters.overdue`` is set."""
    if filters.overdue is not None:
        assert cutoffs is not None, "the overdue filter needs the steps' cutoffs"
        late = _late(cutoffs)
        query = query.where(late if filters.overdue else ~late)
    if filters.assigned_to is not None:
        query = query.where(Proposal.assigned_reviewer_id == filters.assigned_to)
    if filters.q:
        query = _searched(query, filters.q)
    if filters.state:
        query = query.where(Proposal.state == filters.state)
    if filters.step:
        query = query.where(Proposal.state == str(workflow.STEPS[filters.step - 1]))
    if filters.state_code:
        query = query.where(Proposal.company.has(Company.state_code == filters.state_code))
    if filters.technology:
        query = query.where(Proposal.technology == filters.technology)
    if filters.min_amount is not None:
        query = query.where(Proposal.requested_amount >= filters.min_amount)
    if filters.max_amount is not None:
        query = query.where(Proposal.requested_amount <= filters.max_amount)
    if filters.created_from:
        query = query.where(Proposal.created_at >= datetime.combine(
            filters.created_from, time.min, tzinfo=utcnow().tzinfo))
    if filters.created_to:
        query = query.where(Proposal.created_at < datetime.combine(
            filters.created_to, time.max, tzinfo=utcnow().tzinfo))
    return query


# A proposal has at most two signatures: joining them costs less than a second statement. A
# list shows no summary, terms or policy: not reading them spares decoding their text and JSON.
# The reviewer in charge is joined too: a list names them without a statement per row.
LIST_OPTIONS = (joinedload(Proposal.company), joinedload(Proposal.signatures),
                joinedload(Proposal.assigned_reviewer),
                defer(Proposal.summary), defer(Proposal.approved_terms),
                defer(Proposal.policy_snapshot))
PAGE_SIZE = 20


@dataclass(frozen=True)
class Slice:
    """One page of a list read by keyset: its items, and the key to continue after (None when
    this is the last page)."""

    items: list[Proposal]
    after: tuple[Any, ...] | None
    # The queue's: each item's deadline at its step (services/deadlines.py), by id.
    deadlines: dict[int, Deadline] = field(default_factory=dict)


def _slice(rows: Sequence[Proposal], page_size: int, *keys: str) -> Slice:
    """Cut one extra row off a page read with ``LIMIT page_size + 1``: it says more follow."""
    items = list(rows[:page_size])
    more = len(rows) > page_size
    return Slice(items, tuple(getattr(items[-1], k) for k in keys) if more else None)


def ascending_page(session: Session, query: Select, key: Any, after: int | None,
                   limit: int) -> tuple[list[Any], int | None]:
    """Read up to ``limit`` rows of ``query`` in ascending ``key`` after ``after`` (a keyset
    page: a history by seq, a thread by id); and the last row's key when more follow."""
    if after is not None:
        query = query.where(key > after)
    rows = list(session.scalars(query.order_by(key).limit(limit + 1)))
    return rows[:limit], getattr(rows[limit - 1], key.key) if len(rows) > limit else None


def list_proposals(session: Session, user: User, filters: Filters,
                   after: tuple[datetime, int] | None = None,
                   page_size: int = PAGE_SIZE, deadlines: bool = False) -> Slice:
    """Give one page of the proposals this user may see, newest first, after a key.

    Keyset pagination on (created_at, id): any page costs what the first does, and there is
    no count. The page's keys are read first, from the index that holds this order for the way
    the list is narrowed (everything, a company's, a state's) without touching the table, and
    only then its rows: asked for whole rows at once, PostgreSQL prefers the index that follows
    the table's physical order and filters it, which is slow when the newest proposals are
    mostly in other states.

    With ``deadlines``, each item's deadline at its step comes too (as the queue's); the
    policy is read (one statement) for them or for the overdue filter.
    """
    policy = (current_policy(session) if deadlines or filters.overdue is not None else None)
    day = today()
    cutoffs = late_before(policy, day) if policy and filters.overdue is not None else None
    seen, company = scope(user)
    rows = session.scalars(_list_statement(seen, filters, _frozen(cutoffs), after, page_size),
                           {"company_id": company}).unique().all()
    found = _slice(rows, page_size, "created_at", "id")
    if deadlines and policy is not None:
        _add_deadlines(found, policy, day)
    return found


# Building a list's or the queue's statement costs more of a request's time than PostgreSQL
# takes to run it (the queue's has a branch per waiting step), and SQLAlchemy works out a
# statement's cache key once per statement object. A statement is a pure function of what it
# is built from (what the user's role lets it see, the filters, the steps' cutoffs, the cursor,
# the page size; an SME's company is a bound parameter, so every company shares one): the most
# recent ones are kept and reused as they are, immutable. The first page of a list or of a
# queue is asked for far more than any other; the others come and go. A kept statement holds
# about 50 KB once it has run.
STATEMENTS_KEPT = 128
COMPANY = bindparam("company_id", type_=Integer)
Cutoffs = tuple[tuple[str, datetime], ...] | None


def _frozen(cutoffs: dict[str, datetime] | None) -> Cutoffs:
    return None if cutoffs is None else tuple(sorted(cutoffs.items()))


@lru_cache(maxsize=STATEMENTS_KEPT)
def _list_statement(seen: str, filters: Filters, cutoffs: Cutoffs,
                    after: tuple[datetime, int] | None, page_size: int) -> Select:
    """Build the statement of a page of the list: its keys first, then its rows (the
    company, for SMEs, bound at each call)."""
    keys = _filtered(select(Proposal.id, Proposal.created_at).where(SCOPES[seen](COMPANY)),
                     filters, None if cutoffs is None else dict(cutoffs))
    if after is not None:
        keys = keys.where(tuple_(Proposal.created_at, Proposal.id) < after)
    page = (keys.order_by(Proposal.created_at.desc(), Proposal.id.desc())
            .limit(page_size + 1).subquery("page"))
    return (select(Proposal).join(page, Proposal.id == page.c.id).options(*LIST_OPTIONS)
            .order_by(page.c.created_at.desc(), page.c.id.desc()))


def _add_deadlines(found: Slice, policy: Policy, day: date) -> None:
    """Put each item's deadline at its step (none once final) in ``found``."""
    for proposal in found.items:
        due = deadline(proposal, policy, day)
        if due is not None:
            found.deadlines[proposal.id] = due


def waiting_states(role: Role) -> list[State]:
    """List the steps at which a proposal waits on this role."""
    return [s for s in workflow.STEPS if role in workflow.waiting_on(s)]


def _has_signed(role: Role) -> ColumnElement[bool]:
    return exists().where(Signature.proposal_id == Proposal.id, Signature.party == str(role))


def queue(session: Session, user: User, filters: Filters,
          after: tuple[datetime, int] | None = None, page_size: int = PAGE_SIZE) -> Slice:
    """Give the proposals waiting on this user's role, the longest-waiting first, after a key.

    One branch per waiting step, each reading at most a page of keys in (state,
    state_entered_at, id) order from its index, merged (UNION ALL, ORDER BY ... LIMIT), then
    the page's rows: the page costs the same at any depth, however long the backlog at each
    step and however many proposals have finished. At the agreement, a party waits only until
    it has signed.
    """
    role = Role(user.role)
    states = [s for s in waiting_states(role)
              if (not filters.state or s == filters.state)
              and (not filters.step or s == workflow.STEPS[filters.step - 1])]
    if not states:
        return Slice([], None)
    rest = replace(filters, state=None, step=None)
    policy, day = current_policy(session), today()
    cutoffs = late_before(policy, day) if filters.overdue is not None else None
    seen, company = scope(user)
    rows = session.scalars(_queue_statement(role, seen, tuple(states), rest, _frozen(cutoffs),
                                            after, page_size),
                           {"company_id": company}).unique().all()
    found = _slice(rows, page_size, "state_entered_at", "id")
    _add_deadlines(found, policy, day)
    return found


@lru_cache(maxsize=STATEMENTS_KEPT)
def _queue_statement(role: Role, seen: str, states: tuple[State, ...],
                     rest: Filters, cutoffs: Cutoffs, after: tuple[datetime, int] | None,
                     page_size: int) -> Select:
    """Build the statement of a page of the queue: a branch per waiting step, merged, then the
    page's rows (see ``queue``; the company, for SMEs, bound at each call)."""
    late = None if cutoffs is None else dict(cutoffs)
    branches = []
    for state in states:
        branch = _filtered(select(Proposal.id, Proposal.state_entered_at).where(
            Proposal.state == str(state), SCOPES[seen](COMPANY)), rest,
            # This branch's step only: its index reads the late ones as one range.
            None if late is None else {k: v for k, v in late.items() if k == state})
        if state == State.AGREEMENT:
            branch = branch.where(~_has_signed(role))
        if after is not None:
            branch = branch.where(tuple_(Proposal.state_entered_at, Proposal.id) > after)
        first = (branch.order_by(Proposal.state_entered_at, Proposal.id).limit(page_size + 1)
                 .subquery(f"waiting_{state}"))
        branches.append(select(first.c.id, first.c.state_entered_at))
    waiting = (union_all(*branches) if len(branches) > 1 else branches[0]).subquery("waiting")
    page = (select(waiting.c.id, waiting.c.state_entered_at)
            .order_by(waiting.c.state_entered_at, waiting.c.id).limit(page_size + 1)
            .subquery("page"))
    return (select(Proposal).join(page, Proposal.id == page.c.id).options(*LIST_OPTIONS)
            .order_by(page.c.state_entered_at, page.c.id))
