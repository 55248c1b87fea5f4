"""Marshmallow schemas of the JSON API: what comes in is checked, what goes out is documented."""

from .common import STATE_CODES, QuerySchema, StrictSchema
from .people import (
    CompanyIn,
    CompanyOut,
    RegistrationIn,
    RegistrationOut,
    TokenOut,
    TokenRequest,
    UserOut,
)
from .proposals import (
    CashFlowIn,
    CompareArgs,
    CompareOut,
    CreditHistoryIn,
    GuaranteeIn,
    HistoryOut,
    ListArgs,
    LocalityIn,
    Page,
    ProposalIn,
    ProposalOut,
    ProposalPatch,
    ProposalSummary,
    QueuePage,
    RevisionOut,
    RevisionSummary,
    SocialSiteIn,
    TermsIn,
    TransitionIn,
)

__all__ = [
    "STATE_CODES", "CashFlowIn", "CompanyIn", "CompanyOut", "CompareArgs", "CompareOut",
    "CreditHistoryIn", "GuaranteeIn", "HistoryOut", "ListArgs", "LocalityIn", "Page",
    "ProposalIn", "ProposalOut", "ProposalPatch", "ProposalSummary", "QuerySchema", "QueuePage",
    "RegistrationIn", "RegistrationOut", "RevisionOut", "RevisionSummary", "SocialSiteIn",
    "StrictSchema", "TermsIn", "TokenOut", "TokenRequest", "TransitionIn", "UserOut",
]
