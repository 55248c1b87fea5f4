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
