"""The words and fields of identifier reasons, and the places figures are rounded to."""

from __future__ import annotations

from decimal import Decimal

from promtel_fin.domain.identifiers import curp_problems, normalize_rfc, rfc_problems
from promtel_fin.domain.loan import LoanTerms, schedule
from promtel_fin.domain.viability import YearFlow, evaluate, rounded

from .test_boundaries import translated

D = Decimal


def shown(reasons: list) -> list[tuple[str, str | None, str]]:
    assert translated(*(r.template for r in reasons)), [r.template for r in reasons]
    return [(r.code, r.field, str(r)) for r in reasons]


def test_identifier_reasons_name_the_rfc_field_and_the_value_given() -> None:
    assert shown(rfc_problems("FMR18060")[0]) == [
        ("rfc_invalid", "rfc", "The RFC FMR18060 does not have a valid structure.")]
    assert shown(rfc_problems("GODE561231GR8")[0]) == [
        ("rfc_not_company", "rfc", "A company's RFC has 12 characters; GODE561231GR8 has 13.")]
    assert shown(rfc_problems("fmr-180605-cd9")[1]) == [
        ("rfc_check_digit", "rfc",
         "The check digit of RFC FMR180605CD9 does not match; please verify it.")]
    assert rfc_problems("fmr 180605 cd1") == ([], [])
    assert normalize_rfc(" fmr-180605-cd1 ") == "FMR180605CD1"


def test_curp_reasons_name_the_curp_field_and_the_value_given() -> None:
    assert shown(curp_problems("RAMA750315MMSMRN09")) == [
        ("curp_invalid", "curp", "The CURP RAMA750315MMSMRN09 is not valid.")]


def test_figures_are_shown_to_the_centavo_rates_to_six_places_and_paybacks_to_two() -> None:
    loan = schedule(LoanTerms(D("240000"), D("0.12"), D("0.16"), 24, 0, "equal_principal"))
    years = [YearFlow(1, D("300000"), D("50000"), D("400000"), D("1000.005")),
             *(YearFlow(t, D("300000"), D("100000"), D("0"), D("20000")) for t in range(2, 6))]
    metrics = evaluate(years, D("0.10"), loan)
    out = rounded(metrics)
    # -151,000.005 rounds half away from zero, as a spreadsheet's ROUND does
    assert out["net_cash_flows"] == [D("-151000.01"), *[D("180000.00")] * 4]
    assert out["npv"] == metrics.npv.quantize(D("0.01")) and out["npv"].as_tuple().exponent == -2
    for name, places in (("irr", 6), ("mirr", 6), ("payback_years", 2),
                         ("discounted_payback_years", 2), ("profitability_index", 4),
                         ("min_dscr", 4)):
        assert out[name].as_tuple().exponent == -places, name
    assert out["payback_years"] == D("1.84")        # 1 + 151,000.005 / 180,000 = 1.8389
    first = out["dscr"][0]
    assert first["year"] == 1 and first["debt_service"] == metrics.dscr[0].debt_service
    assert first["cfads"] == D("249000.00") and first["dscr"].as_tuple().exponent == -4
    assert out["irr_may_not_be_unique"] is False
    assert (out["discount_rate"], out["finance_rate"]) == (D("0.10"), D("0.12"))
