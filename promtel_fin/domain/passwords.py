"""Which new passwords are acceptable: long enough, not common, not guessable.

One function decides for every way a password is set (API and page registration, password
change, the CLI and the administrators' page). The reasons are our own templates, translated
like every other reason; zxcvbn's English feedback is never shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib import resources

from zxcvbn import zxcvbn

from .errors import N_, Reason, reason

MIN_LENGTH = 12
MIN_SCORE = 3          # zxcvbn: 3 is "safely unguessable: moderate protection from offline attacks"
SCORED_PREFIX = 72     # zxcvbn refuses longer input (it slows down sharply); the prefix decides


@cache
def common_passwords() -> frozenset[str]:
    """Load the shipped list of common passwords (lower case, one a line)."""
    text = resources.files("promtel_fin").joinpath("data/common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def _forms(password: str) -> set[str]:
    """Give the forms compared with the list, lower-cased: whole, and without digits and symbols."""
    lowered = password.strip().lower()
    return {lowered, re.sub(r"[\W\d_]+", "", lowered)}


def _user_words(user_inputs: Iterable[str | None]) -> list[str]:
    """Split the user's own data (e-mail, names, RFC) into the words a guesser would try."""
    words: list[str] = []
    for value in user_inputs:
        if value:
            value = value.strip().lower()
            words.append(value)
            words.extend(part for part in value.split("@") if "@" in value)
            words.extend(w for w in re.split(r"[\W_]+", value) if len(w) >= 3)
    return words


def password_problems(password: str, user_inputs: Iterable[str | None] = (),
                      field: str = "password") -> list[Reason]:
    """List why a new password is refused (empty when it is acceptable)."""
    if len(password) < MIN_LENGTH:
        return [reason("password_short",
                       N_("The password must have at least {length} characters."),
                       field=field, length=MIN_LENGTH)]
    if _forms(password) & common_passwords():
        return [reason("password_common",
                       N_("This password is among the most used ones; choose another."),
                       field=field)]
    if zxcvbn(password[:SCORED_PREFIX], user_inputs=_user_words(user_inputs))["score"] < MIN_SCORE:
        return [reason("password_guessable",
                       N_("This password is easy to guess (a common word, a sequence, a date "
                          "or your own data); use a phrase of several unrelated words."),
                       field=field)]
    return []
