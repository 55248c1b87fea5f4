"""The API's Blueprint, whose argument parser reads JSON bodies safely and strictly.

Every operation with a JSON body requires one: a body that is not JSON answers 415, an empty
one 400 (send ``{}`` to take every default), malformed or too deeply nested JSON 400, and a
string that UTF-8 cannot hold (a lone surrogate) 422 naming the field. The JSON is parsed by
the app's own provider (``promtel_fin.bodies``), so a limit there holds here too.
"""

from __future__ import annotations

from typing import Any

import flask_smorest
from flask import Request, current_app
from flask_babel import gettext as _
from webargs.flaskparser import FlaskParser, abort, is_json_request

from ..bodies import JSONTooDeep, nest, surrogate_paths
from .errors import document_errors


class SafeParser(FlaskParser):
    """webargs' Flask parser with the rules above."""

    def _raw_load_json(self, req: Request) -> Any:
        body = req.get_data(cache=True)
        if not is_json_request(req):
            abort(415)
        if not body.strip():
            abort(400, messages={"json": {"_schema": [
                _("The request body is empty: send a JSON object ({} takes the defaults).")]}})
        try:
            data = current_app.json.loads(body)
        except JSONTooDeep:
            abort(400, messages={"json": {"_schema": [
                _("The JSON is nested too deeply.")]}})
        except (ValueError, UnicodeDecodeError):
            abort(400, messages={"json": {"_schema": [_("The body is not valid JSON.")]}})
        bad = surrogate_paths(data)
        if bad:
            abort(422, messages={"json": nest(bad, _(
                "This text holds characters that cannot be stored (a lone surrogate).")
            )})
        return data


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint with the SafeParser, documenting each operation's errors."""

    ARGUMENTS_PARSER = SafeParser()

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(document_errors)

    def add_url_rule(self, rule: str, *args: Any, **kwargs: Any) -> None:
        """Register a rule, noting for its documentation whether it names a record (404)."""
        super().add_url_rule(rule, *args, **kwargs)
        for key, doc in self._docs[self._endpoints[-1]].items():
            if key != "parameters":
                doc["path_params"] = "<" in rule
