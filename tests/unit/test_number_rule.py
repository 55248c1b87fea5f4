"""The fields that write numbers in answers: money with two decimals, the rest with six."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from promtel_fin.schemas.fields import MoneyOut, RatioOut, fixed


@pytest.mark.parametrize(("value", "places", "written"), [
    (Decimal("1.005"), 2, "1.01"),                 # half-up, not banker's rounding
    (Decimal("2.345"), 2, "2.35"),
    (-0.004, 2, "0.00"),                           # no "-0.00"
    (0.1, 6, "0.100000"),                          # a float by its shortest repr
    (np.float64(1.2345675), 6, "1.234568"),        # what the stress engine gives
    (3, 2, "3.00"),
    ("4500000", 2, "4500000.00"),
    (Decimal("1E+2"), 6, "100.000000"),
    (1e20, 2, "100000000000000000000.00"),         # past Decimal's default precision
])
def test_a_number_is_written_with_exactly_its_decimals(value: object, places: int,
                                                       written: str) -> None:
    assert fixed(value, places) == written


@pytest.mark.parametrize("value", [None, float("nan"), float("inf"), np.float64("nan")])
def test_a_missing_or_infinite_figure_is_null(value: object) -> None:
    assert fixed(value, 6) is None


def test_money_and_ratios_serialize_by_the_rule() -> None:
    assert MoneyOut().serialize("x", {"x": Decimal("96666.655")}) == "96666.66"
    assert RatioOut().serialize("x", {"x": Decimal("0.1")}) == "0.100000"
    assert MoneyOut().metadata["pattern"] == r"^-?[0-9]+\.[0-9]{2}$"
    assert RatioOut().metadata["pattern"] == r"^-?[0-9]+\.[0-9]{6}$"
