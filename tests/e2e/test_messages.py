"""Messages on a proposal (issue 11 §2): a thread between the SME and the staff who see it."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.orm import Session

from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import HistoryEntry
from promtel_fin.services.audit import verify
from promtel_fin.services.history import keyring
from promtel_fin.services.messages import body_digest

from ..factories import SECOND_FOCIR, Factory
from .conftest import ApiClient
from .pages import post, sign_in

ODD = "Señal en Tlahuitoltepec 📶 — ¿\u200bcuándo? \u202eolleh\u202c 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 e\u0301\nsegunda línea"


def _thread(api: ApiClient, pid: int, user, **kw):
    return api.get(f"/proposals/{pid}/messages", user, **kw)


def test_the_sme_and_promtel_talk_and_each_message_is_in_the_history(
        api: ApiClient, make: Factory, session: Session) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    sme, promtel = cast[Role.SME], cast[Role.PROMTEL]
    r = api.post(f"/proposals/{proposal.id}/messages", sme, json={"body": "  ¿Qué falta?  "})
    assert r.status_code == 201, r.json
    assert set(r.json) == {"id", "proposal_id", "author", "author_role", "body", "body_sha256",
                           "created_at"}
    assert (r.json["body"], r.json["author"]["id"], r.json["author_role"]) == (
        "¿Qué falta?", sme.id, "sme")
    reply = api.post(f"/proposals/{proposal.id}/messages", promtel, json={"body": ODD})
    assert reply.status_code == 201
    assert reply.json["body"] == ODD and reply.json["body_sha256"] == body_digest(ODD)
    for reader in (sme, promtel, cast[Role.ADMIN]):
        items = _thread(api, proposal.id, reader).json["items"]
        assert [m["body"] for m in items] == ["¿Qué falta?", ODD]
    entries = api.get(f"/proposals/{proposal.id}/history", sme).json["items"]
    said = [e for e in entries if e["action"] == "message"]
    assert [e["payload"] for e in said] == [
        {"message_id": r.json["id"], "body_sha256": body_digest("¿Qué falta?")},
        {"message_id": reply.json["id"], "body_sha256": body_digest(ODD)}]
    assert all(e["from_state"] == e["to_state"] == "promtel_feedback" for e in said)
    # a message changes neither the state nor the version
    after = api.get(f"/proposals/{proposal.id}", sme).json
    assert (after["state"], after["version"]) == ("promtel_feedback", proposal.version)
    session.expire_all()
    assert verify(session, keyring()).ok


@pytest.mark.parametrize(("size", "status"), [(1, 201), (5000, 201), (0, 422), (5001, 422)])
def test_the_body_has_1_to_5000_characters(api: ApiClient, make: Factory, size: int,
                                          status: int) -> None:
    cast = make.cast()
    proposal = make.proposal(cast)
    body = "ñ" * (size - 1) + "😀" if size else ""     # astral characters count as one
    r = api.post(f"/proposals/{proposal.id}/messages", cast[Role.SME], json={"body": body},
                 lang="en")
    assert r.status_code == status, r.json
    if status == 422:
        assert "5000" in r.json["errors"]["body"][0], r.json


@pytest.mark.parametrize("payload", [
    '{}', '{"body": "   "}', '{"body": null}', '{"body": 42}', '{"body": ["x"]}',
    '{"body": "a\\u0000b"}', '{"body": "x", "author_id": 1}', '{"body": "\\ud800"}',
    '{"body": {"$gt": ""}}', '[]',
])
def test_hostile_bodies_are_422_never_500(api: ApiClient, make: Factory, payload: str) -> None:
    cast = make.cast()
    proposal = make.proposal(cast)
    r = api.client.post(f"/api/v1/proposals/{proposal.id}/messages", data=payload,
                        content_type="application/json", headers=api.headers(cast[Role.SME]))
    assert r.status_code == 422, r.json
    assert _thread(api, proposal.id, cast[Role.SME]).json["items"] == []


def test_another_sme_and_focir_before_presentation_get_404(api: ApiClient,
                                                           make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_VERIFICATION)
    stranger = make.user(Role.SME)
    for user in (stranger, cast[Role.FOCIR]):
        assert _thread(api, proposal.id, user).status_code == 404
        r = api.post(f"/proposals/{proposal.id}/messages", user, json={"body": "hola"})
        assert r.status_code == 404
    assert api.post("/proposals/999999/messages", cast[Role.SME],
                    json={"body": "x"}).status_code == 404
    assert _thread(api, proposal.id, None).status_code == 401
    # administrators read but do not write
    assert api.post(f"/proposals/{proposal.id}/messages", cast[Role.ADMIN],
                    json={"body": "x"}).status_code == 403


def test_focir_joins_the_thread_once_the_proposal_is_presented(api: ApiClient,
                                                               make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.FOCIR_FEEDBACK)
    r = api.post(f"/proposals/{proposal.id}/messages", cast[Role.FOCIR], json={"body": "Dudas"})
    assert r.status_code == 201


def test_the_thread_pages_by_cursor(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast)
    for n in range(5):
        api.post(f"/proposals/{proposal.id}/messages", cast[Role.SME], json={"body": f"m{n}"})
    first = _thread(api, proposal.id, cast[Role.SME], query={"page_size": 2}).json
    assert [m["body"] for m in first["items"]] == ["m0", "m1"]
    seen = [m["body"] for m in first["items"]]
    link = first["next"]
    while link:
        page = api.get(link.removeprefix("/api/v1"), cast[Role.SME]).json
        seen += [m["body"] for m in page["items"]]
        link = page["next"]
    assert seen == [f"m{n}" for n in range(5)]
    bad = _thread(api, proposal.id, cast[Role.SME], query={"cursor": "nope"})
    assert bad.status_code == 422


def test_an_edited_or_deleted_message_is_named_by_audit_verify(
        api: ApiClient, make: Factory, session: Session, dialect: str) -> None:
    cast = make.cast()
    pid = make.proposal(cast).id
    first = api.post(f"/proposals/{pid}/messages", cast[Role.SME], json={"body": "uno"}).json
    second = api.post(f"/proposals/{pid}/messages", cast[Role.SME], json={"body": "dos"}).json
    if dialect == "postgresql":   # the trigger of migration 0010 refuses it first
        with pytest.raises(Exception, match="append-only"):
            session.execute(text("UPDATE messages SET body = 'tres'"))
        session.rollback()
        session.execute(text("ALTER TABLE messages DISABLE TRIGGER messages_append_only"))
    session.execute(text("UPDATE messages SET body = 'UNO' WHERE id = :i"), {"i": first["id"]})
    session.execute(text("DELETE FROM messages WHERE id = :i"), {"i": second["id"]})
    if dialect == "postgresql":
        session.execute(text("ALTER TABLE messages ENABLE TRIGGER messages_append_only"))
    session.commit()
    problems = [str(p) for p in verify(session, keyring()).problems]
    assert len(problems) == 2, problems
    assert f"message {first['id']}'s body does not hash" in problems[0]
    assert f"message {second['id']} has no message row" in problems[1]


def test_the_dossier_shows_the_thread_and_its_form_writes_to_it(
        app: Flask, make: Factory, session: Session) -> None:
    cast = make.cast()
    proposal = make.proposal(cast)
    client = app.test_client()
    sign_in(client, cast[Role.SME])
    path = f"/proposals/{proposal.id}"
    empty = post(client, f"{path}/messages", {"body": "  "}, token_from=path)
    assert empty.status_code == 422
    assert 'aria-invalid="true"' in empty.get_data(as_text=True)
    sent = post(client, f"{path}/messages", {"body": "<script>alert(1)</script> ¿Hola?"},
                token_from=path)
    assert sent.status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; ¿Hola?" in page
    assert "<script>alert(1)" not in page
    assert client.post(f"{path}/messages", data={"body": "sin token"}).status_code in (400, 403)
    assert session.query(HistoryEntry).filter_by(action="message").count() == 1


def _told(session: Session, proposal_id: int, kind: str = "message") -> dict[int, Any]:
    from sqlalchemy import select

    from promtel_fin.models import Notification

    session.expire_all()
    rows = session.scalars(select(Notification).where(
        Notification.proposal_id == proposal_id, Notification.kind == kind)).all()
    return {n.user_id: n for n in rows}


def test_a_message_notifies_the_other_side_in_its_transaction(
        api: ApiClient, make: Factory, session: Session) -> None:
    from promtel_fin.domain.texts import render

    cast = make.cast()
    colleague = make.user(Role.SME, company=cast[Role.SME].company)
    stranger_reviewer = make.user(Role.PROMTEL)
    proposal = make.proposal(cast, at=State.PROMTEL_FEEDBACK)   # reviewer assigned
    pid, sme, promtel = proposal.id, cast[Role.SME], cast[Role.PROMTEL]
    ids = {"sme": sme.id, "colleague": colleague.id, "promtel": promtel.id,
           "other": stranger_reviewer.id, "focir": cast[Role.FOCIR].id}
    api.post(f"/proposals/{pid}/messages", sme, json={"body": "¿Hay {avance}?"})
    told = _told(session, pid)
    assert set(told) == {ids["promtel"]}            # the assigned reviewer, not the author
    note = told[ids["promtel"]]
    assert note.needs_action and note.link == f"/proposals/{pid}#messages"
    assert render(note.body, lambda s: s).endswith("¿Hay {avance}?")   # never a template
    assert proposal.folio in render(note.subject, lambda s: s)
    api.post(f"/proposals/{pid}/messages", promtel, json={"body": "Sí."})
    told = _told(session, pid)
    assert set(told) == {ids["promtel"], ids["sme"], ids["colleague"]}
    # a refused message tells nobody
    api.post(f"/proposals/{pid}/messages", sme, json={"body": ""})
    assert len(_told(session, pid)) == 3


def test_an_sme_message_reaches_focir_when_focir_must_act(
        api: ApiClient, make: Factory, session: Session) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.FOCIR_FEEDBACK)
    pid = proposal.id
    expected = {cast[Role.PROMTEL].id, cast[Role.FOCIR].id, cast[SECOND_FOCIR].id}
    api.post(f"/proposals/{pid}/messages", cast[Role.SME], json={"body": "¿Dudas?"})
    assert set(_told(session, pid)) == expected
