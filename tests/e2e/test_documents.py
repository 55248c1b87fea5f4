"""A proposal's documents over HTTP: the checklist, uploads (types by content, sizes, names),
downloads, reviews, who may do what, and the checklist's gate on the workflow's actions."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server
from werkzeug.test import TestResponse, stream_encode_multipart

from promtel_fin.domain.policy import DEFAULT_CHECKLIST
from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import User, clock_shift

from ..documents_helpers import (
    EXE,
    HTML,
    JPEG,
    PDF,
    docx,
    multipart,
    openpyxl_workbook,
    padded_pdf,
    plain_zip,
    png,
    xlsx,
)
from ..factories import TERMS, Factory
from .conftest import ApiClient

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUBMISSION_KINDS = [i.kind for i in DEFAULT_CHECKLIST if "submit_proposal" in i.required_for]
LABELS_ES = {i.kind: i.label_es for i in DEFAULT_CHECKLIST}


def upload(api: ApiClient, proposal_id: int, user: User | None,
           kind: str = "articles_of_incorporation", content: bytes = PDF,
           filename: str = "acta.pdf", lang: str | None = None) -> TestResponse:
    """Post a multipart upload as ``user``."""
    body, content_type = multipart({"kind": kind}, content, filename)
    return api.client.post(f"/api/v1/proposals/{proposal_id}/documents",
                           headers=api.headers(user, lang), data=body,
                           content_type=content_type)


def listing(api: ApiClient, proposal_id: int, user: User, lang: str | None = None
            ) -> dict[str, Any]:
    r = api.get(f"/proposals/{proposal_id}/documents", user, lang=lang)
    assert r.status_code == 200, r.json
    return r.json


def entry(listed: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(e for e in listed["checklist"] if e["kind"] == kind)


def review(api: ApiClient, proposal_id: int, user: User, document_id: int, decision: str,
           reason: str | None = None, lang: str | None = None) -> TestResponse:
    body = {"decision": decision, **({"reason": reason} if reason is not None else {})}
    return api.post(f"/proposals/{proposal_id}/documents/{document_id}/review", user,
                    json=body, lang=lang)


def codes(response: TestResponse) -> list[str]:
    return [r["code"] for r in response.json["errors"]["reasons"]]


# ---- the checklist ---------------------------------------------------------------------------

def test_the_checklist_lists_every_kind_missing_with_labels_in_each_language(
        api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT)
    listed = listing(api, proposal.id, cast[Role.SME])
    assert listed["items"] == []
    assert [e["kind"] for e in listed["checklist"]] == [i.kind for i in DEFAULT_CHECKLIST]
    acta = entry(listed, "articles_of_incorporation")
    assert acta == {"kind": "articles_of_incorporation", "label": "Acta constitutiva",
                    "required_for": ["submit_proposal"], "optional_for": [],
                    "uploaded_by": "sme", "max_age_days": None, "expired": False,
                    "status": "missing", "document_id": None}
    assert entry(listed, "credit_bureau_report")["max_age_days"] == 90   # the policy's
    memo = entry(listed, "focir_credit_memo")
    assert (memo["required_for"], memo["optional_for"], memo["uploaded_by"]) == (
        [], ["approve"], "focir")
    english = listing(api, proposal.id, cast[Role.SME], lang="en")
    assert entry(english, "power_of_attorney")["label"] == (
        "Legal representative's power of attorney")


def test_an_upload_answers_the_document_and_is_recorded_with_its_sha256(
        api: ApiClient, make: Factory, app: Flask) -> None:
    import hashlib

    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT)
    r = upload(api, proposal.id, cast[Role.SME], filename="Acta Constitutiva 2019.pdf")
    assert r.status_code == 201, r.json
    digest = hashlib.sha256(PDF).hexdigest()
    document = r.json
    assert {k: document[k] for k in ("kind", "filename", "size", "sha256", "content_type",
                                     "status", "reason", "supersedes", "superseded_by",
                                     "current")} == {
        "kind": "articles_of_incorporation", "filename": "Acta Constitutiva 2019.pdf",
        "size": len(PDF), "sha256": digest, "content_type": "application/pdf",
        "status": "pending", "reason": "", "supersedes": None, "superseded_by": None,
        "current": True}
    assert document["uploaded_at"]
    listed = listing(api, proposal.id, cast[Role.PROMTEL])
    assert entry(listed, "articles_of_incorporation")["status"] == "pending"
    assert entry(listed, "articles_of_incorporation")["document_id"] == document["id"]
    # Stored outside the database, under its SHA-256, never under the client's name.
    stored = Path(app.config["DOCUMENTS_DIR"]) / digest[:2] / digest
    assert stored.read_bytes() == PDF
    history = api.get(f"/proposals/{proposal.id}/history", cast[Role.SME]).json["items"]
    last = history[-1]
    assert (last["action"], last["payload"]["sha256"], last["payload"]["document_id"]) == (
        "document_uploaded", digest, document["id"])
    # The proposal's version does not move: nobody's edit or action is made stale by it.
    assert api.get(f"/proposals/{proposal.id}", cast[Role.SME]).json["version"] == (
        proposal.version)


def test_uploading_a_kind_again_supersedes_the_earlier_file_which_stays_listed(
        api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.UPDATE)   # its papers were accepted at step 3
    listed = listing(api, proposal.id, cast[Role.SME])
    old_id = entry(listed, "financial_statements")["document_id"]
    newer = upload(api, proposal.id, cast[Role.SME], "financial_statements", xlsx(),
                   "estados 2024-2025.xlsx")
    assert newer.status_code == 201, newer.json
    assert (newer.json["supersedes"], newer.json["content_type"]) == (old_id, XLSX_TYPE)
    listed = listing(api, proposal.id, cast[Role.SME])
    by_id = {d["id"]: d for d in listed["items"]}
    assert by_id[old_id]["superseded_by"] == newer.json["id"]
    assert by_id[old_id]["current"] is False and by_id[old_id]["status"] == "accepted"
    item = entry(listed, "financial_statements")
    assert (item["document_id"], item["status"]) == (newer.json["id"], "pending")
    history = api.get(f"/proposals/{proposal.id}/history", cast[Role.SME]).json["items"]
    superseded, uploaded = history[-2], history[-1]
    assert superseded["action"] == "document_superseded"
    assert superseded["payload"]["document_id"] == old_id
    assert superseded["payload"]["sha256"] == by_id[old_id]["sha256"]
    assert uploaded["payload"]["supersedes"] == old_id
    # A superseded document can no longer be reviewed.
    stale = review(api, proposal.id, cast[Role.PROMTEL], old_id, "accepted")
    assert stale.status_code == 409 and codes(stale) == ["document_superseded"]


# ---- types, by content -----------------------------------------------------------------------

@pytest.mark.parametrize(("content", "filename", "status", "content_type"), [
    (PDF, "acta.png", 201, "application/pdf"),           # a PDF named .png is a PDF
    (png(), "identificacion.pdf", 201, "image/png"),
    (JPEG, "ine.jpeg", 201, "image/jpeg"),
    (xlsx(), "flujos.xlsx", 201, XLSX_TYPE),             # a real XLSX made with zipfile
    (openpyxl_workbook(), "flujos", 201, XLSX_TYPE),     # as Excel users make them
    (EXE, "acta.pdf", 415, None),                        # an .exe named .pdf
    (docx(), "acta.xlsx", 415, None),                    # a Word document
    (plain_zip(), "flujos.xlsx", 415, None),             # a ZIP without a workbook
    (xlsx(macros=True), "flujos.xlsx", 415, None),       # a workbook with macros
    (HTML, "acta.pdf", 415, None),
    (b"", "vacio.pdf", 415, None),
    (b"%PDF", "corto.pdf", 415, None),                   # not even a PDF header
])
def test_the_type_is_decided_by_the_content_never_the_name(
        api: ApiClient, make: Factory, content: bytes, filename: str, status: int,
        content_type: str | None) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT)
    r = upload(api, proposal.id, cast[Role.SME], "technical_project", content, filename)
    assert r.status_code == status, r.json
    if content_type:
        assert r.json["content_type"] == content_type
    else:
        assert codes(r) == ["document_type_refused"]
        assert "PDF, JPEG, PNG" in r.json["message"]
        assert listing(api, proposal.id, cast[Role.SME])["items"] == []


def test_a_pdf_named_png_downloads_as_a_pdf_named_with_the_folio(
        api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT)
    created = upload(api, proposal.id, cast[Role.SME], filename="acta.png").json
    r = api.get(f"/proposals/{proposal.id}/documents/{created['id']}/content", cast[Role.PROMTEL])
    assert r.status_code == 200
    assert r.data == PDF
    assert r.headers["Content-Type"] == "application/pdf"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Disposition"] == (
        f"attachment; filename={proposal.folio}_acta.png.pdf")
    assert "sandbox" in r.headers["Content-Security-Policy"]
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["ETag"].strip('"') == created["sha256"]
    # HEAD sends no body; the server's closing the response closes the file.
    with api.client.head(f"/api/v1/proposals/{proposal.id}/documents/{created['id']}/content",
                         headers=api.headers(cast[Role.SME])) as head:
        assert (head.status_code, head.data, head.headers["Content-Length"]) == (
            200, b"", str(len(PDF)))


# ---- sizes -----------------------------------------------------------------------------------

def test_a_file_of_exactly_the_limit_passes_and_one_byte_more_is_413(
        app: Flask, api: ApiClient, make: Factory) -> None:
    app.config["MAX_DOCUMENT_BYTES"] = 4096
    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT)
    exact = upload(api, proposal.id, cast[Role.SME], content=padded_pdf(4096))
    assert exact.status_code == 201, exact.json
    assert exact.json["size"] == 4096
    over = upload(api, proposal.id, cast[Role.SME], content=padded_pdf(4097))
    assert over.status_code == 413
    assert codes(over) == ["document_too_large"]
    assert "4096" in over.json["message"]
    assert len(listing(api, proposal.id, cast[Role.SME])["items"]) == 1


def test_the_default_limit_is_10_mb_exactly(app: Flask, api: ApiClient, make: Factory) -> None:
    assert app.config["MAX_DOCUMENT_BYTES"] == 10 * 1024 * 1024
    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT)
    limit = 10 * 1024 * 1024
    # Far more than the JSON limit of 2 MB: only the upload routes take such bodies.
    assert upload(api, proposal.id, cast[Role.SME], content=padded_pdf(limit)).status_code == 201
    assert upload(api, proposal.id, cast[Role.SME], content=padded_pdf(limit + 1)
                  ).status_code == 413


def test_json_routes_keep_their_2_mb_limit(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT)
    r = api.client.patch(f"/api/v1/proposals/{proposal.id}", headers=api.headers(cast[Role.SME]),
                         data=b"{" + b" " * (3 * 1024 * 1024) + b"}",
                         content_type="application/json")
    assert r.status_code == 413


@pytest.fixture
def server(app: Flask) -> Iterator[tuple[str, int]]:
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield "127.0.0.1", httpd.server_port
    httpd.shutdown()
    thread.join(5)


@pytest.mark.parametrize("path", ["/api/v1/proposals/1/documents", "/proposals/1/documents"])
def test_an_upload_far_over_the_limit_is_refused_before_it_is_read(
        server: tuple[str, int], path: str) -> None:
    announced = 200 * 1024 * 1024
    with socket.create_connection(server, timeout=10) as conn:
        conn.sendall(
            f"POST {path} HTTP/1.1\r\nHost: localhost\r\n"
            "Content-Type: multipart/form-data; boundary=x\r\n"
            f"Content-Length: {announced}\r\n\r\n".encode())
        status_line = conn.makefile("rb").readline()
    assert status_line.split()[1] == b"413", status_line


# ---- names -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("given", "shown"), [
    ("../../etc/passwd", "passwd"),
    ("acta\x00\x1f\x7f.pdf", "acta.pdf"),
    ("factura\u202efdp.exe", "facturafdp.exe"),            # a right-to-left override
    ("  ..acta:final?.pdf  ", "acta_final_.pdf"),
    ("Ａｃｔａ／constitutiva.pdf", "constitutiva.pdf"),      # a fullwidth slash is a slash
    ("..", "documento"),
    ("\u202e\u200b", "documento"),
    ("Poder notarial de Ana María Ramírez.pdf", "Poder notarial de Ana María Ramírez.pdf"),
])
def test_hostile_file_names_are_cleaned_for_display_and_never_used_as_paths(
        api: ApiClient, make: Factory, app: Flask, given: str, shown: str) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT)
    r = upload(api, proposal.id, cast[Role.SME], filename=given)
    assert r.status_code == 201, r.json
    assert r.json["filename"] == shown
    root = Path(app.config["DOCUMENTS_DIR"])
    stored = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert stored == [f"{r.json['sha256'][:2]}/{r.json['sha256']}"]


def test_a_very_long_name_is_cut_keeping_its_extension(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT)
    r = upload(api, proposal.id, cast[Role.SME], filename="Á" * 500 + ".pdf")
    assert r.status_code == 201
    assert len(r.json["filename"]) == 120 and r.json["filename"].endswith("Á.pdf")
    down = api.get(f"/proposals/{proposal.id}/documents/{r.json['id']}/content",
                   cast[Role.SME])
    assert down.headers["Content-Disposition"].startswith("attachment; filename=")
    assert f"{proposal.folio}_" in down.headers["Content-Disposition"]


def test_a_windows_path_sent_as_the_file_name_keeps_only_its_last_part(
        api: ApiClient, make: Factory) -> None:
    """Some clients send the whole path, its backslashes escaped as the header's quoting asks
    (``C:\\\\fakepath\\\\acta.pdf``)."""
    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT)
    body = (b'--b\r\nContent-Disposition: form-data; name="kind"\r\n\r\ntechnical_project\r\n'
            b'--b\r\nContent-Disposition: form-data; name="file"; '
            b'filename="C:\\\\fakepath\\\\Proyecto t\xc3\xa9cnico.pdf"\r\n'
            b"Content-Type: application/pdf\r\n\r\n" + PDF + b"\r\n--b--\r\n")
    r = api.client.post(f"/api/v1/proposals/{proposal.id}/documents",
                        headers=api.headers(cast[Role.SME]), data=body,
                        content_type="multipart/form-data; boundary=b")
    assert r.status_code == 201, r.json
    assert r.json["filename"] == "Proyecto técnico.pdf"


# ---- who may do what -------------------------------------------------------------------------

def test_another_company_and_focir_before_presentation_are_told_it_does_not_exist(
        api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_VERIFICATION)
    document_id = entry(listing(api, proposal.id, cast[Role.SME]),
                        "technical_project")["document_id"]
    stranger = make.user(Role.SME)
    for user in (stranger, cast[Role.FOCIR]):
        assert api.get(f"/proposals/{proposal.id}/documents", user).status_code == 404
        assert api.get(f"/proposals/{proposal.id}/documents/{document_id}/content",
                       user).status_code == 404
        assert upload(api, proposal.id, user).status_code == 404
        assert review(api, proposal.id, user, document_id, "accepted").status_code == 404
    # The staff who may see it list and download it; an administrator too.
    for user in (cast[Role.PROMTEL], cast[Role.ADMIN], cast[Role.SME]):
        assert api.get(f"/proposals/{proposal.id}/documents/{document_id}/content",
                       user).status_code == 200
    assert api.get(f"/proposals/{proposal.id}/documents").status_code == 401
    assert upload(api, proposal.id, None).status_code == 401


def test_a_document_of_another_proposal_or_none_at_all_is_404(
        api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    mine = make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    other = make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    theirs = entry(listing(api, other.id, cast[Role.SME]), "technical_project")["document_id"]
    for document_id in (theirs, 999_999, 2**40):
        r = api.get(f"/proposals/{mine.id}/documents/{document_id}/content", cast[Role.SME])
        assert r.status_code == 404
        assert review(api, mine.id, cast[Role.PROMTEL], document_id, "accepted"
                      ).status_code == 404


@pytest.mark.parametrize(("at", "status"), [
    (State.CONTACT, 201), (State.PROPOSAL, 201), (State.UPDATE, 201),
    (State.PROMTEL_FEEDBACK, 409), (State.PROMTEL_VERIFICATION, 409),
    (State.FOCIR_DECISION, 409), (State.AGREEMENT, 409), (State.SIGNED, 409),
])
def test_the_company_uploads_while_it_may_edit_or_after_a_request_for_changes(
        api: ApiClient, make: Factory, at: State, status: int) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=at)
    r = upload(api, proposal.id, cast[Role.SME], "technical_project")
    assert r.status_code == status, r.json
    if status == 409:
        assert codes(r) == ["document_upload_closed"]


def test_reviewers_and_administrators_do_not_upload_the_companys_papers(
        api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.FOCIR_DECISION)
    for user in (cast[Role.PROMTEL], cast[Role.ADMIN]):
        r = upload(api, proposal.id, user)
        assert r.status_code == 403 and codes(r) == ["document_upload_role"]
    focir = upload(api, proposal.id, cast[Role.FOCIR], "technical_project")
    assert focir.status_code == 403 and codes(focir) == ["document_uploaded_by_other"]
    assert focir.json["message"] == "El documento «Proyecto técnico» lo sube la empresa."


def test_focir_files_its_own_credit_memo_which_the_company_may_not(
        api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.FOCIR_DECISION)
    memo = upload(api, proposal.id, cast[Role.FOCIR], "focir_credit_memo",
                  filename="memorandum.pdf")
    assert memo.status_code == 201, memo.json
    draft = make.proposal(cast, at=State.UPDATE)
    by_sme = upload(api, draft.id, cast[Role.SME], "focir_credit_memo")
    assert by_sme.status_code == 403 and codes(by_sme) == ["document_uploaded_by_other"]


def test_an_upload_needs_a_kind_of_the_checklist_a_file_and_multipart(
        api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT)
    unknown = upload(api, proposal.id, cast[Role.SME], "selfie")
    assert unknown.status_code == 422 and codes(unknown) == ["document_kind_unknown"]
    assert "articles_of_incorporation" in unknown.json["errors"]["fields"]["kind"][0]
    headers = api.headers(cast[Role.SME])
    stream, _length, boundary = stream_encode_multipart({"kind": "technical_project"},
                                                        use_tempfile=False)
    no_file = api.client.post(f"/api/v1/proposals/{proposal.id}/documents", headers=headers,
                              data=stream.getvalue(),
                              content_type=f"multipart/form-data; boundary={boundary}")
    assert no_file.status_code == 422 and codes(no_file) == ["document_file_missing"]
    as_json = api.post(f"/proposals/{proposal.id}/documents", cast[Role.SME],
                       json={"kind": "technical_project", "file": "JVBERi0xLjQ="})
    assert as_json.status_code == 415 and codes(as_json) == ["multipart_required"]


# ---- reviews ---------------------------------------------------------------------------------

def test_promtel_accepts_and_rejects_with_a_reason_the_company_reads(
        api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROPOSAL)   # papers uploaded, not yet reviewed
    listed = listing(api, proposal.id, cast[Role.SME])
    acta = entry(listed, "articles_of_incorporation")["document_id"]
    bureau = entry(listed, "credit_bureau_report")["document_id"]
    promtel = cast[Role.PROMTEL]
    bare = review(api, proposal.id, promtel, bureau, "rejected")
    assert bare.status_code == 422 and codes(bare) == ["reason_required"]
    assert bare.json["errors"]["fields"]["reason"] == [
        "Para rechazar un documento se requiere un motivo."]
    blank = review(api, proposal.id, promtel, bureau, "rejected", "   ")
    assert blank.status_code == 422
    rejected = review(api, proposal.id, promtel, bureau, "rejected", "Ilegible en la página 2.")
    assert rejected.status_code == 200, rejected.json
    assert (rejected.json["status"], rejected.json["reason"]) == (
        "rejected", "Ilegible en la página 2.")
    accepted = review(api, proposal.id, promtel, acta, "accepted")
    assert (accepted.status_code, accepted.json["status"]) == (200, "accepted")
    seen = listing(api, proposal.id, cast[Role.SME])
    assert entry(seen, "credit_bureau_report")["status"] == "rejected"
    assert next(d for d in seen["items"] if d["id"] == bureau)["reason"] == (
        "Ilegible en la página 2.")
    history = api.get(f"/proposals/{proposal.id}/history", cast[Role.SME]).json["items"]
    assert [(h["action"], h["comment"]) for h in history[-2:]] == [
        ("document_rejected", "Ilegible en la página 2."), ("document_accepted", "")]
    assert history[-1]["payload"]["sha256"] == accepted.json["sha256"]
    unknown = review(api, proposal.id, promtel, acta, "maybe")
    assert unknown.status_code == 422 and "decision" in unknown.json["errors"]


def test_only_promtel_and_focir_once_presented_review(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.FOCIR_FEEDBACK)
    document_id = entry(listing(api, proposal.id, cast[Role.SME]),
                        "guarantee_deeds")["document_id"]
    for user in (cast[Role.SME], cast[Role.ADMIN]):
        r = review(api, proposal.id, user, document_id, "accepted")
        assert r.status_code == 403 and codes(r) == ["document_review_role"]
    by_focir = review(api, proposal.id, cast[Role.FOCIR], document_id, "rejected",
                      "El avalúo tiene más de un año.")
    assert by_focir.status_code == 200, by_focir.json


def test_documents_of_a_closed_proposal_are_not_reviewed(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.REJECTED)
    document_id = listing(api, proposal.id, cast[Role.SME])["items"][0]["id"]
    r = review(api, proposal.id, cast[Role.PROMTEL], document_id, "accepted")
    assert r.status_code == 409 and codes(r) == ["document_review_closed"]


# ---- the gate on the workflow ----------------------------------------------------------------

def test_submitting_without_the_papers_lists_each_missing_one_by_its_spanish_label(
        api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT)
    make.act(proposal.id, cast[Role.PROMTEL], "acknowledge_contact")
    r = api.act(proposal.id, cast[Role.SME], "submit_proposal")
    assert r.status_code == 422, r.json
    assert codes(r) == ["document_missing"] * len(SUBMISSION_KINDS)
    messages = [reason["message"] for reason in r.json["errors"]["reasons"]]
    assert messages == [f"Falta el documento «{LABELS_ES[k]}»." for k in SUBMISSION_KINDS]
    assert set(r.json["errors"]["fields"]) == {f"documents.{k}" for k in SUBMISSION_KINDS}
    english = api.act(proposal.id, cast[Role.SME], "submit_proposal", lang="en")
    assert "The document “Articles of incorporation (acta constitutiva)” is missing." in [
        reason["message"] for reason in english.json["errors"]["reasons"]]
    assert api.get(f"/proposals/{proposal.id}", cast[Role.SME]).json["state"] == "proposal"


def test_an_incomplete_proposal_without_papers_is_told_both_at_once(
        api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT, localities=[])
    make.act(proposal.id, cast[Role.PROMTEL], "acknowledge_contact")
    r = api.act(proposal.id, cast[Role.SME], "submit_proposal")
    assert r.status_code == 422
    assert "localities" in r.json["errors"]["fields"]
    assert "documents.technical_project" in r.json["errors"]["fields"]


def test_papers_waiting_for_review_let_the_company_submit_but_not_promtel_verify(
        api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROPOSAL)   # uploaded, not reviewed
    assert api.act(proposal.id, cast[Role.SME], "submit_proposal").status_code == 200
    promtel = cast[Role.PROMTEL]
    assert api.act(proposal.id, promtel, "give_feedback", comment="Revise.").status_code == 200
    assert api.act(proposal.id, cast[Role.SME], "submit_update").status_code == 200
    r = api.act(proposal.id, promtel, "verify")
    assert r.status_code == 422
    assert codes(r) == ["document_not_accepted"] * len(SUBMISSION_KINDS)
    assert r.json["errors"]["reasons"][0]["message"] == (
        "El documento «Acta constitutiva» aún no ha sido aceptado; revíselo primero.")
    make.accept_documents(proposal.id, promtel)
    assert api.act(proposal.id, promtel, "verify").status_code == 200


def test_a_rejected_paper_holds_up_the_resubmission_until_it_is_uploaded_again(
        api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    listed = listing(api, proposal.id, cast[Role.PROMTEL])
    statements = entry(listed, "financial_statements")["document_id"]
    review(api, proposal.id, cast[Role.PROMTEL], statements, "rejected",
           "Faltan las notas del segundo ejercicio.")
    assert api.act(proposal.id, cast[Role.PROMTEL], "give_feedback",
                   comment="Vea los documentos.").status_code == 200
    r = api.act(proposal.id, cast[Role.SME], "submit_update")
    assert r.status_code == 422 and codes(r) == ["document_rejected"]
    assert r.json["message"] == (
        "El documento «Estados financieros de los dos últimos ejercicios» fue rechazado "
        "(Faltan las notas del segundo ejercicio.); súbalo de nuevo.")
    assert upload(api, proposal.id, cast[Role.SME], "financial_statements").status_code == 201
    assert api.act(proposal.id, cast[Role.SME], "submit_update").status_code == 200


@pytest.mark.parametrize(("at", "actor", "action", "params"), [
    (State.FOCIR_PRESENTATION, Role.PROMTEL, "present_to_focir", {"comment": "Respaldo."}),
    (State.FOCIR_DECISION, Role.FOCIR, "approve", {"terms": TERMS}),
])
def test_presenting_and_approving_need_every_paper_accepted(
        api: ApiClient, make: Factory, at: State, actor: Role, action: str,
        params: dict[str, Any]) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=at)
    listed = listing(api, proposal.id, cast[Role.PROMTEL])
    deeds = entry(listed, "guarantee_deeds")["document_id"]
    reviewer = cast[Role.FOCIR] if actor == Role.FOCIR else cast[Role.PROMTEL]
    review(api, proposal.id, reviewer, deeds, "rejected", "El avalúo no está firmado.")
    refused = api.act(proposal.id, cast[actor], action, **params)
    assert refused.status_code == 422 and codes(refused) == ["document_rejected"]
    assert "Escrituras o avalúos de las garantías" in refused.json["message"]
    review(api, proposal.id, reviewer, deeds, "accepted")
    # FOCIR's own credit memo is optional: approving without it is fine.
    assert api.act(proposal.id, cast[actor], action, **params).status_code == 200


def test_the_bureau_report_may_be_at_most_the_policys_age_when_the_company_submits(
        api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT)
    make.act(proposal.id, cast[Role.PROMTEL], "acknowledge_contact")
    for kind in SUBMISSION_KINDS:
        if kind != "credit_bureau_report":
            make.upload(proposal.id, cast[Role.SME], kind)
    with clock_shift(timedelta(days=-91)):
        make.upload(proposal.id, cast[Role.SME], "credit_bureau_report")
    listed = listing(api, proposal.id, cast[Role.SME])
    assert entry(listed, "credit_bureau_report")["expired"] is True
    r = api.act(proposal.id, cast[Role.SME], "submit_proposal")
    assert r.status_code == 422 and codes(r) == ["document_expired"]
    assert r.json["message"] == (
        "El documento «Reporte de buró de crédito» se subió hace 91 días; puede tener como "
        "máximo 90 días de antigüedad: suba uno reciente.")
    with clock_shift(timedelta(days=-90)):
        make.upload(proposal.id, cast[Role.SME], "credit_bureau_report")
    assert api.act(proposal.id, cast[Role.SME], "submit_proposal").status_code == 200


def test_the_checklist_is_the_policys_and_the_admin_changes_it_from_a_day_on(
        api: ApiClient, make: Factory) -> None:
    from datetime import date

    cast = make.cast()
    admin = cast[Role.ADMIN]
    checklist = [
        {"kind": "technical_project", "labels": {"es": "Proyecto técnico",
                                                  "en": "Technical project"},
         "required_for": ["submit_proposal"]},
        {"kind": "promissory_note", "labels": {"es": "Pagaré firmado",
                                                "en": "Signed promissory note"},
         "required_for": ["sign"]},
    ]
    bad = api.post("/policies", admin, json={"effective_from": date.today().isoformat(),
                                              "checklist": [*checklist, checklist[0]]})
    assert bad.status_code == 422
    unknown = api.post("/policies", admin, json={
        "effective_from": date.today().isoformat(),
        "checklist": [{**checklist[0], "required_for": ["teleport"]}]})
    assert unknown.status_code == 422
    set_ = api.post("/policies", admin, json={"effective_from": date.today().isoformat(),
                                               "checklist": checklist, "note": "Pagaré"})
    assert set_.status_code == 201, set_.json
    assert [i["kind"] for i in set_.json["parameters"]["checklist"]] == [
        "technical_project", "promissory_note"]
    assert api.get("/policy").json["parameters"]["checklist"][1]["labels"]["es"] == (
        "Pagaré firmado")
    proposal = make.proposal(cast, at=State.AGREEMENT)   # only the technical project needed
    assert len(listing(api, proposal.id, cast[Role.SME])["items"]) == 1
    r = api.act(proposal.id, cast[Role.SME], "sign", terms_sha256=proposal.terms_sha256)
    assert r.status_code == 422 and r.json["message"] == "Falta el documento «Pagaré firmado»."
