"""The agreement and the term sheet as PDF (issue 10 §3)."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from .. import pdfs
from ..db import get_session
from ..security import api_user
from ..services import papers
from .errors import fails
from .parser import Blueprint

blp = Blueprint("papers", __name__, url_prefix="/api/v1",
                description="The financing agreement and the term sheet as PDF")
NOT_YET = "FOCIR has not approved the financing: neither exists before step 10"


@blp.route("/proposals/<int:proposal_id>/agreement.pdf")
class AgreementPdf(MethodView):
    @blp.response(200, content_type="application/pdf")
    @fails(e409=NOT_YET)
    def get(self, proposal_id: int) -> Response:
        """The financing agreement as PDF, in Spanish (step 10 on): parties, approved terms,
        conditions, the schedule with VAT per installment, and each party's signature."""
        return pdfs.download(papers.paper(get_session(), api_user(), proposal_id, "agreement"))


@blp.route("/proposals/<int:proposal_id>/terms.pdf")
class TermsPdf(MethodView):
    @blp.response(200, content_type="application/pdf")
    @fails(e409=NOT_YET)
    def get(self, proposal_id: int) -> Response:
        """The term sheet as PDF, in Spanish (from FOCIR's approval on): parties, approved
        terms, conditions and the schedule with VAT per installment."""
        return pdfs.download(papers.paper(get_session(), api_user(), proposal_id, "terms"))
