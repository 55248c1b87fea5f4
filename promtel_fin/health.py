"""Liveness and readiness, for an orchestrator or a load balancer.

``GET /healthz`` answers 200 while the process can answer at all, and touches nothing else: a
failing database must not make an orchestrator restart healthy processes. ``GET /readyz``
answers 200 when the database answers a ``SELECT 1`` and, when the rate limits live in a shared
store (Redis), that store answers a ping; otherwise 503, naming what is down. Both are public,
never rate-limited, never cached, and set no cookie.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, jsonify
from flask.wrappers import Response
from limits.storage import Storage, storage_from_string
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from config import REDIS_SCHEMES

from .security import limiter

bp = Blueprint("health", __name__)
# A store that does not answer within this many seconds is reported down.
STORE_TIMEOUT_SECONDS = 2
RETRY_AFTER_SECONDS = 30


def init_app(app: Flask) -> None:
    """Register the two endpoints, and a client of the shared rate-limit store to ping."""
    uri = str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if not uri.startswith("memory://"):
        options: dict[str, Any] = {}
        if uri.startswith(("redis://", "rediss://", "redis+unix://")):
            options = {"socket_connect_timeout": STORE_TIMEOUT_SECONDS,
                       "socket_timeout": STORE_TIMEOUT_SECONDS}
        name = "redis" if uri.startswith(REDIS_SCHEMES) else "rate_limit_store"
        app.extensions["promtel_health_store"] = (name, storage_from_string(uri, **options))
    app.register_blueprint(bp)
    limiter.exempt(bp)


def _answer(body: dict[str, Any], status: int) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@bp.get("/healthz")
def healthz() -> Response:
    """Say the process is alive, without touching the database or anything else."""
    return _answer({"status": "ok"}, 200)


def database_answers(engine: Engine) -> bool:
    """Run ``SELECT 1`` on a connection of the app's pool (checked and renewed on the way)."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        return False
    return True


def store_answers(store: Storage) -> bool:
    """Ping the shared rate-limit store."""
    try:
        return bool(store.check())
    except Exception:   # a store's client may raise anything; down is down
        return False


@bp.get("/readyz")
def readyz() -> Response:
    """Say whether this process can serve: the database and the shared store answer."""
    checks = {"database": "ok" if database_answers(current_app.extensions["engine"]) else "down"}
    if "promtel_health_store" in current_app.extensions:
        name, store = current_app.extensions["promtel_health_store"]
        checks[name] = "ok" if store_answers(store) else "down"
    ready = all(state == "ok" for state in checks.values())
    return _answer({"status": "ok" if ready else "unavailable", "checks": checks},
                   200 if ready else 503)
