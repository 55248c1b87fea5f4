"""Schemas of proposals, workflow actions, history, revisions and lists."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from ..domain.policy import METHODS
from ..domain.proposal import GUARANTEE_KINDS, SOCIAL_SITE_KINDS, TECHNOLOGIES
from ..domain.workflow import OPINIONS, Action, State
from .common import STATE_CODES, QuerySchema, StrictSchema
from .fields import (
    MAX_CERTIFICATE_BYTES,
    MAX_SIGNATURE_BYTES,
    Base64Bytes,
    Money,
    MoneyOut,
    Rate,
    Text,
    choice,
    digits,
    whole,
)
from .paging import Cursor
from .people import CompanyOut, UserOut


class LocalityIn(StrictSchema):
    name = Text(200, required=True, min_length=1)
    inegi_key = digits(9, _l("The INEGI locality key has 9 digits."), load_default=None,
                       allow_none=True)
    population = whole(0, 50_000_000, load_default=None, allow_none=True)
    priority_zone = fields.Boolean(load_default=False)


class SocialSiteIn(StrictSchema):
    kind = choice(SOCIAL_SITE_KINDS, required=True)
    name = Text(200, required=True, min_length=1)
    locality = Text(200, load_default=None, allow_none=True)


class GuaranteeIn(StrictSchema):
    kind = choice(GUARANTEE_KINDS, required=True)
    description = Text(2000, load_default="")
    value = Money(required=True, strictly_positive=True)


class CreditHistoryIn(StrictSchema):
    bureau_score = whole(300, 900, load_default=None, allow_none=True)
    report_date = fields.Date(load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=False)   # every error in one answer, not in rounds
    def _not_in_future(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("report_date") and data["report_date"] > date.today():
            raise ValidationError(_("The report date cannot be in the future."), "report_date")


class CashFlowIn(StrictSchema):
    year = whole(1, 5, required=True)
    revenue = Money(required=True)
    opex = Money(required=True)
    capex = Money(required=True)
    taxes = Money(required=True)


class ProposalIn(StrictSchema):
    """A proposal draft; only the title is needed to start, the rest before submitting."""

    title = Text(200, required=True, min_length=3)
    summary = Text(5000)
    technology = choice(TECHNOLOGIES, allow_none=True)
    localities = fields.List(fields.Nested(LocalityIn), validate=validate.Length(
        max=500, error=_l("At most {max} items.")))
    social_sites = fields.List(fields.Nested(SocialSiteIn), validate=validate.Length(
        max=500, error=_l("At most {max} items.")))
    requested_amount = Money(strictly_positive=True, allow_none=True)
    term_months = whole(1, 600, allow_none=True)
    grace_months = whole(0, 600, allow_none=True)
    amortization_method = choice(METHODS, allow_none=True)
    guarantees = fields.List(fields.Nested(GuaranteeIn), validate=validate.Length(
        max=100, error=_l("At most {max} items.")))
    credit_history = fields.Nested(CreditHistoryIn, allow_none=True)
    cash_flows = fields.List(fields.Nested(CashFlowIn), validate=validate.Length(
        max=5, error=_l("At most {max} items.")))

    @validates_schema
    def _years_once(self, data: dict[str, Any], **_kwargs: Any) -> None:
        # After the fields' own checks: its message would sit beside a flow's own errors.
        years = [flow["year"] for flow in data.get("cash_flows") or []]
        if len(years) != len(set(years)):
            raise ValidationError(_("Each year (1 to 5) may appear only once."), "cash_flows")

    @validates_schema(skip_on_field_errors=False)   # every error in one answer, not in rounds
    def _grace_within_term(self, data: dict[str, Any], **_kwargs: Any) -> None:
        # Both fields are in ``data`` only when each passed its own checks.
        term, grace = data.get("term_months"), data.get("grace_months")
        if term is not None and grace is not None and grace >= term:
            raise ValidationError(_("The grace period must be shorter than the term."),
                                  "grace_months")


class ProposalPatch(ProposalIn):
    """Changes to a draft; lists replace the whole list. ``version`` is the one you loaded."""

    title = Text(200, min_length=3)
    version = whole(1, required=True)


class TermsIn(StrictSchema):
    amount = Money(required=True, strictly_positive=True)
    annual_rate = Rate(required=True)
    vat_rate = Rate(required=True)
    term_months = whole(1, 600, required=True)
    grace_months = whole(0, 600, required=True)
    method = choice(METHODS, required=True)


class TransitionIn(StrictSchema):
    action = choice(tuple(a.value for a in Action), required=True)
    version = whole(1, required=True)
    comment = Text(5000, load_default="")
    reason = Text(5000, load_default=None)
    opinion = choice(OPINIONS, load_default=None)
    terms = fields.Nested(TermsIn, load_default=None)
    reviewer_id = whole(1, load_default=None)
    terms_sha256 = fields.String(load_default=None, validate=validate.Regexp(
        r"^[0-9a-f]{64}$", error=_l("Must be 64 lowercase hexadecimal characters.")))
    certificate = Base64Bytes(MAX_CERTIFICATE_BYTES, load_default=None, metadata={
        "description": "sign: base64 of your e.firma certificate (the .cer file, DER)"})
    signature = Base64Bytes(MAX_SIGNATURE_BYTES, load_default=None, metadata={
        "description": "sign: base64 of the RSA PKCS#1 v1.5 SHA-256 signature, made with your "
                       "e.firma's key, of the UTF-8 bytes of the agreement's cadena_original "
                       "(GET /proposals/{id}/agreement)"})


class LocalityOut(Schema):
    name = fields.String()
    inegi_key = fields.String(allow_none=True)
    population = fields.Integer(allow_none=True)
    priority_zone = fields.Boolean()


class SocialSiteOut(Schema):
    kind = fields.String()
    name = fields.String()
    locality = fields.String(allow_none=True)


class GuaranteeOut(Schema):
    kind = fields.String()
    description = fields.String()
    value = MoneyOut()


class CashFlowOut(Schema):
    year = fields.Integer()
    revenue = MoneyOut()
    opex = MoneyOut()
    capex = MoneyOut()
    taxes = MoneyOut()


class CreditHistoryOut(Schema):
    bureau_score = fields.Integer(allow_none=True)
    report_date = fields.String(allow_none=True, metadata={"format": "date"})


# Approved terms are answered verbatim (not through a schema) so that terms_sha256 can be
# recomputed from them; this documents their canonical form (services.workflow.normalize_terms).
APPROVED_TERMS = {"type": "object", "properties": {
    "amount": {"type": "string", "pattern": r"^[0-9]+\.[0-9]{2}$",
               "description": "pesos, two decimals"},
    "annual_rate": {"type": "string", "description": "a decimal without trailing zeros"},
    "vat_rate": {"type": "string", "description": "a decimal without trailing zeros"},
    "term_months": {"type": "integer"},
    "grace_months": {"type": "integer"},
    "method": {"type": "string"},
}}


class SignatureOut(Schema):
    party = fields.String()
    user_id = fields.Integer()
    terms_sha256 = fields.String()
    signed_at = fields.DateTime()
    certificate_number = fields.String(allow_none=True, metadata={
        "description": "the SAT number of the e.firma certificate it was signed with"})
    rfc = fields.String(allow_none=True)


class AgreementSignatureOut(Schema):
    party = fields.String(metadata={"enum": ["sme", "focir"]})
    name = fields.String(allow_none=True, metadata={"description": "as the certificate names"})
    rfc = fields.String(allow_none=True)
    curp = fields.String(allow_none=True)
    certificate_number = fields.String(allow_none=True, metadata={
        "description": "the SAT certificate number (the serial read as ASCII)"})
    signed_at = fields.DateTime()
    signature_sha256 = fields.String(allow_none=True)


class AgreementOut(Schema):
    proposal_id = fields.Integer()
    folio = fields.String()
    cadena_original = fields.String(metadata={
        "description": "the agreement's canonical UTF-8 text that each party signs"})
    sha256 = fields.String(metadata={"description": "SHA-256 of cadena_original's UTF-8 bytes"})
    signatures = fields.List(fields.Nested(AgreementSignatureOut))


class PendingDecisionOut(Schema):
    action = fields.String(metadata={"enum": ["approve", "reject"]})
    by = fields.Nested(UserOut, metadata={"description": "the FOCIR officer who proposed it"})
    terms = fields.Dict(allow_none=True, metadata={**APPROVED_TERMS,
                                                   "description": "approve: the terms proposed"})
    reason = fields.String(allow_none=True, metadata={"description": "reject: the reason"})
    at = fields.DateTime()


class ProposalSummary(Schema):
    id = fields.Integer()
    folio = fields.String(metadata={"description": "PF-YYYY-NNNNN: year of creation, sequence",
                                    "example": "PF-2026-00042"})
    title = fields.String()
    company = fields.Nested(CompanyOut)
    technology = fields.String(allow_none=True)
    requested_amount = MoneyOut(allow_none=True)
    state = fields.String(metadata={"enum": [s.value for s in State]})
    step = fields.Integer(allow_none=True, metadata={"description": "1-10, null when final"})
    version = fields.Integer()
    waiting_on = fields.List(fields.String())
    allowed_actions = fields.List(fields.String())
    days_waiting = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ProposalOut(ProposalSummary):
    summary = fields.String()
    localities = fields.List(fields.Nested(LocalityOut))
    social_sites = fields.List(fields.Nested(SocialSiteOut))
    term_months = fields.Integer(allow_none=True)
    grace_months = fields.Integer(allow_none=True)
    amortization_method = fields.String(allow_none=True)
    guarantees = fields.List(fields.Nested(GuaranteeOut))
    credit_history = fields.Nested(CreditHistoryOut)
    cash_flows = fields.List(fields.Nested(CashFlowOut))
    can_edit = fields.Boolean()
    missing = fields.List(fields.String(), metadata={
        "description": "what must change before it can be submitted: what the draft lacks, "
                       "and amounts, terms or grace outside the policy's limits"})
    warnings = fields.List(fields.String(), metadata={
        "description": "points for reviewers, e.g. an RFC check digit that does not match"})
    assigned_reviewer = fields.Nested(UserOut, allow_none=True)
    presented_at = fields.DateTime(allow_none=True)
    opinion = fields.String(allow_none=True)
    approved_terms = fields.Dict(allow_none=True, metadata={
        **APPROVED_TERMS, "description": "exactly as approved and hashed into terms_sha256 "
                                         "(canonical_json of {proposal_id, terms})"})
    terms_sha256 = fields.String(allow_none=True)
    policy_snapshot = fields.Dict(allow_none=True, metadata={
        "description": "the policy the approval was taken under, exactly as recorded "
                       "(decimals as strings)"})
    signatures = fields.List(fields.Nested(SignatureOut))
    pending_decision = fields.Nested(PendingDecisionOut, allow_none=True, metadata={
        "description": "a FOCIR decision at step 9 awaiting a different officer's "
                       "confirm_decision or return_decision (four eyes); null when none"})


NEXT = ("The full relative URL of the next page (the same filters and page size, and a "
        "cursor where this page ends), or null on the last page. Lists carry no total count: "
        "follow next until it is null.")


class Page(Schema):
    """One page of a list read by keyset; there is no total: follow ``next`` until null."""

    page_size = fields.Integer()
    next = fields.String(allow_none=True, metadata={"description": NEXT})
    items = fields.List(fields.Nested(ProposalSummary))


class PagedArgs(QuerySchema):
    """``page`` (an offset) is gone: pages follow each other by cursor, which costs the same at
    any depth; a ``page`` parameter is answered with how to page now rather than ignored."""

    @pre_load
    def _no_offset_pages(self, data: Any, **_kwargs: Any) -> Any:
        if isinstance(data, Mapping) and "page" in data:
            raise ValidationError(_("Pages are no longer numbered: follow the next link of each "
                                    "page (its cursor parameter)."), "page")
        return data


class ListArgs(PagedArgs):
    page_size = whole(1, 100, strict=False, load_default=20)
    state = choice(tuple(s.value for s in State), load_default=None)
    step = whole(1, 10, strict=False, load_default=None)
    state_code = choice(STATE_CODES, load_default=None)
    technology = choice(TECHNOLOGIES, load_default=None)
    created_from = fields.Date(load_default=None)
    created_to = fields.Date(load_default=None)
    min_amount = Money(load_default=None)
    max_amount = Money(load_default=None)
    q = Text(100, min_length=1, load_default=None, metadata={
        "description": "A folio (PF-2026-00042, however typed), or text found in the title, "
                       "the company's legal name or its RFC"})
    overdue = fields.Boolean(load_default=None, metadata={
        "description": "true: only proposals past their step's due date (the policy's "
                       "service level in working days); false: only the others"})
    assigned_to = whole(1, strict=False, load_default=None, metadata={
        "description": "only proposals whose assigned PROMTEL reviewer is this user id"})
    cursor = Cursor("proposals", load_default=None)


class QueueArgs(ListArgs):
    cursor = Cursor("queue", load_default=None)


class QueueItem(ProposalSummary):
    due_date = fields.Date(allow_none=True, metadata={
        "description": "the last day to act at this step: the policy's service level in "
                       "working days (Mexico's federal holidays excepted), Mexico City's "
                       "calendar"})
    overdue = fields.Boolean(metadata={"description": "true once the due date has passed"})


class QueuePage(Page):
    items = fields.List(fields.Nested(QueueItem))


class HistoryOut(Schema):
    seq = fields.Integer()
    actor = fields.Nested(UserOut)
    actor_role = fields.String()
    action = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String()
    comment = fields.String()
    payload = fields.Dict()
    revision_number = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    prev_hash = fields.String()
    hash = fields.String()


class MessageIn(StrictSchema):
    body = Text(5000, required=True, min_length=1, metadata={
        "description": "1 to 5,000 characters (after trimming spaces at both ends)"})


class MessageOut(Schema):
    id = fields.Integer()
    proposal_id = fields.Integer()
    author = fields.Nested(UserOut)
    author_role = fields.String()
    body = fields.String()
    body_sha256 = fields.String(metadata={"description": "recorded in the history entry"})
    created_at = fields.DateTime()


class MessageArgs(PagedArgs):
    page_size = whole(1, 100, strict=False, load_default=100)
    cursor = Cursor("messages", load_default=None)


class MessagePage(Page):
    """One page of a proposal's messages, oldest first."""

    items = fields.List(fields.Nested(MessageOut))


class HistoryArgs(PagedArgs):
    page_size = whole(1, 100, strict=False, load_default=100)
    cursor = Cursor("history", load_default=None)


class HistoryPage(Page):
    """One page of a proposal's history, oldest first."""

    items = fields.List(fields.Nested(HistoryOut))


class RevisionSummary(Schema):
    number = fields.Integer()
    action = fields.String()
    created_at = fields.DateTime()
    created_by_id = fields.Integer()
    document_sha256 = fields.String()


class RevisionOut(RevisionSummary):
    document = fields.Dict()


class CompareArgs(QuerySchema):
    before = whole(1, strict=False, required=True, data_key="from")
    after = whole(1, strict=False, required=True, data_key="to")


class ChangeOut(Schema):
    field = fields.String()
    change = fields.String()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)


class CompareOut(Schema):
    proposal_id = fields.Integer()
    before = fields.Integer(data_key="from")
    after = fields.Integer(data_key="to")
    changes = fields.List(fields.Nested(ChangeOut))
