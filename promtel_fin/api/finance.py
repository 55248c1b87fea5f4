"""Loan and viability simulators (public), a proposal's figures, stress runs, and the policy."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, current_app
from flask.views import MethodView

from ..db import get_session
from ..domain import stress, viability
from ..domain.errors import N_, CheckFailed, Forbidden, reason
from ..domain.workflow import STAFF_ROLES, Role
from ..exports import XLSX, download
from ..schemas import (
    EligibilityOut,
    LoanIn,
    MetricsOut,
    MonteCarloIn,
    MonteCarloOut,
    PolicyIn,
    PolicyOut,
    PortfolioStressOut,
    ScheduleOut,
    ShockIn,
    ViabilityIn,
)
from ..security import api_user, bearer_token, limiter
from ..services import finance, policy
from . import present
from .errors import fails
from .parser import Blueprint

blp = Blueprint("finance", __name__, url_prefix="/api/v1",
                description="Loan schedules, viability, eligibility, stress and policy")
WRONG_TOKEN = "A bearer token was sent but is wrong or expired (send none to be the public)"
NO_SCHEDULE = "The proposal lacks the amount, term, grace or method of its loan"


def simulator_limit() -> str:
    """Give the public simulators' rate limit (configurable)."""
    return current_app.config["SIMULATOR_RATE_LIMIT"]


def caller_is_staff() -> bool:
    """Say whether the caller sent the token of PROMTEL, FOCIR or an administrator.

    No token means the public; a token that is wrong or expired is answered 401, not taken as
    the public, so a mistake is noticed.
    """
    return bearer_token() is not None and Role(api_user().role) in STAFF_ROLES



@blp.route("/simulations/loan")
class LoanSimulation(MethodView):
    @blp.arguments(LoanIn)
    @blp.response(200, ScheduleOut)
    @blp.doc(security=[])
    @fails(429, e401=WRONG_TOKEN)
    @limiter.limit(simulator_limit)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Simulate a loan: its month-by-month schedule and totals (no sign-in needed)."""
        return present.schedule_document(
            finance.simulate_loan(get_session(), data, may_set_rates=caller_is_staff()))


@blp.route("/simulations/viability")
class ViabilitySimulation(MethodView):
    @blp.arguments(ViabilityIn)
    @blp.response(200, MetricsOut)
    @blp.doc(security=[])
    @fails(429, e401=WRONG_TOKEN)
    @limiter.limit(simulator_limit)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Compute NPV, IRR, MIRR, paybacks and DSCR for five years of flows (no sign-in)."""
        rules = policy.current_policy(get_session())
        plan = None
        if data["loan"]:
            plan = finance.simulate_loan(get_session(), data["loan"],
                                         may_set_rates=caller_is_staff())
        years = [viability.YearFlow(**y) for y in data["years"]]
        discount = data["discount_rate"] if data["discount_rate"] is not None \
            else rules.discount_rate
        return present.metrics_document(viability.evaluate(
            years, discount, plan, plan.terms.annual_rate if plan else rules.annual_rate))


@blp.route("/proposals/<int:proposal_id>/schedule")
class ProposalSchedule(MethodView):
    @blp.response(200, ScheduleOut)
    @fails(e422=NO_SCHEDULE)
    def get(self, proposal_id: int) -> dict[str, Any]:
        """The proposal's schedule: the requested terms, or the approved ones once decided."""
        return present.schedule_document(
            finance.proposal_schedule(get_session(), api_user(), proposal_id))


@blp.route("/proposals/<int:proposal_id>/schedule.csv")
class ProposalScheduleCsv(MethodView):
    @blp.response(200, content_type="text/csv")
    @fails(e422=NO_SCHEDULE)
    def get(self, proposal_id: int) -> Response:
        """The schedule as CSV, with Spanish headers."""
        return download(finance.proposal_schedule(get_session(), api_user(), proposal_id),
                        proposal_id, "csv")


@blp.route("/proposals/<int:proposal_id>/schedule.xlsx")
class ProposalScheduleXlsx(MethodView):
    @blp.response(200, content_type=XLSX)
    @fails(e422=NO_SCHEDULE)
    def get(self, proposal_id: int) -> Response:
        """The schedule as an XLSX workbook (numbers as numbers, two decimals)."""
        return download(finance.proposal_schedule(get_session(), api_user(), proposal_id),
                        proposal_id, "xlsx")


@blp.route("/proposals/<int:proposal_id>/metrics")
class ProposalMetrics(MethodView):
    @blp.response(200, MetricsOut)
    @fails(e422="The proposal lacks five years of cash flows")
    def get(self, proposal_id: int) -> dict[str, Any]:
        """The proposal's viability figures under the policy in force."""
        figures = finance.proposal_figures(get_session(), api_user(), proposal_id)
        if figures.metrics is None:
            raise CheckFailed(reason("metrics_unavailable",
                                     N_("The metrics need five years of cash flows.")))
        return present.metrics_document(figures.metrics)


@blp.route("/proposals/<int:proposal_id>/eligibility")
class ProposalEligibility(MethodView):
    @blp.response(200, EligibilityOut)
    def get(self, proposal_id: int) -> dict[str, Any]:
        """Every eligibility check with its result (pass, fail, review) and its reason."""
        session = get_session()
        figures = finance.proposal_figures(session, api_user(), proposal_id)
        version = policy.version_in_force(session)
        return present.checks_document(figures.checks, {
            "effective_from": version.effective_from if version else None,
            **figures.policy.to_dict()})


@blp.route("/proposals/<int:proposal_id>/stress")
class ProposalStress(MethodView):
    @blp.arguments(MonteCarloIn)
    @blp.response(200, MonteCarloOut)
    @fails(e422="Invalid data, or the proposal lacks its loan terms or five years of flows")
    def post(self, data: dict[str, Any], proposal_id: int) -> dict[str, Any]:
        """Run a seeded Monte Carlo: chances of distress and percentiles of NPV, IRR, DSCR."""
        n, seed = data.pop("scenarios"), data.pop("seed")
        return finance.proposal_monte_carlo(get_session(), api_user(), proposal_id, n, seed,
                                            stress.Uncertainty(**data))


@blp.route("/portfolio/stress")
class PortfolioStress(MethodView):
    @blp.arguments(ShockIn)
    @blp.response(200, PortfolioStressOut)
    @fails(e403="SMEs may not stress the portfolio")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Apply the same shocks to every proposal from step 6 on; list which break the DSCR."""
        return finance.portfolio_stress(get_session(), api_user(), stress.Shocks.single(**data))


@blp.route("/policy")
class PolicyInForce(MethodView):
    @blp.response(200, PolicyOut)
    @blp.doc(security=[])
    def get(self) -> dict[str, Any]:
        """The policy in force today (public: the program's rules)."""
        session = get_session()
        version = policy.version_in_force(session)
        return {"effective_from": version.effective_from if version else None,
                "parameters": policy.current_policy(session).to_dict(),
                "note": version.note if version else "",
                "created_at": version.created_at if version else None}


@blp.route("/policies")
class Policies(MethodView):
    @blp.response(200, PolicyOut(many=True))
    @fails(e403="SMEs may not list the policy versions")
    def get(self) -> list[Any]:
        """Every policy version, newest first (PROMTEL, FOCIR and administrators)."""
        user = api_user()
        if Role(user.role) == Role.SME:
            raise Forbidden(reason("staff_only_policy",
                                   N_("Only PROMTEL, FOCIR and administrators can list the "
                                      "policy versions.")))
        return policy.list_versions(get_session())

    @blp.arguments(PolicyIn)
    @blp.response(201, PolicyOut)
    @fails(e403="Only administrators change the policy",
           e409="A policy already starts on that day")
    def post(self, data: dict[str, Any]) -> Any:
        """Put a new policy in force from a date (administrators only)."""
        user = api_user()
        effective_from: date = data.pop("effective_from")
        note = data.pop("note")
        return policy.set_policy(get_session(), user, effective_from, data, note)

