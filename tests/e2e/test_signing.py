"""Signing the agreement with the e.firma: the API, the page without JavaScript, revocation,
the trust store, and audit verify checking every stored signature again."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from promtel_fin.domain import efirma
from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import HistoryEntry, Proposal, Signature, User
from promtel_fin.services.agreement import agreement_document
from promtel_fin.services.efirma import trust_store

from ..audit_helpers import checks, tamper, verify
from ..efirma_helpers import NOW, b64, pki
from ..factories import Factory
from .conftest import ApiClient
from .pages import csrf, post, sign_in, text


def _agreed(make: Factory) -> tuple[dict[Role, User], Proposal]:
    cast = make.cast()
    return cast, make.proposal(cast, at=State.AGREEMENT)


def _cadena(api: ApiClient, proposal: Proposal, user: User) -> str:
    return api.get(f"/proposals/{proposal.id}/agreement", user).json["cadena_original"]


def _sign(api: ApiClient, proposal: Proposal, user: User, **params: Any) -> Any:
    return api.act(proposal.id, user, "sign", terms_sha256=proposal.terms_sha256, **params)


def _reasons(response: Any) -> list[str]:
    return [r["code"] for r in response.json["errors"]["reasons"]]


def test_the_agreement_is_the_canonical_text_both_parties_sign(
        api: ApiClient, make: Factory) -> None:
    cast, proposal = _agreed(make)
    answers = [api.get(f"/proposals/{proposal.id}/agreement", cast[r]) for r in Role]
    assert [a.status_code for a in answers] == [200] * 4
    body = answers[0].json
    assert all(a.json == body for a in answers)
    text_ = body["cadena_original"]
    assert body["sha256"] == hashlib.sha256(text_.encode("utf-8")).hexdigest()
    lines = text_.split("\n")
    company = proposal.company
    for line in (f"folio|{proposal.folio}", f"rfc_acreditado|{company.rfc}",
                 f"acreditado|{company.legal_name}", "monto|4500000.00", "plazo_meses|40",
                 f"rfc_funcionario_que_aprobo|{cast[Role.FOCIR].rfc}",
                 f"sha256_terminos|{proposal.terms_sha256}"):
        assert line in lines, line
    assert any(line.startswith("total_a_pagar|") for line in lines)
    assert body["signatures"] == [] and not text_.endswith("\n")


def test_the_agreement_is_hidden_or_not_there_yet(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    early = make.proposal(cast, at=State.FOCIR_DECISION)
    r = api.get(f"/proposals/{early.id}/agreement", cast[Role.SME])
    assert r.status_code == 409 and _reasons(r) == ["agreement_not_ready"]
    agreed = make.proposal(cast, at=State.AGREEMENT)
    assert api.get(f"/proposals/{agreed.id}/agreement", make.user(Role.SME)).status_code == 404
    assert api.get(f"/proposals/{agreed.id}/agreement").status_code == 401
    assert api.get("/proposals/999999/agreement", cast[Role.SME]).status_code == 404
    hidden = make.proposal(make.cast(), at=State.PROMTEL_VERIFICATION)
    assert api.get(f"/proposals/{hidden.id}/agreement", cast[Role.FOCIR]).status_code == 404


def test_both_parties_sign_and_each_signature_is_stored_and_chained(
        api: ApiClient, make: Factory, session: Session) -> None:
    cast, proposal = _agreed(make)
    text_ = _cadena(api, proposal, cast[Role.SME])
    company_cert = pki().certificate(proposal.company.rfc, representative_rfc="RAMA750315A18",
                                     curp="RAMA750315MMSMRN08", name="TELECOM RURAL")
    signature = efirma.sign(pki().key, text_)
    r = _sign(api, proposal, cast[Role.SME], certificate=b64(efirma.der(company_cert)),
              signature=b64(signature))
    assert r.status_code == 200, r.json
    assert r.json["state"] == "agreement" and r.json["waiting_on"] == ["focir"]
    officer = cast[Role.FOCIR]
    r = _sign(api, proposal, officer, **pki().sign_params(text_, pki().certificate(officer.rfc)))
    assert r.status_code == 200, r.json
    assert r.json["state"] == "signed"

    agreement = api.get(f"/proposals/{proposal.id}/agreement", cast[Role.PROMTEL]).json
    assert agreement["cadena_original"] == text_   # signing does not change the text
    sme_sig, focir_sig = agreement["signatures"]
    assert sme_sig == {
        "party": "sme", "name": "TELECOM RURAL", "rfc": proposal.company.rfc,
        "curp": "RAMA750315MMSMRN08",
        "certificate_number": efirma.certificate_number(company_cert),
        "signed_at": sme_sig["signed_at"],
        "signature_sha256": hashlib.sha256(signature).hexdigest()}
    assert (focir_sig["party"], focir_sig["rfc"]) == ("focir", officer.rfc)

    row = session.scalars(select(Signature).where(Signature.proposal_id == proposal.id,
                                                  Signature.party == "sme")).one()
    assert row.certificate == efirma.der(company_cert) and row.signature == signature
    assert row.cadena_original == text_
    entry = session.scalars(select(HistoryEntry).where(
        HistoryEntry.proposal_id == proposal.id, HistoryEntry.action == "sign")
        .order_by(HistoryEntry.seq)).first()
    assert entry.payload["certificate_number"] == row.certificate_number
    assert entry.payload["signature_sha256"] == hashlib.sha256(signature).hexdigest()
    # The same contract for the PDF: agreement_document.
    document = agreement_document(session, cast[Role.ADMIN], proposal.id)
    assert set(document["signatures"][0]) == {"party", "name", "rfc", "curp",
                                              "certificate_number", "signed_at",
                                              "signature_sha256"}


@pytest.mark.parametrize("case", ["expired", "not_yet_valid", "other_ca", "csd", "wrong_rfc",
                                  "wrong_key", "altered_text"])
def test_each_bad_signature_is_refused_with_its_reason_and_nothing_is_stored(
        api: ApiClient, make: Factory, session: Session, case: str) -> None:
    cast, proposal = _agreed(make)
    sme = cast[Role.SME]
    rfc = proposal.company.rfc
    text_ = _cadena(api, proposal, sme)
    key = pki().key
    cert = {
        "expired": lambda: pki().certificate(rfc, not_before=NOW - timedelta(days=1500),
                                             not_after=NOW - timedelta(days=1)),
        "not_yet_valid": lambda: pki().certificate(rfc, not_before=NOW + timedelta(days=1)),
        "other_ca": lambda: pki().certificate(rfc, authority=pki().other_ca),
        "csd": lambda: pki().certificate(rfc, csd=True),
        "wrong_rfc": lambda: pki().certificate("CSA190312AB2"),
    }.get(case, lambda: pki().certificate(rfc))()
    if case == "wrong_key":
        key = pki().other_key
    signed_text = text_.replace("monto|4500000.00", "monto|450000.00") \
        if case == "altered_text" else text_
    r = _sign(api, proposal, sme, certificate=b64(efirma.der(cert)),
              signature=b64(efirma.sign(key, signed_text)))
    expected = {"expired": "certificate_expired", "not_yet_valid": "certificate_not_yet_valid",
                "other_ca": "certificate_untrusted", "csd": "certificate_is_csd",
                "wrong_rfc": "certificate_rfc_mismatch", "wrong_key": "signature_invalid",
                "altered_text": "signature_invalid"}[case]
    assert r.status_code == 422 and _reasons(r) == [expected]
    assert r.json["errors"]["fields"]
    session.expire_all()
    assert session.get(Proposal, proposal.id).signatures == []
    assert api.get(f"/proposals/{proposal.id}", sme).json["allowed_actions"] == [
        "sign", "withdraw"]


def test_reasons_are_in_the_users_language(api: ApiClient, make: Factory) -> None:
    cast, proposal = _agreed(make)
    text_ = _cadena(api, proposal, cast[Role.SME])
    params = pki().sign_params(text_, pki().certificate("CSA190312AB2"))
    spanish = _sign(api, proposal, cast[Role.SME], **params)
    assert "no a " + proposal.company.rfc in spanish.json["errors"]["reasons"][0]["message"]
    english = api.act(proposal.id, cast[Role.SME], "sign", lang="en",
                      terms_sha256=proposal.terms_sha256, **params)
    assert english.json["errors"]["reasons"][0]["message"] == (
        f"The certificate belongs to RFC CSA190312AB2, not to {proposal.company.rfc}.")


@pytest.mark.parametrize(("certificate", "signature", "field"), [
    ("no es base64!", b64(b"x"), "certificate"),
    (b64(b"x"), "%%%", "signature"),
    ("", b64(b"x"), "certificate"),
    (b64(b"x" * 16385), b64(b"x"), "certificate"),
    (b64(b"x"), b64(b"x" * 1025), "signature"),
])
def test_malformed_base64_or_oversized_input_is_a_field_error(
        api: ApiClient, make: Factory, certificate: str, signature: str, field: str) -> None:
    cast, proposal = _agreed(make)
    r = _sign(api, proposal, cast[Role.SME], certificate=certificate, signature=signature)
    assert r.status_code == 422 and field in r.json["errors"]


def test_a_certificate_that_is_not_one_is_refused_as_unreadable(
        api: ApiClient, make: Factory) -> None:
    cast, proposal = _agreed(make)
    r = _sign(api, proposal, cast[Role.SME], certificate=b64(b"\x30\x03\x02\x01\x01"),
              signature=b64(b"x" * 256))
    assert r.status_code == 422 and _reasons(r) == ["certificate_unreadable"]


def test_signing_needs_the_certificate_and_the_signature(api: ApiClient, make: Factory) -> None:
    cast, proposal = _agreed(make)
    r = api.post(f"/proposals/{proposal.id}/transitions", cast[Role.SME], json={
        "action": "sign", "version": proposal.version, "terms_sha256": proposal.terms_sha256})
    assert r.status_code == 422
    assert _reasons(r) == ["certificate_required", "signature_required"]


def test_an_officer_signs_with_his_own_efirma_only(api: ApiClient, make: Factory,
                                                   session: Session) -> None:
    cast, proposal = _agreed(make)
    officer = cast[Role.FOCIR]
    text_ = _cadena(api, proposal, officer)
    company = pki().sign_params(text_, pki().certificate(proposal.company.rfc))
    r = _sign(api, proposal, officer, **company)
    assert r.status_code == 422 and _reasons(r) == ["certificate_rfc_mismatch"]
    colleague = make.user(Role.FOCIR)
    r = _sign(api, proposal, officer, **pki().sign_params(text_,
                                                          pki().certificate(colleague.rfc)))
    assert r.status_code == 422 and _reasons(r) == ["certificate_rfc_mismatch"]
    no_rfc = make.user(Role.FOCIR, rfc=None)
    r = _sign(api, proposal, no_rfc, **company)
    assert r.status_code == 422 and _reasons(r) == ["officer_without_rfc"]


class FakeOcsp:
    """A revocation service that answers what the test says, and records what it was asked."""

    def __init__(self, answer: str):
        self.answer, self.asked = answer, []

    def status(self, certificate: Any, issuer: Any) -> str:
        self.asked.append((efirma.certificate_number(certificate), issuer.subject))
        return self.answer


@pytest.mark.parametrize(("answer", "outcome"), [("good", None),
                                                 ("revoked", "certificate_revoked"),
                                                 ("unknown", "certificate_status_unknown")])
def test_revocation_is_asked_when_a_checker_is_set(
        app: Flask, api: ApiClient, make: Factory, answer: str, outcome: str | None) -> None:
    cast, proposal = _agreed(make)
    checker = FakeOcsp(answer)
    app.extensions["efirma_ocsp"] = checker
    cert = pki().certificate(proposal.company.rfc)
    r = _sign(api, proposal, cast[Role.SME],
              **pki().sign_params(_cadena(api, proposal, cast[Role.SME]), cert))
    assert checker.asked == [(efirma.certificate_number(cert), pki().ca.certificate.subject)]
    if outcome is None:
        assert r.status_code == 200
    else:
        assert r.status_code == 422 and _reasons(r) == [outcome]


def test_revocation_is_off_by_default(app: Flask) -> None:
    from promtel_fin.services.efirma import ocsp_checker

    with app.app_context():
        assert app.config["EFIRMA_OCSP_URL"] == "" and ocsp_checker() is None


def test_audit_verify_checks_every_stored_signature_again(
        app: Flask, make: Factory, session: Session) -> None:
    signed = make.proposal(at=State.SIGNED)
    other = make.proposal(at=State.SIGNED)
    code, report = verify(app)
    assert code == 0, report
    row = session.scalars(select(Signature).where(Signature.proposal_id == signed.id,
                                                  Signature.party == "sme")).one()
    flipped = row.signature[:-1] + bytes([row.signature[-1] ^ 1])
    tamper(session, "UPDATE signatures SET signature = :s WHERE id = :i", s=flipped, i=row.id)
    code, report = verify(app)
    assert code == 1
    assert checks(report, signed.id) == {"signature"}
    assert checks(report, other.id) == set()
    messages = [p["message"] for p in report["problems"] if p["proposal_id"] == signed.id]
    assert any("does not verify" in m for m in messages), messages
    assert any("signature_sha256" in m for m in messages), messages


def test_audit_verify_catches_a_changed_signed_text(app: Flask, make: Factory,
                                                    session: Session) -> None:
    signed = make.proposal(at=State.SIGNED)
    row = session.scalars(select(Signature).where(Signature.proposal_id == signed.id,
                                                  Signature.party == "focir")).one()
    tamper(session, "UPDATE signatures SET cadena_original = :t WHERE id = :i",
           t=row.cadena_original.replace("monto|4500000.00", "monto|9500000.00"), i=row.id)
    code, report = verify(app)
    assert code == 1 and checks(report, signed.id) == {"signature"}
    messages = " ".join(p["message"] for p in report["problems"])
    assert "does not hash" in messages and "does not verify" in messages


def test_the_signing_page_works_without_javascript(
        client: FlaskClient, make: Factory, session: Session) -> None:
    cast, proposal = _agreed(make)
    path = f"/proposals/{proposal.id}/sign"
    sign_in(client, cast[Role.SME])
    dossier = text(client.get(f"/proposals/{proposal.id}"))
    assert path in dossier
    page = client.get(path)
    html = text(page)
    assert page.status_code == 200
    assert "openssl pkcs8 -inform DER -in FILE.key -out key.pem" in html
    assert "openssl dgst -sha256 -sign key.pem -out firma.bin cadena.txt" in html
    assert 'enctype="multipart/form-data"' in html
    # Only same-origin scripts, no inline code; the key's inputs are outside the form, unnamed.
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/vendor/node-forge/forge.min.js" defer>',
        '<script src="/static/signing.js" defer>']
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    form = html[html.index('<form method="post" action="' + path):]
    assert 'id="key-file"' not in form and 'id="key-password"' not in form
    assert not re.search(r'<input[^>]*id="key-(file|password)"[^>]*name=', html)
    # The text to sign, downloaded byte for byte, is the API's cadena original.
    download = client.get(f"/proposals/{proposal.id}/agreement.txt")
    cadena = download.get_data().decode("utf-8")
    assert download.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert f"{proposal.folio}-cadena-original.txt" in download.headers["Content-Disposition"]
    assert cadena == agreement_document(session, cast[Role.SME], proposal.id)["cadena_original"]

    cert = efirma.der(pki().certificate(proposal.company.rfc))
    base = {"version": str(proposal.version), "terms_sha256": proposal.terms_sha256,
            "accept": "yes"}
    # A signature by another key: the page says why, in Spanish, and keeps what was pasted.
    wrong = b64(efirma.sign(pki().other_key, cadena))
    r = post(client, path, {**base, "signature": wrong,
                            "certificate_file": (io.BytesIO(cert), "firma.cer")})
    assert r.status_code == 422 and "La firma no se verifica" in text(r)
    assert wrong in text(r)
    r = post(client, path, {**base, "signature": "",
                            "certificate_file": (io.BytesIO(b""), "")})
    assert r.status_code == 422 and "certificate-error" in text(r)
    # The openssl way: the .cer and firma.bin (binary) uploaded.
    r = post(client, path, {**base, "certificate_file": (io.BytesIO(cert), "firma.cer"),
                            "signature_file": (io.BytesIO(efirma.sign(pki().key, cadena)),
                                               "firma.bin")})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/proposals/{proposal.id}")
    session.expire_all()
    assert [s.party for s in session.get(Proposal, proposal.id).signatures] == ["sme"]

    # The officer pastes base64 (what `openssl base64 -A` writes), over two lines.
    client.post("/logout", data={"csrf_token": csrf(client, "/dashboard")})
    officer = cast[Role.FOCIR]
    sign_in(client, officer)
    current = session.get(Proposal, proposal.id)
    pasted = base64.encodebytes(efirma.sign(pki().key, cadena)).decode()
    r = post(client, path, {"version": str(current.version),
                            "terms_sha256": proposal.terms_sha256, "accept": "yes",
                            "signature": pasted, "certificate_file": (io.BytesIO(efirma.der(
                                pki().certificate(officer.rfc))), "oficial.cer")})
    assert r.status_code == 302, text(r)[:2000]
    session.expire_all()
    assert session.get(Proposal, proposal.id).state == "signed"
    signed_page = text(client.get(path))
    assert officer.rfc in signed_page and 'id="form-sign"' not in signed_page


def test_the_signing_page_is_hidden_from_others(client: FlaskClient, make: Factory) -> None:
    _cast, proposal = _agreed(make)
    sign_in(client, make.user(Role.SME))
    assert client.get(f"/proposals/{proposal.id}/sign").status_code == 404
    assert client.get(f"/proposals/{proposal.id}/agreement.txt").status_code == 404


def test_the_trust_store_reads_a_directory_and_production_ignores_the_demo_ca(
        tmp_path: Any) -> None:
    from cryptography.hazmat.primitives import serialization

    store = tmp_path / "sat"
    store.mkdir()
    (store / "ac4.cer").write_bytes(efirma.der(pki().ca.certificate))
    (store / "ac5.crt").write_bytes(pki().other_ca.certificate.public_bytes(
        serialization.Encoding.PEM))
    (store / "notes.txt").write_text("not a certificate")
    (store / "broken.cer").write_bytes(b"not a certificate either")   # skipped, logged
    demo = tmp_path / "demo"
    demo.mkdir()
    (demo / "demo-ca.pem").write_bytes(pki().other_ca.certificate.public_bytes(
        serialization.Encoding.PEM))
    config = {"EFIRMA_CA_CERTS": str(store), "EFIRMA_DEMO_DIR": str(demo)}
    assert trust_store({**config, "ENV": "production"}) == [pki().ca.certificate,
                                                             pki().other_ca.certificate]
    only_demo = {"EFIRMA_CA_CERTS": "", "EFIRMA_DEMO_DIR": str(demo)}
    assert trust_store({**only_demo, "ENV": "development"}) == [pki().other_ca.certificate]
    assert trust_store({**only_demo, "ENV": "production"}) == []


def test_users_create_records_an_officers_rfc(app: Flask, session: Session) -> None:
    runner = app.test_cli_runner()
    good = runner.invoke(args=["users", "create", "oficial@example.mx", "--role", "focir",
                               "--password", "Ocelote-Tinta-Viento-7", "--rfc",
                               "lova800101a15"])
    assert good.exit_code == 0, good.output
    assert "rfc=LOVA800101A15" in good.output
    assert session.scalar(select(User.rfc).where(User.email == "oficial@example.mx")) == \
        "LOVA800101A15"
    for bad in ("FMR180605CD1", "LOVA800101A16", "XXXX"):
        refused = runner.invoke(args=["users", "create", f"o{len(bad)}@example.mx", "--role",
                                      "focir", "--password", "Ocelote-Tinta-Viento-7",
                                      "--rfc", bad])
        assert refused.exit_code != 0 and bad in refused.output, refused.output
