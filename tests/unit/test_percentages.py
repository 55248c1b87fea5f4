"""Rates typed as percentages on the pages (issue 12 §2): read strictly, in one place."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from promtel_fin.domain.numbers import NumberError, parse_percent, percent_text


@pytest.mark.parametrize(("typed", "fraction"), [
    ("10", Decimal("0.1")), ("10.5", Decimal("0.105")), ("10,5", Decimal("0.105")),
    ("10 %", Decimal("0.1")), ("10%", Decimal("0.1")), (" 16 ", Decimal("0.16")),
    ("0", Decimal(0)), ("100", Decimal(1)),
    ("12.3456", Decimal("0.123456")),        # four decimals: exactly the rate's six
])
def test_a_percentage_reads_as_the_fraction(typed: str, fraction: Decimal) -> None:
    assert parse_percent(typed) == fraction


@pytest.mark.parametrize(("typed", "code"), [
    ("abc", "format"), ("", "format"), ("-10", "format"), ("1e1", "format"),
    ("10.5.1", "format"), ("10,5,1", "format"), ("١٠", "format"),
    ("%", "format"), ("10 %%", "format"), (True, "format"),
    ("12.34567", "places"),                  # one decimal past the limit
])
def test_what_is_not_a_percentage_is_refused(typed: object, code: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_percent(typed)
    assert refused.value.code == code


@given(st.integers(min_value=0, max_value=10**6))
def test_a_fraction_shown_as_a_percentage_reads_back(millionths: int) -> None:
    fraction = Decimal(millionths) / 10**6
    assert parse_percent(percent_text(fraction)) == fraction


def test_percentages_are_shown_without_trailing_zeros() -> None:
    assert [percent_text(v) for v in ("0.10", "0.160000", "0.105", "0", "1")] == [
        "10", "16", "10.5", "0", "100"]
