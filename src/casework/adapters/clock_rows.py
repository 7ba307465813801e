"""Translate between stored clock rows and domain clocks, and keep a row's derived columns
(status, due date, next escalation step) in step with its facts."""

from __future__ import annotations

from datetime import date
from typing import Any

from casework.adapters.tables import ClockRow
from casework.domain.calendar import WorkingCalendar
from casework.domain.clocks import Clock, DueDate, Extension, Pause, compute_due
from casework.domain.escalation import EscalationPolicy
from casework.domain.rules import RuleBook


def _extension_to_json(ext: Extension) -> dict[str, Any]:
    return {"decided_on": ext.decided_on.isoformat(), "days": ext.days, "reason": ext.reason}


def _pause_to_json(pause: Pause) -> dict[str, Any]:
    return {
        "paused_on": pause.paused_on.isoformat(),
        "reason": pause.reason,
        "resumed_on": pause.resumed_on.isoformat() if pause.resumed_on else None,
    }


def to_domain(row: ClockRow, rules: RuleBook) -> Clock:
    return Clock(
        rule=rules.version(row.code, row.rule_version),
        start_on=row.start_on,
        extensions=tuple(
            Extension(date.fromisoformat(e["decided_on"]), int(e["days"]), e["reason"])
            for e in row.extensions
        ),
        pauses=tuple(
            Pause(
                paused_on=date.fromisoformat(p["paused_on"]),
                reason=p["reason"],
                resumed_on=date.fromisoformat(p["resumed_on"]) if p.get("resumed_on") else None,
            )
            for p in row.pauses
        ),
        stopped_on=row.stopped_on,
    )


def write_back(
    row: ClockRow,
    clock: Clock,
    calendar: WorkingCalendar,
    escalation: EscalationPolicy,
) -> DueDate:
    """Store `clock`'s facts on `row` and recompute its due date and next ladder step.

    A new due date is a new deadline: its ladder starts again from the first step (steps
    already fired for the old due date stay recorded and are not repeated for it).
    """
    computed = compute_due(clock, calendar)
    row.extensions = [_extension_to_json(e) for e in clock.extensions]
    row.pauses = [_pause_to_json(p) for p in clock.pauses]
    row.stopped_on = clock.stopped_on
    row.status = clock.stored_status.value
    if computed.due != row.due:
        row.next_step = 0
    row.due = computed.due
    row.calendar_version = calendar.version
    ladder = escalation.ladder(row.ladder)
    row.next_step_on = (
        ladder.next_step_on(calendar, computed.due, row.next_step)
        if computed.due is not None and clock.stopped_on is None
        else None
    )
    return computed


def new_row(
    case_id: int, clock: Clock, calendar: WorkingCalendar, escalation: EscalationPolicy
) -> ClockRow:
    row = ClockRow(
        case_id=case_id,
        code=clock.code,
        rule_version=clock.rule.version,
        calendar_version=calendar.version,
        start_on=clock.start_on,
        status=clock.stored_status.value,
        ladder=clock.rule.escalation,
    )
    write_back(row, clock, calendar, escalation)
    return row
