"""Find the earlier case a new one repeats: same kind, same sender, same subject. The new case
is linked to the first of them (`repeat_of`) and counted once in statistics."""

from __future__ import annotations

from sqlalchemy import Connection, select

from casework.adapters.case_store import CASES, IDENTITIES, case_ref


def earlier_case(
    connection: Connection, kind: str, agency: str, sender_key: str, subject_key: str
) -> str | None:
    """The reference of the first case of `agency` this one repeats, or None. Only the same
    agency's cases are searched: telling one agency's desk who wrote to another would disclose
    a denouncer (LTC Art. 8(3))."""
    if not (sender_key and subject_key):
        return None
    row = connection.execute(
        select(CASES.c.id, CASES.c.kind, CASES.c.received_on, CASES.c.attributes)
        .join(IDENTITIES, IDENTITIES.c.case_id == CASES.c.id)
        .where(
            IDENTITIES.c.sender_key == sender_key,
            CASES.c.subject_key == subject_key,
            CASES.c.kind == kind,
            CASES.c.agency == agency,
        )
        .order_by(CASES.c.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    first = (row.attributes or {}).get("repeat_of")
    return str(first) if first else case_ref(row.kind, row.received_on, row.id)
