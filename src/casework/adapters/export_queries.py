"""The SQL of the cases export (services/case_export.py): the cases in id order, a batch at a
time, each with the nearest due date of its running duty clocks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from casework.adapters.case_reads import CaseFilter, apply_case_filters
from casework.adapters.case_store import CASES, CLOCKS
from casework.domain.escalation import NO_LADDER

# built once: the nearest due date of each case with a running duty clock
_NEXT_DUE = (
    select(CLOCKS.c.case_id, func.min(CLOCKS.c.due).label("next_due"))
    .where(CLOCKS.c.status == "running", CLOCKS.c.ladder != NO_LADDER)
    .group_by(CLOCKS.c.case_id)
    .subquery()
)


def cases_after(connection: Connection, after: int, limit: int, filters: CaseFilter) -> list[Any]:
    """The first `limit` cases with an id above `after` that `filters` keep (the case list's
    filters and scope; their limit, offset and due dates are not applied), in id order: every
    column of `case_file` and `next_due` (None without a running duty clock), as mappings."""
    query = (
        select(CASES, _NEXT_DUE.c.next_due)
        .outerjoin(_NEXT_DUE, _NEXT_DUE.c.case_id == CASES.c.id)
        .where(CASES.c.id > after)
        .order_by(CASES.c.id)
        .limit(limit)
    )
    return list(connection.execute(apply_case_filters(query, filters, connection)).mappings().all())
