"""Documents of a proposal: what a file is (by its content), how its name is shown, and what the
checklist asks for before each action.

Everything here is pure: it reads bytes from a stream it is given and the facts it is passed,
and never touches the filesystem, the database or the clock.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from .errors import N_, Reason, reason
from .policy import UPLOADERS, ChecklistItem, Policy
from .workflow import Action, State

# ---- types, by content ---------------------------------------------------------------------

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", XLSX: ".xlsx"}
ACCEPTED_TYPES = tuple(EXTENSIONS)

_PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE = b"\xff\xd8\xff"
_ZIP_SIGNATURE = b"PK\x03\x04"
# An XLSX is a ZIP (Office Open XML) with these parts; a DOCX has word/ instead of xl/.
XLSX_PARTS = frozenset({"[Content_Types].xml", "xl/workbook.xml"})
# A workbook with macros (.xlsm) carries VBA; it is refused even when saved as .xlsx.
MACRO_PARTS = frozenset({"xl/vbaProject.bin"})
HEAD_BYTES = 16


def sniff(stream: BinaryIO) -> str | None:
    """Tell the type of a file from its content: PDF, JPEG, PNG or XLSX; None for anything else.

    The name a client gives is never looked at. ``stream`` must be seekable (a ZIP is read from
    its central directory at the end); it is left at its start.
    """
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    if _PDF_HEADER.match(head):
        return PDF
    if head.startswith(_PNG_SIGNATURE):
        return PNG
    if head.startswith(_JPEG_SIGNATURE):
        return JPEG
    if head.startswith(_ZIP_SIGNATURE):
        try:
            with zipfile.ZipFile(stream) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
            names = set()
        finally:
            stream.seek(0)
        if names >= XLSX_PARTS and not names & MACRO_PARTS:
            return XLSX
    return None


# ---- file names, for display only ----------------------------------------------------------

MAX_NAME_LENGTH = 120
FALLBACK_NAME = "documento"
# Characters that some systems refuse in a file name, or that mean a path somewhere.
_UNSAFE = re.compile(r'[<>:"/\\|?*]')
_SPACES = re.compile(r"\s+")
_BREAKS = re.compile(r"[\t\n\r\v\f]")
# Unicode categories never shown: controls, format characters (bidirectional overrides,
# zero-width joiners), surrogates, private use and unassigned code points.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def clean_filename(raw: str | None) -> str:
    """Give a file name fit to show: the last part of any path, in NFKC form, without control
    or invisible characters, path separators or reserved characters, at most 120 characters
    (the extension kept). It is never used as a path: files are stored by their SHA-256.
    """
    text = unicodedata.normalize("NFKC", raw or "")
    text = re.split(r"[/\\]", text)[-1]          # C:\fakepath\acta.pdf, ../../etc/passwd
    text = _BREAKS.sub(" ", text)                  # tabs and line breaks are spaces
    text = "".join(c for c in text if unicodedata.category(c) not in _HIDDEN)
    text = _SPACES.sub(" ", _UNSAFE.sub("_", text)).strip(" .")
    if not text.strip("_ "):
        return FALLBACK_NAME
    if len(text) > MAX_NAME_LENGTH:
        stem, dot, extension = text.rpartition(".")
        if dot and stem and 0 < len(extension) <= 10:
            text = stem[: MAX_NAME_LENGTH - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            text = text[:MAX_NAME_LENGTH].rstrip(" .")
    return text


def download_name(folio: str, filename: str, content_type: str) -> str:
    """Give the name a download is saved under: the folio, the shown name, and the extension of
    its real type (a PDF named ``.png`` is saved as ``.pdf``)."""
    extension = EXTENSIONS.get(content_type, "")
    stem = filename
    if stem.lower().endswith(extension) and extension:
        stem = stem[: -len(extension)]
    elif stem.lower().endswith(".jpeg") and extension == ".jpg":
        stem = stem[:-5]
    return f"{folio}_{stem}{extension}"


# ---- the checklist ---------------------------------------------------------------------------

PENDING, ACCEPTED, REJECTED, MISSING = "pending", "accepted", "rejected", "missing"
DECISIONS = (ACCEPTED, REJECTED)
# The order of the happy path: "required so far" for an action is what the checklist asks for
# it and for every action on the path before it.
PATH: tuple[Action, ...] = (
    Action.ACKNOWLEDGE_CONTACT, Action.SUBMIT_PROPOSAL, Action.GIVE_FEEDBACK,
    Action.SUBMIT_UPDATE, Action.VERIFY, Action.PRESENT_TO_FOCIR, Action.GIVE_OPINION,
    Action.APPROVE, Action.SIGN,
)
# The SME's submissions: every document required so far is there and not rejected, and a
# dated one is recent enough.
SUBMISSIONS = frozenset({Action.SUBMIT_PROPOSAL, Action.SUBMIT_UPDATE})
# The reviewers' actions that vouch for the file: every document required so far accepted.
ACCEPTANCES = frozenset({Action.VERIFY, Action.PRESENT_TO_FOCIR, Action.APPROVE})
# When each uploader may upload: the SME while it may edit (steps 1, 2, and 4, where a
# reviewer's request for changes brings it); PROMTEL at any open step; FOCIR once the proposal
# is presented to it, until it decides.
UPLOAD_STATES: dict[str, frozenset[State]] = {
    "sme": frozenset({State.CONTACT, State.PROPOSAL, State.UPDATE}),
    "promtel": frozenset(s for s in State if s not in
                         {State.SIGNED, State.REJECTED, State.WITHDRAWN}),
    "focir": frozenset({State.UPDATE, State.PROMTEL_VERIFICATION, State.FOCIR_PRESENTATION,
                        State.FOCIR_FEEDBACK, State.PROMTEL_OPINION, State.FOCIR_DECISION}),
}
REVIEWERS = frozenset({"promtel", "focir"})
_KIND = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


@dataclass(frozen=True)
class Current:
    """The document now standing for a kind: its review status and when it was uploaded."""

    id: int
    status: str
    uploaded_at: datetime
    reason: str = ""


def required_so_far(checklist: Iterable[ChecklistItem], action: Action) -> list[ChecklistItem]:
    """List the items required for ``action`` or for any action on the path before it."""
    upto = set(PATH[: PATH.index(action) + 1]) if action in PATH else {action}
    return [item for item in checklist if upto & set(item.required_for)]


def age_in_days(uploaded_at: datetime, now: datetime) -> int:
    """Give how many whole days ago a document was uploaded."""
    return max(0, (now - uploaded_at).days)


def expired(item: ChecklistItem, document: Current | None, policy: Policy,
            now: datetime) -> bool:
    """Tell whether a dated document is older than the policy allows (its upload bounds its
    age from below: a report cannot be younger than its upload)."""
    return (item.dated and document is not None
            and age_in_days(document.uploaded_at, now) > policy.credit_report_max_age_days)


def items_for(policy: Policy, action: Action) -> list[ChecklistItem]:
    """List the checklist's items that an action looks at (see ``gate_problems``)."""
    if action in SUBMISSIONS or action in ACCEPTANCES:
        return required_so_far(policy.checklist, action)
    return [item for item in policy.checklist if action in item.required_for]


def gate_problems(policy: Policy, action: Action | str, current: Mapping[str, Current],
                  now: datetime, language: str = "es") -> list[Reason]:
    """List why the documents hold up ``action``, naming each by its label in ``language``.

    Every action: a document the checklist requires for it must be there and not rejected.
    The SME's submissions: so must every document required so far, and a dated one must be
    recent enough. ``verify``, ``present_to_focir`` and ``approve``: every document required
    so far must be accepted.
    """
    action = Action(action)
    problems = []
    for item in items_for(policy, action):
        document = current.get(item.kind)
        label, where = item.label(language), f"documents.{item.kind}"
        if document is None:
            problems.append(reason("document_missing", N_("The document “{label}” is missing."),
                                   field=where, label=label))
        elif document.status == REJECTED:
            problems.append(reason(
                "document_rejected",
                N_("The document “{label}” was rejected ({reason}); upload it again."),
                field=where, label=label, reason=document.reason))
        elif action in ACCEPTANCES and document.status != ACCEPTED:
            problems.append(reason(
                "document_not_accepted",
                N_("The document “{label}” has not been accepted yet; review it first."),
                field=where, label=label))
        elif action in SUBMISSIONS and expired(item, document, policy, now):
            problems.append(reason(
                "document_expired",
                N_("The document “{label}” was uploaded {age} days ago; it may be at most "
                   "{limit} days old: upload a recent one."),
                field=where, label=label, age=age_in_days(document.uploaded_at, now),
                limit=policy.credit_report_max_age_days))
    return problems


def checklist_problems(checklist: Iterable[ChecklistItem]) -> list[Reason]:
    """List why a checklist cannot be put in force: kinds, labels, actions and uploaders."""
    problems: list[Reason] = []
    seen: set[str] = set()
    actions = {str(a) for a in Action}
    for i, item in enumerate(checklist):
        where = f"checklist.{i}"
        if not _KIND.match(item.kind):
            problems.append(reason(
                "checklist_kind_invalid",
                N_("The kind {kind} must be 2 to 40 lowercase letters, digits or underscores, "
                   "starting with a letter."), field=f"{where}.kind", kind=item.kind))
        elif item.kind in seen:
            problems.append(reason("checklist_kind_repeated",
                                   N_("The kind {kind} appears more than once."),
                                   field=f"{where}.kind", kind=item.kind))
        seen.add(item.kind)
        for language in ("es", "en"):
            text = item.label(language).strip()
            if not text or len(text) > 200:
                problems.append(reason(
                    "checklist_label_invalid",
                    N_("Each document needs a label of 1 to 200 characters in Spanish and "
                       "English."), field=f"{where}.label_{language}"))
        for name in ("required_for", "optional_for"):
            for action in getattr(item, name):
                if action not in actions:
                    problems.append(reason("checklist_action_unknown",
                                           N_("The action {action} does not exist."),
                                           field=f"{where}.{name}", action=action))
        if item.uploaded_by not in UPLOADERS:
            problems.append(reason("checklist_uploader_invalid",
                                   N_("Documents are uploaded by sme, promtel or focir."),
                                   field=f"{where}.uploaded_by"))
    return problems
