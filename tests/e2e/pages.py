"""Helpers for the page tests: sign in and post forms with their CSRF token."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from promtel_fin.models import User

from ..factories import PASSWORD


def csrf(client: FlaskClient, path: str) -> str:
    """Read the CSRF token from a page's form."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: FlaskClient, user: User) -> None:
    r = client.post("/login", data={"csrf_token": csrf(client, "/login"), "email": user.email,
                                    "password": PASSWORD})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]


def post(client: FlaskClient, path: str, data: dict[str, Any], token_from: str | None = None):
    """Post a form as a browser would, with the CSRF token of the page it comes from."""
    return client.post(path, data={"csrf_token": csrf(client, token_from or path), **data})


def text(response: Any) -> str:
    return response.get_data(as_text=True)
