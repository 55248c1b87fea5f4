"""Cursors of keyset pagination: opaque, signed, and good for one list only.

A cursor carries the sort key of the last row of a page (a moment and an id, or a history
sequence number), signed with the app's ``SECRET_KEY`` and a salt naming the list, so a client
can only pass back what a ``next`` link gave it: an edited, truncated, made-up cursor, or one from
another list, is refused with 422 like any other bad parameter. The filters are not in the
cursor: the ``next`` link repeats them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeSerializer
from marshmallow import ValidationError, fields

from .fields import INT_MAX

# The sort key of each list: (state_entered_at or created_at, id), or (seq,).
KEYS: dict[str, tuple[type, ...]] = {
    "proposals": (datetime, int),
    "queue": (datetime, int),
    "history": (int,),
    "messages": (int,),
    "notifications": (int,),
}
MAX_LENGTH = 200
INVALID = _l("This cursor is not valid for this list: follow the next link of a page, or leave "
             "the cursor out to start from the first page.")


def _serializer(kind: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=f"promtel_fin.cursor.{kind}")


def encode_cursor(kind: str, key: tuple[Any, ...]) -> str:
    """Give the opaque cursor that continues the list ``kind`` after the row with ``key``."""
    return _serializer(kind).dumps([v.isoformat() if isinstance(v, datetime) else v
                                    for v in key])


def decode_cursor(kind: str, cursor: str) -> tuple[Any, ...]:
    """Give the key a cursor of the list ``kind`` carries; raise ValueError for any other."""
    if len(cursor) > MAX_LENGTH:
        raise ValueError("cursor too long")
    try:
        raw = _serializer(kind).loads(cursor)
    except BadData as error:
        raise ValueError("bad cursor") from error
    types = KEYS[kind]
    if not isinstance(raw, list) or len(raw) != len(types):
        raise ValueError("bad cursor shape")
    key: list[Any] = []
    for value, kind_of in zip(raw, types, strict=True):
        if kind_of is int:
            if type(value) is not int or not 0 <= value <= INT_MAX:
                raise ValueError("bad cursor id")
            key.append(value)
            continue
        if not isinstance(value, str):
            raise ValueError("bad cursor moment")
        try:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                raise ValueError("naive moment")
            key.append(moment.astimezone(UTC))
        except (ValueError, OverflowError) as error:
            raise ValueError("bad cursor moment") from error
    return tuple(key)


class Cursor(fields.String):
    """A query parameter holding a cursor of one list; loads as the key it carries."""

    def __init__(self, kind: str, **kwargs: Any):
        self.kind = kind
        kwargs.setdefault("metadata", {}).update({
            "description": "Opaque: where the previous page ended. Take it from that page's "
                           "`next` link; leave it out for the first page.",
            "maxLength": MAX_LENGTH})
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> tuple[Any, ...]:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return decode_cursor(self.kind, text)
        except ValueError:
            raise ValidationError(str(INVALID)) from None
