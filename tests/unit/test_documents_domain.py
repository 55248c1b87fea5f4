"""The documents' rules without a database: types by content, names for display, the checklist
in the policy, and its gate on each action."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest

from promtel_fin.domain.documents import (
    FALLBACK_NAME,
    JPEG,
    PDF,
    PNG,
    XLSX,
    Current,
    checklist_problems,
    clean_filename,
    download_name,
    gate_problems,
    items_for,
    required_so_far,
    sniff,
)
from promtel_fin.domain.policy import DEFAULT_CHECKLIST, ChecklistItem, Policy
from promtel_fin.domain.workflow import Action

from ..documents_helpers import (
    EXE,
    HTML,
    docx,
    openpyxl_workbook,
    plain_zip,
    png,
    xlsx,
)
from ..documents_helpers import JPEG as JPEG_BYTES
from ..documents_helpers import PDF as PDF_BYTES

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
SUBMITTED = [i.kind for i in DEFAULT_CHECKLIST if "submit_proposal" in i.required_for]


@pytest.mark.parametrize(("content", "expected"), [
    (PDF_BYTES, PDF), (b"%PDF-2.0\n", PDF), (png(), PNG), (JPEG_BYTES, JPEG),
    (xlsx(), XLSX), (openpyxl_workbook(), XLSX),
    (b"%PDF", None), (b" %PDF-1.4", None), (EXE, None), (HTML, None), (docx(), None),
    (plain_zip(), None), (xlsx(macros=True), None), (b"PK\x03\x04broken zip", None), (b"", None),
    (b"\x89PNG\r\n\x1a", None),
])
def test_the_type_comes_from_the_content(content: bytes, expected: str | None) -> None:
    stream = BytesIO(content)
    stream.seek(3)
    assert sniff(stream) == expected
    assert stream.tell() == 0   # left at its start


@pytest.mark.parametrize(("raw", "shown"), [
    ("acta.pdf", "acta.pdf"),
    ("../../etc/passwd", "passwd"),
    ("C:\\fakepath\\acta.pdf", "acta.pdf"),
    ("\\\\server\\share\\acta.pdf", "acta.pdf"),
    ("acta\x00.pdf", "acta.pdf"),
    ("a\r\nContent-Type: text/html.pdf", "html.pdf"),   # a slash is a path: its last part
    ("factura\u202efdp.exe", "facturafdp.exe"),
    ("zero\u200bwidth.pdf", "zerowidth.pdf"),
    ("ﬁnanzas.pdf", "finanzas.pdf"),               # a ligature, NFKC
    ("Ａｃｔａ.pdf", "Acta.pdf"),                    # fullwidth letters
    ("a<b>c|d?e*f\"g.pdf", "a_b_c_d_e_f_g.pdf"),
    ("  acta   final .pdf. ", "acta final .pdf"),
    ("..", FALLBACK_NAME), ("", FALLBACK_NAME), (None, FALLBACK_NAME), ("/", FALLBACK_NAME),
    ("___", FALLBACK_NAME), ("\ud800.pdf", "pdf"), ("nombre\tcon\ttabs.pdf", "nombre con tabs.pdf"),
    ("Estados financieros 2024–2025 (auditados).xlsx",
     "Estados financieros 2024–2025 (auditados).xlsx"),
])
def test_names_are_cleaned_for_display(raw: str | None, shown: str) -> None:
    assert clean_filename(raw) == shown


def test_a_long_name_keeps_120_characters_and_its_extension() -> None:
    name = clean_filename("x" * 300 + ".xlsx")
    assert len(name) == 120 and name.endswith("x.xlsx")
    without = clean_filename("y" * 300)
    assert without == "y" * 120
    odd = clean_filename("z" * 200 + "." + "e" * 30)   # not an extension: cut as it is
    assert len(odd) == 120


@pytest.mark.parametrize(("name", "kind", "saved"), [
    ("acta.pdf", PDF, "PF-2026-00042_acta.pdf"),
    ("acta.PDF", PDF, "PF-2026-00042_acta.pdf"),
    ("acta.png", PDF, "PF-2026-00042_acta.png.pdf"),
    ("ine.jpeg", JPEG, "PF-2026-00042_ine.jpg"),
    ("flujos", XLSX, "PF-2026-00042_flujos.xlsx"),
])
def test_a_download_is_named_with_the_folio_and_the_real_extension(
        name: str, kind: str, saved: str) -> None:
    assert download_name("PF-2026-00042", name, kind) == saved


def _current(status: str = "pending", days: int = 0) -> Current:
    return Current(1, status, NOW - timedelta(days=days), "Ilegible." if status == "rejected"
                   else "")


def test_submitting_needs_each_paper_present_and_not_rejected() -> None:
    policy = Policy()
    missing = gate_problems(policy, Action.SUBMIT_PROPOSAL, {}, NOW)
    assert [r.code for r in missing] == ["document_missing"] * 9
    assert [r.field for r in missing] == [f"documents.{k}" for k in SUBMITTED]
    assert str(missing[0]) == "The document “Acta constitutiva” is missing."
    assert gate_problems(policy, "submit_proposal", {}, NOW, "en")[0].params["label"] == (
        "Articles of incorporation (acta constitutiva)")
    waiting = {k: _current() for k in SUBMITTED}
    assert gate_problems(policy, Action.SUBMIT_PROPOSAL, waiting, NOW) == []
    waiting["technical_project"] = _current("rejected")
    rejected = gate_problems(policy, Action.SUBMIT_UPDATE, waiting, NOW)
    assert [(r.code, r.params["reason"]) for r in rejected] == [
        ("document_rejected", "Ilegible.")]


@pytest.mark.parametrize("action", [Action.VERIFY, Action.PRESENT_TO_FOCIR, Action.APPROVE])
def test_the_reviewers_actions_need_every_paper_so_far_accepted(action: Action) -> None:
    policy = Policy()
    current = {k: _current("accepted") for k in SUBMITTED}
    assert gate_problems(policy, action, current, NOW) == []
    current["guarantee_deeds"] = _current("pending")
    assert [r.code for r in gate_problems(policy, action, current, NOW)] == [
        "document_not_accepted"]


@pytest.mark.parametrize(("days", "refused"), [(0, False), (90, False), (91, True)])
def test_the_bureau_report_may_be_the_policys_days_old_when_submitted(
        days: int, refused: bool) -> None:
    current = {k: _current() for k in SUBMITTED}
    current["credit_bureau_report"] = _current(days=days)
    problems = gate_problems(Policy(), Action.SUBMIT_PROPOSAL, current, NOW)
    assert [r.code for r in problems] == (["document_expired"] if refused else [])
    stricter = gate_problems(Policy(credit_report_max_age_days=30), Action.SUBMIT_PROPOSAL,
                             current, NOW)
    assert bool(stricter) == (days > 30)
    # Age is for the company's submissions: it never holds up the reviewers' decisions.
    accepted = {k: replace(v, status="accepted") for k, v in current.items()}
    assert gate_problems(Policy(), Action.APPROVE, accepted, NOW) == []


def test_what_each_action_looks_at() -> None:
    policy = Policy()
    assert items_for(policy, Action.ACKNOWLEDGE_CONTACT) == []
    assert items_for(policy, Action.REJECT) == [] == items_for(policy, Action.WITHDRAW)
    assert [i.kind for i in items_for(policy, Action.SUBMIT_PROPOSAL)] == SUBMITTED
    assert [i.kind for i in items_for(policy, Action.APPROVE)] == SUBMITTED  # memo optional
    later = (ChecklistItem("promissory_note", "Pagaré", "Promissory note",
                           required_for=("present_to_focir",)),)
    assert [i.kind for i in required_so_far(later, Action.VERIFY)] == []
    assert [i.kind for i in required_so_far(later, Action.APPROVE)] == ["promissory_note"]
    assert [i.kind for i in required_so_far(later, Action.REQUEST_CHANGES)] == []


def test_the_checklist_round_trips_through_the_stored_policy() -> None:
    policy = Policy()
    stored = policy.to_dict()
    assert stored["checklist"][7] == {
        "kind": "credit_bureau_report",
        "labels": {"es": "Reporte de buró de crédito", "en": "Credit bureau report"},
        "required_for": ["submit_proposal"], "optional_for": [], "uploaded_by": "sme",
        "dated": True}
    assert Policy.from_dict(stored) == policy
    # Versions stored before the checklist existed read the default one.
    older = {k: v for k, v in stored.items() if k != "checklist"}
    assert Policy.from_dict(older).checklist == DEFAULT_CHECKLIST
    assert Policy.from_dict({**stored, "checklist": []}).checklist == ()


def test_a_checklist_with_unknown_actions_repeated_kinds_or_no_labels_is_refused() -> None:
    items = [ChecklistItem("acta", "Acta", "Articles", required_for=("teleport",)),
             ChecklistItem("acta", "Acta", "Articles"),
             ChecklistItem("Bad Kind", "", "x", uploaded_by="admin")]
    codes = [(r.code, r.field) for r in checklist_problems(items)]
    assert codes == [
        ("checklist_action_unknown", "checklist.0.required_for"),
        ("checklist_kind_repeated", "checklist.1.kind"),
        ("checklist_kind_invalid", "checklist.2.kind"),
        ("checklist_label_invalid", "checklist.2.label_es"),
        ("checklist_uploader_invalid", "checklist.2.uploaded_by")]
    assert checklist_problems(DEFAULT_CHECKLIST) == []
