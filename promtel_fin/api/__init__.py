"""The JSON API under /api/v1, documented with OpenAPI 3."""

from __future__ import annotations

from flask import Flask

from .errors import Api

DESCRIPTION = (
    "PROMTEL/FOCIR financing for rural telecom SMEs.\n\n"
    "Numbers in answers follow one rule: money is a decimal string with exactly two decimals "
    "(\"4500000.00\"); every other fraction (rates, IRR, MIRR, DSCR, profitability index, "
    "payback years, probabilities, haircuts, shocks) is a decimal string with exactly six "
    "decimals, a rate as a fraction (\"0.100000\" is 10%); counts (months, days, years, "
    "scenarios, ids) are JSON integers. Money and rates are sent as decimal strings too "
    "(stress shocks may be plain numbers). "
    "Approved terms and policy snapshots are answered exactly as recorded, since hashes "
    "cover them.\n\n"
    "Every error answers {code, status, message, errors?} (the Error schema): message is in "
    "the request's language (Spanish unless Accept-Language says en); errors, when present, "
    "is always an object: each field's messages (_schema for the body as a whole), or the "
    "rules' reasons and fields.")


def init_app(app: Flask) -> None:
    """Register the API blueprints and the offline documentation page."""
    from . import auth, docs, documents, finance, notifications, papers, proposals, public

    api = Api()
    app.extensions["promtel_api"] = api
    api.init_app(app, spec_kwargs={
        "info": {"description": DESCRIPTION},
    })
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearerAuth": []}]
    api.register_blueprint(auth.blp)
    api.register_blueprint(proposals.blp)
    api.register_blueprint(finance.blp)
    api.register_blueprint(papers.blp)
    api.register_blueprint(public.blp)
    api.register_blueprint(notifications.blp)
    api.register_blueprint(documents.blp)
    app.register_blueprint(docs.bp)
