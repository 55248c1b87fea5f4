"""The transparency portal's aggregates as JSON (GET /api/v1/public/stats)."""

from __future__ import annotations

from marshmallow import Schema, fields

from .fields import MoneyOut, RatioOut


class SocialSitesOut(Schema):
    school = fields.Integer()
    health_centre = fields.Integer()
    library = fields.Integer()
    civic_square = fields.Integer()


class StateStatsOut(Schema):
    cve_ent = fields.String(metadata={"description": "INEGI's state code, 01 to 32 (00: the "
                                                     "country)"})
    name = fields.String()
    agreements = fields.Integer(metadata={"description": "signed agreements"})
    amount = MoneyOut(metadata={"description": "approved amount of the signed agreements"})
    localities = fields.Integer(metadata={"description": "localities they serve"})
    population = fields.Integer(metadata={"description": "people living in those localities"})
    social_sites = fields.Nested(SocialSitesOut, metadata={"description": "sites served, by "
                                                                          "kind"})


class StepStatsOut(Schema):
    step = fields.Integer()
    state = fields.String()
    proposals = fields.Integer(metadata={"description": "proposals at this step now"})
    median_working_days = RatioOut(allow_none=True, metadata={
        "description": "median working days (Monday to Friday) a visit to this step took, "
                       "among visits that ended; null when none has"})
    completed_visits = fields.Integer()


class PipelineOut(Schema):
    steps = fields.List(fields.Nested(StepStatsOut))
    in_process = fields.Integer(metadata={"description": "proposals at steps 1 to 10"})
    signed = fields.Integer()
    rejected = fields.Integer()
    withdrawn = fields.Integer()
    approved = fields.Integer(metadata={"description": "proposals FOCIR approved (signed "
                                                       "since or not)"})
    approval_rate = RatioOut(allow_none=True, metadata={
        "description": "approved / (approved + rejected); null before any decision"})


class PublicStatsOut(Schema):
    modified = fields.DateTime(allow_none=True, metadata={
        "description": "when the data behind these figures last changed"})
    totals = fields.Nested(StateStatsOut)
    states = fields.List(fields.Nested(StateStatsOut), metadata={
        "description": "the 32 states, in CVE_ENT order, those without agreements included"})
    pipeline = fields.Nested(PipelineOut)
