"""The API's contract is exact: a valid document, one error shape, one rule for numbers.

The document must pass openapi-spec-validator; every 4xx, whatever produced it, must answer
``{"code", "status", "message", "errors"?}`` with ``errors`` an object, match the document's
``Error`` schema and be documented for the operation; and every number in the figures is a
decimal string by the rule (money two decimals, rates and ratios six) or a counting integer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from marshmallow import Schema, fields, validate
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate as validate_openapi
from werkzeug.test import TestResponse

from promtel_fin import create_app
from promtel_fin.domain.workflow import Role, State
from promtel_fin.errors import error_body
from promtel_fin.schemas.fields import Money

from ..factories import Factory
from .conftest import ApiClient

LOAN = {"amount": "4500000.00", "term_months": 40, "grace_months": 6, "method": "level"}
MONEY = re.compile(r"^-?[0-9]+\.[0-9]{2}$")
RATIO = re.compile(r"^-?[0-9]+\.[0-9]{6}$")
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def spec(client: FlaskClient) -> dict[str, Any]:
    return client.get("/api/v1/openapi.json").get_json()


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method]


def test_the_openapi_document_passes_openapi_spec_validator(spec: dict[str, Any]) -> None:
    validate_openapi(spec)


def test_every_default_and_example_in_the_document_matches_its_own_schema(
        spec: dict[str, Any]) -> None:
    def walk(node: Any, where: str) -> Iterator[str]:
        if isinstance(node, dict):
            for key in ("default", "example"):
                if key in node and "type" in node:
                    schema = {k: v for k, v in node.items() if k not in ("default", "example")}
                    if not OAS30Validator(schema).is_valid(node[key]):
                        yield f"{where}.{key} = {node[key]!r}"
            for key, child in node.items():
                yield from walk(child, f"{where}.{key}")
        elif isinstance(node, list):
            for i, child in enumerate(node):
                yield from walk(child, f"{where}[{i}]")

    assert list(walk(spec, "")) == []


def test_decimal_limits_and_defaults_reach_the_document_as_numbers(app: Flask) -> None:
    class Limited(Schema):
        share = fields.Decimal(validate=validate.Range(min=Decimal(0), max=Decimal("1.5")),
                               load_default=Decimal("0.25"))
        amount = Money(load_default=Decimal("1.00"))

    converter = app.extensions["promtel_api"].ma_plugin.converter
    properties = converter.schema2jsonschema(Limited)["properties"]
    assert properties["share"] == {"type": "number", "minimum": 0, "maximum": 1.5,
                                   "default": 0.25}
    assert type(properties["share"]["minimum"]) is int
    assert properties["amount"]["default"] == "1.00"


def test_every_error_status_of_every_operation_is_documented_with_the_error_schema(
        spec: dict[str, Any]) -> None:
    error = {"$ref": "#/components/schemas/Error"}
    for method, path, op in _operations(spec):
        statuses = {int(code) for code in op["responses"]}
        assert "default" not in op["responses"], (method, path)
        assert 503 in statuses, (method, path)
        if "requestBody" in op:
            assert {400, 413, 415, 422} <= statuses, (method, path)
        if "{" in path:
            assert 404 in statuses, (method, path)
        if op.get("security") != []:
            assert 401 in statuses, (method, path)
        for code in {c for c in statuses if c >= 400}:   # errors (a 304 has no body)
            response = op["responses"][str(code)]
            if "$ref" in response:
                assert response["$ref"] == f"#/components/responses/Error{code}"
                response = spec["components"]["responses"][f"Error{code}"]
            assert response["content"] == {"application/json": {"schema": error}}, (
                method, path, code)


def test_the_error_schema_says_errors_is_an_object(spec: dict[str, Any]) -> None:
    schema = spec["components"]["schemas"]["Error"]
    assert set(schema["required"]) == {"code", "status", "message"}
    assert schema["properties"]["errors"]["type"] == "object"


@pytest.mark.parametrize("errors", [["uno", "dos"], ("uno",), "uno"])
def test_errors_given_as_a_list_or_text_are_answered_as_an_object(errors: Any) -> None:
    body = error_body(400, "x", errors)
    assert body["errors"] == {"_schema": list(errors) if not isinstance(errors, str)
                              else [errors]}


def _error_kinds(api: ApiClient, client: FlaskClient, make: Factory,
                 database_url: str) -> dict[str, tuple[str, str, TestResponse]]:
    """Provoke every kind of 4xx once: {kind: (method, documented path, response)}."""
    cast = make.cast()
    sme, promtel = cast[Role.SME], cast[Role.PROMTEL]
    proposal = make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    draft = api.post("/proposals", sme, json={"title": "Borrador sin montos"}).json
    json_headers = {**make.headers(sme), "Content-Type": "application/json"}
    big = b'{"title": "' + b"x" * (client.application.config["MAX_CONTENT_LENGTH"] + 1) + b'"}'
    limited = create_app({"TESTING": True, "DATABASE_URL": database_url,
                          "SIMULATOR_RATE_LIMIT": "1 per minute"})
    try:
        busy = limited.test_client()
        busy.post("/api/v1/simulations/loan", json=LOAN)
        too_many = busy.post("/api/v1/simulations/loan", json=LOAN)
    finally:
        limited.extensions["engine"].dispose()
    return {
        "400 malformed JSON": ("post", "/proposals", client.post(
            "/api/v1/proposals", data="{nope", headers=json_headers)),
        "400 empty body": ("post", "/proposals", client.post(
            "/api/v1/proposals", data="", headers=json_headers)),
        "401 no token": ("get", "/me", api.get("/me")),
        "403 role": ("post", "/portfolio/stress", api.post("/portfolio/stress", sme, json={})),
        "404 not found": ("get", "/proposals/{proposal_id}", api.get("/proposals/999999", sme)),
        "405 method": ("delete", "/policy", client.delete("/api/v1/policy")),
        "409 stale version": ("patch", "/proposals/{proposal_id}", api.patch(
            f"/proposals/{proposal.id}", sme, json={"version": 99, "title": "Otro título"})),
        "413 too large": ("post", "/proposals", client.post(
            "/api/v1/proposals", data=big, headers=json_headers)),
        "415 not JSON": ("post", "/proposals", client.post(
            "/api/v1/proposals", data="title=x", headers={
                **make.headers(sme), "Content-Type": "application/x-www-form-urlencoded"})),
        "422 schema": ("post", "/proposals", api.post("/proposals", sme, json={"title": 7})),
        "422 top-level list": ("post", "/proposals", api.post("/proposals", sme, json=[1])),
        "422 rules": ("get", "/proposals/{proposal_id}/schedule", api.get(
            f"/proposals/{draft['id']}/schedule", sme)),
        "422 transition": ("post", "/proposals/{proposal_id}/transitions", api.act(
            proposal.id, promtel, "reject")),
        "429 too many": ("post", "/simulations/loan", too_many),
    }


def test_every_kind_of_4xx_answers_the_one_documented_error_shape(
        api: ApiClient, client: FlaskClient, make: Factory, database_url: str,
        spec: dict[str, Any]) -> None:
    error = OAS30Validator({**spec["components"]["schemas"]["Error"],
                            "components": spec["components"]})
    for kind, (method, path, r) in _error_kinds(api, client, make, database_url).items():
        code = int(kind[:3])
        assert r.status_code == code, (kind, r.status_code, r.data[:300])
        assert r.mimetype == "application/json", kind
        body = r.get_json()
        assert set(body) <= {"code", "status", "message", "errors"}, (kind, body)
        assert body["code"] == code and body["status"] and body["message"], (kind, body)
        assert isinstance(body.get("errors", {}), dict), (kind, body)
        assert error.is_valid(body), (kind, body)
        if code == 429:
            assert int(r.headers["Retry-After"]) > 0
        if code != 405:
            documented = spec["paths"][f"/api/v1{path}"][method]["responses"]
            assert str(code) in documented, (kind, sorted(documented))


def test_field_errors_map_each_field_and_rule_errors_list_their_reasons(
        api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    schema = api.post("/proposals", cast[Role.SME], json={"title": 7, "localities": [{}]})
    assert schema.json["errors"]["title"] and schema.json["errors"]["localities"]["0"]["name"]
    proposal = make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    rules = api.act(proposal.id, cast[Role.PROMTEL], "reject")
    assert rules.status_code == 422, rules.json
    assert rules.json["errors"]["reasons"][0]["code"]
    assert rules.json["errors"]["fields"]["reason"]


def _numbers(node: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    """Yield every leaf of an answer with its path."""
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _numbers(child, f"{where}.{key}")
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _numbers(child, f"{where}[{i}]")
    else:
        yield where, node


COUNTS = re.compile(r"(period|days|year|term_months|grace_months|scenarios|seed|breaking|"
                    r"proposal_id|pass|fail|review|max_\w+_months|min_bureau_score|"
                    r"credit_report_max_age_days|rural_population_threshold|max_open_drafts|sla_days_\w+|"
                    r"id|version|step|days_waiting|population|bureau_score)$")
KEYS = re.compile(r"(inegi_key|municipality_key|state_code|rfc|terms_sha256)$")
MONEY_NAMES = re.compile(r"(amount|installment|opening_balance|interest|vat|principal|payment|"
                         r"closing_balance|npv|cfads|debt_service|net_cash_flows\[\d+\]|"
                         r"revenue|opex|capex|taxes|value|npv\.p\d+)$")


def _figures(api: ApiClient, make: Factory) -> dict[str, Any]:
    cast = make.cast()
    promtel, focir = cast[Role.PROMTEL], cast[Role.FOCIR]
    proposal = make.proposal(cast, at=State.FOCIR_FEEDBACK)
    pid = proposal.id
    years = [{"year": y, "revenue": "900000.00", "opex": "300000.00",
              "capex": "2000000.00" if y == 1 else "0.00", "taxes": "0.00"} for y in range(1, 6)]
    answers = {
        "loan": api.post("/simulations/loan", json=LOAN),
        "viability": api.post("/simulations/viability", json={"years": years, "loan": LOAN}),
        "schedule": api.get(f"/proposals/{pid}/schedule", promtel),
        "metrics": api.get(f"/proposals/{pid}/metrics", promtel),
        "eligibility": api.get(f"/proposals/{pid}/eligibility", promtel),
        "stress": api.post(f"/proposals/{pid}/stress", promtel, json={"scenarios": 200}),
        "portfolio": api.post("/portfolio/stress", focir, json={}),
        "policy": api.get("/policy"),
        "proposal": api.get(f"/proposals/{pid}", promtel),
    }
    for name, r in answers.items():
        assert r.status_code == 200, (name, r.json)
    return {name: r.json for name, r in answers.items()}


def test_every_figure_follows_the_number_rule(api: ApiClient, make: Factory) -> None:
    checked = {"money": 0, "ratio": 0}
    for name, answer in _figures(api, make).items():
        for where, value in _numbers(answer):
            assert not isinstance(value, float), (name, where, value)
            if isinstance(value, int) and not isinstance(value, bool):
                assert COUNTS.search(where), (name, where, value)
            elif isinstance(value, str) and re.fullmatch(r"-?[0-9.]+", value) and \
                    ".policy_snapshot" not in where and not KEYS.search(where):
                money = MONEY_NAMES.search(where) or where.endswith("max_amount")
                assert (MONEY if money else RATIO).fullmatch(value), (name, where, value)
                checked["money" if money else "ratio"] += 1
    assert checked["money"] > 100 and checked["ratio"] > 30, checked


def test_the_stress_answers_are_labelled_decimal_strings(api: ApiClient, make: Factory) -> None:
    figures = _figures(api, make)
    stress, portfolio = figures["stress"], figures["portfolio"]
    assert RATIO.fullmatch(stress["probability_npv_negative"])
    assert MONEY.fullmatch(stress["npv"]["p50"]) and RATIO.fullmatch(stress["irr"]["p50"])
    assert stress["dscr_threshold"] == "1.200000"
    row = portfolio["proposals"][0]
    assert MONEY.fullmatch(row["base_npv"]) and RATIO.fullmatch(row["base_min_dscr"])
    assert figures["metrics"]["discount_rate"] == "0.100000"
    assert figures["policy"]["parameters"]["max_amount"] == "10000000.00"
    assert figures["policy"]["parameters"]["haircuts"]["real_estate"] == "0.300000"


def test_the_response_schemas_state_the_rule_for_every_decimal(spec: dict[str, Any]) -> None:
    patterns = {MONEY.pattern, RATIO.pattern}
    outputs = {name: schema for name, schema in spec["components"]["schemas"].items()
               if name.endswith(("Out", "Percentiles", "Page", "Item", "Summary"))}
    assert {"MonteCarloOut", "PortfolioStressOut", "MetricsOut"} <= set(outputs)
    for name, schema in outputs.items():
        for field, prop in schema.get("properties", {}).items():
            assert prop.get("type") != "number", (name, field)
            if prop.get("format") == "decimal":
                assert prop["pattern"] in patterns, (name, field)


def test_the_portfolio_and_stress_operations_document_their_answers(
        spec: dict[str, Any]) -> None:
    for path in ("/api/v1/portfolio/stress", "/api/v1/proposals/{proposal_id}/stress"):
        content = spec["paths"][path]["post"]["responses"]["200"]["content"]
        assert "$ref" in content["application/json"]["schema"], path

