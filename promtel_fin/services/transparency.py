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
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import BigInteger, Numeric, case, cast, func, literal_column, select, text
from sqlalchemy.dialects.postgresql import aggregate_order_by
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


class Published:
    """What the portal and the open data show, as of one stamp, each part computed when first
    asked for: the map and the stats need no agreement one by one, a state's page only its own
    agreements, and the CSV is written straight from the rows.

    ``previous`` is the snapshot of the stamp before: while one request computes a part, the
    others are served that part from the previous snapshot (when it has it) rather than all
    computing it at once.
    """

    def __init__(self, stamp: Stamp, previous: Published | None = None) -> None:
        self.stamp = stamp
        self.previous = previous
        self.parts: dict[str, Any] = {}
        self.lock = threading.RLock()   # a part may be made of another (the figures by state)

    @property
    def modified(self) -> datetime | None:
        return self.stamp.modified

    def part(self, name: str, make: Callable[[], Any], fallback: bool = True
             ) -> tuple[Published, Any]:
        """Give a part and the snapshot it belongs to: this one, or (with ``fallback``) the
        previous one while another request computes it here."""
        if name in self.parts:
            return self, self.parts[name]
        previous = self.previous
        ready = fallback and previous is not None and name in previous.parts
        if not self.lock.acquire(blocking=not ready):
            assert previous is not None
            return previous, previous.parts[name]
        try:
            if name not in self.parts:
                self.parts[name] = make()
                if all(p in self.parts for p in (previous.parts if previous else ())):
                    self.previous = None    # everything it had is here now: let it go
        finally:
            self.lock.release()
        return self, self.parts[name]

    def etag(self, *parts: str) -> str:
        """An entity tag for one representation of this snapshot."""
        seed = "|".join((self.stamp.key, *parts))
        return hashlib.sha256(seed.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Figures:
    """The map's, the table's and the stats' figures: by state, in total, and the pipeline."""

    snapshot: Published
    states: dict[str, t.StateFigures]       # the 32 states, those without agreements included
    totals: t.StateFigures
    pipeline: t.Pipeline

    @property
    def modified(self) -> datetime | None:
        return self.snapshot.modified

    def etag(self, *parts: str) -> str:
        return self.snapshot.etag(*parts)

    @cached_property
    def breaks(self) -> list[Decimal]:
        return t.amount_breaks(s.amount for s in self.states.values())


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
    """The snapshot for this request, from the application's cache (see ``published``)."""
    cache = shared_cache(current_app.extensions,
                         current_app.config.get("TRANSPARENCY_REFRESH_SECONDS", 300))
    return published(session, cache)


def published(session: Session, cache: SnapshotCache) -> Published:
    """Give the snapshot of the data's current stamp, read at most every ``refresh_seconds``.

    A new stamp gives a new, empty snapshot (its parts are computed when asked for) that keeps
    the one before, to serve while a part is being computed.
    """
    now = time.monotonic()
    snapshot = cache.snapshot
    if snapshot is not None and now - cache.checked < cache.refresh_seconds:
        return snapshot
    if not cache.lock.acquire(blocking=snapshot is None):
        return snapshot   # another request is reading the stamp
    try:
        snapshot = cache.snapshot
        current = stamp(session)
        if snapshot is None or snapshot.stamp.key != current.key:
            if snapshot is not None:
                snapshot.previous = None    # one snapshot back, never a chain
            snapshot = Published(current, snapshot)
        cache.snapshot, cache.checked = snapshot, time.monotonic()
    finally:
        cache.lock.release()
        session.rollback()   # a read: end the transaction
    return snapshot


def _read(session: Session, make: Callable[[Session], Any]) -> Callable[[], Any]:
    def run() -> Any:
        try:
            return make(session)
        finally:
            session.rollback()   # a read: end the transaction
    return run


def _states(snapshot: Published, session: Session) -> dict[str, t.StateFigures]:
    """The figures by state of this very snapshot (inside another part: never the previous's)."""
    return snapshot.part("states", _read(session, _signed_by_state), fallback=False)[1]


def figures(session: Session) -> Figures:
    """The figures by state and the pipeline (the map, its table and the stats)."""
    snapshot = published_now(session)
    owner, (states, pipeline) = snapshot.part(
        "figures", lambda: (_states(snapshot, session), _read(session, _pipeline)()))
    return Figures(owner, states, t.sum_figures("00", states.values()), pipeline)


def state_agreements(session: Session, code: str
                     ) -> tuple[Published, t.StateFigures, list[t.Agreement]]:
    """One state's figures and its signed agreements, newest signature first."""
    snapshot = published_now(session)
    owner, (figures_, agreements) = snapshot.part(
        f"state:{code}", lambda: (_states(snapshot, session)[code],
                                  _read(session, lambda s: _agreements(s, code))()))
    return owner, figures_, agreements


def agreements_csv(session: Session) -> tuple[Published, Callable[[], bytes]]:
    """The snapshot, and a function giving its CSV of signed agreements (computed once)."""
    snapshot = published_now(session)

    def body() -> bytes:
        return snapshot.part("csv", _read(session, _csv), fallback=False)[1]
    return snapshot, body


def catalog_dates(session: Session) -> tuple[Published, Callable[[], date | None]]:
    """The snapshot, and a function giving the day of the first signature published."""
    snapshot = published_now(session)

    def issued() -> date | None:
        return snapshot.part("first_signed_on", _read(session, _first_signed_on),
                             fallback=False)[1]
    return snapshot, issued


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


def _signed_at() -> Any:
    """Each signed proposal's signing moment: when the last of the two parties signed."""
    return (select(Signature.proposal_id, func.max(Signature.signed_at).label("at"))
            .join(Proposal, Signature.proposal_id == Proposal.id)
            .where(Proposal.state == SIGNED).group_by(Signature.proposal_id).subquery())


def _agreements(session: Session, code: str | None = None) -> list[t.Agreement]:
    """The signed agreements (of one state, or all), newest signature first.

    One statement: each agreement with its localities and social sites already counted per
    proposal in SQL (on PostgreSQL the localities' keys too, joined in the proposal's order);
    read through the connection, without the ORM's row processing.
    """
    signed_at = _signed_at()
    postgresql = session.get_bind().dialect.name == "postgresql"
    in_state = (Company.state_code == code,) if code is not None else ()
    signed = (Proposal.state == SIGNED, *in_state)
    key = func.nullif(Locality.inegi_key, "")
    places = (select(Locality.proposal_id, func.count(Locality.id).label("n"),
                     func.sum(func.coalesce(Locality.population, 0)).label("people"),
                     *((func.string_agg(
                         key, aggregate_order_by(literal_column("'|'"), Locality.position))
                        .label("keys"),) if postgresql else ()))
              .join(Proposal, Locality.proposal_id == Proposal.id)
              .join(Company, Proposal.company_id == Company.id)
              .where(*signed).group_by(Locality.proposal_id).subquery())
    sites = (select(SocialSite.proposal_id,
                    *(func.sum(case((SocialSite.kind == kind, 1), else_=0)).label(kind)
                      for kind in t.SITE_COLUMNS))
             .join(Proposal, SocialSite.proposal_id == Proposal.id)
             .join(Company, Proposal.company_id == Company.id)
             .where(*signed).group_by(SocialSite.proposal_id).subquery())
    rows = session.connection().execute(
        select(Proposal.id, Proposal.folio, Proposal.title, Proposal.technology,
               Proposal.approved_terms, Company.legal_name, Company.state_code,
               Company.municipality_key, signed_at.c.at, places.c.n, places.c.people,
               *((places.c["keys"],) if postgresql else ()),
               *(sites.c[kind] for kind in t.SITE_COLUMNS))
        .join(Company, Proposal.company_id == Company.id)
        .join(signed_at, signed_at.c.proposal_id == Proposal.id)
        .outerjoin(places, places.c.proposal_id == Proposal.id)
        .outerjoin(sites, sites.c.proposal_id == Proposal.id).where(*in_state)
        .order_by(signed_at.c.at.desc(), Proposal.id.desc())).all()
    keys: dict[int, tuple[str, ...]] = {}
    if not postgresql:   # SQLite (the small embedded default): the keys in order, in Python
        found: dict[int, list[str]] = {}
        for proposal_id, inegi_key in session.execute(
                select(Locality.proposal_id, Locality.inegi_key)
                .join(Proposal, Locality.proposal_id == Proposal.id)
                .join(Company, Proposal.company_id == Company.id)
                .where(*signed, key.is_not(None))
                .order_by(Locality.proposal_id, Locality.position)):
            found.setdefault(proposal_id, []).append(inegi_key)
        keys = {pid: tuple(k) for pid, k in found.items()}
    kinds = tuple(t.SITE_COLUMNS)
    agreements = []
    for row in rows:
        terms = row.approved_terms or {}
        counted = row._mapping
        agreements.append(t.Agreement(
            folio=row.folio, company=row.legal_name, title=row.title,
            state_code=row.state_code or "", municipality_key=row.municipality_key,
            technology=row.technology,
            amount=Decimal(str(terms.get("amount", "0"))).quantize(t.CENT),
            term_months=terms.get("term_months"), grace_months=terms.get("grace_months"),
            annual_rate=Decimal(str(terms["annual_rate"])) if "annual_rate" in terms else None,
            signed_on=row.at.astimezone(PROGRAM_TIMEZONE).date(),
            locality_keys=(tuple(counted["keys"].split("|")) if counted["keys"] else ())
            if postgresql else keys.get(row.id, ()),
            localities=row.n or 0, population=int(row.people or 0),
            sites={kind: int(counted[kind]) for kind in kinds if counted[kind]}))
    return agreements


def _csv(session: Session) -> bytes:
    return t.agreements_csv(_agreements(session))


def _first_signed_on(session: Session) -> date | None:
    """The day of the first signature published (the dataset's issue date)."""
    signed_at = _signed_at()
    first = session.execute(select(signed_at.c.at).order_by(signed_at.c.at).limit(1)).scalar()
    return first.astimezone(PROGRAM_TIMEZONE).date() if first is not None else None
