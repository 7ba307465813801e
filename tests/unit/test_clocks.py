"""Legal clocks (casework.domain.clocks) and versioned rules (casework.domain.rules).

Expected dates are worked out by hand (Civil Code Arts. 144–148) from the Vietnamese calendar facts:
Tết 2024 is 2024-02-08..14; 2024-04-29/30 and 05-01 are days off and Sat 2024-05-04 a working
day; National Day 2024 is Mon 09-02 and Tue 09-03; 2024-08-03 is a Saturday.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date

import holidays
import pytest

from casework.adapters.holiday_calendar import VietnamCalendar
from casework.domain.calendar import DayUnit
from casework.domain.clocks import (
    Clock,
    ClockStatus,
    Extension,
    Pause,
    compute_due,
    display_status,
)
from casework.domain.errors import ConfigurationError, NotFound
from casework.domain.rules import DeadlineRule, ExtensionAllowance, RuleBook

pytestmark = pytest.mark.unit


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.fixture(scope="module")
def cal() -> VietnamCalendar:
    return VietnamCalendar()


TRIAGE = DeadlineRule(
    code="denunciation.triage",
    version="2019.1",
    title="Initial handling",
    length=7,
    unit=DayUnit.WORKING,
    basis="LTC Art. 24(1)",
    effective_from=d("2019-01-01"),
    extension=ExtensionAllowance(
        days=3,
        unit=DayUnit.WORKING,
        max_count={"ordinary": 1, "complex": 1, "especially_complex": 1},
        basis="LTC Art. 24(1)",
    ),
)

RESOLVE = DeadlineRule(
    code="denunciation.resolve",
    version="2019.1",
    title="Resolve the denunciation",
    length=30,
    unit=DayUnit.CALENDAR,
    basis="LTC Arts. 30, 34(2); ND31 Arts. 3, 15(4)",
    effective_from=d("2019-01-01"),
    extension=ExtensionAllowance(
        days=30,
        unit=DayUnit.CALENDAR,
        max_count={"complex": 1, "especially_complex": 2},
        basis="LTC Art. 30",
    ),
)

# A working-day clock that can be paused (for the pause arithmetic on working days).
PETITION_RESOLVE = DeadlineRule(
    code="petition.resolve",
    version="policy.1",
    title="Answer the petition",
    length=5,
    unit=DayUnit.WORKING,
    basis="agency policy",
    effective_from=d("2021-01-01"),
    is_policy=True,
)

REFERRAL = DeadlineRule(
    code="denunciation.referral",
    version="2019.1",
    title="Refer to the investigation agency",
    length=1,
    unit=DayUnit.WORKING,
    basis="LTC Arts. 27, 36(2)",
    effective_from=d("2019-01-01"),
    is_policy=True,
)

# A calendar-day rule without an extension allowance.
FORWARDER_REPLY = DeadlineRule(
    code="denunciation.forwarder_reply",
    version="2019.1",
    title="Reply to the forwarder",
    length=20,
    unit=DayUnit.CALENDAR,
    basis="LTC Art. 26(2)",
    effective_from=d("2019-01-01"),
)

ACCEPT_V1 = DeadlineRule(
    code="complaint.accept",
    version="2011.1",
    title="Accept the complaint",
    length=10,
    unit=DayUnit.WORKING,
    basis="LKN Arts. 27, 36",
    effective_from=d("2012-07-01"),
    effective_to=d("2026-06-30"),
)

ACCEPT_V2 = DeadlineRule(
    code="complaint.accept",
    version="2026.1",
    title="Accept the complaint",
    length=7,
    unit=DayUnit.WORKING,
    basis="ND155 Art. 10",
    effective_from=d("2026-07-01"),
)


def resolve_clock() -> Clock:
    return Clock(rule=RESOLVE, start_on=d("2024-07-04"))


# --------------------------------------------------------------------------------------------
# worked examples
# --------------------------------------------------------------------------------------------


def test_example_triage_seven_working_days_over_tet(cal: VietnamCalendar) -> None:
    result = compute_due(Clock(rule=TRIAGE, start_on=d("2024-02-01")), cal)
    assert result.nominal_end == d("2024-02-19")
    assert result.due == d("2024-02-19")


def test_example_resolution_thirty_days_rolled_from_saturday(cal: VietnamCalendar) -> None:
    result = compute_due(resolve_clock(), cal)
    assert result.nominal_end == d("2024-08-03")
    assert result.due == d("2024-08-05")


def test_example_resolution_extended_once(cal: VietnamCalendar) -> None:
    clock = resolve_clock().extended(
        Extension(decided_on=d("2024-07-25"), days=30, reason="complex")
    )
    result = compute_due(clock, cal)
    assert result.nominal_end == d("2024-09-02")
    assert result.due == d("2024-09-04")


def test_example_resolution_suspended_and_resumed(cal: VietnamCalendar) -> None:
    clock = resolve_clock().paused(d("2024-07-15"), "suspension").resumed(d("2024-07-25"))
    result = compute_due(clock, cal)
    assert result.nominal_end == d("2024-08-13")
    assert result.due == d("2024-08-13")
    assert clock.stored_status is ClockStatus.RUNNING


# --------------------------------------------------------------------------------------------
# Extensions
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "extensions", "nominal", "due"),
    [
        pytest.param("2024-07-04", (), "2024-08-03", "2024-08-05", id="no-extension"),
        pytest.param("2024-07-04", (30,), "2024-09-02", "2024-09-04", id="once-complex"),
        pytest.param(
            "2024-07-04", (30, 30), "2024-10-02", "2024-10-02", id="twice-especially-complex"
        ),
        # Nominal 2024-11-03 (Sun); extension counts from the un-rolled date:
        # 11-03 + 30 = 12-03 (Tue). Counting from the rolled 11-04 would give 12-04.
        pytest.param("2024-10-04", (30,), "2024-12-03", "2024-12-03", id="from-unrolled-end"),
        # 2024-12-02 + 30 = 2025-01-01 (holiday) + 30 = 2025-01-31 (Tết 2025) -> 2025-02-03
        pytest.param("2024-12-02", (30,), "2025-01-31", "2025-02-03", id="year-end-then-tet-2025"),
    ],
)
def test_calendar_extensions_add_to_the_unrolled_nominal_end(
    cal: VietnamCalendar, start: str, extensions: tuple[int, ...], nominal: str, due: str
) -> None:
    clock = Clock(rule=RESOLVE, start_on=d(start))
    for n, days in enumerate(extensions):
        clock = clock.extended(Extension(decided_on=d(start), days=days, reason=f"ext {n}"))
    result = compute_due(clock, cal)
    assert result.nominal_end == d(nominal)
    assert result.due == d(due)


def test_working_day_extension_counts_working_days(cal: VietnamCalendar) -> None:
    # 2024-02-19 + 3 WD: Tue 20, Wed 21, Thu 22
    clock = Clock(rule=TRIAGE, start_on=d("2024-02-01")).extended(
        Extension(decided_on=d("2024-02-16"), days=3, reason="checks at several places")
    )
    result = compute_due(clock, cal)
    assert result.due == d("2024-02-22")
    assert any("+3 working days" in step for step in result.explanation)


def test_extension_without_allowance_uses_the_rule_unit(cal: VietnamCalendar) -> None:
    # 2024-07-04 + 20 = 07-24 (Wed); + 10 calendar days = 08-03 (Sat) -> 08-05
    clock = Clock(rule=FORWARDER_REPLY, start_on=d("2024-07-04")).extended(
        Extension(decided_on=d("2024-07-20"), days=10, reason="agreed")
    )
    result = compute_due(clock, cal)
    assert result.nominal_end == d("2024-08-03")
    assert result.due == d("2024-08-05")


def test_extension_allowance_counts_by_complexity() -> None:
    assert RESOLVE.extension is not None
    assert RESOLVE.extension.allowed_count("complex") == 1
    assert RESOLVE.extension.allowed_count("especially_complex") == 2
    assert RESOLVE.extension.allowed_count("ordinary") == 0
    assert RESOLVE.extension.allowed_count("unknown") == 0


# --------------------------------------------------------------------------------------------
# Pauses
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pauses", "nominal", "due"),
    [
        pytest.param([("2024-07-15", "2024-07-25")], "2024-08-13", "2024-08-13", id="ten-days"),
        # 30 days of pause: 08-03 + 30 = 09-02 (National Day) -> 09-04
        pytest.param(
            [("2024-07-10", "2024-08-09")], "2024-09-02", "2024-09-04", id="onto-national-day"
        ),
        # two pauses, 10 + 5 days: 08-03 + 15 = 08-18 (Sun) -> 08-19
        pytest.param(
            [("2024-07-15", "2024-07-25"), ("2024-08-01", "2024-08-06")],
            "2024-08-18",
            "2024-08-19",
            id="two-pauses-onto-sunday",
        ),
        pytest.param(
            [("2024-07-15", "2024-07-15")], "2024-08-03", "2024-08-05", id="resumed-same-day"
        ),
    ],
)
def test_calendar_clock_pauses_shift_by_calendar_days(
    cal: VietnamCalendar, pauses: list[tuple[str, str]], nominal: str, due: str
) -> None:
    clock = Clock(
        rule=RESOLVE,
        start_on=d("2024-07-04"),
        pauses=tuple(
            Pause(paused_on=d(p), reason="suspension", resumed_on=d(r)) for p, r in pauses
        ),
    )
    result = compute_due(clock, cal)
    assert result.nominal_end == d(nominal)
    assert result.due == d(due)


def test_pause_and_extension_combine(cal: VietnamCalendar) -> None:
    # 08-03 + 30 (extension) = 09-02, + 10 (pause) = 09-12 (Thu)
    clock = (
        resolve_clock()
        .extended(Extension(decided_on=d("2024-07-25"), days=30, reason="complex"))
        .paused(d("2024-07-15"), "expert assessment")
        .resumed(d("2024-07-25"))
    )
    result = compute_due(clock, cal)
    assert result.nominal_end == d("2024-09-12")
    assert result.due == d("2024-09-12")


@pytest.mark.parametrize(
    ("start", "paused", "resumed", "nominal"),
    [
        # 5 WD from Wed 04-24: Thu 25, Fri 26, Thu 05-02, Fri 05-03, Sat 05-04 (working).
        pytest.param("2024-04-24", None, None, "2024-05-04", id="no-pause-due-on-saturday"),
        # (04-25, 05-03] holds Fri 04-26, Thu 05-02, Fri 05-03 = 3 WD;
        # 05-04 + 3 WD = Mon 06, Tue 07, Wed 08
        pytest.param("2024-04-24", "2024-04-25", "2024-05-03", "2024-05-08", id="over-swap"),
        # 7 WD from 02-01 -> 02-19; (02-06, 02-16] holds Wed 07, Thu 15, Fri 16 = 3 WD;
        # 02-19 + 3 WD = Tue 20, Wed 21, Thu 22
        pytest.param("2024-02-01", "2024-02-06", "2024-02-16", "2024-02-22", id="over-tet-2024"),
        # (Fri 08-02, Sun 08-04] holds no working day: no shift.
        # 5 WD from Wed 07-31: Thu 01, Fri 02, Mon 05, Tue 06, Wed 07
        pytest.param("2024-07-31", "2024-08-02", "2024-08-04", "2024-08-07", id="weekend-only"),
        # (Fri 08-02, Mon 08-05] holds Mon 05 = 1 WD: 08-07 + 1 = Thu 08-08
        pytest.param("2024-07-31", "2024-08-02", "2024-08-05", "2024-08-08", id="resume-monday"),
        # 5 WD from Mon 2024-12-23: 24, 25, 26, 27, 30 -> 12-30;
        # (12-27, 2025-01-03] holds Mon 30, Tue 31, Thu 02, Fri 03 = 4 WD;
        # 12-30 + 4 WD = Tue 31, Thu 01-02, Fri 01-03, Mon 01-06
        pytest.param("2024-12-23", "2024-12-27", "2025-01-03", "2025-01-06", id="year-end"),
    ],
)
def test_working_day_clock_pause_shifts_by_working_days_in_pause(
    cal: VietnamCalendar, start: str, paused: str | None, resumed: str | None, nominal: str
) -> None:
    rule = PETITION_RESOLVE if start != "2024-02-01" else TRIAGE
    clock = Clock(rule=rule, start_on=d(start))
    if paused is not None and resumed is not None:
        clock = clock.paused(d(paused), "objective obstacle").resumed(d(resumed))
    result = compute_due(clock, cal)
    assert result.nominal_end == d(nominal)
    # every nominal end above is itself a working day (incl. Saturday 2024-05-04)
    assert result.due == d(nominal)


def test_open_pause_has_no_due_date(cal: VietnamCalendar) -> None:
    clock = resolve_clock().paused(d("2024-07-15"), "expert assessment")
    assert clock.open_pause == Pause(paused_on=d("2024-07-15"), reason="expert assessment")
    assert clock.stored_status is ClockStatus.PAUSED
    result = compute_due(clock, cal)
    assert result.due is None
    assert result.nominal_end is None
    assert "paused since 2024-07-15 (expert assessment)" in result.explanation[-1]
    assert display_status(clock.stored_status, result.due, d("2024-12-31")) is ClockStatus.PAUSED


def test_open_pause_after_a_closed_one(cal: VietnamCalendar) -> None:
    clock = (
        resolve_clock()
        .paused(d("2024-07-15"), "suspension")
        .resumed(d("2024-07-25"))
        .paused(d("2024-08-01"), "expert assessment")
    )
    assert clock.stored_status is ClockStatus.PAUSED
    assert clock.open_pause is not None
    assert clock.open_pause.paused_on == d("2024-08-01")
    result = compute_due(clock, cal)
    assert result.due is None
    assert any("2024-07-15" in step and "2024-07-25" in step for step in result.explanation)
    # resuming the second pause on 08-06 adds 5 more days: 08-03 + 15 = 08-18 (Sun) -> 08-19
    resumed = clock.resumed(d("2024-08-06"))
    assert resumed.stored_status is ClockStatus.RUNNING
    assert resumed.open_pause is None
    assert compute_due(resumed, cal).due == d("2024-08-19")


def test_resume_closes_only_the_open_pause() -> None:
    clock = (
        resolve_clock()
        .paused(d("2024-07-15"), "a")
        .resumed(d("2024-07-25"))
        .paused(d("2024-08-01"), "b")
        .resumed(d("2024-08-06"))
    )
    assert [(p.paused_on, p.resumed_on) for p in clock.pauses] == [
        (d("2024-07-15"), d("2024-07-25")),
        (d("2024-08-01"), d("2024-08-06")),
    ]
    assert all(not p.is_open for p in clock.pauses)


# --------------------------------------------------------------------------------------------
# Clock value semantics and status
# --------------------------------------------------------------------------------------------


def test_clock_transitions_return_new_clocks() -> None:
    clock = resolve_clock()
    extended = clock.extended(Extension(decided_on=d("2024-07-25"), days=30, reason="complex"))
    assert clock.extensions == ()
    assert len(extended.extensions) == 1
    assert clock.code == "denunciation.resolve"
    with pytest.raises(FrozenInstanceError):
        clock.stopped_on = d("2024-08-01")  # type: ignore[misc]


def test_stopped_clock(cal: VietnamCalendar) -> None:
    clock = resolve_clock().stopped(d("2024-07-30"))
    assert clock.stopped_on == d("2024-07-30")
    assert clock.stored_status is ClockStatus.STOPPED
    result = compute_due(clock, cal)
    assert result.due == d("2024-08-05")
    # a stopped clock is never shown as overdue, however late it is
    assert display_status(clock.stored_status, result.due, d("2025-01-01")) is ClockStatus.STOPPED


def test_stopped_takes_precedence_over_an_open_pause() -> None:
    clock = resolve_clock().paused(d("2024-07-15"), "suspension").stopped(d("2024-07-20"))
    assert clock.stored_status is ClockStatus.STOPPED


def test_running_clock_status() -> None:
    assert resolve_clock().stored_status is ClockStatus.RUNNING


@pytest.mark.parametrize(
    ("stored", "due", "today", "expected"),
    [
        pytest.param(
            ClockStatus.RUNNING, "2024-08-05", "2024-08-04", ClockStatus.RUNNING, id="before-due"
        ),
        pytest.param(
            ClockStatus.RUNNING, "2024-08-05", "2024-08-05", ClockStatus.RUNNING, id="on-due-date"
        ),
        pytest.param(
            ClockStatus.RUNNING, "2024-08-05", "2024-08-06", ClockStatus.OVERDUE, id="day-after"
        ),
        pytest.param(
            ClockStatus.RUNNING, "2024-08-05", "2025-01-01", ClockStatus.OVERDUE, id="long-after"
        ),
        pytest.param(ClockStatus.RUNNING, None, "2030-01-01", ClockStatus.RUNNING, id="no-due"),
        pytest.param(ClockStatus.PAUSED, None, "2030-01-01", ClockStatus.PAUSED, id="paused"),
        pytest.param(
            ClockStatus.PAUSED, "2024-08-05", "2024-09-01", ClockStatus.PAUSED, id="paused-late"
        ),
        pytest.param(
            ClockStatus.STOPPED, "2024-08-05", "2024-09-01", ClockStatus.STOPPED, id="stopped"
        ),
    ],
)
def test_display_status(
    stored: ClockStatus, due: str | None, today: str, expected: ClockStatus
) -> None:
    assert display_status(stored, d(due) if due else None, d(today)) is expected


def test_overdue_display_from_a_computed_clock(cal: VietnamCalendar) -> None:
    clock = resolve_clock()
    due = compute_due(clock, cal).due
    assert due == d("2024-08-05")
    # Saturday 08-03 is the nominal end but not the due date: not overdue on Sunday 08-04
    assert display_status(clock.stored_status, due, d("2024-08-04")) is ClockStatus.RUNNING
    assert display_status(clock.stored_status, due, d("2024-08-05")) is ClockStatus.RUNNING
    assert display_status(clock.stored_status, due, d("2024-08-06")) is ClockStatus.OVERDUE


# --------------------------------------------------------------------------------------------
# Explanation steps
# --------------------------------------------------------------------------------------------


def test_steps_name_the_rule_basis_and_calendar(cal: VietnamCalendar) -> None:
    steps = compute_due(resolve_clock(), cal).explanation
    first = steps[0]
    assert "denunciation.resolve" in first
    assert "v2019.1" in first
    assert "LTC Arts. 30, 34(2); ND31 Arts. 3, 15(4)" in first
    assert "30 calendar days" in first
    assert f"holidays-{holidays.__version__}" in first
    assert "start 2024-07-04" in steps[1]
    assert "Art. 147" in steps[1]
    assert "+30 days → nominal end 2024-08-03" in steps[2]


def test_steps_explain_the_roll_forward(cal: VietnamCalendar) -> None:
    steps = compute_due(resolve_clock(), cal).explanation
    roll = [step for step in steps if "rolled forward" in step]
    assert len(roll) == 1
    assert "2024-08-03 is not a working day (weekend)" in roll[0]
    assert "rolled forward to 2024-08-05" in roll[0]
    assert "Art. 148(5)" in roll[0]
    assert steps[-1].startswith("due 2024-08-05")
    assert "Asia/Ho_Chi_Minh" in steps[-1]


def test_steps_explain_extension_and_holiday_roll(cal: VietnamCalendar) -> None:
    clock = resolve_clock().extended(
        Extension(decided_on=d("2024-07-25"), days=30, reason="complex")
    )
    steps = compute_due(clock, cal).explanation
    ext = [step for step in steps if step.startswith("extension decided 2024-07-25")]
    assert len(ext) == 1
    assert "+30 days" in ext[0]
    assert "complex" in ext[0]
    assert "nominal end 2024-09-02" in ext[0]
    roll = [step for step in steps if "rolled forward" in step]
    assert len(roll) == 1
    assert "2024-09-02 is not a working day (public holiday:" in roll[0]
    assert "rolled forward to 2024-09-04" in roll[0]


def test_steps_explain_a_pause(cal: VietnamCalendar) -> None:
    clock = resolve_clock().paused(d("2024-07-15"), "suspension").resumed(d("2024-07-25"))
    steps = compute_due(clock, cal).explanation
    pause = [step for step in steps if step.startswith("paused 2024-07-15")]
    assert len(pause) == 1
    assert "resumed 2024-07-25" in pause[0]
    assert "(suspension)" in pause[0]
    assert "+10 days" in pause[0]
    assert "nominal end 2024-08-13" in pause[0]
    # 2024-08-13 is a working day: nothing to roll
    assert not any("rolled forward" in step for step in steps)


def test_steps_for_a_working_day_clock(cal: VietnamCalendar) -> None:
    steps = compute_due(Clock(rule=TRIAGE, start_on=d("2024-02-01")), cal).explanation
    assert "7 working days" in steps[0]
    assert "LTC Art. 24(1)" in steps[0]
    assert "+7 working days → nominal end 2024-02-19" in steps[2]
    assert not any("rolled forward" in step for step in steps)


def test_steps_use_singular_for_one_day(cal: VietnamCalendar) -> None:
    steps = compute_due(Clock(rule=REFERRAL, start_on=d("2024-08-02")), cal).explanation
    assert "1 working day;" in steps[0]
    assert "+1 working day → nominal end 2024-08-05" in steps[2]


def test_steps_name_the_agency_calendar_and_closure() -> None:
    cal = VietnamCalendar(closures={d("2024-08-05"): "typhoon"}, agency_label="nghe-an")
    result = compute_due(resolve_clock(), cal)
    # 08-03 (Sat) -> Sun 04 -> Mon 05 closed -> Tue 06
    assert result.due == d("2024-08-06")
    assert "+nghe-an" in result.explanation[0]


def test_working_day_clock_due_on_agency_closure_rolls() -> None:
    # 7 WD from 2024-02-01 with Fri 02-16 closed: 02, 05, 06, 07, 15, 19, 20 -> 02-20
    cal = VietnamCalendar(closures={d("2024-02-16"): "office move"})
    assert compute_due(Clock(rule=TRIAGE, start_on=d("2024-02-01")), cal).due == d("2024-02-20")


# --------------------------------------------------------------------------------------------
# Rules and the rule book
# --------------------------------------------------------------------------------------------


def test_rule_in_force_boundaries() -> None:
    assert not ACCEPT_V1.is_in_force_on(d("2012-06-30"))
    assert ACCEPT_V1.is_in_force_on(d("2012-07-01"))
    assert ACCEPT_V1.is_in_force_on(d("2026-06-30"))
    assert not ACCEPT_V1.is_in_force_on(d("2026-07-01"))
    assert ACCEPT_V2.is_in_force_on(d("2026-07-01"))
    assert ACCEPT_V2.is_in_force_on(d("2099-12-31"))


def test_describe_length() -> None:
    assert TRIAGE.describe_length() == "7 working days"
    assert RESOLVE.describe_length() == "30 calendar days"
    assert REFERRAL.describe_length() == "1 working day"


@pytest.mark.parametrize(
    ("on", "version", "length"),
    [
        pytest.param("2012-07-01", "2011.1", 10, id="first-day-of-v1"),
        pytest.param("2024-02-01", "2011.1", 10, id="mid-v1"),
        pytest.param("2026-06-30", "2011.1", 10, id="last-day-of-v1"),
        pytest.param("2026-07-01", "2026.1", 7, id="first-day-of-v2"),
        pytest.param("2030-01-01", "2026.1", 7, id="open-ended-v2"),
    ],
)
def test_rule_book_picks_version_in_force(on: str, version: str, length: int) -> None:
    book = RuleBook([ACCEPT_V2, ACCEPT_V1, TRIAGE])  # order of input does not matter
    rule = book.in_force("complaint.accept", d(on))
    assert rule.version == version
    assert rule.length == length


def test_rule_book_version_applies_to_the_clock(cal: VietnamCalendar) -> None:
    book = RuleBook([ACCEPT_V1, ACCEPT_V2])
    # received Tue 2026-06-30: 10 WD -> Jul 1, 2, 3, 6, 7, 8, 9, 10, 13, 14
    old = Clock(rule=book.in_force("complaint.accept", d("2026-06-30")), start_on=d("2026-06-30"))
    # received Wed 2026-07-01: 7 WD -> Jul 2, 3, 6, 7, 8, 9, 10
    new = Clock(rule=book.in_force("complaint.accept", d("2026-07-01")), start_on=d("2026-07-01"))
    assert compute_due(old, cal).due == d("2026-07-14")
    assert compute_due(new, cal).due == d("2026-07-10")
    assert "v2026.1" in compute_due(new, cal).explanation[0]
    assert "ND155 Art. 10" in compute_due(new, cal).explanation[0]


def test_rule_book_before_first_version_is_not_found() -> None:
    book = RuleBook([ACCEPT_V1, ACCEPT_V2])
    with pytest.raises(NotFound, match=r"complaint\.accept"):
        book.in_force("complaint.accept", d("2012-06-30"))


def test_rule_book_gap_between_versions_is_not_found() -> None:
    early = DeadlineRule(
        code="x.gap",
        version="1",
        title="x",
        length=5,
        unit=DayUnit.WORKING,
        basis="b",
        effective_from=d("2020-01-01"),
        effective_to=d("2020-12-31"),
    )
    late = DeadlineRule(
        code="x.gap",
        version="2",
        title="x",
        length=6,
        unit=DayUnit.WORKING,
        basis="b",
        effective_from=d("2021-02-01"),
    )
    book = RuleBook([early, late])
    assert book.in_force("x.gap", d("2020-12-31")).version == "1"
    assert book.in_force("x.gap", d("2021-02-01")).version == "2"
    with pytest.raises(NotFound):
        book.in_force("x.gap", d("2021-01-15"))


def test_rule_book_unknown_code_is_not_found() -> None:
    book = RuleBook([ACCEPT_V1, TRIAGE])
    with pytest.raises(NotFound, match=r"no deadline rule .complaint\.nope."):
        book.in_force("complaint.nope", d("2024-01-01"))
    with pytest.raises(NotFound):
        book.versions("complaint.nope")
    with pytest.raises(NotFound):
        book.version("complaint.nope", "2011.1")


def test_rule_book_unknown_version_is_not_found() -> None:
    book = RuleBook([ACCEPT_V1, ACCEPT_V2])
    assert book.version("complaint.accept", "2026.1") is ACCEPT_V2
    with pytest.raises(NotFound, match=r"1999\.1"):
        book.version("complaint.accept", "1999.1")


def test_rule_book_listing() -> None:
    book = RuleBook([TRIAGE, ACCEPT_V2, ACCEPT_V1])
    assert book.codes == ["complaint.accept", "denunciation.triage"]
    assert [r.version for r in book.versions("complaint.accept")] == ["2011.1", "2026.1"]
    assert book.all_rules() == [ACCEPT_V1, ACCEPT_V2, TRIAGE]


def _accept(version: str, start: str, end: str | None) -> DeadlineRule:
    return DeadlineRule(
        code="complaint.accept",
        version=version,
        title="Accept",
        length=10,
        unit=DayUnit.WORKING,
        basis="LKN",
        effective_from=d(start),
        effective_to=d(end) if end else None,
    )


@pytest.mark.parametrize(
    "rules",
    [
        pytest.param(
            [_accept("a", "2012-07-01", None), _accept("b", "2026-07-01", None)],
            id="earlier-open-ended",
        ),
        pytest.param(
            [_accept("a", "2012-07-01", "2026-07-01"), _accept("b", "2026-07-01", None)],
            id="end-equals-next-start",
        ),
        pytest.param(
            [_accept("a", "2012-07-01", "2027-01-01"), _accept("b", "2026-07-01", None)],
            id="end-after-next-start",
        ),
        pytest.param(
            [_accept("b", "2026-07-01", None), _accept("a", "2012-07-01", "2026-12-31")],
            id="given-in-reverse-order",
        ),
        pytest.param(
            [_accept("a", "2020-01-01", None), _accept("b", "2020-01-01", None)],
            id="same-start",
        ),
    ],
)
def test_rule_book_refuses_overlapping_versions(rules: list[DeadlineRule]) -> None:
    with pytest.raises(ConfigurationError, match="overlap"):
        RuleBook(rules)


def test_rule_book_accepts_adjacent_versions() -> None:
    book = RuleBook([_accept("a", "2012-07-01", "2026-06-30"), _accept("b", "2026-07-01", None)])
    assert [r.version for r in book.versions("complaint.accept")] == ["a", "b"]


def test_with_policy_lengths_changes_only_policy_rules(cal: VietnamCalendar) -> None:
    book = RuleBook([REFERRAL, TRIAGE, RESOLVE, PETITION_RESOLVE])
    changed = book.with_policy_lengths({"denunciation.referral": 2})
    referral = changed.in_force("denunciation.referral", d("2024-08-02"))
    assert referral.length == 2
    assert referral.version == "2019.1+policy2"
    assert referral.is_policy
    # the others are untouched
    assert changed.in_force("denunciation.triage", d("2024-02-01")) == TRIAGE
    assert changed.in_force("petition.resolve", d("2024-02-01")) == PETITION_RESOLVE
    # the original book is not modified
    assert book.in_force("denunciation.referral", d("2024-08-02")) is REFERRAL
    # Fri 2024-08-02 + 2 WD: Mon 05, Tue 06
    clock = Clock(rule=referral, start_on=d("2024-08-02"))
    assert compute_due(clock, cal).due == d("2024-08-06")
    assert "v2019.1+policy2" in compute_due(clock, cal).explanation[0]


def test_with_policy_lengths_default_referral_is_one_working_day(cal: VietnamCalendar) -> None:
    # "Immediately" = 1 WD: signs of a crime recorded Fri 2024-05-03 -> Sat 2024-05-04 (working)
    clock = Clock(rule=REFERRAL, start_on=d("2024-05-03"))
    assert compute_due(clock, cal).due == d("2024-05-04")


def test_with_policy_lengths_refuses_statutory_rules() -> None:
    book = RuleBook([REFERRAL, TRIAGE])
    with pytest.raises(ConfigurationError, match=r"denunciation\.triage"):
        book.with_policy_lengths({"denunciation.triage": 5})


def test_with_policy_lengths_applies_to_every_version() -> None:
    v1 = DeadlineRule(
        code="petition.resolve",
        version="p1",
        title="t",
        length=15,
        unit=DayUnit.WORKING,
        basis="policy",
        effective_from=d("2021-01-01"),
        effective_to=d("2024-12-31"),
        is_policy=True,
    )
    v2 = DeadlineRule(
        code="petition.resolve",
        version="p2",
        title="t",
        length=15,
        unit=DayUnit.WORKING,
        basis="policy",
        effective_from=d("2025-01-01"),
        is_policy=True,
    )
    changed = RuleBook([v1, v2]).with_policy_lengths({"petition.resolve": 10})
    assert [(r.version, r.length) for r in changed.versions("petition.resolve")] == [
        ("p1+policy10", 10),
        ("p2+policy10", 10),
    ]


def test_policy_lengths_naming_an_unknown_clock_are_refused() -> None:
    book = RuleBook(
        [
            DeadlineRule(
                code="denunciation.referral",
                version="1",
                title="t",
                length=1,
                unit=DayUnit.WORKING,
                basis="LTC Art. 27",
                effective_from=date(2019, 1, 1),
                is_policy=True,
            )
        ]
    )
    with pytest.raises(ConfigurationError, match=r"unknown clocks denunciation\.referal"):
        book.with_policy_lengths({"denunciation.referal": 2})


def test_stored_versions_resolve_whatever_the_policy_settings_are_now() -> None:
    plain = RuleBook([REFERRAL, TRIAGE])
    with_policy = plain.with_policy_lengths({"denunciation.referral": 3})
    # a clock started before the agency set its policy keeps the statutory default …
    assert with_policy.version("denunciation.referral", "2019.1").length == 1
    # … and one started under a policy keeps that policy's length after it changes again
    assert plain.version("denunciation.referral", "2019.1+policy3").length == 3
    assert with_policy.version("denunciation.referral", "2019.1+policy7").length == 7
    with pytest.raises(NotFound):
        plain.version("denunciation.triage", "2019.1+policyX")
