"""What a step does to a case's legal clocks (a lifecycle's `clocks:`): start, stop, pause,
resume, extend, and record an interval not counted — worked out on the clocks' facts next to
their arithmetic (domain/clocks.py), with an event for each change. The store writes the
clocks as the step leaves them (adapters/case_steps.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from casework.domain.calendar import WorkingCalendar
from casework.domain.case_events import (
    CaseEvent,
    ClockChanged,
    ClockNotApplicable,
    ClockStarted,
)
from casework.domain.clocks import Clock, ClockStatus, Extension, compute_due
from casework.domain.errors import InvalidInput, NotFound, said
from casework.domain.lifecycle import ClockEffects
from casework.domain.rules import RuleBook
from casework.domain.words_vi import vi_day


@dataclass(frozen=True)
class CaseClock:
    """One clock of a case: its facts, and its due date as last computed. `id` is the
    store's key for it; None for a clock the current step started."""

    clock: Clock
    due: date | None
    id: int | None = None

    @property
    def code(self) -> str:
        return self.clock.code

    @property
    def status(self) -> ClockStatus:
        return self.clock.stored_status

    @property
    def is_active(self) -> bool:
        """Running or paused: not stopped."""
        return self.clock.stopped_on is None


@dataclass(frozen=True)
class ClockSubject:
    """What the clock effects read of the case: the dates and facts they count from."""

    ref: str
    received_on: date
    attributes: Mapping[str, Any]
    facts: Mapping[str, bool]


INTERVAL_FIELDS_VI = {"from": "Ngày bắt đầu", "to": "Ngày kết thúc"}
"""An interval's two dates as a Vietnamese refusal names them (the step's form names them
at more length: "Ngày bắt đầu có trở ngại")."""


def _date_field(data: Mapping[str, str], name: str) -> date:
    value = data.get(name, "")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise said(
            InvalidInput(f"--set {name}= needs a date as YYYY-MM-DD, got {value!r}"),
            f"«{INTERVAL_FIELDS_VI.get(name, 'Ngày')}» không phải là ngày hợp lệ (đã nhập "
            f"«{value}»): nhập ngày/tháng/năm, ví dụ 07/02/2024",
        ) from None


class ClockLedger:
    """The clocks of one case during one step: the active ones (and, when the step needs
    them, the newest of each code, stopped ones too), what the step changes, and its events."""

    def __init__(
        self,
        subject: ClockSubject,
        clocks: Sequence[CaseClock],
        history: Mapping[str, CaseClock] | None,
        rules: RuleBook,
        calendar: WorkingCalendar,
    ) -> None:
        self.subject = subject
        self.rules = rules
        self.calendar = calendar
        self._slots: list[CaseClock] = list(clocks)
        self._has_history = history is not None
        known = {c.id for c in self._slots}
        self._slots.extend(c for c in (history or {}).values() if c.id not in known)
        self._changed: set[int] = set()
        self.events: list[CaseEvent] = []

    @property
    def clocks(self) -> tuple[CaseClock, ...]:
        """Every clock the step knows, as it leaves them."""
        return tuple(self._slots)

    def changes(self) -> tuple[CaseClock, ...]:
        """The clocks the step started or changed, as it leaves them, in the order first
        touched (new ones in the order started)."""
        return tuple(self._slots[i] for i in sorted(self._changed))

    def _active(self, code: str) -> int | None:
        return next((i for i, c in enumerate(self._slots) if c.code == code and c.is_active), None)

    def _age(self, index: int) -> tuple[bool, int]:
        # new clocks (no id yet) are newer than any stored one, and come in the order started
        clock = self._slots[index]
        return (clock.id is None, index if clock.id is None else clock.id)

    def _newest(self, code: str) -> int:
        """The newest clock of `code` (the one started last), stopped ones included."""
        return max((i for i, c in enumerate(self._slots) if c.code == code), key=self._age)

    def newest_of_each_code(self) -> dict[str, CaseClock]:
        """The newest clock of each code the step knows, as it leaves them."""
        newest: dict[str, int] = {}
        for index, clock in enumerate(self._slots):
            if clock.code not in newest or self._age(index) > self._age(newest[clock.code]):
                newest[clock.code] = index
        return {code: self._slots[index] for code, index in newest.items()}

    def _set(self, index: int, clock: Clock) -> date | None:
        due = compute_due(clock, self.calendar).due
        self._slots[index] = CaseClock(clock, due, self._slots[index].id)
        self._changed.add(index)
        return due

    def _change(
        self,
        index: int,
        clock: Clock,
        change: str,
        actor: str | None,
        details: Mapping[str, object],
    ) -> None:
        due = self._set(index, clock)
        self.events.append(
            ClockChanged(
                actor=actor,
                change=change,
                clock=clock.code,
                rule_version=clock.rule.version,
                calendar_version=self.calendar.version,
                due=due,
                basis=clock.rule.basis,
                details=details,
            )
        )

    def apply(
        self,
        effects: ClockEffects,
        on: date,
        actor: str | None,
        reason: str,
        trigger: str,
        data: Mapping[str, str] | None = None,
    ) -> None:
        """Apply `effects` of the step `trigger` taken on `on`."""
        data = data or {}
        happened = {"on": on.isoformat(), "by": trigger}
        for code in effects.stop:
            index = self._active(code)
            if index is not None:
                clock = self._slots[index].clock.stopped(on)
                self._change(index, clock, "stopped", actor, happened)
        for code in effects.pause:
            index = self._active(code)
            if index is not None and self._slots[index].status is ClockStatus.RUNNING:
                clock = self._slots[index].clock.paused(on, reason or trigger)
                self._change(index, clock, "paused", actor, happened)
        for code in effects.resume:
            index = self._active(code)
            if index is not None and self._slots[index].status is ClockStatus.PAUSED:
                clock = self._slots[index].clock.resumed(on)
                self._change(index, clock, "resumed", actor, happened)
        for code in effects.extend:
            index = self._active(code)
            if index is not None:
                current = self._slots[index].clock
                allowance = current.rule.extension
                assert allowance is not None  # the extension_allowed guard checked it
                clock = current.extended(Extension(on, allowance.days, reason or trigger))
                self._change(
                    index,
                    clock,
                    "extended",
                    actor,
                    {**happened, "days": allowance.days, "reason": reason},
                )
        facts = self.subject.facts
        for start in effects.start:
            if start.when and not facts.get(start.when, False):
                continue
            if start.unless and any(facts.get(f, False) for f in start.unless.split("|")):
                continue
            start_on = self._anchor_date(start.anchor, on)
            if start_on is None:
                continue  # the date it counts from is not recorded: nothing to count
            if self._not_yet_law(start.code, start_on, actor, trigger):
                continue
            index = self.start(start.code, start_on, actor, trigger)
            if start.stopped_at == "receipt":
                received = self.subject.received_on
                clock = self._slots[index].clock.stopped(received)
                self._change(
                    index, clock, "stopped", actor, {"on": received.isoformat(), "by": "receipt"}
                )
        for code in effects.interval:
            self._add_interval(code, data, actor, trigger)

    def _title_vi(self, code: str) -> str:
        """Clock `code` by its rule's Vietnamese title, in «»."""
        try:
            return f"«{self.rules.versions(code)[-1].title_in('vi')}»"
        except (NotFound, IndexError):
            return "thời hạn theo quy định"

    def _not_yet_law(self, code: str, start_on: date, actor: str | None, trigger: str) -> bool:
        """True (with an event) when every version of `code` came into force after
        `start_on`: the duty did not exist yet (e.g. a 3-working-day notice of a complaint's
        termination, required from 2026-07-01), so no clock starts."""
        versions = self.rules.versions(code)
        if not all(rule.effective_from > start_on for rule in versions):
            return False
        self.events.append(
            ClockNotApplicable(
                actor=actor,
                clock=code,
                on=start_on,
                by=trigger,
                first_in_force=versions[0].effective_from,
            )
        )
        return True

    def _anchor_date(self, anchor: str, on: date) -> date | None:
        if anchor == "receipt":
            return self.subject.received_on
        if anchor.startswith("attribute:"):
            value = self.subject.attributes.get(anchor.removeprefix("attribute:"))
            return date.fromisoformat(str(value)) if value else None
        return on

    def _add_interval(
        self, code: str, data: Mapping[str, str], actor: str | None, trigger: str
    ) -> None:
        if not self._has_history:
            raise RuntimeError("an interval needs the case's stopped clocks: read them first")
        index = self._newest(code) if any(c.code == code for c in self._slots) else None
        if index is None:
            raise said(
                InvalidInput(
                    f"the case has no {code} clock to record the interval on (is the date it "
                    "counts from recorded?)"
                ),
                f"Hồ sơ chưa tính {self._title_vi(code)} nên chưa ghi được khoảng thời gian "
                "không tính vào thời hạn: cần ghi nhận trước ngày bắt đầu tính thời hạn đó",
            )
        current = self._slots[index].clock
        asked, end = _date_field(data, "from"), _date_field(data, "to")
        last = current.stopped_on or date.max
        # the start date is day 0, outside the period (Civil Code Art. 147): only the days of
        # the interval inside the period are not counted, so one that began on or before it is
        # clipped to the period's first day, not refused, and adds nothing for the days before
        first_day = current.start_on + timedelta(days=1)
        start = max(asked, first_day)
        ends = current.stopped_on.isoformat() if current.stopped_on else "now"
        title = f"«{current.rule.title_in('vi')}»"
        period_vi = f"thời gian tính {title}, từ ngày {vi_day(first_day)}" + (
            f" đến ngày {vi_day(current.stopped_on)}" if current.stopped_on else " đến nay"
        )
        asked_vi = f"từ ngày {vi_day(asked)} đến ngày {vi_day(end)}"
        if end < asked:
            raise said(
                InvalidInput(
                    f"the interval {asked.isoformat()} – {end.isoformat()} ends before it begins"
                ),
                f"Khoảng thời gian {asked_vi} có ngày kết thúc trước ngày bắt đầu: nhập lại "
                "ngày bắt đầu và ngày kết thúc",
            )
        if end < first_day:
            raise said(
                InvalidInput(
                    f"no day of the interval {asked.isoformat()} – {end.isoformat()} lies within "
                    f"the {code} period, which runs {first_day.isoformat()} – {ends} (day 1 is "
                    f"the day after {current.start_on.isoformat()}): there is nothing to leave "
                    "uncounted"
                ),
                f"Khoảng thời gian {asked_vi} không có ngày nào nằm trong {period_vi} (ngày thứ "
                f"nhất là ngày tiếp theo ngày {vi_day(current.start_on)}): không có ngày nào "
                "cần loại trừ",
            )
        if end > last:
            raise said(
                InvalidInput(
                    f"the interval {asked.isoformat()} – {end.isoformat()} must end within the "
                    f"{code} period, {first_day.isoformat()} – {ends}"
                ),
                f"Khoảng thời gian {asked_vi} phải kết thúc trong {period_vi}",
            )
        reason = data.get("reasons", trigger)
        for pause in current.pauses:
            last_day = (pause.resumed_on or date.max) - timedelta(days=1)
            if start <= last_day and pause.paused_on <= end:  # days counted once, never twice
                raise said(
                    InvalidInput(
                        f"the interval {start.isoformat()} – {end.isoformat()} overlaps one "
                        f"already recorded on {code}, {pause.paused_on.isoformat()} – "
                        f"{last_day.isoformat()} ({pause.reason}); record only the days not "
                        "yet counted"
                    ),
                    f"Khoảng thời gian từ ngày {vi_day(start)} đến ngày {vi_day(end)} trùng "
                    f"với khoảng đã ghi nhận cho {title} từ ngày {vi_day(pause.paused_on)} "
                    + (f"đến ngày {vi_day(last_day)}" if pause.resumed_on else "đến nay")
                    + ": chỉ ghi những ngày chưa được loại trừ",
                )
        clock = current.with_interval(start, end, reason)
        self._change(
            index,
            clock,
            "interval",
            actor,
            {
                "from": start.isoformat(),
                "to": end.isoformat(),
                "reason": reason,
                "by": trigger,
                **({"asked_from": asked.isoformat()} if asked != start else {}),
            },
        )

    def start(self, code: str, start_on: date, actor: str | None, trigger: str) -> int:
        """Start clock `code` counting from `start_on` under the rule in force then; a clock
        of that code still running is superseded. Returns the new clock's place."""
        previous = self._active(code)
        if previous is not None:  # a new decision supersedes the one whose clock still runs
            clock = self._slots[previous].clock.stopped(start_on)
            self._change(
                previous, clock, "superseded", actor, {"on": start_on.isoformat(), "by": trigger}
            )
        rule = self.rules.in_force(code, start_on, self.subject.facts)
        self._slots.append(CaseClock(Clock(rule=rule, start_on=start_on), None))
        index = len(self._slots) - 1
        due = self._set(index, self._slots[index].clock)
        self.events.append(
            ClockStarted(
                actor=actor,
                clock=code,
                rule_version=rule.version,
                calendar_version=self.calendar.version,
                start_on=start_on,
                due=due,
                basis=rule.basis,
                by=trigger,
            )
        )
        return index
