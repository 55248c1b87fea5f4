"""Map domain errors and HTTP errors to one JSON shape: {code, status, message, errors}.

An outage (the database unreachable or read-only, the shared rate-limit store unreachable) is
answered 503 with ``Retry-After``, after rolling the request's transaction back; ``unavailable``
is the one place that says which errors are outages.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from limits.errors import StorageError
from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from .db import get_session
from .domain.errors import (
    CheckFailed,
    Conflict,
    DomainError,
    Forbidden,
    Gone,
    InvalidInput,
    NotFound,
    TooLarge,
    UnsupportedType,
)
from .i18n import by_field, say

STATUS_OF: dict[type[DomainError], int] = {
    NotFound: 404, Forbidden: 403, Conflict: 409, Gone: 410, CheckFailed: 422, InvalidInput: 422,
    TooLarge: 413, UnsupportedType: 415,
}

GENERIC = {
    400: lambda: _("The request could not be understood."),
    401: lambda: _("Sign in to continue: the credentials are missing, wrong or expired."),
    403: lambda: _("You are not allowed to do this."),
    404: lambda: _("The page or record was not found."),
    405: lambda: _("This method is not allowed here."),
    409: lambda: _("The request conflicts with the current state of the record."),
    413: lambda: _("The request is too large."),
    410: lambda: _("This link is no longer valid: it was used or it expired."),
    415: lambda: _("Send the data as JSON (Content-Type: application/json)."),
    422: lambda: _("Some data is not valid; see the errors of each field."),
    429: lambda: _("Too many attempts; wait a few minutes and try again."),
    500: lambda: _("Something went wrong on our side; nothing was saved. Please try again."),
    503: lambda: _("Service unavailable for the moment; nothing was saved. Please try again in "
                   "a few minutes."),
}
# Seconds a client is asked to wait after a 503.
RETRY_AFTER_SECONDS = 30

# PostgreSQL SQLSTATEs of a database that cannot serve now: connection exceptions (08...),
# insufficient resources (53...), operator intervention such as a shutdown or a cancelled
# statement (57...), system errors (58...), and a read-only database (25006, e.g. a replica or
# default_transaction_read_only).
PG_READ_ONLY = "25006"
PG_UNAVAILABLE_CLASSES = ("08", "53", "57", "58")
# SQLite result codes of a file that cannot be written, opened or read, or is busy for too long.
SQLITE_RENEW = ("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_IOERR")
SQLITE_UNAVAILABLE = (*SQLITE_RENEW, "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL")
SQLITE_MESSAGES = ("attempt to write a readonly database", "unable to open database file",
                   "disk i/o error")

try:  # the production extra: the shared rate-limit store
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
    STORE_DOWN: tuple[type[Exception], ...] = (StorageError, RedisConnectionError,
                                               RedisTimeoutError)
except ImportError:  # pragma: no cover - without redis there is no Redis to lose
    STORE_DOWN = (StorageError,)


def _sqlstate(orig: BaseException | None) -> str | None:
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def _sqlite_name(orig: BaseException | None) -> str:
    name = getattr(orig, "sqlite_errorname", None)
    if name:
        return str(name)
    message = str(orig).lower()
    return "SQLITE_READONLY" if any(m in message for m in SQLITE_MESSAGES) else ""


def stale_connection(orig: BaseException | None) -> bool:
    """Say whether a DBAPI error leaves its connection useless once the database is back.

    A connection opened on a read-only PostgreSQL session (a replica, or
    ``default_transaction_read_only``) or on a SQLite file it could not write or open stays so;
    such a connection is dropped from the pool like a broken one, so the app recovers by itself.
    """
    return _sqlstate(orig) == PG_READ_ONLY or _sqlite_name(orig).startswith(SQLITE_RENEW)


def unavailable(error: BaseException) -> bool:
    """Say whether an error means the database or the shared store cannot serve right now."""
    if isinstance(error, (PoolTimeout, *STORE_DOWN)):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    state = _sqlstate(error.orig)
    if state:
        return state == PG_READ_ONLY or state.startswith(PG_UNAVAILABLE_CLASSES)
    sqlite = _sqlite_name(error.orig)
    if sqlite or hasattr(error.orig, "sqlite_errorcode"):
        return sqlite.startswith(SQLITE_UNAVAILABLE)
    # No SQLSTATE: the driver could not connect or lost the connection.
    return isinstance(error, OperationalError | InterfaceError)


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


def domain_error_body(error: DomainError, words: bool = False) -> tuple[dict[str, Any], int]:
    """Turn a domain error into the JSON shape, every reason in the user's language (codes
    in words when ``words``: for a page)."""
    code = STATUS_OF.get(type(error), 422)
    messages = [say(r, words) for r in error.reasons]
    fields = by_field([r for r in error.reasons if r.field], words=words)
    errors: dict[str, Any] = {"reasons": [
        {"code": r.code, "message": m, **({"field": r.field} if r.field else {})}
        for r, m in zip(error.reasons, messages, strict=True)
    ]}
    if fields:
        errors["fields"] = fields
    return error_body(code, messages[0] if len(messages) == 1 else GENERIC[code](), errors), code


def _renew_stale_connections(context: ExceptionContext) -> None:
    if stale_connection(context.original_exception):
        context.is_disconnect = True   # SQLAlchemy then discards it and renews the pool


def _forget_user() -> None:
    """Render an outage page as for a visitor: the signed-in user cannot be read now."""
    login_manager = getattr(current_app, "login_manager", None)
    if login_manager is not None:
        g._login_user = login_manager.anonymous_user()


def outage(error: Exception) -> Response:
    """Roll back what the request began and answer 503 with Retry-After, in the usual shape."""
    first_line = (str(error).strip().splitlines() or [""])[0]
    current_app.logger.error("service unavailable: %s: %s", type(error).__name__, first_line)
    try:
        get_session().rollback()
    except SQLAlchemyError:  # the connection is gone: nothing was committed, nothing to undo
        current_app.logger.warning("rollback after an outage failed", exc_info=True)
    _forget_user()
    return respond(error_body(503), 503, {"Retry-After": str(RETRY_AFTER_SECONDS)})


def init_app(app: Flask) -> None:
    """Register the JSON error handlers for the API, outages and unexpected failures."""
    event.listen(app.extensions["engine"], "handle_error", _renew_stale_connections)

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> Response:
        get_session().rollback()
        body, code = domain_error_body(error, words=not wants_json())
        return respond(body, code)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return respond(error_body(error.code or 500), error.code or 500)
        if unavailable(error):
            return outage(error)
        current_app.logger.exception("unhandled error")
        get_session().rollback()
        return respond(error_body(500), 500)
