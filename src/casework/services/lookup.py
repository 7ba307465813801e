"""Find a case by its reference (for the read side, through the ORM)."""

from __future__ import annotations

from sqlmodel import Session

from casework.adapters.case_store import case_id_of, case_ref
from casework.adapters.tables import CaseRow
from casework.domain.errors import NotFound


def load_case_row(session: Session, ref: str) -> CaseRow:
    case = session.get(CaseRow, case_id_of(ref))
    if case is None or case_ref(case.kind, case.received_on, case.id or 0) != ref.strip().upper():
        raise NotFound(f"no case {ref!r}; `casework case list` shows the cases")
    return case


def ref_of(case: CaseRow) -> str:
    return case_ref(case.kind, case.received_on, case.id or 0)
