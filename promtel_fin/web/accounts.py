"""Pages of issue 11: the inbox, e-mail preferences, password reset, address confirmation, and
the administrator's view of e-mails not delivered. All work without JavaScript."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from ..db import get_session
from ..domain.errors import DomainError, Gone
from ..domain.texts import render
from ..domain.workflow import Role
from ..schemas.notifications import NewPasswordIn, PasswordResetIn
from ..schemas.paging import decode_cursor, encode_cursor
from ..security import limiter
from ..services import delivery, inbox, resets
from .formdata import field_errors

bp = Blueprint("accounts", __name__)
PAGE_SIZE = 20


@bp.app_template_filter("words")
def words(stored: Any) -> str:
    """Render a stored text (a notification's subject or body) in the page's language."""
    return render(stored, gettext)


@bp.app_context_processor
def _unread() -> dict[str, Any]:
    def unread_notifications() -> int:
        """Count the signed-in user's unread notifications: one statement, once per page."""
        if "unread_notifications" not in g:
            g.unread_notifications = inbox.unread_count(get_session(), current_user)
        return g.unread_notifications
    return {"unread_notifications": unread_notifications}


def _gone_page() -> tuple[str, int]:
    return render_template("link_gone.html"), 410


@bp.get("/notifications")
@login_required
def notifications() -> Any:
    """The inbox, newest first (?unread=1: only unread); pages follow by cursor."""
    unread = request.args.get("unread") in ("1", "true")
    after = None
    if request.args.get("cursor"):
        try:
            after = decode_cursor("notifications", request.args["cursor"])
        except ValueError:
            abort(404)
    found = inbox.list_notifications(get_session(), current_user, unread, after, PAGE_SIZE)
    more = (url_for("accounts.notifications", unread="1" if unread else None,
                    cursor=encode_cursor("notifications", found.after))
            if found.after else None)
    return render_template("notifications.html", items=found.items, unread=unread, more=more)


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read(notification_id: int) -> Response:
    """Mark one notification read, then open its link (or go back to the inbox)."""
    notification = inbox.mark_read(get_session(), current_user, notification_id)
    if request.form.get("open") and notification.link:
        return redirect(notification.link)
    return redirect(url_for("accounts.notifications"))


@bp.post("/notifications/read-all")
@login_required
def read_all() -> Response:
    """Mark every notification read."""
    inbox.mark_all_read(get_session(), current_user)
    return redirect(url_for("accounts.notifications"))


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def preferences() -> Any:
    """Turn e-mail off for what needs no action of mine, or on; the language of my e-mails."""
    if request.method == "POST":
        inbox.set_preferences(get_session(), current_user,
                              request.form.get("email_notifications") == "on",
                              request.form.get("language"))
        flash(_("Your notification preferences were saved."))
        return redirect(url_for("accounts.preferences"))
    return render_template("preferences.html")


@bp.post("/account/confirmation")
@login_required
def resend_confirmation() -> Response:
    """Mail a new link to confirm my address."""
    if resets.resend_confirmation(get_session(), current_user):
        flash(_("We sent a new confirmation link to %(email)s.", email=current_user.email))
    return redirect(url_for("accounts.preferences"))


@bp.route("/password-reset", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def forgot_password() -> Any:
    """Ask for a link to choose a new password (the same answer for any address)."""
    values = {"email": request.form.get("email", "").strip()}
    if request.method == "GET":
        return render_template("forgot_password.html", values=values, errors={}, sent=False)
    try:
        data = PasswordResetIn().load(values)
    except ValidationError as error:
        return render_template("forgot_password.html", values=values,
                               errors=field_errors(error), sent=False), 422
    resets.request_reset(get_session(), data["email"])
    return render_template("forgot_password.html", values=values, errors={}, sent=True)


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def reset_password(token: str) -> Any:
    """Choose a new password with a reset link."""
    session = get_session()
    if request.method == "GET":
        try:
            resets.check_reset_link(session, token)
        except Gone:
            return _gone_page()
        return render_template("reset_password.html", errors={})
    errors: dict[str, list[str]] = {}
    if request.form.get("password") != request.form.get("password_confirm"):
        errors["password_confirm"] = [_("The two passwords do not match.")]
    try:
        data = NewPasswordIn().load({"password": request.form.get("password", "")})
    except ValidationError as error:
        errors.update(field_errors(error))
    if errors:
        return render_template("reset_password.html", errors=errors), 422
    try:
        resets.reset_password(session, token, data["password"])
    except Gone:
        return _gone_page()
    except DomainError as error:
        return render_template("reset_password.html", errors=field_errors(error)), 422
    flash(_("Your password was changed, and every session and API token of your account was "
            "closed. Sign in with the new password."))
    return redirect(url_for("web.login"))


@bp.get("/email-confirmation/<token>")
@limiter.limit("30 per hour")
def confirm_email(token: str) -> Any:
    """Confirm an address by opening the link mailed to it."""
    try:
        resets.confirm_email(get_session(), token)
    except Gone:
        return _gone_page()
    flash(_("Your e-mail address is confirmed: you can submit your proposals."))
    return redirect(url_for("pages.dashboard") if current_user.is_authenticated
                    else url_for("web.login"))


@bp.get("/admin/notifications")
@login_required
def outbox() -> Any:
    """E-mails not delivered: failed first (with their error), then those waiting."""
    if current_user.role != Role.ADMIN:
        abort(403)
    session = get_session()
    return render_template("admin_notifications.html",
                           items=delivery.outbox(session, current_user),
                           counts=delivery.outbox_counts(session, current_user))


@bp.post("/admin/notifications/<int:notification_id>/retry")
@login_required
def retry(notification_id: int) -> Response:
    """Send a failed e-mail again at the worker's next pass."""
    if current_user.role != Role.ADMIN:
        abort(403)
    delivery.retry(get_session(), current_user, notification_id)
    flash(_("The e-mail will be sent again at the next delivery."))
    return redirect(url_for("accounts.outbox"))
