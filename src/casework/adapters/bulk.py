"""Bulk statements that the ORM does not phrase portably."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import Connection, Date, DateTime, Dialect, Table, insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.types import TypeEngine


def insert_ignoring_duplicates(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    """INSERT many rows, skipping those that would break a unique constraint."""
    if not rows:
        return
    dialect = connection.dialect.name
    if dialect == "sqlite":
        insert_many_sqlite(connection, table, rows, ignore_duplicates=True)
    elif dialect == "postgresql":
        insert_many_postgres(connection, table, rows, " ON CONFLICT DO NOTHING")
    else:
        connection.execute(insert(table), list(rows))


_Processor = Callable[[Any], Any] | None


def insert_many_sqlite(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    ignore_duplicates: bool = False,
) -> None:
    """INSERT `rows` (all with the same keys) with one executemany of a statement made once,
    each value converted by its column type's own bind processor (so stored exactly as
    SQLAlchemy would store it). SQLAlchemy's compiled executemany built a parameter dictionary
    per row and processed it: a quarter of the Python time of a 10^6-case sweep, which writes
    ten thousand rows to each of four tables. Columns missing from the rows take their scalar
    defaults; a table whose missing columns need a computed default goes through SQLAlchemy."""
    if not rows:
        return
    names = tuple(rows[0])
    plan = _sqlite_insert_plan(connection.dialect, table, names, ignore_duplicates)
    if plan is None:
        statement = sqlite_insert(table)
        if ignore_duplicates:
            statement = statement.on_conflict_do_nothing()
        connection.execute(statement, list(rows))
        return
    sql, processors, defaults = plan
    connection.exec_driver_sql(sql, _converted(rows, names, processors, defaults))


def _sqlite_processor(type_: TypeEngine[Any], dialect: Dialect) -> _Processor | _Remembered:
    process = type_.dialect_impl(dialect).bind_processor(dialect)
    if process is not None and isinstance(type_, Date | DateTime):
        return _Remembered(process)
    return process


class _Remembered:
    """A date or instant converter that remembers its results (within one statement, see
    _converted): a sweep's rows share one instant and a few dates, and SQLite's formatting of
    them was half the cost of converting its rows. Equal instants in different UTC offsets
    are formatted apart, so the offset is part of the key."""

    def __init__(self, process: Callable[[Any], Any]) -> None:
        self.process = process

    def bound(self) -> Callable[[Any], Any]:
        process = self.process
        seen: dict[Any, Any] = {}

        def convert(value: Any) -> Any:
            key = (value, value.utcoffset()) if isinstance(value, datetime) else value
            if key not in seen:
                seen[key] = process(value)
            return seen[key]

        return convert


def _converted(
    rows: Sequence[dict[str, Any]],
    names: tuple[str, ...],
    processors: tuple[_Processor | _Remembered, ...],
    defaults: tuple[Any, ...],
) -> list[tuple[Any, ...]]:
    pairs = tuple(
        (name, process.bound() if isinstance(process, _Remembered) else process)
        for name, process in zip(names, processors, strict=True)
    )
    return [
        (
            *(row[name] if process is None else process(row[name]) for name, process in pairs),
            *defaults,
        )
        for row in rows
    ]


@lru_cache(maxsize=64)
def _sqlite_insert_plan(
    dialect: Dialect, table: Table, names: tuple[str, ...], ignore_duplicates: bool
) -> tuple[str, tuple[_Processor | _Remembered, ...], tuple[Any, ...]] | None:
    """The statement, the value converters and the trailing default values of an insert of
    `names` into `table`; None if a missing column has a default worked out per row."""
    defaults: dict[str, Any] = {}
    for column in table.columns:
        if column.name in names or column.default is None:
            continue
        if not column.default.is_scalar:
            return None
        defaults[column.name] = column.default.arg  # type: ignore[attr-defined]
    columns = [*names, *defaults]

    def processor(name: str) -> _Processor | _Remembered:
        return _sqlite_processor(table.c[name].type, dialect)

    stored_defaults = _converted([defaults], tuple(defaults), tuple(map(processor, defaults)), ())

    quoted = ", ".join(f'"{name}"' for name in columns)
    markers = ", ".join("?" for _ in columns)
    conflict = " ON CONFLICT DO NOTHING" if ignore_duplicates else ""
    sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({markers}){conflict}'
    return sql, tuple(processor(name) for name in names), stored_defaults[0]


@lru_cache(maxsize=1)
def _postgres_dialect() -> Dialect:
    """PostgreSQL's dialect, to spell column types: loaded when first needed, not by every
    command that touches the database (SQLite needs none of it)."""
    from sqlalchemy.dialects import postgresql

    return postgresql.dialect()  # type: ignore[no-untyped-call]


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
        + [f"%s::{table.c[name].type.compile(dialect=_postgres_dialect())}" for name in defaults]
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
    thousand of them, and dumping was the largest part of the sweep's Python time. Keys that
    are not strings are written as strings, as `database.json_text` writes a JSON column on
    the row-by-row path: a value reads back the same whichever path wrote it."""
    try:
        return orjson.dumps(list(rows), option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError as exc:
        raise TypeError(f"a row casework writes in bulk holds a value JSON cannot: {exc}") from exc


def update_clock_steps(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    """Move many clocks to their next ladder step: each row gives `b_id`, `b_old_step`,
    `b_next_step` and `b_next_step_on`; a clock is moved only if it is still at the step it
    was read at. PostgreSQL: one statement (see insert_many_postgres); SQLite: one
    executemany (see insert_many_sqlite)."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        sql = (
            f'UPDATE "{table.name}" AS t SET next_step = v.b_next_step, '
            "next_step_on = v.b_next_step_on "
            "FROM json_to_recordset(%s::json) "
            "AS v(b_id integer, b_old_step integer, b_next_step integer, b_next_step_on date) "
            "WHERE t.id = v.b_id AND t.next_step = v.b_old_step"
        )
        connection.exec_driver_sql(sql, (rows_as_json(rows),))
        return
    names = ("b_next_step", "b_next_step_on", "b_id", "b_old_step")
    columns = ("next_step", "next_step_on", "id", "next_step")
    processors = tuple(_sqlite_processor(table.c[c].type, connection.dialect) for c in columns)
    sql = (
        f'UPDATE "{table.name}" SET next_step = ?, next_step_on = ? WHERE id = ? AND next_step = ?'
    )
    connection.exec_driver_sql(sql, _converted(rows, names, processors, ()))
