"""Map domain errors and HTTP errors to one JSON shape: {code, status, message, errors}."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from .db import get_session
from .domain.errors import CheckFailed, Conflict, DomainError, Forbidden, InvalidInput, NotFound
from .i18n import by_field, say

STATUS_OF: dict[type[DomainError], int] = {
    NotFound: 404, Forbidden: 403, Conflict: 409, CheckFailed: 422, InvalidInput: 422,
}

GENERIC = {
    400: lambda: _("The request could not be understood."),
    401: lambda: _("Sign in to continue: the credentials are missing, wrong or expired."),
    403: lambda: _("You are not allowed to do this."),
    404: lambda: _("The page or record was not found."),
    405: lambda: _("This method is not allowed here."),
    409: lambda: _("The request conflicts with the current state of the record."),
    413: lambda: _("The request is too large."),
    415: lambda: _("Send the data as JSON (Content-Type: application/json)."),
    422: lambda: _("Some data is not valid; see the errors of each field."),
    429: lambda: _("Too many attempts; wait a few minutes and try again."),
    500: lambda: _("Something went wrong on our side; nothing was saved. Please try again."),
}


def error_body(code: int, message: str | None = None, errors: Any = None) -> dict[str, Any]:
    """Build the one JSON error shape."""
    body: dict[str, Any] = {
        "code": code,
        "status": HTTPStatus(code).phrase,
        "message": message or (GENERIC[code]() if code in GENERIC else HTTPStatus(code).phrase),
    }
    if errors:
        # ``errors`` is always an object; messages about the body as a whole go in _schema.
        body["errors"] = errors if isinstance(errors, dict) else {
            "_schema": list(errors) if isinstance(errors, list | tuple) else [str(errors)]}
    return body


def wants_json() -> bool:
    """Answer JSON to the API and to clients that prefer it; HTML pages to browsers."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def respond(body: dict[str, Any], code: int, headers: dict[str, str] | None = None) -> Response:
    """Send an error as JSON, or as a friendly page in the user's language."""
    if wants_json():
        response = jsonify(body)
    else:
        errors = body.get("errors")
        reasons = errors.get("reasons", []) if isinstance(errors, dict) else []
        details = [r["message"] for r in reasons]
        response = make_response(render_template(
            "error.html", code=code, message=body["message"],
            details=details if len(details) > 1 else []))
    response.status_code = code
    response.headers.update(headers or {})
    return response


def domain_error_body(error: DomainError) -> tuple[dict[str, Any], int]:
    """Turn a domain error into the JSON shape, every reason in the user's language."""
    code = STATUS_OF.get(type(error), 422)
    messages = [say(r) for r in error.reasons]
    fields = by_field([r for r in error.reasons if r.field])
    errors: dict[str, Any] = {"reasons": [
        {"code": r.code, "message": m, **({"field": r.field} if r.field else {})}
        for r, m in zip(error.reasons, messages, strict=True)
    ]}
    if fields:
        errors["fields"] = fields
    return error_body(code, messages[0] if len(messages) == 1 else GENERIC[code](), errors), code


def init_app(app: Flask) -> None:
    """Register the JSON error handlers for the API and for unexpected failures."""

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> Response:
        get_session().rollback()
        body, code = domain_error_body(error)
        return respond(body, code)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return respond(error_body(error.code or 500), error.code or 500)
        current_app.logger.exception("unhandled error")
        get_session().rollback()
        return respond(error_body(500), 500)
