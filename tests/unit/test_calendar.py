"""Working-day arithmetic (casework.domain.calendar) on the Vietnamese legal calendar.

Every expected date below was worked out by hand from the published calendar facts
(Civil Code Arts. 144–148 and the government's holiday notices as encoded in `holidays.VN`):

- New Year: 2024-01-01 (Mon), 2025-01-01 (Wed), 2026-01-01 (Thu), 2027-01-01 (Fri);
  2018-12-31 (Mon) was a day off swapped with the working Saturday 2019-01-05.
- Tết: 2024-02-08 (Thu) .. 2024-02-14 (Wed); 2025-01-27 (Mon) .. 2025-02-01 (Sat);
  2026-02-16 (Mon) .. 2026-02-20 (Fri).
- Hùng Kings: 2024-04-18 (Thu); 2025-04-07 (Mon); 2026-04-26 (Sun) observed 2026-04-27 (Mon).
- 30/4 and 1/5: 2024-04-30 (Tue), 2024-05-01 (Wed), plus 2024-04-29 (Mon) swapped with the
  working Saturday 2024-05-04; 2025-04-30 (Wed), 2025-05-01 (Thu), plus 2025-05-02 (Fri)
  swapped with the working Saturday 2025-04-26; 2026-04-30 (Thu), 2026-05-01 (Fri).
- National Day: 2024-09-02/03 (Mon/Tue); 2025-09-01/02 (Mon/Tue); 2026-09-01/02 (Tue/Wed) plus
  2026-08-31 (Mon) swapped with the working Saturday 2026-08-22.
- Vietnamese Culture Day: 2026-11-24 (Tue).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest

from casework.adapters.holiday_calendar import VietnamCalendar
from casework.domain.calendar import (
    DayUnit,
    add_period,
    add_working_days,
    due_date,
    next_working_day,
    roll_forward,
    working_days_between,
)
from casework.domain.errors import ConfigurationError

pytestmark = pytest.mark.unit


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.fixture(scope="module")
def cal() -> VietnamCalendar:
    return VietnamCalendar()


# --------------------------------------------------------------------------------------------
# Which days are working days
# --------------------------------------------------------------------------------------------

NON_WORKING_DAYS = [
    ("2024-01-01", "new-year-2024"),
    ("2024-02-08", "tet-2024-first-day-thu"),
    ("2024-02-09", "tet-2024-fri"),
    ("2024-02-10", "tet-2024-sat"),
    ("2024-02-12", "tet-2024-mon"),
    ("2024-02-13", "tet-2024-tue"),
    ("2024-02-14", "tet-2024-last-day-wed"),
    ("2024-04-18", "hung-kings-2024"),
    ("2024-04-29", "swapped-day-off-2024-04-29"),
    ("2024-04-30", "reunification-2024"),
    ("2024-05-01", "labour-day-2024"),
    ("2024-08-03", "ordinary-saturday"),
    ("2024-08-04", "ordinary-sunday"),
    ("2024-09-02", "national-day-2024"),
    ("2024-09-03", "national-day-adjacent-2024"),
    ("2025-01-01", "new-year-2025"),
    ("2025-01-27", "tet-2025-first-day-mon"),
    ("2025-01-28", "tet-2025-tue"),
    ("2025-01-29", "tet-2025-wed"),
    ("2025-01-30", "tet-2025-thu"),
    ("2025-01-31", "tet-2025-fri"),
    ("2025-02-01", "tet-2025-saturday-holiday"),
    ("2025-02-02", "tet-2025-following-sunday"),
    ("2025-04-07", "hung-kings-2025"),
    ("2025-04-27", "sunday-after-swapped-saturday-2025"),
    ("2025-04-30", "reunification-2025"),
    ("2025-05-01", "labour-day-2025"),
    ("2025-05-02", "swapped-day-off-2025-05-02"),
    ("2025-09-01", "national-day-adjacent-2025"),
    ("2025-09-02", "national-day-2025"),
    ("2026-01-01", "new-year-2026"),
    ("2026-02-16", "tet-2026-first-day-mon"),
    ("2026-02-17", "tet-2026-tue"),
    ("2026-02-18", "tet-2026-wed"),
    ("2026-02-19", "tet-2026-thu"),
    ("2026-02-20", "tet-2026-last-day-fri"),
    ("2026-04-26", "hung-kings-2026-on-sunday"),
    ("2026-04-27", "hung-kings-2026-observed-monday"),
    ("2026-04-30", "reunification-2026"),
    ("2026-05-01", "labour-day-2026"),
    ("2026-08-23", "sunday-after-swapped-saturday-2026"),
    ("2026-08-31", "swapped-day-off-2026-08-31"),
    ("2026-09-01", "national-day-adjacent-2026"),
    ("2026-09-02", "national-day-2026"),
    ("2026-11-24", "culture-day-2026"),
    ("2027-01-01", "new-year-2027"),
    ("2018-12-31", "swapped-day-off-2018-12-31"),
]

WORKING_DAYS = [
    ("2024-01-02", "after-new-year-2024"),
    ("2024-02-07", "eve-of-tet-2024"),
    ("2024-02-15", "first-day-after-tet-2024"),
    ("2024-04-19", "after-hung-kings-2024"),
    ("2024-05-02", "after-labour-day-2024"),
    ("2024-05-04", "swapped-working-saturday-2024"),
    ("2024-08-05", "ordinary-monday"),
    ("2024-09-04", "after-national-day-2024"),
    ("2024-12-31", "new-years-eve-2024"),
    ("2025-01-02", "after-new-year-2025"),
    ("2025-01-24", "last-day-before-tet-2025"),
    ("2025-02-03", "first-day-after-tet-2025"),
    ("2025-04-26", "swapped-working-saturday-2025"),
    ("2025-04-28", "monday-between-swap-and-holiday-2025"),
    ("2025-09-03", "after-national-day-2025"),
    ("2025-12-31", "new-years-eve-2025"),
    ("2026-02-13", "last-day-before-tet-2026"),
    ("2026-02-23", "first-day-after-tet-2026"),
    ("2026-04-28", "between-hung-kings-and-30-4-2026"),
    ("2026-04-29", "eve-of-30-4-2026"),
    ("2026-08-22", "swapped-working-saturday-2026"),
    ("2026-08-28", "friday-before-national-day-2026"),
    ("2026-09-03", "after-national-day-2026"),
    ("2026-11-23", "before-culture-day-2026"),
    ("2026-11-25", "after-culture-day-2026"),
    ("2019-01-05", "swapped-working-saturday-2019"),
]


@pytest.mark.parametrize("day", [pytest.param(d(day), id=name) for day, name in NON_WORKING_DAYS])
def test_non_working_days(cal: VietnamCalendar, day: date) -> None:
    assert cal.is_working_day(day) is False


@pytest.mark.parametrize("day", [pytest.param(d(day), id=name) for day, name in WORKING_DAYS])
def test_working_days(cal: VietnamCalendar, day: date) -> None:
    assert cal.is_working_day(day) is True


def test_every_plain_weekday_of_a_quiet_month_is_working_and_weekends_are_not(
    cal: VietnamCalendar,
) -> None:
    # October 2024 has no holiday and no swapped day: 23 weekdays, 8 weekend days.
    days = [date(2024, 10, n) for n in range(1, 32)]
    working = [day for day in days if cal.is_working_day(day)]
    assert len(working) == 23
    assert all(day.weekday() < 5 for day in working)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(d("2024-05-04"), "Saturday swapped into a working day", id="swapped-2024"),
        pytest.param(d("2025-04-26"), "Saturday swapped into a working day", id="swapped-2025"),
        pytest.param(d("2026-08-22"), "Saturday swapped into a working day", id="swapped-2026"),
        pytest.param(d("2024-08-03"), "weekend", id="saturday"),
        pytest.param(d("2024-08-04"), "weekend", id="sunday"),
        pytest.param(d("2024-08-05"), "working day", id="monday"),
    ],
)
def test_describe_plain_days(cal: VietnamCalendar, day: date, expected: str) -> None:
    assert cal.describe(day) == expected


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(d("2024-02-10"), id="tet-2024-on-saturday"),
        pytest.param(d("2024-04-29"), id="swapped-day-off-2024"),
        pytest.param(d("2025-05-02"), id="swapped-day-off-2025"),
        pytest.param(d("2026-08-31"), id="swapped-day-off-2026"),
        pytest.param(d("2026-11-24"), id="culture-day-2026"),
        pytest.param(d("2024-09-02"), id="national-day-2024"),
    ],
)
def test_describe_holidays_says_public_holiday(cal: VietnamCalendar, day: date) -> None:
    text = cal.describe(day)
    assert text.startswith("public holiday: ")
    assert len(text) > len("public holiday: ")


def test_national_calendar_version_names_the_holidays_data(cal: VietnamCalendar) -> None:
    assert cal.version == f"holidays-{holidays.__version__}"
    assert "+" not in cal.version


def test_day_unit_values() -> None:
    assert DayUnit("working") is DayUnit.WORKING
    assert DayUnit("calendar") is DayUnit.CALENDAR
    assert {unit.value for unit in DayUnit} == {"working", "calendar"}


# --------------------------------------------------------------------------------------------
# add_working_days
# --------------------------------------------------------------------------------------------

ADD_WORKING_DAYS = [
    # Tết 2024 (Feb 8..14)
    ("2024-02-01", 7, "2024-02-19", "domain-example-triage-over-tet-2024"),
    ("2024-02-07", 1, "2024-02-15", "tet-2024-eve-plus-1"),
    ("2024-02-09", 1, "2024-02-15", "start-on-tet-2024-holiday"),
    ("2024-02-05", 3, "2024-02-15", "tet-2024-mon-plus-3"),
    # Tết 2025 (Jan 27..Feb 1, Sat Feb 1 a holiday, nothing substituted on Mon Feb 3)
    ("2025-01-24", 1, "2025-02-03", "tet-2025-fri-plus-1"),
    ("2025-01-22", 5, "2025-02-05", "tet-2025-wed-plus-5"),
    # Tết 2026 (Feb 16..20)
    ("2026-02-13", 1, "2026-02-23", "tet-2026-fri-plus-1"),
    ("2026-02-10", 7, "2026-02-26", "tet-2026-tue-plus-7"),
    # Swapped Saturdays and their days off
    ("2024-04-26", 1, "2024-05-02", "swap-2024-skips-29-30-1"),
    ("2024-04-26", 3, "2024-05-04", "swap-2024-lands-on-working-saturday"),
    ("2024-04-26", 4, "2024-05-06", "swap-2024-past-working-saturday"),
    ("2024-05-03", 1, "2024-05-04", "swap-2024-fri-plus-1-is-saturday"),
    ("2025-04-25", 1, "2025-04-26", "swap-2025-fri-plus-1-is-saturday"),
    ("2025-04-26", 1, "2025-04-28", "swap-2025-saturday-plus-1"),
    ("2025-04-29", 1, "2025-05-05", "swap-2025-skips-30-1-2"),
    ("2026-08-21", 1, "2026-08-22", "swap-2026-fri-plus-1-is-saturday"),
    ("2026-08-28", 1, "2026-09-03", "swap-2026-skips-31-1-2"),
    # National Day
    ("2024-08-30", 1, "2024-09-04", "national-day-2024"),
    ("2025-08-29", 1, "2025-09-03", "national-day-2025"),
    # Hùng Kings
    ("2024-04-17", 1, "2024-04-19", "hung-kings-2024"),
    ("2025-04-04", 1, "2025-04-08", "hung-kings-2025"),
    ("2026-04-24", 1, "2026-04-28", "hung-kings-2026-observed"),
    ("2026-04-24", 3, "2026-05-04", "hung-kings-then-30-4-2026"),
    # Culture Day 2026
    ("2026-11-23", 1, "2026-11-25", "culture-day-2026"),
    ("2026-11-20", 3, "2026-11-26", "culture-day-2026-plus-3"),
    # New Year and year-end crossings
    ("2023-12-29", 1, "2024-01-02", "year-end-2023-2024"),
    ("2024-12-31", 1, "2025-01-02", "year-end-2024-2025"),
    ("2024-12-20", 10, "2025-01-06", "year-end-2024-2025-ten-days"),
    ("2026-12-24", 5, "2026-12-31", "late-december-2026-stays-in-year"),
    ("2026-12-24", 6, "2027-01-04", "year-end-2026-2027"),
    ("2018-12-28", 1, "2019-01-02", "year-end-2018-swapped-monday"),
    ("2019-01-04", 1, "2019-01-05", "swapped-saturday-2019-01-05"),
    # Ordinary weeks
    ("2024-07-04", 5, "2024-07-11", "ordinary-week"),
    ("2024-08-03", 1, "2024-08-05", "start-on-saturday"),
    # Zero: the start date itself, even if it is not a working day
    ("2024-08-05", 0, "2024-08-05", "zero-on-working-day"),
    ("2024-08-03", 0, "2024-08-03", "zero-on-saturday"),
]


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [pytest.param(d(s), n, d(e), id=name) for s, n, e, name in ADD_WORKING_DAYS],
)
def test_add_working_days(cal: VietnamCalendar, start: date, days: int, expected: date) -> None:
    assert add_working_days(cal, start, days) == expected


NEGATIVE_WORKING_DAYS = [
    ("2024-02-19", -7, "2024-02-01", "back-over-tet-2024"),
    ("2024-02-15", -1, "2024-02-07", "back-one-over-tet-2024"),
    ("2025-02-03", -1, "2025-01-24", "back-one-over-tet-2025"),
    ("2026-02-23", -1, "2026-02-13", "back-one-over-tet-2026"),
    ("2024-05-06", -1, "2024-05-04", "back-onto-working-saturday-2024"),
    ("2024-05-02", -1, "2024-04-26", "back-over-swap-2024"),
    ("2025-04-28", -1, "2025-04-26", "back-onto-working-saturday-2025"),
    ("2026-08-24", -1, "2026-08-22", "back-onto-working-saturday-2026"),
    ("2026-09-03", -1, "2026-08-28", "back-over-national-day-2026"),
    ("2025-01-02", -1, "2024-12-31", "back-over-new-year-2025"),
    ("2024-01-02", -1, "2023-12-29", "back-over-new-year-2024"),
    ("2027-01-04", -6, "2026-12-24", "back-over-new-year-2027"),
    ("2019-01-02", -1, "2018-12-28", "back-over-swapped-monday-2018"),
    ("2026-11-25", -1, "2026-11-23", "back-over-culture-day"),
    ("2024-08-04", -1, "2024-08-02", "back-from-sunday"),
]


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [pytest.param(d(s), n, d(e), id=name) for s, n, e, name in NEGATIVE_WORKING_DAYS],
)
def test_add_negative_working_days(
    cal: VietnamCalendar, start: date, days: int, expected: date
) -> None:
    assert add_working_days(cal, start, days) == expected


# --------------------------------------------------------------------------------------------
# working_days_between: the interval (after, up_to]
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "up_to", "expected"),
    [
        pytest.param(d("2024-02-01"), d("2024-02-19"), 7, id="tet-2024-example-span"),
        pytest.param(d("2024-02-07"), d("2024-02-15"), 1, id="over-tet-2024"),
        pytest.param(d("2024-07-15"), d("2024-07-25"), 8, id="ordinary-ten-days"),
        pytest.param(d("2024-04-26"), d("2024-05-06"), 4, id="swap-2024-includes-saturday"),
        pytest.param(d("2024-12-31"), d("2025-01-02"), 1, id="over-new-year"),
        pytest.param(d("2026-11-23"), d("2026-11-25"), 1, id="over-culture-day"),
        pytest.param(d("2026-08-21"), d("2026-09-03"), 7, id="swap-and-national-day-2026"),
        pytest.param(d("2024-08-02"), d("2024-08-04"), 0, id="only-a-weekend"),
        pytest.param(d("2024-08-02"), d("2024-08-05"), 1, id="end-counts-start-does-not"),
        pytest.param(d("2024-08-05"), d("2024-08-05"), 0, id="same-day"),
        pytest.param(d("2024-08-09"), d("2024-08-05"), 0, id="reversed-interval"),
    ],
)
def test_working_days_between(
    cal: VietnamCalendar, after: date, up_to: date, expected: int
) -> None:
    assert working_days_between(cal, after, up_to) == expected


# --------------------------------------------------------------------------------------------
# roll_forward / next_working_day
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(d("2024-08-03"), d("2024-08-05"), id="saturday-to-monday"),
        pytest.param(d("2024-09-02"), d("2024-09-04"), id="national-day-2024"),
        pytest.param(d("2024-08-05"), d("2024-08-05"), id="working-day-stays"),
        pytest.param(d("2024-05-04"), d("2024-05-04"), id="working-saturday-stays"),
        pytest.param(d("2024-04-27"), d("2024-05-02"), id="swap-block-2024"),
        pytest.param(d("2025-01-25"), d("2025-02-03"), id="tet-2025-block"),
        pytest.param(d("2025-02-01"), d("2025-02-03"), id="tet-2025-saturday-holiday"),
        pytest.param(d("2026-02-14"), d("2026-02-23"), id="tet-2026-block"),
        pytest.param(d("2026-04-26"), d("2026-04-28"), id="hung-kings-2026-sunday"),
        pytest.param(d("2026-11-24"), d("2026-11-25"), id="culture-day-2026"),
        pytest.param(d("2026-08-29"), d("2026-09-03"), id="national-day-2026-block"),
        pytest.param(d("2024-12-29"), d("2024-12-30"), id="december-sunday"),
        pytest.param(d("2025-01-01"), d("2025-01-02"), id="new-year-2025"),
        pytest.param(d("2027-01-01"), d("2027-01-04"), id="new-year-2027-into-weekend"),
        pytest.param(d("2018-12-29"), d("2019-01-02"), id="year-end-2018-swap"),
    ],
)
def test_roll_forward(cal: VietnamCalendar, day: date, expected: date) -> None:
    assert roll_forward(cal, day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(d("2024-08-05"), d("2024-08-06"), id="strictly-after-a-working-day"),
        pytest.param(d("2024-08-02"), d("2024-08-05"), id="friday-to-monday"),
        pytest.param(d("2024-05-03"), d("2024-05-04"), id="to-working-saturday"),
        pytest.param(d("2024-02-07"), d("2024-02-15"), id="over-tet-2024"),
        pytest.param(d("2025-01-24"), d("2025-02-03"), id="over-tet-2025"),
        pytest.param(d("2024-12-31"), d("2025-01-02"), id="over-new-year"),
        pytest.param(d("2026-08-28"), d("2026-09-03"), id="over-swap-and-national-day"),
    ],
)
def test_next_working_day(cal: VietnamCalendar, day: date, expected: date) -> None:
    assert next_working_day(cal, day) == expected


# --------------------------------------------------------------------------------------------
# add_period / due_date
# --------------------------------------------------------------------------------------------

PERIODS = [
    # (start, days, unit, nominal, due, id)
    ("2024-07-04", 30, DayUnit.CALENDAR, "2024-08-03", "2024-08-05", "domain-example-30cd"),
    ("2024-08-03", 30, DayUnit.CALENDAR, "2024-09-02", "2024-09-04", "onto-national-day-2024"),
    ("2024-04-04", 26, DayUnit.CALENDAR, "2024-04-30", "2024-05-02", "onto-30-4-2024"),
    ("2025-03-27", 30, DayUnit.CALENDAR, "2025-04-26", "2025-04-26", "onto-working-saturday"),
    ("2025-01-02", 30, DayUnit.CALENDAR, "2025-02-01", "2025-02-03", "onto-tet-2025-saturday"),
    ("2026-01-27", 20, DayUnit.CALENDAR, "2026-02-16", "2026-02-23", "onto-tet-2026"),
    ("2026-08-02", 30, DayUnit.CALENDAR, "2026-09-01", "2026-09-03", "onto-national-day-2026"),
    ("2026-10-25", 30, DayUnit.CALENDAR, "2026-11-24", "2026-11-25", "onto-culture-day"),
    ("2024-12-02", 30, DayUnit.CALENDAR, "2025-01-01", "2025-01-02", "year-end-onto-new-year"),
    ("2024-12-12", 20, DayUnit.CALENDAR, "2025-01-01", "2025-01-02", "year-end-20cd"),
    ("2026-12-02", 30, DayUnit.CALENDAR, "2027-01-01", "2027-01-04", "year-end-2026-2027"),
    ("2024-12-20", 30, DayUnit.CALENDAR, "2025-01-19", "2025-01-20", "year-end-onto-sunday"),
    ("2024-07-04", 0, DayUnit.CALENDAR, "2024-07-04", "2024-07-04", "zero-calendar-days"),
    ("2024-02-01", 7, DayUnit.WORKING, "2024-02-19", "2024-02-19", "domain-example-7wd"),
    ("2024-12-20", 10, DayUnit.WORKING, "2025-01-06", "2025-01-06", "year-end-10wd"),
    ("2024-04-24", 5, DayUnit.WORKING, "2024-05-04", "2024-05-04", "wd-due-on-saturday"),
    ("2024-08-03", 0, DayUnit.WORKING, "2024-08-03", "2024-08-05", "zero-wd-rolls"),
]


@pytest.mark.parametrize(
    ("start", "days", "unit", "nominal", "due"),
    [pytest.param(d(s), n, u, d(nom), d(due), id=name) for s, n, u, nom, due, name in PERIODS],
)
def test_add_period_and_due_date(
    cal: VietnamCalendar, start: date, days: int, unit: DayUnit, nominal: date, due: date
) -> None:
    assert add_period(cal, start, days, unit) == nominal
    assert due_date(cal, start, days, unit) == due


def test_calendar_period_is_not_rolled_by_add_period(cal: VietnamCalendar) -> None:
    nominal = add_period(cal, d("2024-07-04"), 30, DayUnit.CALENDAR)
    assert nominal == d("2024-08-03")
    assert not cal.is_working_day(nominal)


# --------------------------------------------------------------------------------------------
# The agency calendar file
# --------------------------------------------------------------------------------------------

AGENCY_FILE = """\
name: UBND tỉnh Nghệ An
closures:
  - {date: 2026-11-25, reason: "storm closure"}
  - {date: 2026-08-22, reason: "flood"}
working_days:
  - {date: 2026-12-05, reason: "make-up Saturday"}
"""


@pytest.fixture
def agency_file(tmp_path: Path) -> Path:
    path = tmp_path / "nghe-an.yaml"
    path.write_text(AGENCY_FILE, encoding="utf-8")
    return path


def test_agency_closure_is_not_a_working_day(agency_file: Path) -> None:
    cal = VietnamCalendar.from_file(agency_file)
    assert cal.is_working_day(d("2026-11-25")) is False
    assert cal.describe(d("2026-11-25")) == "agency closure: storm closure"
    # Mon 23 + 1 WD: Tue 24 Culture Day, Wed 25 closed -> Thu 26
    assert add_working_days(cal, d("2026-11-23"), 1) == d("2026-11-26")
    assert roll_forward(cal, d("2026-11-24")) == d("2026-11-26")


def test_agency_closure_overrides_a_swapped_working_saturday(agency_file: Path) -> None:
    cal = VietnamCalendar.from_file(agency_file)
    assert cal.is_working_day(d("2026-08-22")) is False
    assert cal.describe(d("2026-08-22")) == "agency closure: flood"
    # Fri 21 + 1: Sat 22 closed, Sun 23, Mon 24
    assert add_working_days(cal, d("2026-08-21"), 1) == d("2026-08-24")


def test_agency_extra_working_day(agency_file: Path) -> None:
    cal = VietnamCalendar.from_file(agency_file)
    assert cal.is_working_day(d("2026-12-05")) is True
    assert cal.describe(d("2026-12-05")) == "agency working day: make-up Saturday"
    assert add_working_days(cal, d("2026-12-04"), 1) == d("2026-12-05")
    assert working_days_between(cal, d("2026-12-04"), d("2026-12-07")) == 2
    # The national calendar is untouched elsewhere.
    assert cal.is_working_day(d("2026-12-12")) is False
    assert cal.is_working_day(d("2026-11-24")) is False


def test_national_calendar_does_not_see_agency_days(cal: VietnamCalendar) -> None:
    assert cal.is_working_day(d("2026-11-25")) is True
    assert cal.is_working_day(d("2026-12-05")) is False
    assert add_working_days(cal, d("2026-12-04"), 1) == d("2026-12-07")


def test_constructor_closures_and_working_days() -> None:
    cal = VietnamCalendar(
        closures={d("2024-07-05"): "office move"},
        extra_working_days={d("2024-09-03"): "emergency session"},
        agency_label="test",
    )
    assert cal.is_working_day(d("2024-07-05")) is False
    assert cal.is_working_day(d("2024-09-03")) is True
    # Thu 4 July + 1: Fri 5 closed -> Mon 8
    assert add_working_days(cal, d("2024-07-04"), 1) == d("2024-07-08")
    # Sat 31 Aug rolls: Sun 1, Mon 2 (holiday), Tue 3 opened by the agency
    assert roll_forward(cal, d("2024-08-31")) == d("2024-09-03")
    assert cal.version == f"holidays-{holidays.__version__}+test"


def test_same_day_closed_and_working_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="2024-07-05"):
        VietnamCalendar(closures={d("2024-07-05"): "x"}, extra_working_days={d("2024-07-05"): "y"})


def test_agency_file_version_label(agency_file: Path, tmp_path: Path) -> None:
    first = VietnamCalendar.from_file(agency_file)
    again = VietnamCalendar.from_file(agency_file)
    assert first.version.startswith(f"holidays-{holidays.__version__}+nghe-an@")
    assert first.version == again.version
    assert first.version != VietnamCalendar().version

    agency_file.write_text(AGENCY_FILE + "  - {date: 2026-12-12, reason: more}\n", "utf-8")
    changed = VietnamCalendar.from_file(agency_file)
    assert changed.version != first.version
    assert changed.version.startswith(f"holidays-{holidays.__version__}+nghe-an@")
    assert changed.is_working_day(d("2026-12-12")) is True

    other = tmp_path / "ha-tinh.yaml"
    other.write_text(AGENCY_FILE, "utf-8")
    assert VietnamCalendar.from_file(other).version.startswith(
        f"holidays-{holidays.__version__}+ha-tinh@"
    )


def test_from_file_none_is_the_national_calendar() -> None:
    cal = VietnamCalendar.from_file(None)
    assert cal.version == f"holidays-{holidays.__version__}"
    assert cal.is_working_day(d("2026-11-25")) is True


def test_agency_file_with_only_working_days(tmp_path: Path) -> None:
    path = tmp_path / "only.yaml"
    path.write_text("working_days:\n  - {date: 2026-12-05, reason: make-up}\n", "utf-8")
    cal = VietnamCalendar.from_file(path)
    assert cal.is_working_day(d("2026-12-05")) is True
    assert cal.is_working_day(d("2026-11-24")) is False


def test_agency_entry_without_reason_gets_a_description(tmp_path: Path) -> None:
    path = tmp_path / "bare.yaml"
    path.write_text("closures:\n  - {date: 2026-11-25}\n", "utf-8")
    cal = VietnamCalendar.from_file(path)
    assert cal.is_working_day(d("2026-11-25")) is False
    assert cal.describe(d("2026-11-25")).startswith("agency closure: ")


BAD_FILES = [
    ("closures: [\n  - {date: 2026-11-25", "invalid-yaml"),
    ("closures: {date: 2026-11-25, reason: x}\n", "closures-not-a-list"),
    ("working_days: 2026-12-05\n", "working-days-not-a-list"),
    ("- {date: 2026-11-25}\n", "top-level-list"),
    ("closures:\n  - 2026-11-25\n", "entry-not-a-mapping"),
    ("closures:\n  - {reason: storm}\n", "entry-without-date"),
    ("closures:\n  - {date: next tuesday, reason: storm}\n", "date-not-a-date"),
    ("closures:\n  - {date: 25/11/2026, reason: storm}\n", "date-wrong-format"),
    (
        "closures:\n  - {date: 2026-11-25, reason: a}\n"
        "working_days:\n  - {date: 2026-11-25, reason: b}\n",
        "closed-and-working",
    ),
    # A date that looks like YYYY-MM-DD but does not exist. PyYAML raises ValueError here.
    ("closures:\n  - {date: 2026-02-30, reason: storm}\n", "impossible-date"),
    # A timestamp is not a date as YYYY-MM-DD; accepting it would silently never match.
    ("closures:\n  - {date: 2026-11-25 08:00:00, reason: storm}\n", "timestamp-not-date"),
]


@pytest.mark.parametrize("content", [pytest.param(content, id=name) for content, name in BAD_FILES])
def test_bad_agency_file_is_a_configuration_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigurationError):
        VietnamCalendar.from_file(path)


def test_missing_agency_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read"):
        VietnamCalendar.from_file(tmp_path / "nope.yaml")


def test_empty_agency_file_is_the_national_calendar_with_a_label(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("", encoding="utf-8")
    cal = VietnamCalendar.from_file(path)
    assert cal.version.startswith(f"holidays-{holidays.__version__}+empty@")
    assert cal.is_working_day(d("2026-11-24")) is False
    assert cal.is_working_day(d("2026-11-25")) is True


def test_an_empty_closures_key_means_no_closures(tmp_path: Path) -> None:
    path = tmp_path / "agency.yaml"
    path.write_text("name: x\nclosures:\nworking_days:\n", encoding="utf-8")
    assert VietnamCalendar.from_file(path).is_working_day(d("2026-11-25")) is True


def test_the_national_years_kept_in_the_cache_are_the_computed_ones(tmp_path: Path) -> None:
    """The cache gives the same days as `holidays` itself, per release, and a damaged or
    unwritable cache is ignored, never an error."""
    home = tmp_path / "home"
    home.mkdir()
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(365 * 2)]
    computed = VietnamCalendar()
    expected = [(computed.is_working_day(d), computed.describe(d)) for d in days]
    first = VietnamCalendar(cache_folder=home / "cache")
    assert [(first.is_working_day(d), first.describe(d)) for d in days] == expected
    [kept] = (home / "cache").glob("holidays-VN-*.json")
    assert kept.name == f"holidays-VN-{computed.version.removeprefix('holidays-')}.json"
    assert "2026-02-17" in kept.read_text(encoding="utf-8")  # Tết 2026
    again = VietnamCalendar(cache_folder=home / "cache")
    again._national_year = None  # type: ignore[method-assign,assignment]  # read, not computed
    assert [(again.is_working_day(d), again.describe(d)) for d in days] == expected
    kept.write_text("{not json", encoding="utf-8")
    damaged = VietnamCalendar(cache_folder=home / "cache")
    assert [damaged.is_working_day(d) for d in days] == [e[0] for e in expected]
    nowhere = VietnamCalendar(cache_folder=tmp_path / "no-home" / "cache")
    assert [nowhere.is_working_day(d) for d in days] == [e[0] for e in expected]
    assert not (tmp_path / "no-home").exists()  # no home made as a side effect
