"""Field-by-field differences between two frozen revisions of a proposal."""

from __future__ import annotations

from typing import Any

_MISSING = object()


def flatten(document: Any, prefix: str = "") -> dict[str, Any]:
    """Flatten nested dicts and lists into ``{"a.b[0].c": value}``."""
    if isinstance(document, dict):
        out: dict[str, Any] = {}
        for key, value in document.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(document, list):
        out = {}
        for index, value in enumerate(document):
            out.update(flatten(value, f"{prefix}[{index}]"))
        if not document:
            out[prefix] = []
        return out
    return {prefix: document}


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """List each field that was added, removed or changed, in document order."""
    old, new = flatten(before), flatten(after)
    changes = []
    for path in list(old) + [p for p in new if p not in old]:
        a, b = old.get(path, _MISSING), new.get(path, _MISSING)
        if a == b:
            continue
        kind = "added" if a is _MISSING else "removed" if b is _MISSING else "changed"
        changes.append({
            "field": path,
            "change": kind,
            "before": None if a is _MISSING else a,
            "after": None if b is _MISSING else b,
        })
    return changes
