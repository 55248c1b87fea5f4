"""Turn flat form fields into the API's documents, and the API's errors back into fields.

Pages post ordinary HTML forms (``localities-0-name``, ``cash_flows-2-revenue``); the same
marshmallow schemas as the JSON API validate them, so a rule is written once and answers the
same everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import fields
from typing import Any

from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from ..domain.errors import DomainError
from ..domain.policy import SLA_PREFIX, Policy
from ..i18n import by_field, translate_messages

INTEGERS = {"term_months", "grace_months", "year", "population", "bureau_score",
            "max_term_months", "max_grace_months", "min_bureau_score",
            "credit_report_max_age_days", "rural_population_threshold", "max_open_drafts",
            "reviewer_id", "version",
            *(f.name for f in fields(Policy) if f.name.startswith(SLA_PREFIX))}
BOOLEANS = {"priority_zone", "dated"}
ROW = re.compile(r"^(?P<list>[a-z_]+)-(?P<index>\d+)-(?P<field>[a-z_]+)$")


def _value(name: str, raw: str) -> Any:
    text = raw.strip()
    if name in INTEGERS and re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


def rows(form: MultiDict, name: str, fields: Iterable[str]) -> list[dict[str, Any]]:
    """Collect the non-blank rows of a repeated group, in index order."""
    found: dict[int, dict[str, Any]] = {}
    for key in form:
        match = ROW.match(key)
        if match and match["list"] == name and match["field"] in fields:
            found.setdefault(int(match["index"]), {})[match["field"]] = form.get(key, "")
    out = []
    for index in sorted(found):
        row = found[index]
        if not any(str(v).strip() for v in row.values()):
            continue
        item: dict[str, Any] = {}
        for field in fields:
            if field in BOOLEANS:
                item[field] = field in row and row[field] not in ("", "0", "off")
            elif field in row:
                value = _value(field, row[field])
                if value != "" or field in ("name", "description"):
                    item[field] = value
        out.append(item)
    return out


def scalars(form: MultiDict, names: Iterable[str], *, blank_is_none: bool = True) -> dict:
    """Collect single fields; a blank optional field means "not stated" (None)."""
    out: dict[str, Any] = {}
    for name in names:
        if name in form:
            value = _value(name, form.get(name, ""))
            out[name] = None if (value == "" and blank_is_none) else value
    return out


def field_errors(error: ValidationError | DomainError,
                 rename: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """Turn any refusal, marshmallow's or the rules', into the form's per-field messages."""
    if isinstance(error, ValidationError):
        return flat_errors(error.messages)
    return by_field(error.reasons, rename, words=True)


def flat_errors(errors: Any) -> dict[str, list[str]]:
    """Flatten marshmallow's nested errors into ``{"localities-0-name": [...]}``, translated."""
    return _flatten(translate_messages(errors))


def _flatten(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(errors, Mapping):
        for key, value in errors.items():
            if isinstance(key, int):
                name = f"{prefix}-{key}" if prefix else str(key)
            else:
                name = f"{prefix}-{key}" if prefix and prefix[-1].isdigit() else (
                    f"{prefix}.{key}" if prefix else str(key))
            out.update(_flatten(value, name))
    elif isinstance(errors, list | tuple):
        if all(isinstance(e, str) for e in errors):
            out.setdefault(prefix or "_form", []).extend(errors)
        else:
            for item in errors:
                out.update(_flatten(item, prefix))
    else:
        out.setdefault(prefix or "_form", []).append(str(errors))
    return out
