"""The caller's notifications; for administrators, the e-mails not delivered."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from ..db import get_session
from ..schemas.notifications import (
    NotificationArgs,
    NotificationOut,
    NotificationPage,
    PreferencesIn,
    PreferencesOut,
    ReadAllOut,
)
from ..security import api_user
from ..services import inbox
from .errors import fails
from .parser import Blueprint
from .proposals import next_link

blp = Blueprint("notifications", __name__, url_prefix="/api/v1",
                description="Notifications of what happens to your proposals")


@blp.route("/notifications")
class Notifications(MethodView):
    @blp.arguments(NotificationArgs(), location="query")
    @blp.response(200, NotificationPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List your notifications, newest first (`unread=true`: only unread); follow `next`.

        Subject and body are written in the request's language (Accept-Language).
        """
        user = api_user()
        found = inbox.list_notifications(get_session(), user, args["unread"], args["cursor"],
                                         args["page_size"])
        return {"page_size": args["page_size"], "next": next_link("notifications", found.after),
                "items": found.items}


@blp.route("/notifications/<int:notification_id>/read")
class NotificationRead(MethodView):
    @blp.response(200, NotificationOut)
    def post(self, notification_id: int) -> Any:
        """Mark one of your notifications read (again: nothing changes)."""
        return inbox.mark_read(get_session(), api_user(), notification_id)


@blp.route("/notifications/read-all")
class NotificationsReadAll(MethodView):
    @blp.response(200, ReadAllOut)
    def post(self) -> dict[str, int]:
        """Mark every notification of yours read."""
        return {"marked": inbox.mark_all_read(get_session(), api_user())}


@blp.route("/notifications/preferences")
class Preferences(MethodView):
    @blp.response(200, PreferencesOut)
    def get(self) -> Any:
        """Say whether you receive e-mail for what needs no action of yours, and in which
        language."""
        return api_user()

    @blp.arguments(PreferencesIn)
    @blp.response(200, PreferencesOut)
    @fails()
    def put(self, data: dict[str, Any]) -> Any:
        """Turn e-mail off (what needs your own action is mailed anyway), or on; choose the
        language of your e-mails."""
        return inbox.set_preferences(get_session(), api_user(), data["email_notifications"],
                                     data.get("language"))
