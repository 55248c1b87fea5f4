"""Read money and rates written by people or programs, strictly and in one place.

Money is ASCII digits with at most two decimals ("4500000.00", "4500000", or grouped by
thousands as people write it: "4,500,000.00"); rates are fractions with at most six decimals
("0.10", "0.160000"). Exponents ("1E+5"), other scripts' digits ("١٢٣"), spaces inside the
number, signs other than a leading minus, NaN and infinities are refused: ``Decimal`` alone
would accept most of them and turn a typo into a different amount.

JSON numbers are accepted when their shortest decimal form follows the same rule, so ``4500000``
and ``0.1`` pass while ``1e+20`` does not. Booleans are never numbers.
"""

from __future__ import annotations

import re
from decimal import Decimal

MONEY_PLACES = 2
RATE_PLACES = 6
# More whole digits than any amount here can have (NUMERIC(14, 2) holds 12): refused as too
# large before Decimal arithmetic could overflow its 28-digit context.
MAX_WHOLE_DIGITS = 15
_PLAIN = re.compile(r"-?[0-9]+(?:\.([0-9]+))?", re.ASCII)
# A percentage as people type it in a form: "10", "10.5", "10,5", "10 %" (Spanish writes a comma).
_PERCENT = re.compile(r"([0-9]+)(?:[.,]([0-9]+))?\s*%?", re.ASCII)
PERCENT_PLACES = RATE_PLACES - 2
_GROUPED = re.compile(r"-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.([0-9]+))?", re.ASCII)


class NumberError(ValueError):
    """A number that cannot be read; ``code`` says why (``format``, ``places`` or ``size``)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _text(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise NumberError("format")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise NumberError("format")
        return repr(value)
    return str(value).strip()


def parse_decimal(value: object, places: int, *, grouping: bool = False) -> Decimal:
    """Read a plain decimal with at most ``places`` decimals (thousands commas if ``grouping``)."""
    text = _text(value)
    match = _PLAIN.fullmatch(text) or (_GROUPED.fullmatch(text) if grouping else None)
    if match is None:
        raise NumberError("format")
    decimals = match.group(1) or ""
    if len(decimals) > places:
        raise NumberError("places")
    whole = text.lstrip("-").partition(".")[0].replace(",", "").lstrip("0")
    if len(whole) > MAX_WHOLE_DIGITS:
        raise NumberError("size")
    return Decimal(text.replace(",", ""))


def parse_money(value: object) -> Decimal:
    """Read a peso amount (two decimals at most) and give it with exactly two decimals."""
    return parse_decimal(value, MONEY_PLACES, grouping=True).quantize(Decimal("0.01"))


def parse_rate(value: object, places: int = RATE_PLACES) -> Decimal:
    """Read a rate written as a fraction (``0.10`` for ten percent), ``places`` decimals at most."""
    return parse_decimal(value, places)


def parse_percent(value: object) -> Decimal:
    """Read a rate written as a percentage ("10", "10.5", "10,5", "10 %") and give it as the
    fraction the rules use (0.1, 0.105): ``PERCENT_PLACES`` decimals at most, so that the fraction
    keeps the rate's six."""
    text = _text(value)
    match = _PERCENT.fullmatch(text)
    if match is None:
        raise NumberError("format")
    whole, decimals = match.group(1), match.group(2) or ""
    if len(decimals) > PERCENT_PLACES:
        raise NumberError("places")
    if len(whole.lstrip("0")) > MAX_WHOLE_DIGITS:
        raise NumberError("size")
    return Decimal(f"{whole}.{decimals or 0}") / 100


def percent_text(fraction: object) -> str:
    """Write a fraction as the percentage a form shows (0.1 -> "10", 0.105 -> "10.5")."""
    number = Decimal(str(fraction)) * 100
    return f"{number.normalize():f}" if number else "0"
