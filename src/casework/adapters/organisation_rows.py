"""The loaded organisation as stored: its agencies, officers, relations and acting heads, and
the stamp of the file they were loaded from; and the codes of it that cases refer to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, delete, func, select
from sqlmodel import Session

from casework.adapters.tables import (
    ORGANISATION_STAMP,
    ActingRow,
    AgencyRow,
    CaseRow,
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


def replace_organisation(connection: Connection, org: Organisation, stamp: str) -> None:
    """Replace the stored organisation by `org` (every agency, officer, relation and acting
    head) and record `stamp` as the loaded file's, inside the caller's transaction."""
    with Session(bind=connection) as session:
        for table in (ActingRow, RelationRow, OfficerRow, AgencyRow):
            session.execute(delete(table))
        for agency in org.agencies.values():
            session.add(
                AgencyRow(
                    code=agency.code,
                    name=agency.name,
                    kind=agency.kind,
                    head=agency.head,
                    deputies=list(agency.deputies),
                    inspectorate=agency.inspectorate,
                    superior=agency.superior,
                )
            )
        for officer in org.officers.values():
            session.add(
                OfficerRow(
                    code=officer.code,
                    name=officer.name,
                    agency=officer.agency,
                    roles=[r.value for r in officer.roles],
                    email=officer.email,
                    title=officer.title,
                )
            )
        for relation in org.relations:
            session.add(
                RelationRow(
                    officer=relation.officer,
                    kinship=relation.kinship.value,
                    person_name=relation.person_name,
                    person_officer=relation.person_officer,
                )
            )
        session.merge(EngineStateRow(key=ORGANISATION_STAMP, value=stamp))
        for acting in org.acting:
            session.add(
                ActingRow(
                    officer=acting.officer,
                    agency=acting.agency,
                    start=acting.start,
                    end=acting.end,
                    reason=acting.reason,
                )
            )
        session.flush()


CASE_REFERENCES = ("agency", "handler", "denounced_officer")
"""The columns of a case that name an agency or officer of the organisation."""


def case_references(connection: Connection) -> dict[str, list[tuple[str, int]]]:
    """Each of `CASE_REFERENCES` → the codes cases hold in it, with how many cases hold each
    (one query per column)."""
    cases = CaseRow.__table__  # type: ignore[attr-defined]
    found: dict[str, list[tuple[str, int]]] = {}
    for name in CASE_REFERENCES:
        column = cases.c[name]
        rows = connection.execute(
            select(column, func.count()).where(column.is_not(None)).group_by(column)
        ).all()
        found[name] = [(code, count) for code, count in rows]
    return found
