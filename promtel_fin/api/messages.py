"""Messages that marshmallow and webargs write in English, marked here so they get translated.

The API's error handler passes every field message through gettext, so each msgid below is
shown in the user's language (see promtel_fin/i18n.py ``translate_messages``).
"""

from ..domain.errors import N_

LIBRARY_MESSAGES = (
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Unknown field."),
    N_("Invalid input type."),
    N_("Invalid value."),
    N_("Invalid type."),
    N_("Not a valid string."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Number too large."),
    N_("Not a valid boolean."),
    N_("Not a valid date."),
    N_("Not a valid list."),
    N_("Not a valid mapping type."),
    N_("Not a valid email address."),
    N_("Not a valid utf-8 string."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("Invalid JSON body."),
)
