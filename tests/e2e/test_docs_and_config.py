"""OpenAPI document, the offline docs page, and configuration safety."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from promtel_fin import create_app


def test_the_openapi_document_describes_every_endpoint(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/tokens", "/api/v1/registrations", "/api/v1/proposals",
            "/api/v1/proposals/{proposal_id}", "/api/v1/proposals/{proposal_id}/transitions",
            "/api/v1/proposals/{proposal_id}/history", "/api/v1/proposals/{proposal_id}/revisions",
            "/api/v1/proposals/{proposal_id}/revisions/compare", "/api/v1/queue"} <= set(
        spec["paths"])
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_the_docs_page_is_served_without_anything_from_the_internet(client: FlaskClient) -> None:
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "/api/v1/proposals/{proposal_id}/transitions" in page
    assert "stateDiagram-v2" in page
    assert not re.search(r"""(src|href)=["']https?://""", page)
    assert "<script" not in page


def test_the_workflow_table_is_public_json(client: FlaskClient) -> None:
    table = client.get("/api/v1/workflow").json
    assert {"from": "focir_decision", "action": "approve", "role": "focir",
            "to": "focir_decision", "leads_to": ["focir_decision"], "requires": ["terms"],
            "guards": ["terms_within_policy"]} in table["transitions"]
    assert {"from": "focir_decision", "action": "confirm_decision", "role": "focir",
            "to": "agreement", "leads_to": ["agreement", "rejected"], "requires": [],
            "guards": ["pending_terms_within_policy"]} in table["transitions"]


def test_production_refuses_to_start_with_the_development_secret(
        monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"ENV": "production", "SECRET_KEY": "dev-only-not-secret"})
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app({"ENV": "production", "SECRET_KEY": "x" * 40})


def test_unknown_pages_and_methods_answer_in_the_json_error_shape(client: FlaskClient) -> None:
    r = client.get("/api/v1/nothing-here")
    assert (r.status_code, set(r.json)) == (404, {"code", "status", "message"})
    r = client.put("/api/v1/proposals")
    assert r.status_code == 405 and r.json["code"] == 405
