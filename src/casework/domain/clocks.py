"""Legal clocks: a rule applied from a start date, with extensions and pauses (Civil Code
Arts. 144–148).

The due date is a pure function of the stored facts, so it can always be recomputed and
explained: nominal end = start + length; each extension adds its days to the *un-rolled*
nominal end; each closed pause moves the nominal end by the time it lasted; only the final
date is rolled forward to a working day. While a pause is open there is no due date.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum

from casework.domain.calendar import (
    DayUnit,
    WorkingCalendar,
    add_period,
    roll_forward,
    working_days_between,
)
from casework.domain.citations import cite_vi
from casework.domain.rules import DeadlineRule, length_words


class ClockStatus(StrEnum):
    """What a stored clock is doing. `overdue` and `elapsed` are derived: running and past its
    due date — overdue for a duty of the agency, elapsed for a window left to the parties (the
    time to complain, to appeal), which nobody is late for."""

    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"
    OVERDUE = "overdue"
    ELAPSED = "elapsed"


@dataclass(frozen=True)
class Extension:
    """A recorded extension decision."""

    decided_on: date
    days: int
    reason: str


@dataclass(frozen=True)
class Pause:
    """A suspension of the clock; `resumed_on` is None while it lasts."""

    paused_on: date
    reason: str
    resumed_on: date | None = None

    @property
    def is_open(self) -> bool:
        return self.resumed_on is None


@dataclass(frozen=True)
class Clock:
    """Everything needed to compute and explain one legal deadline."""

    rule: DeadlineRule
    start_on: date
    extensions: tuple[Extension, ...] = ()
    pauses: tuple[Pause, ...] = ()
    stopped_on: date | None = None

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def open_pause(self) -> Pause | None:
        return next((p for p in self.pauses if p.is_open), None)

    @property
    def stored_status(self) -> ClockStatus:
        if self.stopped_on is not None:
            return ClockStatus.STOPPED
        if self.open_pause is not None:
            return ClockStatus.PAUSED
        return ClockStatus.RUNNING

    def extended(self, extension: Extension) -> Clock:
        return replace(self, extensions=(*self.extensions, extension))

    def paused(self, on: date, reason: str) -> Clock:
        return replace(self, pauses=(*self.pauses, Pause(paused_on=on, reason=reason)))

    def resumed(self, on: date) -> Clock:
        pauses = tuple(replace(p, resumed_on=on) if p.is_open else p for p in self.pauses)
        return replace(self, pauses=pauses)

    def with_interval(self, first_day: date, last_day: date, reason: str) -> Clock:
        """A closed pause recorded after the fact, both days included, e.g. an objective
        obstacle that kept a complainant from lodging the complaint in time (LKN Art. 9)."""
        pause = Pause(paused_on=first_day, reason=reason, resumed_on=last_day + timedelta(days=1))
        return replace(self, pauses=(*self.pauses, pause))

    def stopped(self, on: date) -> Clock:
        return replace(self, stopped_on=on)


@dataclass(frozen=True)
class DueDate:
    """A due date with the lines of its computation (`explanation`, and `explanation_vi` as
    the Vietnamese pages show them), as a case page shows them."""

    due: date | None
    nominal_end: date | None
    explanation: list[str] = field(default_factory=list)
    explanation_vi: list[str] = field(default_factory=list)


def _unit_words(days: int, unit: DayUnit) -> str:
    noun = "working day" if unit is DayUnit.WORKING else "day"
    return f"{days} {noun}{'s' if days != 1 else ''}"


def _unit_words_vi(days: int, unit: DayUnit) -> str:
    return f"{days} ngày làm việc" if unit is DayUnit.WORKING else f"{days} ngày"


def _vi(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def compute_due(clock: Clock, calendar: WorkingCalendar) -> DueDate:
    """Compute the due date of `clock` on `calendar`, with each line of the computation, in
    English and in Vietnamese."""
    rule = clock.rule
    explanation = [
        f"rule {rule.code} v{rule.version} ({rule.basis}): {length_words(rule.length, rule.unit)}; "
        f"calendar {calendar.version}",
        f"start {clock.start_on.isoformat()} (day 1 is the next day, Civil Code Art. 147)",
    ]
    basis_vi = cite_vi(rule.basis)
    vi = [
        f"{rule.title_in('vi')} (phiên bản {rule.version}"
        + (f"; {basis_vi}" if basis_vi else "")
        + f"): {_unit_words_vi(rule.length, rule.unit)}",
        f"Bắt đầu tính từ ngày {_vi(clock.start_on)} (thời hạn tính từ ngày tiếp theo, "
        "Điều 147 Bộ luật Dân sự)",
    ]
    nominal = add_period(calendar, clock.start_on, rule.length, rule.unit)
    explanation.append(
        f"+{_unit_words(rule.length, rule.unit)} → nominal end {nominal.isoformat()}"
    )
    vi.append(f"Cộng {_unit_words_vi(rule.length, rule.unit)} → đến ngày {_vi(nominal)}")
    for ext in clock.extensions:
        unit = rule.extension.unit if rule.extension else rule.unit
        nominal = add_period(calendar, nominal, ext.days, unit)
        explanation.append(
            f"extension decided {ext.decided_on.isoformat()} (+{_unit_words(ext.days, unit)}, "
            f"{ext.reason}) → nominal end {nominal.isoformat()}"
        )
        vi.append(
            f"Gia hạn ngày {_vi(ext.decided_on)} (thêm {_unit_words_vi(ext.days, unit)}, "
            f"{ext.reason}) → đến ngày {_vi(nominal)}"
        )
    for pause in clock.pauses:
        if pause.resumed_on is None:
            explanation.append(
                f"paused since {pause.paused_on.isoformat()} ({pause.reason}): "
                "no due date until the clock resumes"
            )
            vi.append(
                f"Tạm dừng từ ngày {_vi(pause.paused_on)} ({pause.reason}): chưa có hạn cho "
                "đến khi tiếp tục tính"
            )
            return DueDate(due=None, nominal_end=None, explanation=explanation, explanation_vi=vi)
        if rule.unit is DayUnit.WORKING:
            shift = working_days_between(calendar, pause.paused_on, pause.resumed_on)
            nominal = add_period(calendar, nominal, shift, DayUnit.WORKING)
        else:
            shift = (pause.resumed_on - pause.paused_on).days
            nominal = add_period(calendar, nominal, shift, DayUnit.CALENDAR)
        explanation.append(
            f"paused {pause.paused_on.isoformat()} → resumed {pause.resumed_on.isoformat()} "
            f"({pause.reason}): +{_unit_words(shift, rule.unit)} → nominal end {nominal.isoformat()}"
        )
        vi.append(
            f"Tạm dừng {_vi(pause.paused_on)} → tiếp tục {_vi(pause.resumed_on)} "
            f"({pause.reason}): cộng {_unit_words_vi(shift, rule.unit)} → đến ngày {_vi(nominal)}"
        )
    due = roll_forward(calendar, nominal)
    if due != nominal:
        explanation.append(
            f"{nominal.isoformat()} is not a working day ({calendar.describe(nominal)}): "
            f"rolled forward to {due.isoformat()} (Civil Code Art. 148(5))"
        )
        vi.append(
            f"Ngày {_vi(nominal)} là ngày nghỉ: hạn là ngày làm việc tiếp theo, {_vi(due)} "
            "(khoản 5 Điều 148 Bộ luật Dân sự)"
        )
    explanation.append(f"due {due.isoformat()} (expires at 24:00 Asia/Ho_Chi_Minh)")
    vi.append(f"Hạn: hết 24 giờ ngày {_vi(due)}")
    return DueDate(due=due, nominal_end=nominal, explanation=explanation, explanation_vi=vi)


def display_status(
    stored: ClockStatus, due: date | None, today: date, is_duty: bool = True
) -> ClockStatus:
    """The status shown to people: a running clock past its due date is overdue (a duty) or
    elapsed (a window left to the parties)."""
    if stored is ClockStatus.RUNNING and due is not None and today > due:
        return ClockStatus.OVERDUE if is_duty else ClockStatus.ELAPSED
    return stored
