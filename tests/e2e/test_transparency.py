"""The transparency portal and the open data, over HTTP, against figures the test adds up itself."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import Proposal, clock_shift

from ..factories import SECOND_FOCIR, TERMS, Factory

MEXICO_CITY = ZoneInfo("America/Mexico_City")
SITE_KINDS = ("school", "health_centre", "library", "civic_square")


@pytest.fixture(autouse=True)
def _always_fresh(app: Flask) -> None:
    """Check the data's stamp on every request, so figures follow the test's changes at once."""
    app.config["TRANSPARENCY_REFRESH_SECONDS"] = 0


def signed(make: Factory, cast: dict[Role, Any], amount: str, localities: list[dict[str, Any]],
           sites: list[str], title: str) -> Proposal:
    """Walk a proposal to FOCIR's decision, approve ``amount`` and have both parties sign."""
    proposal = make.proposal(cast, at=State.FOCIR_DECISION, title=title, localities=localities,
                             social_sites=[{"kind": k, "name": f"Sitio {i}"}
                                           for i, k in enumerate(sites)])
    make.act(proposal.id, cast[Role.FOCIR], "approve", terms={**TERMS, "amount": amount})
    # Four eyes (issue 11 §5): a second FOCIR officer confirms the decision.
    make.act(proposal.id, cast.get(SECOND_FOCIR) or make.user(Role.FOCIR), "confirm_decision")
    make.act(proposal.id, cast[Role.SME], "sign")
    return make.act(proposal.id, cast[Role.FOCIR], "sign")


@pytest.fixture
def world(make: Factory) -> dict[str, Any]:
    """Agreements in three states, and proposals in process that must never show one by one."""
    promtel, focir, second = make.user(Role.PROMTEL), make.user(Role.FOCIR), make.user(Role.FOCIR)

    def cast_in(state: str, municipality: str) -> dict[Role, Any]:
        company = make.company(state_code=state, municipality_key=municipality)
        return {Role.SME: make.user(Role.SME, company=company), Role.PROMTEL: promtel,
                Role.FOCIR: focir, SECOND_FOCIR: second}

    chiapas, morelos, yucatan = (cast_in("07", "07009"), cast_in("17", "17027"),
                                 cast_in("31", "31102"))
    specs = [   # (cast, amount, localities, social sites, title)
        (chiapas, "3200000.00", [("070090012", 1480), ("070310145", 1930)],
         ["school", "civic_square"], "Satelital Altos"),
        (chiapas, "1250000.50", [("070090020", None)], ["health_centre"], "WiFi Tila"),
        (morelos, "9999999.99", [("170270003", 1850)], ["school", "school", "library"],
         "Fibra Cuautitla"),
        (yucatan, "700000.00", [], ["civic_square"], "Puntos Popolá"),
    ]
    agreements = []
    for cast, amount, places, sites, title in specs:
        localities = [{"name": f"Loc {key}", "inegi_key": key, "population": people}
                      for key, people in places] or [{"name": "Sin clave"}]
        proposal = signed(make, cast, amount, localities, sites, title)
        agreements.append({"proposal": proposal, "state": cast[Role.SME].company.state_code,
                           "municipality": cast[Role.SME].company.municipality_key,
                           "amount": Decimal(amount), "localities": localities,
                           "sites": sites, "title": title})
    hidden = [  # in process (or ended without an agreement): aggregates only
        make.proposal(chiapas, at=State.AGREEMENT, title="Oculta: aprobada sin firmar"),
        make.proposal(morelos, at=State.CONTACT, title="Oculta: apenas contacto"),
        make.proposal(morelos, at=State.UPDATE, title="Oculta: en actualización"),
        make.proposal(yucatan, at=State.FOCIR_FEEDBACK, title="Oculta: con FOCIR"),
        make.proposal(yucatan, at=State.REJECTED, title="Oculta: rechazada"),
        make.proposal(chiapas, at=State.WITHDRAWN, title="Oculta: retirada"),
    ]
    # One party signed, the other not yet: still in process.
    half = make.proposal(morelos, at=State.AGREEMENT, title="Oculta: firmada solo por la PyME")
    make.act(half.id, morelos[Role.SME], "sign")
    hidden.append(make.session.get(Proposal, half.id))
    return {"agreements": agreements, "hidden": hidden,
            "smes": [chiapas[Role.SME], morelos[Role.SME], yucatan[Role.SME]]}


def expected_by_state(agreements: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The figures per state, added up here from what the test created."""
    states: dict[str, dict[str, Any]] = {}
    for a in agreements:
        s = states.setdefault(a["state"], {"agreements": 0, "amount": Decimal("0.00"),
                                           "localities": 0, "population": 0,
                                           "sites": dict.fromkeys(SITE_KINDS, 0)})
        s["agreements"] += 1
        s["amount"] += a["amount"]
        s["localities"] += len(a["localities"])
        s["population"] += sum(loc.get("population") or 0 for loc in a["localities"])
        for kind in a["sites"]:
            s["sites"][kind] += 1
    return states


def test_stats_match_totals_added_up_from_the_agreements(client: FlaskClient,
                                                         world: dict[str, Any]) -> None:
    answer = client.get("/api/v1/public/stats")
    assert answer.status_code == 200, answer.json
    body = answer.json
    expected = expected_by_state(world["agreements"])
    states = {s["cve_ent"]: s for s in body["states"]}
    assert list(states) == [f"{n:02d}" for n in range(1, 33)]
    for code, s in states.items():
        want = expected.get(code, {"agreements": 0, "amount": Decimal(0), "localities": 0,
                                   "population": 0, "sites": dict.fromkeys(SITE_KINDS, 0)})
        assert s["agreements"] == want["agreements"], code
        assert s["amount"] == f"{want['amount']:.2f}", code
        assert (s["localities"], s["population"]) == (want["localities"], want["population"])
        assert s["social_sites"] == want["sites"], code
    totals = body["totals"]
    assert totals["agreements"] == 4
    assert totals["amount"] == f"{sum(a['amount'] for a in world['agreements']):.2f}"
    assert totals["amount"] == "15150000.49"
    assert totals["population"] == 1480 + 1930 + 1850
    assert totals["localities"] == 5
    assert totals["social_sites"] == {"school": 3, "health_centre": 1, "library": 1,
                                      "civic_square": 2}
    pipeline = body["pipeline"]
    at = {s["state"]: s["proposals"] for s in pipeline["steps"]}
    assert at == {**dict.fromkeys(at, 0), "agreement": 2, "contact": 1, "update": 1,
                  "focir_feedback": 1}
    assert pipeline["in_process"] == 5
    assert (pipeline["signed"], pipeline["rejected"], pipeline["withdrawn"]) == (4, 1, 1)
    # Approved: the 4 signed and the 2 at step 10; rejected: 1. 6 / 7.
    assert pipeline["approved"] == 6
    assert pipeline["approval_rate"] == "0.857100"
    assert [s["step"] for s in pipeline["steps"]] == list(range(1, 11))


def test_the_portal_shows_the_same_figures_beside_its_map(client: FlaskClient,
                                                          world: dict[str, Any]) -> None:
    page = client.get("/transparencia")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<path ") == 32
    for n in range(1, 33):
        assert f'href="/transparencia/{n:02d}"' in html
    # Morelos has the most, so the darkest class; Chiapas 4,450,000.50 of 9,999,999.99: class 2.
    assert re.search(r'<a href="/transparencia/17" aria-label="[^"]+"><path class="q4"', html)
    assert re.search(r'<a href="/transparencia/07" aria-label="[^"]+"><path class="q2"', html)
    assert re.search(r'<a href="/transparencia/31" aria-label="[^"]+"><path class="q1"', html)
    assert re.search(r'<a href="/transparencia/01" aria-label="[^"]+"><path class="q0"', html)
    assert "<title>Morelos. Acuerdos firmados: 1; monto: $9,999,999.99</title>" in html
    assert 'aria-label="Morelos. Acuerdos firmados: 1; monto: $9,999,999.99"' in html
    assert "$15,150,000.49" in html      # the country's total, in the table's footer
    assert "$4,450,000.50" in html       # Chiapas's row
    assert "CC BY 4.0" in html and "@svg-maps/mexico" in html   # the map's attribution
    assert "<script" not in html and " style=" not in html
    assert "85.7%" in html               # the approval rate
    home = client.get("/").get_data(as_text=True)
    assert 'href="/transparencia"' in home


def test_a_state_lists_its_signed_agreements_only(client: FlaskClient,
                                                  world: dict[str, Any]) -> None:
    html = client.get("/transparencia/07").get_data(as_text=True)
    chiapas = [a for a in world["agreements"] if a["state"] == "07"]
    for a in chiapas:
        assert a["proposal"].folio in html and a["title"] in html
    others = [a for a in world["agreements"] if a["state"] != "07"]
    assert not any(a["proposal"].folio in html for a in others)
    assert "070090012" in html and "$1,250,000.50" in html
    empty = client.get("/transparencia/32")
    assert empty.status_code == 200 and "Zacatecas" in empty.get_data(as_text=True)


@pytest.mark.parametrize("code", ["99", "abc", "00", "7", "007", "%00"])
def test_an_unknown_state_is_a_404_page(client: FlaskClient, code: str) -> None:
    answer = client.get(f"/transparencia/{code}")
    assert answer.status_code == 404
    assert answer.mimetype == "text/html"
    assert "no se encontró" in answer.get_data(as_text=True).lower()


def test_proposals_in_process_never_appear_one_by_one(client: FlaskClient,
                                                      world: dict[str, Any]) -> None:
    texts = [client.get(path).get_data(as_text=True) for path in (
        "/transparencia", *(f"/transparencia/{n:02d}" for n in range(1, 33)),
        "/datos/acuerdos.csv", "/api/v1/public/stats", "/datos/catalogo.json")]
    for proposal in world["hidden"]:
        assert proposal.state != "signed"
        for text in texts:
            assert proposal.folio not in text and proposal.title not in text
    for sme in world["smes"]:   # nobody's personal data: e-mails, RFCs, CURPs, names
        for text in texts:
            assert sme.email not in text and sme.company.rfc not in text
    for a in world["agreements"]:
        assert any(a["proposal"].folio in text for text in texts)


def _parse(client: FlaskClient, path: str) -> list[dict[str, str]]:
    answer = client.get(path)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    text = answer.data.decode("utf-8")   # UTF-8, or this fails
    assert not text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text, newline="")))


TYPES = {
    "texto": lambda v: True,
    "entero": lambda v: re.fullmatch(r"-?\d+", v) is not None,
    "decimal": lambda v: re.fullmatch(r"-?\d+(\.\d+)?", v) is not None,
    "fecha": lambda v: date.fromisoformat(v).isoformat() == v,
}


def test_the_csv_follows_its_dictionary(client: FlaskClient, world: dict[str, Any]) -> None:
    dictionary = _parse(client, "/datos/diccionario.csv")
    assert list(dictionary[0]) == ["columna", "tipo", "descripcion", "unidad"]
    kinds = {row["columna"]: row["tipo"] for row in dictionary}
    assert set(kinds.values()) <= set(TYPES)
    rows = _parse(client, "/datos/acuerdos.csv")
    assert len(rows) == len(world["agreements"])          # one row per signed agreement
    assert list(rows[0]) == list(kinds)                   # the dictionary's columns, in order
    for row in rows:
        for column, kind in kinds.items():
            value = row[column]
            assert value == "" or TYPES[kind](value), (column, value)
    by_folio = {row["FOLIO"]: row for row in rows}
    for a in world["agreements"]:
        row = by_folio[a["proposal"].folio]
        assert row["CVE_ENT"] == a["state"] and len(row["CVE_ENT"]) == 2
        assert row["CVE_MUN"] == a["municipality"][2:] and len(row["CVE_MUN"]) == 3
        keys = [loc["inegi_key"] for loc in a["localities"] if loc.get("inegi_key")]
        assert row["CVE_LOC"] == "|".join(keys)
        assert row["NUM_LOCALIDADES"] == str(len(a["localities"]))
        assert Decimal(row["MONTO_APROBADO"]) == a["amount"]
        assert re.fullmatch(r"\d+\.\d{2}", row["MONTO_APROBADO"])
        assert row["FECHA_FIRMA"] == datetime.now(MEXICO_CITY).date().isoformat()
        assert row["EMPRESA"] == a["proposal"].company.legal_name
        assert row["ESCUELAS"] == str(a["sites"].count("school"))
    chiapas = by_folio[world["agreements"][0]["proposal"].folio]
    assert (chiapas["CVE_ENT"], chiapas["CVE_MUN"]) == ("07", "009")    # leading zeros kept
    assert chiapas["CVE_LOC"] == "070090012|070310145"
    assert by_folio[world["agreements"][1]["proposal"].folio]["MONTO_APROBADO"] == "1250000.50"
    assert by_folio[world["agreements"][3]["proposal"].folio]["CVE_LOC"] == ""


def test_the_catalogue_is_dcat_with_what_datos_gob_mx_requires(client: FlaskClient,
                                                                world: dict[str, Any]) -> None:
    answer = client.get("/datos/catalogo.json")
    assert answer.status_code == 200 and answer.mimetype == "application/ld+json"
    catalog = answer.get_json(force=True)
    assert catalog["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    assert catalog["@context"]["dct"] == "http://purl.org/dc/terms/"
    assert catalog["@type"] == "dcat:Catalog"
    (dataset,) = catalog["dcat:dataset"]
    assert dataset["@type"] == "dcat:Dataset"
    for key in ("dct:title", "dct:description", "dct:publisher", "dct:license", "dct:modified",
                "dct:identifier", "dcat:keyword", "dcat:contactPoint", "dct:issued"):
        assert dataset[key], key
    assert dataset["dct:license"]["dct:title"] == "Libre Uso MX"
    assert dataset["dct:publisher"]["foaf:name"]
    assert date.fromisoformat(dataset["dct:modified"])
    media = {}
    for distribution in dataset["dcat:distribution"]:
        assert distribution["@type"] == "dcat:Distribution"
        url = distribution["dcat:downloadURL"]
        assert url.startswith("http://localhost/")
        media[url.removeprefix("http://localhost")] = distribution["dcat:mediaType"]
        fetched = client.get(url.removeprefix("http://localhost"))
        assert fetched.status_code == 200 and fetched.mimetype == distribution["dcat:mediaType"]
    assert media == {"/datos/acuerdos.csv": "text/csv", "/datos/diccionario.csv": "text/csv",
                     "/api/v1/public/stats": "application/json"}


PUBLIC = ("/transparencia", "/transparencia/07", "/datos/acuerdos.csv", "/datos/diccionario.csv",
          "/datos/catalogo.json", "/api/v1/public/stats")


@pytest.mark.parametrize("path", PUBLIC)
def test_answers_are_cached_and_revalidated(client: FlaskClient, make: Factory,
                                            world: dict[str, Any], path: str) -> None:
    first = client.get(path)
    assert first.status_code == 200
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "public, max-age=300"
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    since = client.get(path, headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    older = client.get(path, headers={"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"})
    assert older.status_code == 200
    other = client.get(path, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200
    # A new signed agreement changes the version, and what is shown.
    cast = {Role.SME: world["smes"][0], Role.PROMTEL: make.user(Role.PROMTEL),
            Role.FOCIR: make.user(Role.FOCIR), SECOND_FOCIR: make.user(Role.FOCIR)}
    new = signed(make, cast, "100000.00", [{"name": "Nueva", "inegi_key": "070090099"}], ["school"],
                 "Nueva firma")
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    if path in ("/transparencia/07", "/datos/acuerdos.csv"):
        assert new.folio in changed.get_data(as_text=True)
    if path.endswith("stats"):
        assert changed.json["totals"]["agreements"] == 5


def test_signed_in_requests_are_not_stored_by_caches(client: FlaskClient, make: Factory,
                                                     world: dict[str, Any]) -> None:
    headers = make.headers(world["smes"][0])
    answer = client.get("/api/v1/public/stats", headers=headers)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"


def test_a_cached_answer_costs_one_small_statement(app: Flask, client: FlaskClient,
                                                   world: dict[str, Any]) -> None:
    for path in PUBLIC:    # each answer computes what it needs once
        assert client.get(path).status_code == 200
    statements: list[str] = []
    engine = app.extensions["engine"]

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for path in PUBLIC:
            assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # Each request reads only the history's global head: nothing is aggregated again.
    assert len(statements) == len(PUBLIC)
    assert all("history_heads" in s for s in statements)


def test_each_answer_computes_only_what_it_shows(app: Flask, client: FlaskClient,
                                                  world: dict[str, Any]) -> None:
    statements: list[str] = []
    engine = app.extensions["engine"]

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get("/transparencia").status_code == 200
        assert client.get("/api/v1/public/stats").status_code == 200
        # The map and the stats: aggregates only, no signed agreement read one by one.
        assert not any("signatures" in s or "localities.inegi_key" in s for s in statements)
        statements.clear()
        assert client.get("/datos/diccionario.csv").status_code == 200
        assert len(statements) == 1 and "history_heads" in statements[0]
        assert client.get("/transparencia/31").status_code == 200
        # A state's page reads that state's agreements only.
        assert any("signatures" in s and "companies.state_code =" in s for s in statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_with_a_refresh_interval_the_stamp_is_not_even_read(app: Flask, client: FlaskClient,
                                                            make: Factory,
                                                            world: dict[str, Any]) -> None:
    app.config["TRANSPARENCY_REFRESH_SECONDS"] = 300
    app.extensions.pop("transparency_cache", None)
    before = client.get("/api/v1/public/stats").json["totals"]["agreements"]
    cast = {Role.SME: world["smes"][1], Role.PROMTEL: make.user(Role.PROMTEL),
            Role.FOCIR: make.user(Role.FOCIR), SECOND_FOCIR: make.user(Role.FOCIR)}
    signed(make, cast, "100000.00", [{"name": "Otra"}], ["library"], "Otra firma")
    # Up to five minutes old, by design: the figures of the cached snapshot are served.
    assert client.get("/api/v1/public/stats").json["totals"]["agreements"] == before
    app.extensions["transparency_cache"].checked = 0.0      # five minutes later
    assert client.get("/api/v1/public/stats").json["totals"]["agreements"] == before + 1


def _at(moment: datetime) -> Any:
    return clock_shift(moment - datetime.now(UTC))


def test_median_working_days_per_step_on_mexico_city_calendar(client: FlaskClient,
                                                              make: Factory) -> None:
    cast = make.cast()
    # (created, acknowledged) in UTC; Mexico City is UTC-6.
    def utc(day: int, hour: int) -> datetime:
        return datetime(2026, 6, day, hour, tzinfo=UTC)

    visits = [
        (utc(1, 18), utc(8, 18)),    # Monday to Monday: 5 working days
        (utc(5, 18), utc(8, 18)),    # Friday to Monday: 1
        (utc(3, 18), utc(17, 18)),   # Wednesday to Wednesday two weeks later: 10
        # 03:00 UTC on Monday is Sunday 21:00 in Mexico City: Sunday→Monday, 1 working day
        # (on UTC's calendar it would be Monday→Monday, 0).
        (utc(8, 3), utc(8, 20)),
    ]
    for created, acknowledged in visits:
        with _at(created):
            proposal = make.proposal(cast, at=State.CONTACT)
        with _at(acknowledged):
            make.act(proposal.id, cast[Role.PROMTEL], "acknowledge_contact")
    steps = {s["state"]: s for s in client.get("/api/v1/public/stats").json["pipeline"]["steps"]}
    assert steps["contact"]["completed_visits"] == 4
    assert steps["contact"]["median_working_days"] == "3.000000"    # 1 1 5 10
    assert steps["proposal"]["proposals"] == 4
    assert steps["proposal"]["median_working_days"] is None


def test_the_stats_are_documented_as_a_public_operation(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/public/stats"]["get"]
    assert operation["security"] == []
    assert {"200", "304"} <= set(operation["responses"])
    assert {"ETag", "Last-Modified"} <= set(operation["responses"]["200"]["headers"])
