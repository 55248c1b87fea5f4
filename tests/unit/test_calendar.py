"""Working days on Mexico's calendar: weekends and federal holidays do not count."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest

from promtel_fin.domain.calendar import (
    add_working_days,
    is_working_day,
    late_if_started_before,
    working_days_late,
)
from promtel_fin.domain.policy import MAX_SLA_DAYS, Policy, policy_problems

MX = holidays.country_holidays("MX", years=range(2024, 2029))


@pytest.mark.parametrize(("start", "days", "due"), [
    (date(2026, 11, 12), 1, date(2026, 11, 13)),   # Thursday -> Friday
    (date(2026, 11, 13), 1, date(2026, 11, 17)),   # Friday -> weekend -> Revolution day (Mon 16)
    (date(2026, 11, 13), 2, date(2026, 11, 18)),
    (date(2026, 12, 24), 1, date(2026, 12, 28)),   # Christmas (Fri) and the weekend
    (date(2026, 12, 31), 1, date(2027, 1, 4)),     # New Year (Fri) and the weekend, next year
    (date(2026, 1, 30), 5, date(2026, 2, 9)),      # Constitution day (Mon 2 Feb)
    (date(2026, 9, 14), 5, date(2026, 9, 22)),     # Independence day (Wed 16 Sep)
    (date(2026, 11, 14), 0, date(2026, 11, 14)),   # zero days: the same day, even a Saturday
    (date(2024, 9, 30), 1, date(2024, 10, 2)),     # 1 Oct 2024: transmission of the Executive
])
def test_working_days_skip_weekends_and_federal_holidays(start: date, days: int,
                                                          due: date) -> None:
    assert add_working_days(start, days, MX) == due


def test_without_holidays_only_weekends_are_skipped() -> None:
    assert add_working_days(date(2026, 11, 13), 1, ()) == date(2026, 11, 16)
    assert add_working_days(date(2026, 11, 13), 10, frozenset()) == date(2026, 11, 27)


def test_a_negative_number_of_days_is_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 5), -1, MX)


def test_lateness_counts_working_days_after_the_due_date() -> None:
    due = date(2026, 11, 13)   # a Friday
    assert working_days_late(due, due, MX) == 0
    assert working_days_late(due, due - timedelta(days=3), MX) == 0
    assert working_days_late(due, date(2026, 11, 16), MX) == 0   # holiday: not late yet
    assert working_days_late(due, date(2026, 11, 17), MX) == 1
    assert working_days_late(due, date(2026, 11, 20), MX) == 4


def test_weekends_and_holidays_are_not_working_days() -> None:
    assert is_working_day(date(2026, 11, 17), MX)
    assert not is_working_day(date(2026, 11, 16), MX)
    assert not is_working_day(date(2026, 11, 21), MX)


def test_each_step_has_a_service_level_and_the_policy_checks_its_range() -> None:
    policy = Policy()
    assert (policy.sla_days("contact"), policy.sla_days("promtel_feedback"),
            policy.sla_days("update")) == (5, 15, 30)
    assert policy.sla_days("signed") is None and policy.sla_days("nothing") is None
    assert Policy.from_dict({**policy.to_dict(), "sla_days_update": "12"}).sla_days(
        "update") == 12
    assert policy_problems(Policy(sla_days_contact=MAX_SLA_DAYS)) == []
    for wrong in (0, MAX_SLA_DAYS + 1):
        problems = policy_problems(Policy(sla_days_contact=wrong))
        assert [p.field for p in problems] == ["sla_days_contact"]


@pytest.mark.parametrize("days", [0, 1, 2, 5, 10, 30])
def test_a_step_is_late_exactly_when_it_began_before_the_cutoff_day(days: int) -> None:
    """The cutoff day agrees with working out each start day's deadline, on every day of
    several months with holidays and weekends, for starts a day on either side of it."""
    for offset in range(0, 120):
        today = date(2026, 11, 1) + timedelta(days=offset)
        cutoff = late_if_started_before(days, today, MX)
        for start in (cutoff - timedelta(days=1), cutoff):
            late = working_days_late(add_working_days(start, days, MX), today, MX)
            assert (late > 0) == (start < cutoff), (days, today, start, cutoff)
        for back in range(0, 60):   # every earlier start agrees too
            start = today - timedelta(days=back)
            late = working_days_late(add_working_days(start, days, MX), today, MX)
            assert (late > 0) == (start < cutoff), (days, today, start, cutoff)


def test_the_cutoff_of_a_step_steps_back_over_weekends_and_holidays() -> None:
    # Wednesday 18 Nov 2026, one working day: a step begun on Monday 16 (Revolution day) or
    # Friday 13 was due Tuesday 17 and is late; one begun on Tuesday 17 is due today.
    assert late_if_started_before(1, date(2026, 11, 18), MX) == date(2026, 11, 17)
    # On Saturday 21 Nov the last working day is Friday 20.
    assert late_if_started_before(2, date(2026, 11, 21), MX) == date(2026, 11, 18)
    with pytest.raises(ValueError):
        late_if_started_before(-1, date(2026, 11, 18), MX)
