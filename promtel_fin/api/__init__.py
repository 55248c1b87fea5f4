"""The JSON API under /api/v1, documented with OpenAPI 3."""

from __future__ import annotations

from flask import Flask

from .errors import Api


def init_app(app: Flask) -> None:
    """Register the API blueprints and the offline documentation page."""
    from . import auth, docs, finance, proposals

    api = Api()
    app.extensions["promtel_api"] = api
    api.init_app(app, spec_kwargs={
        "info": {"description": "PROMTEL/FOCIR financing for rural telecom SMEs. Money is sent "
                                "and returned as decimal strings, e.g. \"4500000.00\"."},
    })
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearerAuth": []}]
    api.register_blueprint(auth.blp)
    api.register_blueprint(proposals.blp)
    api.register_blueprint(finance.blp)
    app.register_blueprint(docs.bp)
