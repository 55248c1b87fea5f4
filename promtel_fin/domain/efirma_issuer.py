"""A small certification authority that issues SAT-shaped e.firma certificates: for the demo
(``seed-demo``) and the tests, never for production (production trusts only the SAT's CAs).

Certificates carry what the SAT's do: the SAT number as the serial's ASCII, the RFC in
``x500UniqueIdentifier`` (``"RFC_COMPANY / RFC_REPRESENTATIVE"`` for a company), the CURP in
``serialNumber``, and no organizational unit (an OU makes it a CSD, which ``csd=True`` gives).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from .efirma import X500_UNIQUE_IDENTIFIER


def new_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    """Generate an RSA key (the SAT issues 2048-bit keys)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def sat_serial(number: str) -> int:
    """The serial whose bytes read as ASCII give the SAT certificate number ``number``."""
    return int.from_bytes(number.encode("ascii"), "big")


@dataclass(frozen=True)
class Authority:
    """A CA: its certificate and key."""

    certificate: x509.Certificate
    key: rsa.RSAPrivateKey


def make_authority(common_name: str, key: rsa.RSAPrivateKey, not_before: datetime,
                   not_after: datetime, serial: int = 1) -> Authority:
    """Make a self-signed CA certificate."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "promtel_fin demo"),
                      x509.NameAttribute(NameOID.COUNTRY_NAME, "MX")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(serial)
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return Authority(cert, key)


def issue(authority: Authority, public_key: rsa.RSAPublicKey, *, name: str, rfc: str,
          number: str, not_before: datetime, not_after: datetime,
          representative_rfc: str | None = None, curp: str | None = None,
          csd: bool = False) -> x509.Certificate:
    """Issue an e.firma certificate (or, with ``csd``, a CSD-like one with an OU)."""
    unique = f"{rfc} / {representative_rfc}" if representative_rfc else rfc
    attributes = [
        x509.NameAttribute(NameOID.COMMON_NAME, name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "MX"),
        x509.NameAttribute(X500_UNIQUE_IDENTIFIER, unique),
    ]
    if curp:
        serial_text = f" / {curp}" if representative_rfc else curp
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial_text))
    if csd:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Sucursal 1"))
    return (x509.CertificateBuilder().subject_name(x509.Name(attributes))
            .issuer_name(authority.certificate.subject).public_key(public_key)
            .serial_number(sat_serial(number)).not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=True, key_agreement=True, key_cert_sign=False, crl_sign=False,
                encipher_only=False, decipher_only=False), critical=True)
            .sign(authority.key, hashes.SHA256()))


def lifetime(now: datetime, years: int = 4, back_days: int = 400) -> tuple[datetime, datetime]:
    """A validity window around ``now`` (the SAT's e.firma lasts four years)."""
    return now - timedelta(days=back_days), now + timedelta(days=365 * years)
