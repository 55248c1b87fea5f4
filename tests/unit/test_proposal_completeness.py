"""What a proposal must hold before it is submitted: every gap named, and the policy's limits."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from promtel_fin.domain.policy import Policy
from promtel_fin.domain.proposal import completeness_problems, submission_problems

from .test_boundaries import translated

COMPLETE: dict[str, Any] = {
    "title": "Fibra al hogar en Cuautitla", "summary": "Red FTTH de 5 km.", "technology": "ftth",
    "requested_amount": "4500000.00", "term_months": 40, "grace_months": 6,
    "amortization_method": "level",
    "localities": [{"name": "Cuautitla", "population": 1850}],
    "social_sites": [{"kind": "school", "name": "Escuela Primaria"}],
    "cash_flows": [{"year": year} for year in (1, 2, 3, 4, 5)],
}
REQUIRED = {
    "title": "The project needs a title.",
    "summary": "The project needs a summary.",
    "technology": "Choose the project's technology.",
    "requested_amount": "State the amount you request.",
    "term_months": "State the term in months.",
    "grace_months": "State the grace months (0 if none).",
    "amortization_method": "Choose the amortization method.",
}


def document(**changes: Any) -> dict[str, Any]:
    values = copy.deepcopy(COMPLETE)
    values.update(changes)
    return values


def gaps(doc: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    problems = completeness_problems(doc)
    assert translated(*(p.template for p in problems)), [p.template for p in problems]
    return [(p.code, p.field, str(p)) for p in problems]


def test_a_complete_proposal_lacks_nothing() -> None:
    assert gaps(COMPLETE) == []
    assert submission_problems(COMPLETE, Policy()) == []


@pytest.mark.parametrize("name", list(REQUIRED))
@pytest.mark.parametrize("empty", [None, ""])
def test_each_required_field_left_empty_is_named_with_its_own_message(name: str,
                                                                       empty: Any) -> None:
    assert gaps(document(**{name: empty})) == [("missing", name, REQUIRED[name])]


def test_a_field_left_out_is_missing_too_and_every_gap_is_listed_in_order() -> None:
    assert [field for _c, field, _t in gaps({})] == [
        *REQUIRED, "localities", "social_sites", "cash_flows"]


def test_no_grace_is_zero_months_not_a_missing_answer() -> None:
    assert gaps(document(grace_months=0)) == []


@pytest.mark.parametrize(("name", "message"), [
    ("localities", "Add at least one locality served."),
    ("social_sites", "Add at least one school, health centre, library or civic square served."),
])
@pytest.mark.parametrize("empty", [None, []])
def test_one_locality_and_one_social_site_are_needed(name: str, message: str,
                                                     empty: Any) -> None:
    assert gaps(document(**{name: empty})) == [("missing", name, message)]


@pytest.mark.parametrize(("years", "shown"), [
    ([1, 2, 3, 4], "1, 2, 3, 4"),
    ([1, 2, 3, 4, 5, 6], "1, 2, 3, 4, 5, 6"),
    ([0, 1, 2, 3, 4], "0, 1, 2, 3, 4"),
    ([1, 2, 3, 4, 4], "1, 2, 3, 4, 4"),
    ([], "-"),
])
def test_the_cash_flows_cover_exactly_years_one_to_five(years: list[int], shown: str) -> None:
    assert gaps(document(cash_flows=[{"year": y} for y in years])) == [
        ("cash_flows_incomplete", "cash_flows",
         f"The cash flows must cover years 1 to 5; they cover {shown}.")]


def test_years_are_read_as_numbers_in_any_order() -> None:
    assert gaps(document(cash_flows=[{"year": str(y)} for y in (5, 3, 1, 2, 4)])) == []
    assert gaps(document(cash_flows=None))[0][0] == "cash_flows_incomplete"


@pytest.mark.parametrize(("changes", "expected"), [
    ({"requested_amount": "10000000.00", "term_months": 40, "grace_months": 6}, []),
    ({"requested_amount": "10000000.01"}, [("amount_over_limit", "requested_amount")]),
    ({"requested_amount": 0}, [("amount_not_positive", "requested_amount")]),
    ({"term_months": 41}, [("term_out_of_range", "term_months")]),
    ({"grace_months": 7}, [("grace_out_of_range", "grace_months")]),
    ({"term_months": 6, "grace_months": 6}, [("grace_not_less_than_term", "grace_months")]),
    ({"requested_amount": None}, [("missing", "requested_amount")]),
])
def test_a_submission_is_held_to_the_policys_limits_exactly(changes: dict,
                                                            expected: list) -> None:
    problems = submission_problems(document(**changes), Policy())
    assert translated(*(p.template for p in problems))
    assert [(p.code, p.field) for p in problems] == expected
