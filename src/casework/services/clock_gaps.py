"""Open cases that no legal clock watches: one such case can never be overdue nor escalated,
so nobody's head would ever hear of it. The rule, in one place for the case page and the
dashboard: a case not in a final state of its lifecycle, not recorded as intelligence (whose
officer said the denunciation named nobody, LTC Art. 25), none of whose clocks runs, is paused,
or ran after the day the case was received (a limitation stopped at receipt does not count)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Connection, and_, exists, or_, select, true

from casework.adapters.case_store import CASES, CLOCKS
from casework.services.app import Casework

INTELLIGENCE = "intelligence"


def open_clause(app: Casework) -> ColumnElement[bool]:
    """Not in a final state of its kind's lifecycle."""
    closed = [
        and_(CASES.c.kind == kind, CASES.c.state.in_(finals)) for kind, finals in final_states(app)
    ]
    return ~or_(*closed) if closed else true()


def final_states(app: Casework) -> Iterable[tuple[str, list[str]]]:
    """Each kind with the final states of its lifecycle."""
    for kind, lifecycle in sorted(app.definitions.lifecycles.items()):
        finals = sorted(name for name, state in lifecycle.states.items() if state.is_final)
        if finals:
            yield kind, finals


def unclocked_clause(app: Casework) -> ColumnElement[bool]:
    """An open case that no clock watches (see the module's docstring)."""
    clock = CLOCKS.alias("watching")
    watched = exists().where(
        clock.c.case_id == CASES.c.id,
        or_(clock.c.status != "stopped", clock.c.stopped_on > CASES.c.received_on),
    )
    return and_(open_clause(app), CASES.c.state != INTELLIGENCE, ~watched)


def is_unclocked(app: Casework, connection: Connection, case_id: int) -> bool:
    """Whether case `case_id` is an open case that no clock watches."""
    found = connection.execute(
        select(CASES.c.id).where(CASES.c.id == case_id, unclocked_clause(app))
    ).first()
    return found is not None
