"""Signing the agreement with the e.firma, in a page that works without JavaScript.

Without JavaScript the page shows the cadena original (and offers it as a file), the
``openssl`` commands that sign it with the SAT's ``.key``, and takes the ``.cer`` and the
signature (a file, or base64 pasted). With JavaScript (``static/signing.js`` and the vendored
node-forge, loaded only here) it signs in the browser: the ``.key`` and its password are read
by the page's script and are never part of the form, so they never leave the person's machine.
"""

from __future__ import annotations

import base64
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError

from ..db import get_session
from ..domain.errors import CheckFailed, Conflict, InvalidInput
from ..i18n import say
from ..schemas import TransitionIn
from ..schemas.fields import MAX_CERTIFICATE_BYTES, MAX_SIGNATURE_BYTES
from ..services import agreement, proposals
from ..services import workflow as actions
from . import labels
from .formdata import field_errors, scalars

bp = Blueprint("signing", __name__)


def _page(proposal_id: int, errors: dict[str, list[str]] | None = None,
          status: int = 200) -> Any:
    session = get_session()
    document = agreement.agreement_document(session, current_user, proposal_id)
    proposal = proposals.get_proposal(session, current_user, proposal_id)
    standing = proposals.status(proposal, current_user)
    return render_template(
        "sign.html", proposal=proposal, agreement=document, errors=errors or {},
        may_sign="sign" in standing.allowed_actions,
        pasted=request.form.get("signature", "") if request.method == "POST" else ""), status


def _upload(name: str, limit: int) -> str | None:
    """An uploaded file as base64 (None when none was chosen); at most ``limit`` + 1 bytes are
    read, so that the schema can say it is too large."""
    upload = request.files.get(name)
    if upload is None or not upload.filename:
        return None
    return base64.b64encode(upload.stream.read(limit + 1)).decode("ascii")


@bp.route("/proposals/<int:proposal_id>/sign", methods=["GET", "POST"])
@login_required
def sign(proposal_id: int) -> Any:
    """The agreement to sign, the ways to sign it, and the signature's upload."""
    if request.method == "GET":
        return _page(proposal_id)
    form = request.form
    if form.get("accept") != "yes":
        return _page(proposal_id, {"accept": [_("Tick the box to accept the terms.")]}, 422)
    given: dict[str, Any] = {"action": "sign", "terms_sha256": form.get("terms_sha256", ""),
                             **scalars(form, ("version",))}
    certificate = _upload("certificate_file", MAX_CERTIFICATE_BYTES)
    signature = _upload("signature_file", MAX_SIGNATURE_BYTES) or form.get("signature", "")
    if certificate is not None:
        given["certificate"] = certificate
    if signature.strip():
        given["signature"] = signature
    try:   # the same checks as the API's transitions
        params = TransitionIn().load(given)
    except ValidationError as error:
        errors = field_errors(error)
        if "version" in errors:
            errors = {"_form": [_("The form is out of date; reload the page.")]}
        return _page(proposal_id, errors, 422)
    try:
        done = actions.take_action(get_session(), current_user, proposal_id,
                                   params.pop("action"), params.pop("version"), params)
    except (CheckFailed, InvalidInput) as error:
        return _page(proposal_id, field_errors(error), 422)
    except Conflict as error:
        flash(say(error.reasons[0], words=True))
        return redirect(url_for("signing.sign", proposal_id=proposal_id))
    flash(labels.done("sign", done))
    return redirect(url_for("pages.dossier", proposal_id=proposal_id))


@bp.get("/proposals/<int:proposal_id>/agreement.txt")
@login_required
def cadena(proposal_id: int) -> Response:
    """The cadena original as a file: exactly the UTF-8 bytes to sign."""
    document = agreement.agreement_document(get_session(), current_user, proposal_id)
    response = Response(document["cadena_original"].encode("utf-8"),
                        mimetype="text/plain")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{document["folio"]}-cadena-original.txt"')
    return response
