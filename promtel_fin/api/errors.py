"""The API object: flask-smorest with errors in one shape and in the user's language."""

from __future__ import annotations

from flask import Response
from flask_babel import gettext as _
from flask_smorest import Api as SmorestApi
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..errors import error_body, respond
from ..i18n import translate_messages


class Api(SmorestApi):
    """flask-smorest's Api, answering every HTTP error as {code, status, message, errors}."""

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
        if isinstance(errors, dict) and set(errors) == {"_schema"}:
            errors = {"_schema": errors["_schema"]}
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
