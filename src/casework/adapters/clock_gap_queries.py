"""The SQL of services/clock_gaps.py: open cases, and open cases no legal clock watches
(the rule is stated there). `opened` is each kind with the states of its lifecycle that are
not final."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Connection, and_, exists, false, or_, select

from casework.adapters.case_store import CASES, CLOCKS

OpenStates = Iterable[tuple[str, list[str], list[str]]]
"""Each kind with the states of its lifecycle that are not final, and those that are
(services/clock_gaps.py)."""

INTELLIGENCE = "intelligence"


def open_clause(opened: OpenStates) -> ColumnElement[bool]:
    """In a state of its kind's lifecycle that is not final.

    Spelled as two lists, the kinds and every state open in any of them, which the index on
    (agency, kind, state) answers entry by entry; less, where a lifecycle has a final state
    that another one's open states name, that kind in those states. (A per-kind OR reads as
    much but leaves SQLite to scan the agency's every entry, closed cases included.)"""
    lifecycles = list(opened)
    kinds = sorted(kind for kind, open_in, _ in lifecycles if open_in)
    states = sorted({state for _, open_in, _ in lifecycles for state in open_in})
    if not kinds:
        return false()
    clause = and_(CASES.c.kind.in_(kinds), CASES.c.state.in_(states))
    closed_there = [
        and_(CASES.c.kind == kind, CASES.c.state.in_(sorted(set(finals) & set(states))))
        for kind, _, finals in lifecycles
        if set(finals) & set(states)
    ]
    return and_(clause, ~or_(*closed_there)) if closed_there else clause


def closed_clause(lifecycles: OpenStates) -> ColumnElement[bool]:
    """In a final state of its kind's lifecycle: the other side of `open_clause`."""
    closed = [
        and_(CASES.c.kind == kind, CASES.c.state.in_(finals))
        for kind, _, finals in lifecycles
        if finals
    ]
    return or_(*closed) if closed else false()


def unclocked_clause(opened: OpenStates) -> ColumnElement[bool]:
    """An open case, not intelligence, none of whose clocks runs, is paused, or ran after the
    day the case was received."""
    clock = CLOCKS.alias("watching")
    watched = exists().where(
        clock.c.case_id == CASES.c.id,
        or_(clock.c.status != "stopped", clock.c.stopped_on > CASES.c.received_on),
    )
    return and_(open_clause(opened), CASES.c.state != INTELLIGENCE, ~watched)


def is_unclocked(connection: Connection, opened: OpenStates, case_id: int) -> bool:
    """Whether case `case_id` is an open case that no clock watches."""
    found = connection.execute(
        select(CASES.c.id).where(CASES.c.id == case_id, unclocked_clause(opened))
    ).first()
    return found is not None
