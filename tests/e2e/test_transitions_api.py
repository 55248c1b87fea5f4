"""Workflow actions over HTTP: 403, 409 and 422 say what went wrong, in the user's language."""

from __future__ import annotations

import pytest

from promtel_fin.domain.workflow import Role, State

from ..factories import TERMS, Factory
from .conftest import ApiClient


@pytest.mark.parametrize(("role", "action", "status"), [
    (Role.SME, "verify", 403),            # an SME never verifies
    (Role.FOCIR, "verify", 404),          # FOCIR does not see it before presentation
    (Role.ADMIN, "verify", 403),          # administrators manage people, not proposals
    (Role.PROMTEL, "approve", 403),
    (Role.PROMTEL, "verify", 200),
    (Role.PROMTEL, "acknowledge_contact", 409),  # does not leave promtel_verification
    (Role.PROMTEL, "give_opinion", 409),
])
def test_actions_at_verification_by_each_role(api: ApiClient, make: Factory, role: Role,
                                              action: str, status: int) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_VERIFICATION)
    r = api.act(proposal.id, cast[role], action, comment="c", reason="r")
    assert r.status_code == status, r.json


def test_an_sme_cannot_verify_its_own_proposal_and_is_told_why(api: ApiClient,
                                                                make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_VERIFICATION)
    r = api.act(proposal.id, cast[Role.SME], "verify")
    assert r.status_code == 403
    assert r.json["message"] == "El rol sme no puede realizar la acción verify."
    r = api.act(proposal.id, cast[Role.SME], "verify", lang="en")
    assert r.json["message"] == "The role sme cannot take the action verify."


def test_a_failed_check_lists_every_reason(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.FOCIR_DECISION)
    r = api.act(proposal.id, cast[Role.FOCIR], "approve",
                terms={**TERMS, "amount": "15000000.00", "annual_rate": "0.12",
                       "term_months": 60, "grace_months": 12})
    assert r.status_code == 422, r.json
    codes = [reason["code"] for reason in r.json["errors"]["reasons"]]
    assert codes == ["amount_over_limit", "rate_not_policy", "term_out_of_range",
                     "grace_out_of_range"]
    assert "15,000,000.00" in r.json["errors"]["fields"]["terms.amount"][0]
    assert api.get(f"/proposals/{proposal.id}", cast[Role.FOCIR]).json["state"] == (
        "focir_decision")


def test_submitting_an_incomplete_proposal_names_what_is_missing(api: ApiClient,
                                                                 make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROPOSAL, localities=[], cash_flows=[])
    r = api.act(proposal.id, cast[Role.SME], "submit_proposal")
    assert r.status_code == 422
    assert set(r.json["errors"]["fields"]) == {"localities", "cash_flows"}
    assert api.get(f"/proposals/{proposal.id}/revisions", cast[Role.SME]).json == []


def test_a_stale_version_is_a_conflict(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_VERIFICATION)
    r = api.post(f"/proposals/{proposal.id}/transitions", cast[Role.PROMTEL],
                 json={"action": "verify", "version": proposal.version - 1})
    assert r.status_code == 409
    assert r.json["errors"]["reasons"][0]["code"] == "stale_version"


def test_acknowledging_contact_assigns_the_chosen_reviewer(api: ApiClient,
                                                           make: Factory) -> None:
    cast = make.cast()
    colleague = make.user(Role.PROMTEL)
    proposal = make.proposal(cast)
    r = api.act(proposal.id, cast[Role.PROMTEL], "acknowledge_contact", reviewer_id=colleague.id)
    assert r.json["assigned_reviewer"]["id"] == colleague.id
    other = make.proposal(cast)
    bad = api.act(other.id, cast[Role.PROMTEL], "acknowledge_contact",
                  reviewer_id=cast[Role.FOCIR].id)
    assert bad.status_code == 422
    assert bad.json["errors"]["reasons"][0]["code"] == "reviewer_invalid"


def test_signing_needs_the_hash_of_the_approved_terms(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.AGREEMENT)
    wrong = api.act(proposal.id, cast[Role.SME], "sign", terms_sha256="0" * 64)
    assert wrong.status_code == 422
    assert wrong.json["errors"]["reasons"][0]["code"] == "terms_hash_mismatch"
    right = api.act(proposal.id, cast[Role.SME], "sign", terms_sha256=proposal.terms_sha256)
    assert right.status_code == 200
    assert right.json["signatures"][0]["terms_sha256"] == proposal.terms_sha256


def test_the_terms_hash_covers_the_proposal_and_its_terms(make: Factory) -> None:
    from promtel_fin.services.workflow import normalize_terms, terms_digest

    terms = normalize_terms(TERMS)
    assert terms_digest(1, terms) != terms_digest(2, terms)
    assert terms_digest(1, terms) != terms_digest(1, {**terms, "amount": "4500000.01"})
    assert normalize_terms({**TERMS, "annual_rate": "0.100"}) == terms


def test_an_unknown_action_is_refused_as_bad_input(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast)
    r = api.post(f"/proposals/{proposal.id}/transitions", cast[Role.PROMTEL],
                 json={"action": "teleport", "version": proposal.version})
    assert r.status_code == 422
    assert "action" in r.json["errors"]
