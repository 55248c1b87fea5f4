"""RFC and CURP checks: structure refuses, a wrong check digit only warns."""

import pytest

from promtel_fin.domain.identifiers import curp_problems, rfc_problems


def test_a_valid_company_rfc_passes_without_warning() -> None:
    assert rfc_problems("FMR180605CD1") == ([], [])


def test_a_wrong_check_digit_is_a_warning_not_a_refusal() -> None:
    errors, warnings = rfc_problems("FMR180605CD9")
    assert errors == []
    assert [w.code for w in warnings] == ["rfc_check_digit"]


@pytest.mark.parametrize("value", ["FMR18060", "FMR181305CD1", "12345678901X", ""])
def test_a_malformed_rfc_is_refused(value: str) -> None:
    errors, _ = rfc_problems(value)
    assert [e.code for e in errors] == ["rfc_invalid"]


def test_a_persons_rfc_is_refused_for_a_company() -> None:
    errors, _ = rfc_problems("GODE561231GR8")
    assert [e.code for e in errors] == ["rfc_not_company"]


def test_curp_checks_structure_and_check_digit() -> None:
    assert curp_problems("RAMA750315MMSMRN08") == []
    assert [p.code for p in curp_problems("RAMA750315MMSMRN09")] == ["curp_invalid"]
