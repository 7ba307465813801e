"""Append to and verify the hash-chained audit trail."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, text, update
from sqlmodel import Session, col, select

from casework.adapters.bulk import insert_many_postgres_statement, insert_many_sqlite
from casework.adapters.tables import AuditRow, EngineStateRow
from casework.domain.audit import GENESIS_HASH, chain_hash

# Any constant key: PostgreSQL serialises appenders on it for the length of a transaction.
_AUDIT_LOCK_KEY = 7_316_902


@dataclass(frozen=True)
class AuditEvent:
    """One thing to record: who did what to which case, on which legal basis."""

    action: str
    actor: str | None
    case_ref: str | None
    payload: Mapping[str, Any]


def _utc_text(instant: datetime) -> str:
    if instant.tzinfo is not None:
        instant = instant.astimezone(UTC).replace(tzinfo=None)
    return instant.isoformat(timespec="microseconds")


def sealed_content(
    recorded_at: datetime,
    actor: str | None,
    case_ref: str | None,
    action: str,
    payload: Mapping[str, Any],
) -> dict[str, Any]:
    """Exactly what an entry's hash covers."""
    return {
        "recorded_at": _utc_text(recorded_at),
        "actor": actor,
        "case_ref": case_ref,
        "action": action,
        "payload": dict(payload),
    }


_SELECT_HEAD = select(col(AuditRow.hash)).order_by(col(AuditRow.id).desc()).limit(1)
# The chain's head is also kept apart, so removing the newest entries does not go unnoticed.
HEAD_KEY = "audit_head"
_STATE = EngineStateRow.__table__  # type: ignore[attr-defined]
_UPDATE_HEAD = update(_STATE).where(_STATE.c.key == HEAD_KEY).values(value=bindparam("head"))
_INSERT_HEAD = insert(_STATE).values(key=HEAD_KEY, value=bindparam("head"))
_SELECT_RECORDED_HEAD = select(_STATE.c.value).where(_STATE.c.key == HEAD_KEY)
_LOCK_CHAIN = text("SELECT pg_advisory_xact_lock(:key)")


_LOCK_RECORDED_HEAD = _SELECT_RECORDED_HEAD.with_for_update()
_ENTRIES = AuditRow.__table__  # type: ignore[attr-defined]


def _head_hash(connection: Connection) -> str:
    if connection.dialect.name == "postgresql":
        # one round trip: the recorded head's row lock serialises appenders until commit,
        # and the recorded head is the newest entry's hash (both change in one transaction)
        recorded = connection.execute(_LOCK_RECORDED_HEAD).scalar_one_or_none()
        if recorded is not None:
            return str(recorded)
        # no row to lock yet (the first entries): serialise on a lock key, then look again,
        # as another appender may have recorded the first head while this one waited
        connection.execute(_LOCK_CHAIN, {"key": _AUDIT_LOCK_KEY})
        recorded = connection.execute(_LOCK_RECORDED_HEAD).scalar_one_or_none()
        if recorded is not None:
            return str(recorded)
    head = connection.execute(_SELECT_HEAD).scalar_one_or_none()
    return head or GENESIS_HASH


def append(connection: Connection, events: Iterable[AuditEvent], now: datetime) -> int:
    """Seal `events` onto the chain inside the caller's transaction; returns how many."""
    now = now.astimezone(UTC)  # stored as UTC: SQLite keeps no offset, so store one meaning
    events = list(events)
    if not events:
        return 0
    if connection.dialect.name == "postgresql":
        _append_postgres(connection, events, now)
        return len(events)
    rows, head = _sealed_rows(events, now, _head_hash(connection))
    insert_many_sqlite(connection, _ENTRIES, rows)
    if connection.execute(_UPDATE_HEAD, {"head": head}).rowcount == 0:
        connection.execute(_INSERT_HEAD, {"head": head})
    return len(rows)


def _sealed_rows(
    events: list[AuditEvent], now: datetime, previous: str
) -> tuple[list[dict[str, Any]], str]:
    """The entries chained onto `previous`, and the new head (the last entry's hash)."""
    rows = []
    for event in events:
        content = sealed_content(now, event.actor, event.case_ref, event.action, event.payload)
        digest = chain_hash(previous, content)
        rows.append(
            {
                "recorded_at": now,
                "actor": event.actor,
                "case_ref": event.case_ref,
                "action": event.action,
                "payload": content["payload"],
                "prev_hash": previous,
                "hash": digest,
            }
        )
        previous = digest
    return rows, previous


# Where a pooled PostgreSQL connection remembers the head it last wrote or saw.
_HEAD_GUESS = "casework.audit_head"


def _append_postgres(connection: Connection, events: list[AuditEvent], now: datetime) -> None:
    """Usually one round trip: the entries are sealed onto the head this connection last
    wrote, and one statement locks the recorded head and writes them only if that is still
    the head. Otherwise (another process wrote since) the statement has locked the head and
    returns it, and the entries are sealed again onto it: two round trips, as without the
    guess. Either way the head row's lock serialises appenders until commit."""
    guess = connection.info.get(_HEAD_GUESS)
    current: str | None = None
    if guess is not None:
        rows, head = _sealed_rows(events, now, guess)
        entries, parameters = insert_many_postgres_statement(
            _ENTRIES, rows, " WHERE (SELECT value FROM head) = %s"
        )
        current = connection.exec_driver_sql(
            f"WITH head AS (SELECT value FROM {_STATE.name} WHERE key = %s FOR UPDATE), "
            f"new_entries AS ({entries}), "
            f"moved AS (UPDATE {_STATE.name} SET value = %s "
            "WHERE key = %s AND (SELECT value FROM head) = %s) "
            "SELECT value FROM head",
            (HEAD_KEY, *parameters, guess, head, HEAD_KEY, guess),
        ).scalar_one_or_none()
        if current == guess:
            connection.info[_HEAD_GUESS] = head
            return
    rows, head = _sealed_rows(events, now, current or _head_hash(connection))
    entries, parameters = insert_many_postgres_statement(_ENTRIES, rows)
    moved = connection.exec_driver_sql(
        f"WITH new_entries AS ({entries}) UPDATE {_STATE.name} SET value = %s WHERE key = %s",
        (*parameters, head, HEAD_KEY),
    )
    if moved.rowcount == 0:
        connection.execute(_INSERT_HEAD, {"head": head})
    connection.info[_HEAD_GUESS] = head


def rechain(connection: Connection, from_id: int, batch: int = 5000) -> str:
    """Seal the chain again from entry `from_id` on, after a migration changed entries (ADR
    0011: an entry that named a sender now holds it sealed); returns the head before. The
    migration records on the trail itself that it did so."""
    previous_head = str(connection.execute(_SELECT_RECORDED_HEAD).scalar_one_or_none() or "")
    previous = (
        connection.execute(
            select(col(AuditRow.hash))
            .where(col(AuditRow.id) < from_id)
            .order_by(col(AuditRow.id).desc())
            .limit(1)
        ).scalar_one_or_none()
        or GENESIS_HASH
    )
    last_id = from_id - 1
    while True:
        rows = connection.execute(
            select(_ENTRIES).where(_ENTRIES.c.id > last_id).order_by(_ENTRIES.c.id).limit(batch)
        ).all()
        if not rows:
            break
        for entry in rows:
            content = sealed_content(
                entry.recorded_at, entry.actor, entry.case_ref, entry.action, entry.payload
            )
            digest = chain_hash(previous, content)
            connection.execute(
                update(_ENTRIES)
                .where(_ENTRIES.c.id == entry.id)
                .values(prev_hash=previous, hash=digest)
            )
            previous, last_id = digest, entry.id
    if connection.execute(_UPDATE_HEAD, {"head": previous}).rowcount == 0:
        connection.execute(_INSERT_HEAD, {"head": previous})
    connection.info.pop(_HEAD_GUESS, None)
    return previous_head


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of walking the whole chain."""

    entries: int
    first_broken_id: int | None
    problem: str = ""

    @property
    def is_intact(self) -> bool:
        return self.first_broken_id is None


def newest_entries(
    session: Session, limit: int, case_ref: str | None = None, before_id: int | None = None
) -> list[AuditRow]:
    """Up to `limit` entries, newest first: of the case stored as `case_ref` if given (a text
    that is no reference matches nothing), older than entry `before_id` if given."""
    query = select(AuditRow).order_by(col(AuditRow.id).desc()).limit(limit)
    if case_ref:
        query = query.where(AuditRow.case_ref == case_ref)
    if before_id is not None:
        query = query.where(col(AuditRow.id) < before_id)
    return list(session.exec(query).all())


def case_entries(session: Session, case_ref: str, action: str) -> list[AuditRow]:
    """The case's entries of one action, oldest first."""
    return list(
        session.exec(
            select(AuditRow)
            .where(AuditRow.case_ref == case_ref, AuditRow.action == action)
            .order_by(col(AuditRow.id))
        ).all()
    )


def verify(session: Session, batch: int = 5000) -> VerifyResult:
    """Recompute every hash in order; name the first entry that does not match."""
    previous = GENESIS_HASH
    count = 0
    last_id = 0
    while True:
        rows = session.exec(
            select(AuditRow)
            .where(col(AuditRow.id) > last_id)
            .order_by(col(AuditRow.id))
            .limit(batch)
        ).all()
        if not rows:
            recorded = session.execute(_SELECT_RECORDED_HEAD).scalar_one_or_none()
            if (recorded or GENESIS_HASH) != previous:
                return VerifyResult(
                    count,
                    last_id,
                    f"the trail ends at entry {last_id} but its recorded head is a later entry: "
                    "the newest entries were removed",
                )
            return VerifyResult(entries=count, first_broken_id=None)
        for entry in rows:
            assert entry.id is not None
            if entry.prev_hash != previous:
                return VerifyResult(
                    count,
                    entry.id,
                    f"entry {entry.id} does not follow entry {last_id}: an entry was removed, "
                    "inserted or re-sealed",
                )
            content = sealed_content(
                entry.recorded_at, entry.actor, entry.case_ref, entry.action, entry.payload
            )
            if chain_hash(previous, content) != entry.hash:
                return VerifyResult(
                    count,
                    entry.id,
                    f"entry {entry.id} ({entry.action}, case {entry.case_ref}) was edited after "
                    "it was recorded",
                )
            previous = entry.hash
            last_id = entry.id
            count += 1
