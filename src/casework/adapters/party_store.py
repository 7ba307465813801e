"""The parties of cases and the recusals of officers as stored, and what the exclusion rule
reads of the cases (services/exclusions.py and services/case_parties.py hold the rules). A
party row is read back as stored: `services.exclusions.party_of` makes it a `Party`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select, update
from sqlalchemy.exc import IntegrityError

from casework.adapters.case_store import CASES
from casework.adapters.tables import CasePartyRow, CaseRecusalRow
from casework.domain.parties import Party, PartyKind

PARTIES = CasePartyRow.__table__  # type: ignore[attr-defined]
RECUSALS = CaseRecusalRow.__table__  # type: ignore[attr-defined]


def insert_parties(connection: Connection, case_id: int, parties: Iterable[Party]) -> None:
    """Store the parties of case `case_id` just logged (none confirmed outside yet)."""
    rows = [
        {
            "case_id": case_id,
            "role": p.role.value,
            "kind": p.kind.value,
            "name": p.name,
            "officer": p.officer,
            "agency": p.agency,
            "candidates": list(p.candidates),
            "outside_confirmed_by": p.outside_confirmed_by,
            "outside_reason": "",
        }
        for p in parties
    ]
    if rows:
        connection.execute(PARTIES.insert(), rows)


def parties_of_case(connection: Connection, case_id: int) -> list[Row[Any]]:
    """The party rows of case `case_id`, in the order they were stored."""
    return list(
        connection.execute(
            select(PARTIES).where(PARTIES.c.case_id == case_id).order_by(PARTIES.c.id)
        ).all()
    )


def parties_by_case(connection: Connection, ids: set[int] | None) -> dict[int, list[Row[Any]]]:
    """Case id → its party rows in the order stored, for the cases `ids` (every case if
    None) that have parties."""
    query = select(PARTIES).order_by(PARTIES.c.id)
    if ids is not None:
        query = query.where(PARTIES.c.case_id.in_(sorted(ids)))
    found: dict[int, list[Row[Any]]] = {}
    for row in connection.execute(query):
        found.setdefault(row.case_id, []).append(row)
    return found


def confirm_outside(
    connection: Connection, party_id: int, by: str, at: datetime, reason: str
) -> None:
    """Record on party row `party_id` that `by` confirmed it an outside person at `at`, with
    `reason`."""
    connection.execute(
        update(PARTIES)
        .where(PARTIES.c.id == party_id)
        .values(outside_confirmed_by=by, outside_confirmed_at=at, outside_reason=reason)
    )


def identify_officer(connection: Connection, party_id: int, officer: str) -> None:
    """Record that party row `party_id` is the officer `officer`."""
    connection.execute(
        update(PARTIES)
        .where(PARTIES.c.id == party_id)
        .values(kind=PartyKind.OFFICER.value, officer=officer)
    )


def set_candidates(connection: Connection, party_id: int, candidates: Iterable[str]) -> None:
    """Store the officers the typed name of party row `party_id` may be."""
    connection.execute(
        update(PARTIES).where(PARTIES.c.id == party_id).values(candidates=list(candidates))
    )


def record_recusal(
    connection: Connection, case_id: int, officer: str, reason: str, at: datetime
) -> bool:
    """Store that `officer` recused himself from case `case_id` at `at`, with `reason`;
    False (and nothing written, the transaction still usable) if he already had."""
    try:
        with connection.begin_nested():
            connection.execute(
                RECUSALS.insert().values(
                    case_id=case_id, officer=officer, reason=reason, recorded_at=at
                )
            )
    except IntegrityError:
        return False
    return True


def recusals_by_case(connection: Connection, ids: set[int] | None) -> dict[int, list[str]]:
    """Case id → the officers who recused themselves from it, for the cases `ids` (every case
    if None) that have recusals."""
    query = select(RECUSALS.c.case_id, RECUSALS.c.officer)
    if ids is not None:
        query = query.where(RECUSALS.c.case_id.in_(sorted(ids)))
    found: dict[int, list[str]] = {}
    for case_id, officer in connection.execute(query):
        found.setdefault(case_id, []).append(officer)
    return found


def exclusion_cases(connection: Connection, ids: set[int] | None) -> dict[int, Any]:
    """Case id → what the exclusion rule reads of the case (id, kind, received_on,
    attributes), for the cases `ids` that exist (every case if None)."""
    query = select(CASES.c.id, CASES.c.kind, CASES.c.received_on, CASES.c.attributes)
    if ids is not None:
        query = query.where(CASES.c.id.in_(sorted(ids)))
    return {row.id: row for row in connection.execute(query)}
