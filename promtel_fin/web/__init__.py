"""Server-rendered pages: sessions (Flask-Login), CSRF on every form (Flask-WTF)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from flask_wtf import CSRFProtect

from ..db import get_session
from ..models import User

login_manager = LoginManager()
csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    """Install sessions and CSRF; the bearer-token API is exempt from CSRF (it uses no cookie)."""
    from . import filters, proposals, public, staff, views

    login_manager.init_app(app)
    login_manager.login_view = "web.login"
    login_manager.login_message = _l("Sign in to see this page.")
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    for name, blueprint in app.blueprints.items():
        if name in ("auth", "proposals", "finance", "api_docs", "api-docs"):
            csrf.exempt(blueprint)
    filters.init_app(app)
    for blueprint in (public.bp, views.bp, proposals.bp, staff.bp):
        app.register_blueprint(blueprint)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    user = get_session().get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None
