"""Pages for PROMTEL, FOCIR and administrators: the list of proposals, the queue, and for
administrators users and policy."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from ..db import get_session
from ..domain.errors import DomainError
from ..domain.policy import Policy
from ..domain.workflow import Action, Role
from ..i18n import say
from ..schemas import ListArgs, PolicyIn, QueueArgs
from ..schemas.paging import encode_cursor
from ..services import admin, listing, proposals
from ..services import policy as policies
from ..services.listing import Filters
from . import filters, labels
from .formdata import (
    INTEGERS,
    PERCENT_FIELDS,
    ROW,
    field_errors,
    fractions_to_percents,
    percents_to_fractions,
    scalars,
)

bp = Blueprint("staff", __name__)
PAGE_SIZE = 20
FILTERS = ("step", "state_code", "technology", "min_amount", "max_amount")
# The list of every proposal one may see: its search box and filters; ``mine`` (a box to
# tick) stands for the filter ``assigned_to`` = the user.
LIST_FILTERS = ("q", "state", "step", "state_code", "technology", "overdue")
LIST_PARAMETERS = (*LIST_FILTERS, "mine", "cursor")
POLICY_FIELDS = tuple(f.name for f in fields(Policy) if f.name not in ("haircuts", "checklist"))


def _require(*roles: Role) -> None:
    if Role(current_user.role) not in roles:
        abort(403)


def _given(args: MultiDict[str, str], names: tuple[str, ...]) -> dict[str, str]:
    """Keep the parameters a page knows, trimmed, leaving out blank ones (an empty field of a
    GET form, a search of spaces)."""
    return {k: v.strip() for k, v in args.items() if k in names and v.strip()}


def _mine() -> int | None:
    """Give the user's id when ``?mine=1`` asks for what is assigned to them (else None);
    only PROMTEL reviewers are assigned proposals, so others' ``mine`` is ignored."""
    if Role(current_user.role) != Role.PROMTEL:
        return None
    return current_user.id if request.args.get("mine") == "1" else None


def _switch(endpoint: str, kept: dict[str, str]) -> dict[str, str] | None:
    """Give the links between everyone's proposals and those assigned to the user, keeping
    the filters; only PROMTEL reviewers are assigned proposals (None for others)."""
    if Role(current_user.role) != Role.PROMTEL:
        return None
    rest = {k: v for k, v in kept.items() if k != "mine"}
    return {"everyone": url_for(endpoint, **rest), "mine": url_for(endpoint, **rest, mine="1")}


def _form_errors(error: ValidationError) -> dict[str, list[str]]:
    """Give a GET form's errors by field; a bad cursor (no field of the form) for the page."""
    errors = field_errors(error)
    if "cursor" in errors:
        errors["_form"] = errors.pop("cursor")
    return errors


@bp.get("/proposals")
@login_required
def proposals_list() -> Any:
    """Every proposal the user may see, newest first: searched, filtered, paged by cursor.

    An SME's proposals are all on its dashboard (finished ones too): it is sent there.
    """
    if Role(current_user.role) == Role.SME:
        return redirect(url_for("pages.dashboard"))
    _require(Role.PROMTEL, Role.FOCIR, Role.ADMIN)
    values = _given(request.args, LIST_PARAMETERS)
    kept = {k: v for k, v in values.items() if k != "cursor"}
    # Only PROMTEL reviewers are assigned proposals: only they get the box to tick.
    page = {"values": values, "assignable": Role(current_user.role) == Role.PROMTEL}
    try:
        args = ListArgs().load({k: v for k, v in values.items() if k != "mine"})
    except ValidationError as error:
        return render_template("proposals.html", items=[], deadlines={}, next_url=None,
                               first_url=None, errors=_form_errors(error), **page), 422
    filters = Filters(**{k: args.get(k) for k in LIST_FILTERS}, assigned_to=_mine())
    found = listing.list_proposals(get_session(), current_user, filters, args["cursor"],
                                   PAGE_SIZE, deadlines=True)
    return render_template(
        "proposals.html", items=[(p, proposals.status(p, current_user)) for p in found.items],
        deadlines=found.deadlines,
        next_url=url_for("staff.proposals_list", **kept,
                         cursor=encode_cursor("proposals", found.after))
        if found.after else None,
        first_url=url_for("staff.proposals_list", **kept) if args["cursor"] else None,
        errors={}, **page)


@bp.get("/queue")
@login_required
def queue() -> Any:
    """What waits on my role, the longest-waiting first, with filters; pages follow by cursor."""
    _require(Role.PROMTEL, Role.FOCIR, Role.ADMIN)
    # Pages were numbered once: an old link's ``page`` opens the first page.
    raw = {k: v for k, v in request.args.items() if v != "" and k != "page"}
    kept = {k: v for k, v in raw.items() if k in (*FILTERS, "mine")}
    try:
        args = QueueArgs().load({**raw, "page_size": PAGE_SIZE})
    except ValidationError as error:
        return render_template("queue.html", items=[], next_url=None, first_url=None,
                               switch=_switch("staff.queue", kept), values=raw,
                               errors=field_errors(error)), 422
    filters = Filters(**{k: args.get(k) for k in FILTERS}, assigned_to=_mine())
    found = listing.queue(get_session(), current_user, filters, args["cursor"], PAGE_SIZE)
    return render_template(
        "queue.html", items=[(p, proposals.status(p, current_user)) for p in found.items],
        switch=_switch("staff.queue", kept), deadlines=found.deadlines,
        next_url=url_for("staff.queue", **kept, cursor=encode_cursor("queue", found.after))
        if found.after else None,
        first_url=url_for("staff.queue", **kept) if args["cursor"] else None,
        values=raw, errors={})


USER_ACTIONS = {
    "role": lambda session, form, user_id: admin.set_role(
        session, current_user, user_id, form.get("role", "")),
    "deactivate": lambda session, form, user_id: admin.set_active(
        session, current_user, user_id, False),
    "activate": lambda session, form, user_id: admin.set_active(
        session, current_user, user_id, True),
    "password": lambda session, form, user_id: admin.reset_password(
        session, current_user, user_id, form.get("password", "")),
}


def _confirm_deactivation(session: Any, user_id: int) -> Any:
    """Ask on a step of its own before deactivating an account, saying what it does."""
    try:
        target = admin.user_to_change(session, current_user, user_id)
    except DomainError as error:
        flash(" ".join(say(r, words=True) for r in error.reasons))
        return redirect(url_for("staff.users"))
    who = target.name or target.email
    return render_template(
        "confirm.html", heading=_("Deactivate the account of %(who)s?", who=who),
        consequences=[
            _("%(email)s can no longer sign in; the open sessions and API tokens of the "
              "account end now.", email=target.email),
            _("Its proposals, messages and history stay as they are."),
            _("You can activate the account again later from this page.")],
        quote=None, quote_label="", hidden={"do": "deactivate", "user_id": target.id},
        button=_("Yes, deactivate %(email)s", email=target.email),
        target=url_for("staff.users"), cancel=url_for("staff.users"))


def _user_done(action: str, user: Any) -> str:
    """Say what a change did to which account."""
    if action == "role":
        return _("%(email)s now has the role %(role)s.", email=user.email,
                 role=labels.ROLES.get(user.role, user.role))
    if action == "deactivate":
        return _("You deactivated the account of %(email)s: it can no longer sign in, and its "
                 "sessions and API tokens ended.", email=user.email)
    if action == "activate":
        return _("You activated the account of %(email)s: it can sign in again.",
                 email=user.email)
    return _("You set a temporary password for %(email)s.", email=user.email)


@bp.route("/admin/users", methods=["GET", "POST"])
@login_required
def users() -> Any:
    """List, create, deactivate, change the role of users and set temporary passwords."""
    _require(Role.ADMIN)
    session = get_session()
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    form = request.form
    action = form.get("do") if request.method == "POST" else None
    if action == "create":
        values = {k: form.get(k, "").strip() for k in ("email", "name", "role", "company_rfc")}
        try:
            admin.create_account(session, current_user, values["email"], form.get("password", ""),
                                 values["role"], name=values["name"],
                                 company_rfc=values["company_rfc"] or None)
        except DomainError as error:
            errors = field_errors(error)
        else:
            flash(_("User %(email)s created.", email=values["email"]))
            return redirect(url_for("staff.users"))
    elif action == "deactivate" and form.get("confirm") != "yes":
        return _confirm_deactivation(session, form.get("user_id", type=int) or 0)
    elif action in USER_ACTIONS:
        try:
            target = USER_ACTIONS[action](session, form, form.get("user_id", type=int) or 0)
        except DomainError as error:
            flash(" ".join(say(r, words=True) for r in error.reasons))
        else:
            flash(_user_done(action, target))
        return redirect(url_for("staff.users"))
    elif action is not None:
        abort(400)
    return render_template("admin_users.html", users=admin.list_users(session, current_user),
                           values=values, errors=errors,
                           roles=[r.value for r in Role]), 422 if errors else 200



def _checklist_rows(form: Any) -> list[dict[str, Any]]:
    """Read the checklist's rows (a row whose kind is blank is dropped): the labels, and the
    actions chosen in each row's lists (``getlist``: one value per chosen action; a value
    with commas or spaces between codes, as a script may send, is split)."""
    items = []
    indexes = sorted({int(m["index"]) for key in form
                      if (m := ROW.match(key)) and m["list"] == "checklist"})
    for i in indexes:
        kind = str(form.get(f"checklist-{i}-kind", "")).strip()
        if not kind:
            continue
        items.append({
            "kind": kind,
            "labels": {"es": form.get(f"checklist-{i}-label_es", "").strip(),
                       "en": form.get(f"checklist-{i}-label_en", "").strip()},
            "required_for": _codes(form.getlist(f"checklist-{i}-required_for")),
            "optional_for": _codes(form.getlist(f"checklist-{i}-optional_for")),
            "uploaded_by": form.get(f"checklist-{i}-uploaded_by") or "sme",
            "dated": form.get(f"checklist-{i}-dated", "") not in ("", "0", "off"),
        })
    return items


def _codes(values: list[str]) -> list[str]:
    """The action codes of a row's list, each once, in the order given."""
    codes = [code for text in values for code in re.split(r"[\s,]+", str(text or "")) if code]
    return list(dict.fromkeys(codes))


def _checklist_field(name: str) -> str:
    """Name a checklist error as the form's field (``checklist.0.kind``, ``checklist-0-labels.es``
    → ``checklist-0-kind``, ``checklist-0-label_es``)."""
    if not name.startswith("checklist"):
        return name
    name = name.replace(".", "-").replace("-labels-", "-label_")
    return re.sub(r"-(required_for|optional_for)-\d+$", r"-\1", name)


def _checklist_values(items: list[dict[str, Any]], blanks: int = 1) -> list[dict[str, Any]]:
    """Give the checklist as the form's rows, with blank rows (one, or more added) for new
    kinds."""
    shown = [{"kind": i["kind"], "label_es": i["labels"]["es"], "label_en": i["labels"]["en"],
              "required_for": list(i["required_for"]),
              "optional_for": list(i["optional_for"]),
              "uploaded_by": i["uploaded_by"], "dated": i["dated"]} for i in items]
    return shown + [{"uploaded_by": "sme"}] * blanks


@bp.route("/admin/policy", methods=["GET", "POST"])
@login_required
def policy_page() -> Any:
    """Show the policy in force and its history; put a new one in force from a day on."""
    _require(Role.ADMIN)
    session = get_session()
    errors: dict[str, list[str]] = {}
    current = policies.current_policy(session)
    values: dict[str, Any] = {"effective_from": date.today().isoformat(), "note": "",
                              **fractions_to_percents(current.to_dict())}
    blanks = 1
    adding = request.method == "POST" and request.form.get("add") == "checklist"
    if request.method == "POST":
        values = scalars(request.form, ("effective_from", "note", *POLICY_FIELDS))
        haircuts = {k.split("-", 1)[1]: v for k, v in request.form.items()
                    if k.startswith("haircut-") and v.strip()}
        given, rate_errors = percents_to_fractions(
            {k: v for k, v in values.items() if v is not None})
        if request.form.get("checklist-present"):   # the form carries the whole checklist
            given["checklist"] = _checklist_rows(request.form)
        if adding:   # one more blank row, the rest as typed; nothing is saved
            blanks = _blank_checklist_rows(request.form) + 1
        else:
            try:
                data = PolicyIn().load({**given, "haircuts": haircuts})
                if rate_errors:
                    raise ValidationError(rate_errors)
                effective = data.pop("effective_from")
                note = data.pop("note", "")
                policies.set_policy(session, current_user, effective, data, note)
            except (ValidationError, DomainError) as error:
                errors = {**{_checklist_field(k): v for k, v in field_errors(error).items()},
                          **rate_errors}
            else:
                flash(_("The new policy applies from %(day)s.", day=filters.day(effective)))
                return redirect(url_for("staff.policy_page"))
        values["haircuts"] = haircuts
        values["checklist"] = given.get("checklist", current.to_dict()["checklist"])
    return render_template("admin_policy.html", current=current, values=values, errors=errors,
                           versions=policies.list_versions(session), fields=POLICY_FIELDS,
                           integers=INTEGERS, percents=PERCENT_FIELDS,
                           actions=[a.value for a in Action],
                           checklist=_checklist_values(values["checklist"], blanks)
                           ), 422 if errors else 200


def _blank_checklist_rows(form: Any) -> int:
    """How many rows of the checklist the form posted with a blank kind."""
    indexes = {key.split("-")[1] for key in form
               if key.startswith("checklist-") and key.count("-") == 2}
    return sum(1 for i in indexes if not form.get(f"checklist-{i}-kind", "").strip())
