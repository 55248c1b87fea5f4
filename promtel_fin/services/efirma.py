"""Where the e.firma checks get what they trust: the CA certificates, and revocation (OCSP).

The trust store is ``EFIRMA_CA_CERTS``: a PEM file of one or more CA certificates, or a
directory of ``.pem``, ``.cer`` and ``.crt`` files (DER or PEM). Outside production it is the
union of that and the demo CA that ``seed-demo`` keeps in ``EFIRMA_DEMO_DIR`` (default
``instance/efirma``); production trusts only ``EFIRMA_CA_CERTS``.

Revocation sits behind ``OcspChecker``. It is off unless ``EFIRMA_OCSP_URL`` is set (the SAT's
OCSP responder needs an agreement with the SAT); a checker may also be put in
``app.extensions["efirma_ocsp"]`` (the tests put a fake there).
"""

from __future__ import annotations

import logging
import os
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, Protocol

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from flask import current_app, has_app_context

from ..domain.efirma import trusted_from

CA_SUFFIXES = (".pem", ".cer", ".crt")
DEMO_CA_FILE = "demo-ca.pem"
OcspStatus = Literal["good", "revoked", "unknown"]


def _settings() -> Mapping[str, Any]:
    if has_app_context():
        return current_app.config
    from config import Config

    return {"ENV": Config.ENV,
            "EFIRMA_CA_CERTS": os.environ.get("EFIRMA_CA_CERTS", Config.EFIRMA_CA_CERTS),
            "EFIRMA_DEMO_DIR": os.environ.get("EFIRMA_DEMO_DIR", Config.EFIRMA_DEMO_DIR),
            "EFIRMA_OCSP_URL": os.environ.get("EFIRMA_OCSP_URL", Config.EFIRMA_OCSP_URL)}


def demo_dir(config: Mapping[str, Any] | None = None) -> Path:
    """The folder of the demo CA and the demo people's e.firma files."""
    return Path((config or _settings())["EFIRMA_DEMO_DIR"])


def _files(location: str) -> list[Path]:
    path = Path(location)
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() in CA_SUFFIXES)
    return [path] if path.is_file() else []


def trust_store(config: Mapping[str, Any] | None = None) -> list[x509.Certificate]:
    """The CA certificates trusted to issue e.firma certificates (see the module's doc)."""
    config = config or _settings()
    files = _files(config.get("EFIRMA_CA_CERTS") or "") if config.get("EFIRMA_CA_CERTS") else []
    if config.get("ENV") != "production":
        demo = demo_dir(config) / DEMO_CA_FILE
        if demo.is_file():
            files.append(demo)
    found: list[x509.Certificate] = []
    for path in files:
        try:
            found.extend(trusted_from([path.read_bytes()]))
        except (OSError, ValueError):
            # One unreadable file must not stop every signature; say which, and go on.
            logging.getLogger(__name__).warning("EFIRMA_CA_CERTS: %s is not a certificate",
                                                path)
    return found


class OcspChecker(Protocol):
    """Asks whether a certificate is revoked."""

    def status(self, certificate: x509.Certificate,
               issuer: x509.Certificate) -> OcspStatus:  # pragma: no cover - a protocol
        ...


class HttpOcspChecker:
    """Asks an OCSP responder over HTTP (RFC 6960), SHA-1 certificate ids as the SAT's expects."""

    def __init__(self, url: str, timeout: float = 10.0):
        self.url, self.timeout = url, timeout

    def status(self, certificate: x509.Certificate, issuer: x509.Certificate) -> OcspStatus:
        """Answer good, revoked, or unknown (no answer, or one that cannot be read)."""
        request = (ocsp.OCSPRequestBuilder().add_certificate(certificate, issuer, hashes.SHA1())
                   .build().public_bytes(serialization.Encoding.DER))
        http = urllib.request.Request(self.url, data=request,
                                      headers={"Content-Type": "application/ocsp-request"})
        try:
            with urllib.request.urlopen(http, timeout=self.timeout) as answer:
                response = ocsp.load_der_ocsp_response(answer.read())
        except (OSError, ValueError):
            return "unknown"
        if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
            return "unknown"
        return {ocsp.OCSPCertStatus.GOOD: "good",
                ocsp.OCSPCertStatus.REVOKED: "revoked"}.get(response.certificate_status,
                                                             "unknown")


def ocsp_checker() -> OcspChecker | None:
    """The revocation checker in use, or None when revocation is not checked (the default)."""
    if has_app_context():
        checker = current_app.extensions.get("efirma_ocsp")
        if checker is not None:
            return checker
    url = _settings().get("EFIRMA_OCSP_URL")
    return HttpOcspChecker(url) if url else None
