"""Units of work: one database transaction, writing or reading, as the services hold it.

Services never build SQL (an import-linter contract forbids SQLAlchemy in them): they open a
unit of work through `Casework.transaction()` or `Casework.reading()`, hold its handle, and
pass it to the stores of `casework.adapters`, which alone run statements on it. The names
below are those handles' types, so that a service can name what it holds without importing
the database library; `Transaction` is what every store takes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from casework.adapters.database import READ_ONLY
from casework.domain.errors import ConcurrentUpdate, said

Transaction = Connection
"""One open transaction (writing or reading): what every store of casework.adapters takes."""

ReadSession = Session
"""A reading unit of work; `.connection()` is its `Transaction`."""

Database = Engine
"""The database casework runs on (its connection pool)."""


@contextmanager
def writing(database: Database) -> Iterator[Transaction]:
    """One writing transaction: commits if the block succeeds, rolls back otherwise."""
    try:
        with database.begin() as connection:
            yield connection
    except StaleDataError as exc:
        raise said(
            ConcurrentUpdate(
                "the case was changed by someone else while you worked on it; nothing was "
                "written — show the case again and repeat the action if it still applies"
            ),
            "Hồ sơ vừa được người khác cập nhật trong lúc đồng chí thao tác; chưa có gì được ghi "
            "lại: mở lại hồ sơ và thực hiện lại nếu vẫn cần",
        ) from exc


@contextmanager
def reading(database: Database) -> Iterator[ReadSession]:
    """One reading transaction, which takes no write lock (SQLite: a deferred BEGIN)."""
    with (
        database.connect().execution_options(**{READ_ONLY: True}) as connection,
        Session(bind=connection) as session,
    ):
        yield session
