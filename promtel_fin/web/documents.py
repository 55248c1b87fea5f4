"""Pages' side of a proposal's documents: upload, download and review from the dossier, through
the same service as the API (plain forms, no JavaScript)."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..bodies import takes_uploads
from ..db import get_session
from ..domain.documents import download_name
from ..domain.errors import CheckFailed, Conflict, InvalidInput, TooLarge, UnsupportedType
from ..i18n import say
from ..services import documents, proposals
from ..storage import attachment, document_store
from .formdata import field_errors

bp = Blueprint("documents_pages", __name__)
# Refusals shown beside the form that caused them, with their status.
SHOWN = {InvalidInput: 422, CheckFailed: 422, TooLarge: 413, UnsupportedType: 415}


def _folio(proposal_id: int) -> str:
    return proposals.get_proposal(get_session(), current_user, proposal_id, options=()).folio


def _back(proposal_id: int) -> Any:
    return redirect(url_for("pages.dossier", proposal_id=proposal_id, _anchor="documents"))


def _again(proposal_id: int, error: Exception, form: str) -> Any:
    """Show the dossier again with the refusal beside the form it came from."""
    from .proposals import _dossier

    return _dossier(proposal_id, field_errors(error), form, SHOWN[type(error)])


@bp.post("/proposals/<int:proposal_id>/documents")
@takes_uploads
@login_required
def upload(proposal_id: int) -> Any:
    """Upload (or replace) the document of one kind of the checklist."""
    session = get_session()
    kind = request.form.get("kind", "")
    file = request.files.get("file")
    try:
        stored = documents.upload(session, document_store(), current_user, proposal_id, kind,
                         file.filename if file else None,
                         file.stream if file and file.filename else None,
                         current_app.config["MAX_DOCUMENT_BYTES"])
    except tuple(SHOWN) as error:
        return _again(proposal_id, error, f"document-{kind}")
    except Conflict as error:
        flash(say(error.reasons[0], words=True))
        return _back(proposal_id)
    flash(_("You uploaded %(file)s to proposal %(folio)s; it waits for the reviewers.",
            file=stored.filename, folio=_folio(proposal_id)))
    return _back(proposal_id)


@bp.get("/proposals/<int:proposal_id>/documents/<int:document_id>")
@login_required
def download(proposal_id: int, document_id: int) -> Response:
    """Download a document as an attachment named with the proposal's folio."""
    proposal, document, stream = documents.content(
        get_session(), document_store(), current_user, proposal_id, document_id)
    return attachment(stream, document.content_type,
                      download_name(proposal.folio, document.filename, document.content_type),
                      document.size, document.sha256)


@bp.post("/proposals/<int:proposal_id>/documents/<int:document_id>/review")
@login_required
def review(proposal_id: int, document_id: int) -> Any:
    """Accept or reject a document (a rejection with its reason)."""
    decision = request.form.get("decision", "")
    try:
        reviewed = documents.review(get_session(), current_user, proposal_id, document_id,
                                    decision, request.form.get("reason", ""))
    except (InvalidInput, CheckFailed) as error:
        return _again(proposal_id, error, f"review-{document_id}")
    except Conflict as error:
        flash(say(error.reasons[0], words=True))
        return _back(proposal_id)
    said = (_("You accepted %(file)s of proposal %(folio)s.") if decision == "accepted"
            else _("You rejected %(file)s of proposal %(folio)s; the company reads your reason."))
    flash(said % {"file": reviewed.filename, "folio": _folio(proposal_id)})
    return _back(proposal_id)


@bp.app_template_filter("filesize")
def filesize(size: int) -> str:
    """Write a size in bytes as people read it: 820 B, 14.2 KB, 3.1 MB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"
