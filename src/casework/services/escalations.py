"""Escalations as their recipients see them: list the alerts on the cases an officer may see,
and acknowledge one addressed to him.

One alert per clock: the ladder's steps for a clock's due date are one alert, raised in place.
The newest step fired is the alert's level, and its recipients are everyone any of its steps
told, the new level's first; the earlier steps' rows are its history, not alerts of their own.
It is open while its clock runs with that due date, and closes when the clock stops, pauses or
moves to another due date (the ladder then starts again for that date).

Acknowledgement is per recipient and per level: each officer an alert reached answers for
himself, one head's acknowledgement never silences it for another, and a raised alert waits
for everyone again. An alert on a case that does not
exist for an officer (domain/visibility.py: he is denounced in it, a relative, recused…) is
neither listed for him nor acknowledgeable by him, whatever its recipients say.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from casework.adapters import alert_store
from casework.adapters.audit_log import AuditEvent
from casework.adapters.case_visibility import exclusions_of
from casework.adapters.database import stored_instant
from casework.adapters.unit_of_work import Transaction
from casework.config import LEGAL_TIMEZONE
from casework.domain.access import Principal, visible_agencies
from casework.domain.errors import InvalidInput, NotFound, said
from casework.domain.escalation import merged_recipients
from casework.domain.row_ids import MAX_ROW_ID
from casework.domain.visibility import alert_reaches
from casework.services.app import Casework
from casework.services.case_access import facts_for
from casework.services.read_models import Alert
from casework.services.sealing import append_audit


def alert_recipients(
    connection: Transaction, rows: Sequence[Any]
) -> dict[int, list[dict[str, str]]]:
    """For each escalation row, everyone its alert has told up to that step: the row's own
    recipients first, then those of the earlier steps for the same clock and due date — less
    the officers the case excludes now (one told before he recused, or was found to be a
    party, neither sees the alert nor is waited for)."""
    if not rows:
        return {}
    excluded = exclusions_of(connection, (row.case_id for row in rows))
    clock_ids = sorted({row.clock_id for row in rows})
    history: dict[tuple[int, Any], list[Any]] = {}
    for step in alert_store.steps_of_clocks(connection, clock_ids):
        history.setdefault((step.clock_id, step.due), []).append(step)
    result = {}
    for row in rows:
        steps = history.get((row.clock_id, row.due), [])
        told = merged_recipients(step.recipients for step in steps if step.id <= row.id)
        result[row.id] = [t for t in told if t["officer"] not in excluded[row.case_id]]
    return result


def list_escalations(
    app: Casework,
    viewer: Principal,
    officer: str | None = None,
    unacknowledged: bool = False,
    limit: int = 100,
) -> list[Alert]:
    """The alerts on cases that exist for `viewer`, newest first. `officer` keeps those
    addressed to that officer; `unacknowledged` those still waiting for `officer` (or, without
    one, for any of their recipients)."""
    with app.reading() as session:
        connection = session.connection()
        org = app.organisation(connection)
        if officer:
            org.officer(officer)
        scope = visible_agencies(org, viewer)
        if viewer.username not in org.officers:
            return []  # fail closed: an officer the organisation does not know sees nothing
        candidates = []
        # a raised or closed alert waits for nobody: `unacknowledged` reads open ones only
        rows = alert_store.alert_rows(
            connection,
            viewer.username,
            current_only=unacknowledged,
            waiting_for=officer if unacknowledged else None,
        )
        told = alert_recipients(connection, rows)
        for row in rows:
            recipients = [r["officer"] for r in told[row.id]]
            if officer and officer not in recipients:
                continue
            # his own alerts reach him wherever the ladder found him (domain/visibility.py:
            # alert_reaches, the exclusions applied in SQL above); others' within his agencies
            if viewer.username not in recipients and scope is not None and row.agency not in scope:
                continue
            candidates.append((row, recipients))
        acks_of = alert_store.acknowledgements(connection, [row.id for row, _ in candidates])
        result: list[Alert] = []
        for row, recipients in candidates:
            acks = acks_of.get(row.id, {})
            waiting = [r for r in recipients if r not in acks] if row.current else []
            if unacknowledged and not officer and not waiting:
                continue
            result.append(
                {
                    "id": row.id,
                    "case": row.reference,
                    "clock": row.clock_code,
                    "step": row.step,
                    "due": row.due.isoformat(),
                    "fires_on": row.fires_on.isoformat(),
                    "recipients": recipients,
                    # open while its clock runs to this due date at this level; else raised
                    # into a later step's alert, or closed with its clock
                    "open": bool(row.current),
                    "acknowledged": [
                        {"officer": code, "at": at.isoformat()} for code, at in acks.items()
                    ],
                    "waiting_for": waiting,
                }
            )
            if len(result) >= limit:
                break
    return result


def acknowledge(app: Casework, escalation_id: int, officer: Principal, now: datetime) -> str:
    """Record that `officer`, a recipient, has seen the alert; returns the case reference. An
    alert not addressed to him, or on a case that does not exist for him, is answered as a
    missing one: ids are not to be probed."""
    missing = said(
        NotFound(
            f"no escalation {escalation_id} addressed to {officer.username}; `casework "
            "escalations list --officer` shows yours"
        ),
        f"Không có cảnh báo số {escalation_id} gửi đồng chí; danh sách «Cảnh báo của tôi» "
        "gồm các cảnh báo gửi đồng chí",
    )
    if not 1 <= escalation_id <= MAX_ROW_ID:
        raise missing
    with app.transaction() as connection:
        org = app.organisation(connection)
        row = alert_store.alert_row(connection, escalation_id)
        told = alert_recipients(connection, [row]).get(escalation_id, []) if row else []
        if row is None or officer.username not in {r["officer"] for r in told}:
            raise missing
        case = facts_for(connection, [row.case_id])[row.case_id]
        if not alert_reaches(org, officer.username, case):
            raise missing
        ref = str(row.reference)
        if not row.current:
            raise said(
                InvalidInput(
                    f"escalation {escalation_id} on {ref} is no longer open: it was raised to a "
                    "later step, or its clock stopped or moved; `casework escalations list "
                    "--unacknowledged --officer` shows what waits for you"
                ),
                f"Cảnh báo số {escalation_id} về hồ sơ {ref} không còn hiệu lực: cảnh báo đã "
                "chuyển sang mức sau, hoặc thời hạn đã kết thúc hay thay đổi; xem các cảnh báo "
                "đang chờ đồng chí xác nhận",
            )
        earlier = alert_store.acknowledged_at(connection, escalation_id, officer.username)
        if earlier is not None:
            raise said(
                InvalidInput(
                    f"you already acknowledged escalation {escalation_id} on {ref} "
                    f"({earlier.astimezone(UTC).isoformat()})"
                ),
                f"Đồng chí đã xác nhận cảnh báo số {escalation_id} về hồ sơ {ref} lúc "
                f"{stored_instant(earlier).astimezone(LEGAL_TIMEZONE).strftime('%H:%M %d/%m/%Y')}",
            )
        if not alert_store.record_acknowledgement(
            connection, escalation_id, officer.username, now.astimezone(UTC)
        ):
            raise said(
                InvalidInput(f"you already acknowledged escalation {escalation_id} on {ref}"),
                f"Đồng chí đã xác nhận cảnh báo số {escalation_id} về hồ sơ {ref}",
            )
        append_audit(
            app,
            connection,
            [
                AuditEvent(
                    "escalation.acknowledged",
                    officer.username,
                    ref,
                    {"escalation": escalation_id, "step": row.step, "clock": row.clock_code},
                )
            ],
            now,
        )
    return ref
