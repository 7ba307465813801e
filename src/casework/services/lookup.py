"""Find a case by its reference."""

from __future__ import annotations

from sqlmodel import Session, select

from casework.adapters.tables import CaseRow
from casework.domain.errors import NotFound


def load_case(session: Session, ref: str) -> CaseRow:
    case = session.exec(select(CaseRow).where(CaseRow.ref == ref)).first()
    if case is None:
        raise NotFound(f"no case {ref!r}; `casework case list` shows the cases")
    return case
