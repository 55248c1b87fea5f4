"""The transparency portal's aggregates as JSON: public, cached, with ETag and Last-Modified."""

from __future__ import annotations

import json
from typing import Any

from flask import Response
from flask.views import MethodView

from ..db import get_session
from ..domain import transparency as t
from ..headers import public_answer
from ..schemas import PublicStatsOut
from ..services import transparency
from .parser import Blueprint

blp = Blueprint("public_api", __name__, url_prefix="/api/v1/public",
                description="The program's figures for the public (transparency portal)")
FORMAT_VERSION = "1"   # bump when the document changes shape: its ETag changes with it
CACHING = {
    "ETag": {"description": "the version of these figures; send it back in If-None-Match",
             "schema": {"type": "string"}},
    "Last-Modified": {"description": "when the data behind these figures last changed",
                      "schema": {"type": "string"}},
    "Cache-Control": {"description": "public, max-age=300", "schema": {"type": "string"}},
}


def _state(figures: t.StateFigures) -> dict[str, Any]:
    return {"cve_ent": figures.code, "name": figures.name, "agreements": figures.agreements,
            "amount": figures.amount, "localities": figures.localities,
            "population": figures.population,
            "social_sites": {kind: figures.sites_of(kind) for kind in t.SITE_COLUMNS}}


def stats_document(snapshot: Any) -> dict[str, Any]:
    """The portal's figures: the country, each state, and the pipeline."""
    pipeline = snapshot.pipeline
    return {
        "modified": snapshot.modified,
        "totals": {**_state(snapshot.totals), "name": "México"},
        "states": [_state(s) for s in snapshot.states.values()],
        "pipeline": {
            "steps": [{"step": s.step, "state": s.state, "proposals": s.proposals,
                       "median_working_days": s.median_working_days,
                       "completed_visits": s.visits} for s in pipeline.steps],
            "in_process": pipeline.in_process, **pipeline.finished,
            "approved": pipeline.approved, "approval_rate": pipeline.approval_rate},
    }


@blp.route("/stats")
class PublicStats(MethodView):
    @blp.response(200, PublicStatsOut, headers=CACHING)
    @blp.alt_response(304, description="Not modified: the figures are still those of the "
                                       "ETag sent in If-None-Match (or not newer than "
                                       "If-Modified-Since)")
    @blp.doc(security=[])
    def get(self) -> Response:
        """Signed agreements by state and the pipeline by step, as on /transparencia (public).

        Only signed agreements are counted by state; proposals in process appear only as
        counts per step. Amounts are approved amounts (pesos); the approval rate is approved
        over approved plus rejected. Cached: answers 304 to a matching If-None-Match.
        """
        snapshot = transparency.figures(get_session())
        return public_answer(
            snapshot.etag("stats.json", FORMAT_VERSION), snapshot.modified,
            lambda: Response(json.dumps(PublicStatsOut().dump(stats_document(snapshot)),
                                        ensure_ascii=False), mimetype="application/json"))
