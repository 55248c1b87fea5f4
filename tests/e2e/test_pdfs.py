"""The agreement and the term sheet as PDF (issue 10 §3): what they print, checked against a
schedule computed here independently, who may download them, and when."""

from __future__ import annotations

import hashlib
import io
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from flask import Flask
from flask.testing import FlaskClient
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTComponent
from pypdf import PdfReader

from config import ConfigError
from promtel_fin import pdfs
from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import Proposal, User

from ..factories import TERMS, Factory
from .conftest import ApiClient
from .pages import sign_in, text
from .test_statement_counts import counting

MM = Decimal("72") / Decimal("25.4")   # points in a millimetre
LETTER = (612, 792)
A4_WIDTH = Decimal("595.28")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def pesos(value: Decimal) -> str:
    return f"${value:,.2f}"


def expected_rows() -> list[tuple[int, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal]]:
    """The factory's approved terms (4,500,000.00 at 10% + 16% VAT, 40 months, 6 of grace,
    fixed payments) worked out here with the rules of docs/rules.md, not with the app's code."""
    amount, rate, vat = Decimal(TERMS["amount"]), Decimal(TERMS["annual_rate"]), \
        Decimal(TERMS["vat_rate"])
    term, grace = TERMS["term_months"], TERMS["grace_months"]
    monthly = rate / 12
    with localcontext() as ctx:
        ctx.prec = 50
        installment = cents(amount * monthly / (1 - (1 + monthly) ** -(term - grace)))
    rows, balance = [], amount
    for month in range(1, term + 1):
        interest = cents(balance * monthly)
        tax = cents(interest * vat)
        principal = Decimal("0.00") if month <= grace else \
            balance if month == term else installment - interest
        rows.append((month, balance, interest, tax, principal, principal + interest + tax,
                     balance - principal))
        balance -= principal
    assert balance == 0
    return rows


@pytest.fixture
def cast(make: Factory) -> dict[Role, User]:
    return make.cast()


def test_the_signed_agreement_prints_folio_parties_terms_schedule_and_signatures(
        api: ApiClient, make: Factory, cast: dict[Role, User]) -> None:
    proposal = make.proposal(cast, at=State.SIGNED)
    company = cast[Role.SME].company
    r = api.get(f"/proposals/{proposal.id}/agreement.pdf", cast[Role.SME])
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    assert r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"] == \
        f'attachment; filename="{proposal.folio}-convenio.pdf"'
    assert r.headers["Cache-Control"] == "no-store"
    printed = pdf_text(r.data)
    lines = printed.splitlines()

    assert "Convenio de financiamiento" in printed          # Spanish, whatever the client asks
    assert f"Folio {proposal.folio}" in printed
    assert f"La acreditada: {company.legal_name}, RFC {company.rfc}" in printed
    assert "Fondo de Capitalización e Inversión del Sector Rural (FOCIR)" in printed
    assert "Promotor de Inversiones en Telecomunicaciones (PROMTEL)" in printed
    assert "Monto del crédito $4,500,000.00" in lines
    assert "Tasa de interés anual (fija) 10.00%" in lines
    assert "Plazo 40 meses" in lines
    assert proposal.terms_sha256 in printed
    assert "Garantías: Inmueble, $7,000,000.00 (Terreno y caseta)." in printed

    rows = expected_rows()
    for month, opening, interest, tax, principal, payment, closing in rows:
        line = " ".join([str(month), *map(pesos, (opening, interest, tax, principal, payment,
                                                   closing))])
        assert line in lines, f"month {month}: {line}"
    total = sum(row[5] for row in rows)
    total_vat = sum(row[3] for row in rows)
    assert total == Decimal("5556950.03") and total_vat == Decimal("145786.26")
    assert f"Total a pagar {pesos(total)}" in lines
    assert f"IVA total {pesos(total_vat)}" in lines
    assert (f"Total {pesos(sum(row[2] for row in rows))} {pesos(total_vat)} "
            f"{pesos(Decimal(TERMS['amount']))} {pesos(total)}") in lines

    assert "Firmas" in lines
    for party in (f"Por la acreditada, {company.legal_name}", "Por el acreditante, "
                  "Fondo de Capitalización e Inversión del Sector Rural (FOCIR)"):
        assert party in printed
    # Each signer as the e.firma names them, with the certificate's SAT number, RFC and the
    # digest of the signature stored for them (services/agreement.py).
    for signature in proposal.signatures:
        assert f"Firmó: {signature.signer_name}" in printed
        assert f"RFC: {signature.rfc}" in printed
        assert f"Número de certificado del SAT: {signature.certificate_number}" in printed
        assert hashlib.sha256(signature.signature).hexdigest() in printed
    when = re.findall(r"Fecha y hora de firma: \d{1,2} de [a-z]+ de \d{4}, "
                      r"\d{1,2}:\d{2}:\d{2} -0600", printed)
    assert len(when) == 2
    assert "Número de certificado del SAT: —" not in printed
    assert "Pendiente de la firma" not in printed


def test_the_agreement_awaiting_signatures_shows_who_is_still_to_sign(
        api: ApiClient, make: Factory, cast: dict[Role, User]) -> None:
    proposal = make.proposal(cast, at=State.AGREEMENT)
    printed = pdf_text(api.get(f"/proposals/{proposal.id}/agreement.pdf", cast[Role.FOCIR]).data)
    assert printed.count("Pendiente de la firma de esta parte.") == 2
    make.act(proposal.id, cast[Role.SME], "sign")
    printed = pdf_text(api.get(f"/proposals/{proposal.id}/agreement.pdf", cast[Role.FOCIR]).data)
    signed = make.session.get(Proposal, proposal.id).signatures
    assert f"Firmó: {signed[0].signer_name}" in printed
    assert printed.count("Pendiente de la firma de esta parte.") == 1


def test_the_term_sheet(api: ApiClient, make: Factory, cast: dict[Role, User]) -> None:
    proposal = make.proposal(cast, at=State.AGREEMENT)
    r = api.get(f"/proposals/{proposal.id}/terms.pdf", cast[Role.PROMTEL], lang="en")
    assert r.status_code == 200   # in Spanish, whatever language the client reads
    assert r.headers["Content-Disposition"] == \
        f'attachment; filename="{proposal.folio}-terminos.pdf"'
    printed = pdf_text(r.data)
    lines = printed.splitlines()
    assert "Hoja de términos" in lines and f"Folio {proposal.folio}" in printed
    assert proposal.terms_sha256 in printed
    for month, opening, interest, tax, principal, payment, closing in expected_rows():
        assert " ".join([str(month), *map(pesos, (opening, interest, tax, principal, payment,
                                                   closing))]) in lines
    assert "Firmas" not in lines


def test_letter_pages_whose_text_fits_a4_with_embedded_fonts(
        api: ApiClient, make: Factory, cast: dict[Role, User]) -> None:
    proposal = make.proposal(cast, at=State.SIGNED)
    data = api.get(f"/proposals/{proposal.id}/agreement.pdf", cast[Role.SME]).data
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        assert [float(v) for v in page.mediabox] == [0, 0, *LETTER]
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert font["/Subtype"] == "/Type0"   # a TrueType subset, with its glyphs
            assert "/FontFile2" in font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
    # Every character lies inside the part Letter and A4 share when centred (210 x 279.4 mm),
    # with 10 mm to spare for a printer's margin: it prints whole on either at 100%.
    spare = 10 * MM
    left = (LETTER[0] - A4_WIDTH) / 2 + spare
    right = LETTER[0] - (LETTER[0] - A4_WIDTH) / 2 - spare
    chars = 0

    def walk(item: LTComponent) -> None:
        nonlocal chars
        if isinstance(item, LTChar) and item.get_text().strip():
            chars += 1
            assert left <= Decimal(str(item.x0)) and Decimal(str(item.x1)) <= right, item
            assert spare <= Decimal(str(item.y0)) and Decimal(str(item.y1)) <= LETTER[1] - spare
        for child in getattr(item, "_objs", []):
            walk(child)

    for layout in extract_pages(io.BytesIO(data)):
        walk(layout)
    assert chars > 2000


def test_who_may_download(api: ApiClient, make: Factory, cast: dict[Role, User]) -> None:
    proposal = make.proposal(cast, at=State.SIGNED)
    other_sme = make.user(Role.SME)
    colleague = make.user(Role.SME, company=cast[Role.SME].company)
    readers = [cast[Role.SME], colleague, cast[Role.PROMTEL], cast[Role.FOCIR], cast[Role.ADMIN]]
    for kind, users in (("agreement", readers), ("terms", readers[1::2])):
        path = f"/proposals/{proposal.id}/{kind}.pdf"
        for user in users:
            assert api.get(path, user).status_code == 200, (kind, user.role)
        hidden = api.get(path, other_sme)
        assert hidden.status_code == 404 and hidden.json["errors"]["reasons"][0]["code"] == \
            "proposal_not_found"
        assert api.get(path).status_code == 401
        assert api.get(f"/proposals/{2**31}/{kind}.pdf", cast[Role.ADMIN]).status_code == 404


@pytest.mark.parametrize("state", [State.CONTACT, State.FOCIR_FEEDBACK, State.FOCIR_DECISION,
                                   State.REJECTED, State.WITHDRAWN])
def test_nothing_before_focir_approves(api: ApiClient, make: Factory, cast: dict[Role, User],
                                       state: State) -> None:
    proposal = make.proposal(cast, at=state)
    for kind in ("agreement", "terms"):
        r = api.get(f"/proposals/{proposal.id}/{kind}.pdf", cast[Role.PROMTEL], lang="en")
        assert r.status_code == 409, (state, kind)
        assert r.json["errors"]["reasons"][0]["code"] == "paper_not_available"
        assert "once FOCIR approves" in r.json["message"]


def test_the_dossier_links_to_both_and_the_pages_serve_them(
        client: FlaskClient, make: Factory, cast: dict[Role, User]) -> None:
    ready = make.proposal(cast, at=State.AGREEMENT)
    waiting = make.proposal(cast, at=State.FOCIR_DECISION)
    sign_in(client, cast[Role.SME])
    page = text(client.get(f"/proposals/{ready.id}"))
    for kind in ("agreement", "terms"):
        assert f'href="/proposals/{ready.id}/{kind}.pdf"' in page
    before = text(client.get(f"/proposals/{waiting.id}"))
    assert "agreement.pdf" not in before and "terms.pdf" not in before
    r = client.get(f"/proposals/{ready.id}/agreement.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.headers["Cache-Control"] == "no-store"
    assert f"Folio {ready.folio}" in pdf_text(r.data)
    assert client.get(f"/proposals/{waiting.id}/terms.pdf").status_code == 409
    assert client.get(f"/proposals/{ready.id}/other.pdf").status_code == 404


def test_another_company_gets_404_from_the_pages(client: FlaskClient, make: Factory,
                                                 cast: dict[Role, User]) -> None:
    proposal: Proposal = make.proposal(cast, at=State.SIGNED)
    sign_in(client, make.user(Role.SME))
    assert client.get(f"/proposals/{proposal.id}/agreement.pdf").status_code == 404
    client.post("/logout")


def test_a_few_statements_per_pdf(app: Flask, api: ApiClient, make: Factory,
                                  cast: dict[Role, User]) -> None:
    """The bearer token, the proposal with its parts and the policy, the approval, the
    signers: four statements, whoever signed."""
    proposal = make.proposal(cast, at=State.SIGNED)
    api.headers(cast[Role.FOCIR])   # the token is made before counting
    for kind in ("agreement", "terms"):
        with counting(app) as statements:
            assert api.get(f"/proposals/{proposal.id}/{kind}.pdf",
                           cast[Role.FOCIR]).status_code == 200
        assert len(statements) <= 4, statements


def _certificate(subject: str, key: Any, issuer: x509.Certificate | None, issuer_key: Any,
                 ca: bool) -> x509.Certificate:
    now = datetime.now(UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    return (x509.CertificateBuilder().subject_name(name)
            .issuer_name(issuer.subject if issuer else name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=not ca, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                encipher_only=False, decipher_only=False), critical=True)
            .sign(issuer_key, hashes.SHA256()))


def test_a_signed_agreement_is_sealed_with_the_institutions_certificate(
        app: Flask, api: ApiClient, make: Factory, cast: dict[Role, User],
        tmp_path: Path) -> None:
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = _certificate("CA de prueba", ca_key, None, ca_key, ca=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = _certificate("FOCIR, sello institucional", key, ca, ca_key, ca=False)
    pem = serialization.Encoding.PEM
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(pem))
    (tmp_path / "seal.pem").write_bytes(certificate.public_bytes(pem))
    (tmp_path / "seal.key").write_bytes(key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"clave-del-sello")))
    app.config.update(AGREEMENT_SEAL_KEY=str(tmp_path / "seal.key"),
                      AGREEMENT_SEAL_CERT=str(tmp_path / "seal.pem"),
                      AGREEMENT_SEAL_CHAIN=str(tmp_path / "ca.pem"),
                      AGREEMENT_SEAL_PASSWORD="clave-del-sello")
    pdfs.init_app(app)

    signed = make.proposal(cast, at=State.SIGNED)
    data = api.get(f"/proposals/{signed.id}/agreement.pdf", cast[Role.SME]).data
    signatures = PdfFileReader(io.BytesIO(data)).embedded_signatures
    assert len(signatures) == 1
    # pyHanko's synchronous validation calls asyncio.run(): in a thread of its own, since the
    # browser tests leave an event loop running in this one.
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(tmp_path / "ca.pem"))])
    with ThreadPoolExecutor(max_workers=1) as pool:
        status = pool.submit(validate_pdf_signature, signatures[0], context).result()
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert f"Folio {signed.folio}" in pdf_text(data)   # the text is still there to read

    # Neither the term sheet nor an agreement still awaiting a signature is sealed.
    waiting = make.proposal(cast, at=State.AGREEMENT)
    for path in (f"/proposals/{signed.id}/terms.pdf", f"/proposals/{waiting.id}/agreement.pdf"):
        assert PdfFileReader(io.BytesIO(api.get(path, cast[Role.SME]).data)
                             ).embedded_signatures == []


def test_a_seal_that_cannot_be_read_stops_the_start(tmp_path: Path) -> None:
    (tmp_path / "seal.pem").write_text("not a certificate")
    with pytest.raises(ConfigError, match="cannot read the agreement seal"):
        pdfs.load_seal({"AGREEMENT_SEAL_KEY": str(tmp_path / "seal.pem"),
                        "AGREEMENT_SEAL_CERT": str(tmp_path / "seal.pem")})
    with pytest.raises(ConfigError, match="go together"):
        pdfs.load_seal({"AGREEMENT_SEAL_KEY": str(tmp_path / "seal.pem")})
    assert pdfs.load_seal({}) is None


def test_signing_times_given_as_text_are_read(app: Flask) -> None:
    """The signature block also takes the JSON-ready shape of the e.firma's agreement document
    (``signed_at`` as ISO 8601 text), so that one can replace ``papers.agreement``."""
    from promtel_fin.services.papers import _with_datetime

    given = {"party": "sme", "signed_at": "2026-12-01T23:59:05+00:00"}
    assert _with_datetime(given)["signed_at"] == datetime(2026, 12, 1, 23, 59, 5, tzinfo=UTC)
    moment = datetime(2026, 12, 1, tzinfo=UTC)
    assert _with_datetime({"signed_at": moment})["signed_at"] is moment


def test_sealing_works_while_the_thread_runs_an_event_loop(tmp_path: Path) -> None:
    """As under an asynchronous server, or in a test that drives a browser: pyHanko's own
    synchronous call (asyncio.run) refused there and the seal came out empty."""
    import asyncio

    from fpdf import FPDF
    from pyhanko.sign import signers

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = _certificate("FOCIR, sello institucional", key, None, key, ca=True)
    pem = serialization.Encoding.PEM
    (tmp_path / "seal.pem").write_bytes(certificate.public_bytes(pem))
    (tmp_path / "seal.key").write_bytes(key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    signer = signers.SimpleSigner.load(str(tmp_path / "seal.key"), str(tmp_path / "seal.pem"))
    document = FPDF()
    document.add_page()
    data = bytes(document.output())

    async def inside_a_loop() -> bytes:
        return pdfs.seal(data, signer)

    # A thread whose event loop is running, like the app's under an asynchronous server.
    with ThreadPoolExecutor(max_workers=1) as pool:
        sealed = pool.submit(asyncio.run, inside_a_loop()).result()
    update = sealed[len(data):]
    assert sealed.startswith(data) and b"SelloInstitucional" in update and b"/ByteRange" in update
