"""Schemas of the figures the API answers: schedules, viability, eligibility, stress, policy.

Every number follows one rule (README, "Numbers in answers"): money is a decimal string with
exactly two decimals (``MoneyOut``), every other fraction (rates, ratios, years, probabilities)
a decimal string with exactly six decimals (``RatioOut``), and counts are JSON integers.
"""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from typing import Any

from marshmallow import Schema, fields

from ..domain.policy import Policy
from ..domain.stress import PERCENTILES
from .documents import ChecklistItemOut
from .fields import MoneyOut, RatioOut


class TermsOut(Schema):
    amount = MoneyOut()
    annual_rate = RatioOut(metadata={"description": "yearly rate, VAT excluded"})
    vat_rate = RatioOut(metadata={"description": "VAT on the interest"})
    term_months = fields.Integer()
    grace_months = fields.Integer()
    method = fields.String()
    day_count = fields.String()
    disbursement_date = fields.Date(allow_none=True)
    first_due_date = fields.Date(allow_none=True)


class RowOut(Schema):
    period = fields.Integer()
    due_date = fields.Date(allow_none=True)
    days = fields.Integer(allow_none=True)
    opening_balance = MoneyOut()
    interest = MoneyOut()
    vat = MoneyOut()
    principal = MoneyOut()
    payment = MoneyOut()
    closing_balance = MoneyOut()


class TotalsOut(Schema):
    interest = MoneyOut()
    vat = MoneyOut()
    principal = MoneyOut()
    payment = MoneyOut()


class ScheduleOut(Schema):
    terms = fields.Nested(TermsOut)
    installment = MoneyOut(allow_none=True, metadata={
        "description": "level installment, VAT excluded; null for equal principal"})
    schedule = fields.List(fields.Nested(RowOut))
    totals = fields.Nested(TotalsOut)


class DscrOut(Schema):
    year = fields.Integer()
    cfads = MoneyOut()
    debt_service = MoneyOut()
    dscr = RatioOut(metadata={"description": "CFADS / debt service"})


class MetricsOut(Schema):
    net_cash_flows = fields.List(MoneyOut())
    npv = MoneyOut()
    irr = RatioOut(allow_none=True, metadata={"description": "null when none exists"})
    irr_may_not_be_unique = fields.Boolean()
    irr_note = fields.String(allow_none=True)
    mirr = RatioOut(allow_none=True)
    payback_years = RatioOut(allow_none=True, metadata={"description": "years"})
    discounted_payback_years = RatioOut(allow_none=True, metadata={"description": "years"})
    profitability_index = RatioOut(allow_none=True)
    dscr = fields.List(fields.Nested(DscrOut))
    min_dscr = RatioOut(allow_none=True)
    discount_rate = RatioOut()
    finance_rate = RatioOut()


def _parameter(name: str, kind: Any) -> fields.Field:
    if name == "checklist":
        return fields.List(fields.Nested(ChecklistItemOut))
    if name == "haircuts":
        return fields.Dict(keys=fields.String(), values=RatioOut())
    if name == "max_amount":
        return MoneyOut()
    return fields.Integer() if kind in (int, "int") else RatioOut()


# One field per parameter of the domain's Policy, so a new parameter is answered at once.
PolicyParametersOut = Schema.from_dict(
    {f.name: _parameter(f.name, f.type) for f in dataclass_fields(Policy)},
    name="PolicyParametersOut")


class PolicyEffectiveOut(PolicyParametersOut):  # type: ignore[misc,valid-type]
    effective_from = fields.Date(allow_none=True)


class CheckOut(Schema):
    code = fields.String()
    result = fields.String(metadata={"enum": ["pass", "fail", "review"]})
    reason = fields.String()


CheckCountsOut = Schema.from_dict(
    {kind: fields.Integer() for kind in ("pass", "fail", "review")}, name="CheckCountsOut")


class EligibilityOut(Schema):
    checks = fields.List(fields.Nested(CheckOut))
    summary = fields.Nested(CheckCountsOut)
    policy_effective = fields.Nested(PolicyEffectiveOut)


class PolicyOut(Schema):
    effective_from = fields.Date(allow_none=True)
    parameters = fields.Nested(PolicyParametersOut)
    note = fields.String()
    created_at = fields.DateTime(allow_none=True)


def _percentiles(kind: type[fields.Field], what: str) -> type[Schema]:
    return Schema.from_dict(
        {f"p{p}": kind(allow_none=True) for p in PERCENTILES},
        name=f"{what}Percentiles")


class MonteCarloOut(Schema):
    scenarios = fields.Integer()
    seed = fields.Integer()
    probability_min_dscr_below_1 = RatioOut()
    probability_min_dscr_below_threshold = RatioOut()
    probability_npv_negative = RatioOut()
    share_without_irr = RatioOut(metadata={"description": "scenarios where no IRR exists"})
    npv = fields.Nested(_percentiles(MoneyOut, "Npv"), metadata={
        "description": "percentiles; null when no scenario has the figure"})
    irr = fields.Nested(_percentiles(RatioOut, "Irr"))
    min_dscr = fields.Nested(_percentiles(RatioOut, "MinDscr"))
    dscr_threshold = RatioOut()


class StressedProposalOut(Schema):
    proposal_id = fields.Integer()
    title = fields.String()
    company = fields.String(metadata={"description": "the company's legal name"})
    state = fields.String()
    base_min_dscr = RatioOut(allow_none=True)
    stressed_min_dscr = RatioOut(allow_none=True)
    base_npv = MoneyOut()
    stressed_npv = MoneyOut()
    breaks_threshold = fields.Boolean()


class PortfolioStressOut(Schema):
    dscr_threshold = RatioOut()
    proposals = fields.List(fields.Nested(StressedProposalOut))
    breaking = fields.Integer(metadata={"description": "how many break the DSCR threshold"})

