"""Who is calling: bearer tokens for the API, and the rate limiter for sign-ins and public tools."""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import Unauthorized

from .db import get_session
from .models import User
from .services import users

limiter = Limiter(key_func=get_remote_address, default_limits=[])


def init_app(app: Flask) -> None:
    """Install the rate limiter with the configured storage (memory, or Redis in production)."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)


def bearer_token() -> str | None:
    """Read the token of an ``Authorization: Bearer ...`` header."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def api_user() -> User:
    """Give the user of the request's bearer token, or answer 401."""
    token = bearer_token()
    user = users.user_for_token(get_session(), token) if token else None
    if user is None:
        raise Unauthorized(www_authenticate='Bearer realm="promtel_fin"')
    return user


def login_limit() -> str:
    """Give the failed sign-in limit in force (configurable)."""
    return f"{current_app.config['LOGIN_ATTEMPTS_PER_15_MIN']} per 15 minutes"


def login_key() -> str:
    """Key failed sign-ins by client address and the e-mail tried."""
    data = request.get_json(silent=True)
    email = data.get("email", "") if isinstance(data, dict) else request.form.get("email", "")
    return f"{get_remote_address()}:{str(email).strip().lower()[:254]}"
