"""The ``make`` fixture's Factory: companies and users are inserted directly (with one
precomputed password hash, since argon2 is slow on purpose); tokens, proposals and their
actions go through the real services, so they carry real history."""

from __future__ import annotations

import copy
import itertools
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any

from sqlalchemy.orm import Session
from stdnum.mx import rfc as rfc_check

from promtel_fin.demo import sample_pdf
from promtel_fin.domain.documents import required_so_far
from promtel_fin.domain.workflow import Action, Role, State
from promtel_fin.models import Company, Document, Proposal, User
from promtel_fin.schemas import ProposalIn
from promtel_fin.services import documents, users
from promtel_fin.services.agreement import agreement_document, expected_rfc
from promtel_fin.services.policy import current_policy
from promtel_fin.services.proposals import create_proposal, get_proposal
from promtel_fin.services.workflow import take_action
from promtel_fin.storage import DocumentStore

from .efirma_helpers import pki

PASSWORD = "Brujula-Tapete-Volcan-29"
_PASSWORD_HASH = users.hash_password(PASSWORD)  # argon2 is slow on purpose: hash once
_counter = itertools.count(1)

DOCUMENT: dict[str, Any] = {
    "title": "Fibra al hogar en Cuautitla",
    "summary": "Red FTTH de 5 km con troncal de 15 km.",
    "technology": "ftth",
    "localities": [{"name": "Cuautitla", "inegi_key": "170270003", "population": 1850}],
    "social_sites": [{"kind": "school", "name": "Escuela Primaria", "locality": "Cuautitla"}],
    "requested_amount": "4500000.00", "term_months": 40, "grace_months": 6,
    "amortization_method": "level",
    "guarantees": [{"kind": "real_estate", "description": "Terreno y caseta",
                    "value": "7000000.00"}],
    "credit_history": {"bureau_score": 690,
                       "report_date": (date.today() - timedelta(days=10)).isoformat()},
    "cash_flows": [
        {"year": 1, "revenue": "900000.00", "opex": "600000.00", "capex": "4800000.00",
         "taxes": "0.00"},
        {"year": 2, "revenue": "2400000.00", "opex": "1100000.00", "capex": "200000.00",
         "taxes": "150000.00"},
        {"year": 3, "revenue": "3100000.00", "opex": "1250000.00", "capex": "150000.00",
         "taxes": "320000.00"},
        {"year": 4, "revenue": "3500000.00", "opex": "1300000.00", "capex": "150000.00",
         "taxes": "420000.00"},
        {"year": 5, "revenue": "3800000.00", "opex": "1350000.00", "capex": "150000.00",
         "taxes": "480000.00"},
    ],
}

# A tiny valid PDF: what the factory uploads for each document of the checklist.
PDF = sample_pdf("Documento de prueba")
MAX_BYTES = 10 * 1024 * 1024

TERMS = {"amount": "4500000.00", "annual_rate": "0.10", "vat_rate": "0.16", "term_months": 40,
         "grace_months": 6, "method": "level"}

# A second FOCIR officer in every cast: four eyes on FOCIR decisions (issue 11 §5).
SECOND_FOCIR = "focir_second"

# The happy path, as (role, action, params); a proposal at state S has taken the steps before S.
HAPPY_PATH: list[tuple[Role | str, str, dict[str, Any]]] = [
    (Role.PROMTEL, "acknowledge_contact", {}),
    (Role.SME, "submit_proposal", {}),
    (Role.PROMTEL, "give_feedback", {"comment": "Afine la demanda por localidad."}),
    (Role.SME, "submit_update", {}),
    (Role.PROMTEL, "verify", {}),
    (Role.PROMTEL, "present_to_focir", {"comment": "Proyecto con alto componente social."}),
    (Role.FOCIR, "give_feedback", {"comment": "Bancable."}),
    (Role.PROMTEL, "give_opinion", {"opinion": "favourable", "comment": "Viable."}),
    (Role.FOCIR, "approve", {"terms": TERMS}),
    (SECOND_FOCIR, "confirm_decision", {}),
]
REACHED_BY = {State.CONTACT: 0, **{s: i + 1 for i, s in enumerate(
    [State.PROPOSAL, State.PROMTEL_FEEDBACK, State.UPDATE, State.PROMTEL_VERIFICATION,
     State.FOCIR_PRESENTATION, State.FOCIR_FEEDBACK, State.PROMTEL_OPINION,
     State.FOCIR_DECISION])}, State.AGREEMENT: len(HAPPY_PATH)}


def proposal_document(**overrides: Any) -> dict[str, Any]:
    """Give a complete proposal document in the API's JSON shape, with overrides."""
    document = copy.deepcopy(DOCUMENT)
    document.update(overrides)
    return document


def make_rfc() -> str:
    """Give a new, valid company RFC (check digit included)."""
    n = next(_counter)
    base = f"TST{date(2000, 1, 1) + timedelta(days=n):%y%m%d}{n % 100:02d}"
    return base + rfc_check.calc_check_digit(base)


def make_person_rfc() -> str:
    """Give a new, valid person's RFC (13 characters, check digit included)."""
    n = next(_counter)
    base = f"TEPR{date(1970, 1, 1) + timedelta(days=n):%y%m%d}A{n % 9 + 1}"
    return base + rfc_check.calc_check_digit(base)


class Factory:
    """Make companies, users, tokens and proposals for a test."""

    def __init__(self, session: Session, store: DocumentStore | None = None):
        self.session = session
        self.store = store

    def company(self, **overrides: Any) -> Company:
        n = next(_counter)
        company = Company(**{
            "legal_name": f"Telecom Rural {n}, S.A. de C.V.", "rfc": make_rfc(),
            "state_code": "17", "municipality_key": "17027", **overrides})
        self.session.add(company)
        self.session.commit()
        return company

    def user(self, role: Role | str = Role.SME, company: Company | None = None,
             **overrides: Any) -> User:
        role = Role(role)
        if role == Role.SME and company is None:
            company = self.company()
        if role == Role.FOCIR:
            overrides.setdefault("rfc", make_person_rfc())
        user = User(**{
            "email": f"{role}{next(_counter)}@example.mx", "name": f"{role} user",
            "password_hash": _PASSWORD_HASH, "role": str(role), "company": company,
            "active": True, **overrides})
        self.session.add(user)
        self.session.commit()
        return user

    def token(self, user: User, ttl_hours: int = 12) -> str:
        token, _row = users.issue_token(self.session, user, ttl_hours)
        return token

    def headers(self, user: User, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(user)}", **extra}

    def cast(self, sme: User | None = None) -> dict[Any, User]:
        """Give one user per role (the SME's company owns the proposals), and a second FOCIR
        officer (``SECOND_FOCIR``) who confirms the first one's decisions."""
        return {Role.SME: sme or self.user(Role.SME), Role.PROMTEL: self.user(Role.PROMTEL),
                Role.FOCIR: self.user(Role.FOCIR), Role.ADMIN: self.user(Role.ADMIN),
                SECOND_FOCIR: self.user(Role.FOCIR)}

    def proposal(self, cast: dict[Any, User] | None = None, at: State = State.CONTACT,
                 **document: Any) -> Proposal:
        """Create a proposal through the services and walk it to ``at`` along the happy path."""
        cast = cast or self.cast()
        data = ProposalIn().load(proposal_document(**document))
        proposal = create_proposal(self.session, cast[Role.SME], data)
        final = {State.SIGNED: [(Role.SME, "sign", {}), (Role.FOCIR, "sign", {})],
                 State.REJECTED: [(Role.PROMTEL, "reject", {"reason": "Fuera de zona."})],
                 State.WITHDRAWN: [(Role.SME, "withdraw", {})]}
        if at in final:
            steps = HAPPY_PATH + final[at] if at == State.SIGNED else HAPPY_PATH[:2] + final[at]
        else:
            steps = HAPPY_PATH[: REACHED_BY[at]]
        for role, action, params in steps:
            self.act(proposal.id, cast[role], action, **params)
            # The SME gathers its papers once PROMTEL has answered the contact; PROMTEL
            # accepts them when the proposal comes in (step 3).
            if action == "acknowledge_contact":
                self.upload_documents(proposal.id, cast[Role.SME])
            elif action == "submit_proposal":
                self.accept_documents(proposal.id, cast[Role.PROMTEL])
        return get_proposal(self.session, cast[Role.SME], proposal.id)

    def efirma(self, proposal_id: int, user: User) -> dict[str, bytes]:
        """A good e.firma signature of the agreement by ``user`` (the company's RFC for an
        SME, the officer's own for FOCIR), as the service takes it (bytes)."""
        text = agreement_document(self.session, user, proposal_id)["cadena_original"]
        proposal = get_proposal(self.session, user, proposal_id)
        self.session.rollback()
        return pki().raw_params(text, pki().certificate(expected_rfc(user, proposal) or ""))

    def upload(self, proposal_id: int, user: User, kind: str, content: bytes = PDF,
               filename: str | None = None) -> Document:
        """Upload one document through the service."""
        assert self.store is not None, "the factory needs the app's document store"
        return documents.upload(self.session, self.store, user, proposal_id, kind,
                                filename or f"{kind}.pdf", BytesIO(content), MAX_BYTES)

    def review(self, proposal_id: int, user: User, document_id: int,
               decision: str = "accepted", reason: str = "") -> Document:
        """Accept or reject a document through the service."""
        return documents.review(self.session, user, proposal_id, document_id, decision,
                                reason)

    def upload_documents(self, proposal_id: int, sme: User,
                         action: Action = Action.SUBMIT_PROPOSAL) -> list[Document]:
        """Upload a tiny PDF for every document the SME provides that the checklist requires
        up to ``action``."""
        policy = current_policy(self.session)
        return [self.upload(proposal_id, sme, item.kind)
                for item in required_so_far(policy.checklist, action)
                if item.uploaded_by == Role.SME]

    def accept_documents(self, proposal_id: int, reviewer: User) -> None:
        """Accept every current document still waiting for review."""
        for row in documents.proposal_documents(self.session, proposal_id):
            if row.is_current and row.status == "pending":
                self.review(proposal_id, reviewer, row.id)

    def act(self, proposal_id: int, user: User, action: str, **params: Any) -> Proposal:
        """Take an action through the service as ``user`` with the current version."""
        current = get_proposal(self.session, user, proposal_id)
        if action == "sign":
            params.setdefault("terms_sha256", current.terms_sha256)
            if "certificate" not in params and "signature" not in params:
                params.update(self.efirma(proposal_id, user))
        if "terms" in params:
            params["terms"] = {k: Decimal(v) if isinstance(v, str) and k != "method" else v
                               for k, v in params["terms"].items()}
        return take_action(self.session, user, proposal_id, action, current.version, params)
