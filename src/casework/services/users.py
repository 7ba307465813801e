"""Logins for officers: passwords hashed with Argon2, roles, API tokens for scripts, and the
checks that turn credentials into a `Principal`."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from casework.adapters import audit_log, user_store
from casework.adapters.audit_log import AuditEvent
from casework.adapters.database import stored_instant
from casework.adapters.login_failures import forget_failures_of
from casework.adapters.tables import UserRow
from casework.adapters.unit_of_work import ReadSession
from casework.adapters.user_store import UserStore
from casework.domain.access import Principal
from casework.domain.errors import InvalidInput, NotFound, NotSignedIn, said
from casework.domain.organisation import Role
from casework.domain.words_vi import ROLE_VI, choices_vi, vi_day
from casework.services import web_sessions
from casework.services.app import Casework

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "cw_"
_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when the login is unknown, made once on first need (an
    Argon2 hash takes a fifth of a second: no command should pay it on start)."""
    return _HASHER.hash("casework: no such login")


_ROLES = [role.value for role in Role]


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise said(
            InvalidInput(
                f"a password needs at least {MIN_PASSWORD_LENGTH} characters; a phrase of "
                "several words is easiest to remember"
            ),
            f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự; một câu gồm vài từ là dễ nhớ nhất",
        )


def _check_roles(roles: list[str]) -> list[str]:
    unknown = sorted(set(roles) - set(_ROLES))
    if unknown:
        raise said(
            InvalidInput(f"unknown roles {', '.join(unknown)}; roles: {', '.join(_ROLES)}"),
            f"Vai trò không hợp lệ; chọn trong các vai trò: {choices_vi(_ROLES, ROLE_VI)}",
        )
    return sorted(set(roles))


def add_user(
    app: Casework,
    officer: str,
    password: str,
    now: datetime,
    roles: list[str] | None = None,
    by: str | None = None,
) -> list[str]:
    """Give officer `officer` a login; its roles are the officer's unless given. Returns them."""
    _check_password(password)
    with app.transaction() as connection:
        known = app.organisation(connection).officer(officer)  # an unknown code is an error
        granted = _check_roles(roles if roles is not None else [str(r) for r in known.roles])
        logins = UserStore(connection)
        if logins.user(officer) is not None:
            raise said(
                InvalidInput(f"{officer} already has a login; `casework user passwd` changes it"),
                f"Cán bộ {known.name} đã có tài khoản đăng nhập; đổi mật khẩu nếu cần",
            )
        logins.add_user(officer, _HASHER.hash(password), granted, now.astimezone(UTC))
        audit_log.append(
            connection,
            [AuditEvent("user.added", by, None, {"username": officer, "roles": granted})],
            now,
        )
        return granted


def _user(logins: UserStore, username: str) -> UserRow:
    user = logins.user(username)
    if user is None:
        raise said(
            NotFound(f"no login {username!r}; `casework user add OFFICER` creates one"),
            f"Không có tài khoản đăng nhập «{username}»",
        )
    return user


def set_password(
    app: Casework, username: str, password: str, now: datetime, by: str | None = None
) -> None:
    """Give login `username` a new password: its web sessions end, its failed sign-ins are
    forgotten (lifting a lock) and its API tokens are revoked; audited."""
    _check_password(password)
    with app.transaction() as connection:
        logins = UserStore(connection)
        logins.set_password_hash(_user(logins, username), _HASHER.hash(password))
        # whoever was signed in with the old password is not now
        sessions_ended = web_sessions.end_all(
            connection, username, web_sessions.PASSWORD_CHANGED, now
        )
        # a locked login is unlocked by a new password (services/sign_in_limits.py)
        forget_failures_of(connection, username.lower())
        # nor any script holding a token issued under the old password
        revoked = user_store.revoke_tokens_of(connection, username, now.astimezone(UTC))
        audit_log.append(
            connection,
            [
                AuditEvent(
                    "user.password_set",
                    by,
                    None,
                    {
                        "username": username,
                        "tokens_revoked": revoked,
                        "sessions_ended": sessions_ended,
                    },
                )
            ],
            now,
        )


def set_roles(
    app: Casework,
    username: str,
    grant: list[str],
    revoke: list[str],
    now: datetime,
    by: str | None = None,
) -> list[str]:
    """Grant and revoke roles; returns the roles the login has afterwards."""
    with app.transaction() as connection:
        logins = UserStore(connection)
        user = _user(logins, username)
        roles = _check_roles([*user.roles, *grant])
        roles = [r for r in roles if r not in _check_roles(revoke)]
        logins.set_roles(user, roles)
        # a session signed in under other roles starts again, seeing what it now may
        web_sessions.end_all(connection, username, web_sessions.ROLES_CHANGED, now)
        audit_log.append(
            connection,
            [AuditEvent("user.roles_set", by, None, {"username": username, "roles": roles})],
            now,
        )
        return roles


def list_users(app: Casework) -> list[dict[str, Any]]:
    """Every login, by username, with its roles and whether it is disabled."""
    with app.reading() as session:
        return [
            {"username": u.username, "roles": u.roles, "disabled": u.disabled}
            for u in UserStore(session).users()
        ]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


TOKEN_DAYS = 90
"""How long an API token works unless issued for another number of days."""
MAX_TOKEN_DAYS = 366


def create_token(
    app: Casework,
    username: str,
    label: str,
    now: datetime,
    by: str | None = None,
    days: int = TOKEN_DAYS,
) -> str:
    """A new API token for `username`, working `days` days; shown once, only its digest is
    kept."""
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise said(
            InvalidInput(f"a token works from 1 to {MAX_TOKEN_DAYS} days; {days} asked"),
            f"Mã truy cập có hiệu lực từ 1 đến {MAX_TOKEN_DAYS} ngày; đã yêu cầu {days} ngày",
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with app.transaction() as connection:
        logins = UserStore(connection)
        _user(logins, username)
        logins.add_token(
            username,
            _digest(token),
            label,
            now.astimezone(UTC),
            (now + timedelta(days=days)).astimezone(UTC),
        )
        audit_log.append(
            connection,
            [AuditEvent("user.token_created", by, None, {"username": username, "label": label})],
            now,
        )
    return token


def _principal(app: Casework, session: ReadSession, user: UserRow) -> Principal:
    if user.disabled:
        raise said(
            NotSignedIn(f"the login {user.username} is disabled"),
            f"Tài khoản «{user.username}» đã bị khóa; đề nghị liên hệ quản trị hệ thống",
        )
    officer = app.organisation(session.connection()).officers.get(user.username)
    if officer is None:
        raise said(
            NotSignedIn(
                f"{user.username} is no longer an officer of the organisation; ask an administrator"
            ),
            f"Tài khoản «{user.username}» không còn là cán bộ trong danh sách tổ chức; đề nghị "
            "liên hệ quản trị hệ thống",
        )
    return Principal(user.username, officer.agency, frozenset(Role(r) for r in user.roles))


def principal_of_officer(app: Casework, officer: str) -> Principal:
    """The principal an officer named on the command line acts as: his login's roles where he
    has a login (as the API and web UI see him), else his roles in the organisation."""
    with app.reading() as session:
        org = app.organisation(session.connection())
        record = org.officer(officer)  # an unknown code is an error naming the known ones
        user = UserStore(session).user(record.code)
        if user is not None:
            return _principal(app, session, user)
        return Principal.of_officer(record)


def change_own_password(
    app: Casework, username: str, current: str, new: str, now: datetime
) -> None:
    """An officer changes his own password, giving the current one: NotSignedIn when it is
    wrong. Every session of his ends, this one too (services/users.set_password)."""
    sign_in(app, username, current)
    set_password(app, username, new, now, by=username)


def sign_in(app: Casework, username: str, password: str) -> Principal:
    """The principal for a username and password, or NotSignedIn (never saying which was
    wrong)."""
    with app.reading() as session:
        user = UserStore(session).user(username.strip())
        try:
            # an unknown login costs the same hashing as a known one: timing tells nothing
            _HASHER.verify(user.password_hash if user else _dummy_hash(), password)
            if user is None:
                raise VerificationError
        except (VerificationError, InvalidHashError):
            raise said(
                NotSignedIn("wrong username or password"), "Sai tên đăng nhập hoặc mật khẩu"
            ) from None
        return _principal(app, session, user)


def principal_for_token(app: Casework, token: str, now: datetime) -> Principal:
    """The principal an API token stands for at `now`, or NotSignedIn (unknown, revoked —
    also by a password change — or expired). Its last use is recorded, at most hourly."""
    with app.reading() as session:
        logins = UserStore(session)
        row = logins.token(_digest(token.strip()))
        if row is None or row.revoked_at is not None:
            raise said(
                NotSignedIn(
                    "unknown or revoked API token (a password change revokes them); "
                    "`casework user token` issues one"
                ),
                "Mã truy cập không đúng hoặc đã bị thu hồi (đổi mật khẩu thì mọi mã truy cập "
                "đều bị thu hồi)",
            )
        if row.expires_at is not None and stored_instant(row.expires_at) <= now.astimezone(UTC):
            expired = stored_instant(row.expires_at).date()
            raise said(
                NotSignedIn(
                    f"this API token expired on {expired.isoformat()}; "
                    "`casework user token` issues a new one"
                ),
                f"Mã truy cập đã hết hạn ngày {vi_day(expired)}; đề nghị cấp mã mới",
            )
        principal = _principal(app, session, _user(logins, row.username))
        stale = row.last_used_at is None or stored_instant(row.last_used_at) < now - timedelta(
            hours=1
        )
        token_id = row.id
        assert token_id is not None  # a stored token has its id
    if stale:
        with app.transaction() as connection:
            user_store.touch_token(connection, token_id, now.astimezone(UTC))
    return principal


def list_tokens(app: Casework, username: str | None = None) -> list[dict[str, Any]]:
    """The API tokens (of `username`, or every login's), newest first: never the token."""
    with app.reading() as session:
        logins = UserStore(session)
        if username:
            _user(logins, username)
        return [
            {
                "id": row.id,
                "username": row.username,
                "label": row.label,
                "created_at": stored_instant(row.created_at).isoformat(),
                "expires_at": stored_instant(row.expires_at).isoformat()
                if row.expires_at
                else None,
                "last_used_at": stored_instant(row.last_used_at).isoformat()
                if row.last_used_at
                else None,
                "revoked_at": stored_instant(row.revoked_at).isoformat()
                if row.revoked_at
                else None,
            }
            for row in logins.tokens(username)
        ]


def revoke_token(app: Casework, token_id: int, now: datetime, by: str) -> str:
    """Revoke token `token_id`; returns its login. Revoking one already revoked is refused."""
    with app.transaction() as connection:
        row = user_store.token_by_id(connection, token_id)
        if row is None:
            raise said(
                NotFound(f"no API token {token_id}; `casework user tokens` lists them"),
                f"Không có mã truy cập số {token_id}",
            )
        if row.revoked_at is not None:
            raise said(
                InvalidInput(f"API token {token_id} was already revoked"),
                f"Mã truy cập số {token_id} đã bị thu hồi trước đó",
            )
        user_store.revoke_token(connection, token_id, now.astimezone(UTC))
        audit_log.append(
            connection,
            [
                AuditEvent(
                    "user.token_revoked",
                    by,
                    None,
                    {"username": row.username, "token": token_id, "label": row.label},
                )
            ],
            now,
        )
        return str(row.username)


def principal_for(app: Casework, username: str) -> Principal:
    """The principal of a login already authenticated."""
    with app.reading() as session:
        user = UserStore(session).user(username)
        if user is None:
            raise said(
                NotSignedIn("the session's login no longer exists; sign in again"),
                "Tài khoản của phiên làm việc không còn; đề nghị đăng nhập lại",
            )
        return _principal(app, session, user)


def principal_for_session(app: Casework, session_id: str, now: datetime) -> Principal:
    """The principal of the open web session `session_id` at `now`, or NotSignedIn (signed out,
    idle, too old, ended by a new password, new roles or an administrator; services/
    web_sessions.py)."""
    return principal_for(app, web_sessions.resume(app, session_id, now))


def first_login(app: Casework, now: datetime) -> tuple[str, str] | None:
    """On an installation without any login, one for the organisation's first administrator,
    with a password made up here and returned once; None if logins exist or nobody is admin."""
    with app.reading() as session:
        if UserStore(session).any_user():
            return None
        org = app.organisation(session.connection())
    admins = sorted(code for code, o in org.officers.items() if Role.ADMIN in o.roles)
    if not admins:
        return None
    password = secrets.token_urlsafe(12)
    add_user(app, admins[0], password, now)
    return admins[0], password
