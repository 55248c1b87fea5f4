"""Four eyes on FOCIR decisions over HTTP (issue 11 §5): pending, confirmed, returned, refused."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import text
from sqlalchemy.orm import Session

from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import Proposal
from promtel_fin.services.audit import verify
from promtel_fin.services.history import keyring

from ..factories import SECOND_FOCIR, TERMS, Factory
from .conftest import ApiClient
from .pages import post, sign_in


def _at_decision(make: Factory) -> tuple[dict, Proposal]:
    cast = make.cast()
    return cast, make.proposal(cast, at=State.FOCIR_DECISION)


def test_an_approval_waits_for_a_second_officer_who_applies_it(api: ApiClient,
                                                               make: Factory) -> None:
    cast, proposal = _at_decision(make)
    first, second = cast[Role.FOCIR], cast[SECOND_FOCIR]
    r = api.act(proposal.id, first, "approve", terms={**TERMS, "term_months": 36})
    assert r.status_code == 200, r.json
    body = r.json
    assert (body["state"], body["approved_terms"], body["terms_sha256"]) == (
        "focir_decision", None, None)
    pending = body["pending_decision"]
    assert set(pending) == {"action", "by", "terms", "reason", "at"}
    assert (pending["action"], pending["by"]["id"], pending["terms"]["term_months"],
            pending["reason"]) == ("approve", first.id, 36, None)
    assert body["allowed_actions"] == []            # the proposer may do nothing more
    assert body["waiting_on"] == ["focir"]
    seen = {who: api.get(f"/proposals/{proposal.id}", cast[who]).json
            for who in (SECOND_FOCIR, Role.SME, Role.PROMTEL)}
    assert seen[SECOND_FOCIR]["allowed_actions"] == ["confirm_decision", "return_decision"]
    assert seen[Role.SME]["allowed_actions"] == ["withdraw"]
    assert seen[Role.SME]["pending_decision"]["action"] == "approve"

    done = api.act(proposal.id, second, "confirm_decision")
    assert done.status_code == 200, done.json
    assert (done.json["state"], done.json["step"], done.json["pending_decision"]) == (
        "agreement", 10, None)
    assert done.json["approved_terms"]["term_months"] == 36
    assert len(done.json["terms_sha256"]) == 64
    history = api.get(f"/proposals/{proposal.id}/history", second).json["items"]
    approve, confirm = history[-2], history[-1]
    assert (approve["action"], approve["from_state"], approve["to_state"]) == (
        "approve", "focir_decision", "focir_decision")
    assert approve["actor"]["id"] == first.id and approve["payload"]["decision"] == "pending"
    assert (confirm["action"], confirm["to_state"], confirm["actor"]["id"]) == (
        "confirm_decision", "agreement", second.id)
    assert confirm["payload"]["proposed_by"] == first.id
    assert confirm["payload"]["terms_sha256"] == done.json["terms_sha256"]


def test_a_rejection_is_applied_only_when_confirmed_and_the_sme_reads_the_reason(
        api: ApiClient, make: Factory) -> None:
    cast, proposal = _at_decision(make)
    r = api.act(proposal.id, cast[Role.FOCIR], "reject", reason="Garantías insuficientes.")
    assert (r.status_code, r.json["state"]) == (200, "focir_decision")
    assert r.json["pending_decision"]["reason"] == "Garantías insuficientes."
    done = api.act(proposal.id, cast[SECOND_FOCIR], "confirm_decision")
    assert (done.status_code, done.json["state"]) == (200, "rejected")
    last = api.get(f"/proposals/{proposal.id}/history", cast[Role.SME]).json["items"][-1]
    assert (last["action"], last["comment"]) == ("confirm_decision", "Garantías insuficientes.")


def test_the_proposer_gets_403_on_confirm_and_on_return(api: ApiClient, make: Factory) -> None:
    cast, proposal = _at_decision(make)
    first = cast[Role.FOCIR]
    api.act(proposal.id, first, "approve", terms=TERMS)
    for action in ("confirm_decision", "return_decision"):
        r = api.act(proposal.id, first, action, comment="Me retracto.", lang="en")
        assert r.status_code == 403, r.json
        assert r.json["errors"]["reasons"][0]["code"] == "same_officer"
        assert "different FOCIR officer" in r.json["message"]
    for who in (Role.SME, Role.PROMTEL):
        assert api.act(proposal.id, cast[who], "confirm_decision").status_code == 403
    state = api.get(f"/proposals/{proposal.id}", first).json
    assert state["pending_decision"]["action"] == "approve"


def test_returning_discards_the_decision_and_a_new_one_can_be_taken(
        api: ApiClient, make: Factory, session: Session) -> None:
    cast, proposal = _at_decision(make)
    first, second = cast[Role.FOCIR], cast[SECOND_FOCIR]
    api.act(proposal.id, first, "approve", terms=TERMS)
    assert api.act(proposal.id, second, "return_decision").status_code == 422  # comment needed
    r = api.act(proposal.id, second, "return_decision", comment="Revisar el plazo.")
    assert r.status_code == 200, r.json
    assert (r.json["state"], r.json["pending_decision"], r.json["approved_terms"]) == (
        "focir_decision", None, None)
    assert r.json["allowed_actions"] == ["approve", "reject"]
    # now the second officer decides and the first one confirms
    assert api.act(proposal.id, second, "reject", reason="Sin viabilidad.").status_code == 200
    again = api.act(proposal.id, second, "approve", terms=TERMS)
    assert again.status_code == 409
    assert again.json["errors"]["reasons"][0]["code"] == "decision_pending"
    assert api.act(proposal.id, first, "confirm_decision").json["state"] == "rejected"
    history = api.get(f"/proposals/{proposal.id}/history", first).json["items"]
    assert [h["action"] for h in history[-4:]] == [
        "approve", "return_decision", "reject", "confirm_decision"]
    assert history[-3]["payload"]["decision"] == "approve"   # what was discarded
    session.expire_all()
    assert verify(session, keyring()).ok


def test_nothing_to_confirm_is_a_conflict(api: ApiClient, make: Factory) -> None:
    cast, proposal = _at_decision(make)
    r = api.act(proposal.id, cast[SECOND_FOCIR], "confirm_decision")
    assert r.status_code == 409
    assert r.json["errors"]["reasons"][0]["code"] == "no_pending_decision"


def test_audit_verify_ties_the_pending_decision_to_its_entry(
        make: Factory, session: Session, api: ApiClient) -> None:
    cast, proposal = _at_decision(make)
    pid, other = proposal.id, cast[SECOND_FOCIR].id
    api.act(pid, cast[Role.FOCIR], "approve", terms=TERMS)
    session.expire_all()
    assert verify(session, keyring()).ok   # (verify detaches what the session held)
    session.execute(text("UPDATE proposals SET pending_terms = NULL, pending_by_id = :u "
                         "WHERE id = :p"), {"u": other, "p": pid})
    session.commit()
    report = verify(session, keyring())
    assert [(p.proposal_id, p.check) for p in report.problems] == [(pid, "pending")]


def test_confirmed_terms_are_tied_to_the_confirmation_entry(
        make: Factory, session: Session) -> None:
    pid = make.proposal(at=State.AGREEMENT).id
    session.expire_all()
    assert verify(session, keyring()).ok
    session.execute(text("UPDATE proposals SET terms_sha256 = :h WHERE id = :p"),
                    {"h": "0" * 64, "p": pid})
    session.commit()
    assert {p.check for p in verify(session, keyring()).problems} == {"terms"}


def test_the_decision_page_shows_the_pending_decision_and_lets_only_another_officer_confirm(
        app: Flask, make: Factory, api: ApiClient) -> None:
    cast, proposal = _at_decision(make)
    first, second = cast[Role.FOCIR], cast[SECOND_FOCIR]
    api.act(proposal.id, first, "approve", terms=TERMS)
    mine = app.test_client()
    sign_in(mine, first)
    page = mine.get(f"/proposals/{proposal.id}/decision").get_data(as_text=True)
    assert "Decisión en espera de un segundo funcionario de FOCIR" in page
    assert 'value="confirm_decision"' not in page
    other = app.test_client()
    sign_in(other, second)
    page = other.get(f"/proposals/{proposal.id}/decision").get_data(as_text=True)
    assert 'value="confirm_decision"' in page and 'value="return_decision"' in page
    assert "csrf_token" in page
    dossier = other.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert 'id="form-confirm_decision"' in dossier
    sme = app.test_client()
    sign_in(sme, cast[Role.SME])
    assert sme.get(f"/proposals/{proposal.id}/decision").status_code == 403
    version = api.get(f"/proposals/{proposal.id}", second).json["version"]
    r = post(other, f"/proposals/{proposal.id}/actions",
             {"action": "confirm_decision", "version": str(version)},
             token_from=f"/proposals/{proposal.id}/decision")
    assert r.status_code == 302
    assert api.get(f"/proposals/{proposal.id}", second).json["state"] == "agreement"
