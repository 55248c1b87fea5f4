"""Language choice and translation of domain reasons (Spanish first, English second)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask, current_app, g, request
from flask_babel import Babel, get_translations, gettext

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


def translations() -> Any:
    """Give the request's catalogue, found once per request and language.

    Flask-Babel finds it anew at each call (its domain, its context, the locale: a dozen
    lookups through Flask's context locals), which a page with a hundred strings paid a
    hundred times. The catalogue is kept on ``g`` for the locale Flask-Babel chose for this
    request; a different locale (``force_locale``) finds its own.
    """
    babel_context = g.get("_flask_babel")
    locale = getattr(babel_context, "babel_locale", None)
    cached = g.get("_promtel_translations")
    if cached is not None and locale is not None and cached[0] is locale:
        return cached[1]
    found = get_translations()
    g._promtel_translations = (getattr(g.get("_flask_babel"), "babel_locale", None), found)
    return found


def init_app(app: Flask) -> None:
    """Install Flask-Babel with the package's catalogues; templates translate through the
    request's catalogue found once (``translations``)."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )


# Words for the codes some reasons carry ({action}, {state}, {role}), registered by the pages
# (web/filters.py, from web/labels.py): a page says "Rechazar" where the API keeps the code
# its clients match on.
PARAM_WORDS: dict[str, Mapping[str, Any]] = {}


def say(reason: Reason, words: bool = False) -> str:
    """Give a reason in the request's language, with its values filled in (in words, for a
    page, when ``words``)."""
    params = reason.params
    if words:
        params = {k: str(PARAM_WORDS[k].get(str(v), v)) if k in PARAM_WORDS else v
                  for k, v in params.items()}
    return gettext(reason.template).format(**params)


def by_field(reasons: Iterable[Reason], rename: Mapping[str, str] | None = None,
             default: str = "_form", words: bool = False) -> dict[str, list[str]]:
    """Group reasons as ``{field: [message, ...]}`` in the request's language.

    The one place where refusals become per-field messages: the API's ``errors.fields`` and
    every page's errors beside its fields come from here (pages through
    ``web.formdata.field_errors``). Reasons without a field go under ``default``; ``rename``
    maps a domain field name to the form's.
    """
    grouped: dict[str, list[str]] = {}
    for r in reasons:
        name = r.field or default
        grouped.setdefault((rename or {}).get(name, name), []).append(say(r, words))
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
