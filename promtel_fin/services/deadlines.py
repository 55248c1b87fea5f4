"""When each step is due: the policy's service level in working days, on Mexico City's calendar,
skipping weekends and Mexico's federal holidays (the ``holidays`` package)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo

import holidays as holiday_calendars

from ..domain import workflow
from ..domain.calendar import add_working_days, late_if_started_before, working_days_late
from ..domain.policy import Policy
from ..models import Proposal, utcnow

MEXICO_CITY = ZoneInfo("America/Mexico_City")


@cache
def _federal_holidays(year: int) -> frozenset[date]:
    return frozenset(holiday_calendars.country_holidays("MX", years=year))


class FederalHolidays:
    """Mexico's federal holidays of any year, read from the ``holidays`` package when asked."""

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and day in _federal_holidays(day.year)

    def between(self, start: date, end: date) -> list[date]:
        """Give the holidays ``start < day <= end``."""
        return [day for year in range(start.year, end.year + 1)
                for day in _federal_holidays(year) if start < day <= end]


FEDERAL_HOLIDAYS = FederalHolidays()


@dataclass(frozen=True)
class Deadline:
    """The last day to act at a step, whether it has passed, and by how many working days."""

    due_date: date
    overdue: bool
    working_days_late: int


def local_day(moment: datetime) -> date:
    """Give the day a moment falls on in Mexico City."""
    return moment.astimezone(MEXICO_CITY).date()


def today() -> date:
    """Give today's date in Mexico City."""
    return local_day(utcnow())


def deadline(proposal: Proposal, policy: Policy, on: date | None = None) -> Deadline | None:
    """Give the deadline of the step the proposal is at (None once it is final)."""
    days = policy.sla_days(proposal.state)
    if days is None:
        return None
    due = add_working_days(local_day(proposal.state_entered_at), days, FEDERAL_HOLIDAYS)
    late = working_days_late(due, on or today(), FEDERAL_HOLIDAYS)
    return Deadline(due_date=due, overdue=late > 0, working_days_late=late)


def late_before(policy: Policy, on: date | None = None) -> dict[str, datetime]:
    """Give, for each step with a service level, the moment (UTC) before which a proposal must
    have entered it to be overdue ``on`` a day (today by default): the same rule as
    ``deadline``, as one comparison per step that a list can filter on."""
    day = on or today()
    cutoffs = {}
    for state in workflow.STEPS:
        days = policy.sla_days(state)
        if days is not None:
            first = late_if_started_before(days, day, FEDERAL_HOLIDAYS)
            cutoffs[str(state)] = datetime.combine(first, time.min, MEXICO_CITY).astimezone(UTC)
    return cutoffs
