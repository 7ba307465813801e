"""What starts when a clock runs out with its duty undone (a lifecycle's `on_expiry`): a first
instance not decided in time opens the complainant's window for a second complaint or a
lawsuit, counted from the day the first-instance period ran out (LKN Art. 33(1)). The deadline
sweep applies it, once per clock: a case that already has the clock it would start is left
alone (a decision sent later starts its own window, superseding this one)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, exists, select

from casework.adapters import audit_log
from casework.adapters.case_store import CASES, CLOCKS
from casework.adapters.definitions import EXPIRY_EVENT
from casework.services.app import Casework
from casework.services.case_events import audit_events

ACTOR = "casework:sweep"


def start_on_expiry(app: Casework, connection: Connection, today: date, now: datetime) -> int:
    """Apply every `on_expiry` effect whose clock ran out before `today` (its due day has
    passed) and is still running; returns how many cases it started clocks on."""
    steps = app.case_steps(connection)
    started = 0
    for kind, lifecycle in app.definitions.lifecycles.items():
        for expired, effects in lifecycle.on_expiry.items():
            others = CLOCKS.alias("started")
            rows = connection.execute(
                select(CLOCKS.c.case_id, CLOCKS.c.due)
                .join(CASES, CASES.c.id == CLOCKS.c.case_id)
                .where(
                    CASES.c.kind == kind,
                    CLOCKS.c.code == expired,
                    CLOCKS.c.status == "running",
                    CLOCKS.c.due < today,
                    ~exists().where(
                        others.c.case_id == CLOCKS.c.case_id,
                        others.c.code.in_([start.code for start in effects.start]),
                    ),
                )
                .order_by(CLOCKS.c.case_id)
            ).all()
            for row in rows:
                case = steps.load_by_id(row.case_id)
                done = case.apply_clock_effects(
                    effects, row.due, ACTOR, EXPIRY_EVENT + expired, app.law
                )
                if done.events:
                    steps.save_clocks(case.id, done.clock_changes)
                    audit_log.append(connection, audit_events(done.events, case.ref), now)
                    started += 1
    return started
