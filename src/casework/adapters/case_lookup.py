"""Find a case row by its reference (the read side, through the ORM)."""

from __future__ import annotations

from sqlmodel import Session, select

from casework.adapters.case_store import canonical_ref
from casework.adapters.tables import CaseRow
from casework.domain.visibility import hidden


def load_case_row(session: Session, ref: str) -> CaseRow:
    """The case `ref` names, or NotFound (also for a text that is no reference)."""
    case = session.exec(select(CaseRow).where(CaseRow.reference == canonical_ref(ref))).first()
    if case is None:
        raise hidden(ref)  # the answer for a hidden case too: nothing tells them apart
    return case


def ref_of(case: CaseRow) -> str:
    """The case's reference."""
    return case.reference
