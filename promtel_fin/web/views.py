"""Sign-in, sign-out, the language switch and the home page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from ..db import get_session
from ..domain.errors import DomainError
from ..i18n import say
from ..security import limiter, login_key, login_limit
from ..services import users
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



@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, key_func=login_key, methods=["POST"],
               deduct_when=lambda r: r.status_code == 401)
def login() -> Response | tuple[str, int] | str:
    """Sign in with e-mail and password; failed attempts are limited like the API's."""
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("login.html", form=form), 422 if form.is_submitted() else 200
    user = users.authenticate(get_session(), form.email.data or "", form.password.data or "")
    if user is None:
        form.password.errors = [_("The e-mail or the password is not right.")]
        return render_template("login.html", form=form), 401
    login_user(user)
    target = request.args.get("next")
    return redirect(safe_next(target) if target else url_for("pages.dashboard"))


@bp.post("/logout")
def logout() -> Response:
    """Sign out (a POST with its CSRF token, so no other site can sign you out)."""
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
    """Change one's password (the API tokens issued before are revoked)."""
    form = PasswordForm()
    if not form.validate_on_submit():
        return render_template("password.html", form=form), 422 if form.is_submitted() else 200
    try:
        users.change_password(get_session(), current_user, form.current_password.data or "",
                              form.new_password.data or "")
    except DomainError as error:
        get_session().rollback()
        for r in error.reasons:
            getattr(form, r.field or "new_password").errors = [say(r)]
        return render_template("password.html", form=form), 422
    flash(_("Your password was changed."))
    return redirect(url_for("pages.dashboard"))
