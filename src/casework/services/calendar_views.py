"""The legal working-day calendar of a year, as people read it: the weekdays off and the
weekend days worked, each with its reason."""

from __future__ import annotations

from datetime import date, timedelta

from casework.domain.errors import InvalidInput
from casework.services.app import Casework
from casework.services.read_models import CalendarException, CalendarYear


def year_calendar(app: Casework, year: int) -> CalendarYear:
    """Working days in `year`, and every exception to Monday–Friday with its reason."""
    if not 1990 <= year <= 2100:
        raise InvalidInput(f"year {year} is out of range; give one from 1990 to 2100")
    calendar = app.calendar
    day = date(year, 1, 1)
    exceptions: list[CalendarException] = []
    working = 0
    while day.year == year:
        is_working = calendar.is_working_day(day)
        working += is_working
        why = calendar.describe(day)
        if why not in ("working day", "weekend"):  # holidays, days off, swapped Saturdays
            exceptions.append(
                {
                    "date": day.isoformat(),
                    "weekday": day.strftime("%a"),
                    "working": is_working,
                    "why": why,
                }
            )
        day += timedelta(days=1)
    return {
        "year": year,
        "working_days": working,
        "exceptions": exceptions,
        "calendar_version": calendar.version,
    }
