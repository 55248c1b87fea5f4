"""Load a PostgreSQL database with N proposals as years of real use would leave them.

Companies in every state of the republic, their SME users, PROMTEL reviewers and FOCIR
officers. Each proposal is created on a day of the last four years and walked along the
workflow by a simulation of the people involved: the SME fills in and edits its draft and
submits it (freezing revisions), PROMTEL and FOCIR give feedback, ask for changes, reject,
present, give opinions and approve, both parties sign, and some SMEs withdraw. Where a proposal
stands today is wherever its simulated timeline reaches now, so old proposals are mostly
finished and recent ones spread across the ten steps, as in a running program.

Everything is written with COPY, never through the API, but the rows are the ones the services
would write: each history entry is sealed with the configured ``AUDIT_KEY`` (the domain's own
MAC functions) in one gap-free global chain, every stream has its sealed head, and the
proposals' state, version, terms, signatures and revisions agree with their history, so that
``flask --app wsgi audit verify`` passes and the app's own reads and transitions work.

Sixteen proposals of sixteen companies are held at step 5 (PROMTEL's verification): the
benchmark's transitions ask for changes and submit the update on them, round and round.
"""

from __future__ import annotations

import contextlib
import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg
from alembic import command
from argon2 import PasswordHasher
from psycopg.types.json import Jsonb
from sqlalchemy import make_url
from stdnum.mx import rfc as rfc_check

from promtel_fin.cli import alembic_config
from promtel_fin.domain.history import (
    GENESIS,
    GLOBAL_STREAM,
    Keyring,
    canonical_json,
    entry_mac,
    head_content,
    stream_of,
)
from promtel_fin.domain.identifiers import format_folio
from promtel_fin.domain.policy import Policy
from promtel_fin.domain.workflow import State
from promtel_fin.services.folios import folio_year
from promtel_fin.services.workflow import normalize_terms, terms_digest

PASSWORD = "Bench-Lince-Maguey-42"
PROPOSALS_PER_COMPANY = 8
REVIEWERS, OFFICERS = 25, 10
HELD_FOR_TRANSITIONS = 16
# The data set carries no documents (their files and checks are not what this benchmark
# measures), so the policy it loads, in force from before the first proposal, asks for none.
BENCH_POLICY = replace(Policy(), checklist=())
YEARS = 4
TECHNOLOGIES = ("ftth", "fixed_wireless", "small_cells", "wifi_hotspots", "satellite", "other")
# Mean days a proposal spends at each step before someone acts.
MEAN_DAYS = {
    State.CONTACT: 3, State.PROPOSAL: 10, State.PROMTEL_FEEDBACK: 7, State.UPDATE: 12,
    State.PROMTEL_VERIFICATION: 6, State.FOCIR_PRESENTATION: 5, State.FOCIR_FEEDBACK: 10,
    State.PROMTEL_OPINION: 5, State.FOCIR_DECISION: 10, State.AGREEMENT: 8,
}
DOCUMENT_FIELDS = sorted(("title", "summary", "technology", "localities", "social_sites",
                          "requested_amount", "term_months", "grace_months",
                          "amortization_method", "guarantees", "credit_history", "cash_flows"))


def database_name(url: str) -> str:
    """Give the database name of a SQLAlchemy URL."""
    return make_url(url).database or ""


def psycopg_dsn(url: str) -> str:
    """Turn a SQLAlchemy PostgreSQL URL into a libpq connection string."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class People:
    """Who is in the database: ids by role, and each company's SME user."""

    admin: int
    reviewers: list[int]
    officers: list[int]
    sme_of_company: dict[int, int]
    sme_email: dict[int, str]


@dataclass
class Timeline:
    """One proposal's rows and the events of its history, in order."""

    row: dict[str, Any]
    document: dict[str, Any]
    events: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)
    revisions: list[dict[str, Any]] = field(default_factory=list)
    signatures: list[dict[str, Any]] = field(default_factory=list)


class Simulation:
    """Walk proposals along the workflow with random but plausible people and delays."""

    def __init__(self, rng: random.Random, people: People, companies: dict[int, dict[str, Any]],
                 now: datetime):
        self.rng = rng
        self.people = people
        self.companies = companies
        self.now = now
        self.policy = BENCH_POLICY.to_dict()

    def days(self, state: State) -> timedelta:
        """Draw how long someone takes to act at a step."""
        mean = MEAN_DAYS[state]
        return timedelta(seconds=self.rng.expovariate(1 / (mean * 86400)) + 60)

    def document(self, proposal_id: int, company: dict[str, Any]) -> dict[str, Any]:
        """Draw a complete proposal document inside the policy's limits."""
        rng = self.rng
        towns = [f"Localidad {proposal_id}-{i}" for i in range(rng.randint(1, 4))]
        amount = Decimal(rng.randrange(500_000, 9_500_000, 10_000))
        term = rng.choice((24, 30, 36, 40))
        grace = rng.choice((0, 3, 6))
        flows = []
        for year in range(1, 6):
            revenue = Decimal(rng.randrange(600_000, 4_000_000, 1000))
            flows.append({"year": year, "revenue": f"{revenue:.2f}",
                          "opex": f"{revenue * Decimal('0.45'):.2f}",
                          "capex": f"{(amount if year == 1 else Decimal(150_000)):.2f}",
                          "taxes": f"{revenue * Decimal('0.08'):.2f}"})
        return {
            "title": f"Red rural {proposal_id} en {company['state_code']}",
            "summary": "Conectividad para comunidades sin servicio: red de acceso, troncal y "
                       "puntos de servicio social.",
            "technology": rng.choice(TECHNOLOGIES),
            "localities": [{"name": t, "inegi_key": f"{rng.randrange(10**8, 10**9)}",
                            "population": rng.randrange(150, 2500), "priority_zone":
                            rng.random() < 0.4} for t in towns],
            "social_sites": [{"kind": rng.choice(("school", "health_centre", "library")),
                              "name": f"Sitio {i}", "locality": towns[0]}
                             for i in range(rng.randint(1, 3))],
            "requested_amount": f"{amount:.2f}",
            "term_months": term, "grace_months": grace,
            "amortization_method": rng.choice(("level", "equal_principal")),
            "guarantees": [{"kind": "real_estate", "description": "Terreno y caseta",
                            "value": f"{amount * Decimal('1.6'):.2f}"}],
            "credit_history": {"bureau_score": rng.randrange(560, 820),
                               "report_date": (self.now.date() - timedelta(
                                   days=rng.randrange(1, 80))).isoformat()},
            "cash_flows": flows,
        }

    def walk(self, proposal_id: int, company_id: int, created: datetime,
             hold_at: State | None = None) -> Timeline:
        """Simulate one proposal from its creation until now (or until ``hold_at``)."""
        rng, people = self.rng, self.people
        sme = people.sme_of_company[company_id]
        reviewer = rng.choice(people.reviewers)
        officer = rng.choice(people.officers)
        document = self.document(proposal_id, self.companies[company_id])
        row: dict[str, Any] = {
            "id": proposal_id, "company_id": company_id, "created_by_id": sme,
            "state": str(State.CONTACT), "state_entered_at": created, "created_at": created,
            "updated_at": created, "assigned_reviewer_id": None, "presented_at": None,
            "opinion": None, "approved_terms": None, "terms_sha256": None,
            "policy_snapshot": None,
        }
        line = Timeline(row, document)
        at = created
        signed: set[str] = set()
        state = State.CONTACT

        def event(moment: datetime, actor: int, role: str, action: str, to: State,
                  comment: str = "", payload: dict[str, Any] | None = None) -> None:
            nonlocal state
            line.events.append((moment, {
                "actor_id": actor, "actor_role": role, "action": action,
                "from_state": None if action == "create" else str(state), "to_state": str(to),
                "comment": comment, "payload": payload or {},
                "revision_number": (len(line.revisions) or None)
                if action not in ("create", "edit") else None,
            }))
            row["updated_at"] = moment
            if to != state:
                row["state_entered_at"] = moment
            state = to
            row["state"] = str(to)

        def edits(start: datetime, until: datetime) -> None:
            moments = sorted(start + (until - start) * rng.random()
                             for _ in range(rng.choice((0, 1, 1, 2, 3))))
            for moment in moments:
                if start < moment < until:
                    event(moment, sme, "sme", "edit", state,
                          payload={"fields": sorted(rng.sample(DOCUMENT_FIELDS, 2))})

        def freeze(moment: datetime, action: str, to: State) -> None:
            number = len(line.revisions) + 1
            snapshot = {**document, "summary": f"{document['summary']} (versión {number})",
                        "company": {k: self.companies[company_id][k] for k in
                                    ("legal_name", "rfc", "state_code", "municipality_key")}}
            digest = hashlib.sha256(canonical_json(snapshot).encode()).hexdigest()
            line.revisions.append({"proposal_id": proposal_id, "number": number,
                                   "action": action, "document": snapshot,
                                   "document_sha256": digest, "created_by_id": sme,
                                   "created_at": moment})
            event(moment, sme, "sme", action, to,
                  payload={"revision": number, "revision_sha256": digest})

        event(at, sme, "sme", "create", State.CONTACT, payload={"fields": DOCUMENT_FIELDS})
        while state not in (State.SIGNED, State.REJECTED, State.WITHDRAWN):
            if state == hold_at:
                break
            nxt = at + self.days(state)
            if nxt > self.now:
                if state in (State.CONTACT, State.PROPOSAL, State.UPDATE):
                    edits(at, self.now)
                break
            if state in (State.CONTACT, State.PROPOSAL, State.UPDATE):
                edits(at, nxt)
            # Held proposals take the happy path: the last branch of each step.
            at, roll = nxt, 1.0 if hold_at else rng.random()
            if state == State.CONTACT:
                if roll < 0.05:
                    event(at, sme, "sme", "withdraw", State.WITHDRAWN)
                else:
                    row["assigned_reviewer_id"] = reviewer
                    event(at, reviewer, "promtel", "acknowledge_contact", State.PROPOSAL,
                          payload={"reviewer_id": reviewer})
            elif state == State.PROPOSAL:
                if roll < 0.08:
                    event(at, sme, "sme", "withdraw", State.WITHDRAWN)
                else:
                    freeze(at, "submit_proposal", State.PROMTEL_FEEDBACK)
            elif state == State.PROMTEL_FEEDBACK:
                if roll < 0.15:
                    event(at, reviewer, "promtel", "reject", State.REJECTED,
                          "Fuera de la zona de cobertura del programa.",
                          {"reason": "Fuera de la zona de cobertura del programa."})
                else:
                    event(at, reviewer, "promtel", "give_feedback", State.UPDATE,
                          "Precise la demanda por localidad y el plan de despliegue.")
            elif state == State.UPDATE:
                if roll < 0.05:
                    event(at, sme, "sme", "withdraw", State.WITHDRAWN)
                else:
                    freeze(at, "submit_update", State.PROMTEL_VERIFICATION)
            elif state == State.PROMTEL_VERIFICATION:
                if roll < 0.05:
                    event(at, reviewer, "promtel", "reject", State.REJECTED,
                          "La propuesta no es viable.", {"reason": "La propuesta no es viable."})
                elif roll < 0.25:
                    event(at, reviewer, "promtel", "request_changes", State.UPDATE,
                          "Actualice el flujo de efectivo del año 2.")
                else:
                    event(at, reviewer, "promtel", "verify", State.FOCIR_PRESENTATION)
            elif state == State.FOCIR_PRESENTATION:
                row["presented_at"] = at
                event(at, reviewer, "promtel", "present_to_focir", State.FOCIR_FEEDBACK,
                      "Proyecto con alto componente social.")
            elif state == State.FOCIR_FEEDBACK:
                if roll < 0.10:
                    event(at, officer, "focir", "reject", State.REJECTED,
                          "Riesgo crediticio alto.", {"reason": "Riesgo crediticio alto."})
                elif roll < 0.20:
                    event(at, officer, "focir", "request_changes", State.UPDATE,
                          "Amplíe las garantías.")
                else:
                    event(at, officer, "focir", "give_feedback", State.PROMTEL_OPINION,
                          "Bancable con las garantías ofrecidas.")
            elif state == State.PROMTEL_OPINION:
                opinion = "favourable" if roll < 0.85 else "unfavourable"
                row["opinion"] = opinion
                event(at, reviewer, "promtel", "give_opinion", State.FOCIR_DECISION,
                      "Opinión con base en el análisis.", {"opinion": opinion})
            elif state == State.FOCIR_DECISION:
                if roll < 0.15:
                    event(at, officer, "focir", "reject", State.REJECTED,
                          "No cumple la política de crédito.",
                          {"reason": "No cumple la política de crédito."})
                else:
                    terms = normalize_terms({
                        "amount": document["requested_amount"], "annual_rate": "0.10",
                        "vat_rate": "0.16", "term_months": document["term_months"],
                        "grace_months": document["grace_months"],
                        "method": document["amortization_method"]})
                    digest = terms_digest(proposal_id, terms)
                    row.update(approved_terms=terms, terms_sha256=digest,
                               policy_snapshot=self.policy)
                    event(at, officer, "focir", "approve", State.AGREEMENT, "",
                          {"terms": terms, "terms_sha256": digest, "policy": self.policy})
            elif state == State.AGREEMENT:
                party = rng.choice(sorted({"sme", "focir"} - signed))
                if party == "sme" and roll < 0.03:
                    event(at, sme, "sme", "withdraw", State.WITHDRAWN)
                    continue
                signed.add(party)
                actor = sme if party == "sme" else officer
                line.signatures.append({"proposal_id": proposal_id, "party": party,
                                        "user_id": actor, "terms_sha256": row["terms_sha256"],
                                        "signed_at": at})
                event(at, actor, party, "sign",
                      State.SIGNED if len(signed) == 2 else State.AGREEMENT, "",
                      {"terms_sha256": row["terms_sha256"]})
        row["version"] = len(line.events)
        return line


def _rfc(n: int) -> str:
    base = f"BNC{date(1990, 1, 1) + timedelta(days=n // 90):%y%m%d}{n % 90 + 10:02d}"
    return base + rfc_check.calc_check_digit(base)


def _people(n_companies: int, now: datetime) -> tuple[list[dict], list[dict], People]:
    password_hash = PasswordHasher().hash(PASSWORD)
    companies, users = [], []
    sme_of, emails = {}, {}
    for c in range(1, n_companies + 1):
        code = f"{(c - 1) % 32 + 1:02d}"
        companies.append({"id": c, "legal_name": f"Telecomunicaciones Rurales {c}, S.A. de C.V.",
                          "rfc": _rfc(c), "state_code": code, "municipality_key": f"{code}001",
                          "created_at": now - timedelta(days=YEARS * 366)})
    uid = 0

    def user(email: str, role: str, company_id: int | None = None) -> int:
        nonlocal uid
        uid += 1
        users.append({"id": uid, "email": email, "name": email.split("@")[0],
                      "password_hash": password_hash, "role": role, "company_id": company_id,
                      "active": True, "created_at": now - timedelta(days=YEARS * 366),
                      # confirmed, as users made by an administrator are (issue 11 §4)
                      "email_confirmed_at": now - timedelta(days=YEARS * 366)})
        return uid

    admin = user("admin@bench.promtel.mx", "admin")
    reviewers = [user(f"revisor{i}@bench.promtel.mx", "promtel") for i in range(1, REVIEWERS + 1)]
    officers = [user(f"oficial{i}@bench.focir.mx", "focir") for i in range(1, OFFICERS + 1)]
    for c in range(1, n_companies + 1):
        emails[c] = f"pyme{c}@bench.pyme.mx"
        sme_of[c] = user(emails[c], "sme", c)
    return companies, users, People(admin, reviewers, officers, sme_of, emails)


COLUMNS = {
    "companies": ("id", "legal_name", "rfc", "state_code", "municipality_key", "created_at"),
    "users": ("id", "email", "name", "password_hash", "role", "company_id", "active",
              "created_at", "email_confirmed_at"),
    "proposals": ("id", "folio", "company_id", "created_by_id", "title", "summary", "technology",
                  "requested_amount", "term_months", "grace_months", "amortization_method",
                  "bureau_score", "credit_report_date", "state", "version", "state_entered_at",
                  "assigned_reviewer_id", "presented_at", "opinion", "approved_terms",
                  "terms_sha256", "policy_snapshot", "created_at", "updated_at"),
    "localities": ("proposal_id", "position", "name", "inegi_key", "population",
                   "priority_zone"),
    "social_sites": ("proposal_id", "position", "kind", "name", "locality"),
    "guarantees": ("proposal_id", "position", "kind", "description", "value"),
    "cash_flows": ("proposal_id", "year", "revenue", "opex", "capex", "taxes"),
    "folio_counters": ("year", "last"),
    "revisions": ("proposal_id", "number", "action", "document", "document_sha256",
                  "created_by_id", "created_at"),
    "signatures": ("proposal_id", "party", "user_id", "terms_sha256", "signed_at"),
    "history_entries": ("id", "proposal_id", "seq", "gseq", "actor_id", "actor_role", "action",
                        "from_state", "to_state", "comment", "payload", "revision_number",
                        "proposal_version", "created_at", "prev_hash", "gprev_hash", "key_id",
                        "hash"),
    "history_heads": ("stream", "count", "last_hash", "key_id", "mac", "updated_at"),
    "policies": ("effective_from", "parameters", "note", "created_at"),
}
JSON_COLUMNS = {"approved_terms", "policy_snapshot", "document", "payload", "parameters"}


def _copy(cur: psycopg.Cursor, table: str, rows: Iterator[dict[str, Any]]) -> int:
    columns = COLUMNS[table]
    json_at = [i for i, c in enumerate(columns) if c in JSON_COLUMNS]
    n = 0
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            values = [row.get(c) for c in columns]
            for i in json_at:
                if values[i] is not None:
                    values[i] = Jsonb(values[i])
            copy.write_row(values)
            n += 1
    return n


def _proposal_row(line: Timeline) -> dict[str, Any]:
    doc = line.document
    credit = doc["credit_history"]
    return {**line.row, "title": doc["title"], "summary": doc["summary"],
            "technology": doc["technology"], "requested_amount": Decimal(doc["requested_amount"]),
            "term_months": doc["term_months"], "grace_months": doc["grace_months"],
            "amortization_method": doc["amortization_method"],
            "bureau_score": credit["bureau_score"],
            "credit_report_date": date.fromisoformat(credit["report_date"])}


def _children(lines: list[Timeline], part: str) -> Iterator[dict[str, Any]]:
    for line in lines:
        pid = line.row["id"]
        if part == "cash_flows":
            for flow in line.document["cash_flows"]:
                yield {"proposal_id": pid, **{k: Decimal(v) if k != "year" else v
                                              for k, v in flow.items()}}
            continue
        for i, item in enumerate(line.document[part]):
            values = dict(item)
            if "value" in values:
                values["value"] = Decimal(values["value"])
            yield {"proposal_id": pid, "position": i, **values}


@dataclass
class Loaded:
    """What the benchmark needs to know about the data it loaded."""

    proposals: int
    entries: int
    rows: int
    people: People
    # (proposal id, version, SME user's company, state): at step 5, or at step 4 when a
    # reused database was left there by an earlier run's transitions
    held: list[tuple[int, int, int, str]]


def wipe_and_migrate(url: str) -> None:
    """Drop everything in the database's public schema and run the migrations."""
    with psycopg.connect(psycopg_dsn(url), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    command.upgrade(alembic_config(url), "head")


def load(url: str, n: int, keys: Keyring, seed: int = 2027,
         now: datetime | None = None) -> Loaded:
    """Wipe the database, migrate it, and load ``n`` proposals with their whole history."""
    now = now or datetime.now(UTC)
    rng = random.Random(seed)
    wipe_and_migrate(url)
    n_companies = max(HELD_FOR_TRANSITIONS, n // PROPOSALS_PER_COMPANY)
    companies, users, people = _people(n_companies, now)
    by_id = {c["id"]: c for c in companies}
    simulation = Simulation(rng, people, by_id, now)
    span = timedelta(days=YEARS * 365).total_seconds()
    lines = []
    for pid in range(1, n + 1):
        if pid <= HELD_FOR_TRANSITIONS:
            company = pid
            created = now - timedelta(days=365 + pid)
            lines.append(simulation.walk(pid, company, created, State.PROMTEL_VERIFICATION))
            continue
        company = rng.randint(1, n_companies)
        created = now - timedelta(seconds=rng.random() * span)
        lines.append(simulation.walk(pid, company, created))
    # Proposal ids follow creation, as the database's sequence would have given them.
    lines.sort(key=lambda line: line.row["created_at"])
    renumber = {line.row["id"]: i for i, line in enumerate(lines, 1)}
    for line in lines:
        new = renumber[line.row["id"]]
        line.row["id"] = new
        for item in (*line.revisions, *line.signatures):
            item["proposal_id"] = new
        if line.row["terms_sha256"]:
            _retarget_terms(line, new)
    counters: dict[int, int] = {}
    for line in lines:  # in creation order, numbered within each year as services/folios.py does
        year = folio_year(line.row["created_at"])
        counters[year] = counters.get(year, 0) + 1
        line.row["folio"] = format_folio(year, counters[year])
    rows = 0
    with psycopg.connect(psycopg_dsn(url)) as conn, conn.cursor() as cur:
        rows += _copy(cur, "companies", iter(companies))
        rows += _copy(cur, "users", iter(users))
        rows += _copy(cur, "proposals", (_proposal_row(line) for line in lines))
        for part in ("localities", "social_sites", "guarantees", "cash_flows"):
            rows += _copy(cur, part, _children(lines, part))
        rows += _copy(cur, "revisions", (r for line in lines for r in line.revisions))
        rows += _copy(cur, "signatures", (s for line in lines for s in line.signatures))
        entries, heads = _history(lines, keys)
        rows += _copy(cur, "history_entries", entries)
        rows += _copy(cur, "history_heads", iter(heads))
        rows += _copy(cur, "folio_counters",
                      iter({"year": y, "last": n} for y, n in sorted(counters.items())))
        rows += _copy(cur, "policies", iter([{
            "effective_from": (now - timedelta(days=(YEARS + 1) * 365)).date(),
            "parameters": BENCH_POLICY.to_dict(), "note": "bench: no documents asked for",
            "created_at": now}]))
        for table in ("companies", "users", "proposals", "localities", "social_sites",
                      "guarantees", "cash_flows", "revisions", "signatures", "history_entries"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")
        conn.commit()
    with psycopg.connect(psycopg_dsn(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        # Write the loaded pages out now, not during the first measurements (needs a superuser
        # or pg_checkpoint; without it the background checkpointer does it a little later).
        with contextlib.suppress(psycopg.errors.InsufficientPrivilege):
            conn.execute("CHECKPOINT")
    held = [(line.row["id"], line.row["version"], line.row["company_id"], line.row["state"])
            for line in lines
            if line.row["state"] == State.PROMTEL_VERIFICATION
            and line.row["company_id"] <= HELD_FOR_TRANSITIONS]
    n_entries = sum(len(line.events) for line in lines)
    return Loaded(n, n_entries, rows, people, held)


def _retarget_terms(line: Timeline, new_id: int) -> None:
    """Recompute the terms' digest for the proposal's final id, wherever it was recorded."""
    digest = terms_digest(new_id, line.row["approved_terms"])
    line.row["terms_sha256"] = digest
    for signature in line.signatures:
        signature["terms_sha256"] = digest
    for _moment, entry in line.events:
        if "terms_sha256" in entry["payload"]:
            entry["payload"]["terms_sha256"] = digest


def _history(lines: list[Timeline], keys: Keyring) -> tuple[Iterator[dict[str, Any]],
                                                             list[dict[str, Any]]]:
    """Give the history entries in global order, sealed, and (once consumed) every head."""
    events = []
    for line in lines:
        pid = line.row["id"]
        for seq, (moment, entry) in enumerate(line.events, 1):
            events.append((moment, pid, seq, entry))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    heads: list[dict[str, Any]] = []
    kid = keys.current_id

    def entries() -> Iterator[dict[str, Any]]:
        last: dict[int, tuple[int, str, datetime]] = {}
        previous = GENESIS
        moment = None
        for gseq, (moment, pid, seq, entry) in enumerate(events, 1):
            stream_prev = last[pid][1] if pid in last else GENESIS
            row = {**entry, "id": gseq, "proposal_id": pid, "seq": seq, "gseq": gseq,
                   "proposal_version": seq, "created_at": moment, "prev_hash": stream_prev,
                   "gprev_hash": previous, "key_id": kid}
            row["hash"] = entry_mac(keys, row)
            previous = row["hash"]
            last[pid] = (seq, row["hash"], moment)
            yield row
        for pid, (count, last_hash, when) in last.items():
            heads.append(_head(keys, stream_of(pid), count, last_hash, when))
        if moment is not None:
            heads.append(_head(keys, GLOBAL_STREAM, len(events), previous, moment))

    return entries(), heads


def _head(keys: Keyring, stream: str, count: int, last_hash: str,
          moment: datetime) -> dict[str, Any]:
    kid = keys.current_id
    return {"stream": stream, "count": count, "last_hash": last_hash, "key_id": kid,
            "mac": keys.mac(head_content(stream, count, last_hash, kid, moment)),
            "updated_at": moment}


def reuse(url: str, n: int) -> Loaded | None:
    """Give what ``load`` would for a database that already holds exactly ``n`` proposals at
    the migrations' head (loaded by an earlier run), or None when it must be loaded again.

    An earlier run's transitions may have left some held proposals at step 4 (changes asked
    for): they are held all the same, the SME's update coming first.
    """
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    with psycopg.connect(psycopg_dsn(url)) as conn:
        try:
            version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            count = conn.execute("SELECT count(*) FROM proposals").fetchone()
        except psycopg.Error:
            return None
        if version is None or version[0] != head or count is None or count[0] != n:
            return None
        entries = conn.execute("SELECT count(*) FROM history_entries").fetchone()
        users = conn.execute("SELECT id, email, role, company_id FROM users ORDER BY id"
                             ).fetchall()
        held = conn.execute(
            "SELECT id, version, company_id, state FROM proposals WHERE company_id <= %s "
            "AND state IN (%s, %s) ORDER BY id",
            (HELD_FOR_TRANSITIONS, str(State.PROMTEL_VERIFICATION), str(State.UPDATE))
        ).fetchall()
    by_role: dict[str, list[int]] = {}
    sme_of, emails = {}, {}
    for uid, email, role, company in users:
        by_role.setdefault(role, []).append(uid)
        if role == "sme":
            sme_of[company], emails[company] = uid, email
    people = People(by_role["admin"][0], by_role["promtel"], by_role["focir"], sme_of, emails)
    return Loaded(n, entries[0] if entries else 0, 0, people,
                  [(pid, v, company, state) for pid, v, company, state in held])
