"""The loaded organisation as stored: its agencies, officers, relations and acting heads, and
the stamp of the file they were loaded from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, select

from casework.adapters.tables import (
    ORGANISATION_STAMP,
    ActingRow,
    AgencyRow,
    EngineStateRow,
    OfficerRow,
    RelationRow,
)
from casework.domain.organisation import (
    Acting,
    Agency,
    Kinship,
    Officer,
    Organisation,
    Relation,
    Role,
)

_ENGINE_STATE = EngineStateRow.__table__  # type: ignore[attr-defined]
_SELECT_ORGANISATION_STAMP = select(_ENGINE_STATE.c.value).where(
    _ENGINE_STATE.c.key == ORGANISATION_STAMP
)


def organisation_stamp(connection: Connection) -> str | None:
    """The stamp of the loaded organisation file; None before any is loaded."""
    stamp: str | None = connection.execute(_SELECT_ORGANISATION_STAMP).scalar_one_or_none()
    return stamp


def read_organisation(connection: Connection) -> Organisation:
    """The organisation as loaded.

    Core, not a Session: a flow run reads the organisation once in a fresh process, where the
    ORM's query compilation cost more than the four small reads themselves."""

    def rows(table: Any) -> Sequence[Row[Any]]:
        return connection.execute(select(table.__table__)).all()

    agencies = {
        row.code: Agency(
            code=row.code,
            name=row.name,
            kind=row.kind,
            head=row.head,
            deputies=tuple(row.deputies),
            inspectorate=row.inspectorate,
            superior=row.superior,
        )
        for row in rows(AgencyRow)
    }
    officers = {
        row.code: Officer(
            code=row.code,
            name=row.name,
            agency=row.agency,
            roles=tuple(Role(r) for r in row.roles),
            email=row.email,
            title=row.title,
        )
        for row in rows(OfficerRow)
    }
    relations = tuple(
        Relation(
            officer=row.officer,
            kinship=Kinship(row.kinship),
            person_name=row.person_name,
            person_officer=row.person_officer,
        )
        for row in rows(RelationRow)
    )
    acting = tuple(
        Acting(
            officer=row.officer,
            agency=row.agency,
            start=row.start,
            end=row.end,
            reason=row.reason,
        )
        for row in rows(ActingRow)
    )
    return Organisation(agencies=agencies, officers=officers, relations=relations, acting=acting)
