"""Readable API documentation served by the app itself (no CDN, no JavaScript)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, render_template

from ..domain import workflow

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")
METHODS = ("get", "post", "patch", "put", "delete")


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    operations = []
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                op = item[method]
                operations.append({"path": path, "method": method.upper(), **op})
    return operations


@bp.get("/docs")
def docs() -> str:
    """Render the OpenAPI document as one light HTML page."""
    spec = current_app.extensions["promtel_api"].spec.to_dict()
    return render_template("api_docs.html", spec=spec, operations=_operations(spec),
                           diagram=workflow.mermaid())


@bp.get("/workflow")
def workflow_table() -> Any:
    """Answer the transition table: which role takes which action from which state."""
    return jsonify({
        "states": [{"state": s.value, "step": workflow.step_of(s)} for s in workflow.State],
        "transitions": [
            {"from": t.source.value, "action": t.action.value, "role": t.role.value,
             "to": t.target.value, "leads_to": [s.value for s in t.leads_to()],
             "requires": list(t.requires),
             "guards": [g.__name__ for g in t.guards]}
            for t in workflow.TRANSITIONS
        ],
    })
