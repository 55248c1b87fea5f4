"""Words to be read later, by someone else, in their language: a message key and its values.

A notification is written once for all its recipients, in the transaction of the change, and
read later: in the inbox in the reader's language of the moment, by e-mail in the recipient's.
So it stores no rendered sentence but ``{"key": msgid, "params": {...}}``: an English gettext
msgid with ``{named}`` placeholders (marked ``N_`` where written) and the values to fill in, which
may themselves be texts (a step's name, an action's). A plain string is stored as
``{"text": "..."}`` and shown as it is, never translated nor used as a template, so text a person
wrote (a comment) cannot inject placeholders.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Text:
    """A translatable message: an English msgid template and the values it names."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Give the stored form (values that are texts are stored as texts)."""
        return {"key": self.key, "params": {k: stored(v) for k, v in self.params.items()}}


def t(key: str, **params: Any) -> Text:
    """Build a Text: ``t(N_("Proposal {folio} moved to {step}"), folio=..., step=t(...))``."""
    return Text(key, params)


def stored(value: Any) -> Any:
    """Give the JSON form of a text, a plain string, or a plain value (numbers, None)."""
    if isinstance(value, Text):
        return value.to_json()
    if isinstance(value, str):
        return {"text": value}
    if value is None or isinstance(value, bool | int | float):
        return value
    key = _lazy_key(value)
    if key is not None:
        return {"key": key, "params": {}}
    return {"text": str(value)}


def _lazy_key(value: Any) -> str | None:
    """Give the msgid of a Flask-Babel lazy string made by ``_l("...")`` (no values)."""
    args = getattr(value, "_args", None)
    if args and isinstance(args[0], str) and not getattr(value, "_kwargs", None):
        return args[0]
    return None


def render(value: Any, translate: Callable[[str], str]) -> str:
    """Render a stored text with ``translate`` (gettext of the wanted language)."""
    if isinstance(value, Mapping):
        if "key" in value:
            params = {k: render(v, translate) for k, v in (value.get("params") or {}).items()}
            try:
                return translate(value["key"]).format(**params)
            except (KeyError, IndexError, ValueError):   # a translation lost a placeholder
                return str(value["key"]).format(**params)
        return str(value.get("text", ""))
    if value is None:
        return ""
    return str(value)
