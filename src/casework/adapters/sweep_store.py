"""The deadline sweep's reads and writes (services/sweep.py): the running clocks whose next
ladder step is due, one sweeper at a time on PostgreSQL, and each batch's rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, select, text

from casework.adapters import audit_log
from casework.adapters.audit_log import AuditEvent
from casework.adapters.bulk import insert_ignoring_duplicates, update_clock_steps
from casework.adapters.tables import CaseRow, ClockRow, EscalationRow, OutboxRow

# Any constant key, taken with pg_advisory_xact_lock: released when the sweep's transaction
# ends. READ COMMITTED (the default) gives each statement after it a fresh snapshot.
_SWEEP_LOCK_KEY = 7_316_903
_ONE_SWEEPER_AT_A_TIME = text("SELECT pg_advisory_xact_lock(:key)")

_CLOCKS: Table = ClockRow.__table__  # type: ignore[attr-defined]
_CASES: Table = CaseRow.__table__  # type: ignore[attr-defined]
_ESCALATIONS: Table = EscalationRow.__table__  # type: ignore[attr-defined]
_OUTBOX: Table = OutboxRow.__table__  # type: ignore[attr-defined]
# Built once, in Core: a flow run sweeps once in a fresh process, where compiling an ORM
# query cost more than a small sweep's own SQL
_DUE_CLOCKS = (
    select(
        _CLOCKS.c.id,
        _CLOCKS.c.case_id,
        _CLOCKS.c.code,
        _CLOCKS.c.due,
        _CLOCKS.c.ladder,
        _CLOCKS.c.next_step,
        _CLOCKS.c.rule_version,
        _CASES.c.state,
        _CASES.c.kind,
        _CASES.c.reference,
        _CASES.c.agency,
        _CASES.c.handler,
    )
    .join(_CASES, _CASES.c.id == _CLOCKS.c.case_id)
    .where(_CLOCKS.c.status == "running", _CLOCKS.c.next_step_on <= bindparam("today"))
    .order_by(_CLOCKS.c.next_step_on, _CLOCKS.c.id)
)


def is_postgresql(connection: Connection) -> bool:
    """Whether the transaction runs on PostgreSQL (the sweep takes a lock and writes batches
    in parallel there)."""
    return connection.dialect.name == "postgresql"


def take_sweep_lock(connection: Connection) -> None:
    """PostgreSQL: wait until no other sweep runs, then hold the sweepers' lock until this
    transaction ends."""
    connection.execute(_ONE_SWEEPER_AT_A_TIME, {"key": _SWEEP_LOCK_KEY})


def due_clocks(connection: Connection, today: date, limit: int | None = None) -> Sequence[Any]:
    """The running clocks whose next ladder step falls on or before `today`, with their
    case's state, kind, reference, agency and handler; the earliest first."""
    query = _DUE_CLOCKS if not limit else _DUE_CLOCKS.limit(limit)
    return connection.execute(query, {"today": today}).all()


def write_batch(
    connection: Connection,
    clock_updates: list[dict[str, Any]],
    escalations: list[dict[str, Any]],
    notices: list[dict[str, Any]],
    events: list[AuditEvent],
    stamped: datetime,
) -> None:
    """One batch's rows, in the caller's transaction; the audit entries last, as appending
    them locks the chain's head until the transaction ends."""
    update_clock_steps(connection, _CLOCKS, clock_updates)
    insert_ignoring_duplicates(connection, _ESCALATIONS, escalations)
    insert_ignoring_duplicates(connection, _OUTBOX, notices)
    audit_log.append(connection, events, stamped)
