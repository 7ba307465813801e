"""Failed sign-ins slow a guesser down, counted in the database so that every web process sees
the same attempts: five failures in a row lock a login for fifteen minutes, and twenty from one
client address within that time stop the address (trying one password over every officer's
code). A new password set by an administrator lifts the login's lock (services/users.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select

from casework.adapters.database import stored_instant
from casework.adapters.tables import LoginFailureRow
from casework.domain.errors import NotAllowed
from casework.services.app import Casework

FAILURES = LoginFailureRow.__table__  # type: ignore[attr-defined]
MAX_FAILURES = 5
MAX_FAILURES_PER_CLIENT = 20
LOCK = timedelta(minutes=15)


def _key(username: str) -> str:
    return username.strip().lower()


def check(app: Casework, username: str, client: str, now: datetime) -> None:
    """Refuse while the login, or the client address, has failed too often within LOCK."""
    since = (now - LOCK).astimezone(UTC)
    with app.reading() as session:
        connection = session.connection()
        login = connection.execute(
            select(func.count(), func.max(FAILURES.c.failed_at)).where(
                FAILURES.c.username == _key(username), FAILURES.c.failed_at > since
            )
        ).one()
        address = connection.execute(
            select(func.count()).where(FAILURES.c.client == client, FAILURES.c.failed_at > since)
        ).scalar_one()
    if login[0] >= MAX_FAILURES:
        until = (stored_instant(login[1]) + LOCK).astimezone(now.tzinfo or UTC).strftime("%H:%M")
        raise NotAllowed(
            f"too many failed sign-ins for {username.strip()}: try again after {until}, or "
            "ask an administrator to set a new password"
        )
    if client and address >= MAX_FAILURES_PER_CLIENT:
        raise NotAllowed("too many failed sign-ins from this address: try again later")


def failed(app: Casework, username: str, client: str, now: datetime) -> None:
    """Record a failed sign-in, and forget those older than LOCK."""
    with app.transaction() as connection:
        connection.execute(
            FAILURES.insert().values(
                username=_key(username), client=client, failed_at=now.astimezone(UTC)
            )
        )
        connection.execute(
            delete(FAILURES).where(FAILURES.c.failed_at <= (now - LOCK).astimezone(UTC))
        )


def cleared(app: Casework, username: str) -> None:
    """Forget the login's failures: it signed in, or was given a new password."""
    with app.transaction() as connection:
        connection.execute(delete(FAILURES).where(FAILURES.c.username == _key(username)))
