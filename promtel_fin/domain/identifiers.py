"""Mexican identifiers: RFC and CURP structure checks with python-stdnum."""

from __future__ import annotations

import re

from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.mx import curp, rfc

from .errors import N_, Reason, reason


def normalize_rfc(value: str) -> str:
    """Upper-case an RFC and drop spaces and dashes."""
    return rfc.compact(value)


def rfc_problems(value: str) -> tuple[list[Reason], list[Reason]]:
    """Check a company RFC: (errors that refuse it, warnings for the reviewer).

    A wrong check digit is only a warning: real RFCs with a wrong digit exist (docs/rules.md).
    """
    try:
        number = rfc.validate(value)
    except ValidationError:
        return [reason("rfc_invalid", N_("The RFC {rfc} does not have a valid structure."),
                       field="rfc", rfc=value)], []
    if len(number) != 12:
        return [reason("rfc_not_company",
                       N_("A company's RFC has 12 characters; {rfc} has {length}."),
                       field="rfc", rfc=value, length=len(number))], []
    try:
        rfc.validate(number, validate_check_digits=True)
    except InvalidChecksum:
        return [], [reason("rfc_check_digit",
                           N_("The check digit of RFC {rfc} does not match; please verify it."),
                           field="rfc", rfc=number)]
    except ValidationError:
        return [], []
    return [], []


def person_rfc_problems(value: str) -> list[Reason]:
    """Check a person's RFC (13 characters: four letters, birth date, homoclave) as the SAT
    writes it in an e.firma; a wrong check digit is refused here, since it is typed once by an
    administrator and must match the certificate exactly."""
    try:
        number = rfc.validate(value, validate_check_digits=True)
    except ValidationError:
        number = ""
    if len(number) != 13:
        return [reason("person_rfc_invalid",
                       N_("The RFC {rfc} is not a valid RFC of a person (13 characters)."),
                       field="rfc", rfc=value)]
    return []


def curp_problems(value: str) -> list[Reason]:
    """Check a CURP (structure, date and check digit)."""
    try:
        curp.validate(value)
    except ValidationError:
        return [reason("curp_invalid", N_("The CURP {curp} is not valid."), field="curp",
                       curp=value)]
    return []


FOLIO_PREFIX = "PF"
FOLIO_DIGITS = 5
_FOLIO = re.compile(r"^\s*PF[-\s]?(\d{4})[-\s]?(\d{1,9})\s*$", re.IGNORECASE)


def format_folio(year: int, number: int) -> str:
    """A proposal's folio: ``PF-`` year of creation ``-`` sequence within that year.

    Five digits, zero-padded (``PF-2026-00042``); a year past 99,999 proposals gets more digits
    rather than wrapping, so folios stay unique and sort by number within a year.
    """
    return f"{FOLIO_PREFIX}-{year:04d}-{number:0{FOLIO_DIGITS}d}"


def parse_folio(text: str) -> str | None:
    """The folio a person typed, in its stored form, or None when it is not one.

    Forgiving about case, spaces for dashes and missing zeros: ``pf 2026 42`` is ``PF-2026-00042``.
    """
    match = _FOLIO.match(text or "")
    if not match:
        return None
    return format_folio(int(match.group(1)), int(match.group(2)))
