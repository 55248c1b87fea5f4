"""Schemas of sign-in, users, companies and registration."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..domain.identifiers import curp_problems, normalize_rfc, rfc_problems
from ..i18n import say
from .common import STATE_CODES, StrictSchema
from .fields import Text, choice, digits


class TokenRequest(StrictSchema):
    email = Text(254, required=True, min_length=3)
    password = fields.String(required=True, validate=validate.Length(max=1000))


class UserOut(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.String()
    company_id = fields.Integer(allow_none=True)


class TokenOut(Schema):
    token = fields.String()
    expires_at = fields.DateTime()
    user = fields.Nested(UserOut)


class CompanyIn(StrictSchema):
    legal_name = Text(200, required=True, min_length=2)
    rfc = Text(20, required=True, min_length=12)
    ift_registration = Text(60, load_default=None)
    state_code = choice(STATE_CODES, required=True)
    municipality_key = digits(5, _l("The municipality key has 5 digits (state + municipality)."),
                              load_default=None)
    address = Text(1000, load_default=None)
    legal_rep_name = Text(200, load_default=None)
    legal_rep_curp = Text(18, load_default=None)
    contact_name = Text(200, load_default=None)
    contact_email = fields.Email(load_default=None, validate=validate.Length(max=254))
    contact_phone = Text(30, load_default=None)

    @validates_schema(skip_on_field_errors=False)   # report the RFC with every other error
    def _keys_agree(self, data: dict[str, Any], **_kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        key, state = data.get("municipality_key"), data.get("state_code")
        if key and state and not key.startswith(state):
            errors["municipality_key"] = [_("The municipality key must start with the state "
                                            "code {state}.").format(state=state)]
        if data.get("rfc"):
            rfc_errors, _warnings = rfc_problems(normalize_rfc(data["rfc"]))
            if rfc_errors:
                errors["rfc"] = [say(r) for r in rfc_errors]
        if data.get("legal_rep_curp"):
            problems = curp_problems(data["legal_rep_curp"])
            if problems:
                errors["legal_rep_curp"] = [say(p) for p in problems]
        if errors:
            raise ValidationError(errors)


class CompanyOut(Schema):
    id = fields.Integer()
    legal_name = fields.String()
    rfc = fields.String()
    ift_registration = fields.String(allow_none=True)
    state_code = fields.String(allow_none=True)
    municipality_key = fields.String(allow_none=True)


class RegistrationIn(StrictSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(max=1000))
    name = Text(200, load_default="")
    company = fields.Nested(CompanyIn, required=True)


class RegistrationOut(Schema):
    message = fields.String()


