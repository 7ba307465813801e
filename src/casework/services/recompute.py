"""Recompute stored due dates after the calendar changed (a new agency file, a new `holidays`
release with the year's official swaps), or after a deadline rule was corrected."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from casework.adapters import clock_rows
from casework.adapters.audit_log import AuditEvent
from casework.adapters.case_store import CaseStore
from casework.services.app import Casework
from casework.services.sealing import append_audit


@dataclass(frozen=True)
class Recomputed:
    case_ref: str
    clock: str
    old_due: str | None
    new_due: str | None


def recompute_deadlines(app: Casework, now: datetime, every: bool = False) -> list[Recomputed]:
    """Bring every open clock computed on another calendar version onto the current one — or,
    with `every`, every open clock, onto the rules as they now read (after a correction of a
    rule's text in `state_machines/rules/`, which keeps its version).

    Each changed due date is audited; clocks whose date does not move only get the new
    calendar version. The escalation ladder re-arms for a changed due date.
    """
    calendar = app.calendar
    changed: list[Recomputed] = []
    with app.transaction() as connection:
        store = CaseStore(connection)
        events = []
        for stored, ref in store.open_clocks(None if every else calendar.version):
            old_due = stored.due
            clock_rows.write_back(
                stored,
                clock_rows.to_domain(stored, app.rules),
                calendar,
                app.definitions.escalation,
            )
            store.save_clock(stored)
            if stored.due != old_due:
                item = Recomputed(
                    ref,
                    stored.code,
                    old_due.isoformat() if old_due else None,
                    stored.due.isoformat() if stored.due else None,
                )
                changed.append(item)
                events.append(
                    AuditEvent(
                        "clock.recomputed",
                        "casework:recompute",
                        ref,
                        {
                            "clock": stored.code,
                            "old_due": item.old_due,
                            "due": item.new_due,
                            "calendar_version": calendar.version,
                            "why": "rules" if every else "calendar",
                        },
                    )
                )
        append_audit(app, connection, events, now)
    return changed
