"""Language choice and translation of domain reasons (Spanish first, English second)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask, current_app, request
from flask_babel import Babel, gettext

from .domain.errors import Reason

babel = Babel()


def select_locale() -> str:
    """Choose the language: ?lang=, then the switch's cookie, then Spanish.

    Pages are in Spanish unless the person picks English with the switch, whatever the browser
    says (many browsers in Mexico are set to English). API clients choose with Accept-Language.
    """
    languages = current_app.config["LANGUAGES"]
    for choice in (request.args.get("lang"), request.cookies.get("lang")):
        if choice in languages:
            return choice
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(languages) or languages[0]
    return languages[0]


def init_app(app: Flask) -> None:
    """Install Flask-Babel with the package's catalogues."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale)


def say(reason: Reason) -> str:
    """Give a reason in the request's language, with its values filled in."""
    return gettext(reason.template).format(**reason.params)


def by_field(reasons: Iterable[Reason], rename: Mapping[str, str] | None = None,
             default: str = "_form") -> dict[str, list[str]]:
    """Group reasons as ``{field: [message, ...]}`` in the request's language.

    The one place where refusals become per-field messages: the API's ``errors.fields`` and
    every page's errors beside its fields come from here (pages through
    ``web.formdata.field_errors``). Reasons without a field go under ``default``; ``rename``
    maps a domain field name to the form's.
    """
    grouped: dict[str, list[str]] = {}
    for r in reasons:
        name = r.field or default
        grouped.setdefault((rename or {}).get(name, name), []).append(say(r))
    return grouped


def translate_messages(messages: Any) -> Any:
    """Translate marshmallow's messages (English msgids) wherever they sit in an error tree."""
    if isinstance(messages, dict):
        return {key: translate_messages(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [translate_messages(m) for m in messages]
    if isinstance(messages, str):
        return gettext(messages)
    return str(messages)
