"""Schemas of notifications, e-mail preferences, password resets and address confirmation."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from marshmallow import Schema, fields, validate

from ..domain.texts import render
from .common import StrictSchema
from .fields import whole
from .paging import Cursor
from .proposals import NEXT, PagedArgs


class Rendered(fields.Field):
    """A stored text (message key and values), written in the request's language."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str:
        return render(value, gettext)


class NotificationOut(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "transition, or another kind of event"})
    proposal_id = fields.Integer(allow_none=True)
    subject = Rendered(metadata={"description": "in the request's language"})
    body = Rendered(metadata={"description": "in the request's language"})
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class NotificationArgs(PagedArgs):
    page_size = whole(1, 100, strict=False, load_default=20)
    unread = fields.Boolean(load_default=False, metadata={
        "description": "true: only the notifications not read yet"})
    cursor = Cursor("notifications", load_default=None)


class NotificationPage(Schema):
    """One page of the caller's notifications, newest first."""

    page_size = fields.Integer()
    next = fields.String(allow_none=True, metadata={"description": NEXT})
    items = fields.List(fields.Nested(NotificationOut))


class ReadAllOut(Schema):
    marked = fields.Integer(metadata={"description": "how many were unread"})


class PreferencesIn(StrictSchema):
    email_notifications = fields.Boolean(required=True, truthy={True}, falsy={False}, metadata={
        "description": "false: e-mail only what needs your own action"})
    language = fields.String(load_default=None, validate=validate.OneOf(("es", "en")),
                             metadata={"description": "the language of your e-mails"})


class PreferencesOut(Schema):
    email_notifications = fields.Boolean()
    language = fields.String()


class PasswordResetIn(StrictSchema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))


class NewPasswordIn(StrictSchema):
    password = fields.String(required=True, validate=validate.Length(max=1000))


class AcceptedOut(Schema):
    message = fields.String()
