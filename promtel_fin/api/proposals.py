"""Proposals, their workflow actions, history, revisions, and the reviewers' queue."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from sqlalchemy.orm import Session

from ..db import get_session
from ..models import User
from ..schemas import (
    CompareArgs,
    CompareOut,
    HistoryOut,
    ListArgs,
    Page,
    ProposalIn,
    ProposalOut,
    ProposalPatch,
    QueuePage,
    RevisionOut,
    RevisionSummary,
    TransitionIn,
)
from ..security import api_user
from ..services import history, proposals, revisions, workflow
from ..services.proposals import Filters
from . import present
from .errors import fails
from .parser import Blueprint

blp = Blueprint("proposals", __name__, url_prefix="/api/v1",
                description="Proposals and the ten-step workflow")

FILTER_KEYS = ("state", "step", "state_code", "technology", "created_from", "created_to",
               "min_amount", "max_amount")


def _detail(session: Session, user: User, proposal_id: int) -> dict[str, Any]:
    proposal = proposals.get_proposal(session, user, proposal_id)
    return present.detail(proposal, user, proposals.submission_check(session, proposal))


def _page(items: list, total: int, args: dict[str, Any], user: Any) -> dict[str, Any]:
    return {"page": args["page"], "page_size": args["page_size"], "total": total,
            "items": [present.summary(p, user) for p in items]}


@blp.route("/proposals")
class Proposals(MethodView):
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, Page)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List the proposals you may see, newest first, filtered and paginated."""
        user = api_user()
        filters = Filters(**{k: args[k] for k in FILTER_KEYS})
        items, total = proposals.list_proposals(get_session(), user, filters, args["page"],
                                                args["page_size"])
        return _page(items, total, args, user)

    @blp.arguments(ProposalIn)
    @blp.response(201, ProposalOut)
    @fails(403, 409)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a proposal (SMEs only); it starts at step 1, contact."""
        user = api_user()
        session = get_session()
        created = proposals.create_proposal(session, user, data)
        return _detail(session, user, created.id)


@blp.route("/proposals/<int:proposal_id>")
class ProposalItem(MethodView):
    @blp.response(200, ProposalOut)
    def get(self, proposal_id: int) -> dict[str, Any]:
        """Read a proposal, with where it stands and what you may do with it now."""
        user = api_user()
        return _detail(get_session(), user, proposal_id)

    @blp.arguments(ProposalPatch)
    @blp.response(200, ProposalOut)
    @fails(403, e409="Stale version, or the proposal is not editable at this step")
    def patch(self, data: dict[str, Any], proposal_id: int) -> dict[str, Any]:
        """Edit your draft at steps 1, 2 or 4; send the version you loaded."""
        user = api_user()
        version = data.pop("version")
        session = get_session()
        proposals.update_proposal(session, user, proposal_id, version, data)
        return _detail(session, user, proposal_id)


@blp.route("/proposals/<int:proposal_id>/transitions")
class Transitions(MethodView):
    @blp.arguments(TransitionIn)
    @blp.response(200, ProposalOut)
    @fails(e403="You may not take this action",
           e409="Stale version, or the action does not leave this state",
           e422="Invalid data, or a check failed; every reason is listed")
    def post(self, data: dict[str, Any], proposal_id: int) -> dict[str, Any]:
        """Take a workflow action on a proposal, as the version you loaded."""
        user = api_user()
        session = get_session()
        action, version = data.pop("action"), data.pop("version")
        workflow.take_action(session, user, proposal_id, action, version, data)
        return _detail(session, user, proposal_id)


@blp.route("/proposals/<int:proposal_id>/history")
class History(MethodView):
    @blp.response(200, HistoryOut(many=True))
    def get(self, proposal_id: int) -> list[Any]:
        """List who did what and when, with each entry's chained SHA-256."""
        user = api_user()
        session = get_session()
        proposals.get_proposal(session, user, proposal_id, options=())
        return history.list_history(session, proposal_id)


@blp.route("/proposals/<int:proposal_id>/revisions")
class Revisions(MethodView):
    @blp.response(200, RevisionSummary(many=True))
    def get(self, proposal_id: int) -> list[Any]:
        """List the revisions frozen at each submission."""
        return revisions.list_revisions(get_session(), api_user(), proposal_id)


@blp.route("/proposals/<int:proposal_id>/revisions/<int:number>")
class RevisionItem(MethodView):
    @blp.response(200, RevisionOut)
    def get(self, proposal_id: int, number: int) -> Any:
        """Read one revision exactly as it was submitted."""
        return revisions.get_revision(get_session(), api_user(), proposal_id, number)


@blp.route("/proposals/<int:proposal_id>/revisions/compare")
class RevisionCompare(MethodView):
    @blp.arguments(CompareArgs, location="query")
    @blp.response(200, CompareOut)
    def get(self, args: dict[str, Any], proposal_id: int) -> dict[str, Any]:
        """Compare two revisions field by field (?from=1&to=2)."""
        changes = revisions.compare(get_session(), api_user(), proposal_id, args["before"],
                                    args["after"])
        return {"proposal_id": proposal_id, "before": args["before"], "after": args["after"],
                "changes": changes}


@blp.route("/queue")
class Queue(MethodView):
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, QueuePage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List the proposals waiting on your role, the longest-waiting first."""
        user = api_user()
        filters = Filters(**{k: args[k] for k in FILTER_KEYS})
        items, total = proposals.queue(get_session(), user, filters, args["page"],
                                       args["page_size"])
        return _page(items, total, args, user)
