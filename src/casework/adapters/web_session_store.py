"""The browser sessions as stored server-side, by the digest of their identifier
(services/web_sessions.py holds the rules: idle and age limits, why a session ends). A session
is open while its `ended_at` is empty; closing one records when and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, and_, delete, or_, select, update

from casework.adapters.tables import WebSessionRow

SESSIONS = WebSessionRow.__table__  # type: ignore[attr-defined]


def insert_session(
    connection: Connection, session_digest: str, username: str, client: str, at: datetime
) -> None:
    """Store a session of `username` opened at `at` from `client`."""
    connection.execute(
        SESSIONS.insert().values(
            session_digest=session_digest,
            username=username,
            client=client,
            started_at=at,
            last_seen_at=at,
            end_reason="",
        )
    )


def forget_sessions_before(connection: Connection, before: datetime) -> None:
    """Forget the sessions that ended before `before`, and those (ended or abandoned, never
    signed out) last used before it."""
    connection.execute(
        delete(SESSIONS).where(
            or_(
                and_(SESSIONS.c.ended_at.is_not(None), SESSIONS.c.ended_at < before),
                SESSIONS.c.last_seen_at < before,
            )
        )
    )


def session_by_digest(connection: Connection, session_digest: str) -> Row[Any] | None:
    """The stored session whose identifier has the digest `session_digest`, or None."""
    return connection.execute(
        select(SESSIONS).where(SESSIONS.c.session_digest == session_digest)
    ).first()


def sessions(connection: Connection, username: str | None) -> list[Row[Any]]:
    """The stored sessions of `username` (everyone's if None), newest first."""
    query = select(SESSIONS).order_by(SESSIONS.c.id.desc())
    if username:
        query = query.where(SESSIONS.c.username == username)
    return list(connection.execute(query).all())


def touch_session(connection: Connection, session_id: int, at: datetime) -> None:
    """Record that the session `session_id`, if still open, was last used at `at`."""
    connection.execute(
        update(SESSIONS)
        .where(SESSIONS.c.id == session_id, SESSIONS.c.ended_at.is_(None))
        .values(last_seen_at=at)
    )


def close_session(connection: Connection, session_id: int, reason: str, at: datetime) -> int:
    """Close the session `session_id` if open, at `at` for `reason`; returns 1 if it was."""
    return _close(connection, SESSIONS.c.id == session_id, reason, at)


def close_session_by_digest(
    connection: Connection, session_digest: str, reason: str, at: datetime
) -> int:
    """Close the session whose identifier has the digest `session_digest`, if open, at `at`
    for `reason`; returns 1 if it was."""
    return _close(connection, SESSIONS.c.session_digest == session_digest, reason, at)


def close_sessions_of(connection: Connection, username: str, reason: str, at: datetime) -> int:
    """Close every open session of `username` at `at` for `reason`; returns how many."""
    return _close(connection, SESSIONS.c.username == username, reason, at)


def _close(connection: Connection, which: ColumnElement[bool], reason: str, at: datetime) -> int:
    return int(
        connection.execute(
            update(SESSIONS)
            .where(which, SESSIONS.c.ended_at.is_(None))
            .values(ended_at=at, end_reason=reason)
        ).rowcount
    )
