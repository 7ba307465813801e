"""May this officer do this, here: the one check the REST API, the web UI and the CLI make
before they call a service on an officer's behalf.

The rules live in the domain (roles and agencies in domain/access.py, the case policy in
domain/visibility.py); this module reads from the store what they need and applies them in one
order, the same for every entrypoint:

1. the officer's roles allow the action (else NotAllowed, naming the roles that may);
2. an agency named by the request is within his scope (else NotAllowed);
3. a case named by the request exists for him (else the NotFound of a case that does not
   exist at all: nobody learns that a case names them).

An entrypoint names its officer: the API and the web UI from the signed-in login or token, the
CLI from `--by` (or the configured operator, `CASEWORK_OPERATOR`). Work the engine does on its
own (the sweep, the delivery of notices, the digest) acts for nobody and shows no case.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from casework.adapters.case_lookup import load_case_row
from casework.adapters.case_visibility import exclusion_reason
from casework.domain.access import (
    Action,
    Principal,
    agencies_under,
    require_visible,
    visible_agencies,
)
from casework.domain.citations import cite_vi
from casework.domain.errors import NotAllowed, NotFound, said
from casework.domain.organisation import Organisation
from casework.domain.visibility import CaseAccess
from casework.services.app import Casework
from casework.services.case_access import require_case_access
from casework.services.case_views import CaseFilter
from casework.services.intake import LogCase


def authorise(
    app: Casework,
    principal: Principal,
    action: Action,
    now: datetime,
    *,
    ref: str | None = None,
    agency: str | None = None,
) -> CaseAccess | None:
    """Refuse unless `principal` may take `action` (on case `ref`, in `agency`); the policy's
    answer for the case when one is named."""
    principal.require(action)
    if agency:
        with app.reading() as session:
            org = app.organisation(session.connection())
        org.agency(agency)  # an unknown code is an error naming the known ones
        require_visible(org, principal, agency)
    if ref is None:
        return None
    return require_case_access(app, principal, ref, now)


def authorise_case(
    app: Casework, principal: Principal, action: Action, now: datetime, ref: str
) -> CaseAccess:
    """`authorise` for an action on case `ref`: the policy's answer for it."""
    principal.require(action)
    return require_case_access(app, principal, ref, now)


def authorise_intake(app: Casework, principal: Principal, command: LogCase, now: datetime) -> None:
    """Refuse a case `principal` may not log: his roles, the resolving agency's scope, and
    every earlier case the new one links to. The source letter of a classification must exist
    for him (and then the case may go to another, competent agency); a case denounced again to
    a superior, or a complaint's first instance, lies in a lower agency outside a reception
    officer's scope: it must lie below the new case's agency and not exclude him
    (`require_linkable`)."""
    if command.from_letter:
        # the desk that holds the letter classifies it, also into a case for the competent
        # agency elsewhere: the letter must exist for him, the new case's agency need not be his
        authorise(app, principal, Action.LOG_CASE, now, ref=command.from_letter)
    else:
        authorise(app, principal, Action.LOG_CASE, now, agency=command.agency or None)
    linked = [
        command.redenunciation.of_ref if command.redenunciation else None,
        command.complaint.second_instance_of if command.complaint else None,
    ]
    for ref in filter(None, linked):
        require_linkable(app, principal, ref, command.agency)


def require_linkable(app: Casework, principal: Principal, ref: str, agency: str) -> None:
    """The NotFound of a missing case unless case `ref` may be linked from a new case of
    `agency`: it lies in that agency or one below it (an original denounced again to its
    superior, a complaint's first instance) and does not exclude `principal`. Anything else
    would let a desk probe other agencies' cases by the errors it gets back."""
    with app.reading() as session:
        connection = session.connection()
        org = app.organisation(connection)
        # one answer for a missing case and one that may not be linked: they read alike
        unlinkable = _unlinkable(org, ref, agency)
        try:
            case = load_case_row(session, ref)
        except NotFound:
            raise unlinkable from None
        reason = exclusion_reason(connection, case.id or 0, principal.username)
    if reason is not None or not agency or case.agency not in agencies_under(org, agency):
        raise unlinkable


def _unlinkable(org: Organisation, ref: str, agency: str) -> NotFound:
    """What `require_linkable` answers for case `ref`, whether it is missing or not linkable."""
    where = org.agencies[agency].name if agency in org.agencies else "cơ quan"
    return said(
        NotFound(
            f"no case {ref!r} in {agency or 'the agency'} or an agency below it: a "
            "re-denunciation or a second complaint goes to the direct superior of the agency "
            "that handled the first (LTC Arts. 37–38; LKN Art. 37)"
        ),
        f"Không có hồ sơ số «{ref}» tại {where} hoặc cơ quan cấp dưới: tố cáo tiếp hoặc khiếu "
        "nại lần hai gửi đến cơ quan cấp trên trực tiếp của cơ quan đã giải quyết lần đầu "
        f"({cite_vi('LTC Arts. 37–38; LKN Art. 37')})",
    )


def scope_of(app: Casework, principal: Principal) -> frozenset[str] | None:
    """The agencies whose cases `principal` may see; None for all."""
    with app.reading() as session:
        return visible_agencies(app.organisation(session.connection()), principal)


def scoped_filter(
    app: Casework, principal: Principal, filters: CaseFilter, action: Action = Action.READ_CASES
) -> CaseFilter:
    """`filters` narrowed to what `principal` may list: his agencies, and never a case that
    excludes him (domain/visibility.py, applied in SQL by the list)."""
    principal.require(action)
    name = ""
    if filters.agency:
        with app.reading() as session:
            # an unknown code is an error naming the known ones
            name = app.organisation(session.connection()).agency(filters.agency).name
    scope = scope_of(app, principal)
    if filters.agency and scope is not None and filters.agency not in scope:
        raise said(
            NotAllowed(f"{filters.agency} is outside {principal.username}'s agencies"),
            f"{name} nằm ngoài phạm vi các cơ quan đồng chí được xem",
        )
    return replace(filters, agencies=scope, viewer=principal.username)


def require_self_or(principal: Principal, officer: str, action: Action) -> None:
    """Refuse unless `principal` is `officer` himself or may take `action` on others (an
    officer changes his own password; an administrator anyone's)."""
    if principal.username != officer:
        principal.require(action)
