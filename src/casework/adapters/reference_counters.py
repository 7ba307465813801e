"""Gapless numbering: one counter row per series, advanced inside the caller's transaction.

Registers and official documents are numbered without gaps (a missing number on a register is
a question an inspector asks). A sequence cannot give that — a rolled-back insert burns its
number — so the number is an upsert on a counter row in the same transaction as the record:
if the record is not written, neither is the number. On PostgreSQL the upsert locks the row
until commit, so two receptions numbering in the same series take turns for that moment; on
SQLite the database's single writer does the same.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import Connection, Insert, Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite

from casework.adapters.tables import ReferenceCounterRow

COUNTERS: Table = ReferenceCounterRow.__table__  # type: ignore[attr-defined]


def take_number(connection: Connection, series: str) -> int:
    """The next number of `series` (1 for a new series), counted as taken when the caller's
    transaction commits."""
    statement = _upsert(connection.dialect.name == "postgresql")
    return int(connection.execute(statement, {"series": series}).scalar_one())


@cache
def _upsert(on_postgresql: bool) -> Insert:
    """INSERT … ON CONFLICT (series) DO UPDATE SET last_number = last_number + 1 RETURNING …,
    built once per dialect (both speak it)."""
    dialect = postgresql if on_postgresql else sqlite
    upsert: Insert = (
        dialect.insert(COUNTERS)
        .values(series=bindparam("series"), last_number=1)
        .on_conflict_do_update(
            index_elements=[COUNTERS.c.series],
            set_={"last_number": COUNTERS.c.last_number + 1},
        )
        .returning(COUNTERS.c.last_number)
    )
    return upsert


def last_numbers(connection: Connection) -> dict[str, int]:
    """Series → the last number given."""
    return {row.series: row.last_number for row in connection.execute(COUNTERS.select())}
