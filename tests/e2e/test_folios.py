"""Every proposal carries a folio PF-YYYY-NNNNN: unique, in every answer and page, searchable."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from promtel_fin.domain.identifiers import format_folio, parse_folio
from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import FolioCounter, Proposal
from promtel_fin.services.folios import folio_year
from promtel_fin.services.policy import set_policy

from ..factories import Factory, proposal_document
from .conftest import ApiClient
from .pages import sign_in, text

FOLIO = re.compile(r"^PF-\d{4}-\d{5}$")


def test_folio_format_and_what_people_type() -> None:
    assert format_folio(2026, 42) == "PF-2026-00042"
    assert format_folio(2026, 99_999) == "PF-2026-99999"
    assert format_folio(2026, 100_000) == "PF-2026-100000"  # grows, never wraps
    for typed in ("PF-2026-00042", "pf-2026-42", " PF 2026 00042 ", "PF2026-042"):
        assert parse_folio(typed) == "PF-2026-00042", typed
    for other in ("", "PF-26-00042", "PF-2026-", "Telecom PF-2026-00042", "XX-2026-00042"):
        assert parse_folio(other) is None, other


def test_the_year_is_mexico_citys() -> None:
    # 20:00 on 31 December in Mexico City (UTC-6) is already 1 January in UTC.
    assert folio_year(datetime(2027, 1, 1, 1, 59, tzinfo=UTC)) == 2026
    assert folio_year(datetime(2027, 1, 1, 6, 0, tzinfo=UTC)) == 2027


def test_each_new_proposal_takes_the_next_number_of_its_year(
        api: ApiClient, make: Factory, session: Session) -> None:
    sme = make.user(Role.SME)
    folios = []
    for _ in range(3):
        r = api.post("/proposals", sme, json=proposal_document())
        assert r.status_code == 201, r.json
        folios.append(r.json["folio"])
    assert all(FOLIO.match(f) for f in folios)
    numbers = [int(f.rsplit("-", 1)[1]) for f in folios]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]
    year = folio_year(datetime.now(UTC))
    assert {f.split("-")[1] for f in folios} == {str(year)}
    assert session.get(FolioCounter, year).last == numbers[-1]


def test_the_folio_is_in_every_answer_and_page(
        api: ApiClient, make: Factory, client: FlaskClient) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_VERIFICATION)
    assert FOLIO.match(proposal.folio)
    sme, reviewer = cast[Role.SME], cast[Role.PROMTEL]
    assert api.get(f"/proposals/{proposal.id}", sme).json["folio"] == proposal.folio
    assert [p["folio"] for p in api.get("/proposals", sme).json["items"]] == [proposal.folio]
    assert [p["folio"] for p in api.get("/queue", reviewer).json["items"]] == [proposal.folio]
    sign_in(client, reviewer)
    for path in ("/queue", f"/proposals/{proposal.id}"):
        assert proposal.folio in text(client.get(path)), path

    moved = api.act(proposal.id, reviewer, "request_changes", comment="Falta el anexo.")
    assert moved.json["folio"] == proposal.folio
    sign_in(client, sme)
    for path in ("/dashboard", f"/proposals/{proposal.id}", f"/proposals/{proposal.id}/edit"):
        assert proposal.folio in text(client.get(path)), path


def test_search_by_folio_however_typed_or_by_text(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    wanted = make.proposal(cast, at=State.PROMTEL_VERIFICATION, title="Red 100% rural")
    other = make.proposal(cast, at=State.PROMTEL_VERIFICATION, title="Enlace de microondas")
    reviewer = cast[Role.PROMTEL]
    year, number = wanted.folio.split("-")[1:]

    def found(q: str) -> list[str]:
        r = api.get("/proposals", reviewer, query={"q": q})
        assert r.status_code == 200, r.json
        return [p["folio"] for p in r.json["items"]]

    assert found(wanted.folio) == [wanted.folio]
    assert found(f"pf {year} {int(number)}") == [wanted.folio]
    assert found("100%") == [wanted.folio]          # % is a literal, not a wildcard
    assert found("MICROONDAS") == [other.folio]      # case does not matter
    assert found(wanted.company.rfc.lower()) == sorted(
        [wanted.folio, other.folio], reverse=True)  # newest first
    assert found("%") == [wanted.folio]             # a literal %: only the title that has one
    assert found("_") == []                          # a literal _, which no title has
    assert found("PF-1999-00001") == []
    assert api.get("/queue", reviewer, query={"q": other.folio}).json["items"][0]["folio"] \
        == other.folio


def test_search_text_is_bounded(api: ApiClient, make: Factory) -> None:
    reviewer = make.user(Role.PROMTEL)
    assert api.get("/proposals", reviewer, query={"q": "x" * 100}).status_code == 200
    too_long = api.get("/proposals", reviewer, query={"q": "x" * 101})
    assert too_long.status_code == 422 and "q" in too_long.json["errors"]
    assert api.get("/proposals", reviewer, query={"q": ""}).status_code == 422


def test_an_sme_searches_only_its_own(api: ApiClient, make: Factory) -> None:
    mine = make.proposal()
    theirs = make.proposal()
    me = mine.created_by
    assert [p["folio"] for p in api.get("/proposals", me, query={"q": theirs.folio}).json[
        "items"]] == []
    assert [p["folio"] for p in api.get("/proposals", me, query={"q": mine.folio}).json[
        "items"]] == [mine.folio]


def test_simultaneous_creations_never_share_a_folio(
        app: Flask, make: Factory, session: Session) -> None:
    set_policy(session, None, date.today(), {"max_open_drafts": 50})
    smes = [make.user(Role.SME) for _ in range(8)]
    tokens = [make.token(s) for s in smes]
    start = threading.Barrier(len(smes), timeout=20)

    def create(i: int) -> tuple[int, str]:
        with app.test_client() as c:
            start.wait()
            r = c.post("/api/v1/proposals", json=proposal_document(),
                       headers={"Authorization": f"Bearer {tokens[i]}"})
            return r.status_code, (r.json or {}).get("folio", "")

    with ThreadPoolExecutor(len(smes)) as pool:
        results = list(pool.map(create, range(len(smes))))
    assert {status for status, _ in results} == {201}
    folios = sorted(f for _, f in results)
    numbers = [int(f.rsplit("-", 1)[1]) for f in folios]
    assert numbers == list(range(numbers[0], numbers[0] + len(smes)))
    session.expire_all()
    assert sorted(session.scalars(select(Proposal.folio))) == folios
