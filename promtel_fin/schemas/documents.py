"""Schemas of a proposal's documents, their checklist, reviews, and the checklist in the policy."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate

from ..domain.documents import ACCEPTED_TYPES, DECISIONS, MISSING, PENDING, REJECTED
from ..domain.policy import UPLOADERS
from ..domain.workflow import Action
from .common import StrictSchema
from .fields import Text, choice

ACTIONS = tuple(a.value for a in Action)
STATUSES = (MISSING, PENDING, "accepted", REJECTED)


class DocumentOut(Schema):
    """One uploaded file; ``filename`` is the client's name cleaned for display."""

    id = fields.Integer()
    kind = fields.String()
    filename = fields.String()
    size = fields.Integer(metadata={"description": "bytes"})
    sha256 = fields.String(metadata={"description": "SHA-256 of the file, hex"})
    content_type = fields.String(metadata={"enum": list(ACCEPTED_TYPES),
                                           "description": "decided by the content"})
    status = fields.String(metadata={"enum": [PENDING, "accepted", REJECTED]})
    reason = fields.String(metadata={"description": "the reviewer's reason (of a rejection)"})
    uploaded_at = fields.DateTime()
    supersedes = fields.Integer(allow_none=True, metadata={
        "description": "the document of the same kind this upload replaced"})
    superseded_by = fields.Integer(allow_none=True, metadata={
        "description": "the later upload that replaced this one (null: it is current)"})
    current = fields.Boolean(metadata={"description": "not superseded"})
    reviewed_at = fields.DateTime(allow_none=True)


class ChecklistEntryOut(Schema):
    """One kind of document of the policy's checklist, and where it stands for the proposal."""

    kind = fields.String()
    label = fields.String(metadata={"description": "in the request's language"})
    required_for = fields.List(fields.String(), metadata={
        "description": "actions refused while it is missing or rejected"})
    optional_for = fields.List(fields.String(), metadata={
        "description": "actions it supports without holding them up"})
    uploaded_by = fields.String(metadata={"enum": list(UPLOADERS)})
    max_age_days = fields.Integer(allow_none=True, metadata={
        "description": "for a dated document (the credit bureau report): the most days old it "
                       "may be when the SME submits (the policy's credit_report_max_age_days)"})
    expired = fields.Boolean(metadata={"description": "older than max_age_days"})
    status = fields.String(metadata={"enum": list(STATUSES)})
    document_id = fields.Integer(allow_none=True, metadata={
        "description": "the current document of this kind"})


class DocumentsOut(Schema):
    checklist = fields.List(fields.Nested(ChecklistEntryOut))
    items = fields.List(fields.Nested(DocumentOut), metadata={
        "description": "every document uploaded, oldest first, superseded ones included"})


class ReviewIn(StrictSchema):
    decision = choice(DECISIONS, required=True)
    reason = Text(2000, load_default="", metadata={
        "description": "required to reject; the company reads it"})


UPLOAD_FORM = {
    "required": True,
    "content": {"multipart/form-data": {
        "schema": {
            "type": "object", "required": ["kind", "file"],
            "properties": {
                "kind": {"type": "string", "description": "a kind of the policy's checklist "
                                                          "(GET …/documents lists them)"},
                "file": {"type": "string", "format": "binary",
                         "description": "PDF, JPEG, PNG or XLSX (decided by the content), at "
                                        "most MAX_DOCUMENT_BYTES (10 MB by default)"},
            },
        },
    }},
}


# ---- the checklist in the policy -----------------------------------------------------------

class LabelsIn(StrictSchema):
    es = Text(200, required=True, min_length=1)
    en = Text(200, required=True, min_length=1)


class ChecklistItemIn(StrictSchema):
    kind = fields.String(required=True, validate=validate.Regexp(
        r"^[a-z][a-z0-9_]{1,39}$",
        error=_l("2 to 40 lowercase letters, digits or underscores, starting with a letter.")))
    labels = fields.Nested(LabelsIn, required=True)
    required_for = fields.List(choice(ACTIONS), load_default=list)
    optional_for = fields.List(choice(ACTIONS), load_default=list)
    uploaded_by = choice(UPLOADERS, load_default="sme")
    dated = fields.Boolean(load_default=False, metadata={
        "description": "at most credit_report_max_age_days old when the SME submits"})


def _unique_kinds(items: list[dict[str, Any]]) -> None:
    kinds = [item["kind"] for item in items]
    if len(kinds) != len(set(kinds)):
        raise ValidationError(_l("Each kind may appear only once."))


class ChecklistField(fields.List):
    """The whole checklist: replaces the one in force."""

    def __init__(self, **kwargs: Any):
        super().__init__(fields.Nested(ChecklistItemIn), validate=[
            validate.Length(max=60, error=_l("At most {max} items.")), _unique_kinds],
            **kwargs)


class LabelsOut(Schema):
    es = fields.String()
    en = fields.String()


class ChecklistItemOut(Schema):
    kind = fields.String()
    labels = fields.Nested(LabelsOut)
    required_for = fields.List(fields.String())
    optional_for = fields.List(fields.String())
    uploaded_by = fields.String()
    dated = fields.Boolean()

