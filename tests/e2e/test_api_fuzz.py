"""Every operation of the OpenAPI document, fed generated input, answers as the document says.

schemathesis reads the app's own document and sends what it allows and what it does not
(wrong types, missing fields, odd strings: its positive and negative modes) as the public, as an
SME and as PROMTEL, with proposals at several steps present so that ids in paths sometimes
exist. Each answer must not be a server error, must have a status the operation documents, the
documented content type, and a body that matches the documented schema (the Error schema for
every 4xx). Its hypothesis strategies are driven directly (its pytest plug-in does not follow
pytest 9 yet).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from promtel_fin import create_app
from promtel_fin.domain.workflow import Role, State

from ..factories import Factory

ROLES = (None, Role.SME, Role.PROMTEL)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def _operations() -> list[tuple[str, str]]:
    """List (method, path) of every operation, read from the document at collection time."""
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    app.extensions["engine"].dispose()
    return sorted((method.upper(), path) for path, item in spec["paths"].items()
                  for method in item if method in ("get", "post", "put", "patch", "delete"))


@pytest.fixture
def callers(make: Factory) -> list[dict[str, str]]:
    """Give the headers of the public, an SME and PROMTEL, with proposals at several steps."""
    cast = make.cast()
    for at in (State.CONTACT, State.UPDATE, State.AGREEMENT, State.SIGNED):
        make.proposal(cast, at=at)
    return [make.headers(cast[role]) if role else {} for role in ROLES]


@pytest.mark.parametrize(("method", "path"), _operations())
def test_every_operation_answers_as_its_document_says(app: Flask, callers: list[dict[str, str]],
                                                      method: str, path: str) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema[path][method]

    # Half valid input, half input the document forbids (where it has any to break).
    cases = operation.as_strategy()
    if operation.body or operation.query:
        cases = cases | operation.as_strategy(GenerationMode.NEGATIVE)

    @given(case=cases)
    @settings(max_examples=15, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case: Any) -> None:
        for headers in callers:
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)

    check()
