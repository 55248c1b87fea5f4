"""What ``audit verify`` checks of a proposal's documents.

- ``document``: each document row against its history: an upload entry recording its id and
  SHA-256, a supersession entry when it was replaced, and its status and reason as its last
  review entry left them; and each upload entry against its row.
- ``document_file``: the stored file of each document is there and still hashes to its SHA-256
  (read in chunks; a file shared by several rows is read once per batch).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..domain.documents import PENDING
from ..models import Document
from ..storage import DocumentStore

Entry = Mapping[str, Any]
REVIEWS = ("document_accepted", "document_rejected")


def ties(rows: Sequence[Document], entries: Sequence[Entry]) -> Iterator[tuple[str, str]]:
    """Check each document row against the entries that recorded it, and back."""
    uploads: dict[Any, Entry] = {}
    superseded: dict[Any, Entry] = {}
    reviews: dict[Any, Entry] = {}
    for entry in entries:
        payload = entry["payload"] or {}
        if entry["action"] == "document_uploaded":
            uploads[payload.get("document_id")] = entry
        elif entry["action"] == "document_superseded":
            superseded[payload.get("document_id")] = entry
        elif entry["action"] in REVIEWS:
            reviews[payload.get("document_id")] = entry   # the last one stays
    for row in rows:
        upload = uploads.pop(row.id, None)
        if upload is None:
            yield "document", f"document {row.id} ({row.kind}) has no upload entry"
        elif upload["payload"].get("sha256") != row.sha256:
            yield "document", (f"document {row.id} ({row.kind})'s SHA-256 is not the one its "
                               f"upload entry (seq {upload['seq']}) recorded")
        if not row.is_current and row.id not in superseded:
            yield "document", f"document {row.id} ({row.kind}) is superseded without an entry"
        if row.is_current and row.id in superseded:
            yield "document", (f"document {row.id} ({row.kind}) is current but its entry (seq "
                               f"{superseded[row.id]['seq']}) recorded it superseded")
        review = reviews.get(row.id)
        recorded = (review["payload"].get("decision"), review["comment"]) if review \
            else (PENDING, "")
        if (row.status, row.reason) != recorded:
            where = (f"its review entry (seq {review['seq']})" if review
                     else "its history (no review)")
            yield "document", (f"document {row.id} ({row.kind}) is {row.status} but "
                               f"{where} left it {recorded[0]}")
    for document_id, entry in sorted(uploads.items(), key=lambda item: item[1]["seq"]):
        yield "document", (f"the upload entry (seq {entry['seq']}) of document {document_id} "
                           "has no document row")


def files(rows: Sequence[Document], store: DocumentStore,
          checked: dict[str, bool | None]) -> Iterator[tuple[str, str]]:
    """Check that each document's file is stored and still hashes to its SHA-256; ``checked``
    remembers the verdict of each digest already read."""
    for row in rows:
        if row.sha256 not in checked:
            checked[row.sha256] = store.intact(row.sha256) if store.exists(row.sha256) \
                else None
        verdict = checked[row.sha256]
        if verdict is None:
            yield "document_file", (f"document {row.id} ({row.kind}, “{row.filename}”): its file "
                                    f"{row.sha256[:12]}… is missing from the store")
        elif not verdict:
            yield "document_file", (f"document {row.id} ({row.kind}, “{row.filename}”): its "
                                    f"stored file no longer matches its SHA-256 "
                                    f"{row.sha256[:12]}…")
