"""Bulk statements that the ORM does not phrase portably."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import Connection, Insert, Table, insert
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.sqlite import insert as sqlite_insert


def insert_ignoring_duplicates(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    """INSERT many rows, skipping those that would break a unique constraint."""
    if not rows:
        return
    dialect = connection.dialect.name
    if dialect == "sqlite":
        connection.execute(_sqlite_insert_ignoring(table), list(rows))
    elif dialect == "postgresql":
        insert_many_postgres(connection, table, rows, " ON CONFLICT DO NOTHING")
    else:
        connection.execute(insert(table), list(rows))


@lru_cache(maxsize=16)
def _sqlite_insert_ignoring(table: Table) -> Insert:
    return sqlite_insert(table).on_conflict_do_nothing()


_PG = postgresql.dialect()  # type: ignore[no-untyped-call]


def insert_many_postgres(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]], suffix: str = ""
) -> None:
    """INSERT `rows` (all with the same keys) as one statement whose rows arrive as one JSON
    document, spread by `json_populate_recordset` into the table's own column types.
    psycopg's executemany sends a statement per row, and a sweep of a million open cases
    writes ten thousand rows to each of three tables; one JSON text is also cheaper to build
    and send than an array per column (measured: a third of the sweep's Python time went to
    converting and dumping the arrays). Columns missing from the rows take their scalar
    defaults."""
    sql, parameters = insert_many_postgres_statement(table, rows, suffix)
    connection.exec_driver_sql(sql, tuple(parameters))


def insert_many_postgres_statement(
    table: Table, rows: Sequence[dict[str, Any]], suffix: str = ""
) -> tuple[str, list[Any]]:
    """The SQL and the parameters of `insert_many_postgres`, for a caller that wraps the
    insert in a larger statement (as a data-modifying CTE)."""
    names = list(rows[0])
    defaults = {
        c.name: c.default.arg  # type: ignore[attr-defined]
        for c in table.columns
        if c.name not in names and c.default is not None and c.default.is_scalar
    }
    quoted = ", ".join(f'"{name}"' for name in [*names, *defaults])
    selected = ", ".join(
        [f'v."{name}"' for name in names]
        + [f"%s::{table.c[name].type.compile(dialect=_PG)}" for name in defaults]
    )
    sql = (
        f'INSERT INTO "{table.name}" ({quoted}) SELECT {selected} '
        f'FROM json_populate_recordset(NULL::"{table.name}", %s::json) AS v{suffix}'
    )
    return sql, [*defaults.values(), rows_as_json(rows)]


def rows_as_json(rows: Sequence[dict[str, Any]]) -> str:
    """The rows as one JSON array of objects; dates and instants in ISO 8601 (with their UTC
    offset, which PostgreSQL reads back as the same instant). orjson, because the standard
    encoder called back into Python for every date: ten thousand escalations carry seventy
    thousand of them, and dumping was the largest part of the sweep's Python time."""
    try:
        return orjson.dumps(list(rows)).decode()
    except TypeError as exc:
        raise TypeError(f"a row casework writes in bulk holds a value JSON cannot: {exc}") from exc


def update_clock_steps_postgres(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    """Move many clocks to their next ladder step in one statement (see insert_many_postgres);
    a clock is moved only if it is still at the step it was read at."""
    sql = (
        f'UPDATE "{table.name}" AS t SET next_step = v.b_next_step, '
        "next_step_on = v.b_next_step_on "
        "FROM json_to_recordset(%s::json) "
        "AS v(b_id integer, b_old_step integer, b_next_step integer, b_next_step_on date) "
        "WHERE t.id = v.b_id AND t.next_step = v.b_old_step"
    )
    connection.exec_driver_sql(sql, (rows_as_json(rows),))
