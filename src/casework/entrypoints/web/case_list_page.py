"""The case list (issue 27): tabs with their counts — "Của tôi" (assigned to the officer), the
unassigned queue (for who assigns), overdue, due soon, every open case, the closed ones — a
search typed with or without diacritics, filters, an order, pages of 50, and assigning the
ticked cases to one handler at once.

What the list holds is the services' (services/case_views.list_cases within the viewer's
scope, services/case_tabs for the tabs): this module reads the request and draws the page."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from casework.domain.access import Action, Principal
from casework.domain.errors import CaseworkError, InvalidInput, said
from casework.domain.free_text import read_day
from casework.domain.organisation import Role
from casework.entrypoints.api.state import casework_of, now_of
from casework.entrypoints.web.i18n import words
from casework.entrypoints.web.pages import _back, _form, _local, _page, in_reader_language
from casework.entrypoints.web.session import language, signed_in
from casework.services.app import Casework
from casework.services.authorisation import scope_of, scoped_filter
from casework.services.bulk_actions import BulkResult, assign_many
from casework.services.case_tabs import default_tab, tab_counts, tab_filter, tabs_of
from casework.services.case_views import CaseFilter, list_cases

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
Short = Annotated[str, Query(max_length=100)]


def _typed_day(text: str, label_vi: str) -> date | None:
    """A date of the filters as typed (dd/mm/yyyy, or what a date picker sends), or None."""
    if not text.strip():
        return None
    try:
        return read_day(text)
    except ValueError:
        raise said(
            InvalidInput(f"{text!r} is not a date: write it as dd/mm/yyyy"),
            f"«{text}» ở ô «{label_vi}» không phải là ngày: nhập theo dạng ngày/tháng/năm, "
            "ví dụ 07/02/2024",
        ) from None


@router.get("/cases")
def case_list(
    request: Request,
    tab: Annotated[str, Query(max_length=20)] = "",
    q: Annotated[str, Query(max_length=400)] = "",
    kind: Short = "",
    state: Short = "",
    clock: Short = "",
    agency: Short = "",
    handler: Short = "",
    received_from: Annotated[str, Query(max_length=20)] = "",
    received_to: Annotated[str, Query(max_length=20)] = "",
    sort: Annotated[str, Query(max_length=20)] = "due",
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    # the dashboard's figures open the list narrowed so (issue 26)
    overdue: Annotated[int, Query(ge=0, le=1)] = 0,
    due_within: Annotated[int | None, Query(ge=0, le=60)] = None,
    unassigned: Annotated[int, Query(ge=0, le=1)] = 0,
) -> HTMLResponse:
    principal = signed_in(request)
    app = casework_of(request)
    now = now_of(request)
    texts = words(language(request))
    narrowed = bool(agency or overdue or unassigned or due_within is not None)
    tab = tab or ("open" if narrowed else default_tab(principal))
    typed = {
        "q": q,
        "kind": kind,
        "state": state,
        "clock": clock,
        "agency": agency,
        "handler": handler,
        "received_from": received_from,
        "received_to": received_to,
        "sort": sort,
        "overdue": overdue or "",
        "due_within": "" if due_within is None else due_within,
        "unassigned": unassigned or "",
    }
    rows: list[Any] = []
    flash = None
    status = 200
    export: str | None = None  # no export of filters that were refused
    try:
        chosen = tab_filter(
            tab,
            principal,
            CaseFilter(
                search=q,
                kind=kind or None,
                state=state or None,
                clock=clock or None,
                agency=agency or None,
                handler=handler or None,
                received_from=_typed_day(received_from, texts["received_from"]),
                received_to=_typed_day(received_to, texts["received_to"]),
                sort=sort,
                overdue=bool(overdue),
                due_within=due_within,
                unassigned=bool(unassigned),
                limit=PAGE_SIZE + 1,
                offset=offset,
            ),
        )
        rows = list_cases(app, scoped_filter(app, principal, chosen), now)
        export = _export_query(chosen)
    except CaseworkError as refused:
        flash = (f"{texts['filters_refused']}: {in_reader_language(request, refused)}", "error")
        status = 422
    kept = {key: value for key, value in typed.items() if value not in ("", None)}
    if sort == "due":
        kept.pop("sort", None)  # the default order, left out of the links
    counts = tab_counts(app, principal, now)
    return _page(
        request,
        "cases.html",
        principal,
        status_code=status,
        flash=flash,
        cases=rows[:PAGE_SIZE],
        tab=tab,
        tabs=[
            {"name": name, "count": counts.get(name), "url": _url(kept, tab=name)}
            for name in tabs_of(principal)
        ],
        typed=typed,
        narrowed=narrowed,
        choices=_choices(app, principal),
        page_url=_url(kept, tab=tab),
        export_query=export,
        next_offset=offset + PAGE_SIZE if len(rows) > PAGE_SIZE else None,
        previous_offset=max(0, offset - PAGE_SIZE) if offset > 0 else None,
        offset=offset,
        can_assign=principal.may(Action.ASSIGN_CASE),
    )


def _url(kept: dict[str, Any], **more: Any) -> str:
    return "/cases?" + urlencode({**kept, **more})


def _export_query(chosen: CaseFilter) -> str:
    """The CSV export's query for the cases of `chosen` (the API's names)."""
    pairs = {
        "q": chosen.search,
        "kind": chosen.kind,
        "state": chosen.state,
        "clock": chosen.clock,
        "agency": chosen.agency,
        "handler": chosen.handler,
        "received_from": chosen.received_from.isoformat() if chosen.received_from else None,
        "received_to": chosen.received_to.isoformat() if chosen.received_to else None,
        "status": chosen.status,
        "overdue": "true" if chosen.overdue else None,
        "upcoming": "true" if chosen.upcoming else None,
        "unassigned": "true" if chosen.unassigned else None,
        "due_within": chosen.due_within,
    }
    return urlencode({key: value for key, value in pairs.items() if value not in (None, "")})


def _choices(app: Casework, principal: Principal) -> dict[str, list[tuple[str, str]]]:
    """The filters' options, as (value, label) in the reader's words: the kinds, the states
    (each once, by its legal names), the clocks by their titles, the units in the officer's
    scope and their handlers."""
    with app.reading() as session:
        org = app.organisation(session.connection())
    scope = scope_of(app, principal)
    lifecycles = app.definitions.lifecycles
    # a state shared by several kinds filters them all: named by each of its legal names
    names: dict[str, list[str]] = {}
    for lifecycle in lifecycles.values():
        for code, state in lifecycle.states.items():
            if state.legal_name not in names.setdefault(code, []):
                names[code].append(state.legal_name)
    states = {code: " / ".join(found) for code, found in names.items()}
    units = sorted(
        (code for code in org.agencies if scope is None or code in scope),
        key=lambda code: org.agencies[code].name,
    )
    handlers = sorted(
        (o for o in org.officers.values() if Role.HANDLER in o.roles and o.agency in units),
        key=lambda o: o.name,
    )
    return {
        "kinds": [(kind, kind) for kind in lifecycles],
        "states": sorted(states.items(), key=lambda item: item[1]),
        "clocks": [(code, code) for code in app.rules.codes],
        "agencies": [(code, org.agencies[code].name) for code in units],
        "handlers": [(o.code, f"{o.name} ({org.agencies[o.agency].name})") for o in handlers],
    }


@router.post("/cases/bulk-assign")
async def bulk_assign(request: Request) -> RedirectResponse:
    """Assign the ticked cases to one handler; back to the list with what was done and what
    was refused, each by its reference."""
    principal = signed_in(request)
    fields = await _form(request)
    refs = (await request.form()).getlist("refs")
    back = _local(fields.get("back"))
    texts = words(language(request))
    app = casework_of(request)
    officer = fields.get("officer", "")
    try:
        result = assign_many(
            app, [str(ref) for ref in refs], officer, principal, "", now_of(request)
        )
    except CaseworkError as refused:
        return _back(request, back, f"{texts['refused']}: {in_reader_language(request, refused)}")
    with app.reading() as session:
        org = app.organisation(session.connection())
    name = org.officers[officer].name if officer in org.officers else officer
    message = bulk_said(request, result, "bulk_assigned", name=name)
    return _back(request, back, message, "ok" if not result.refused else "")


SHOWN_DONE = 10  # references named in a bulk action's message; the rest are counted
SHOWN_REFUSED = 3  # refusals given with their reason; the rest are counted


def bulk_said(request: Request, result: BulkResult, done_key: str, **more: str) -> str:
    """What a bulk action did, short enough to ride in the session cookie to the next page
    (a browser drops a cookie over 4 KB, and the officer would read nothing): the first
    references done and the first refusals with why, the others counted."""
    texts = words(language(request))
    said = []
    if result.done:
        named = ", ".join(result.done[:SHOWN_DONE])
        if len(result.done) > SHOWN_DONE:
            named += " " + texts["and_more"].format(n=len(result.done) - SHOWN_DONE)
        said.append(texts[done_key].format(n=len(result.done), refs=named, **more))
    said += [
        texts["bulk_refused"].format(item=item, why=in_reader_language(request, why))
        for item, why in result.refused[:SHOWN_REFUSED]
    ]
    if len(result.refused) > SHOWN_REFUSED:
        said.append(texts["bulk_refused_more"].format(n=len(result.refused) - SHOWN_REFUSED))
    return " ".join(said)
