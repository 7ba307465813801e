"""Browser sessions kept server-side. The signed cookie carries only a random session identifier;
its SHA-256 digest is a row of `web_session`. A session works while that row is open, the
login may still sign in, it has been used within `session_idle_minutes`, and it began less
than `session_max_hours` ago. Signing out, a new password, a role change and an
administrator's `casework user end-sessions` close the row, so every copy of the cookie —
one copied off a shared computer included — stops working at once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from casework.adapters import audit_log, web_session_store
from casework.adapters.audit_log import AuditEvent
from casework.adapters.database import stored_instant
from casework.adapters.unit_of_work import Transaction
from casework.adapters.user_store import login_exists
from casework.domain.errors import InvalidInput, NotSignedIn, said
from casework.services.app import Casework

COOKIE_KEY = "sid"
"""Under which key the session cookie carries the session identifier."""
TOUCH_EVERY = timedelta(minutes=1)
"""The last use is written at most this often (a tenth of the idle limit, if shorter): a page
of many requests costs one write. The stored last use may so lag the real one by that much,
and a session ends only after the idle limit *and* that lag: never early, at most a minute
late."""
KEEP_ENDED = timedelta(days=90)
"""Ended sessions stay listed this long (who was signed in from where), then are forgotten."""

SIGNED_OUT = "signed out"
IDLE = "idle"
TOO_OLD = "too old"
PASSWORD_CHANGED = "password changed"
ROLES_CHANGED = "roles changed"
ENDED_BY_ADMIN = "ended by an administrator"
ENDED_VI = {
    SIGNED_OUT: "đã đăng xuất",
    IDLE: "không thao tác quá thời gian cho phép",
    TOO_OLD: "đã quá thời gian tối đa của một phiên",
    PASSWORD_CHANGED: "mật khẩu đã được đổi",
    ROLES_CHANGED: "vai trò đã được thay đổi",
    ENDED_BY_ADMIN: "quản trị hệ thống đã kết thúc phiên",
}
"""Why a session ended, as a Vietnamese page says it."""


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _touch_every(idle: timedelta) -> timedelta:
    return min(TOUCH_EVERY, idle / 10)


def _idle_after(settings: Any) -> timedelta:
    """How long after its stored last use a session is idle (see TOUCH_EVERY)."""
    idle = timedelta(minutes=settings.session_idle_minutes)
    return idle + _touch_every(idle)


def _expiry(row: Any, settings: Any, at: datetime) -> tuple[datetime, str] | None:
    """When and why the open session `row` ended by itself by `at` (too old, or idle), or
    None while it lives: the one rule `resume` applies and `list_sessions` shows."""
    started, last_seen = stored_instant(row.started_at), stored_instant(row.last_seen_at)
    oldest = timedelta(hours=settings.session_max_hours)
    if at - started >= oldest:
        return started + oldest, TOO_OLD
    if at - last_seen >= _idle_after(settings):
        return last_seen + _idle_after(settings), IDLE
    return None


def begin(app: Casework, username: str, client: str, now: datetime) -> str:
    """Open a session for `username` (just signed in) and return its identifier, to be kept
    in the cookie and nowhere else. Sessions ended long ago are forgotten here."""
    session_id = secrets.token_urlsafe(32)
    at = now.astimezone(UTC)
    with app.transaction() as connection:
        web_session_store.insert_session(
            connection, _digest(session_id), username, client[:100], at
        )
        # ended long ago, or abandoned (never signed out) and unused as long
        web_session_store.forget_sessions_before(connection, at - KEEP_ENDED)
    return session_id


def resume(app: Casework, session_id: str, now: datetime) -> str:
    """The login whose open session `session_id` is at `now`, or NotSignedIn saying why not.
    A session found idle or too old is closed with that reason; a live one is touched."""
    settings = app.settings
    at = now.astimezone(UTC)
    with app.reading() as session:
        row = web_session_store.session_by_digest(session.connection(), _digest(session_id))
    if row is None or row.ended_at is not None:
        raise said(
            NotSignedIn("this session has ended; sign in again"),
            "Phiên làm việc đã kết thúc: đề nghị đăng nhập lại",
        )
    expired = _expiry(row, settings, at)
    if expired is not None:
        reason = expired[1]
        with app.transaction() as connection:
            web_session_store.close_session(connection, row.id, reason, at)
        raise said(
            NotSignedIn(f"the session ended ({reason}); sign in again"),
            f"Phiên làm việc đã kết thúc ({ENDED_VI.get(reason, 'hết hạn')}): đề nghị đăng "
            "nhập lại",
        )
    touch = _touch_every(timedelta(minutes=settings.session_idle_minutes))
    if at - stored_instant(row.last_seen_at) >= touch:
        with app.transaction() as connection:
            web_session_store.touch_session(connection, row.id, at)
    return str(row.username)


def end(app: Casework, session_id: str, now: datetime) -> None:
    """Sign out: close the session `session_id` (nothing to do if it is unknown or closed)."""
    with app.transaction() as connection:
        web_session_store.close_session_by_digest(
            connection, _digest(session_id), SIGNED_OUT, now.astimezone(UTC)
        )


def end_all(connection: Transaction, username: str, reason: str, now: datetime) -> int:
    """Close every open session of `username` inside the caller's transaction (a new
    password, new roles); returns how many were open."""
    return web_session_store.close_sessions_of(connection, username, reason, now.astimezone(UTC))


def end_sessions_of(app: Casework, username: str, now: datetime, by: str) -> int:
    """An administrator ends every open session of `username` (a lost laptop, a departure):
    the login must sign in again everywhere. Returns how many were open; audited."""
    with app.transaction() as connection:
        if not login_exists(connection, username):
            raise said(
                InvalidInput(f"no login {username!r}; `casework user list` shows the logins"),
                f"Không có tài khoản đăng nhập «{username}»: kiểm tra lại tên đăng nhập",
            )
        ended = web_session_store.close_sessions_of(
            connection, username, ENDED_BY_ADMIN, now.astimezone(UTC)
        )
        audit_log.append(
            connection,
            [AuditEvent("user.sessions_ended", by, None, {"username": username, "ended": ended})],
            now,
        )
        return ended


def list_sessions(
    app: Casework, username: str | None, now: datetime, include_ended: bool = False
) -> list[dict[str, Any]]:
    """Sessions (of `username`, or everyone's), newest first, with when they began, their last
    use, their client address and, if ended, when and why. A session past its idle or age limit
    but not yet found so is shown ended, as it is."""
    at = now.astimezone(UTC)
    found = []
    with app.reading() as session:
        for row in web_session_store.sessions(session.connection(), username):
            ended_at, reason = row.ended_at, row.end_reason
            if ended_at is None:
                ended_at, reason = _expiry(row, app.settings, at) or (None, "")
            if ended_at is not None and not include_ended:
                continue
            found.append(
                {
                    "id": row.id,
                    "username": row.username,
                    "client": row.client,
                    "started_at": stored_instant(row.started_at).isoformat(),
                    "last_seen_at": stored_instant(row.last_seen_at).isoformat(),
                    "ended_at": stored_instant(ended_at).isoformat() if ended_at else None,
                    "end_reason": reason,
                }
            )
    return found
