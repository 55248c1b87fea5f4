"""A proposal's documents: the checklist, uploads (multipart), downloads and reviews."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView

from ..bodies import takes_uploads
from ..db import get_session
from ..domain.documents import download_name
from ..domain.errors import N_, UnsupportedType, reason
from ..schemas.documents import UPLOAD_FORM, DocumentOut, DocumentsOut, ReviewIn
from ..security import api_user
from ..services import documents
from ..storage import attachment, document_store
from .errors import fails
from .parser import Blueprint

blp = Blueprint("documents", __name__, url_prefix="/api/v1",
                description="A proposal's documents and its checklist")
FILE_TYPES = ("application/pdf", "image/jpeg", "image/png",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _one(proposal_id: int, document_id: int) -> dict[str, Any]:
    listing = documents.listing(get_session(), api_user(), proposal_id)
    return next(d for d in listing.items if d["id"] == document_id)


@blp.route("/proposals/<int:proposal_id>/documents")
@takes_uploads
class Documents(MethodView):
    @blp.response(200, DocumentsOut)
    def get(self, proposal_id: int) -> dict[str, Any]:
        """The checklist (each kind with its status: missing, pending, accepted or rejected)
        and every document uploaded, superseded ones included (anyone who may see the
        proposal)."""
        listing = documents.listing(get_session(), api_user(), proposal_id)
        return {"checklist": listing.checklist, "items": listing.items}

    @blp.doc(requestBody=UPLOAD_FORM)
    @blp.response(201, DocumentOut)
    @fails(400, e403="Your role may not upload this kind of document",
           e409="Documents cannot be uploaded at this step",
           e413="The file is larger than MAX_DOCUMENT_BYTES (10 MB by default)",
           e415="Not multipart/form-data, or the file is not a PDF, JPEG, PNG or XLSX (by its "
                "content)",
           e422="No kind of the checklist, or no file")
    def post(self, proposal_id: int) -> dict[str, Any]:
        """Upload a document of a kind of the checklist (multipart: `kind` and `file`); the
        company at steps 1, 2 and 4, FOCIR its credit memo. A kind uploaded again supersedes
        the earlier file, which stays listed."""
        user, session = api_user(), get_session()
        documents.may_upload(session, user, proposal_id)   # 404, 403, 409 before the body
        if request.mimetype != "multipart/form-data":
            raise UnsupportedType(reason(
                "multipart_required",
                N_("Send the document as multipart/form-data with the fields kind and file.")))
        upload = request.files.get("file")
        created = documents.upload(
            session, document_store(), user, proposal_id, request.form.get("kind"),
            upload.filename if upload else None, upload.stream if upload else None,
            current_app.config["MAX_DOCUMENT_BYTES"])
        return _one(proposal_id, created.id)


@blp.route("/proposals/<int:proposal_id>/documents/<int:document_id>/content")
class DocumentContent(MethodView):
    @blp.doc(responses={"200": {
        "description": "The file, as an attachment named with the proposal's folio",
        "content": {kind: {"schema": {"type": "string", "format": "binary"}}
                    for kind in FILE_TYPES}}})
    def get(self, proposal_id: int, document_id: int) -> Response:
        """Download a document (anyone who may see the proposal), checked against its SHA-256
        first."""
        proposal, document, stream = documents.content(
            get_session(), document_store(), api_user(), proposal_id, document_id)
        return attachment(stream, document.content_type,
                          download_name(proposal.folio, document.filename, document.content_type),
                          document.size, document.sha256)


@blp.route("/proposals/<int:proposal_id>/documents/<int:document_id>/review")
class DocumentReview(MethodView):
    @blp.arguments(ReviewIn)
    @blp.response(200, DocumentOut)
    @fails(e403="Only PROMTEL, and FOCIR once the proposal is presented to it, review",
           e409="The document was superseded, or the proposal is closed",
           e422="Invalid data, or a rejection without its reason")
    def post(self, data: dict[str, Any], proposal_id: int, document_id: int) -> dict[str, Any]:
        """Accept or reject the current document of a kind; a rejection needs a reason, which
        the company reads."""
        documents.review(get_session(), api_user(), proposal_id, document_id,
                         data["decision"], data["reason"])
        return _one(proposal_id, document_id)
