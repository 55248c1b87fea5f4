"""Who is calling: bearer tokens, the client's real address, sign-in throttles, rate limits."""

from __future__ import annotations

import math
import time

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from werkzeug.exceptions import Unauthorized
from werkzeug.middleware.proxy_fix import ProxyFix

from .db import get_session
from .domain.throttle import Backoff
from .models import User
from .services import signin, users

limiter = Limiter(key_func=get_remote_address, default_limits=[])


def init_app(app: Flask) -> None:
    """Install the rate limiter, and believe the configured number of proxies in front."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        # Each trusted proxy appends the address it saw; more hops than this are not believed.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,  # type: ignore[method-assign]
                                x_host=proxies)


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


def backoff() -> Backoff:
    """Give the configured delays after repeated failures on one account."""
    config = current_app.config
    return Backoff(free=config["LOGIN_FREE_FAILURES"],
                   max_seconds=config["LOGIN_MAX_DELAY_SECONDS"])


def _address_limit() -> tuple[RateLimitItem, str, str]:
    item = parse(current_app.config["LOGIN_FAILURES_PER_ADDRESS"])
    return item, "sign-in-failures", get_remote_address()


def sign_in(email: str, password: str) -> User | None:
    """Sign in through both throttles; answer the user, or None; raise TooSoon to wait.

    Failures are counted per client address across every account and both the API and the
    page (Flask-Limiter's storage, so several processes share it through Redis), and per e-mail
    address with growing delays (``services.signin``). Only failures count, and only the
    delay's own seconds are announced in Retry-After.
    """
    item, *key = _address_limit()
    if not limiter.limiter.test(item, *key):
        reset = limiter.limiter.get_window_stats(item, *key).reset_time
        raise signin.TooSoon(max(1, math.ceil(reset - time.time())))
    user = signin.sign_in(get_session(), email, password, backoff())
    if user is None:
        limiter.limiter.hit(item, *key)
    return user
