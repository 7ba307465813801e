"""Failed sign-ins slow a guesser down, counted in the database so that every web process sees
the same attempts: five failures in a row lock a login for fifteen minutes, and twenty from one
client address within that time stop the address (trying one password over every officer's
code). A new password set by an administrator lifts the login's lock (services/users.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from casework.adapters.database import stored_instant
from casework.adapters.login_failures import (
    failures_from_client,
    failures_of_login,
    forget_failures_of,
    forget_failures_until,
    record_failure,
)
from casework.config import LEGAL_TIMEZONE
from casework.domain.errors import NotAllowed, said
from casework.services.app import Casework

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
        failures, latest = failures_of_login(connection, _key(username), since)
        address = failures_from_client(connection, client, since)
    if failures >= MAX_FAILURES:
        # the hour the officer lives by, whatever the clock's zone
        until = (stored_instant(latest) + LOCK).astimezone(LEGAL_TIMEZONE).strftime("%H:%M")
        raise said(
            NotAllowed(
                f"too many failed sign-ins for {username.strip()}: try again after {until}, or "
                "ask an administrator to set a new password"
            ),
            f"Đăng nhập sai quá {MAX_FAILURES} lần: tài khoản tạm khóa, thử lại sau {until}, "
            "hoặc đề nghị quản trị hệ thống đặt lại mật khẩu",
        )
    if client and address >= MAX_FAILURES_PER_CLIENT:
        raise said(
            NotAllowed("too many failed sign-ins from this address: try again later"),
            "Máy này đăng nhập sai quá nhiều lần: thử lại sau ít phút",
        )


def failed(app: Casework, username: str, client: str, now: datetime) -> int:
    """Record a failed sign-in, and forget those older than LOCK; returns how many more
    failures the login may have before it is locked (a warning before the lock-out)."""
    with app.transaction() as connection:
        record_failure(connection, _key(username), client, now.astimezone(UTC))
        forget_failures_until(connection, (now - LOCK).astimezone(UTC))
        failures, _ = failures_of_login(connection, _key(username), (now - LOCK).astimezone(UTC))
    return max(0, MAX_FAILURES - failures)


def cleared(app: Casework, username: str) -> None:
    """Forget the login's failures: it signed in, or was given a new password."""
    with app.transaction() as connection:
        forget_failures_of(connection, _key(username))
