"""Bulk statements that the ORM does not phrase portably."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session


def insert_ignoring_duplicates(
    session: Session, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    """INSERT many rows, skipping those that would break a unique constraint."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        session.execute(sqlite_insert(table).on_conflict_do_nothing(), list(rows))
    elif dialect == "postgresql":
        session.execute(pg_insert(table).on_conflict_do_nothing(), list(rows))
    else:
        session.execute(insert(table), list(rows))
