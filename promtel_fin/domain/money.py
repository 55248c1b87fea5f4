"""Money arithmetic: Decimal, rounded half-up to the centavo."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(value: Decimal | int | str) -> Decimal:
    """Round an amount half-up to the centavo."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def ratio(value: Decimal, places: int = 4) -> Decimal:
    """Round a ratio or rate half-up to ``places`` decimals, for display and JSON."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def pesos(value: Decimal) -> str:
    """Write an amount as Mexican pesos: $1,234,567.89, or -$1,234.50 when negative."""
    amount = cents(value)
    return f"{'-' if amount < 0 else ''}${abs(amount):,.2f}"
