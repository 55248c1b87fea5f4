"""Request bodies that cannot hurt the service: a size cap read before the body, and safe JSON.

- A body larger than ``MAX_CONTENT_LENGTH`` (default 2 MB) is answered 413 from its
  ``Content-Length`` header, before a byte of it is read; a chunked body is cut off by Werkzeug
  at the same limit while it is read.
- The routes that receive documents (marked with ``takes_uploads``) take a multipart POST of up
  to ``MAX_DOCUMENT_BYTES`` plus ``UPLOAD_OVERHEAD`` for the form around the file, with the same
  refusal before reading; the file's own limit is checked while it is copied
  (services/documents.py). Every other route keeps ``MAX_CONTENT_LENGTH``.
- JSON is parsed by one provider for the whole app (Flask's ``request.get_json`` and the API's
  argument parser alike): nesting deeper than ``MAX_JSON_DEPTH`` levels, which would otherwise
  exhaust Python's recursion limit, is refused as malformed (400), never a 500.
- Strings holding lone UTF-16 surrogates (``"\\ud800"``), which JSON can spell but UTF-8 cannot
  store, are found with their path so the API can answer 422 naming the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, request
from flask.json.provider import DefaultJSONProvider

MAX_JSON_DEPTH = 32
# Room for the multipart form around an uploaded file: boundaries, part headers, the kind and
# the CSRF token.
UPLOAD_OVERHEAD = 64 * 1024
# Parts an upload form may have (file, kind, CSRF token, and a few more).
UPLOAD_FORM_PARTS = 16
View = TypeVar("View", bound=Callable[..., Any])


def takes_uploads(view: View) -> View:
    """Mark a view (function or MethodView class) whose POST receives a document."""
    view.takes_uploads = True  # type: ignore[attr-defined]
    return view


def upload_body_limit(config: Any) -> int:
    """Give the largest body an upload route reads: the document's limit and the form's room."""
    return int(config["MAX_DOCUMENT_BYTES"]) + UPLOAD_OVERHEAD


def _receives_upload() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    view = getattr(view, "view_class", view)
    return request.method == "POST" and bool(getattr(view, "takes_uploads", False))


class JSONTooDeep(ValueError):
    """JSON nested deeper than MAX_JSON_DEPTH levels."""


def check_depth(data: Any, limit: int = MAX_JSON_DEPTH) -> None:
    """Raise JSONTooDeep when lists and objects nest more than ``limit`` levels."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                raise JSONTooDeep(f"JSON nested more than {limit} levels")
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children
                         if isinstance(child, dict | list))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def surrogate_paths(data: Any) -> list[tuple[str | int, ...]]:
    """List the paths of every string (value or key) that holds a lone surrogate."""
    found: list[tuple[str | int, ...]] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if _has_surrogate(value):
                found.append(path)
        elif isinstance(value, dict):
            for key, child in value.items():
                key_path = (*path, _SURROGATE.sub("\ufffd", key))
                if _has_surrogate(key):
                    found.append(key_path)
                else:
                    stack.append((child, key_path))
        elif isinstance(value, list):
            stack.extend((child, (*path, i)) for i, child in enumerate(value))
    return sorted(found, key=str)


def nest(paths: list[tuple[str | int, ...]], message: str) -> dict[str | int, Any]:
    """Turn paths into marshmallow's nested error shape, ``message`` at each leaf."""
    tree: dict[str | int, Any] = {}
    for path in paths:
        node = tree
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1] if path else "_schema"] = [message]
    return tree


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, refusing bodies nested too deeply instead of crashing."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse JSON; too deep a nesting raises JSONTooDeep (a ValueError, so a 400)."""
        try:
            data = json.loads(s, **kwargs)
        except RecursionError:
            raise JSONTooDeep(f"JSON nested more than {MAX_JSON_DEPTH} levels") from None
        check_depth(data)
        return data


def init_app(app: Flask) -> None:
    """Install the JSON provider and refuse oversized bodies before reading them."""
    app.json = SafeJSONProvider(app)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # "ó", not "\\u00f3"

    @app.before_request
    def _refuse_oversized_body() -> None:
        if _receives_upload():
            request.max_content_length = upload_body_limit(current_app.config)
            request.max_form_parts = UPLOAD_FORM_PARTS
        limit = request.max_content_length
        if limit is not None and (request.content_length or 0) > limit:
            abort(413)
