"""Security headers on every response, and no caching of anything personal.

The pages load nothing from other sites, so the Content-Security-Policy allows only this
site's own files and no inline code (the styles are in ``static/app.css``). The one page with
scripts, the e.firma signing page, loads them from ``static/`` (``signing.js`` and the vendored
node-forge); every page works without them.
Every answer is ``Cache-Control: no-store`` unless it is one of the few public resources
below, asked for by someone who is not signed in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask, Response, request, session
from werkzeug.http import is_resource_modified

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
# Anonymous, public and the same for everyone: these may be cached (by the browser).
PUBLIC_PATHS = frozenset({"/", "/simulator", "/api/v1/policy", "/api/v1/docs",
                          "/api/v1/openapi.json", "/api/v1/workflow"})
# The transparency portal, its open data and its figures (issue 13): public, and revalidated
# with ETag / Last-Modified after PUBLIC_MAX_AGE seconds.
PUBLIC_PREFIXES = ("/transparencia", "/datos/", "/api/v1/public/")
PUBLIC_MAX_AGE = 300


def _signed_in() -> bool:
    """Say whether the request carries credentials (a bearer token or a page session)."""
    return "Authorization" in request.headers or bool(session.get("_user_id"))


def _cacheable(response: Response) -> bool:
    public = (request.endpoint == "static" or request.path in PUBLIC_PATHS
              or request.path.startswith(PUBLIC_PREFIXES))
    return (public and request.method in ("GET", "HEAD") and response.status_code in (200, 304)
            and not _signed_in())


def public_answer(etag: str, modified: datetime | None, body: Callable[[], Response]
                  ) -> Response:
    """Answer a public resource: 304 when the client has this version, else ``body()``.

    Either way with its ``ETag``, ``Last-Modified`` and ``Cache-Control: public, max-age``
    (which ``_secure`` turns into ``no-store`` when the request is signed in). ``body`` is only
    called when needed, so a revalidation costs no rendering.
    """
    if is_resource_modified(request.environ, etag=etag, last_modified=modified):
        response = body()
    else:
        response = Response(status=304)
    response.set_etag(etag)
    if modified is not None:
        response.last_modified = modified
    response.cache_control.public = True
    response.cache_control.max_age = PUBLIC_MAX_AGE
    return response


def init_app(app: Flask) -> None:
    """Add the security headers, and no-store to everything that is not public.

    In production the session cookie is ``__Host-session``: browsers keep such a cookie only
    when it is Secure, for Path=/ and without Domain, so no subdomain can set or read it.
    """
    production = app.config.get("ENV") == "production"
    if production:
        app.config.update(SESSION_COOKIE_NAME="__Host-session", SESSION_COOKIE_SECURE=True,
                          SESSION_COOKIE_PATH="/", SESSION_COOKIE_DOMAIN=None)

    @app.after_request
    def _secure(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if production:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if _cacheable(response):
            response.vary.add("Cookie")   # the language and the signed-in menu come from cookies
        else:
            response.headers["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        return response
