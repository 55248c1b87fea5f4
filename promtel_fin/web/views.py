"""Sign-in, sign-out, the language switch and the home page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask import session as browser_session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from ..db import get_session
from ..domain.errors import DomainError
from ..i18n import by_field
from ..models import User
from ..security import sign_in
from ..services import sessions, signin, users
from . import SESSION_ID
from .forms import LoginForm, PasswordForm

bp = Blueprint("web", __name__)
ONE_YEAR = 365 * 24 * 3600


def safe_next(target: str | None) -> str:
    """Follow ?next= only to a path on this site (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("public.home")


def start_page_session(user: User) -> None:
    """Sign a user in on the pages: a new server-side session, its id in the cookie."""
    previous = browser_session.get(SESSION_ID)
    if isinstance(previous, str):   # someone signed in already on this browser: end theirs
        sessions.end_session(get_session(), previous)
    browser_session[SESSION_ID] = sessions.start_session(get_session(), user)
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int] | tuple[str, int, dict[str, str]] | str:
    """Sign in with e-mail and password; repeated failures wait, like the API's."""
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("login.html", form=form), 422 if form.is_submitted() else 200
    try:
        user = sign_in(form.email.data or "", form.password.data or "")
    except signin.TooSoon as wait:
        form.password.errors = [_("Too many failed attempts; try again in %(seconds)d s.",
                                  seconds=wait.retry_after)]
        return (render_template("login.html", form=form), 429,
                {"Retry-After": str(wait.retry_after)})
    if user is None:
        form.password.errors = [_("The e-mail or the password is not right.")]
        return render_template("login.html", form=form), 401
    start_page_session(user)
    target = request.args.get("next")
    return redirect(safe_next(target) if target else url_for("pages.dashboard"))


@bp.post("/logout")
def logout() -> Response:
    """Sign out (a POST with its CSRF token, so no other site can sign you out).

    The server-side session ends, so a copy of the cookie opens nothing afterwards.
    """
    session_id = browser_session.pop(SESSION_ID, None)
    if isinstance(session_id, str):
        sessions.end_session(get_session(), session_id)
    logout_user()
    return redirect(url_for("public.home"))


@bp.get("/lang/<code>")
def set_language(code: str) -> Response:
    """Remember the chosen language in a cookie and go back to the page."""
    response = redirect(safe_next(request.args.get("next")))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie("lang", code, max_age=ONE_YEAR, samesite="Lax", httponly=True,
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.app_context_processor
def _template_globals() -> dict[str, object]:
    return {"get_locale": get_locale}


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password() -> Response | tuple[str, int] | str:
    """Change one's password; every other session ends and every API token is revoked."""
    form = PasswordForm()
    if not form.validate_on_submit():
        return render_template("password.html", form=form), 422 if form.is_submitted() else 200
    try:
        users.change_password(get_session(), current_user, form.current_password.data or "",
                              form.new_password.data or "",
                              keep_session=browser_session.get(SESSION_ID))
    except DomainError as error:
        for name, messages in by_field(error.reasons, default="new_password", words=True).items():
            getattr(form, name).errors = messages
        return render_template("password.html", form=form), 422
    flash(_("Your password was changed. Your other sessions were closed and your API tokens "
            "revoked."))
    return redirect(url_for("pages.dashboard"))
