"""Money and rates are read strictly: ASCII digits, a limit on decimals, nothing Decimal adds."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from promtel_fin.domain.numbers import NumberError, parse_money, parse_rate

CENTAVOS = st.integers(min_value=-(10**14), max_value=10**14)
MILLIONTHS = st.integers(min_value=0, max_value=10**9)
# Digits of every script but ASCII's: Arabic-Indic, Devanagari, full-width, ...
OTHER_DIGITS = st.characters(whitelist_categories=("Nd",)).filter(lambda c: not c.isascii())


@given(CENTAVOS)
def test_any_amount_written_plainly_reads_back_exactly(centavos: int) -> None:
    amount = Decimal(centavos) / 100
    assert parse_money(f"{amount:.2f}") == amount
    assert parse_money(f"{amount:,.2f}") == amount  # as people write it: 4,500,000.00


@given(st.integers(min_value=0, max_value=10**12))
def test_whole_pesos_read_as_text_or_as_a_json_number(pesos: int) -> None:
    assert parse_money(str(pesos)) == parse_money(pesos) == Decimal(pesos).quantize(Decimal("0.01"))


@given(CENTAVOS, st.integers(min_value=1, max_value=9))
def test_a_third_decimal_is_refused(centavos: int, extra: int) -> None:
    text = f"{Decimal(centavos) / 100:.2f}{extra}"
    with pytest.raises(NumberError) as caught:
        parse_money(text)
    assert caught.value.code == "places"


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2,
                   min_value=-(10**12), max_value=10**12).filter(lambda d: d != 0))
def test_exponents_are_refused(amount: Decimal) -> None:
    with pytest.raises(NumberError):
        parse_money(f"{amount:E}")


@given(st.text(OTHER_DIGITS, min_size=1, max_size=8), st.sampled_from(["", "1", "1.", "1.0"]))
def test_digits_of_other_scripts_are_refused(digits: str, prefix: str) -> None:
    for text in (digits, prefix + digits):
        with pytest.raises(NumberError):
            parse_money(text)
        with pytest.raises(NumberError):
            parse_rate(text)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=0, max_value=1e12))
def test_json_numbers_pass_only_when_their_shortest_form_has_two_decimals(value: float) -> None:
    text = repr(value)
    plain = "e" not in text and len(text.partition(".")[2]) <= 2
    if plain:
        assert parse_money(value) == Decimal(text).quantize(Decimal("0.01"))
    else:
        with pytest.raises(NumberError):
            parse_money(value)


@given(MILLIONTHS)
def test_any_rate_with_six_decimals_reads_back_exactly(millionths: int) -> None:
    rate = Decimal(millionths) / 10**6
    assert parse_rate(f"{rate:.6f}") == rate
    with pytest.raises(NumberError):
        parse_rate(f"{rate:.6f}1")


@given(st.text(st.sampled_from("0123456789.,-eE+ "), max_size=60) | st.text(max_size=60))
def test_any_text_is_read_or_refused_and_nothing_else(text: str) -> None:
    for parse in (parse_money, parse_rate):
        try:
            number = parse(text)
        except NumberError:
            continue
        assert number.is_finite() and abs(number) < Decimal(10) ** 15


def test_whole_digits_stop_at_fifteen() -> None:
    assert parse_money("9" * 15) == Decimal("9" * 15)
    assert parse_money("0" * 40 + "1") == Decimal("1.00")  # leading zeros are not digits
    with pytest.raises(NumberError) as caught:
        parse_money("1" + "0" * 15)
    assert caught.value.code == "size"
    with pytest.raises(NumberError):
        parse_money("1" * 400)


@pytest.mark.parametrize("text", [
    "1E+5", "1e5", "NaN", "Infinity", "-Infinity", "0x10", "1_000", "+5", ".5", "5.", "1 000",
    "1,00", "1000,000", ",100", "1,000,00", "$100", "100 MXN", "", " ", "--1", "1-", "١٢٣",
    "１２３", "٣.٥٠",
])
def test_these_are_not_amounts(text: str) -> None:
    with pytest.raises(NumberError):
        parse_money(text)


@pytest.mark.parametrize("value", [True, False, None, [], {}, float("nan"), float("inf")])
def test_non_numbers_are_refused(value: object) -> None:
    with pytest.raises(NumberError):
        parse_money(value)


@pytest.mark.parametrize(("text", "expected"), [
    ("0.01", Decimal("0.01")), ("10000000.00", Decimal("10000000.00")),
    ("10,000,000", Decimal("10000000.00")), (" 12.5 ", Decimal("12.50")), ("-3", Decimal("-3.00")),
])
def test_these_are_amounts(text: str, expected: Decimal) -> None:
    assert parse_money(text) == expected


def test_rates_have_no_thousands_separators_and_six_decimals_at_most() -> None:
    assert parse_rate("0.123456") == Decimal("0.123456")
    assert parse_rate(0.1) == Decimal("0.1")
    for text in ("0.1234567", "1,000", "1E-1", "0.1e0"):
        with pytest.raises(NumberError):
            parse_rate(text)
