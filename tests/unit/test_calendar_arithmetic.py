"""The working-day arithmetic (weeks times five, then the holidays in the span) agrees with
walking the days one by one, for every start weekday, span and holiday pattern."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from promtel_fin.domain.calendar import (
    add_working_days,
    is_working_day,
    weekdays_between,
    working_days_between,
    working_days_late,
)
from promtel_fin.services.deadlines import FEDERAL_HOLIDAYS


def _walk_late(due: date, today: date, holidays: object) -> int:
    late, day = 0, due
    while day < today:
        day += timedelta(days=1)
        late += is_working_day(day, holidays)  # type: ignore[arg-type]
    return late


def _walk_add(start: date, days: int, holidays: object) -> date:
    day = start
    while days:
        day += timedelta(days=1)
        days -= is_working_day(day, holidays)  # type: ignore[arg-type]
    return day


DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31))


@given(DAYS, st.integers(min_value=-20, max_value=800),
       st.sets(st.integers(min_value=0, max_value=800), max_size=30))
def test_counting_agrees_with_walking(start: date, span: int, offsets: set[int]) -> None:
    holidays = frozenset(start + timedelta(days=o) for o in offsets)
    end = start + timedelta(days=span)
    assert working_days_late(start, end, holidays) == _walk_late(start, end, holidays)
    assert working_days_between(start, end, FEDERAL_HOLIDAYS) == _walk_late(start, end,
                                                                           FEDERAL_HOLIDAYS)


@given(DAYS, st.integers(min_value=0, max_value=300),
       st.sets(st.integers(min_value=0, max_value=500), max_size=30))
def test_adding_agrees_with_walking(start: date, days: int, offsets: set[int]) -> None:
    holidays = frozenset(start + timedelta(days=o) for o in offsets)
    assert add_working_days(start, days, holidays) == _walk_add(start, days, holidays)
    assert add_working_days(start, days, FEDERAL_HOLIDAYS) == _walk_add(start, days,
                                                                        FEDERAL_HOLIDAYS)


def test_weekdays_at_the_edges_of_a_week() -> None:
    friday = date(2026, 11, 13)
    assert weekdays_between(friday, friday) == 0
    assert weekdays_between(friday, friday - timedelta(days=1)) == 0
    assert weekdays_between(friday, friday + timedelta(days=2)) == 0      # the weekend
    assert weekdays_between(friday, friday + timedelta(days=3)) == 1      # Monday
    assert weekdays_between(friday, friday + timedelta(days=7)) == 5      # a whole week
    assert weekdays_between(friday, friday + timedelta(days=8)) == 5      # and a Saturday
    saturday = friday + timedelta(days=1)
    # Ten working days after a Saturday end on the second Friday, not the Saturday after it.
    assert add_working_days(saturday, 10, ()) == friday + timedelta(days=14)
    assert add_working_days(saturday, 5, ()) == friday + timedelta(days=7)
    assert add_working_days(saturday, 6, ()) == friday + timedelta(days=10)
