"""Bulk statements that the ORM does not phrase portably."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, insert
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
        connection.execute(sqlite_insert(table).on_conflict_do_nothing(), list(rows))
    elif dialect == "postgresql":
        insert_many_postgres(connection, table, rows, " ON CONFLICT DO NOTHING")
    else:
        connection.execute(insert(table), list(rows))


_PG = postgresql.dialect()  # type: ignore[no-untyped-call]


def insert_many_postgres(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]], suffix: str = ""
) -> None:
    """INSERT `rows` (all with the same keys) as one statement: each column one array, spread
    by `unnest`, sent in binary on the transaction's own psycopg connection. psycopg's
    executemany sends a statement per row; a sweep of a million open cases writes ten thousand
    rows to each of three tables. Columns missing from the rows take their scalar defaults."""
    sql, arrays = insert_many_postgres_statement(table, rows, suffix)
    _execute_binary(connection, sql, arrays)


def insert_many_postgres_statement(
    table: Table, rows: Sequence[dict[str, Any]], suffix: str = ""
) -> tuple[str, list[list[str | None]]]:
    """The SQL and the column arrays of `insert_many_postgres`, for a caller that wraps the
    insert in a larger statement (as a data-modifying CTE)."""
    names = list(rows[0])
    defaults = {
        c.name: c.default.arg  # type: ignore[attr-defined]
        for c in table.columns
        if c.name not in names and c.default is not None and c.default.is_scalar
    }
    columns = [*names, *defaults]
    arrays = [[_as_text(row.get(name, defaults.get(name))) for row in rows] for name in columns]
    casts = ", ".join(
        f"v.c{i}::{table.c[name].type.compile(dialect=_PG)}" for i, name in enumerate(columns)
    )
    aliases = ", ".join(f"c{i}" for i in range(len(columns)))
    sources = ", ".join("%b::text[]" for _ in columns)
    quoted = ", ".join(f'"{name}"' for name in columns)
    sql = (
        f'INSERT INTO "{table.name}" ({quoted}) SELECT {casts} '
        f"FROM unnest({sources}) AS v({aliases}){suffix}"
    )
    return sql, arrays


def _as_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def update_clock_steps_postgres(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    """Move many clocks to their next ladder step in one statement (see insert_many_postgres);
    a clock is moved only if it is still at the step it was read at."""
    arrays: list[list[str | None]] = [
        [str(row["b_id"]) for row in rows],
        [str(row["b_old_step"]) for row in rows],
        [str(row["b_next_step"]) for row in rows],
        [_as_text(row["b_next_step_on"]) for row in rows],
    ]
    sql = (
        f'UPDATE "{table.name}" AS t SET next_step = v.new_step::integer, '
        "next_step_on = v.new_on::date "
        "FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[]) "
        "AS v(id, old_step, new_step, new_on) "
        "WHERE t.id = v.id::integer AND t.next_step = v.old_step::integer"
    )
    _execute_binary(connection, sql, arrays)


def _execute_binary(connection: Connection, sql: str, arrays: list[list[str | None]]) -> None:
    """Run psycopg SQL whose `%b` parameters go in binary (text arrays in text format are
    escaped element by element, which cost more than the statement). Through SQLAlchemy, so
    that a lost connection is reported and invalidated like any other statement's."""
    connection.exec_driver_sql(sql, tuple(arrays))
