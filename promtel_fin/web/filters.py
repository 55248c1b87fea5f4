"""Jinja filters: pesos, percentages, dates in the user's language, and labels."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Flask
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..domain.money import pesos
from ..i18n import PARAM_WORDS, translations
from . import labels

# Each label table in each language, as plain strings: {(table, catalogue): {code: words}}.
_LABELS: dict[tuple[str, Any], dict[str, str]] = {}


def money(value: Any) -> str:
    """Write pesos as $1,234,567.89 (an empty string for nothing)."""
    if value in (None, ""):
        return ""
    try:
        return pesos(Decimal(str(value)))
    except ArithmeticError:   # not an amount: show it as typed rather than fail the page
        return str(value)


def percent(value: Any, places: int = 2) -> str:
    """Write a fraction as a percentage: 0.1 -> 10.00%."""
    if value in (None, ""):
        return "—"
    try:
        return f"{Decimal(str(value)) * 100:.{places}f}%"
    except ArithmeticError:   # not a number: show it as typed rather than fail the page
        return str(value)


def number(value: Any, places: int = 2) -> str:
    if value in (None, ""):
        return "—"
    return f"{Decimal(str(value)):,.{places}f}"


def day(value: date | datetime | None) -> str:
    """Write a date in the user's language: 22 de noviembre de 2026."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "d MMM y, HH:mm")
    return format_date(value, "long")


def label(code: Any, table: str) -> str:
    """Give the words for a code from one of the label tables, in the request's language.

    Each table is translated once per language and kept (the catalogues do not change while
    the app runs), not once per label shown.
    """
    key = (table, translations())
    words = _LABELS.get(key)
    if words is None:
        words = _LABELS[key] = {str(k): str(v) for k, v in getattr(labels, table).items()}
    return words.get(str(code), str(code))


_PATH = re.compile(r"[.\-\[\]]+")


def _parts(path: Any) -> list[str]:
    return [p for p in _PATH.split(str(path)) if p]


def field_label(path: Any, strict: bool = False) -> str:
    """Name a field in words: ``requested_amount`` -> Amount requested, ``cash_flows[2].revenue``
    or ``cash_flows-2-revenue`` -> Cash flows, year 3: Revenue. A part without words is shown
    as it is, or, when ``strict``, the whole answer is empty (never a code on a page)."""
    parts, words = _parts(path), []
    index = 0
    while index < len(parts):
        part = parts[index]
        following = parts[index + 1] if index + 1 < len(parts) else ""
        if part in labels.ROWS and following.isdigit():
            words.append(label(part, "ROWS") % {"n": int(following) + 1})
            index += 2
            continue
        table = next((t for t in ("FIELDS", "POLICY", "GUARANTEE_KINDS")
                      if part in getattr(labels, t)), None)
        if table is None and strict:
            return ""
        words.append(label(part, table or "FIELDS"))
        index += 1
    return ": ".join(words)


def field_value(value: Any, path: Any) -> str:
    """Write a field's value as people read it: pesos with separators, codes by name."""
    parts = _parts(path)
    last = parts[-1] if parts else ""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return label(value, "YES_NO")
    if last in labels.MONEY_FIELDS:
        return money(value)
    table = labels.CODED_FIELDS.get((parts[0], last)) or labels.CODED_FIELDS.get(last)
    if isinstance(table, str):
        return label(value, table)
    if last == "population" and isinstance(value, int):
        return f"{value:,}"
    return str(value)


def scrollable(name: str | None = None) -> Markup:
    """The attributes of a box that scrolls sideways on a phone (``<div class="scroll"
    {{ scrollable() }}>``): a named region that takes the keyboard's focus, so that someone
    without a pointer can scroll it with the arrow keys (axe's scrollable-region-focusable)."""
    words = name or _("Table; it scrolls sideways on narrow screens")
    return Markup('role="region" tabindex="0" aria-label="%s"') % escape(words)


def init_app(app: Flask) -> None:
    """Register the filters, and the words that pages give the codes in refusals."""
    PARAM_WORDS.update(action=labels.ACTIONS, state=labels.STATES, role=labels.ROLES)
    app.jinja_env.filters.update(money=money, percent=percent, number=number, day=day,
                                 label=label, field_label=field_label,
                                 field_value=field_value)
    app.jinja_env.globals.update(labels=labels, scrollable=scrollable)
