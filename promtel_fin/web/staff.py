"""Pages for PROMTEL and FOCIR (the queue) and for administrators (users, policy)."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import select

from ..db import get_session
from ..domain.errors import DomainError
from ..domain.policy import Policy
from ..domain.workflow import Role
from ..i18n import say
from ..models import User
from ..schemas import ListArgs, PolicyIn
from ..services import policy as policies
from ..services import proposals
from ..services import users as accounts
from ..services.proposals import MAX_ID, Filters
from .formdata import INTEGERS, flat_errors, scalars

bp = Blueprint("staff", __name__)
PAGE_SIZE = 20
FILTERS = ("step", "state_code", "technology", "min_amount", "max_amount")
POLICY_FIELDS = tuple(f.name for f in fields(Policy) if f.name != "haircuts")


def _require(*roles: Role) -> None:
    if Role(current_user.role) not in roles:
        abort(403)


@bp.get("/queue")
@login_required
def queue() -> Any:
    """What waits on my role, the longest-waiting first, with filters and paging."""
    _require(Role.PROMTEL, Role.FOCIR, Role.ADMIN)
    raw = {k: v for k, v in request.args.items() if v != ""}
    try:
        args = ListArgs().load({**raw, "page_size": PAGE_SIZE})
    except ValidationError as error:
        return render_template("queue.html", items=[], total=0, page=1, pages=1,
                               values=raw, errors=flat_errors(error.messages)), 422
    filters = Filters(**{k: args.get(k) for k in FILTERS})
    items, total = proposals.queue(get_session(), current_user, filters, args["page"],
                                   PAGE_SIZE)
    return render_template(
        "queue.html", items=[(p, proposals.status(p, current_user)) for p in items],
        total=total, page=args["page"], pages=max(1, -(-total // PAGE_SIZE)), values=raw,
        errors={})


@bp.route("/admin/users", methods=["GET", "POST"])
@login_required
def users() -> Any:
    """List, create, deactivate and change the role of users."""
    _require(Role.ADMIN)
    session = get_session()
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if request.method == "POST":
        form = request.form
        user_id = form.get("user_id", type=int) or 0
        target = session.get(User, user_id) if 0 < user_id <= MAX_ID else None
        if form.get("do") == "create":
            values = {k: form.get(k, "").strip() for k in ("email", "name", "role",
                                                         "company_rfc")}
            try:
                company = (accounts.get_or_create_company(session, values["company_rfc"], None)
                           if values["company_rfc"] else None)
                accounts.create_user(session, values["email"], form.get("password", ""),
                                  values["role"] or "sme", name=values["name"], company=company)
            except (DomainError, ValueError) as error:
                session.rollback()
                reasons = getattr(error, "reasons", ())
                errors = {r.field or "_form": [say(r)] for r in reasons} or {
                    "role": [_("Choose a role.")]}
            else:
                flash(_("User %(email)s created.", email=values["email"]))
                return redirect(url_for("staff.users"))
        elif target is not None and form.get("do") in ("deactivate", "activate"):
            if target.id == current_user.id:
                flash(_("You cannot deactivate your own account."))
            else:
                target.active = form.get("do") == "activate"
                session.commit()
                flash(_("Saved."))
            return redirect(url_for("staff.users"))
        elif target is not None and form.get("do") == "role":
            role = form.get("role", "")
            if role not in [r.value for r in Role] or (role == "sme" and not target.company_id):
                flash(_("That role cannot be given to this user."))
            elif target.id == current_user.id:
                flash(_("You cannot change your own role."))
            else:
                target.role = role
                session.commit()
                flash(_("Saved."))
            return redirect(url_for("staff.users"))
        else:
            abort(400)
    listing = list(session.scalars(select(User).order_by(User.role, User.email)))
    return render_template("admin_users.html", users=listing, values=values, errors=errors,
                           roles=[r.value for r in Role]), 422 if errors else 200


@bp.route("/admin/policy", methods=["GET", "POST"])
@login_required
def policy_page() -> Any:
    """Show the policy in force and its history; put a new one in force from a day on."""
    _require(Role.ADMIN)
    session = get_session()
    errors: dict[str, list[str]] = {}
    current = policies.current_policy(session)
    values: dict[str, Any] = {"effective_from": date.today().isoformat(), "note": "",
                              **current.to_dict()}
    if request.method == "POST":
        values = scalars(request.form, ("effective_from", "note", *POLICY_FIELDS))
        haircuts = {k.split("-", 1)[1]: v for k, v in request.form.items()
                    if k.startswith("haircut-") and v.strip()}
        given = {k: v for k, v in values.items() if v is not None}
        try:
            data = PolicyIn().load({**given, "haircuts": haircuts})
            effective = data.pop("effective_from")
            note = data.pop("note", "")
            policies.set_policy(session, current_user, effective, data, note)
        except ValidationError as error:
            errors = flat_errors(error.messages)
        except DomainError as error:
            session.rollback()
            errors = {r.field or "_form": [say(r)] for r in error.reasons}
        else:
            flash(_("The new policy applies from %(day)s.", day=effective.isoformat()))
            return redirect(url_for("staff.policy_page"))
        values["haircuts"] = haircuts
    return render_template("admin_policy.html", current=current, values=values, errors=errors,
                           versions=policies.list_versions(session), fields=POLICY_FIELDS,
                           integers=INTEGERS), 422 if errors else 200
