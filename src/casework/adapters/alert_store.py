"""The escalation ladder's alerts as stored: each step fired (`escalation`), and who
acknowledged which (`escalation_ack`). services/escalations.py states what an alert is."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, and_, exists, select
from sqlalchemy.exc import IntegrityError

from casework.adapters.case_store import CASES, CLOCKS
from casework.adapters.case_visibility import excluded_clause
from casework.adapters.tables import EscalationAckRow, EscalationRow

ESCALATIONS: Table = EscalationRow.__table__  # type: ignore[attr-defined]
ACKS: Table = EscalationAckRow.__table__  # type: ignore[attr-defined]


def is_current() -> ColumnElement[bool]:
    """An escalation row that is its clock's open alert now (SQL, over ESCALATIONS joined with
    CLOCKS on clock_id): the newest step fired for the due date the clock still runs to."""
    newer = ESCALATIONS.alias("newer")
    return and_(
        CLOCKS.c.status == "running",
        CLOCKS.c.due == ESCALATIONS.c.due,
        ~exists().where(
            newer.c.clock_id == ESCALATIONS.c.clock_id,
            newer.c.due == ESCALATIONS.c.due,
            newer.c.id > ESCALATIONS.c.id,
        ),
    )


def acknowledged_by(escalation_id: Any, officer: Any) -> Any:
    """True where `officer` acknowledged escalation `escalation_id` (SQL)."""
    return exists().where(and_(ACKS.c.escalation_id == escalation_id, ACKS.c.officer == officer))


def steps_of_clocks(connection: Connection, clock_ids: Iterable[int]) -> Sequence[Any]:
    """Every step fired for these clocks (id, clock_id, due, recipients), newest first."""
    return connection.execute(
        select(
            ESCALATIONS.c.id, ESCALATIONS.c.clock_id, ESCALATIONS.c.due, ESCALATIONS.c.recipients
        )
        .where(ESCALATIONS.c.clock_id.in_(sorted(set(clock_ids))))
        .order_by(ESCALATIONS.c.id.desc())
    ).all()


def alert_rows(
    connection: Connection, viewer: str, current_only: bool, waiting_for: str | None
) -> Sequence[Any]:
    """Escalation rows with their case's reference and agency and whether each is its
    clock's open alert (`current`), newest first; never on a case that excludes `viewer`.
    `current_only`: open alerts only; `waiting_for`: only those that officer has not
    acknowledged."""
    query = (
        select(ESCALATIONS, CASES.c.reference, CASES.c.agency, is_current().label("current"))
        .join(CASES, CASES.c.id == ESCALATIONS.c.case_id)
        .join(CLOCKS, CLOCKS.c.id == ESCALATIONS.c.clock_id)
        .where(~excluded_clause(viewer))
        .order_by(ESCALATIONS.c.id.desc())
    )
    if current_only:
        query = query.where(is_current())  # a raised or closed alert waits for nobody
    if waiting_for:
        query = query.where(~acknowledged_by(ESCALATIONS.c.id, waiting_for))
    return connection.execute(query).all()


def acknowledgements(
    connection: Connection, escalation_ids: Iterable[int]
) -> dict[int, dict[str, datetime]]:
    """Escalation id → officer → when he acknowledged it."""
    found: dict[int, dict[str, datetime]] = {}
    for ack in connection.execute(
        select(ACKS).where(ACKS.c.escalation_id.in_(list(escalation_ids)))
    ).all():
        found.setdefault(ack.escalation_id, {})[ack.officer] = ack.acknowledged_at
    return found


def alert_row(connection: Connection, escalation_id: int) -> Any | None:
    """One escalation row with its case's reference and `current`, or None."""
    return connection.execute(
        select(ESCALATIONS, CASES.c.reference, is_current().label("current"))
        .join(CASES, CASES.c.id == ESCALATIONS.c.case_id)
        .join(CLOCKS, CLOCKS.c.id == ESCALATIONS.c.clock_id)
        .where(ESCALATIONS.c.id == escalation_id)
    ).first()


def acknowledged_at(connection: Connection, escalation_id: int, officer: str) -> datetime | None:
    """When `officer` acknowledged the escalation, or None."""
    at: datetime | None = connection.execute(
        select(ACKS.c.acknowledged_at).where(
            ACKS.c.escalation_id == escalation_id, ACKS.c.officer == officer
        )
    ).scalar_one_or_none()
    return at


def record_acknowledgement(
    connection: Connection, escalation_id: int, officer: str, at: datetime
) -> bool:
    """Record the acknowledgement; False (and nothing written) if a concurrent one by the same
    officer was recorded first."""
    try:
        with connection.begin_nested():
            connection.execute(
                ACKS.insert().values(
                    escalation_id=escalation_id, officer=officer, acknowledged_at=at
                )
            )
    except IntegrityError:
        return False
    return True
