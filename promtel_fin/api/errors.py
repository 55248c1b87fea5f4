"""The API object and the error contract: one shape for every 4xx and 5xx, documented.

Every error answers ``{"code", "status", "message", "errors"?}``; ``errors``, when present, is
always an object: each field's list of messages (nested for nested fields and list items,
``_schema`` for the body as a whole), or for refusals of the rules ``reasons`` (each with its
``code``, ``message`` and maybe ``field``) and ``fields`` (field → messages).

Each operation documents every status it can answer with the ``Error`` schema, worked out in
one place (``document_errors``): a JSON body may answer 400, 413, 415 and 422; query
arguments 422; an id in the path 404; an operation that needs sign-in 401; every operation 503.
The rest (403, 409, a 422 of the rules, 429) a view states with ``@fails(...)``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask import Response
from flask_babel import gettext as _
from flask_smorest import Api as SmorestApi
from flask_wtf.csrf import CSRFError
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from ..errors import error_body, respond
from ..i18n import translate_messages

LIMITS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
ERROR_REF = {"$ref": "#/components/schemas/Error"}
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before trying again",
                               "schema": {"type": "integer"}}}
DESCRIPTIONS = {
    400: "The body is not valid JSON, is empty (send {} for the defaults) or is nested too "
         "deeply",
    401: "Sign in: the bearer token is missing, wrong or expired",
    403: "Your role may not do this now; errors.reasons says why",
    404: "Not found, or not visible to you",
    409: "Conflicts with the current state (a stale version, an action not available at this "
         "step, a record already registered)",
    413: "The body is larger than the limit (2 MB by default)",
    415: "Send the body as JSON (Content-Type: application/json)",
    422: "Invalid data: errors gives each field's messages (_schema: the body as a whole), or "
         "the rules' reasons in errors.reasons and errors.fields",
    429: "Too many requests: wait the seconds of Retry-After",
    503: "The service cannot answer right now (database unavailable): try again after "
         "Retry-After; nothing was saved",
}


class Error(Schema):
    """Every error's body."""

    code = fields.Integer(required=True, metadata={"description": "the HTTP status"})
    status = fields.String(required=True, metadata={"description": "the status's name, e.g. "
                                                                   "Unprocessable Entity"})
    message = fields.String(required=True, metadata={
        "description": "what went wrong, in the request's language (Spanish by default)"})
    errors = fields.Dict(keys=fields.String(), metadata={
        "description": "always an object: field → list of messages (nested objects for nested "
                       "fields and list items; _schema for the whole body), or, when a rule "
                       "refuses, reasons ([{code, message, field?}]) and fields (field → "
                       "messages)"})


def fails(*codes: int, **notes: str) -> Callable[[Any], Any]:
    """Document statuses a view answers beyond those inferred (403, 409, 422 of the rules, 429).

    ``notes`` (``e409="Stale version"``) replace the general description of a status.
    """
    def decorator(func: Any) -> Any:
        doc = dict(getattr(func, "_apidoc", {}))
        doc["fails"] = {**doc.get("fails", {}), **dict.fromkeys(codes),
                        **{int(k[1:]): v for k, v in notes.items()}}
        func._apidoc = doc
        return func
    return decorator


def error_response(code: int, description: str | None = None) -> dict[str, Any]:
    """Give the OpenAPI response of one error status: the shared one, or one with a note."""
    if description is None:
        return {"$ref": f"#/components/responses/Error{code}"}
    response: dict[str, Any] = {"description": description,
                                "content": {"application/json": {"schema": ERROR_REF}}}
    if code in (429, 503):
        response["headers"] = RETRY_AFTER
    return response


def document_errors(doc: dict[str, Any], doc_info: dict[str, Any], **_kwargs: Any
                    ) -> dict[str, Any]:
    """Add to an operation's document every error status it can answer (see module doc)."""
    codes: dict[int, str | None] = {503: None}
    if "requestBody" in doc:
        codes |= dict.fromkeys((400, 413, 415, 422))
    if any(p.get("in") == "query" for p in doc.get("parameters", [])):
        codes[422] = None
    if doc_info.get("path_params"):
        codes[404] = None
    if doc_info.get("manual_doc", {}).get("security") != []:
        codes[401] = None
    codes |= {code: note for code, note in doc_info.get("fails", {}).items()
              if note or code not in codes}
    responses = doc.setdefault("responses", {})
    for code in sorted(codes):
        responses[code] = error_response(code, codes[code])
    return doc


def numeric_limits(_converter: Any, _field: Any, ret: dict[str, Any], **_kwargs: Any
                   ) -> dict[str, Any]:
    """Write a field's limits as JSON numbers, and its default and example by its type.

    marshmallow's Range with Decimal bounds would otherwise reach the document as Decimals,
    which Flask's JSON writes as strings ("minimum": "0"), and OpenAPI refuses.
    """
    def number(value: Decimal) -> int | float:
        return int(value) if value == value.to_integral_value() else float(value)

    fixed = {key: number(ret[key]) for key in LIMITS if isinstance(ret.get(key), Decimal)}
    for key in ("default", "example"):
        if isinstance(ret.get(key), Decimal):
            fixed[key] = number(ret[key]) if ret.get("type") in ("number", "integer") \
                else str(ret[key])
    return fixed


class Api(SmorestApi):
    """flask-smorest's Api, answering every HTTP error as {code, status, message, errors}."""

    ERROR_SCHEMA = Error
    DEFAULT_ERROR_RESPONSE_NAME = None  # each operation lists its own errors

    def _init_spec(self, *args: Any, **kwargs: Any) -> None:
        super()._init_spec(*args, **kwargs)
        self.ma_plugin.converter.add_attribute_function(numeric_limits)

    def _register_responses(self) -> None:
        """Register the Error schema and one response per error status (Error400, ...)."""
        self.spec.components.schema("Error", schema=Error)
        for code, description in DESCRIPTIONS.items():
            self.spec.components.response(
                f"Error{code}", error_response(code, description))

    def handle_http_exception(self, error: HTTPException) -> Response:
        """Translate the message and field errors of any HTTP error into the request's language."""
        code = error.code or 500
        data = getattr(error, "data", None) or {}
        errors = data.get("errors") or data.get("messages")
        if isinstance(errors, dict) and len(errors) == 1:
            # webargs nests body errors under their location ("json", "query"); one is enough.
            (location, inner), = errors.items()
            if location in ("json", "query", "form", "headers", "view_args"):
                errors = inner
        headers = dict(data.get("headers") or {})
        if code == 401:
            headers.setdefault("WWW-Authenticate", 'Bearer realm="promtel_fin"')
        message = data.get("message")
        if isinstance(error, CSRFError):
            message = _("The form expired or came from another site; reload the page and "
                        "send it again.")
            errors = None
        body = error_body(code, str(message) if message else None,
                          translate_messages(errors) if errors else None)
        return respond(body, code, headers)
