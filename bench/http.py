"""Benchmark: the API and the pages at 100,000 proposals on PostgreSQL, under gunicorn.

Loads N proposals (default 100,000) into the PostgreSQL database named by ``DATABASE_URL`` with
``bench/loader.py`` (years of simulated use: companies in every state, whole keyed histories,
revisions and signatures, written with COPY), serves the app with gunicorn (4 sync workers) on
the loopback, signs in through the API (bearer tokens) and through ``/login`` (a page session),
and measures with 16 concurrent clients (threads, one keep-alive connection each), for a bounded
number of requests and time per endpoint (in three rounds, the endpoints taking turns), the p50
and p95 latency and the requests per second of: a bare endpoint (``/healthz``), the proposal
list's first page, a deep page of it (about the 500th, reached by following ``next``), the list
filtered by state, the queue, a proposal's detail, its history, its dossier page, the queue
page, and a workflow action (PROMTEL asks for changes on a proposal at step 5, the SME submits
the update, round and round: each client on a proposal of its own).

``--compare-at 1000`` first measures the same at 1,000 proposals, in the same run, so that each
endpoint's growth (its p50 at N over its p50 at 1,000) can be read. It prints a table and, as
its last line, one JSON object::

    {"proposals": N, "endpoints": {NAME: {"p50_ms", "p95_ms", "rps", "ratio_to_hello",
                                           "growth"}}}

where ``ratio_to_hello`` is the endpoint's requests per second over the bare endpoint's. The exit
status is 1 when a request failed or a target is missed: every growth at most 1.3, every read
endpoint at least a quarter of the bare endpoint's requests per second, every p95 under 100 ms.

Where the time goes: the table also gives, per answered request, the CPU time spent by the
gunicorn workers, by PostgreSQL's processes and by this client (read from ``/proc`` around each
measurement), and the whole machine's (its cores times the seconds, over the answers). With the
machine's cores busy (they are, with 16 clients), the requests per second are the machine's
CPU over that cost, so a ratio to the bare endpoint is the ratio of the two costs. Two more
requests are measured for reference, outside the targets and the JSON line: ``me``
(``GET /api/v1/me``: an API request that only identifies its caller, the least any
authenticated read costs) and ``page_shell`` (``GET /privacidad`` signed in: a page of fixed
text in the signed-in layout, the least any page of a signed-in reviewer costs).

The database is wiped: its name must contain ``bench`` or ``test`` (or pass ``--force``).
``--reuse`` skips loading a database that already holds the N proposals at the migrations'
head; the ``--compare-at`` ones then live in a database of their own (``<name>_1000``).

Run::

    createdb -h 127.0.0.1 -U postgres bench_perf
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_perf \\
        .venv/bin/python bench/http.py --compare-at 1000
"""

from __future__ import annotations

import os
import sys

# Run as a script, this file's folder comes first on sys.path, where its name would shadow the
# standard library's ``http`` package (which the imports below need): take the folder out, and
# put the repository in so that ``bench.loader`` and ``promtel_fin`` import.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
sys.path.insert(0, os.path.dirname(_HERE))

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from statistics import median, quantiles  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

import psycopg  # noqa: E402

from bench.loader import PASSWORD, Loaded, database_name, load, psycopg_dsn, reuse  # noqa: E402
from promtel_fin.services.history import keyring  # noqa: E402

ROOT = os.path.dirname(_HERE)
NAMES = ("hello", "list_first", "list_deep", "state_filter", "queue", "detail", "history",
         "dossier_page", "queue_page", "transition")
READS = NAMES[1:-1]
# Measured for reference only (see the module's doc): the least an authenticated API read and a
# signed-in page cost.
REFERENCES = ("me", "page_shell")
DEEP_PAGE = 500
GROWTH_MAX, RATIO_MIN, P95_MAX_MS = 1.3, 0.25, 100.0
REVIEWER = "revisor1@bench.promtel.mx"


class Connection:
    """One client's keep-alive HTTP connection to the server (reopened when it closes)."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """Send one request; give the status, the headers and the body."""
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                data = response.read()
                if response.will_close:
                    self.conn.close()
                return response.status, dict(response.getheaders()), data
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, payload: Any = None,
             headers: dict[str, str] | None = None) -> tuple[int, Any]:
        """Send JSON and read JSON."""
        body = None if payload is None else json.dumps(payload).encode()
        status, _headers, data = self.request(
            method, path, body, {"Content-Type": "application/json", **(headers or {})})
        return status, json.loads(data) if data else None


@contextmanager
def serve(port: int, workers: int, log: Any, url: str) -> Iterator[int]:
    """Run the app under gunicorn on the loopback, on the database of ``url``, until the block
    ends; give gunicorn's master process id."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
         f"127.0.0.1:{port}", "--backlog", "256", "wsgi:app"],
        cwd=ROOT, env={**os.environ, "PROMTEL_ENV": "development", "DATABASE_URL": url,
                       "RATELIMIT_STORAGE_URI": "memory://"},
        stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if Connection(port).request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start (see {log.name})")
            time.sleep(0.2)
        yield process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def api_token(conn: Connection, email: str) -> str:
    """Sign in through the API; give a bearer token."""
    status, body = conn.json("POST", "/api/v1/tokens", {"email": email, "password": PASSWORD})
    if status != 201:
        raise RuntimeError(f"sign-in of {email} answered {status}: {body}")
    return body["token"]


def page_session(conn: Connection, email: str) -> str:
    """Sign in through the /login page; give the session cookie."""
    status, headers, page = conn.request("GET", "/login")
    cookie = headers.get("Set-Cookie", "").split(";")[0]
    token = re.search(rb'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page)
    if status != 200 or token is None:
        raise RuntimeError("the sign-in page has no form")
    form = urlencode({"csrf_token": token.group(1).decode(), "email": email,
                      "password": PASSWORD}).encode()
    status, headers, _page = conn.request("POST", "/login", form, {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    if status != 302:
        raise RuntimeError(f"page sign-in of {email} answered {status}")
    return headers["Set-Cookie"].split(";")[0]


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _processes() -> Iterator[tuple[int, int, str, float]]:
    """Give each process's id, parent's id, command name and CPU seconds (user and system),
    from ``/proc`` (Linux)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                raw = stat.read().decode(errors="replace")
        except OSError:   # ended meanwhile
            continue
        name = raw[raw.index("(") + 1:raw.rindex(")")]
        rest = raw[raw.rindex(")") + 2:].split()
        # After the name: state, ppid, ..., utime and stime are the 12th and 13th fields.
        yield int(entry), int(rest[1]), name, (int(rest[11]) + int(rest[12])) / _TICKS


@dataclass(frozen=True)
class Cpu:
    """CPU seconds used so far by the app's workers, PostgreSQL, this client; and the moment."""

    workers: float
    postgres: float
    client: float
    moment: float

    @classmethod
    def now(cls, master: int) -> Cpu:
        workers = postgres = 0.0
        for _pid, parent, name, seconds in _processes():
            if parent == master:
                workers += seconds
            elif name.startswith("postgres"):
                postgres += seconds
        mine = os.times()
        return cls(workers, postgres, mine.user + mine.system, time.perf_counter())

    def __sub__(self, other: Cpu) -> Cpu:
        return Cpu(self.workers - other.workers, self.postgres - other.postgres,
                   self.client - other.client, self.moment - other.moment)


@dataclass
class Result:
    """What one endpoint measured."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cpu: Cpu = Cpu(0.0, 0.0, 0.0, 0.0)

    def add(self, other: Result) -> None:
        """Add another measurement of the same endpoint (a round) to this one."""
        self.latencies += other.latencies
        self.errors += other.errors
        self.seconds += other.seconds
        self.cpu = Cpu(self.cpu.workers + other.cpu.workers,
                       self.cpu.postgres + other.cpu.postgres,
                       self.cpu.client + other.cpu.client, self.cpu.moment + other.cpu.moment)

    def cpu_ms(self) -> dict[str, float]:
        """Give the CPU milliseconds per answered request: the workers', PostgreSQL's, this
        client's, and the whole machine's (its cores times the seconds measured)."""
        answered = len(self.latencies) or 1
        machine = (os.cpu_count() or 1) * self.cpu.moment
        return {"workers": 1000 * self.cpu.workers / answered,
                "postgres": 1000 * self.cpu.postgres / answered,
                "client": 1000 * self.cpu.client / answered,
                "machine": 1000 * machine / answered}

    @property
    def p50_ms(self) -> float:
        return median(self.latencies) * 1000

    @property
    def p95_ms(self) -> float:
        return quantiles(self.latencies, n=20)[-1] * 1000 if len(self.latencies) > 1 \
            else self.p50_ms

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


# One request of an endpoint: given the client's number, its connection and the request's
# number, send it and give the status (and raise nothing).
Call = Callable[[int, Connection, int], int]


def measure(port: int, clients: int, call: Call, requests: int, seconds: float,
            warmup: int, master: int) -> Result:
    """Run ``call`` from ``clients`` threads until ``requests`` answers or ``seconds`` pass;
    note the CPU that the workers (children of gunicorn's ``master``), PostgreSQL and this
    client used meanwhile."""
    result = Result()
    lock = threading.Lock()
    issued = 0
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def work(client: int) -> None:
        nonlocal issued
        conn = Connection(port)
        for n in range(warmup):
            call(client, conn, -1 - n)
        start.wait()
        while True:
            with lock:
                if issued >= requests or time.monotonic() > deadline[0]:
                    return
                issued += 1
                number = issued
            began = time.perf_counter()
            try:
                status = call(client, conn, number)
            except Exception as error:  # a failed request is reported, not fatal
                status, detail = 0, repr(error)
            else:
                detail = f"status {status}"
            elapsed = time.perf_counter() - began
            with lock:
                if status == 200:
                    result.latencies.append(elapsed)
                else:
                    result.errors.append(detail)

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    deadline[0] = time.monotonic() + seconds + 120   # warm-up first, then the real deadline
    start.wait()
    before = Cpu.now(master)
    began = time.perf_counter()
    deadline[0] = time.monotonic() + seconds
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - began
    result.cpu = Cpu.now(master) - before
    return result


@dataclass
class Setup:
    """What the requests need: credentials, a deep page's URL, ids, proposals to act on."""

    token: str
    cookie: str
    deep: str
    deep_page: int
    ids: list[int]
    held: list[dict[str, Any]]


def prepare(port: int, loaded: Loaded, clients: int, seed: int) -> Setup:
    """Sign in, follow ``next`` to the deep page, and pick proposals to read and act on."""
    conn = Connection(port)
    token = api_token(conn, REVIEWER)
    cookie = page_session(conn, REVIEWER)
    headers = {"Authorization": f"Bearer {token}"}
    link, page = "/api/v1/proposals", 1
    while page < DEEP_PAGE:
        status, body = conn.json("GET", link, headers=headers)
        if status != 200:
            raise RuntimeError(f"{link} answered {status}")
        if body["next"] is None:
            break
        link, page = body["next"], page + 1
    if page == 1:
        raise RuntimeError("the list has one page only")
    if len(loaded.held) < clients:
        raise RuntimeError(f"{len(loaded.held)} proposals held at step 5, {clients} needed")
    held = []
    for pid, version, company, state in loaded.held[:clients]:
        sme = api_token(conn, loaded.people.sme_email[company])
        held.append({"id": pid, "version": version, "sme": sme,
                     "next": "submit_update" if state == "update" else "request_changes"})
    rng = random.Random(seed)
    ids = [rng.randint(1, loaded.proposals) for _ in range(100_000)]
    return Setup(token, cookie, link, page, ids, held)


def calls(setup: Setup) -> dict[str, Call]:
    """Give the request of each endpoint."""
    api = {"Authorization": f"Bearer {setup.token}"}
    page = {"Cookie": setup.cookie, "Accept": "text/html"}

    def get(path: str | Callable[[int], str], headers: dict[str, str]) -> Call:
        def call(_client: int, conn: Connection, n: int) -> int:
            target = path(n) if callable(path) else path
            return conn.request("GET", target, headers=headers)[0]
        return call

    def some(n: int) -> int:
        return setup.ids[n % len(setup.ids)]

    def transition(client: int, conn: Connection, _n: int) -> int:
        mine = setup.held[client]
        if mine["next"] == "request_changes":
            who, params = setup.token, {"comment": "Actualice el flujo del año 2."}
        else:
            who, params = mine["sme"], {}
        status, body = conn.json(
            "POST", f"/api/v1/proposals/{mine['id']}/transitions",
            {"action": mine["next"], "version": mine["version"], **params},
            {"Authorization": f"Bearer {who}"})
        if status == 200:
            mine["version"] = body["version"]
            mine["next"] = ("submit_update" if mine["next"] == "request_changes"
                            else "request_changes")
        return status

    return {
        "hello": get("/healthz", {}),
        "list_first": get("/api/v1/proposals", api),
        "list_deep": get(setup.deep, api),
        "state_filter": get("/api/v1/proposals?state=signed", api),
        "queue": get("/api/v1/queue", api),
        "detail": get(lambda n: f"/api/v1/proposals/{some(n)}", api),
        "history": get(lambda n: f"/api/v1/proposals/{some(n)}/history", api),
        "dossier_page": get(lambda n: f"/proposals/{some(n)}", page),
        "queue_page": get("/queue", page),
        "transition": transition,
        "me": get("/api/v1/me", api),
        "page_shell": get("/privacidad", page),
    }


def sibling_url(url: str, n: int) -> str:
    """Give the URL of the database that ``--reuse`` keeps ``n`` proposals in, next to
    ``url``'s (``bench_perf_1000``), creating it when missing."""
    from sqlalchemy import make_url

    name = f"{database_name(url)}_{n}"
    admin = make_url(url).set(database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(psycopg_dsn(admin), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() \
                is None:
            conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def run_at(n: int, args: argparse.Namespace, log: Any) -> dict[str, Result]:
    """Load ``n`` proposals (or, with ``--reuse``, find them loaded), serve them, and measure
    every endpoint."""
    began = time.monotonic()
    url = args.url
    if args.reuse and n != args.proposals:
        url = sibling_url(args.url, n)
    loaded = reuse(url, n) if args.reuse else None
    if loaded is None:
        loaded = load(url, n, keyring(), seed=args.seed)
        print(f"# {n:,} proposals loaded: {loaded.rows:,} rows, {loaded.entries:,} history "
              f"entries, in {time.monotonic() - began:.0f} s", flush=True)
    else:
        print(f"# {n:,} proposals already loaded ({loaded.entries:,} history entries): reused",
              flush=True)
    results = {name: Result() for name in NAMES + REFERENCES}
    with serve(args.port, args.workers, log, url) as master:
        setup = prepare(args.port, loaded, args.clients, args.seed)
        print(f"# deep page: {setup.deep_page} (by cursor)", flush=True)
        # Endpoints take turns, in rounds, so that whatever else the machine does at some
        # moment weighs on all of them alike.
        for round_ in range(args.rounds):
            for name, call in calls(setup).items():
                results[name].add(measure(
                    args.port, args.clients, call, args.requests // args.rounds,
                    args.seconds / args.rounds,
                    args.warmup if round_ == 0 and name != "transition" else 0, master))
        for name, r in results.items():
            cpu = r.cpu_ms()
            print(f"#   {name:<13} {r.p50_ms:8.2f} ms p50 {r.p95_ms:8.2f} ms p95 "
                  f"{r.rps:8.1f}/s ({len(r.latencies)} in {r.seconds:.1f} s"
                  f"{', ' + str(len(r.errors)) + ' failed' if r.errors else ''}); CPU ms per "
                  f"request: workers {cpu['workers']:.2f}, PostgreSQL {cpu['postgres']:.2f}, "
                  f"client {cpu['client']:.2f}, machine {cpu['machine']:.2f}", flush=True)
    return results


def summarize(n: int, at_n: dict[str, Result],
              at_small: dict[str, Result] | None) -> tuple[dict[str, Any], list[str]]:
    """Give the JSON summary, and the targets missed."""
    hello = at_n["hello"].rps
    endpoints, missed = {}, []
    for name in NAMES:
        r = at_n[name]
        growth = (r.p50_ms / at_small[name].p50_ms) if at_small else None
        entry = {"p50_ms": round(r.p50_ms, 2), "p95_ms": round(r.p95_ms, 2),
                 "rps": round(r.rps, 1), "ratio_to_hello": round(r.rps / hello, 3),
                 "growth": None if growth is None else round(growth, 2)}
        endpoints[name] = entry
        if r.errors:
            missed.append(f"{name}: {len(r.errors)} requests failed ({r.errors[0]})")
        if growth is not None and growth > GROWTH_MAX:
            missed.append(f"{name}: growth {growth:.2f} > {GROWTH_MAX}")
        if name in READS and entry["ratio_to_hello"] < RATIO_MIN:
            missed.append(f"{name}: ratio to hello {entry['ratio_to_hello']} < {RATIO_MIN}")
        if r.p95_ms >= P95_MAX_MS:
            missed.append(f"{name}: p95 {r.p95_ms:.1f} ms >= {P95_MAX_MS:.0f} ms")
    return {"proposals": n, "endpoints": endpoints}, missed


def table(summary: dict[str, Any], large: dict[str, Result], small: dict[str, Result] | None,
          compare_at: int) -> str:
    """Write the results as Markdown tables: the endpoints, then where their CPU went (with
    the two reference requests)."""
    head = "| endpoint | p50 ms | p95 ms | req/s | ratio to hello |"
    rule = "|---|---:|---:|---:|---:|"
    if small:
        head += f" p50 ms at {compare_at:,} | growth |"
        rule += "---:|---:|"
    lines = [head, rule]
    for name, e in summary["endpoints"].items():
        line = (f"| {name} | {e['p50_ms']:.1f} | {e['p95_ms']:.1f} | {e['rps']:.0f} | "
                f"{e['ratio_to_hello']:.2f} |")
        if small:
            line += f" {small[name].p50_ms:.1f} | {e['growth']:.2f} |"
        lines.append(line)
    hello = large["hello"].rps or 1.0
    lines += ["", "| CPU ms per request | workers | PostgreSQL | client | machine | req/s | "
                  "ratio to hello |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name in NAMES + REFERENCES:
        r, cpu = large[name], large[name].cpu_ms()
        label = f"{name} (reference)" if name in REFERENCES else name
        lines.append(f"| {label} | {cpu['workers']:.2f} | {cpu['postgres']:.2f} | "
                     f"{cpu['client']:.2f} | {cpu['machine']:.2f} | {r.rps:.0f} | "
                     f"{r.rps / hello:.2f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--proposals", type=int, default=100_000)
    parser.add_argument("--compare-at", type=int, default=None, metavar="N",
                        help="also measure at N proposals, first (e.g. 1000)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--requests", type=int, default=3000,
                        help="answers measured per endpoint at most")
    parser.add_argument("--seconds", type=float, default=15.0,
                        help="seconds measured per endpoint at most")
    parser.add_argument("--rounds", type=int, default=3,
                        help="turns each endpoint takes (its requests and time are shared)")
    parser.add_argument("--warmup", type=int, default=4, help="requests per client first")
    parser.add_argument("--port", type=int, default=8077)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--reuse", action="store_true",
                        help="skip loading a database that already holds the proposals at the "
                             "migrations' head (the --compare-at ones are kept in a database "
                             "of their own, named like DATABASE_URL's with _N appended)")
    parser.add_argument("--force", action="store_true",
                        help="wipe a database whose name contains neither bench nor test")
    args = parser.parse_args()
    args.url = os.environ.get("DATABASE_URL", "")
    if not args.url.startswith("postgresql"):
        parser.error("DATABASE_URL must name a PostgreSQL database")
    name = database_name(args.url)
    if not args.force and "bench" not in name and "test" not in name:
        parser.error(f"refusing to wipe the database {name!r}: its name contains neither "
                     "'bench' nor 'test' (use --force)")
    with tempfile.NamedTemporaryFile("w", prefix="bench-gunicorn-", suffix=".log",
                                     delete=False) as log:
        small = run_at(args.compare_at, args, log) if args.compare_at else None
        large = run_at(args.proposals, args, log)
    summary, missed = summarize(args.proposals, large, small)
    print()
    print(f"{args.proposals:,} proposals, {args.clients} clients, gunicorn with {args.workers} "
          f"workers, {os.cpu_count()} cores")
    print(table(summary, large, small, args.compare_at or 0))
    for problem in missed:
        print(f"MISSED {problem}")
    print(json.dumps(summary))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
