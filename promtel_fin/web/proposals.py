"""Pages of proposals: dashboard, the sectioned form, the dossier, actions and the decision."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from functools import cache
from itertools import accumulate
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError
from marshmallow.validate import Length

from .. import exports, pdfs
from ..db import get_session
from ..domain import workflow
from ..domain.errors import CheckFailed, Conflict, DomainError, InvalidInput
from ..domain.loan import LoanTerms, schedule
from ..domain.workflow import Role, State
from ..i18n import say
from ..schemas import MessageIn, ProposalIn, ProposalPatch, TermsIn, TransitionIn
from ..schemas.fields import MONEY_MAX
from ..schemas.paging import decode_cursor, encode_cursor
from ..services import documents, finance, listing, messages, papers, proposals, revisions
from ..services import dossier as dossiers
from ..services import workflow as actions
from ..services.finance import proposal_schedule
from ..services.listing import Filters
from ..services.policy import current_policy
from ..services.proposals import MAX_ID
from . import charts, labels
from .formdata import (
    field_errors,
    fractions_to_percents,
    percents_to_fractions,
    rates_as_percents,
    rows,
    scalars,
)

bp = Blueprint("pages", __name__)
LIST_GROUPS = {
    "localities": ("name", "inegi_key", "population", "priority_zone"),
    "social_sites": ("kind", "name", "locality"),
    "guarantees": ("kind", "description", "value"),
}
SCALAR_FIELDS = ("title", "summary", "technology", "requested_amount", "term_months",
                 "grace_months", "amortization_method")
FLOW_FIELDS = ("revenue", "opex", "capex", "taxes")
DASHBOARD_PAGE = 50


def _role() -> Role:
    return Role(current_user.role)


@bp.get("/dashboard")
@login_required
def dashboard() -> Any:
    """Each user's starting page: an SME's proposals, or what waits on a reviewer's role."""
    session = get_session()
    if _role() == Role.ADMIN:
        return redirect(url_for("staff.users"))
    if _role() == Role.SME:
        cursor = request.args.get("cursor")
        try:
            after = decode_cursor("proposals", cursor) if cursor else None
        except ValueError:
            abort(400)
        found = listing.list_proposals(session, current_user, Filters(), after,
                                         DASHBOARD_PAGE)
        return render_template("dashboard.html", items=[
            (p, proposals.status(p, current_user)) for p in found.items],
            next_url=url_for("pages.dashboard", cursor=encode_cursor("proposals", found.after))
            if found.after else None)
    return redirect(url_for("staff.queue"))


def _form_document(form: Any) -> dict[str, Any]:
    """Build the proposal document from the sectioned form."""
    document = scalars(form, SCALAR_FIELDS)
    if document.get("summary") is None and "summary" in form:
        document["summary"] = ""
    for name, fields in LIST_GROUPS.items():
        document[name] = rows(form, name, fields)
    flows = []
    for year in range(1, 6):
        row = {f: form.get(f"cash_flows-{year - 1}-{f}", "").strip() for f in FLOW_FIELDS}
        if any(row.values()):
            flows.append({"year": year, **{k: v or "0" for k, v in row.items()}})
    document["cash_flows"] = flows
    credit = scalars(form, ("bureau_score", "report_date"))
    document["credit_history"] = {"bureau_score": credit.get("bureau_score"),
                                  "report_date": credit.get("report_date")}
    return document


@bp.route("/proposals/new", methods=["GET", "POST"])
@login_required
def new() -> Any:
    """Start a proposal with its title; the rest is filled in the form, at the SME's pace."""
    if _role() != Role.SME:
        abort(403)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            data = ProposalIn().load({"title": request.form.get("title", "")})
            created = proposals.create_proposal(get_session(), current_user, data)
        except (ValidationError, DomainError) as error:
            errors = field_errors(error)
        else:
            flash(_("Proposal %(folio)s created. Fill in each section and save as often as you "
                    "like.", folio=created.folio))
            return redirect(url_for("pages.edit", proposal_id=created.id))
    return render_template("new.html", errors=errors,
                           title=request.form.get("title", "")), 422 if errors else 200


@cache
def _max_rows(name: str) -> int:
    """The most rows a repeating group takes: the schema's limit, the one rule for it."""
    return next(v.max for v in ProposalIn().fields[name].validators
                if isinstance(v, Length) and v.max is not None)


def _edit_values(document: dict[str, Any], shown: dict[str, int] | None = None
                 ) -> dict[str, Any]:
    """The form's values: each repeating group with its rows, padded with blank rows to the
    number ``shown`` (at least one row, so that an empty group starts with one)."""
    values = dict(document)
    for name in LIST_GROUPS:
        filled = list(document.get(name) or [])
        values[name] = filled + [{}] * max(0, (shown or {}).get(name, 1) - len(filled))
    by_year = {int(f["year"]): f for f in document.get("cash_flows") or []}
    values["cash_flows"] = [by_year.get(y, {"year": y}) for y in range(1, 6)]
    credit = document.get("credit_history") or {}
    values["bureau_score"] = credit.get("bureau_score")
    values["report_date"] = credit.get("report_date")
    return values


def _flow_totals(flows: list[dict[str, Any]]) -> dict[str, Any]:
    def amount(row: dict[str, Any], key: str) -> Decimal:
        """Read a typed amount; what cannot be money counts as 0 (its error shows beside it)."""
        try:
            value = Decimal(str(row.get(key) or 0).replace(",", ""))
        except ArithmeticError:
            return Decimal(0)
        return value if value.is_finite() and abs(value) <= MONEY_MAX else Decimal(0)

    totals = {k: sum((amount(r, k) for r in flows), Decimal(0)) for k in FLOW_FIELDS}
    nets = [amount(r, "revenue") - amount(r, "opex") - amount(r, "capex") - amount(r, "taxes")
            for r in flows]
    return {"columns": totals, "nets": nets, "net_total": sum(nets, Decimal(0))}


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int) -> Any:
    """The sectioned form; saving keeps a draft (no step is taken)."""
    session = get_session()
    proposal = proposals.get_proposal(session, current_user, proposal_id)
    if _role() != Role.SME:
        abort(403)
    if State(proposal.state) not in workflow.EDITABLE_STATES:
        flash(_("This proposal can be edited only at steps 1, 2 and 4."))
        return redirect(url_for("pages.dossier", proposal_id=proposal_id))
    errors: dict[str, list[str]] = {}
    values = _edit_values(proposals.document(proposal))
    version = proposal.version
    if request.method == "POST" and request.form.get("add") in LIST_GROUPS:
        # Add a row without JavaScript: show the form again as typed, one row longer (up to
        # the group's limit); nothing is saved.
        added, document = request.form["add"], _form_document(request.form)
        shown = {name: min(_max_rows(name), max(1, _posted_rows(request.form, name),
                                                len(document[name])))
                 for name in LIST_GROUPS}
        if shown[added] < _max_rows(added):
            shown[added] += 1
        else:
            errors = {added: [_("At most %(n)s rows; this group is full.",
                                n=_max_rows(added))]}
        values = _edit_values(document, shown)
        version = request.form.get("version", type=int) or version
        return render_template("edit.html", proposal=proposal, values=values, errors=errors,
                               version=version, totals=_flow_totals(values["cash_flows"]),
                               limits={n: _max_rows(n) for n in LIST_GROUPS})
    if request.method == "POST":
        document = _form_document(request.form)
        try:
            version = int(request.form.get("version", "0"))
            data = ProposalPatch().load({**document, "version": version})
        except ValueError:   # a version that is not a number: the form was tampered with
            abort(400)
        except ValidationError as error:
            errors = _on_the_form(field_errors(error), document)
        else:
            data.pop("version")
            try:
                proposals.update_proposal(session, current_user, proposal_id, version, data)
            except DomainError as error:
                errors = _on_the_form(field_errors(error), document)
            else:
                flash(_("You saved the draft of proposal %(folio)s.", folio=proposal.folio))
                return redirect(url_for("pages.edit", proposal_id=proposal_id,
                                        _anchor=request.form.get("section", "")))
        values = _edit_values(document, {name: min(_max_rows(name),
                                                   max(1, _posted_rows(request.form, name)))
                                         for name in LIST_GROUPS})
    return render_template("edit.html", proposal=proposal, values=values, errors=errors,
                           version=version, totals=_flow_totals(values["cash_flows"]),
                           limits={n: _max_rows(n) for n in LIST_GROUPS}
                           ), 422 if errors else 200


FLOW_ERROR = re.compile(r"^cash_flows-(?P<index>\d+)-(?P<field>\w+)$")


def _on_the_form(errors: dict[str, list[str]], document: dict[str, Any]
                 ) -> dict[str, list[str]]:
    """Name each error as the form's field: the credit history's fields stand alone on the
    form, and a cash flow's row is its year (blank years are left out of the document, so the
    document's third flow may be year 5)."""
    flows = document.get("cash_flows") or []
    out: dict[str, list[str]] = {}
    for name, said in errors.items():
        match = FLOW_ERROR.match(name)
        if match and int(match["index"]) < len(flows):
            name = f"cash_flows-{int(flows[int(match['index'])]['year']) - 1}-{match['field']}"
        elif name.startswith("credit_history."):
            name = name.removeprefix("credit_history.")
        out.setdefault(name, []).extend(said)
    return out


def _posted_rows(form: Any, name: str) -> int:
    """How many rows of a group the form posted, blank ones included."""
    return len({key.split("-")[1] for key in form
                if key.startswith(f"{name}-") and key.count("-") == 2})


def _charts(metrics: Any) -> dict[str, Any]:
    years = [str(y) for y in range(1, 6)]
    flows = list(metrics.net_cash_flows)
    coverage = {c.year: c for c in metrics.dscr}
    pesos, project_year = _("Pesos (M: millions; k: thousands)"), _("Year of the project")
    return {
        "net": charts.bars(years, [flows], [_("Net cash flow")], _("Net cash flow by year"),
                           _("Revenue minus operating costs, investment and taxes, per year."),
                           project_year, pesos),
        "cumulative": charts.line(years, list(accumulate(flows)), _("Cumulative cash flow"),
                                  _("The running total of the net cash flows."),
                                  project_year, pesos),
        "coverage": charts.bars(
            [str(y) for y in coverage],
            [[c.cfads for c in coverage.values()], [c.debt_service for c in coverage.values()]],
            [_("Cash available for debt service"), _("Debt service")],
            _("Debt service against the cash available for it"),
            _("Per loan year: cash flow available for debt service and what is paid to FOCIR."),
            _("Year of the loan"), pesos),
    }


def _dossier(proposal_id: int, errors: dict[str, Any] | None = None,
             form_action: str | None = None, status: int = 200) -> Any:
    until = request.args.get("history_until", type=int)
    view = dossiers.dossier(get_session(), current_user, proposal_id,
                            until if until is not None and 0 < until <= MAX_ID else None)
    page = render_template(
        "dossier.html", proposal=view.proposal, status=view.status, document=view.document,
        figures=view.figures, charts=_charts(view.figures.metrics) if view.figures.metrics
        else None, history=view.history, earlier=view.earlier, revisions=view.revisions,
        feedback=view.feedback, errors=errors or {}, form_action=form_action,
        reviewers=view.reviewers, steps=workflow.STEPS, messages=view.messages,
        earlier_messages=view.earlier_messages, summary=view.summary,
        missing=[say(r, words=True) for r in view.missing],
        documents=documents.page(get_session(), current_user, view.proposal,
                                 view.figures.policy))
    return page, status


@bp.get("/proposals/<int:proposal_id>")
@login_required
def dossier(proposal_id: int) -> Any:
    """Everything about a proposal, and forms for exactly the actions this user may take."""
    return _dossier(proposal_id)


@bp.post("/proposals/<int:proposal_id>/actions")
@login_required
def act(proposal_id: int) -> Any:
    """Take one workflow action from the dossier's forms."""
    form = request.form
    action = form.get("action", "")
    if action == "sign":   # signing takes the e.firma: its own page
        return redirect(url_for("signing.sign", proposal_id=proposal_id))
    given = {k: v for k, v in scalars(form, ("action", "version", "comment", "reason", "opinion",
                                             "reviewer_id", "terms_sha256")).items()
             if v is not None}
    try:   # the same checks as the API's transitions
        params = TransitionIn().load(given)
    except ValidationError as error:
        return _dossier(proposal_id, _on_the_action_form(field_errors(error)), action, 422)
    if action in DANGEROUS and form.get("confirm") != "yes":
        page = _confirm(proposal_id, action, params)
        if page is not None:   # nothing changes until the second, confirmed request
            return page
    try:
        done = actions.take_action(get_session(), current_user, proposal_id,
                                   params.pop("action"), params.pop("version"), params)
    except (CheckFailed, InvalidInput) as error:
        return _dossier(proposal_id, _on_the_action_form(field_errors(error)), action, 422)
    except Conflict as error:
        flash(say(error.reasons[0], words=True))
        return redirect(url_for("pages.dossier", proposal_id=proposal_id))
    flash(labels.done(action, done))
    return redirect(url_for("pages.dossier", proposal_id=proposal_id))


ACTION_FIELDS = ("comment", "reason", "opinion", "reviewer_id")


def _on_the_action_form(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Keep the errors of the fields an action's form shows; the others (a stale version, a
    tampered action) are the form's as a whole."""
    out: dict[str, list[str]] = {}
    for name, said in errors.items():
        if name == "version":
            said = [_("The page was out of date: it now shows the proposal as it is. Try again.")]
        out.setdefault(name if name in ACTION_FIELDS else "_form", []).extend(said)
    return out


DANGEROUS = ("reject", "withdraw")


def _confirm(proposal_id: int, action: str, params: dict[str, Any]) -> Any:
    """The step of its own that a rejection or a withdrawal asks before it is taken: what
    happens, and a red button that takes it. None when the action is not open to this user
    now (taking it then answers why)."""
    proposal = proposals.get_proposal(get_session(), current_user, proposal_id)
    status = proposals.status(proposal, current_user)
    if action not in status.allowed_actions:
        return None
    missing = workflow.missing_inputs(State(proposal.state), workflow.Action(action),
                                      _role(), params)
    if missing:   # asked on the action's form, before the confirmation
        return _dossier(proposal_id, field_errors(CheckFailed(*missing)), action, 422)
    folio = proposal.folio
    if action == "reject":
        heading = _("Reject proposal %(folio)s?", folio=folio)
        consequences = [_("The process of proposal %(folio)s ends at step %(n)s; it cannot be "
                          "resumed or undone.", folio=folio, n=status.step),
                        _("The SME is notified and reads your reasons.")]
        if status.state == State.FOCIR_DECISION:
            consequences.append(_("A second FOCIR officer must confirm the rejection before "
                                  "it applies."))
        button = _("Yes, reject proposal %(folio)s", folio=folio)
        quote, quote_label = params.get("reason"), _("Your reasons:")
    else:
        heading = _("Withdraw proposal %(folio)s?", folio=folio)
        consequences = [_("The process of proposal %(folio)s ends; PROMTEL and FOCIR stop "
                          "reviewing it. It cannot be undone.", folio=folio),
                        _("To ask for financing again you would start a new proposal.")]
        button = _("Yes, withdraw proposal %(folio)s", folio=folio)
        quote, quote_label = params.get("comment"), _("Your comment:")
    hidden = {"action": action, "version": params["version"],
              **{k: params[k] for k in ("reason", "comment") if params.get(k)}}
    return render_template(
        "confirm.html", heading=heading, consequences=consequences, quote=quote,
        quote_label=quote_label, hidden=hidden, button=button,
        target=url_for("pages.act", proposal_id=proposal_id),
        cancel=url_for("pages.dossier", proposal_id=proposal_id, _anchor=f"form-{action}"))


@bp.post("/proposals/<int:proposal_id>/messages")
@login_required
def write_message(proposal_id: int) -> Any:
    """Write a message in the proposal's thread from the dossier's form."""
    try:
        data = MessageIn().load({"body": request.form.get("body", "")})
        messages.post_message(get_session(), current_user, proposal_id, data["body"])
    except (ValidationError, CheckFailed, InvalidInput) as error:
        return _dossier(proposal_id, field_errors(error), "message", 422)
    folio = proposals.get_proposal(get_session(), current_user, proposal_id, options=()).folio
    flash(_("You sent your message on proposal %(folio)s.", folio=folio))
    return redirect(url_for("pages.dossier", proposal_id=proposal_id, _anchor="messages"))


@bp.route("/proposals/<int:proposal_id>/decision", methods=["GET", "POST"])
@login_required
def decision(proposal_id: int) -> Any:
    """FOCIR's decision: terms prefilled, checked, and the schedule shown before confirming."""
    session = get_session()
    proposal = proposals.get_proposal(session, current_user, proposal_id)
    status = proposals.status(proposal, current_user)
    pending = proposal.pending_action is not None and State(proposal.state) == State.FOCIR_DECISION
    if pending and (Role(current_user.role) == Role.FOCIR):
        # Four eyes: the second officer confirms or returns; the first one sees it waiting.
        return render_template("decision.html", proposal=proposal, status=status,
                               pending=_pending_view(proposal), values={}, errors={},
                               problems=[], plan=None, policy=current_policy(session))
    if "approve" not in status.allowed_actions:
        abort(403)
    policy = current_policy(session)
    values = fractions_to_percents({
        "amount": proposal.requested_amount, "annual_rate": policy.annual_rate,
        "vat_rate": policy.vat_rate, "term_months": proposal.term_months,
        "grace_months": proposal.grace_months, "method": proposal.amortization_method,
        "comment": ""})
    errors: dict[str, list[str]] = {}
    preview, previewed, changed = None, "", False
    if request.method == "POST":
        values = scalars(request.form, ("amount", "annual_rate", "vat_rate", "term_months",
                                        "grace_months", "method", "comment"),
                         blank_is_none=False)
        comment = values.pop("comment", "")
        fractions, errors = percents_to_fractions(values)
        try:
            terms = TermsIn().load(fractions)
        except ValidationError as error:
            errors = {**field_errors(error), **errors}
        if not errors:
            preview = finance.approval_preview(session, current_user, proposal_id, terms)
            version = request.form.get("version", "")
            previewed = _terms_key(terms)
            approving = request.form.get("confirm") == "yes"
            # Approve only the terms whose preview the officer saw: changed ones are shown first.
            changed = approving and request.form.get("previewed") != previewed
            if approving and not changed and preview.schedule is not None:
                try:
                    actions.take_action(session, current_user, proposal_id, "approve",
                                        int(version) if version.isdigit() else 0,
                                        {"terms": terms, "comment": comment})
                except DomainError as error:
                    preview = replace(preview, problems=list(error.reasons))
                else:
                    flash(labels.done("approve", proposal))
                    return redirect(url_for("pages.decision", proposal_id=proposal_id))
        values["comment"] = comment
    problems = ([say(r, words=True) for r in rates_as_percents(preview.problems)]
                if preview else [])
    return render_template("decision.html", proposal=proposal, values=values, errors=errors,
                           problems=problems, plan=preview.schedule if preview else None,
                           metrics=preview.metrics if preview else None, policy=policy,
                           status=status, pending=None, previewed=previewed, changed=changed
                           ), 422 if (errors or problems) else 200


def _terms_key(terms: dict[str, Any]) -> str:
    """Write the terms of a preview in one line, for the approval to check it saw the same."""
    return "|".join(str(terms[k]) for k in ("amount", "annual_rate", "vat_rate", "term_months",
                                              "grace_months", "method"))


def _pending_view(proposal: Any) -> dict[str, Any]:
    """The pending decision as the decision page shows it, with the schedule of its terms."""
    terms = proposal.pending_terms
    plan = None
    if terms:
        plan = schedule(LoanTerms(Decimal(terms["amount"]), Decimal(terms["annual_rate"]),
                                  Decimal(terms["vat_rate"]), int(terms["term_months"]),
                                  int(terms["grace_months"]), terms["method"]))
    return {"action": proposal.pending_action, "by": proposal.pending_by,
            "terms": terms, "reason": proposal.pending_reason, "at": proposal.pending_at,
            "plan": plan, "mine": proposal.pending_by_id == current_user.id}


@bp.get("/proposals/<int:proposal_id>/schedule.<kind>")
@login_required
def download(proposal_id: int, kind: str) -> Response:
    """Download the proposal's schedule as CSV or XLSX."""
    if kind not in ("csv", "xlsx"):
        abort(404)
    return exports.download(proposal_schedule(get_session(), current_user, proposal_id),
                            proposal_id, kind)


bp.add_app_template_global(papers.available, "papers_available")


@bp.get("/proposals/<int:proposal_id>/<any(agreement, terms):kind>.pdf")
@login_required
def paper(proposal_id: int, kind: str) -> Response:
    """Download the agreement or the term sheet as PDF (from FOCIR's approval on)."""
    return pdfs.download(papers.paper(get_session(), current_user, proposal_id, kind))


@bp.get("/proposals/<int:proposal_id>/revisions/compare")
@login_required
def compare(proposal_id: int) -> str:
    """Show the differences between any two revisions."""
    before = request.args.get("from", type=int) or 1
    after = request.args.get("to", type=int) or 1
    changes = revisions.compare(get_session(), current_user, proposal_id, before, after)
    proposal = proposals.get_proposal(get_session(), current_user, proposal_id)
    return render_template("compare.html", proposal=proposal, changes=changes, before=before,
                           after=after)
