"""The SQL of services/clock_gaps.py: open cases, and open cases no legal clock watches
(the rule is stated there). `finals` is each kind with the final states of its lifecycle."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Connection, and_, exists, or_, select, true

from casework.adapters.case_store import CASES, CLOCKS

FinalStates = Iterable[tuple[str, list[str]]]
"""Each kind with the final states of its lifecycle."""

INTELLIGENCE = "intelligence"


def open_clause(finals: FinalStates) -> ColumnElement[bool]:
    """Not in a final state of its kind's lifecycle."""
    closed = [and_(CASES.c.kind == kind, CASES.c.state.in_(states)) for kind, states in finals]
    return ~or_(*closed) if closed else true()


def unclocked_clause(finals: FinalStates) -> ColumnElement[bool]:
    """An open case, not intelligence, none of whose clocks runs, is paused, or ran after the
    day the case was received."""
    clock = CLOCKS.alias("watching")
    watched = exists().where(
        clock.c.case_id == CASES.c.id,
        or_(clock.c.status != "stopped", clock.c.stopped_on > CASES.c.received_on),
    )
    return and_(open_clause(finals), CASES.c.state != INTELLIGENCE, ~watched)


def is_unclocked(connection: Connection, finals: FinalStates, case_id: int) -> bool:
    """Whether case `case_id` is an open case that no clock watches."""
    found = connection.execute(
        select(CASES.c.id).where(CASES.c.id == case_id, unclocked_clause(finals))
    ).first()
    return found is not None
