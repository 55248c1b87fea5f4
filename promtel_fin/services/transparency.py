"""The transparency portal's figures, gathered in SQL and cached until the data changes.

Every figure is a GROUP BY in the database; only signed agreements are read one by one. The
answer is kept in memory (per process) with the stamp of the data it was computed from: the
global head of the keyed history (``history_heads``, stream ``global``), one row read by its
primary key, whose count and last hash change with every write to any proposal (creation, edit,
action, signature) in the same transaction. A stamp that has not changed means nothing the
portal shows has changed. To bound the cost when proposals move all day, the stamp itself is
read at most every ``refresh_seconds`` (300 by default, the same as the pages' ``max-age``):
the public may see figures up to five minutes old, and the aggregates are computed at most once
per five minutes per process, whatever the traffic.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import BigInteger, Numeric, case, cast, func, select, text
from sqlalchemy.orm import Session

from ..domain import transparency as t
from ..domain.geography import STATE_NAMES
from ..domain.history import GLOBAL_STREAM
from ..domain.workflow import FINAL_STATES, STEPS, State
from ..models import Company, Locality, Proposal, Signature, SocialSite
from ..models.history import HistoryHead

PROGRAM_TIMEZONE = ZoneInfo("America/Mexico_City")
SIGNED = str(State.SIGNED)


@dataclass(frozen=True)
class Stamp:
    key: str
    modified: datetime | None


@dataclass(frozen=True)
class Published:
    """Everything the portal and the open data show, as of one stamp."""

    stamp: Stamp
    states: dict[str, t.StateFigures]       # the 32 states, those without agreements included
    totals: t.StateFigures
    pipeline: t.Pipeline
    agreements: tuple[t.Agreement, ...]     # newest signature first

    @property
    def modified(self) -> datetime | None:
        return self.stamp.modified

    @cached_property
    def breaks(self) -> list[Decimal]:
        return t.amount_breaks(s.amount for s in self.states.values())

    def of_state(self, code: str) -> tuple[t.StateFigures, list[t.Agreement]]:
        return self.states[code], [a for a in self.agreements if a.state_code == code]

    @cached_property
    def agreements_csv(self) -> bytes:
        return t.agreements_csv(self.agreements)

    def etag(self, *parts: str) -> str:
        """An entity tag for one representation of this snapshot."""
        seed = "|".join((self.stamp.key, *parts))
        return hashlib.sha256(seed.encode()).hexdigest()[:32]


class SnapshotCache:
    """The last snapshot of one process, and when its stamp was last checked."""

    def __init__(self, refresh_seconds: float) -> None:
        self.refresh_seconds = refresh_seconds
        self.snapshot: Published | None = None
        self.checked = 0.0
        self.lock = threading.Lock()


def shared_cache(extensions: MutableMapping[str, Any], refresh_seconds: float) -> SnapshotCache:
    """Give the application's cache (one per app and process), creating it on first use."""
    return extensions.setdefault("transparency_cache", SnapshotCache(refresh_seconds))


def stamp(session: Session) -> Stamp:
    """Read what says whether anything changed: the history's global head (one row)."""
    row = session.execute(select(HistoryHead.count, HistoryHead.last_hash,
                                 HistoryHead.updated_at)
                          .where(HistoryHead.stream == GLOBAL_STREAM)).first()
    url = session.get_bind().url.render_as_string(hide_password=True)
    if row is None:
        return Stamp(f"{url}|empty", None)
    return Stamp(f"{url}|{row.count}|{row.last_hash}", row.updated_at)


def published_now(session: Session) -> Published:
    """The figures for this request, from the application's cache (see ``published``)."""
    cache = shared_cache(current_app.extensions,
                         current_app.config.get("TRANSPARENCY_REFRESH_SECONDS", 300))
    return published(session, cache)


def published(session: Session, cache: SnapshotCache) -> Published:
    """Give the portal's figures: from the cache while the data has not changed.

    One request at a time recomputes; while it does, the others are served the previous
    snapshot (when there is one) rather than all aggregating at once.
    """
    now = time.monotonic()
    snapshot = cache.snapshot
    if snapshot is not None and now - cache.checked < cache.refresh_seconds:
        return snapshot
    if not cache.lock.acquire(blocking=snapshot is None):
        return snapshot   # another request is refreshing it
    try:
        snapshot = cache.snapshot
        current = stamp(session)
        if snapshot is None or snapshot.stamp.key != current.key:
            snapshot = compute(session, current)
        cache.snapshot, cache.checked = snapshot, time.monotonic()
    finally:
        cache.lock.release()
        session.rollback()   # a read: end the transaction
    return snapshot


def _cents(amount_text: Any) -> Any:
    """The approved amount (stored as "4500000.00" in the terms) in whole centavos, exactly."""
    return cast(func.round(cast(amount_text, Numeric(14, 2)) * 100), BigInteger)


def _signed_by_state(session: Session) -> dict[str, t.StateFigures]:
    amount = Proposal.approved_terms["amount"].as_string()
    signed = Proposal.state == SIGNED
    totals = {code: [n, cents] for code, n, cents in session.execute(
        select(Company.state_code, func.count(Proposal.id), func.sum(_cents(amount)))
        .join(Company, Proposal.company_id == Company.id).where(signed)
        .group_by(Company.state_code))}
    places = {code: (n, people) for code, n, people in session.execute(
        select(Company.state_code, func.count(Locality.id),
               func.sum(func.coalesce(Locality.population, 0)))
        .select_from(Locality).join(Proposal, Locality.proposal_id == Proposal.id)
        .join(Company, Proposal.company_id == Company.id).where(signed)
        .group_by(Company.state_code))}
    sites: dict[str, dict[str, int]] = {}
    for code, kind, n in session.execute(
            select(Company.state_code, SocialSite.kind, func.count(SocialSite.id))
            .select_from(SocialSite).join(Proposal, SocialSite.proposal_id == Proposal.id)
            .join(Company, Proposal.company_id == Company.id).where(signed)
            .group_by(Company.state_code, SocialSite.kind)):
        sites.setdefault(code, {})[kind] = n
    states = {}
    for code in STATE_NAMES:
        n, cents = totals.get(code, (0, 0))
        localities, people = places.get(code, (0, 0))
        states[code] = t.StateFigures(code, n, (Decimal(cents or 0) / 100).quantize(t.CENT),
                                      localities, int(people or 0), sites.get(code, {}))
    return states


_VISITS_POSTGRESQL = """
WITH changes AS (
  SELECT to_state AS state,
         (created_at AT TIME ZONE 'America/Mexico_City')::date AS entered,
         LEAD((created_at AT TIME ZONE 'America/Mexico_City')::date)
           OVER (PARTITION BY proposal_id ORDER BY seq) AS left_on
  FROM history_entries
  WHERE proposal_id IS NOT NULL AND (from_state IS NULL OR from_state <> to_state)
)
SELECT state, CAST(EXTRACT(ISODOW FROM entered) AS INTEGER) - 1 AS weekday,
       left_on - entered AS days, COUNT(*) AS visits
FROM changes WHERE left_on IS NOT NULL GROUP BY 1, 2, 3
"""
# SQLite keeps UTC text; Mexico City has been UTC-6 all year since 2022 (no daylight saving).
_VISITS_SQLITE = """
WITH changes AS (
  SELECT to_state AS state,
         CAST(julianday(date(created_at, '-6 hours')) - 2440587.5 AS INTEGER) AS entered,
         LEAD(CAST(julianday(date(created_at, '-6 hours')) - 2440587.5 AS INTEGER))
           OVER (PARTITION BY proposal_id ORDER BY seq) AS left_on
  FROM history_entries
  WHERE proposal_id IS NOT NULL AND (from_state IS NULL OR from_state <> to_state)
)
SELECT state, (entered + 3) % 7 AS weekday, left_on - entered AS days, COUNT(*) AS visits
FROM changes WHERE left_on IS NOT NULL GROUP BY 1, 2, 3
"""


def _pipeline(session: Session) -> t.Pipeline:
    counts = dict(session.execute(select(Proposal.state, func.count(Proposal.id))
                                  .group_by(Proposal.state)).all())
    approved, rejected = session.execute(select(
        func.count(Proposal.terms_sha256), func.sum(case(   # terms_sha256: set on approval
            (Proposal.state == str(State.REJECTED), 1), else_=0)))).one()
    # A visit is the time from entering a step to leaving it (each visit counts: a proposal
    # sent back for changes visits "update" again); grouped by the weekday it began and its
    # length in days, so the rows are few however many proposals there are.
    sql = _VISITS_POSTGRESQL if session.get_bind().dialect.name == "postgresql" \
        else _VISITS_SQLITE
    histograms: dict[str, dict[int, int]] = {}
    for state, weekday, days, visits in session.execute(text(sql)):
        if state in STEPS:
            bucket = histograms.setdefault(state, {})
            worked = t.working_days(int(weekday), int(days))
            bucket[worked] = bucket.get(worked, 0) + int(visits)
    steps = tuple(t.StepFigures(str(s), i + 1, counts.get(str(s), 0),
                                t.median(histograms.get(str(s), {})),
                                sum(histograms.get(str(s), {}).values()))
                  for i, s in enumerate(STEPS))
    return t.Pipeline(steps, {str(s): counts.get(str(s), 0) for s in sorted(FINAL_STATES)},
                      sum(s.proposals for s in steps), int(approved or 0),
                      int(rejected or 0), t.approval_rate(int(approved or 0),
                                                          int(rejected or 0)))


def _agreements(session: Session) -> tuple[t.Agreement, ...]:
    signed_at = (select(Signature.proposal_id, func.max(Signature.signed_at).label("at"))
                 .join(Proposal, Signature.proposal_id == Proposal.id)
                 .where(Proposal.state == SIGNED).group_by(Signature.proposal_id).subquery())
    rows = session.execute(
        select(Proposal.id, Proposal.folio, Proposal.title, Proposal.technology,
               Proposal.approved_terms, Company.legal_name, Company.state_code,
               Company.municipality_key, signed_at.c.at)
        .join(Company, Proposal.company_id == Company.id)
        .join(signed_at, signed_at.c.proposal_id == Proposal.id)
        .order_by(signed_at.c.at.desc(), Proposal.id.desc())).all()
    places: dict[int, list[tuple[str | None, int | None]]] = {}
    for proposal_id, key, population in session.execute(
            select(Locality.proposal_id, Locality.inegi_key, Locality.population)
            .join(Proposal, Locality.proposal_id == Proposal.id).where(Proposal.state == SIGNED)
            .order_by(Locality.proposal_id, Locality.position)):
        places.setdefault(proposal_id, []).append((key, population))
    sites: dict[int, dict[str, int]] = {}
    for proposal_id, kind, n in session.execute(
            select(SocialSite.proposal_id, SocialSite.kind, func.count(SocialSite.id))
            .join(Proposal, SocialSite.proposal_id == Proposal.id)
            .where(Proposal.state == SIGNED).group_by(SocialSite.proposal_id, SocialSite.kind)):
        sites.setdefault(proposal_id, {})[kind] = n
    agreements = []
    for row in rows:
        terms = row.approved_terms or {}
        localities = places.get(row.id, [])
        agreements.append(t.Agreement(
            folio=row.folio, company=row.legal_name, title=row.title,
            state_code=row.state_code or "", municipality_key=row.municipality_key,
            technology=row.technology,
            amount=Decimal(str(terms.get("amount", "0"))).quantize(t.CENT),
            term_months=terms.get("term_months"), grace_months=terms.get("grace_months"),
            annual_rate=Decimal(str(terms["annual_rate"])) if "annual_rate" in terms else None,
            signed_on=row.at.astimezone(PROGRAM_TIMEZONE).date(),
            locality_keys=tuple(k for k, _p in localities if k),
            localities=len(localities), population=sum(p or 0 for _k, p in localities),
            sites=sites.get(row.id, {})))
    return tuple(agreements)


def compute(session: Session, current: Stamp) -> Published:
    """Gather every figure afresh (a handful of GROUP BY statements)."""
    states = _signed_by_state(session)
    return Published(current, states, t.sum_figures("00", states.values()),
                     _pipeline(session), _agreements(session))


def first_signed_on(snapshot: Published) -> date | None:
    """The day of the first signature published (the dataset's issue date)."""
    return min((a.signed_on for a in snapshot.agreements), default=None)
