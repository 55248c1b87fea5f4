"""Turn proposals into the documents the API answers (and the pages show).

Lists (the proposal list, the queue, a history) are written here directly in their answer's
shape: ``summary_answer`` and ``history_answer`` give exactly what the ``ProposalSummary`` and
``HistoryOut`` schemas would dump (a test compares them), at a fraction of the cost: dumping
a page of 20 proposals through marshmallow cost about a third of the list's time in the worker.
The schemas still document those answers.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from flask_babel import gettext

from ..domain.eligibility import Check
from ..domain.errors import Reason
from ..domain.identifiers import rfc_problems
from ..domain.loan import Schedule
from ..domain.viability import Metrics
from ..domain.workflow import Role
from ..i18n import say
from ..models import Company, HistoryEntry, Proposal, User
from ..schemas.fields import fixed
from ..services.deadlines import Deadline
from ..services.proposals import document, status


def summary(proposal: Proposal, user: User) -> dict[str, Any]:
    """Give a proposal's list-level view for this user."""
    return {
        "id": proposal.id,
        "folio": proposal.folio,
        "title": proposal.title,
        "company": proposal.company,
        "technology": proposal.technology,
        "requested_amount": proposal.requested_amount,
        "version": proposal.version,
        "created_at": proposal.created_at,
        "updated_at": proposal.updated_at,
        **vars(status(proposal, user)),   # shallow: asdict would deep-copy every list
    }


def deadline(due: Deadline | None) -> dict[str, Any]:
    """Give a queue item's deadline fields: the last day to act at its step, and whether it
    has passed (Mexico City's calendar, working days)."""
    return {"due_date": due.due_date.isoformat() if due else None,
            "overdue": bool(due and due.overdue)}


def _moment(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _company(company: Company) -> dict[str, Any]:
    """CompanyOut's dump."""
    return {"id": company.id, "legal_name": company.legal_name, "rfc": company.rfc,
            "ift_registration": company.ift_registration, "state_code": company.state_code,
            "municipality_key": company.municipality_key}


def person(user: User | None) -> dict[str, Any] | None:
    """UserOut's dump."""
    if user is None:
        return None
    return {"id": user.id, "email": user.email, "name": user.name, "role": user.role,
            "company_id": user.company_id}


def summary_answer(proposal: Proposal, user: User, now: datetime | None = None
                   ) -> dict[str, Any]:
    """Give a proposal's list-level view as ProposalSummary dumps it (money as a string with
    two decimals, moments in ISO 8601)."""
    where = status(proposal, user, now)
    return {
        "id": proposal.id,
        "folio": proposal.folio,
        "title": proposal.title,
        "company": _company(proposal.company),
        "technology": proposal.technology,
        "requested_amount": fixed(proposal.requested_amount, 2),
        "state": where.state,
        "step": where.step,
        "version": proposal.version,
        "waiting_on": where.waiting_on,
        "allowed_actions": where.allowed_actions,
        "days_waiting": where.days_waiting,
        "created_at": _moment(proposal.created_at),
        "updated_at": _moment(proposal.updated_at),
    }


def history_answer(entry: HistoryEntry) -> dict[str, Any]:
    """Give a history entry as HistoryOut dumps it."""
    return {
        "seq": entry.seq,
        "actor": person(entry.actor),
        "actor_role": entry.actor_role,
        "action": entry.action,
        "from_state": entry.from_state,
        "to_state": entry.to_state,
        "comment": entry.comment,
        "payload": None if entry.payload is None else dict(entry.payload),
        "revision_number": entry.revision_number,
        "created_at": _moment(entry.created_at),
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def detail(proposal: Proposal, user: User, missing: list[Reason]) -> dict[str, Any]:
    """Give a proposal's full view for this user, with what it lacks and reviewers' warnings."""
    doc = document(proposal)
    warnings = []
    if Role(user.role) != Role.SME:
        _errors, rfc_warnings = rfc_problems(proposal.company.rfc)
        warnings = [say(w) for w in rfc_warnings]
    return {
        **doc,
        **summary(proposal, user),
        "missing": [say(r) for r in missing],
        "warnings": warnings,
        "assigned_reviewer": proposal.assigned_reviewer,
        "presented_at": proposal.presented_at,
        "opinion": proposal.opinion,
        "approved_terms": proposal.approved_terms,
        "terms_sha256": proposal.terms_sha256,
        "policy_snapshot": proposal.policy_snapshot,
        "signatures": proposal.signatures,
        "pending_decision": pending_decision(proposal),
    }


def pending_decision(proposal: Proposal) -> dict[str, Any] | None:
    """Give the FOCIR decision awaiting a second officer, or None."""
    if proposal.pending_action is None:
        return None
    return {"action": proposal.pending_action, "by": proposal.pending_by,
            "terms": proposal.pending_terms, "reason": proposal.pending_reason,
            "at": proposal.pending_at}


def schedule_document(plan: Schedule) -> dict[str, Any]:
    """Give a schedule as the API answers it (ScheduleOut writes the numbers by the rule)."""
    return {"terms": asdict(plan.terms), "installment": plan.installment,
            "schedule": [asdict(r) for r in plan.rows], "totals": asdict(plan.totals)}


def metrics_document(metrics: Metrics) -> dict[str, Any]:
    """Give the viability figures unrounded (MetricsOut rounds them), with a note on the IRR."""
    doc = asdict(metrics)
    doc["irr_note"] = (gettext("The cash flows change sign more than once, so the IRR may not "
                               "be unique; rely on the MIRR.")
                       if metrics.irr_may_not_be_unique else
                       gettext("No IRR exists for these cash flows.") if metrics.irr is None
                       else None)
    return doc


def checks_document(checks: list[Check], policy_effective: dict[str, Any]) -> dict[str, Any]:
    """Give the eligibility results, each with its reason in the user's language."""
    results = [{"code": c.code, "result": c.result,
                "reason": gettext(c.template).format(**c.params)} for c in checks]
    summary = {kind: sum(1 for c in checks if c.result == kind)
               for kind in ("pass", "fail", "review")}
    return {"checks": results, "summary": summary, "policy_effective": policy_effective}
