"""The failed sign-ins as stored, so that every web process counts the same attempts
(services/sign_in_limits.py holds the limits). A login is stored by its key: the username as
the service normalises it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select

from casework.adapters.tables import LoginFailureRow

FAILURES = LoginFailureRow.__table__  # type: ignore[attr-defined]


def failures_of_login(connection: Connection, key: str, since: datetime) -> tuple[int, Any]:
    """How many sign-ins of login `key` failed after `since`, and when the latest did (as
    stored; None if none did)."""
    count, latest = connection.execute(
        select(func.count(), func.max(FAILURES.c.failed_at)).where(
            FAILURES.c.username == key, FAILURES.c.failed_at > since
        )
    ).one()
    return int(count), latest


def failures_from_client(connection: Connection, client: str, since: datetime) -> int:
    """How many sign-ins from the client address `client` failed after `since`."""
    return int(
        connection.execute(
            select(func.count()).where(FAILURES.c.client == client, FAILURES.c.failed_at > since)
        ).scalar_one()
    )


def record_failure(connection: Connection, key: str, client: str, at: datetime) -> None:
    """Store a failed sign-in of login `key` from `client` at `at`."""
    connection.execute(FAILURES.insert().values(username=key, client=client, failed_at=at))


def forget_failures_until(connection: Connection, until: datetime) -> None:
    """Forget the failures at or before `until`."""
    connection.execute(delete(FAILURES).where(FAILURES.c.failed_at <= until))


def forget_failures_of(connection: Connection, key: str) -> None:
    """Forget every failure of login `key`."""
    connection.execute(delete(FAILURES).where(FAILURES.c.username == key))
