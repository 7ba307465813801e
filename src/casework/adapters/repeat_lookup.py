"""Find the earlier case a new one repeats: same kind, same sender, same subject. The new case
is linked to the first of them (`repeat_of`) and counted once in statistics."""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, select

from casework.adapters.case_store import CASES, IDENTITIES

# Built once: composing the query anew cost more than running it (measured, 2026-12). The
# identities' (repeat_key, case_id) index gives the first match directly; case_file is only
# read by its key, so no planner can pick a walk through a subject's cases instead.
_FIRST_WITH_REPEAT_KEY = (
    select(CASES.c.reference, CASES.c.attributes)
    .select_from(IDENTITIES)
    .join(CASES, CASES.c.id == IDENTITIES.c.case_id)
    .where(IDENTITIES.c.repeat_key == bindparam("repeat_key"))
    .order_by(IDENTITIES.c.case_id)
    .limit(1)
)


def earlier_case(connection: Connection, repeat_key: str) -> str | None:
    """The reference of the first case this one repeats (`domain.repeats.repeat_key`), or None.
    The key holds the agency, so only the same agency's cases are searched: telling one
    agency's desk who wrote to another would disclose a denouncer (LTC Art. 8(3))."""
    if not repeat_key:
        return None
    row = connection.execute(_FIRST_WITH_REPEAT_KEY, {"repeat_key": repeat_key}).first()
    if row is None:
        return None
    first = (row.attributes or {}).get("repeat_of")
    return str(first) if first else str(row.reference)
