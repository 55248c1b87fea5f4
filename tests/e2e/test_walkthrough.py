"""A proposal travels all ten steps through the API, each step taken by the right role."""

from __future__ import annotations

import itertools
import re
from io import BytesIO

from flask import Flask
from flask.testing import FlaskClient

from promtel_fin.domain.policy import DEFAULT_CHECKLIST
from promtel_fin.domain.workflow import Role

from ..efirma_helpers import pki
from ..factories import PDF, TERMS, Factory, proposal_document
from ..mailbox import Mailbox, deliver, mailbox_fixture  # noqa: F401  (fixture)
from .conftest import ApiClient


def _register(client: FlaskClient, app: Flask, mailbox: Mailbox) -> str:
    response = client.post("/api/v1/registrations", json={
        "email": "dueña@telecom-cuautitla.mx", "password": "Maguey-Cobre-Brujula-88",
        "name": "María Dueña",
        "company": {"legal_name": "Telecom Cuautitla, S.A. de C.V.", "rfc": "FMR180605CD1",
                    "state_code": "17", "municipality_key": "17027",
                    "legal_rep_curp": "RAMA750315MMSMRN08", "ift_registration": "IFT/123"}})
    assert response.status_code == 202, response.json
    login = client.post("/api/v1/tokens", json={"email": "dueña@telecom-cuautitla.mx",
                                                "password": "Maguey-Cobre-Brujula-88"})
    assert login.status_code == 201
    # The address is confirmed with the link mailed to it before the SME can submit.
    deliver(app)
    link = re.search(r"/email-confirmation/([\w-]+)", Mailbox.text(mailbox.messages[-1]))
    assert link is not None
    assert client.post(f"/api/v1/email-confirmations/{link.group(1)}").status_code == 204
    return login.json["token"]


def test_a_proposal_walks_all_ten_steps_with_returns_for_changes(
        client: FlaskClient, api: ApiClient, make: Factory, app: Flask,
        mailbox: Mailbox) -> None:
    """Does the whole process work end to end, including 5->4 and 7->4, through HTTP only?"""
    token = _register(client, app, mailbox)
    sme_headers = {"Authorization": f"Bearer {token}"}
    promtel, focir, second = make.user(Role.PROMTEL), make.user(Role.FOCIR), make.user(Role.FOCIR)

    created = client.post("/api/v1/proposals", json=proposal_document(), headers=sme_headers)
    assert created.status_code == 201, created.json
    pid = created.json["id"]
    assert (created.json["state"], created.json["step"]) == ("contact", 1)
    assert created.json["waiting_on"] == ["promtel"]
    assert created.json["allowed_actions"] == ["withdraw"]

    def sme(action: str, **params: object) -> dict:
        version = client.get(f"/api/v1/proposals/{pid}", headers=sme_headers).json["version"]
        r = client.post(f"/api/v1/proposals/{pid}/transitions", headers=sme_headers,
                        json={"action": action, "version": version, **params})
        assert r.status_code == 200, r.json
        return r.json

    def staff(user: object, action: str, **params: object) -> dict:
        r = api.act(pid, user, action, **params)
        assert r.status_code == 200, r.json
        return r.json

    def sme_edit(**changes: object) -> None:
        version = client.get(f"/api/v1/proposals/{pid}", headers=sme_headers).json["version"]
        r = client.patch(f"/api/v1/proposals/{pid}", headers=sme_headers,
                         json={"version": version, **changes})
        assert r.status_code == 200, r.json

    assert staff(promtel, "acknowledge_contact")["step"] == 2
    # The company uploads its papers (multipart), then submits.
    for item in DEFAULT_CHECKLIST:
        if "submit_proposal" in item.required_for:
            up = client.post(f"/api/v1/proposals/{pid}/documents", headers=sme_headers,
                             data={"kind": item.kind, "file": (BytesIO(PDF), "papel.pdf")})
            assert up.status_code == 201, up.json
    assert sme("submit_proposal")["step"] == 3
    # PROMTEL checks the papers.
    listed = api.get(f"/proposals/{pid}/documents", promtel).json
    for entry in listed["checklist"]:
        if entry["document_id"]:
            review = api.post(f"/proposals/{pid}/documents/{entry['document_id']}/review",
                              promtel, json={"decision": "accepted"})
            assert review.status_code == 200, review.json
    assert staff(promtel, "give_feedback", comment="Detalle la demanda.")["step"] == 4
    sme_edit(summary="Red FTTH de 5 km; 600 hogares esperados.")
    assert sme("submit_update")["step"] == 5
    # 5 -> 4: PROMTEL asks for changes
    assert staff(promtel, "request_changes", comment="Falta el avalúo.")["step"] == 4
    sme_edit(guarantees=[{"kind": "real_estate", "description": "Terreno con avalúo 2026",
                          "value": "7500000.00"}])
    assert sme("submit_update")["step"] == 5
    assert staff(promtel, "verify")["step"] == 6
    assert staff(promtel, "present_to_focir", comment="Respaldo de PROMTEL.")["step"] == 7
    # 7 -> 4: FOCIR asks for changes, then the update is verified again at step 5
    assert staff(focir, "request_changes", comment="Ajuste el plazo a 36 meses.")["step"] == 4
    sme_edit(term_months=36)
    assert sme("submit_update")["step"] == 5
    assert staff(promtel, "verify")["step"] == 6
    assert staff(promtel, "present_to_focir", comment="Plazo ajustado.")["step"] == 7
    assert staff(focir, "give_feedback", comment="Bancable.")["step"] == 8
    assert staff(promtel, "give_opinion", opinion="favourable", comment="Viable.")["step"] == 9
    pending = staff(focir, "approve", terms={**TERMS, "term_months": 36})
    assert (pending["step"], pending["pending_decision"]["action"]) == (9, "approve")
    assert pending["approved_terms"] is None
    approved = staff(second, "confirm_decision")  # four eyes
    assert approved["step"] == 10 and approved["pending_decision"] is None
    assert approved["approved_terms"]["term_months"] == 36
    assert approved["policy_snapshot"]["max_amount"] == "10000000.00"
    assert set(approved["waiting_on"]) == {"sme", "focir"}

    digest = approved["terms_sha256"]
    # The SME signs the agreement's cadena original with the company's e.firma.
    text = client.get(f"/api/v1/proposals/{pid}/agreement",
                      headers=sme_headers).json["cadena_original"]
    assert "rfc_acreditado|FMR180605CD1" in text.split("\n")
    after_sme = sme("sign", terms_sha256=digest,
                    **pki().sign_params(text, pki().certificate("FMR180605CD1")))
    assert (after_sme["state"], after_sme["waiting_on"]) == ("agreement", ["focir"])
    done = staff(focir, "sign", terms_sha256=digest)
    assert (done["state"], done["step"], done["waiting_on"]) == ("signed", None, [])
    assert {s["party"] for s in done["signatures"]} == {"sme", "focir"}

    revisions = client.get(f"/api/v1/proposals/{pid}/revisions", headers=sme_headers).json
    assert [r["action"] for r in revisions] == [
        "submit_proposal", "submit_update", "submit_update", "submit_update"]
    compare = client.get(f"/api/v1/proposals/{pid}/revisions/compare?from=3&to=4",
                         headers=sme_headers).json
    assert compare["changes"] == [
        {"field": "term_months", "change": "changed", "before": 40, "after": 36}]

    history = client.get(f"/api/v1/proposals/{pid}/history", headers=sme_headers).json["items"]
    actions = [h["action"] for h in history]
    assert actions[0] == "create" and actions[-1] == "sign"
    assert actions[actions.index("approve") + 1] == "confirm_decision"
    assert actions.count("request_changes") == 2 and actions.count("edit") == 3
    assert all(h["prev_hash"] == prev["hash"] for prev, h in itertools.pairwise(history))
    feedback = next(h for h in history if h["action"] == "give_feedback")
    assert feedback["revision_number"] == 1  # shown beside the revision it refers to


def test_a_rejection_records_its_reason(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=make_state("promtel_feedback"))
    r = api.act(proposal.id, cast[Role.PROMTEL], "reject", reason="Zona ya cubierta.")
    assert r.status_code == 200
    assert (r.json["state"], r.json["step"], r.json["allowed_actions"]) == ("rejected", None, [])
    history = api.get(f"/proposals/{proposal.id}/history", cast[Role.SME]).json["items"]
    assert history[-1]["payload"]["reason"] == "Zona ya cubierta."


def test_the_sme_may_withdraw_from_any_step_but_not_after_the_end(
        api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=make_state("focir_decision"))
    r = api.act(proposal.id, cast[Role.SME], "withdraw", comment="Financiamiento propio.")
    assert (r.status_code, r.json["state"]) == (200, "withdrawn")
    again = api.act(proposal.id, cast[Role.SME], "withdraw")
    assert again.status_code == 409


def make_state(name: str):
    from promtel_fin.domain.workflow import State

    return State(name)


def test_each_action_and_each_edit_moves_the_version_by_exactly_one(
        api: ApiClient, make: Factory) -> None:
    """Clients predict the next version: one change, one version, whatever the action."""
    from ..factories import HAPPY_PATH

    cast = make.cast()
    proposal = make.proposal(cast)
    sme = cast[Role.SME]
    version = proposal.version
    edited = api.patch(f"/proposals/{proposal.id}", sme, json={"version": version,
                                                                "grace_months": 3})
    assert edited.json["version"] == version + 1
    version += 1
    # Uploading and reviewing documents does not move the proposal's version.
    make.upload_documents(proposal.id, sme)
    for role, action, params in HAPPY_PATH:
        r = api.post(f"/proposals/{proposal.id}/transitions", cast[role],
                     json={"action": action, "version": version, **params})
        assert r.status_code == 200, (action, r.json)
        assert r.json["version"] == version + 1, action
        version += 1
        if action == "submit_proposal":
            make.accept_documents(proposal.id, cast[Role.PROMTEL])
