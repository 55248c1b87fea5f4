"""Proposals, their parts, their frozen revisions and the agreement's signatures."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JSONType, Money, Timestamp, UTCDateTime, utcnow
from .people import Company, User


class Proposal(Base):
    __tablename__ = "proposals"
    # One index per list order and the ways of narrowing it (migration 0005), so that each page
    # is read in order from an index after a cursor: everything newest first, one company's,
    # one state's; and the queue, one branch per waiting state, longest-waiting first.
    __table_args__ = (
        Index("ix_proposals_created_at_id", "created_at", "id"),
        Index("ix_proposals_company_id_created_at_id", "company_id", "created_at", "id"),
        Index("ix_proposals_state_created_at_id", "state", "created_at", "id"),
        Index("ix_proposals_state_state_entered_at_id", "state", "state_entered_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # PF-YYYY-NNNNN: year of creation and a sequence within it (services/folios.py).
    folio: Mapped[str] = mapped_column(String(20), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    technology: Mapped[str | None] = mapped_column(String(32))
    requested_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    term_months: Mapped[int | None]
    grace_months: Mapped[int | None]
    amortization_method: Mapped[str | None] = mapped_column(String(32))
    bureau_score: Mapped[int | None]
    credit_report_date: Mapped[date | None]

    state: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    state_entered_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    assigned_reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    presented_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opinion: Mapped[str | None] = mapped_column(String(16))
    approved_terms: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    terms_sha256: Mapped[str | None] = mapped_column(String(64))
    policy_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # A FOCIR decision at step 9 awaiting a second officer (four eyes): approve with its terms
    # or reject with its reason, by whom and when; cleared when confirmed or returned.
    pending_action: Mapped[str | None] = mapped_column(String(16))
    pending_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    pending_terms: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    pending_reason: Mapped[str | None] = mapped_column(Text)
    pending_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow)

    company: Mapped[Company] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    assigned_reviewer: Mapped[User | None] = relationship(foreign_keys=[assigned_reviewer_id])
    pending_by: Mapped[User | None] = relationship(foreign_keys=[pending_by_id])
    localities: Mapped[list[Locality]] = relationship(
        cascade="all, delete-orphan", order_by="Locality.position")
    social_sites: Mapped[list[SocialSite]] = relationship(
        cascade="all, delete-orphan", order_by="SocialSite.position")
    guarantees: Mapped[list[Guarantee]] = relationship(
        cascade="all, delete-orphan", order_by="Guarantee.position")
    cash_flows: Mapped[list[CashFlow]] = relationship(
        cascade="all, delete-orphan", order_by="CashFlow.year")
    signatures: Mapped[list[Signature]] = relationship(cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class FolioCounter(Base):
    """The last folio number handed out in each year; one row per year, bumped atomically."""

    __tablename__ = "folio_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, nullable=False)


class Locality(Base):
    __tablename__ = "localities"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    inegi_key: Mapped[str | None] = mapped_column(String(9))
    population: Mapped[int | None]
    priority_zone: Mapped[bool] = mapped_column(default=False)


class SocialSite(Base):
    __tablename__ = "social_sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    locality: Mapped[str | None] = mapped_column(String(200))


class Guarantee(Base):
    __tablename__ = "guarantees"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    value: Mapped[Money]


class CashFlow(Base):
    __tablename__ = "cash_flows"
    __table_args__ = (UniqueConstraint("proposal_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    year: Mapped[int]
    revenue: Mapped[Money]
    opex: Mapped[Money]
    capex: Mapped[Money]
    taxes: Mapped[Money]


class Revision(Base):
    """An immutable copy of the proposal as it was submitted at step 2 or 4."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("proposal_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    number: Mapped[int]
    action: Mapped[str] = mapped_column(String(32))
    document: Mapped[dict[str, Any]] = mapped_column(JSONType)
    document_sha256: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)


class Signature(Base):
    """A party's e.firma signature of the agreement's cadena original (append-only on
    PostgreSQL). Rows from before e.firma (migration 0008) have no certificate."""

    __tablename__ = "signatures"
    __table_args__ = (UniqueConstraint("proposal_id", "party"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    party: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    terms_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    # The e.firma (migration 0008): the certificate (DER), its SAT number, whom it names, the
    # signature (RSA PKCS#1 v1.5 SHA-256) and the exact text signed, so that audit verify can
    # check it again whatever changes later.
    certificate: Mapped[bytes | None] = mapped_column(LargeBinary)
    certificate_number: Mapped[str | None] = mapped_column(String(40))
    signer_name: Mapped[str | None] = mapped_column(String(200))
    rfc: Mapped[str | None] = mapped_column(String(13))
    curp: Mapped[str | None] = mapped_column(String(18))
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    cadena_original: Mapped[str | None] = mapped_column(Text)
    cadena_sha256: Mapped[str | None] = mapped_column(String(64))
