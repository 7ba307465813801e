"""What starts when a clock runs out with its duty undone (a lifecycle's `on_expiry`): a first
instance not decided in time opens the complainant's window for a second complaint or a
lawsuit, counted from the day the first-instance period ran out (LKN Art. 33(1)). The deadline
sweep applies it, once per clock: a case that already has the clock it would start is left
alone (a decision sent later starts its own window, superseding this one)."""

from __future__ import annotations

from datetime import date, datetime

from casework.adapters.definitions import EXPIRY_EVENT
from casework.adapters.unit_of_work import Transaction
from casework.services.app import Casework
from casework.services.case_events import audit_events
from casework.services.sealing import append_audit

ACTOR = "casework:sweep"


def start_on_expiry(app: Casework, connection: Transaction, today: date, now: datetime) -> int:
    """Apply every `on_expiry` effect whose clock ran out before `today` (its due day has
    passed) and is still running; returns how many cases it started clocks on."""
    steps = app.case_steps(connection)
    started = 0
    for kind, lifecycle in app.definitions.lifecycles.items():
        for expired, effects in lifecycle.on_expiry.items():
            run_out = steps.store.run_out_clocks(
                kind, expired, today, [start.code for start in effects.start]
            )
            for case_id, due in run_out:
                case = steps.load_by_id(case_id)
                done = case.apply_clock_effects(
                    effects, due, ACTOR, EXPIRY_EVENT + expired, app.law
                )
                if done.events:
                    steps.save_clocks(case.id, done.clock_changes)
                    append_audit(app, connection, audit_events(done.events, case.ref), now)
                    started += 1
    return started
