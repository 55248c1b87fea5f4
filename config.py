"""Configuration read from the environment, with safe development defaults.

Production (``PROMTEL_ENV=production``) refuses to start without a real ``SECRET_KEY`` and
``AUDIT_KEY``, an explicit PostgreSQL ``DATABASE_URL`` and a rate-limit store that the worker
processes share; each refusal is one line on stderr and exit status 1 (``refuse_to_start``).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

ROOT = Path(__file__).resolve().parent
DEV_SECRET = "dev-only-not-secret"
DEV_AUDIT_KEY = "dev-only-audit-key-not-secret"


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _bool(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


class Config:
    """Settings for every environment; each one can be set by an environment variable."""

    ENV = os.environ.get("PROMTEL_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET)
    # Seals the history (HMAC-SHA-256); older keys, comma-separated, still verify after rotation.
    AUDIT_KEY = os.environ.get("AUDIT_KEY", DEV_AUDIT_KEY)
    AUDIT_PREVIOUS_KEYS = os.environ.get("AUDIT_PREVIOUS_KEYS", "")
    DATABASE_URL = os.environ.get(
        "DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'promtel_fin.sqlite3'}")
    # Bearer tokens for the API live this many hours.
    TOKEN_TTL_HOURS = _int("TOKEN_TTL_HOURS", 12)
    # Failed sign-ins allowed per client address, across every account (Flask-Limiter syntax).
    LOGIN_FAILURES_PER_ADDRESS = os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "30 per 15 minutes")
    # One account: this many failures in a row are free, then each waits 2, 4, 8... seconds.
    LOGIN_FREE_FAILURES = _int("LOGIN_FREE_FAILURES", 3)
    LOGIN_MAX_DELAY_SECONDS = _int("LOGIN_MAX_DELAY_SECONDS", 60)
    # Page sessions end after this long without a request, and this long after sign-in.
    SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 60)
    SESSION_MAX_HOURS = _int("SESSION_MAX_HOURS", 12)
    # Proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed (0: none).
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    # Flask-Limiter storage: memory:// for one process; redis://127.0.0.1:6379 for several.
    # Requests per client address to the public simulators.
    SIMULATOR_RATE_LIMIT = os.environ.get("SIMULATOR_RATE_LIMIT", "60 per minute")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # The transparency portal re-reads the history's head at most this often (seconds): its
    # figures may be this old, and are recomputed at most this often per process.
    TRANSPARENCY_REFRESH_SECONDS = _int("TRANSPARENCY_REFRESH_SECONDS", 300)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = ENV == "production"
    BABEL_DEFAULT_LOCALE = "es"
    BABEL_DEFAULT_TIMEZONE = "America/Mexico_City"
    LANGUAGES = ("es", "en")
    # Shown on the privacy notice (/privacidad) besides PROMTEL's Transparency Unit and the
    # National Transparency Platform; empty shows no address.
    PRIVACY_CONTACT_EMAIL = os.environ.get("PRIVACY_CONTACT_EMAIL", "")
    PAGE_SIZE_MAX = 100
    # Largest request body in bytes (2 MB): larger ones are answered 413 before being read.
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    # Uploaded documents: where the files live (named by SHA-256), and the largest file in bytes
    # (10 MB). Only the upload routes take bodies that large (MAX_CONTENT_LENGTH stays for JSON).
    DOCUMENTS_DIR = os.environ.get("DOCUMENTS_DIR", str(ROOT / "instance" / "documents"))
    MAX_DOCUMENT_BYTES = _int("MAX_DOCUMENT_BYTES", 10 * 1024 * 1024)
    JSON_SORT_KEYS = False
    # The institutions as the agreement and the term sheet name them (RFC empty: printed "—").
    FOCIR_LEGAL_NAME = os.environ.get(
        "FOCIR_LEGAL_NAME", "Fondo de Capitalización e Inversión del Sector Rural (FOCIR)")
    FOCIR_RFC = os.environ.get("FOCIR_RFC", "")
    PROMTEL_LEGAL_NAME = os.environ.get(
        "PROMTEL_LEGAL_NAME", "Promotor de Inversiones en Telecomunicaciones (PROMTEL)")
    PROMTEL_RFC = os.environ.get("PROMTEL_RFC", "")
    # The institutional seal of signed agreements (PAdES); unset: agreements are not sealed.
    AGREEMENT_SEAL_KEY = os.environ.get("AGREEMENT_SEAL_KEY", "")
    AGREEMENT_SEAL_CERT = os.environ.get("AGREEMENT_SEAL_CERT", "")
    AGREEMENT_SEAL_CHAIN = os.environ.get("AGREEMENT_SEAL_CHAIN", "")
    AGREEMENT_SEAL_PASSWORD = os.environ.get("AGREEMENT_SEAL_PASSWORD", "")
    # e.firma: the CAs trusted to issue signers' certificates (a PEM file, or a directory of
    # .pem/.cer/.crt); outside production the demo CA in EFIRMA_DEMO_DIR is trusted too.
    EFIRMA_CA_CERTS = os.environ.get("EFIRMA_CA_CERTS", "")
    EFIRMA_DEMO_DIR = os.environ.get("EFIRMA_DEMO_DIR", str(ROOT / "instance" / "efirma"))
    # Revocation: an OCSP responder's URL turns the check on (off by default).
    EFIRMA_OCSP_URL = os.environ.get("EFIRMA_OCSP_URL", "")

    # Issue 11: e-mail over SMTP, sent only by `flask notifications deliver` (never the web
    # process). Links in e-mails start with PUBLIC_URL (the address people type, no trailing /).
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://localhost:5000").rstrip("/")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")      # STARTTLS after connecting
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")      # TLS from the start (usually port 465)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER",
                                         "PROMTEL/FOCIR <no-reply@localhost>")
    MAIL_TIMEOUT_SECONDS = _int("MAIL_TIMEOUT_SECONDS", 30)
    # A failed e-mail is tried again after 1, 2, 4, 8... minutes (at most 6 hours apart), and
    # is marked failed, for the administrator to see, after this many attempts.
    NOTIFY_MAX_ATTEMPTS = _int("NOTIFY_MAX_ATTEMPTS", 10)
    NOTIFY_RETRY_SECONDS = _int("NOTIFY_RETRY_SECONDS", 60)

    API_TITLE = "promtel_fin API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"


class ConfigError(RuntimeError):
    """A setting the app cannot start with: said in one line, never as a traceback."""


# Rate-limit stores whose client library comes with the ``production`` extra.
REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://", "redis+sentinel://",
                 "redis+cluster://")


def check_production(config: Mapping[str, Any]) -> None:
    """Refuse to run production with development secrets, SQLite or a per-process rate limit."""
    if config.get("ENV") != "production":
        return
    secret = config.get("SECRET_KEY") or ""
    if secret == DEV_SECRET or len(secret) < 32:
        raise ConfigError("SECRET_KEY must be set to a random value of 32+ characters")
    if "DATABASE_URL" not in os.environ and config.get("DATABASE_URL") == Config.DATABASE_URL:
        raise ConfigError("DATABASE_URL must be set in production")
    if str(config.get("DATABASE_URL") or "").startswith("sqlite"):
        raise ConfigError("DATABASE_URL must name a PostgreSQL database in production, not SQLite")
    audit_key = config.get("AUDIT_KEY") or ""
    if audit_key == DEV_AUDIT_KEY or len(audit_key) < 32:
        raise ConfigError("AUDIT_KEY must be set to a random value of 32+ characters")
    if audit_key == secret:
        raise ConfigError("AUDIT_KEY must differ from SECRET_KEY")
    storage = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if storage.startswith("memory://"):
        raise ConfigError("RATELIMIT_STORAGE_URI must be a store the workers share in production, "
                          "e.g. redis://127.0.0.1:6379, not memory:// (each worker would count "
                          "sign-in failures alone)")


def check_storage(config: Mapping[str, Any]) -> None:
    """Refuse a Redis rate-limit store when the redis package is not installed."""
    storage = str(config.get("RATELIMIT_STORAGE_URI") or "")
    if storage.startswith(REDIS_SCHEMES) and importlib.util.find_spec("redis") is None:
        raise ConfigError("RATELIMIT_STORAGE_URI is Redis but the redis package is missing: "
                          "pip install -e '.[production]'")


def refuse_to_start(error: Exception, status: int = 1) -> NoReturn:
    """Say why the app cannot start, in one line on stderr, and exit."""
    print(f"promtel_fin: cannot start: {error}", file=sys.stderr, flush=True)
    sys.exit(status)


def settings() -> dict[str, Any]:
    """Give the settings read from the environment, as Flask's ``from_object`` would."""
    return {name: getattr(Config, name) for name in dir(Config) if name.isupper()}
