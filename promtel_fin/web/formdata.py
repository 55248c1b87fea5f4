"""Turn flat form fields into the API's documents, and the API's errors back into fields.

Pages post ordinary HTML forms (``localities-0-name``, ``cash_flows-2-revenue``); the same
marshmallow schemas as the JSON API validate them, so a rule is written once and answers the
same everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import fields, replace
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from ..domain.errors import DomainError, Reason
from ..domain.numbers import NumberError, parse_percent, percent_text
from ..domain.policy import SLA_PREFIX, Policy
from ..i18n import by_field, translate_messages

INTEGERS = {"term_months", "grace_months", "year", "population", "bureau_score",
            "max_term_months", "max_grace_months", "min_bureau_score",
            "credit_report_max_age_days", "rural_population_threshold", "max_open_drafts",
            "reviewer_id", "version",
            *(f.name for f in fields(Policy) if f.name.startswith(SLA_PREFIX))}
BOOLEANS = {"priority_zone", "dated"}
# Rates typed as percentages on every form (10 for 10 %); the schemas and the API read fractions.
PERCENT_FIELDS = ("annual_rate", "vat_rate", "discount_rate")
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
    """Flatten marshmallow's nested errors into ``{"localities-0-name": [...]}``, translated,
    in a page's words."""
    return {name: [_in_words(m) for m in messages]
            for name, messages in _flatten(translate_messages(errors)).items()}


def _in_words(message: str) -> str:
    """A page offers its choices in a list, in words: "choose one of: ftth, satellite, …"
    (the codes the API names for its clients) becomes "choose one of the list's options"."""
    prefix = _("Choose one of: {choices}.").split("{choices}", 1)[0]
    if prefix and message.startswith(prefix):
        return _("Choose one of the options of the list.")
    return message


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


def percents_to_fractions(values: Mapping[str, Any], names: Iterable[str] = PERCENT_FIELDS
                          ) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Turn the rates a form's user typed as percentages ("10", "10,5") into the fractions the
    schemas read ("0.1", "0.105"); give the fields that cannot be read, with their messages.
    A blank or missing rate is left as it is."""
    out, errors = dict(values), {}
    for name in names:
        raw = values.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        try:
            fraction = parse_percent(raw)
        except NumberError as error:
            errors[name] = [_("Write the rate as a percentage with at most four decimals, "
                              "for example 10 or 10.5.") if error.code == "places" else
                            _("Write the rate as a percentage, for example 10 or 10.5.")]
            continue
        if fraction > 1:
            errors[name] = [_("The rate is a percentage from 0 to 100.")]
            continue
        out[name] = f"{fraction.normalize():f}" if fraction else "0"
    return out, errors


def fractions_to_percents(values: Mapping[str, Any], names: Iterable[str] = PERCENT_FIELDS
                          ) -> dict[str, Any]:
    """Show the rates of stored values (fractions) as the percentages the forms take."""
    return {k: percent_text(v) if k in names and v not in (None, "") else v
            for k, v in values.items()}


# The policy's refusals that quote rates: a form shows them as the percentages its user typed.
RATE_REASONS = frozenset({"rate_not_policy", "vat_not_policy"})


def rates_as_percents(reasons: Iterable[Reason]) -> list[Reason]:
    """Quote the rates of the policy's refusals as percentages (10.5 %), as the forms take them
    (the API keeps quoting fractions)."""
    return [replace(r, params={k: f"{percent_text(v)} %" for k, v in r.params.items()})
            if r.code in RATE_REASONS else r for r in reasons]
