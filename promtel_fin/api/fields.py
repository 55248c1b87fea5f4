"""Fields that turn bad input into a clear 422 before it can reach the database.

Lengths, ranges and characters are checked here because PostgreSQL would refuse them with an
error (a NUL byte, a string longer than its column, a number past NUMERIC(14,2)) where SQLite
would silently accept them.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate

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


class Money(fields.Field):
    """A peso amount: a decimal string (or number) with at most two decimals, kept as Decimal."""

    def __init__(self, *, minimum: Decimal = Decimal(0), strictly_positive: bool = False,
                 **kwargs: Any):
        self.minimum = minimum
        self.strictly_positive = strictly_positive
        kwargs.setdefault("metadata", {}).update(
            {"type": "string", "format": "decimal", "example": "4500000.00"})
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValidationError(_("Write the amount as a number, for example \"4500000.00\"."))
        try:
            amount = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            raise ValidationError(
                _("Write the amount as a number, for example \"4500000.00\".")) from None
        if not amount.is_finite():
            raise ValidationError(_("Write the amount as a number, for example \"4500000.00\"."))
        if amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValidationError(_("Amounts have at most two decimals (centavos)."))
        if self.strictly_positive and amount <= 0:
            raise ValidationError(_("The amount must be greater than zero."))
        if amount < self.minimum:
            raise ValidationError(_("The amount cannot be negative."))
        if amount > MONEY_MAX:
            raise ValidationError(_("The amount is too large."))
        return amount.quantize(Decimal("0.01"))

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else f"{Decimal(value):.2f}"


class Rate(fields.Decimal):
    """A yearly rate as a fraction, e.g. "0.10" for 10%, from 0 to 1."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("validate", validate.Range(
            min=Decimal(0), max=Decimal(1),
            error=_l("Write the rate as a fraction from 0 to 1, for example 0.10 for ten "
                     "percent.")))
        super().__init__(as_string=True, **kwargs)


def whole(minimum: int = 0, maximum: int = INT_MAX, *, strict: bool = True,
          **kwargs: Any) -> fields.Integer:
    """An integer within a range; strict in JSON bodies ("12" refused), lax in query strings."""
    return fields.Integer(strict=strict, validate=validate.Range(
        min=minimum, max=maximum, error=_l("Must be a whole number from {min} to {max}.")),
        **kwargs)


def choice(options: tuple[str, ...], **kwargs: Any) -> fields.String:
    """A string that must be one of ``options``."""
    return fields.String(validate=validate.OneOf(
        options, error=_l("Choose one of: {choices}.")), **kwargs)


def digits(count: int, message: Any, **kwargs: Any) -> fields.String:
    """A key made of exactly ``count`` digits (INEGI keys), refused with ``message``."""
    return fields.String(validate=validate.Regexp(rf"^\d{{{count}}}$", error=message), **kwargs)
