"""A test certification authority and SAT-shaped e.firma certificates, made with `cryptography`.

Keys are generated once per test process (RSA generation is the slow part); certificates are
issued on demand, one per RFC, and kept.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from promtel_fin.domain import efirma
from promtel_fin.domain.efirma_issuer import Authority, issue, make_authority, new_key

NOW = datetime.now(UTC)


@dataclass
class Pki:
    """The trusted test CA, an untrusted one, and the signers' key."""

    ca: Authority
    other_ca: Authority
    key: rsa.RSAPrivateKey
    other_key: rsa.RSAPrivateKey
    issued: dict[str, x509.Certificate] = field(default_factory=dict)
    serial: int = 0

    def ca_pem(self) -> bytes:
        return self.ca.certificate.public_bytes(serialization.Encoding.PEM)

    def number(self) -> str:
        self.serial += 1
        return f"3000100000050{self.serial:07d}"

    def certificate(self, rfc: str, *, representative_rfc: str | None = None,
                    curp: str | None = "GOLM800101HCSMPR07", name: str = "FIRMANTE DE PRUEBA",
                    authority: Authority | None = None, csd: bool = False,
                    not_before: datetime | None = None, not_after: datetime | None = None,
                    key: rsa.RSAPrivateKey | None = None) -> x509.Certificate:
        """Issue a certificate; with only ``rfc``, the same one each time for that RFC."""
        plain = (representative_rfc is None and authority is None and not csd and
                 not_before is None and not_after is None and key is None
                 and curp == "GOLM800101HCSMPR07" and name == "FIRMANTE DE PRUEBA")
        if plain and rfc in self.issued:
            return self.issued[rfc]
        cert = issue(authority or self.ca, (key or self.key).public_key(), name=name, rfc=rfc,
                     number=self.number(), representative_rfc=representative_rfc, curp=curp,
                     csd=csd, not_before=not_before or NOW - timedelta(days=400),
                     not_after=not_after or NOW + timedelta(days=4 * 365))
        if plain:
            self.issued[rfc] = cert
        return cert

    def sign_params(self, text: str, cert: x509.Certificate,
                    key: rsa.RSAPrivateKey | None = None) -> dict[str, Any]:
        """The sign action's certificate and signature, base64 (as the API takes them)."""
        return {"certificate": b64(efirma.der(cert)),
                "signature": b64(efirma.sign(key or self.key, text))}

    def raw_params(self, text: str, cert: x509.Certificate) -> dict[str, Any]:
        """The same, as bytes (as the service takes them)."""
        return {"certificate": efirma.der(cert), "signature": efirma.sign(self.key, text)}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@cache
def pki() -> Pki:
    """The one test PKI of this process."""
    back, ahead = NOW - timedelta(days=3650), NOW + timedelta(days=3650)
    return Pki(ca=make_authority("AC DE PRUEBAS promtel_fin", new_key(), back, ahead),
               other_ca=make_authority("AC AJENA", new_key(), back, ahead, serial=2),
               key=new_key(), other_key=new_key())
