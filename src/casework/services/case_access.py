"""The visibility policy (domain/visibility.py) applied to stored cases: every path that shows
or touches a case asks here, with the officer who reads or acts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from casework.adapters.case_store import case_ref
from casework.adapters.case_visibility import exclusions_of
from casework.domain.access import Principal
from casework.domain.organisation import Organisation
from casework.domain.visibility import CaseAccess, CaseFacts, case_access, require_exists
from casework.services.app import Casework, legal_date
from casework.services.lookup import load_case_row, ref_of


def facts_of(case: Any, excluded: Iterable[str]) -> CaseFacts:
    """The policy's facts of a case read in any form that has its columns as attributes (a
    table row, a `StoredCase`, a row of a Core query), with the officers it excludes."""
    return CaseFacts(
        ref=case_ref(case.kind, case.received_on, case.id),
        kind=case.kind,
        agency=case.agency,
        logged_by=case.logged_by,
        handler=case.handler,
        excluded=frozenset(excluded),
    )


def access_to(
    org: Organisation, connection: Connection, principal: Principal | None, case: Any, today: date
) -> CaseAccess:
    """What `principal` may do with `case` (already read, see `facts_of`) on `today`."""
    excluded = exclusions_of(connection, [case.id])[case.id]
    return case_access(org, principal, facts_of(case, excluded), today)


def require_case_access(
    app: Casework, principal: Principal | None, ref: str, now: datetime
) -> CaseAccess:
    """The policy's answer for `principal` and case `ref`; the NotFound of a missing case if
    the case does not exist for him."""
    with app.reading() as session:
        case = load_case_row(session, ref)
        connection = session.connection()
        access = access_to(
            app.organisation(connection), connection, principal, case, legal_date(now)
        )
    require_exists(access, ref_of(case))
    return access
