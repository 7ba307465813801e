"""The logins and API tokens as stored (services/users.py holds the rules: hashing, roles,
expiry). `UserStore` reads and writes them through the ORM inside one unit of work; the
functions below run single Core statements on a writing transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select, update
from sqlmodel import Session, col
from sqlmodel import select as orm_select

from casework.adapters.tables import ApiTokenRow, UserRow

USERS = UserRow.__table__  # type: ignore[attr-defined]
TOKENS = ApiTokenRow.__table__  # type: ignore[attr-defined]


class UserStore:
    """Logins and API tokens inside one unit of work: a writing transaction (`Transaction`)
    or a reading one (`ReadSession`). A write is flushed at once, inside that unit of work."""

    def __init__(self, unit: Connection | Session) -> None:
        self._session = unit if isinstance(unit, Session) else Session(bind=unit)

    def user(self, username: str) -> UserRow | None:
        """The login `username`, or None (a lookup by primary key)."""
        return self._session.get(UserRow, username)

    def any_user(self) -> bool:
        """Whether any login exists."""
        return self._session.exec(orm_select(UserRow)).first() is not None

    def users(self) -> Sequence[UserRow]:
        """Every login, by username."""
        return self._session.exec(orm_select(UserRow).order_by(col(UserRow.username))).all()

    def add_user(
        self, username: str, password_hash: str, roles: list[str], created_at: datetime
    ) -> None:
        """Store a new login (the caller has checked that `username` has none)."""
        self._session.add(
            UserRow(
                username=username,
                password_hash=password_hash,
                roles=roles,
                created_at=created_at,
            )
        )
        self._session.flush()

    def set_password_hash(self, user: UserRow, password_hash: str) -> None:
        """Store a new password hash for the login `user` (read from this store)."""
        user.password_hash = password_hash
        self._save(user)

    def set_roles(self, user: UserRow, roles: list[str]) -> None:
        """Store new roles for the login `user` (read from this store)."""
        user.roles = roles
        self._save(user)

    def _save(self, row: UserRow | ApiTokenRow) -> None:
        self._session.add(row)
        self._session.flush()

    def add_token(
        self,
        username: str,
        token_digest: str,
        label: str,
        created_at: datetime,
        expires_at: datetime,
    ) -> None:
        """Store a new API token of `username` by its digest (the token itself is never
        stored)."""
        self._save(
            ApiTokenRow(
                username=username,
                token_digest=token_digest,
                label=label,
                created_at=created_at,
                expires_at=expires_at,
            )
        )

    def token(self, token_digest: str) -> ApiTokenRow | None:
        """The API token whose digest is `token_digest`, or None."""
        return self._session.exec(
            orm_select(ApiTokenRow).where(ApiTokenRow.token_digest == token_digest)
        ).first()

    def tokens(self, username: str | None = None) -> Sequence[ApiTokenRow]:
        """The API tokens of `username` (of every login if None), newest first."""
        query = orm_select(ApiTokenRow).order_by(col(ApiTokenRow.id).desc())
        if username:
            query = query.where(ApiTokenRow.username == username)
        return self._session.exec(query).all()


def login_exists(connection: Connection, username: str) -> bool:
    """Whether the login `username` exists (one key lookup, no ORM)."""
    found = connection.execute(select(USERS.c.username).where(USERS.c.username == username))
    return found.first() is not None


def token_by_id(connection: Connection, token_id: int) -> Row[Any] | None:
    """The stored API token `token_id` (its columns), or None."""
    return connection.execute(select(TOKENS).where(TOKENS.c.id == token_id)).first()


def revoke_token(connection: Connection, token_id: int, at: datetime) -> None:
    """Mark API token `token_id` revoked at `at`."""
    connection.execute(update(TOKENS).where(TOKENS.c.id == token_id).values(revoked_at=at))


def revoke_tokens_of(connection: Connection, username: str, at: datetime) -> int:
    """Mark every API token of `username` not yet revoked revoked at `at`; returns how many."""
    return int(
        connection.execute(
            update(TOKENS)
            .where(TOKENS.c.username == username, TOKENS.c.revoked_at.is_(None))
            .values(revoked_at=at)
        ).rowcount
    )


def touch_token(connection: Connection, token_id: int, at: datetime) -> None:
    """Record that API token `token_id` was last used at `at`."""
    connection.execute(update(TOKENS).where(TOKENS.c.id == token_id).values(last_used_at=at))
