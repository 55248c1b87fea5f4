"""Proposals, their workflow actions, history, revisions, and the reviewers' queue."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, jsonify, request
from flask.views import MethodView
from sqlalchemy.orm import Session

from ..db import get_session
from ..models import User, utcnow
from ..schemas import (
    AgreementOut,
    CompareArgs,
    CompareOut,
    HistoryArgs,
    HistoryPage,
    ListArgs,
    MessageArgs,
    MessageIn,
    MessageOut,
    MessagePage,
    Page,
    ProposalIn,
    ProposalOut,
    ProposalPatch,
    QueueArgs,
    QueuePage,
    RevisionOut,
    RevisionSummary,
    TransitionIn,
)
from ..schemas.paging import encode_cursor
from ..security import api_user
from ..services import agreement, history, listing, messages, proposals, revisions, workflow
from ..services.listing import FILTER_KEYS, Filters, Slice
from . import present
from .errors import fails
from .parser import Blueprint

blp = Blueprint("proposals", __name__, url_prefix="/api/v1",
                description="Proposals and the ten-step workflow")



def _detail(session: Session, user: User, proposal_id: int) -> dict[str, Any]:
    proposal, missing = proposals.detail(session, user, proposal_id)
    return present.detail(proposal, user, missing)


def next_link(kind: str, after: tuple[Any, ...] | None) -> str | None:
    """Give this request's URL with the cursor that continues after ``after`` (None: the end).

    Every other parameter (filters, page size, language) is repeated as it was sent.
    """
    if after is None:
        return None
    query = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
    query.append(("cursor", encode_cursor(kind, after)))
    return f"{request.script_root}{request.path}?{urlencode(query)}"


def _page(kind: str, found: Slice, args: dict[str, Any], user: User) -> Response:
    """Answer a page of proposals, written directly in Page's shape (``present``); a queue's
    items add their deadline."""
    now = utcnow()
    items = [present.summary_answer(p, user, now) for p in found.items]
    if kind == "queue":
        items = [{**item, **present.deadline(found.deadlines.get(item["id"]))}
                 for item in items]
    return jsonify({"page_size": args["page_size"], "next": next_link(kind, found.after),
                    "items": items})


@blp.route("/proposals")
class Proposals(MethodView):
    @blp.arguments(ListArgs(), location="query")
    @blp.response(200, Page)
    def get(self, args: dict[str, Any]) -> Response:
        """List the proposals you may see, newest first, filtered; follow `next` for more.

        Pages are read by cursor (keyset), so every page costs what the first does; there is
        no total count.
        """
        user = api_user()
        filters = Filters(**{k: args[k] for k in FILTER_KEYS})
        found = listing.list_proposals(get_session(), user, filters, args["cursor"],
                                         args["page_size"])
        return _page("proposals", found, args, user)

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


@blp.route("/proposals/<int:proposal_id>/agreement")
class Agreement(MethodView):
    @blp.response(200, AgreementOut)
    @fails(e409="There is no agreement yet: it exists from step 10 (FOCIR's approval) on")
    def get(self, proposal_id: int) -> dict[str, Any]:
        """Read the agreement to sign: its cadena original (the canonical UTF-8 text each party
        signs with its e.firma), that text's SHA-256, and the signatures so far."""
        return agreement.agreement_document(get_session(), api_user(), proposal_id)


@blp.route("/proposals/<int:proposal_id>/history")
class History(MethodView):
    @blp.arguments(HistoryArgs(), location="query")
    @blp.response(200, HistoryPage)
    def get(self, args: dict[str, Any], proposal_id: int) -> Response:
        """List who did what and when, oldest first, with each entry's chained MAC; follow
        `next` for more."""
        user = api_user()
        session = get_session()
        proposals.get_proposal(session, user, proposal_id, options=())
        after = args["cursor"][0] if args["cursor"] else None
        entries, last = history.history_page(session, proposal_id, after, args["page_size"])
        return jsonify({"page_size": args["page_size"],
                        "next": next_link("history", None if last is None else (last,)),
                        "items": [present.history_answer(e) for e in entries]})


@blp.route("/proposals/<int:proposal_id>/messages")
class Messages(MethodView):
    @blp.arguments(MessageArgs(), location="query")
    @blp.response(200, MessagePage)
    def get(self, args: dict[str, Any], proposal_id: int) -> dict[str, Any]:
        """Read the proposal's thread between its SME and the staff, oldest first; follow
        `next` for more."""
        after = args["cursor"][0] if args["cursor"] else None
        items, last = messages.list_messages(get_session(), api_user(), proposal_id, after,
                                             args["page_size"])
        return {"page_size": args["page_size"], "items": items,
                "next": next_link("messages", None if last is None else (last,))}

    @blp.arguments(MessageIn)
    @blp.response(201, MessageOut)
    @fails(403, e422="The body is empty, longer than 5,000 characters, or holds control "
                     "characters")
    def post(self, data: dict[str, Any], proposal_id: int) -> Any:
        """Write a message in the proposal's thread (never edited or deleted); the other side
        is notified."""
        return messages.post_message(get_session(), api_user(), proposal_id, data["body"])


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
    @blp.arguments(QueueArgs(), location="query")
    @blp.response(200, QueuePage)
    def get(self, args: dict[str, Any]) -> Response:
        """List the proposals waiting on your role, the longest-waiting first; follow `next`
        for more (by cursor, no total count)."""
        user = api_user()
        filters = Filters(**{k: args[k] for k in FILTER_KEYS})
        found = listing.queue(get_session(), user, filters, args["cursor"], args["page_size"])
        return _page("queue", found, args, user)
