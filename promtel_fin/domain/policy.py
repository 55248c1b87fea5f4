"""Policy parameters of the scheme, with the seed figures of docs/rules.md as defaults."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from typing import Any

from .errors import N_, Reason, reason

METHODS = ("level", "equal_principal")
SLA_PREFIX = "sla_days_"
MAX_SLA_DAYS = 250   # about a working year
# Who may upload a kind of document (services/documents.py says when).
UPLOADERS = ("sme", "promtel", "focir")


@dataclass(frozen=True)
class ChecklistItem:
    """A kind of document the checklist asks for, and the actions it is needed for.

    ``required_for``: actions refused while it is missing or rejected (see domain/documents.py);
    ``optional_for``: actions it supports without holding them up. A ``dated`` document (the
    credit bureau report) may be at most the policy's ``credit_report_max_age_days`` old when the
    SME submits. ``uploaded_by`` is the role that provides it.
    """

    kind: str
    label_es: str
    label_en: str
    required_for: tuple[str, ...] = ()
    optional_for: tuple[str, ...] = ()
    uploaded_by: str = "sme"
    dated: bool = False

    def label(self, language: str = "es") -> str:
        """Give the label in a language (Spanish unless English is asked for)."""
        return self.label_en if language == "en" else self.label_es

    def to_dict(self) -> dict[str, Any]:
        """Serialize for JSON storage."""
        return {"kind": self.kind, "labels": {"es": self.label_es, "en": self.label_en},
                "required_for": list(self.required_for),
                "optional_for": list(self.optional_for), "uploaded_by": self.uploaded_by,
                "dated": self.dated}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChecklistItem:
        """Rebuild an item from its serialized form (or from the API's, with ``labels``)."""
        labels = data.get("labels") or {}
        return cls(kind=str(data["kind"]),
                   label_es=str(labels.get("es", data.get("label_es", ""))),
                   label_en=str(labels.get("en", data.get("label_en", ""))),
                   required_for=tuple(data.get("required_for") or ()),
                   optional_for=tuple(data.get("optional_for") or ()),
                   uploaded_by=str(data.get("uploaded_by") or "sme"),
                   dated=bool(data.get("dated", False)))


def _item(kind: str, es: str, en: str, **more: Any) -> ChecklistItem:
    return ChecklistItem(kind, es, en, **{"required_for": ("submit_proposal",), **more})


# The papers a reviewer needs before deciding on a loan (issue 10), asked for at submission;
# FOCIR's own credit memo supports its approval without holding it up.
DEFAULT_CHECKLIST: tuple[ChecklistItem, ...] = (
    _item("articles_of_incorporation", "Acta constitutiva",
          "Articles of incorporation (acta constitutiva)"),
    _item("power_of_attorney", "Poder del representante legal",
          "Legal representative's power of attorney"),
    _item("representative_id", "Identificación oficial del representante legal",
          "Legal representative's official ID"),
    _item("tax_status_certificate", "Constancia de situación fiscal (SAT)",
          "SAT tax status certificate (constancia de situación fiscal)"),
    _item("ift_concession", "Concesión o autorización del IFT", "IFT concession or authorization"),
    _item("financial_statements", "Estados financieros de los dos últimos ejercicios",
          "Financial statements of the last two years"),
    _item("technical_project", "Proyecto técnico", "Technical project"),
    _item("credit_bureau_report", "Reporte de buró de crédito", "Credit bureau report",
          dated=True),
    _item("guarantee_deeds", "Escrituras o avalúos de las garantías",
          "Deeds or appraisals of the guarantees"),
    _item("focir_credit_memo", "Memorándum de crédito de FOCIR", "FOCIR's credit memo",
          required_for=(), optional_for=("approve",), uploaded_by="focir"),
)


@dataclass(frozen=True)
class Policy:
    """Limits and rates in force; an approval keeps a copy of the one it was taken under."""

    max_amount: Decimal = Decimal("10000000.00")
    annual_rate: Decimal = Decimal("0.10")
    vat_rate: Decimal = Decimal("0.16")
    max_term_months: int = 40
    max_grace_months: int = 6
    discount_rate: Decimal = Decimal("0.10")
    dscr_threshold: Decimal = Decimal("1.20")
    guarantee_coverage: Decimal = Decimal("1.5")
    min_bureau_score: int = 600
    credit_report_max_age_days: int = 90
    rural_population_threshold: int = 2500
    # Proposals a company may hold before submitting (steps 1 and 2) at the same time.
    max_open_drafts: int = 5
    # Service levels: working days (Mexico's federal holidays excepted) for whoever must act at
    # each of the ten steps, counted from the day after the proposal reached it (issue 11 §3).
    sla_days_contact: int = 5
    sla_days_proposal: int = 30
    sla_days_promtel_feedback: int = 15
    sla_days_update: int = 30
    sla_days_promtel_verification: int = 10
    sla_days_focir_presentation: int = 10
    sla_days_focir_feedback: int = 15
    sla_days_promtel_opinion: int = 10
    sla_days_focir_decision: int = 15
    sla_days_agreement: int = 20
    haircuts: dict[str, Decimal] = field(
        default_factory=lambda: {
            "real_estate": Decimal("0.30"),
            "movable_property": Decimal("0.50"),
            "cash_deposit": Decimal("0.00"),
            "personal_guarantee": Decimal("0.70"),
            "other": Decimal("0.80"),
        }
    )
    # The documents asked for, per action (domain/documents.py applies it).
    checklist: tuple[ChecklistItem, ...] = DEFAULT_CHECKLIST

    def item(self, kind: str) -> ChecklistItem | None:
        """Give the checklist's item of a kind of document, or None."""
        return next((i for i in self.checklist if i.kind == kind), None)

    def sla_days(self, state: str) -> int | None:
        """Give the service level of a step in working days (None for a final state)."""
        value = getattr(self, f"{SLA_PREFIX}{state}", None)
        return value if isinstance(value, int) else None

    def to_dict(self) -> dict[str, Any]:
        """Serialize with decimals as strings, for JSON storage and hashing."""
        out = asdict(self)
        out["checklist"] = [item.to_dict() for item in self.checklist]
        for key, value in out.items():
            if isinstance(value, Decimal):
                out[key] = str(value)
            elif isinstance(value, dict):
                out[key] = {k: str(v) for k, v in value.items()}
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Policy:
        """Rebuild a policy from its serialized form; unknown keys are ignored."""
        known = {f.name: f for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                continue
            if key == "haircuts":
                kwargs[key] = {k: Decimal(str(v)) for k, v in value.items()}
            elif key == "checklist":
                kwargs[key] = tuple(item if isinstance(item, ChecklistItem)
                                    else ChecklistItem.from_dict(item) for item in value)
            elif known[key].type == "int":
                kwargs[key] = int(value)
            else:
                kwargs[key] = Decimal(str(value))
        return cls(**kwargs)


def policy_problems(policy: Policy) -> list[Reason]:
    """List why a set of policy parameters cannot be put in force."""
    problems = []
    for name in ("annual_rate", "vat_rate", "discount_rate"):
        if not Decimal(0) <= getattr(policy, name) <= Decimal(1):
            problems.append(reason("rate_out_of_range",
                                   N_("{name} must be a fraction from 0 to 1."), field=name,
                                   name=name))
    for name in ("max_amount", "dscr_threshold", "guarantee_coverage"):
        if getattr(policy, name) <= 0:
            problems.append(reason("not_positive", N_("{name} must be greater than zero."),
                                   field=name, name=name))
    if not 1 <= policy.max_term_months <= 600:
        problems.append(reason("term_out_of_range",
                               N_("max_term_months must be from 1 to 600."),
                               field="max_term_months"))
    if not 0 <= policy.max_grace_months < policy.max_term_months:
        problems.append(reason("grace_not_less_than_term",
                               N_("max_grace_months must be shorter than max_term_months."),
                               field="max_grace_months"))
    for f in fields(policy):
        if f.name.startswith(SLA_PREFIX) and not 1 <= getattr(policy, f.name) <= MAX_SLA_DAYS:
            problems.append(reason("sla_out_of_range",
                                   N_("{name} must be from 1 to {limit} working days."),
                                   field=f.name, name=f.name, limit=MAX_SLA_DAYS))
    for kind, haircut in policy.haircuts.items():
        if not Decimal(0) <= haircut <= Decimal(1):
            problems.append(reason("haircut_out_of_range",
                                   N_("The haircut of {kind} must be from 0 to 1."),
                                   field=f"haircuts.{kind}", kind=kind))
    return problems


TERM_KEYS = ("amount", "annual_rate", "vat_rate", "term_months", "grace_months", "method")


def limit_problems(amount: Decimal | None, term: int | None, grace: int | None,
                   policy: Policy, prefix: str = "", amount_field: str = "amount") -> list[Reason]:
    """List how an amount, term and grace fall outside the policy's limits (None: not stated)."""
    problems: list[Reason] = []
    if amount is not None and amount <= 0:
        problems.append(reason("amount_not_positive", N_("The amount must be greater than zero."),
                               field=f"{prefix}{amount_field}"))
    if amount is not None and amount > policy.max_amount:
        problems.append(reason(
            "amount_over_limit",
            N_("The amount {amount} is above the policy limit of {limit}."),
            field=f"{prefix}{amount_field}", amount=f"{amount:,.2f}",
            limit=f"{policy.max_amount:,.2f}"))
    if term is not None and not 1 <= term <= policy.max_term_months:
        problems.append(reason(
            "term_out_of_range", N_("The term of {term} months must be from 1 to {limit} months."),
            field=f"{prefix}term_months", term=term, limit=policy.max_term_months))
    if grace is not None and not 0 <= grace <= policy.max_grace_months:
        problems.append(reason(
            "grace_out_of_range",
            N_("The grace period of {grace} months must be from 0 to {limit} months."),
            field=f"{prefix}grace_months", grace=grace, limit=policy.max_grace_months))
    if term is not None and grace is not None and grace >= term:
        problems.append(reason(
            "grace_not_less_than_term",
            N_("The grace period ({grace} months) must be shorter than the term ({term} months)."),
            field=f"{prefix}grace_months", grace=grace, term=term))
    return problems


def rate_problems(annual_rate: Decimal, vat_rate: Decimal, policy: Policy,
                  prefix: str = "") -> list[Reason]:
    """List how the interest and VAT rates differ from the policy's (which are fixed)."""
    problems = []
    if annual_rate != policy.annual_rate:
        problems.append(reason(
            "rate_not_policy", N_("The annual rate {rate} differs from the policy rate {policy}."),
            field=f"{prefix}annual_rate", rate=annual_rate, policy=policy.annual_rate))
    if vat_rate != policy.vat_rate:
        problems.append(reason(
            "vat_not_policy", N_("The VAT rate {rate} differs from the policy VAT rate {policy}."),
            field=f"{prefix}vat_rate", rate=vat_rate, policy=policy.vat_rate))
    return problems


def check_terms(terms: dict[str, Any], policy: Policy) -> list[Reason]:
    """List every way the proposed financing terms fall outside the policy.

    When a term is missing, only the missing terms are listed.
    """
    missing = [k for k in TERM_KEYS if terms.get(k) is None]
    if missing:
        return [
            Reason("terms_missing", N_("The terms must include {field}."), {"field": k},
                   field=f"terms.{k}")
            for k in missing
        ]
    problems = limit_problems(Decimal(str(terms["amount"])), int(terms["term_months"]),
                              int(terms["grace_months"]), policy, "terms.")
    problems += rate_problems(Decimal(str(terms["annual_rate"])),
                              Decimal(str(terms["vat_rate"])), policy, "terms.")
    problems.sort(key=lambda r: TERM_KEYS.index((r.field or "").removeprefix("terms.")))
    if terms["method"] not in METHODS:
        problems.append(reason("method_unknown", N_("The amortization method {method} is unknown."),
                               field="terms.method", method=terms["method"]))
    return problems
