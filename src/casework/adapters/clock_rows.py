"""Translate between stored clocks and domain clocks, and keep a stored clock's derived columns
(status, due date, next escalation step) in step with its facts."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from casework.adapters.case_store import StoredClock
from casework.domain.calendar import WorkingCalendar
from casework.domain.clocks import Clock, DueDate, Extension, Pause, compute_due
from casework.domain.escalation import EscalationPolicy
from casework.domain.rules import RuleBook


class ClockFacts(Protocol):
    """What a stored clock (row or plain record) holds about its rule and events."""

    code: str
    rule_version: str
    start_on: date
    stopped_on: date | None

    @property
    def extensions(self) -> list[dict[str, Any]] | None: ...

    @property
    def pauses(self) -> list[dict[str, Any]] | None: ...


def _extension_to_json(ext: Extension) -> dict[str, Any]:
    return {"decided_on": ext.decided_on.isoformat(), "days": ext.days, "reason": ext.reason}


def _pause_to_json(pause: Pause) -> dict[str, Any]:
    return {
        "paused_on": pause.paused_on.isoformat(),
        "reason": pause.reason,
        "resumed_on": pause.resumed_on.isoformat() if pause.resumed_on else None,
    }


def to_domain(stored: ClockFacts, rules: RuleBook) -> Clock:
    return Clock(
        rule=rules.version(stored.code, stored.rule_version),
        start_on=stored.start_on,
        extensions=tuple(
            Extension(date.fromisoformat(e["decided_on"]), int(e["days"]), e["reason"])
            for e in stored.extensions or []
        ),
        pauses=tuple(
            Pause(
                paused_on=date.fromisoformat(p["paused_on"]),
                reason=p["reason"],
                resumed_on=date.fromisoformat(p["resumed_on"]) if p.get("resumed_on") else None,
            )
            for p in stored.pauses or []
        ),
        stopped_on=stored.stopped_on,
    )


def write_back(
    stored: StoredClock,
    clock: Clock,
    calendar: WorkingCalendar,
    escalation: EscalationPolicy,
) -> DueDate:
    """Store `clock`'s facts on `stored` and recompute its due date and next ladder step."""
    computed = compute_due(clock, calendar)
    store_facts(stored, clock, computed.due, calendar, escalation)
    return computed


def store_facts(
    stored: StoredClock,
    clock: Clock,
    due: date | None,
    calendar: WorkingCalendar,
    escalation: EscalationPolicy,
) -> None:
    """Store `clock`'s facts and its due date (computed on `calendar`) on `stored`, and its
    next ladder step.

    A new due date is a new deadline: its ladder starts again from the first step (steps
    already fired for the old due date stay recorded and are not repeated for it). A pause
    that ends with the same due date as before keeps the steps already fired.
    """
    stored.extensions = [_extension_to_json(e) for e in clock.extensions]
    stored.pauses = [_pause_to_json(p) for p in clock.pauses]
    stored.stopped_on = clock.stopped_on
    stored.status = clock.stored_status.value
    if due is not None and due != stored.ladder_due:
        stored.next_step = 0  # a pause alone (no due date) keeps the ladder where it was
        stored.ladder_due = due
    stored.due = due
    stored.calendar_version = calendar.version
    ladder = escalation.ladder(stored.ladder)
    stored.next_step_on = (
        ladder.next_step_on(calendar, due, stored.next_step)
        if due is not None and clock.stopped_on is None
        else None
    )


def new_clock(
    case_id: int,
    clock: Clock,
    due: date | None,
    calendar: WorkingCalendar,
    escalation: EscalationPolicy,
) -> StoredClock:
    """The row of a clock a step started, its due date computed on `calendar`."""
    stored = StoredClock(
        case_id=case_id,
        code=clock.code,
        rule_version=clock.rule.version,
        calendar_version=calendar.version,
        start_on=clock.start_on,
        status=clock.stored_status.value,
        ladder=clock.rule.escalation,
    )
    store_facts(stored, clock, due, calendar, escalation)
    return stored
