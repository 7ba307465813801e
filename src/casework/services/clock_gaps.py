"""Open cases that no legal clock watches: one such case can never be overdue nor escalated,
so nobody's head would ever hear of it. The rule, in one place for the case page and the
dashboard: a case not in a final state of its lifecycle, not recorded as intelligence (whose
officer said the denunciation named nobody, LTC Art. 25), none of whose clocks runs, is paused,
or ran after the day the case was received (a limitation stopped at receipt does not count)."""

from __future__ import annotations

from casework.adapters import clock_gap_queries
from casework.adapters.unit_of_work import Transaction
from casework.services.app import Casework


def open_states(app: Casework) -> list[tuple[str, list[str], list[str]]]:
    """Each kind with the states of its lifecycle that are not final, in which a case is open,
    and those that are. Open cases are found by naming their states, not as "not final", so
    that a count of them reads their index entries only, never the closed cases that years of
    work pile up beside them."""
    found = []
    for kind, lifecycle in sorted(app.definitions.lifecycles.items()):
        states = lifecycle.states.items()
        found.append(
            (
                kind,
                sorted(name for name, state in states if not state.is_final),
                sorted(name for name, state in states if state.is_final),
            )
        )
    return found


def is_unclocked(app: Casework, connection: Transaction, case_id: int) -> bool:
    """Whether case `case_id` is an open case that no clock watches."""
    return clock_gap_queries.is_unclocked(connection, open_states(app), case_id)
