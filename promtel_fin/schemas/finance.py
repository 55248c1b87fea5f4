"""Schemas of what the loan simulator, viability, stress runs and the policy take in."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate, validates_schema

from ..domain.loan import DAY_COUNTS
from ..domain.policy import MAX_SLA_DAYS
from .common import StrictSchema
from .documents import ChecklistField
from .fields import RATIO_FORMAT, Fraction, Money, Rate, Text, choice, whole
from .proposals import CashFlowIn, TermsIn


class LoanIn(TermsIn):
    """The terms of a loan, and optionally its day count and dates.

    The rate and VAT default to the policy's; the public may not change them (see
    services.finance.simulate_loan).
    """

    annual_rate = Rate(load_default=None, metadata={
        "description": "default: the policy's; only PROMTEL, FOCIR and administrators may "
                       "give another"})
    vat_rate = Rate(load_default=None, metadata={
        "description": "default: the policy's; only PROMTEL, FOCIR and administrators may "
                       "give another"})
    day_count = choice(DAY_COUNTS, load_default="30/360")
    disbursement_date = fields.Date(load_default=None, allow_none=True)
    first_due_date = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("grace_months", 0) >= data.get("term_months", 1):
            raise ValidationError(_("The grace period must be shorter than the term."),
                                  "grace_months")
        if data.get("day_count") == "actual/360" and not data.get("disbursement_date"):
            raise ValidationError(_("The actual/360 day count needs a disbursement date."),
                                  "disbursement_date")


class ViabilityIn(StrictSchema):
    years = fields.List(fields.Nested(CashFlowIn), required=True)
    discount_rate = Rate(load_default=None)
    loan = fields.Nested(LoanIn, load_default=None)

    @validates_schema
    def _five_years(self, data: dict[str, Any], **_kwargs: Any) -> None:
        years = sorted(y["year"] for y in data.get("years") or [])
        if years != [1, 2, 3, 4, 5]:
            raise ValidationError(_("Give each of the years 1 to 5 exactly once."), "years")


class MonteCarloIn(StrictSchema):
    scenarios = whole(1, 100_000, load_default=10_000)
    seed = whole(0, load_default=20260101)
    revenue_sd = fields.Float(load_default=0.15, validate=validate.Range(0, 1, error=_l(
        "Must be from {min} to {max}.")))
    cost_sd = fields.Float(load_default=0.10, validate=validate.Range(0, 1, error=_l(
        "Must be from {min} to {max}.")))
    rate_sd = fields.Float(load_default=0.01, validate=validate.Range(0, 0.2, error=_l(
        "Must be from {min} to {max}.")))
    mean_delay_years = fields.Float(load_default=0.25, validate=validate.Range(0, 2, error=_l(
        "Must be from {min} to {max}.")))


class ShockIn(StrictSchema):
    revenue = fields.Float(load_default=0.8, validate=validate.Range(0, 3, error=_l(
        "Must be from {min} to {max}.")))
    cost = fields.Float(load_default=1.1, validate=validate.Range(0, 3, error=_l(
        "Must be from {min} to {max}.")))
    rate_shift = fields.Float(load_default=0.02, validate=validate.Range(-0.5, 0.5, error=_l(
        "Must be from {min} to {max}.")))
    delay_years = fields.Float(load_default=0.5, validate=validate.Range(0, 2, error=_l(
        "Must be from {min} to {max}.")))


class PolicyIn(StrictSchema):
    effective_from = fields.Date(required=True)
    note = Text(1000, load_default="")
    max_amount = Money(strictly_positive=True)
    annual_rate = Rate()
    vat_rate = Rate()
    discount_rate = Rate()
    max_term_months = whole(1, 600)
    max_grace_months = whole(0, 600)
    dscr_threshold = Fraction(maximum=Decimal(100), message=RATIO_FORMAT)
    guarantee_coverage = Fraction(maximum=Decimal(100), message=RATIO_FORMAT)
    min_bureau_score = whole(0, 1000)
    credit_report_max_age_days = whole(1, 3650)
    rural_population_threshold = whole(1, 10_000_000)
    max_open_drafts = whole(1, 1000)
    # Service levels in working days, one per step (issue 11 §3).
    sla_days_contact = whole(1, MAX_SLA_DAYS)
    sla_days_proposal = whole(1, MAX_SLA_DAYS)
    sla_days_promtel_feedback = whole(1, MAX_SLA_DAYS)
    sla_days_update = whole(1, MAX_SLA_DAYS)
    sla_days_promtel_verification = whole(1, MAX_SLA_DAYS)
    sla_days_focir_presentation = whole(1, MAX_SLA_DAYS)
    sla_days_focir_feedback = whole(1, MAX_SLA_DAYS)
    sla_days_promtel_opinion = whole(1, MAX_SLA_DAYS)
    sla_days_focir_decision = whole(1, MAX_SLA_DAYS)
    sla_days_agreement = whole(1, MAX_SLA_DAYS)
    haircuts = fields.Dict(keys=fields.String(), values=Rate())
    checklist = ChecklistField(metadata={
        "description": "the documents asked for per action; replaces the whole checklist"})


