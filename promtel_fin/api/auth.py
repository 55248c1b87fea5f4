"""Sign-in for the API (bearer tokens) and SME self-registration."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import abort
from werkzeug.exceptions import Unauthorized

from ..db import get_session
from ..schemas import RegistrationIn, RegistrationOut, TokenOut, TokenRequest, UserOut
from ..schemas.notifications import AcceptedOut, NewPasswordIn, PasswordResetIn
from ..security import api_user, bearer_token, limiter, sign_in
from ..services import resets, signin, users
from .errors import fails
from .parser import Blueprint

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Sign-in and registration")


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.arguments(TokenRequest)
    @blp.response(201, TokenOut)
    @blp.doc(security=[])
    @fails(e401="Wrong e-mail or password",
           e429="Too many failures: wait the seconds of Retry-After")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Sign in with e-mail and password; answer a bearer token.

        After a few failures on one e-mail address each try waits longer (up to a minute), and
        failures are limited per client address across all accounts; 429 says how long to wait
        in Retry-After. Accounts are never locked.
        """
        session = get_session()
        try:
            user = sign_in(data["email"], data["password"])
        except signin.TooSoon as wait:
            abort(429, headers={"Retry-After": str(wait.retry_after)})
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
    @blp.response(202, RegistrationOut)
    @blp.doc(security=[])
    @fails(429, e409="The company's RFC is already registered")
    @limiter.limit("20 per hour")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Register an SME: its company and its first user (role sme), then sign in.

        The answer is the same whether or not the e-mail already had an account (nothing
        changes then), so nobody learns who has one. An RFC already registered is a 409.
        """
        users.register_sme(get_session(), data)
        return {"message": registration_message()}


def registration_message() -> str:
    """Say what happens next, the same whether or not the e-mail already had an account."""
    return _("Registration received. If this e-mail had no account, the company and the "
             "account are ready: sign in with this e-mail and password. If it had one, nothing "
             "changed: sign in with your current password.") + " " + _(
        "A new account must confirm its address with the link we mail to it before it can "
        "submit a proposal.")


@blp.route("/password-resets")
class PasswordResets(MethodView):
    @blp.arguments(PasswordResetIn)
    @blp.response(202, AcceptedOut)
    @blp.doc(security=[])
    @fails(429)
    @limiter.limit("20 per hour")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Ask for a link to choose a new password, mailed to the address if it has an account.

        The answer is the same whether or not the address has an account. The link ends in
        `/password-reset/{token}`, works once, and for one hour.
        """
        resets.request_reset(get_session(), data["email"])
        return {"message": reset_message()}


@blp.route("/password-resets/<token>")
class PasswordReset(MethodView):
    @blp.arguments(NewPasswordIn)
    @blp.response(204)
    @blp.doc(security=[])
    @fails(429, e410="The link was used, expired, or never existed: ask for a new one",
           e422="The password is too weak or too common; errors.fields.password says why")
    @limiter.limit("30 per hour")
    def post(self, data: dict[str, Any], token: str) -> None:
        """Choose a new password with the token of a reset link.

        Every page session of the account ends and every API token is revoked.
        """
        resets.reset_password(get_session(), token, data["password"])


@blp.route("/email-confirmations")
class EmailConfirmations(MethodView):
    @blp.response(202, AcceptedOut)
    def post(self) -> dict[str, Any]:
        """Mail a new link to confirm your address (nothing when it is confirmed already)."""
        resets.resend_confirmation(get_session(), api_user())
        return {"message": _("If your address was not confirmed yet, a new link is on its way.")}


@blp.route("/email-confirmations/<token>")
class EmailConfirmation(MethodView):
    @blp.response(204)
    @blp.doc(security=[])
    @fails(429, e410="The link was used, expired, or never existed: ask for a new one")
    @limiter.limit("30 per hour")
    def post(self, token: str) -> None:
        """Confirm your address with the token of the link mailed at registration."""
        resets.confirm_email(get_session(), token)


def reset_message() -> str:
    """Say what happens next, the same whether or not the address has an account."""
    return _("If this address has an account, we sent it a link to choose a new password. "
             "It works once, for one hour. Check your spam folder too.")
