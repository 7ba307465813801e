"""The outbox: the notices queued for delivery, as the delivery run claims and records them,
as an officer lists them and puts dead ones back in the queue, and as a digest queues them.

Stored instants are UTC (SQLite keeps no offset): callers pass aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, bindparam, func, or_, select, update

from casework.adapters.bulk import insert_ignoring_duplicates
from casework.adapters.case_store import CASES
from casework.adapters.case_visibility import excluded_clause
from casework.adapters.tables import OutboxRow
from casework.domain.notice_status import RETRIABLE, WAITING, NoticeStatus

OUTBOX: Table = OutboxRow.__table__  # type: ignore[attr-defined]

REPLY_WITHHELD = (
    "(the server's reply about a notice to the sender, or quoting him: kept sealed in the "
    "case's vault, LTC Art. 8(3))"
)
"""What a mail server's reply about a notice to the sender, or one quoting him, is stored
and reported as: it may name an address of his nobody recorded (a forward)."""


def notice_stub(ref: str, party: str = "denouncer") -> dict[str, Any]:
    """What a sealed notice keeps in clear (the rest is sealed): the case it is about, and to
    which party it goes."""
    return {"case": {"ref": ref}, "recipient": {"party": party}}


def queue(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Queue these notices (outbox rows) in the caller's transaction; one already queued
    under the same key is left as it is."""
    insert_ignoring_duplicates(connection, OUTBOX, list(rows))


# -- the delivery run ---------------------------------------------------------------------


def claim(connection: Connection, now: datetime, batch: int, leased_until: datetime) -> list[Any]:
    """Lease up to `batch` messages due by `now`, oldest first: their next attempt moves to
    `leased_until`, so no other run claims them meanwhile. On PostgreSQL rows another run has
    locked are skipped. Returns the claimed rows as they were read."""
    query = (
        select(OUTBOX)
        .where(OUTBOX.c.status.in_(sorted(WAITING)), OUTBOX.c.next_attempt_at <= now)
        .order_by(OUTBOX.c.id)
        .limit(batch)
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = connection.execute(query).all()
    if rows:
        connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id.in_([r.id for r in rows]))
            .values(next_attempt_at=leased_until)
        )
    return list(rows)


def denounced_addresses(connection: Connection, case_ids: Iterable[int]) -> list[tuple[int, str]]:
    """(case id, address) for each address of the denounced person of `case_ids` on record:
    those notices to him were addressed to, and the case's denounced email (two statements)."""
    wanted = set(case_ids)
    found: list[tuple[int, str]] = []
    for case_id, address in connection.execute(
        select(OUTBOX.c.case_id, OUTBOX.c.to_address).where(
            OUTBOX.c.case_id.in_(wanted),
            OUTBOX.c.recipient_party == "denounced",
            OUTBOX.c.to_address != "",
        )
    ).all():
        found.append((case_id, address))
    for case_id, address in connection.execute(
        select(CASES.c.id, CASES.c.denounced_email).where(
            CASES.c.id.in_(wanted), CASES.c.denounced_email != ""
        )
    ).all():
        found.append((case_id, address))
    return found


def references_of(connection: Connection, case_ids: set[int]) -> dict[int | None, str]:
    """Case id → reference, for `case_ids` (no statement when there are none)."""
    if not case_ids:
        return {}
    rows = connection.execute(
        select(CASES.c.id, CASES.c.reference).where(CASES.c.id.in_(case_ids))
    ).all()
    return {r.id: r.reference for r in rows}


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt left in a message's row."""

    id: int
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    sent_at: datetime | None
    channel: str
    sealed_error: str = ""


# built once: every delivery run records its batch with it (one executemany)
_RECORD = (
    update(OUTBOX)
    .where(OUTBOX.c.id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"),
        attempts=bindparam("b_attempts"),
        next_attempt_at=bindparam("b_next"),
        last_error=bindparam("b_error"),
        sent_at=bindparam("b_sent"),
        channel=bindparam("b_channel"),
        sealed_error=bindparam("b_sealed_error"),
    )
)


def record_outcomes(connection: Connection, outcomes: Sequence[Outcome]) -> None:
    """Write each outcome into its message's row, in one executemany."""
    connection.execute(
        _RECORD,
        [
            {
                "b_id": o.id,
                "b_status": o.status,
                "b_attempts": o.attempts,
                "b_next": o.next_attempt_at,
                "b_error": o.last_error,
                "b_sent": o.sent_at,
                "b_channel": o.channel,
                "b_sealed_error": o.sealed_error,
            }
            for o in outcomes
        ],
    )


# -- looking into the outbox ----------------------------------------------------------------


def _not_excluding(viewer: str) -> ColumnElement[bool]:
    """Notices about no case, or about a case that does not exclude `viewer`."""
    return or_(OUTBOX.c.case_id.is_(None), ~excluded_clause(viewer, OUTBOX.c.case_id))


def newest(connection: Connection, viewer: str, status: str | None, limit: int) -> list[Any]:
    """The newest `limit` messages (of `status`, if given), leaving out those about a case
    that excludes `viewer`."""
    query = select(OUTBOX).where(_not_excluding(viewer)).order_by(OUTBOX.c.id.desc()).limit(limit)
    if status:
        query = query.where(OUTBOX.c.status == status)
    return list(connection.execute(query).all())


def counts_by_status(connection: Connection) -> dict[str, int]:
    """Status → how many messages have it, over the whole outbox."""
    return dict(
        connection.execute(select(OUTBOX.c.status, func.count()).group_by(OUTBOX.c.status)).all()
    )


def message(connection: Connection, message_id: int, viewer: str) -> Any | None:
    """Message `message_id`'s row, or None if there is none or its case excludes `viewer`."""
    return connection.execute(
        select(OUTBOX).where(OUTBOX.c.id == message_id, _not_excluding(viewer))
    ).first()


def undelivered(connection: Connection, message_id: int | None) -> list[Any]:
    """The messages an administrator may queue again (one, or all of them): refused,
    bounced, dead or needing attention."""
    query = select(OUTBOX.c.id, OUTBOX.c.recipient_officer, OUTBOX.c.to_address).where(
        OUTBOX.c.status.in_(sorted(RETRIABLE))
    )
    if message_id is not None:
        query = query.where(OUTBOX.c.id == message_id)
    return list(connection.execute(query).all())


def requeue(
    connection: Connection,
    ids: Sequence[int],
    at: datetime,
    retry_until: datetime,
    addresses: dict[int, str],
) -> int:
    """Put messages `ids` back in the queue, due at `at`, their attempts starting over and
    tried until `retry_until`, by e-mail again; `addresses` gives a message a new address (an
    officer's, as the organisation now records it). Returns how many."""
    if not ids:
        return 0
    count: int = connection.execute(
        update(OUTBOX)
        .where(OUTBOX.c.id.in_(list(ids)), OUTBOX.c.status.in_(sorted(RETRIABLE)))
        .values(
            status=NoticeStatus.QUEUED.value,
            attempts=0,
            next_attempt_at=at,
            retry_until=retry_until,
        )  # the channel stays: a party whose e-mail came back is written to again
    ).rowcount
    for row_id, address in addresses.items():
        connection.execute(update(OUTBOX).where(OUTBOX.c.id == row_id).values(to_address=address))
    return count


def record_bounce(
    connection: Connection,
    message_id: int,
    reason: str,
    sealed_reason: str,
    as_letter: bool,
    at: datetime,
) -> bool:
    """Mark a sent message as returned: bounced, or (`as_letter`) queued again at `at` to be
    written as a letter. A message no longer "sent" is left as it is; returns whether it was
    marked."""
    values: dict[str, Any] = (
        {"status": NoticeStatus.QUEUED.value, "channel": "letter", "next_attempt_at": at}
        if as_letter
        else {"status": NoticeStatus.BOUNCED.value}
    )
    marked: int = connection.execute(
        update(OUTBOX)
        .where(OUTBOX.c.id == message_id, OUTBOX.c.status == NoticeStatus.SENT.value)
        .values(last_error=reason, sealed_error=sealed_reason, **values)
    ).rowcount
    return marked == 1


def record_handed(connection: Connection, message_id: int, at: datetime) -> bool:
    """Mark a message needing attention as delivered by hand at `at`; whether it was."""
    marked: int = connection.execute(
        update(OUTBOX)
        .where(
            OUTBOX.c.id == message_id,
            OUTBOX.c.status == NoticeStatus.NEEDS_ATTENTION.value,
        )
        .values(status=NoticeStatus.HANDED.value, channel="hand", sent_at=at)
    ).rowcount
    return marked == 1


def by_message_ids(connection: Connection, message_ids: Iterable[str]) -> list[Any]:
    """The messages with these Message-IDs (a bounce names the one it returns)."""
    wanted = sorted(set(message_ids))
    if not wanted:
        return []
    return list(connection.execute(select(OUTBOX).where(OUTBOX.c.message_id.in_(wanted))).all())


def oldest_waiting(connection: Connection, officer_notices_only: bool) -> Any | None:
    """The oldest notice still waiting to go (queued or deferred), or None."""
    query = (
        select(OUTBOX.c.id, OUTBOX.c.created_at, OUTBOX.c.template, OUTBOX.c.last_error)
        .where(OUTBOX.c.status.in_(sorted(WAITING)))
        .order_by(OUTBOX.c.created_at, OUTBOX.c.id)
        .limit(1)
    )
    if officer_notices_only:
        query = query.where(OUTBOX.c.recipient_officer.is_not(None))
    return connection.execute(query).first()


def problems(connection: Connection, statuses: Iterable[str], limit: int) -> list[Any]:
    """The newest `limit` messages in `statuses`, newest first."""
    return list(
        connection.execute(
            select(OUTBOX)
            .where(OUTBOX.c.status.in_(sorted(set(statuses))))
            .order_by(OUTBOX.c.id.desc())
            .limit(limit)
        ).all()
    )


# -- queueing -------------------------------------------------------------------------------


def queue_new(connection: Connection, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Queue those of `rows` whose dedupe key is not in the outbox yet; returns them."""
    already = (
        set(
            connection.execute(
                select(OUTBOX.c.dedupe_key).where(
                    OUTBOX.c.dedupe_key.in_([r["dedupe_key"] for r in rows])
                )
            ).scalars()
        )
        if rows
        else set()
    )
    new = [r for r in rows if r["dedupe_key"] not in already]
    insert_ignoring_duplicates(connection, OUTBOX, new)
    return new
