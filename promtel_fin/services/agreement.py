"""The financing agreement that both parties sign with their e.firma.

Its *cadena original* is a canonical UTF-8 text (Spanish, one ``clave|valor`` line each, ``\\n``
between lines and none at the end) built only from what is fixed once FOCIR approves: the folio,
the parties with their RFCs, the approved terms, the schedule's totals, the conditions (FOCIR's
approval note) and the terms digest. Both parties sign the same text, in either order.

``agreement_document(session, user, proposal_id)`` is the contract for the API, the pages and
the agreement's PDF: ``{"cadena_original", "sha256", "signatures": [{"party", "name", "rfc",
"curp", "certificate_number", "signed_at", "signature_sha256"}]}``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import efirma
from ..domain.errors import N_, CheckFailed, Conflict, reason
from ..domain.loan import LoanTerms, schedule
from ..domain.workflow import Role
from ..models import HistoryEntry, Proposal, Signature, User
from .efirma import ocsp_checker, trust_store
from .proposals import get_proposal

TITLE = "CONTRATO DE CREDITO PROMTEL/FOCIR - CADENA ORIGINAL v1"
LENDER = "Fondo de Capitalización e Inversión del Sector Rural (FOCIR)"


def _line(key: str, value: Any) -> str:
    text = "" if value is None else str(value)
    # One line per field: line breaks and the separator inside a value are written as spaces.
    return f"{key}|{' '.join(text.replace('|', ' ').split())}"


def _approval(session: Session, proposal_id: int) -> tuple[str | None, User | None]:
    """The approval's note and the officer who approved, in one statement."""
    row = session.execute(
        select(HistoryEntry.comment, User).outerjoin(User, User.id == HistoryEntry.actor_id)
        .where(HistoryEntry.proposal_id == proposal_id, HistoryEntry.action == "approve")
        .order_by(HistoryEntry.seq.desc()).limit(1)).first()
    return (row[0], row[1]) if row else (None, None)


def cadena_original(session: Session, proposal: Proposal) -> str:
    """Build the agreement's canonical text (see the module's doc)."""
    terms = proposal.approved_terms or {}
    conditions, officer = _approval(session, proposal.id)
    plan = schedule(LoanTerms(Decimal(terms["amount"]), Decimal(terms["annual_rate"]),
                              Decimal(terms["vat_rate"]), int(terms["term_months"]),
                              int(terms["grace_months"]), str(terms["method"])))
    company = proposal.company
    lines = [
        TITLE,
        _line("folio", proposal.folio),
        _line("propuesta", proposal.id),
        _line("proyecto", proposal.title),
        _line("acreditado", company.legal_name),
        _line("rfc_acreditado", company.rfc),
        _line("representante_legal", company.legal_rep_name),
        _line("curp_representante", company.legal_rep_curp),
        _line("acreditante", LENDER),
        _line("funcionario_que_aprobo", officer.name if officer else None),
        _line("rfc_funcionario_que_aprobo", officer.rfc if officer else None),
        _line("monto", terms["amount"]),
        _line("tasa_anual_fija", terms["annual_rate"]),
        _line("iva_sobre_intereses", terms["vat_rate"]),
        _line("plazo_meses", terms["term_months"]),
        _line("gracia_meses", terms["grace_months"]),
        _line("amortizacion", terms["method"]),
        _line("pago_nivelado", plan.installment),
        _line("total_capital", plan.totals.principal),
        _line("total_intereses", plan.totals.interest),
        _line("total_iva", plan.totals.vat),
        _line("total_a_pagar", plan.totals.payment),
        _line("condiciones", conditions),
        _line("sha256_terminos", proposal.terms_sha256),
    ]
    return "\n".join(lines)


def sha256_text(text: str) -> str:
    """SHA-256 of a text's UTF-8 bytes, in hexadecimal."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _ready(proposal: Proposal) -> None:
    if proposal.approved_terms is None or proposal.terms_sha256 is None:
        raise Conflict(reason("agreement_not_ready",
                              N_("There is no agreement yet: it exists once FOCIR approves the "
                                 "financing (step 10)."), state=proposal.state))


def signature_view(row: Signature) -> dict[str, Any]:
    """One signature as the agreement answers it."""
    return {
        "party": row.party,
        "name": row.signer_name,
        "rfc": row.rfc,
        "curp": row.curp,
        "certificate_number": row.certificate_number,
        "signed_at": row.signed_at,
        "signature_sha256": hashlib.sha256(row.signature).hexdigest() if row.signature else None,
    }


def agreement_document(session: Session, user: User, proposal_id: int) -> dict[str, Any]:
    """The agreement for someone who may see the proposal: its cadena original, the text's
    SHA-256 and the signatures so far (404 hidden or missing; 409 before step 10)."""
    return agreement_of(session, get_proposal(session, user, proposal_id))


def agreement_of(session: Session, proposal: Proposal) -> dict[str, Any]:
    """The agreement of a proposal already loaded for someone who may see it (409 before
    step 10): what ``agreement_document`` answers, and what the agreement's PDF prints."""
    _ready(proposal)
    text = cadena_original(session, proposal)
    order = {str(Role.SME): 0, str(Role.FOCIR): 1}
    rows = sorted(proposal.signatures, key=lambda s: (order.get(s.party, 2), s.signed_at))
    return {"proposal_id": proposal.id, "folio": proposal.folio, "cadena_original": text,
            "sha256": sha256_text(text), "signatures": [signature_view(r) for r in rows]}


@dataclass(frozen=True)
class Checked:
    """A signature that passed every check, ready to store."""

    certificate: bytes
    holder: efirma.Holder
    signature: bytes
    cadena_original: str

    def history_payload(self) -> dict[str, Any]:
        """What the sign entry chains: enough to tie the stored row to it."""
        return {"certificate_number": self.holder.certificate_number, "rfc": self.holder.rfc,
                "certificate_sha256": efirma.digest(self.certificate),
                "signature_sha256": efirma.digest(self.signature),
                "cadena_sha256": sha256_text(self.cadena_original)}

    def row_fields(self) -> dict[str, Any]:
        """The signature row's e.firma columns."""
        return {"certificate": self.certificate,
                "certificate_number": self.holder.certificate_number,
                "signer_name": self.holder.name[:200], "rfc": self.holder.rfc,
                "curp": self.holder.curp, "signature": self.signature,
                "cadena_original": self.cadena_original,
                "cadena_sha256": sha256_text(self.cadena_original)}


def expected_rfc(user: User, proposal: Proposal) -> str | None:
    """Whose RFC the signer's certificate must name: the company's for its SME, the officer's
    own for FOCIR."""
    return proposal.company.rfc if Role(user.role) == Role.SME else user.rfc


def check_signature(session: Session, user: User, proposal: Proposal, certificate: bytes,
                    signature: bytes, at: datetime) -> Checked:
    """Check an e.firma signature of the agreement by ``user``; every failed check is a reason."""
    text = cadena_original(session, proposal)
    if Role(user.role) == Role.FOCIR and not user.rfc:
        raise CheckFailed(reason("officer_without_rfc",
                                 N_("Your account has no RFC, so no e.firma can be matched to "
                                    "you: ask an administrator to record it."),
                                 field="certificate"))
    trusted = trust_store()
    cert, problems = efirma.verify(certificate, signature, text, at=at, trusted=trusted,
                                   expected_rfc=expected_rfc(user, proposal))
    checker = ocsp_checker()
    if checker is not None and not problems:
        issuer = next(ca for ca in trusted if ca.subject == cert.issuer)
        verdict = checker.status(cert, issuer)
        if verdict == "revoked":
            problems.append(reason("certificate_revoked",
                                   N_("The SAT has revoked this certificate."),
                                   field="certificate"))
        elif verdict != "good":
            problems.append(reason("certificate_status_unknown",
                                   N_("Whether this certificate is revoked could not be "
                                      "checked; try again later."), field="certificate"))
    if problems:
        raise CheckFailed(*problems)
    return Checked(efirma.der(cert), efirma.holder(cert), signature, text)


def stored_problems(row: Signature) -> list[str]:
    """Check a stored signature again: its text's digest, and the signature over the text with
    its certificate. Answers what disagrees (empty when it holds)."""
    if row.certificate is None and row.signature is None:
        return []
    if not (row.certificate and row.signature and row.cadena_original):
        return ["its certificate, signature or signed text is missing"]
    problems = []
    if sha256_text(row.cadena_original) != row.cadena_sha256:
        problems.append("its signed text does not hash to its cadena_sha256")
    try:
        cert = efirma.read_certificate(row.certificate)
    except CheckFailed:
        return [*problems, "its certificate cannot be read"]
    if efirma.signature_problems(cert, row.signature, row.cadena_original):
        problems.append("its e.firma signature does not verify over its signed text")
    if efirma.certificate_number(cert) != row.certificate_number:
        problems.append("its certificate number is not its certificate's")
    return problems
