"""Fields that turn bad input into a clear 422 before it can reach the database.

Lengths, ranges and characters are checked here because PostgreSQL would refuse them with an
error (a NUL byte, a string longer than its column, a number past NUMERIC(14,2)) where SQLite
would silently accept them.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate

from ..domain.numbers import NumberError, parse_money, parse_rate

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MONEY_MAX = Decimal("999999999999.99")
INT_MAX = 2**31 - 1


class Text(fields.String):
    """A trimmed string with no control characters and at most ``max_length`` characters."""

    def __init__(self, max_length: int, *, min_length: int = 0, **kwargs: Any):
        validators = list(kwargs.pop("validate", []) or [])
        validators.append(validate.Length(
            min=min_length, max=max_length,
            error=_l("Between {min} and {max} characters, please.")))
        super().__init__(validate=validators, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if CONTROL.search(text):
            raise ValidationError(_("Remove the control characters from this text."))
        return text


# The plain forms, for the OpenAPI document (thousands commas are accepted too, see numbers.py).
MONEY_PATTERN = r"^-?[0-9]+(\.[0-9]{1,2})?$"
RATE_PATTERN = r"^[0-9]+(\.[0-9]{1,6})?$"
MONEY_FORMAT = _l("Write the amount with digits and at most two decimals, for example "
                  "\"4500000.00\".")
RATE_FORMAT = _l("Write the rate as a fraction with at most six decimals, for example 0.10 for "
                 "ten percent.")
RATIO_FORMAT = _l("Write the number with digits and at most six decimals, for example 1.20.")


class Money(fields.Field):
    """A peso amount: ASCII digits with at most two decimals (see domain.numbers), as Decimal."""

    def __init__(self, *, minimum: Decimal = Decimal(0), strictly_positive: bool = False,
                 **kwargs: Any):
        self.minimum = minimum
        self.strictly_positive = strictly_positive
        kwargs.setdefault("metadata", {}).update(
            {"type": "string", "format": "decimal", "pattern": MONEY_PATTERN,
             "example": "4500000.00"})
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Decimal:
        try:
            amount = parse_money(value)
        except NumberError as error:
            raise ValidationError({
                "places": _("Amounts have at most two decimals (centavos)."),
                "size": _("The amount is too large."),
            }.get(error.code, str(MONEY_FORMAT))) from None
        if self.strictly_positive and amount <= 0:
            raise ValidationError(_("The amount must be greater than zero."))
        if amount < self.minimum:
            raise ValidationError(_("The amount cannot be negative."))
        if amount > MONEY_MAX:
            raise ValidationError(_("The amount is too large."))
        return amount

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else f"{Decimal(value):.2f}"


class Fraction(fields.Field):
    """A decimal such as a rate or a ratio: ASCII digits, at most six decimals, within a range."""

    def __init__(self, *, minimum: Decimal = Decimal(0), maximum: Decimal = Decimal(1),
                 message: Any = RATE_FORMAT, range_message: Any = None, **kwargs: Any):
        self.minimum, self.maximum, self.message = minimum, maximum, message
        self.range_message = range_message
        kwargs.setdefault("metadata", {}).update(
            {"type": "string", "format": "decimal", "pattern": RATE_PATTERN, "example": "0.10"})
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Decimal:
        try:
            number = parse_rate(value)
        except NumberError:
            raise ValidationError(str(self.message)) from None
        if not self.minimum <= number <= self.maximum:
            raise ValidationError(str(self.range_message) if self.range_message else
                                  _("Must be from {min} to {max}.").format(
                                      min=self.minimum, max=self.maximum))
        return number

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else str(value)


class Rate(Fraction):
    """A yearly rate as a fraction from 0 to 1, e.g. "0.10" for 10%, six decimals at most."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("range_message", _l(
            "Write the rate as a fraction from 0 to 1, for example 0.10 for ten percent."))
        super().__init__(**kwargs)


class WholeNumber(fields.Integer):
    """An integer; in query strings and forms (not strict) only ASCII digits are read."""

    def _validated(self, value: Any) -> int:
        if isinstance(value, str) and not re.fullmatch(r"\s*[+-]?[0-9]+\s*", value, re.ASCII):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


def whole(minimum: int = 0, maximum: int = INT_MAX, *, strict: bool = True,
          **kwargs: Any) -> fields.Integer:
    """An integer within a range; strict in JSON bodies ("12" refused), lax in query strings."""
    return WholeNumber(strict=strict, validate=validate.Range(
        min=minimum, max=maximum, error=_l("Must be a whole number from {min} to {max}.")),
        **kwargs)


def choice(options: tuple[str, ...], **kwargs: Any) -> fields.String:
    """A string that must be one of ``options``."""
    return fields.String(validate=validate.OneOf(
        options, error=_l("Choose one of: {choices}.")), **kwargs)


def digits(count: int, message: Any, **kwargs: Any) -> fields.String:
    """A key made of exactly ``count`` digits (INEGI keys), refused with ``message``."""
    return fields.String(validate=validate.Regexp(rf"^\d{{{count}}}$", error=message), **kwargs)


# Numbers in answers follow one rule (README, "Numbers in answers"): money is a decimal string
# with exactly two decimals; every other fraction (rates, ratios, years, probabilities,
# multipliers) is a decimal string with exactly six decimals; counts are JSON integers.
RATIO_PLACES = 6
MONEY_OUT_PATTERN = r"^-?[0-9]+\.[0-9]{2}$"
RATIO_OUT_PATTERN = rf"^-?[0-9]+\.[0-9]{{{RATIO_PLACES}}}$"


def exact(value: Any) -> Decimal | None:
    """Give a number as a Decimal (floats by their shortest repr), or None if not finite."""
    if value is None:
        return None
    number = value if isinstance(value, Decimal) else Decimal(repr(float(value)) if isinstance(
        value, float) else str(value))
    return number if number.is_finite() else None


def fixed(value: Any, places: int) -> str | None:
    """Write a number with exactly ``places`` decimals, rounded half-up ("-0" written "0")."""
    number = exact(value)
    if number is None:
        return None
    with localcontext() as context:
        context.prec = 80
        return str(number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) + 0)


class MoneyOut(fields.Field):
    """An amount in an answer: a decimal string with exactly two decimals, rounded half-up."""

    def __init__(self, **kwargs: Any):
        description = kwargs.get("metadata", {}).get("description")
        kwargs["metadata"] = {
            **kwargs.get("metadata", {}), "type": "string", "format": "decimal",
            "pattern": MONEY_OUT_PATTERN, "example": "4500000.00",
            "description": "; ".join(filter(None, [
                "pesos: a decimal string with exactly two decimals", description]))}
        super().__init__(**kwargs)

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return fixed(value, 2)


class RatioOut(fields.Field):
    """A rate, ratio or fraction in an answer: a string with exactly six decimals (half-up)."""

    def __init__(self, **kwargs: Any):
        description = kwargs.get("metadata", {}).get("description")
        kwargs["metadata"] = {
            **kwargs.get("metadata", {}), "type": "string", "format": "decimal",
            "pattern": RATIO_OUT_PATTERN, "example": "0.100000",
            "description": "; ".join(filter(None, [
                f"a decimal string with exactly {RATIO_PLACES} decimals (0.100000 is 10%)",
                description]))}
        super().__init__(**kwargs)

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return fixed(value, RATIO_PLACES)


# The largest e.firma certificate and signature accepted: a SAT .cer is about 2 KB, an RSA
# signature 256 bytes (512 for a 4096-bit key).
MAX_CERTIFICATE_BYTES = 16 * 1024
MAX_SIGNATURE_BYTES = 1024


class Base64Bytes(fields.String):
    """Bytes sent as base64 (standard alphabet; spaces and line breaks ignored), at most
    ``max_bytes`` once decoded."""

    def __init__(self, max_bytes: int, **kwargs: Any):
        self.max_bytes = max_bytes
        kwargs.setdefault("metadata", {}).update({"format": "byte"})
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bytes:
        import base64
        import binascii

        text = "".join(super()._deserialize(value, attr, data, **kwargs).split())
        if len(text) > (self.max_bytes * 4) // 3 + 4:
            raise ValidationError(_("At most %(n)s bytes, please.", n=self.max_bytes))
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError(_("This is not valid base64.")) from None
        if not raw:
            raise ValidationError(_("This is empty."))
        if len(raw) > self.max_bytes:
            raise ValidationError(_("At most %(n)s bytes, please.", n=self.max_bytes))
        return raw
