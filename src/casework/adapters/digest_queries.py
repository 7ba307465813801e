"""The SQL of the daily digest (services/digest.py): the running duty clocks due by a day, the
open alerts, and which of their recipients have acknowledged them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from casework.adapters.alert_store import ACKS, ESCALATIONS, is_current
from casework.adapters.case_store import CASES, CLOCKS
from casework.domain.escalation import NO_LADDER


def duty_clocks_due(connection: Connection, horizon: date) -> list[Any]:
    """The running duty clocks due by `horizon`, soonest first, each with its case's id,
    reference, kind, agency, logged_by and handler (what the visibility policy reads)."""
    return list(
        connection.execute(
            select(
                CLOCKS.c.code,
                CLOCKS.c.due,
                CLOCKS.c.rule_version,
                CASES.c.id,
                CASES.c.reference,
                CASES.c.kind,
                CASES.c.agency,
                CASES.c.logged_by,
                CASES.c.handler,
            )
            .join(CASES, CASES.c.id == CLOCKS.c.case_id)
            .where(
                CLOCKS.c.status == "running",
                CLOCKS.c.due <= horizon,
                CLOCKS.c.ladder != NO_LADDER,  # the parties' windows are not duties
            )
            .order_by(CLOCKS.c.due)
        ).all()
    )


def open_alerts(connection: Connection) -> list[Any]:
    """The open alerts (escalation rows), each with its case's reference."""
    return list(
        connection.execute(
            select(ESCALATIONS, CASES.c.reference)
            .join(CASES, CASES.c.id == ESCALATIONS.c.case_id)
            .join(CLOCKS, CLOCKS.c.id == ESCALATIONS.c.clock_id)
            .where(is_current())  # one alert per clock, at its level; closed ones are history
        ).all()
    )


def acknowledged(connection: Connection, escalation_ids: Iterable[int]) -> set[tuple[int, str]]:
    """(escalation id, officer) for each acknowledgement of `escalation_ids`."""
    return {
        (escalation_id, officer)
        for escalation_id, officer in connection.execute(
            select(ACKS.c.escalation_id, ACKS.c.officer).where(
                ACKS.c.escalation_id.in_(list(escalation_ids))
            )
        )
    }
