"""Working-day arithmetic on a legal calendar (Civil Code Arts. 144–148).

The calendar itself (which days are working days) comes from an adapter; this module holds the
counting rules that do not depend on where the holidays come from.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol


class DayUnit(StrEnum):
    """How a legal period is counted."""

    WORKING = "working"  # ngày làm việc
    CALENDAR = "calendar"  # ngày


class WorkingCalendar(Protocol):
    """Which days an agency works on. `version` identifies the data, for provenance."""

    @property
    def version(self) -> str: ...

    def is_working_day(self, day: date) -> bool: ...

    def describe(self, day: date) -> str:
        """Why a day is or is not a working day, in a few words."""


def next_working_day(calendar: WorkingCalendar, day: date) -> date:
    """The first working day strictly after `day`."""
    candidate = day + timedelta(days=1)
    while not calendar.is_working_day(candidate):
        candidate += timedelta(days=1)
    return candidate


def roll_forward(calendar: WorkingCalendar, day: date) -> date:
    """`day` itself if it is a working day, else the next one (Civil Code Art. 148(5))."""
    return day if calendar.is_working_day(day) else next_working_day(calendar, day)


def add_working_days(calendar: WorkingCalendar, start: date, days: int) -> date:
    """The `days`-th working day after `start`; `start` itself never counts (Art. 147).

    Negative `days` count backwards: the |days|-th working day before `start`.
    """
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    current = start
    while remaining:
        current += timedelta(days=step)
        if calendar.is_working_day(current):
            remaining -= 1
    return current


def working_days_between(calendar: WorkingCalendar, after: date, up_to: date) -> int:
    """Working days in the interval (after, up_to]: what a pause costs a working-day clock."""
    count = 0
    current = after
    while current < up_to:
        current += timedelta(days=1)
        if calendar.is_working_day(current):
            count += 1
    return count


def add_period(calendar: WorkingCalendar, start: date, days: int, unit: DayUnit) -> date:
    """The nominal (un-rolled) end of a period of `days` in `unit` that starts after `start`."""
    if unit is DayUnit.WORKING:
        return add_working_days(calendar, start, days)
    return start + timedelta(days=days)


def due_date(calendar: WorkingCalendar, start: date, days: int, unit: DayUnit) -> date:
    """The due date of a simple period: nominal end, rolled forward to a working day."""
    return roll_forward(calendar, add_period(calendar, start, days, unit))
