"""Server-rendered pages: sessions (Flask-Login), CSRF on every form (Flask-WTF)."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app
from flask import session as browser_session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from flask_wtf import CSRFProtect

from ..db import get_session
from ..models import User
from ..services import sessions

login_manager = LoginManager()
csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    """Install sessions and CSRF; the bearer-token API is exempt from CSRF (it uses no cookie)."""
    from . import (
        accounts,
        documents,
        filters,
        proposals,
        public,
        signing,
        staff,
        transparency,
        views,
    )

    login_manager.init_app(app)
    login_manager.login_view = "web.login"
    login_manager.login_message = _l("Sign in to see this page.")
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    for name, blueprint in app.blueprints.items():
        if name in ("auth", "proposals", "finance", "notifications", "api_docs", "api-docs") or (
                blueprint.url_prefix or "").startswith("/api/"):
            csrf.exempt(blueprint)
    filters.init_app(app)
    for blueprint in (public.bp, views.bp, proposals.bp, signing.bp, staff.bp, accounts.bp,
                      transparency.bp, documents.bp):
        app.register_blueprint(blueprint)


SESSION_ID = "sid"   # the key of the page session's id in Flask's signed cookie


def session_lifetime() -> sessions.Lifetime:
    """Give the configured idle and absolute lifetimes of page sessions."""
    config = current_app.config
    return sessions.Lifetime(idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
                             absolute=timedelta(hours=config["SESSION_MAX_HOURS"]))


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """Accept the cookie only while its server-side session is live (not ended, not expired)."""
    session_id = browser_session.get(SESSION_ID)
    if not isinstance(session_id, str) or not session_id:
        return None
    user = sessions.session_user(get_session(), session_id, session_lifetime())
    return user if user is not None and user.get_id() == user_id else None
