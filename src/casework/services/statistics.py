"""Counts for the periodic reports (the reporting regime): cases received in a period by kind, where a
repeat of an earlier case (same sender, same matter) is counted once, and where they stand."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from casework.adapters.statistics_queries import received_cases
from casework.domain.errors import InvalidInput
from casework.services.app import Casework


@dataclass(frozen=True)
class Period:
    """Cases received from `start` to `end`, both included, optionally of one agency, and
    within `agencies` (the reader's scope; None for all)."""

    start: date
    end: date
    agency: str | None = None
    agencies: frozenset[str] | None = None


def case_counts(app: Casework, period: Period) -> dict[str, Any]:
    """Per kind: letters or cases received, repeats among them, cases counted (received minus
    repeats), and the counted cases by state. Letters are counted apart: each becomes one or
    more cases of the other kinds, or is filed."""
    if period.end < period.start:
        raise InvalidInput(
            f"--to {period.end.isoformat()} is before --from {period.start.isoformat()}"
        )
    received: Counter[str] = Counter()
    repeats: Counter[str] = Counter()
    by_state: dict[str, Counter[str]] = defaultdict(Counter)
    with app.reading() as session:
        connection = session.connection()
        if period.agency:
            app.organisation(connection).agency(period.agency)  # unknown → error
        for row in received_cases(
            connection, period.start, period.end, period.agency, period.agencies
        ):
            received[row.kind] += 1
            if (row.attributes or {}).get("repeat_of"):
                repeats[row.kind] += 1
                continue
            by_state[row.kind][row.state] += 1
    kinds = [k for k in app.definitions.lifecycles if k in received]
    return {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "agency": period.agency,
        "kinds": [
            {
                "kind": kind,
                "received": received[kind],
                "repeats": repeats[kind],
                "counted": received[kind] - repeats[kind],
                "by_state": dict(sorted(by_state[kind].items())),
            }
            for kind in kinds
        ],
    }
