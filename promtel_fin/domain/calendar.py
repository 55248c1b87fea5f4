"""Working days: Monday to Friday except the holidays given (Mexico's federal holidays, which the
services read from the ``holidays`` package and pass in as data)."""

from __future__ import annotations

from collections.abc import Container
from datetime import date, timedelta

SATURDAY = 5


def is_working_day(day: date, holidays: Container[date]) -> bool:
    """Say whether ``day`` is a working day: a weekday that is not a holiday."""
    return day.weekday() < SATURDAY and day not in holidays


def add_working_days(start: date, days: int, holidays: Container[date]) -> date:
    """Give the day on which ``days`` working days after ``start`` have passed.

    The day of ``start`` itself does not count (a step entered on Friday with one working day
    is due on Monday, or on Tuesday when Monday is a holiday); zero days is ``start``.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    left = days
    while left:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            left -= 1
    return day


def working_days_late(due: date, today: date, holidays: Container[date]) -> int:
    """Count the working days from the day after ``due`` up to ``today`` (0 when not late)."""
    late, day = 0, due
    while day < today:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            late += 1
    return late


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
