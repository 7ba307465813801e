"""/api/audit: the audit trail, for heads, supervisors and administrators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from casework.domain.access import Action
from casework.domain.errors import NotAllowed
from casework.domain.row_ids import MAX_ROW_ID
from casework.entrypoints.api.fields import LineQuery
from casework.entrypoints.api.responses import AuditPage, AuditVerification
from casework.entrypoints.api.security import CurrentPrincipal
from casework.entrypoints.api.state import casework_of, now_of
from casework.services.audit_trail import audit_entries, verify_audit_trail
from casework.services.authorisation import authorise, scope_of

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.get("", summary="Audit entries, newest first (a case's, or all for administrators)")
def entries(
    request: Request,
    principal: CurrentPrincipal,
    case: LineQuery = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
) -> AuditPage:
    app = casework_of(request)
    authorise(app, principal, Action.READ_AUDIT, now_of(request), ref=case or None)
    if not case and scope_of(app, principal) is not None:
        raise NotAllowed("the whole trail is for administrators: give ?case=REF")
    items = audit_entries(app, principal, now_of(request), case, limit, before_id)
    return {"items": items, "next_before_id": items[-1]["id"] if len(items) == limit else None}


@router.get("/verify", summary="Recompute the hash chain")
def verify(request: Request, principal: CurrentPrincipal) -> AuditVerification:
    authorise(casework_of(request), principal, Action.READ_AUDIT, now_of(request))
    result = verify_audit_trail(casework_of(request))
    return {
        "intact": result.is_intact,
        "entries": result.entries,
        "first_broken_id": result.first_broken_id,
        "problem": result.problem,
    }
