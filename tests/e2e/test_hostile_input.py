"""Hostile request bodies get a clear 4xx in the usual shape, never a 500 and never a half-write."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promtel_fin.bodies import MAX_JSON_DEPTH
from promtel_fin.domain.workflow import Role
from promtel_fin.models import HistoryEntry, Proposal

from ..factories import Factory, proposal_document
from .conftest import ApiClient

SHAPE = {"code", "status", "message"}


def raw(client: FlaskClient, path: str, body: str | bytes, headers: dict[str, str],
        content_type: str = "application/json") -> Any:
    return client.post(f"/api/v1{path}", data=body, content_type=content_type, headers=headers)


def nested(depth: int) -> str:
    """A JSON body {"title": [[...]]} whose lists and objects nest ``depth`` levels."""
    return '{"title": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


def proposals_in(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(Proposal.id))) or 0


@pytest.mark.parametrize("depth", [50_000, 1_000, MAX_JSON_DEPTH + 1])
def test_json_nested_too_deeply_is_a_400_in_the_usual_shape(
        client: FlaskClient, make: Factory, session: Session, depth: int) -> None:
    sme = make.user(Role.SME)
    r = raw(client, "/proposals", nested(depth), make.headers(sme))
    assert r.status_code == 400, r.json
    assert set(r.json) >= SHAPE and r.json["code"] == 400
    assert "profundidad" in str(r.json["errors"])
    assert proposals_in(session) == 0


def test_json_exactly_at_the_depth_limit_is_read_and_judged_by_the_schema(
        client: FlaskClient, make: Factory) -> None:
    r = raw(client, "/proposals", nested(MAX_JSON_DEPTH), make.headers(make.user(Role.SME)))
    assert r.status_code == 422, r.json  # parsed; the schema then refuses a list as a title
    assert "title" in r.json["errors"]


@pytest.mark.parametrize("path", ["/tokens", "/registrations", "/simulations/loan"])
def test_deep_json_is_refused_by_public_endpoints_too(client: FlaskClient, path: str) -> None:
    r = raw(client, path, "[" * 50_000 + "]" * 50_000, {})
    assert r.status_code == 400, r.data[:300]
    assert r.json["code"] == 400


def test_malformed_json_is_a_400_that_says_so(client: FlaskClient, make: Factory) -> None:
    r = raw(client, "/proposals", '{"title": ', make.headers(make.user(Role.SME)))
    assert r.status_code == 400
    assert r.json["errors"] == {"_schema": ["El contenido no es JSON válido."]}


@pytest.mark.parametrize(("change", "path"), [
    ({"title": "Red \ud800 rural"}, ["title"]),
    ({"summary": "\udfff"}, ["summary"]),
    ({"localities": [{"name": "Cuautitla\ud83d", "population": 10}]}, ["localities", "0", "name"]),
    ({"guarantees": [{"kind": "other", "description": "\ud800x", "value": "10.00"}]},
     ["guarantees", "0", "description"]),
    ({"technology": "ftth\udc00"}, ["technology"]),
    ({"t\ud800": 1}, ["t\ufffd"]),
])
def test_a_lone_surrogate_in_any_string_is_a_422_naming_the_field(
        client: FlaskClient, make: Factory, session: Session, change: dict,
        path: list[str]) -> None:
    body = json.dumps(proposal_document(**change))  # ensure_ascii: spelled as \\ud800
    r = raw(client, "/proposals", body, make.headers(make.user(Role.SME)))
    assert r.status_code == 422, r.json
    node: Any = r.json["errors"]
    for part in path:
        node = node[part]
    assert "no se pueden guardar" in node[0]
    assert proposals_in(session) == 0


def test_a_proper_astral_character_is_kept(client: FlaskClient, make: Factory) -> None:
    r = raw(client, "/proposals", json.dumps(proposal_document(title="Red 📡 rural")),
            make.headers(make.user(Role.SME)))
    assert r.status_code == 201 and r.json["title"] == "Red 📡 rural"


def test_a_body_exactly_at_the_size_limit_is_read(app: Any, client: FlaskClient) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == 2 * 1024 * 1024  # the documented default
    body = b'{"amount": "1", "pad": "' + b"x" * (limit - 26) + b'"}'
    assert len(body) == limit
    r = raw(client, "/simulations/loan", body, {})
    assert r.status_code == 422  # read and refused by the schema, not by its size


def test_a_body_one_byte_over_the_limit_is_a_413(app: Any, client: FlaskClient) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    r = raw(client, "/simulations/loan", b" " * (limit + 1), {})
    assert r.status_code == 413
    assert r.json["code"] == 413 and set(r.json) >= SHAPE


def test_a_page_form_over_the_limit_gets_the_413_page(app: Any, client: FlaskClient) -> None:
    r = client.post("/login", data=b"email=" + b"a" * app.config["MAX_CONTENT_LENGTH"],
                    content_type="application/x-www-form-urlencoded")
    assert r.status_code == 413
    assert "text/html" in r.content_type


@pytest.mark.parametrize("amount", ["1E+5", "1e5", "١٢٣٤٥", "１２３", "12.345", "NaN", "0x10",
                                    "1,00", True])
def test_money_is_ascii_digits_with_two_decimals_at_most(
        api: ApiClient, make: Factory, session: Session, amount: Any) -> None:
    sme = make.user(Role.SME)
    for field in ("requested_amount",):
        r = api.post("/proposals", sme, json=proposal_document(**{field: amount}))
        assert r.status_code == 422, r.json
        assert r.json["errors"][field]
    flows = proposal_document()["cash_flows"]
    flows[2] = {**flows[2], "revenue": amount}
    r = api.post("/proposals", sme, json=proposal_document(cash_flows=flows))
    assert r.status_code == 422 and r.json["errors"]["cash_flows"]["2"]["revenue"]
    assert proposals_in(session) == 0


@pytest.mark.parametrize(("rate", "ok"), [("0.123456", True), ("0.1234567", False),
                                          ("1E-1", False), ("٠.١", False), ("1", True),
                                          ("1.000001", False)])
def test_rates_have_six_decimals_at_most(api: ApiClient, make: Factory, rate: str,
                                         ok: bool) -> None:
    staff = make.user(Role.PROMTEL)
    r = api.post("/simulations/loan", staff, json={
        "amount": "100000.00", "annual_rate": rate, "term_months": 12, "grace_months": 0,
        "method": "level"})
    assert r.status_code == (200 if ok else 422), r.json
    if not ok:
        assert r.json["errors"]["annual_rate"]


@pytest.mark.parametrize("path", ["/portfolio/stress", "/proposals/{id}/stress"])
def test_stress_runs_need_a_json_body(api: ApiClient, client: FlaskClient, make: Factory,
                                      path: str) -> None:
    cast = make.cast()
    proposal = make.proposal(cast)
    url = "/api/v1" + path.format(id=proposal.id)
    headers = make.headers(cast[Role.PROMTEL])
    assert client.post(url, headers=headers).status_code == 415
    assert client.post(url, headers=headers, data="revenue=0.5").status_code == 415
    empty = client.post(url, headers=headers, data="", content_type="application/json")
    assert empty.status_code == 400 and "{}" in empty.json["errors"]["_schema"][0]
    bad = client.post(url, headers=headers, json={"revenue": "mucho", "scenarios": 10})
    assert bad.status_code == 422
    defaults = client.post(url, headers=headers, json={"scenarios": 10} if "{id}" in path
                           else {})
    assert defaults.status_code == 200, defaults.json


def test_an_empty_patch_changes_nothing(api: ApiClient, make: Factory, session: Session) -> None:
    cast = make.cast()
    proposal = make.proposal(cast)
    sme = cast[Role.SME]
    before = api.get(f"/proposals/{proposal.id}", sme).json
    for body in ({"version": before["version"]},
                 {"version": before["version"], "title": before["title"],
                  "localities": proposal_document()["localities"],
                  "requested_amount": "4500000"}):  # the same values, written differently
        r = api.patch(f"/proposals/{proposal.id}", sme, json=body)
        assert r.status_code == 200, r.json
        assert r.json["version"] == before["version"]
    entries = session.scalar(select(func.count(HistoryEntry.id)).where(
        HistoryEntry.proposal_id == proposal.id))
    assert entries == 1  # only "create"
    changed = api.patch(f"/proposals/{proposal.id}", sme,
                        json={"version": before["version"], "title": "Otra red"})
    assert changed.json["version"] == before["version"] + 1
    last = api.get(f"/proposals/{proposal.id}/history", sme).json["items"][-1]
    assert last["action"] == "edit" and last["payload"]["fields"] == ["title"]
