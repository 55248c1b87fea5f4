"""Working days: Monday to Friday except the holidays given (Mexico's federal holidays, which the
services read from the ``holidays`` package and pass in as data).

Counting is arithmetic, not a walk over the days: a queue of 1,000 proposals, some of them
months past their due date, walked 275,000 days on every view (issue 9). Weekdays in a span
are whole weeks times five plus the remaining days; the holidays in the span are then looked
up, so a holiday calendar tells which of its days fall in a span (``Holidays.between``); a plain
set of dates does too.
"""

from __future__ import annotations

from collections.abc import Collection, Container, Iterable
from datetime import date, timedelta
from typing import Protocol, runtime_checkable

SATURDAY = 5
WEEK = 7
WORKING_DAYS_A_WEEK = 5


@runtime_checkable
class Holidays(Protocol):
    """A holiday calendar that can tell which of its days fall in a span of days."""

    def __contains__(self, day: object) -> bool: ...

    def between(self, start: date, end: date) -> Iterable[date]:
        """Give the holidays ``start < day <= end``."""
        ...


HolidaySet = Holidays | Collection[date]


def _holidays_between(holidays: HolidaySet, start: date, end: date) -> Iterable[date]:
    if isinstance(holidays, Holidays):
        return holidays.between(start, end)
    return (day for day in holidays if start < day <= end)


def is_working_day(day: date, holidays: Container[date]) -> bool:
    """Say whether ``day`` is a working day: a weekday that is not a holiday."""
    return day.weekday() < SATURDAY and day not in holidays


def weekdays_between(start: date, end: date) -> int:
    """Count the weekdays (Monday to Friday) ``start < day <= end`` (0 when ``end <= start``)."""
    span = (end - start).days
    if span <= 0:
        return 0
    weeks, rest = divmod(span, WEEK)
    first = start.weekday() + 1   # the weekday of the span's first day, counted from Monday
    return weeks * WORKING_DAYS_A_WEEK + sum((first + i) % WEEK < SATURDAY for i in range(rest))


def working_days_between(start: date, end: date, holidays: HolidaySet) -> int:
    """Count the working days ``start < day <= end`` (0 when ``end <= start``)."""
    if end <= start:
        return 0
    off = {day for day in _holidays_between(holidays, start, end) if day.weekday() < SATURDAY}
    return weekdays_between(start, end) - len(off)


def add_working_days(start: date, days: int, holidays: HolidaySet) -> date:
    """Give the day on which ``days`` working days after ``start`` have passed.

    The day of ``start`` itself does not count (a step entered on Friday with one working day
    is due on Monday, or on Tuesday when Monday is a holiday); zero days is ``start``.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    if days == 0:
        return start
    # Jump by whole weeks while more than a week is left (always leaving at least one day to
    # step to, so that the answer is a working day), then step: a week of steps at most and
    # one look at the holidays per jump, however many days are asked for.
    day, left = start, days
    while left > WORKING_DAYS_A_WEEK:
        target = day + timedelta(days=(left - 1) // WORKING_DAYS_A_WEEK * WEEK)
        left -= working_days_between(day, target, holidays)
        day = target
    while left:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            left -= 1
    return day


def working_days_late(due: date, today: date, holidays: HolidaySet) -> int:
    """Count the working days from the day after ``due`` up to ``today`` (0 when not late)."""
    return working_days_between(due, today, holidays)


def late_if_started_before(days: int, today: date, holidays: Container[date]) -> date:
    """Give the first day a step of ``days`` working days may have begun on and not be late
    ``today``: it is late (``working_days_late`` > 0) exactly when it began before this day.

    Late means a working day has come after the due day, up to today; so, with L the last
    working day up to today, a step is late when its due day is before L, that is when it began
    before the day ``days`` working days before L (L itself when ``days`` is 0). Lists filter
    on this one day per step instead of working out every proposal's deadline.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = today
    while not is_working_day(day, holidays):
        day -= timedelta(days=1)
    left = days
    while left:
        day -= timedelta(days=1)
        if is_working_day(day, holidays):
            left -= 1
    return day
