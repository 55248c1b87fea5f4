"""Turn proposals into the documents the API answers (and the pages show)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ..domain.identifiers import rfc_problems
from ..domain.proposal import completeness_problems
from ..domain.workflow import Role
from ..i18n import say
from ..models import Proposal, User
from ..services.proposals import document, status


def summary(proposal: Proposal, user: User) -> dict[str, Any]:
    """Give a proposal's list-level view for this user."""
    return {
        "id": proposal.id,
        "title": proposal.title,
        "company": proposal.company,
        "technology": proposal.technology,
        "requested_amount": proposal.requested_amount,
        "version": proposal.version,
        "created_at": proposal.created_at,
        "updated_at": proposal.updated_at,
        **asdict(status(proposal, user)),
    }


def detail(proposal: Proposal, user: User) -> dict[str, Any]:
    """Give a proposal's full view for this user, with what it lacks and reviewers' warnings."""
    doc = document(proposal)
    warnings = []
    if Role(user.role) != Role.SME:
        _errors, rfc_warnings = rfc_problems(proposal.company.rfc)
        warnings = [say(w) for w in rfc_warnings]
    return {
        **doc,
        **summary(proposal, user),
        "missing": [say(r) for r in completeness_problems(doc)],
        "warnings": warnings,
        "assigned_reviewer": proposal.assigned_reviewer,
        "presented_at": proposal.presented_at,
        "opinion": proposal.opinion,
        "approved_terms": proposal.approved_terms,
        "terms_sha256": proposal.terms_sha256,
        "policy_snapshot": proposal.policy_snapshot,
        "signatures": proposal.signatures,
    }
