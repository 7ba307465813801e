"""The visibility policy (domain/visibility.py) applied to one stored case: every path that
shows or touches a single case asks here, with the officer who reads or acts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from casework.adapters.case_visibility import exclusions_of
from casework.adapters.tables import CaseRow
from casework.domain.access import Principal
from casework.domain.visibility import CaseAccess, CaseFacts, case_access, require_exists
from casework.services.app import Casework, legal_date
from casework.services.lookup import load_case_row, ref_of


def access_to(
    app: Casework, connection: Connection, principal: Principal | None, case: CaseRow, now: datetime
) -> CaseAccess:
    """What `principal` may do with `case` (already read) on the day of `now`."""
    case_id = case.id or 0
    facts = CaseFacts(
        ref=ref_of(case),
        kind=case.kind,
        agency=case.agency,
        logged_by=case.logged_by,
        handler=case.handler,
        excluded=frozenset(exclusions_of(connection, [case_id])[case_id]),
    )
    return case_access(app.organisation(connection), principal, facts, legal_date(now))


def require_case_access(
    app: Casework, principal: Principal | None, ref: str, now: datetime
) -> CaseAccess:
    """The policy's answer for `principal` and case `ref`; the NotFound of a missing case if
    the case does not exist for him."""
    with app.reading() as session:
        case = load_case_row(session, ref)
        access = access_to(app, session.connection(), principal, case, now)
    require_exists(access, ref_of(case))
    return access
