"""Pages anyone can open: the program, the ten steps, the loan simulator, and registration."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from ..db import get_session
from ..domain import workflow
from ..domain.errors import DomainError
from ..domain.workflow import STAFF_ROLES, Role
from ..schemas import LoanIn, RegistrationIn
from ..security import limiter
from ..services import users
from ..services.finance import simulate_loan
from ..services.policy import current_policy
from . import charts
from .formdata import field_errors, fractions_to_percents, percents_to_fractions, scalars

bp = Blueprint("public", __name__)
LOAN_FIELDS = ("amount", "annual_rate", "vat_rate", "term_months", "grace_months", "method")
COMPANY_FIELDS = ("legal_name", "rfc", "ift_registration", "state_code", "municipality_key",
                  "address", "legal_rep_name", "legal_rep_curp", "contact_name",
                  "contact_email", "contact_phone")


def steps() -> list[dict[str, Any]]:
    """Describe the ten steps and who acts at each, from the transition table."""
    return [{"number": workflow.step_of(s), "state": str(s),
             "roles": [str(r) for r in workflow.waiting_on(s)]} for s in workflow.STEPS]


def staff_signed_in() -> bool:
    """Say whether PROMTEL, FOCIR or an administrator is signed in (they may try other rates)."""
    return current_user.is_authenticated and Role(current_user.role) in STAFF_ROLES


def simulate(values: dict[str, Any], staff: bool) -> tuple[Any, dict[str, list[str]]]:
    """Validate the simulator's fields like the API does (the rates typed as percentages) and
    build the schedule."""
    fractions, rate_errors = percents_to_fractions(values)
    try:
        data = LoanIn().load({k: v for k, v in fractions.items() if v not in (None, "")})
    except ValidationError as error:
        return None, {**field_errors(error), **rate_errors}
    if rate_errors:
        return None, rate_errors
    try:
        return simulate_loan(get_session(), data, may_set_rates=staff), {}
    except DomainError as error:
        return None, field_errors(error)


def schedule_chart(plan: Any) -> Any:
    """Chart what each month's payment repays: principal, and interest with its VAT."""
    months = [str(r.period) if r.period % 6 == 0 or r.period == 1 else "" for r in plan.rows]
    return charts.bars(months, [[r.principal for r in plan.rows],
                                [r.interest + r.vat for r in plan.rows]],
                       [_("Principal"), _("Interest and VAT")],
                       _("What each monthly payment repays"),
                       _("Principal and interest with VAT of each month's payment."),
                       _("Month of the loan"), _("Pesos (M: millions; k: thousands)"))


def example(rules: Any) -> dict[str, Any]:
    """Prefill the simulator with an example within the policy."""
    return fractions_to_percents({
        "amount": "4500000", "annual_rate": rules.annual_rate, "vat_rate": rules.vat_rate,
        "term_months": rules.max_term_months, "grace_months": rules.max_grace_months,
        "method": "level"})


@bp.get("/")
def home() -> str:
    """The program, its terms, the ten steps, and the simulator."""
    rules = current_policy(get_session())
    return render_template("home.html", policy=rules, steps=steps(), values=example(rules),
                           errors={}, may_set_rates=staff_signed_in())


@bp.get("/simulator")
@limiter.limit(lambda: current_app.config["SIMULATOR_RATE_LIMIT"])
def simulator() -> tuple[str, int] | str:
    """Answer the simulator form (a GET, so it works without JavaScript and can be shared)."""
    rules = current_policy(get_session())
    staff = staff_signed_in()
    if "amount" not in request.args:   # opened from the menu: an example, not an error
        return render_template("simulator.html", policy=rules, values=example(rules),
                               errors={}, plan=None, chart=None, may_set_rates=staff)
    values = scalars(request.args, LOAN_FIELDS, blank_is_none=False)
    values.setdefault("method", "level")
    if staff:   # the rate fields start at the policy's; the public's cannot change them
        defaults = fractions_to_percents({"annual_rate": rules.annual_rate,
                                          "vat_rate": rules.vat_rate})
        for name, default in defaults.items():
            values[name] = values.get(name) or default
    plan, errors = simulate(values, staff)
    page = render_template("simulator.html", policy=rules, values=values, errors=errors,
                           plan=plan, chart=schedule_chart(plan) if plan else None,
                           may_set_rates=staff)
    return (page, 422) if errors else page


# The date of the privacy notice's current text: change it with the text (templates/privacy.html).
PRIVACY_NOTICE_UPDATED = date(2026, 12, 1)


@bp.get("/privacidad")
def privacy() -> str:
    """The privacy notice (aviso de privacidad) that Mexican data-protection law requires."""
    return render_template("privacy.html", updated=PRIVACY_NOTICE_UPDATED,
                           contact=current_app.config["PRIVACY_CONTACT_EMAIL"])


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def register() -> Response | tuple[str, int] | str:
    """Let an SME register its company and its first user, who then signs in."""
    if current_user.is_authenticated:
        return redirect(url_for("pages.dashboard"))
    values = {"email": "", "name": "", "company": {}}
    if request.method == "GET":
        return render_template("register.html", values=values, errors={})
    form = request.form
    values = {"email": form.get("email", "").strip(), "password": form.get("password", ""),
              "name": form.get("name", "").strip(),
              "company": {k: v for k, v in scalars(form, [f"company.{f}" for f in
                                                          COMPANY_FIELDS]).items()
                          if v is not None}}
    values["company"] = {k.split(".", 1)[1]: v for k, v in values["company"].items()}
    errors: dict[str, list[str]] = {}
    if form.get("password") != form.get("password_confirm"):
        errors["password_confirm"] = [_("The two passwords do not match.")]
    try:
        data = RegistrationIn().load(values)
    except ValidationError as error:
        errors.update(field_errors(error))
        data = None
    if not errors and data is not None:
        try:
            users.register_sme(get_session(), data)
        except DomainError as error:
            errors = field_errors(error, rename={"rfc": "company.rfc"})
        else:   # the same answer whether or not the e-mail already had an account
            flash(_("Registration received. If this e-mail had no account, your company and "
                    "your account are ready: sign in below. If it had one, nothing changed: "
                    "sign in with your current password.") + " " + _(
                "A new account must confirm its address with the link we mail to it before it "
                "can submit a proposal."))
            return redirect(url_for("web.login"))
    values.pop("password", None)
    return render_template("register.html", values=values, errors=errors), 422
