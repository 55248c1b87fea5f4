"""Base schemas shared by the API's request and response schemas."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema

STATE_CODES = tuple(f"{n:02d}" for n in range(1, 33))


class StrictSchema(Schema):
    """Refuses unknown fields, so a typo is reported instead of silently ignored."""


class QuerySchema(Schema):
    """Query strings may carry other parameters (lang, ...); unknown ones are ignored."""

    class Meta:
        unknown = EXCLUDE
