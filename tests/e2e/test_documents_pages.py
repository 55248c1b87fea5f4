"""The dossier's documents without JavaScript: the checklist with each status, an upload form
per item (multipart, CSRF), the reviewers' accept and reject with reason; the admin's
checklist."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from promtel_fin.domain.policy import DEFAULT_CHECKLIST
from promtel_fin.domain.workflow import Role, State
from promtel_fin.services import documents
from promtel_fin.services.policy import current_policy

from ..documents_helpers import EXE, PDF
from ..factories import Factory
from .pages import csrf, post, sign_in, text


def _current(session: Session, proposal_id: int, kind: str):
    session.expire_all()
    return next(d for d in documents.proposal_documents(session, proposal_id)
                if d.kind == kind and d.is_current)


def test_the_dossier_shows_the_checklist_and_the_company_uploads_from_it(
        client: FlaskClient, make: Factory, session: Session) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT)
    sign_in(client, cast[Role.SME])
    dossier = f"/proposals/{proposal.id}"
    page = text(client.get(dossier))
    assert 'id="documents"' in page and "Acta constitutiva" in page
    assert page.count('enctype="multipart/form-data"') == 9   # not FOCIR's memo
    assert "0 de 9 documentos obligatorios aceptados." in page
    assert "Falta" in page
    r = post(client, f"{dossier}/documents",
             {"kind": "technical_project", "file": (BytesIO(PDF), "proyecto técnico.pdf")},
             token_from=dossier)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"{dossier}#documents")
    page = text(client.get(dossier))
    assert "proyecto técnico.pdf" in page and "En revisión" in page
    assert (f"Subió proyecto técnico.pdf a la propuesta {proposal.folio}; queda en espera de "
            "revisión.") in page
    stored = _current(session, proposal.id, "technical_project")
    download = client.get(f"{dossier}/documents/{stored.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert proposal.folio in download.headers["Content-Disposition"]


def test_a_refused_upload_is_shown_beside_its_form(client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT)
    sign_in(client, cast[Role.SME])
    dossier = f"/proposals/{proposal.id}"
    r = post(client, f"{dossier}/documents",
             {"kind": "technical_project", "file": (BytesIO(EXE), "proyecto.pdf")},
             token_from=dossier)
    assert r.status_code == 415
    page = text(r)
    assert "El archivo no es PDF, JPEG, PNG ni XLSX" in page
    assert 'id="file-technical_project" name="file" type="file"' in page
    empty = post(client, f"{dossier}/documents",
                 {"kind": "technical_project", "file": (BytesIO(b""), "")},
                 token_from=dossier)
    assert empty.status_code == 422 and "Elija un archivo para subir." in text(empty)


def test_an_upload_without_the_csrf_token_is_refused(client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT)
    sign_in(client, cast[Role.SME])
    r = client.post(f"/proposals/{proposal.id}/documents",
                    data={"kind": "technical_project", "file": (BytesIO(PDF), "p.pdf")})
    assert r.status_code == 400


def test_a_reviewer_accepts_and_rejects_with_a_reason_the_company_reads(
        client: FlaskClient, make: Factory, session: Session) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROPOSAL)   # papers uploaded, not reviewed
    make.act(proposal.id, cast[Role.SME], "submit_proposal")
    dossier = f"/proposals/{proposal.id}"
    sign_in(client, cast[Role.PROMTEL])
    page = text(client.get(dossier))
    assert page.count('name="decision" value="rejected"') == 9
    assert 'enctype="multipart/form-data"' not in page    # PROMTEL uploads nothing here
    bureau = _current(session, proposal.id, "credit_bureau_report")
    path = f"{dossier}/documents/{bureau.id}/review"
    bare = post(client, path, {"decision": "rejected", "reason": ""}, token_from=dossier)
    assert bare.status_code == 422
    assert "Para rechazar un documento se requiere un motivo." in text(bare)
    assert f'id="review-{bureau.id}-reason"' in text(bare)
    rejected = post(client, path, {"decision": "rejected", "reason": "Reporte ilegible."},
                    token_from=dossier)
    assert rejected.status_code == 302
    acta = _current(session, proposal.id, "articles_of_incorporation")
    accepted = post(client, f"{dossier}/documents/{acta.id}/review", {"decision": "accepted"},
                    token_from=dossier)
    assert accepted.status_code == 302
    assert "1 de 9 documentos obligatorios aceptados." in text(client.get(dossier))
    client.post("/logout", data={"csrf_token": csrf(client, dossier)})
    sign_in(client, cast[Role.SME])
    page = text(client.get(dossier))
    assert "Rechazado: Reporte ilegible." in page


def test_the_admin_edits_the_checklist_on_the_policy_page(
        client: FlaskClient, make: Factory, session: Session) -> None:
    admin = make.user(Role.ADMIN)
    sign_in(client, admin)
    page = text(client.get("/admin/policy"))
    assert 'name="checklist-0-kind" value="articles_of_incorporation"' in page
    assert 'name="checklist-7-dated" value="1" aria-label="Con vigencia 8" checked' in page
    rows = {k: v for k, v in re.findall(r'name="(checklist-\d+-[a-z_]+)" value="([^"]*)"', page)}
    form = {**rows, "checklist-present": "1", "effective_from": date.today().isoformat(),
            "note": "Pagaré"}
    form = {k: v for k, v in form.items() if not k.endswith("-dated")}
    form["checklist-7-dated"] = "1"
    form.update({f"checklist-{i}-uploaded_by": item.uploaded_by
                 for i, item in enumerate(DEFAULT_CHECKLIST)})
    # The actions are chosen in lists that show them in words, never as codes.
    assert '<option value="submit_proposal" selected>Enviar propuesta</option>' in page
    assert "(<code>" not in page and "submit_proposal, " not in page
    form.update({f"checklist-{i}-{field}": list(getattr(item, field))
                 for i, item in enumerate(DEFAULT_CHECKLIST)
                 for field in ("required_for", "optional_for")})
    form.update({"checklist-10-kind": "promissory_note", "checklist-10-label_es": "Pagaré",
                 "checklist-10-label_en": "Promissory note",
                 "checklist-10-required_for": ["present_to_focir", "approve"],
                 "checklist-10-uploaded_by": "sme",
                 "checklist-0-kind": ""})       # removes the acta constitutiva
    bad = post(client, "/admin/policy", {**form, "checklist-10-required_for": "teleport"})
    assert bad.status_code == 422 and "Elija una de las opciones de la lista." in text(bad)
    assert "submit_proposal" not in text(bad).split("<main")[1].split("<select")[0]
    saved = post(client, "/admin/policy", form)
    assert saved.status_code == 302, text(saved)[:2000]
    policy = current_policy(session)
    kinds = [i.kind for i in policy.checklist]
    assert "articles_of_incorporation" not in kinds and kinds[-1] == "promissory_note"
    assert policy.item("promissory_note").required_for == ("present_to_focir", "approve")
    assert policy.item("credit_bureau_report").dated
    assert policy.item("focir_credit_memo").uploaded_by == "focir"
    assert policy.item("focir_credit_memo").optional_for == ("approve",)
    assert policy.item("technical_project").required_for == ("submit_proposal",)
    assert policy.max_term_months == 40   # the rest unchanged
