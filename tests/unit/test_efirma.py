"""The e.firma checks, one by one, with certificates made by a test CA."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import serialization

from promtel_fin.domain import efirma
from promtel_fin.domain.efirma_issuer import sat_serial
from promtel_fin.domain.errors import CheckFailed

from ..efirma_helpers import NOW, pki

TEXT = "CONTRATO|folio|PF-2026-00042\nacreditado|Fibra Rural de Morelos, S.A. de C.V.\nmonto|1.00"
COMPANY, PERSON = "FMR180605CD1", "LOVA800101A15"


def codes(cert, signature: bytes, expected: str = COMPANY, text: str = TEXT,
          at=NOW) -> list[str]:
    _cert, problems = efirma.verify(efirma.der(cert), signature, text, at=at,
                                    trusted=[pki().ca.certificate], expected_rfc=expected)
    return [p.code for p in problems]


def test_a_good_company_efirma_passes_every_check_and_names_its_holder() -> None:
    cert = pki().certificate(COMPANY, representative_rfc="RAMA750315A18",
                             curp="RAMA750315MMSMRN08", name="FIBRA RURAL DE MORELOS")
    assert codes(cert, efirma.sign(pki().key, TEXT)) == []
    holder = efirma.holder(cert)
    assert (holder.rfc, holder.representative_rfc, holder.curp) == (
        COMPANY, "RAMA750315A18", "RAMA750315MMSMRN08")
    assert holder.name == "FIBRA RURAL DE MORELOS" and not holder.is_csd
    assert len(holder.certificate_number) == 20 and holder.certificate_number.startswith("3000")


def test_a_person_efirma_names_the_person_rfc_and_curp() -> None:
    cert = pki().certificate(PERSON, curp="LOVA800101HDFPLR09")
    holder = efirma.holder(cert)
    assert (holder.rfc, holder.representative_rfc, holder.curp) == (
        PERSON, None, "LOVA800101HDFPLR09")
    assert codes(cert, efirma.sign(pki().key, TEXT), expected=PERSON) == []


def test_the_sat_number_is_the_serial_read_as_ascii() -> None:
    cert = pki().certificate(PERSON, name="numero")
    serial = cert.serial_number
    assert efirma.certificate_number(cert) == serial.to_bytes(20, "big").decode("ascii")
    assert sat_serial("30001000000500003416").to_bytes(20, "big") == b"30001000000500003416"


def test_an_expired_certificate_is_refused_at_the_signing_time() -> None:
    cert = pki().certificate(COMPANY, not_before=NOW - timedelta(days=1500),
                             not_after=NOW - timedelta(seconds=1))
    assert codes(cert, efirma.sign(pki().key, TEXT)) == ["certificate_expired"]
    # The same certificate was good while it was valid.
    assert codes(cert, efirma.sign(pki().key, TEXT), at=NOW - timedelta(days=2)) == []


def test_a_certificate_not_yet_valid_is_refused() -> None:
    cert = pki().certificate(COMPANY, not_before=NOW + timedelta(minutes=1),
                             not_after=NOW + timedelta(days=900))
    assert codes(cert, efirma.sign(pki().key, TEXT)) == ["certificate_not_yet_valid"]
    assert codes(cert, efirma.sign(pki().key, TEXT), at=NOW + timedelta(minutes=1)) == []


def test_a_certificate_of_another_ca_is_refused() -> None:
    cert = pki().certificate(COMPANY, authority=pki().other_ca)
    assert codes(cert, efirma.sign(pki().key, TEXT)) == ["certificate_untrusted"]


def test_a_ca_with_the_same_name_but_another_key_is_not_trusted() -> None:
    from promtel_fin.domain.efirma_issuer import Authority

    impostor = Authority(pki().ca.certificate, pki().other_ca.key)  # the name, not the key
    cert = pki().certificate(COMPANY, authority=impostor)
    assert codes(cert, efirma.sign(pki().key, TEXT)) == ["certificate_untrusted"]


def test_an_empty_trust_store_trusts_nothing() -> None:
    cert = pki().certificate(COMPANY)
    _c, problems = efirma.verify(efirma.der(cert), efirma.sign(pki().key, TEXT), TEXT, at=NOW,
                                 trusted=[], expected_rfc=COMPANY)
    assert [p.code for p in problems] == ["certificate_untrusted"]


def test_a_leaf_certificate_in_the_store_is_no_ca() -> None:
    leaf = pki().certificate(PERSON)
    cert = pki().certificate(COMPANY)
    _c, problems = efirma.verify(efirma.der(cert), efirma.sign(pki().key, TEXT), TEXT, at=NOW,
                                 trusted=[leaf], expected_rfc=COMPANY)
    assert [p.code for p in problems] == ["certificate_untrusted"]


def test_a_csd_is_not_an_efirma() -> None:
    cert = pki().certificate(COMPANY, csd=True)
    assert efirma.holder(cert).is_csd
    assert codes(cert, efirma.sign(pki().key, TEXT)) == ["certificate_is_csd"]


def test_the_rfc_must_be_the_expected_one() -> None:
    cert = pki().certificate("CSA190312AB2")
    assert codes(cert, efirma.sign(pki().key, TEXT)) == ["certificate_rfc_mismatch"]
    # The representative's RFC is not the company's.
    rep = pki().certificate("CSA190312AB2", representative_rfc=COMPANY)
    assert codes(rep, efirma.sign(pki().key, TEXT)) == ["certificate_rfc_mismatch"]
    assert codes(cert, efirma.sign(pki().key, TEXT), expected=None) == [
        "certificate_rfc_mismatch"]


def test_a_signature_by_another_key_does_not_verify() -> None:
    cert = pki().certificate(COMPANY)
    assert codes(cert, efirma.sign(pki().other_key, TEXT)) == ["signature_invalid"]


def test_a_signature_of_an_altered_text_does_not_verify() -> None:
    cert = pki().certificate(COMPANY)
    signature = efirma.sign(pki().key, TEXT)
    assert codes(cert, signature, text=TEXT.replace("1.00", "1.01")) == ["signature_invalid"]
    assert codes(cert, signature, text=TEXT + "\n") == ["signature_invalid"]
    assert codes(cert, signature[:-1] + bytes([signature[-1] ^ 1])) == ["signature_invalid"]
    assert codes(cert, b"") == ["signature_invalid"]


def test_every_failed_check_is_its_own_reason() -> None:
    cert = pki().certificate("CSA190312AB2", authority=pki().other_ca, csd=True,
                             not_before=NOW - timedelta(days=900),
                             not_after=NOW - timedelta(days=1))
    assert codes(cert, efirma.sign(pki().other_key, TEXT)) == [
        "certificate_expired", "certificate_untrusted", "certificate_is_csd",
        "certificate_rfc_mismatch", "signature_invalid"]


@pytest.mark.parametrize("data", [b"", b"not a certificate", b"\x30\x82\x01\x00" + b"\0" * 50,
                                  b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"])
def test_an_unreadable_certificate_is_refused(data: bytes) -> None:
    with pytest.raises(CheckFailed) as caught:
        efirma.verify(data, b"x", TEXT, at=NOW, trusted=[], expected_rfc=COMPANY)
    assert [r.code for r in caught.value.reasons] == ["certificate_unreadable"]


def test_a_pem_certificate_is_read_too() -> None:
    cert = pki().certificate(COMPANY)
    pem = cert.public_bytes(serialization.Encoding.PEM)
    assert efirma.read_certificate(pem) == cert


def test_a_sat_style_key_is_read_with_its_password_and_refused_with_another() -> None:
    key = pki().key
    data = efirma.encrypt_key_like_sat(key, "12345678a")
    # PKCS#8 EncryptedPrivateKeyInfo with PBES2 (1.2.840.113549.1.5.13), PBKDF2 (…5.12) and
    # des-ede3-cbc (1.2.840.113549.3.7), as the SAT hands out its .key files.
    assert bytes.fromhex("06092a864886f70d01050d") in data
    assert bytes.fromhex("06092a864886f70d01050c") in data
    assert bytes.fromhex("06082a864886f70d0307") in data
    opened = efirma.read_private_key(data, "12345678a")
    assert opened.private_numbers() == key.private_numbers()
    cert = pki().certificate(COMPANY)
    assert codes(cert, efirma.sign(opened, TEXT)) == []
    for wrong in ("12345678A", "", "12345678a "):
        with pytest.raises(CheckFailed) as caught:
            efirma.read_private_key(data, wrong)
        assert caught.value.reasons[0].code == "key_unreadable"
    with pytest.raises(CheckFailed):
        efirma.read_private_key(b"garbage", "12345678a")


def test_a_trust_store_reads_pem_bundles_and_der_files() -> None:
    ca, other = pki().ca.certificate, pki().other_ca.certificate
    bundle = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (ca, other))
    assert efirma.trusted_from([bundle]) == [ca, other]
    assert efirma.trusted_from([efirma.der(ca)]) == [ca]
