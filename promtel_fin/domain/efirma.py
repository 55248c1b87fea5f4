"""The SAT's e.firma: reading its certificates and keys, and checking a signature made with it.

An e.firma is an X.509 certificate (``.cer``, DER) issued by the SAT, with a password-protected
private key (``.key``, an encrypted PKCS#8 in DER: PBES2, PBKDF2 and des-ede3-cbc). For a
company, the subject's ``x500UniqueIdentifier`` (OID 2.5.4.45) holds ``"RFC_OF_COMPANY /
RFC_OF_REPRESENTATIVE"`` and ``serialNumber`` the representative's CURP (often written
``" / CURP"``); for a person, the person's RFC and CURP. A CSD (sello digital, for invoices)
has an organizational unit in its subject; an e.firma has none. The SAT certificate number is
the certificate's serial read as ASCII (20 digits).

Each check answers a list of reasons (empty when it holds), so that a refusal names every
failed check separately. Pure: bytes in, reasons out; reading files is the services' job.

The chain is checked by the issuer's signature on the certificate (``verify_directly_issued_by``)
against each CA of the trust store, not with ``cryptography.x509.verification``: that verifier
applies the Web PKI profile of RFC 5280 and the CA/Browser Forum (a subjectAltName on the leaf,
key usages, critical basic constraints on every CA), which the SAT's e.firma certificates and
its older CAs were never issued to meet; the SAT's intermediate CAs are put in the trust store
themselves, so one signature check from a trusted CA is the whole chain.
"""

from __future__ import annotations

import hashlib
import os
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.padding import PKCS7
from cryptography.x509.oid import NameOID

from .errors import N_, CheckFailed, Reason, reason

X500_UNIQUE_IDENTIFIER = x509.ObjectIdentifier("2.5.4.45")
FIELD_CERTIFICATE = "certificate"
FIELD_SIGNATURE = "signature"
FIELD_KEY = "key"


@dataclass(frozen=True)
class Holder:
    """Whom an e.firma certificate names, and the certificate's own facts."""

    certificate_number: str
    name: str
    rfc: str | None
    representative_rfc: str | None
    curp: str | None
    is_csd: bool
    not_before: datetime
    not_after: datetime
    issuer: str
    fingerprint_sha256: str


def _unreadable() -> CheckFailed:
    return CheckFailed(reason("certificate_unreadable",
                              N_("The certificate cannot be read: send the .cer file of your "
                                 "e.firma (X.509, DER or PEM)."), field=FIELD_CERTIFICATE))


def read_certificate(data: bytes) -> x509.Certificate:
    """Read a certificate in DER (the SAT's ``.cer``) or PEM, or refuse it as unreadable."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except (ValueError, TypeError):
        raise _unreadable() from None


def read_certificates(data: bytes) -> list[x509.Certificate]:
    """Read every certificate in a PEM bundle, or the one in a DER file (for trust stores)."""
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def certificate_number(cert: x509.Certificate) -> str:
    """The SAT certificate number: the serial's bytes read as ASCII (20 digits for the SAT).

    A serial that is not printable ASCII (a certificate not from the SAT) is given in decimal.
    """
    serial = cert.serial_number
    raw = serial.to_bytes((serial.bit_length() + 7) // 8 or 1, "big")
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        return str(serial)
    if text and all(c in string.digits + string.ascii_letters for c in text):
        return text
    return str(serial)


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    if not values:
        return None
    value = values[0].value
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _parts(value: str | None) -> list[str]:
    """Split ``"A / B"`` into its non-empty, upper-cased parts."""
    return [p.strip().upper() for p in (value or "").split("/") if p.strip()]


def holder(cert: x509.Certificate) -> Holder:
    """Describe who the certificate names: RFC (company's first), representative, CURP."""
    subject = cert.subject
    rfcs = _parts(_attribute(subject, X500_UNIQUE_IDENTIFIER))
    curps = _parts(_attribute(subject, NameOID.SERIAL_NUMBER))
    return Holder(
        certificate_number=certificate_number(cert),
        name=_attribute(subject, NameOID.COMMON_NAME) or "",
        rfc=rfcs[0] if rfcs else None,
        representative_rfc=rfcs[1] if len(rfcs) > 1 else None,
        curp=curps[-1] if curps else None,
        is_csd=bool(subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        issuer=cert.issuer.rfc4514_string(),
        fingerprint_sha256=cert.fingerprint(hashes.SHA256()).hex(),
    )


def validity_problems(cert: x509.Certificate, at: datetime) -> list[Reason]:
    """Hold when the certificate is valid at ``at`` (the signing time)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    if at < cert.not_valid_before_utc:
        return [reason("certificate_not_yet_valid",
                       N_("The certificate is not valid yet: it is valid from {start}."),
                       field=FIELD_CERTIFICATE, start=cert.not_valid_before_utc.isoformat())]
    if at > cert.not_valid_after_utc:
        return [reason("certificate_expired",
                       N_("The certificate expired on {end}; renew your e.firma with the SAT."),
                       field=FIELD_CERTIFICATE, end=cert.not_valid_after_utc.isoformat())]
    return []


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def chain_problems(cert: x509.Certificate, trusted: Sequence[x509.Certificate],
                   at: datetime) -> list[Reason]:
    """Hold when a CA of the trust store, valid at ``at``, issued and signed the certificate."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    for ca in trusted:
        if not _is_ca(ca) or not ca.not_valid_before_utc <= at <= ca.not_valid_after_utc:
            continue
        try:
            cert.verify_directly_issued_by(ca)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return []
    return [reason("certificate_untrusted",
                   N_("The certificate was not issued by a certification authority we trust "
                      "(the SAT's); its issuer is {issuer}."),
                   field=FIELD_CERTIFICATE, issuer=cert.issuer.rfc4514_string())]


def kind_problems(cert: x509.Certificate) -> list[Reason]:
    """Hold when the certificate is an e.firma, not a CSD (a CSD names a unit in its subject)."""
    if holder(cert).is_csd:
        return [reason("certificate_is_csd",
                       N_("This is a CSD (sello digital, for invoices), not an e.firma: sign "
                          "with your e.firma's certificate."), field=FIELD_CERTIFICATE)]
    return []


def rfc_problems(cert: x509.Certificate, expected_rfc: str | None) -> list[Reason]:
    """Hold when the certificate's RFC (a company's, or a person's own) is ``expected_rfc``."""
    found = holder(cert).rfc
    if expected_rfc and found == expected_rfc.strip().upper():
        return []
    return [reason("certificate_rfc_mismatch",
                   N_("The certificate belongs to RFC {found}, not to {expected}."),
                   field=FIELD_CERTIFICATE, found=found or "—", expected=expected_rfc or "—")]


def signature_problems(cert: x509.Certificate, signature: bytes, text: str) -> list[Reason]:
    """Hold when ``signature`` is the certificate's RSA PKCS#1 v1.5 SHA-256 signature of
    ``text`` (its UTF-8 bytes)."""
    key = cert.public_key()
    problem = [reason("signature_invalid",
                      N_("The signature does not verify with this certificate over the "
                         "agreement's cadena original: sign exactly that text with the key of "
                         "this certificate."), field=FIELD_SIGNATURE)]
    if not isinstance(key, rsa.RSAPublicKey):
        return problem
    try:
        key.verify(signature, text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return problem
    return []


def verify(cert_der: bytes, signature: bytes, text: str, *, at: datetime,
           trusted: Sequence[x509.Certificate], expected_rfc: str | None
           ) -> tuple[x509.Certificate, list[Reason]]:
    """Run every check on a signature; answer the certificate and every failed check's reason.

    An unreadable certificate raises CheckFailed at once (nothing else can be checked).
    """
    cert = read_certificate(cert_der)
    problems = [
        *validity_problems(cert, at),
        *chain_problems(cert, trusted, at),
        *kind_problems(cert),
        *rfc_problems(cert, expected_rfc),
        *signature_problems(cert, signature, text),
    ]
    return cert, problems


def der(cert: x509.Certificate) -> bytes:
    """The certificate as DER bytes (how it is stored)."""
    return cert.public_bytes(serialization.Encoding.DER)


def digest(data: bytes) -> str:
    """SHA-256 of bytes, in hexadecimal."""
    return hashlib.sha256(data).hexdigest()


# --- the private key (.key): read with its password; written as the SAT writes it ----------

def read_private_key(data: bytes, password: str) -> rsa.RSAPrivateKey:
    """Read a SAT ``.key`` (encrypted PKCS#8, DER or PEM) with its password."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            key = serialization.load_pem_private_key(data, password.encode("utf-8"))
        else:
            key = serialization.load_der_private_key(data, password.encode("utf-8"))
    except (ValueError, TypeError):
        raise CheckFailed(reason("key_unreadable",
                                 N_("The private key cannot be opened: check its password."),
                                 field=FIELD_KEY)) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CheckFailed(reason("key_not_rsa", N_("The private key is not an RSA key."),
                                 field=FIELD_KEY))
    return key


def sign(key: rsa.RSAPrivateKey, text: str) -> bytes:
    """Sign ``text`` (UTF-8) as the e.firma does: RSA PKCS#1 v1.5 with SHA-256."""
    return key.sign(text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _tlv(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + _der_length(len(body)) + body


def _oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    body = bytearray([parts[0] * 40 + parts[1]])
    for part in parts[2:]:
        chunk = [part & 0x7F]
        part >>= 7
        while part:
            chunk.append(0x80 | (part & 0x7F))
            part >>= 7
        body.extend(reversed(chunk))
    return _tlv(0x06, bytes(body))


def _integer(n: int) -> bytes:
    body = n.to_bytes(n.bit_length() // 8 + 1, "big")
    return _tlv(0x02, body)


def _sequence(*items: bytes) -> bytes:
    return _tlv(0x30, b"".join(items))


def encrypt_key_like_sat(key: rsa.RSAPrivateKey, password: str, iterations: int = 2048,
                         salt: bytes | None = None, iv: bytes | None = None) -> bytes:
    """Write a private key as the SAT's ``.key``: PKCS#8 EncryptedPrivateKeyInfo, PBES2 with
    PBKDF2 (HMAC-SHA1) and des-ede3-cbc, in DER. For the demo and the tests; ``cryptography``
    writes only PBES2 with AES, which is not what the SAT hands out."""
    salt = salt if salt is not None else os.urandom(8)
    iv = iv if iv is not None else os.urandom(8)
    plain = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())
    derived = PBKDF2HMAC(hashes.SHA1(), 24, salt, iterations).derive(password.encode("utf-8"))
    padder = PKCS7(64).padder()
    padded = padder.update(plain) + padder.finalize()
    encryptor = Cipher(TripleDES(derived), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    kdf = _sequence(_oid("1.2.840.113549.1.5.12"),
                    _sequence(_tlv(0x04, salt), _integer(iterations)))
    scheme = _sequence(_oid("1.2.840.113549.3.7"), _tlv(0x04, iv))
    algorithm = _sequence(_oid("1.2.840.113549.1.5.13"), _sequence(kdf, scheme))
    return _sequence(algorithm, _tlv(0x04, ciphertext))


def trusted_from(blobs: Iterable[bytes]) -> list[x509.Certificate]:
    """Read the CA certificates of a trust store from the files' contents (PEM or DER)."""
    found: list[x509.Certificate] = []
    for blob in blobs:
        found.extend(read_certificates(blob))
    return found
