"""Sign-in for the API (bearer tokens) and SME self-registration."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from werkzeug.exceptions import Unauthorized

from ..db import get_session
from ..domain.identifiers import rfc_problems
from ..i18n import say
from ..security import api_user, bearer_token, limiter, login_key, login_limit
from ..services import users
from .parser import Blueprint
from .schemas import RegistrationIn, RegistrationOut, TokenOut, TokenRequest, UserOut

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Sign-in and registration")



@blp.route("/tokens")
class Tokens(MethodView):
    @blp.arguments(TokenRequest)
    @blp.response(201, TokenOut)
    @blp.alt_response(401, description="Wrong e-mail or password")
    @blp.alt_response(429, description="Too many failed attempts")
    @limiter.limit(login_limit, key_func=login_key, deduct_when=lambda r: r.status_code == 401)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Sign in with e-mail and password; answer a bearer token.

        Failed attempts are limited per e-mail and client address.
        """
        session = get_session()
        user = users.authenticate(session, data["email"], data["password"])
        if user is None:
            raise Unauthorized(www_authenticate='Bearer realm="promtel_fin"')
        token, row = users.issue_token(session, user, current_app.config["TOKEN_TTL_HOURS"])
        return {"token": token, "expires_at": row.expires_at, "user": user}


@blp.route("/tokens/current")
class CurrentToken(MethodView):
    @blp.response(204)
    def delete(self) -> None:
        """Revoke the token used for this request (sign out)."""
        api_user()
        users.revoke_token(get_session(), bearer_token() or "")


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, UserOut)
    def get(self) -> Any:
        """Say who the token belongs to."""
        return api_user()


@blp.route("/registrations")
class Registrations(MethodView):
    @blp.arguments(RegistrationIn)
    @blp.response(201, RegistrationOut)
    @blp.alt_response(409, description="E-mail or company already registered")
    @limiter.limit("20 per hour")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Register an SME: its company and its first user (role sme)."""
        user = users.register_sme(get_session(), data)
        _errors, warnings = rfc_problems(user.company.rfc)
        return {"user": user, "company": user.company, "warnings": [say(w) for w in warnings]}
