"""The SQL of the periodic reports' counts (services/statistics.py): the cases received in a
period, as the rows the counts are made of."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from casework.adapters.case_store import CASES


def received_cases(
    connection: Connection,
    start: date,
    end: date,
    agency: str | None,
    agencies: frozenset[str] | None,
) -> Iterator[Any]:
    """The kind, state and attributes of each case received from `start` to `end` (both
    included), of `agency` if given, within `agencies` (None: every agency), streamed as
    the database returns them."""
    query = select(CASES.c.kind, CASES.c.state, CASES.c.attributes).where(
        CASES.c.received_on >= start, CASES.c.received_on <= end
    )
    if agency:
        query = query.where(CASES.c.agency == agency)
    if agencies is not None:
        query = query.where(CASES.c.agency.in_(sorted(agencies)))
    return iter(connection.execute(query))
