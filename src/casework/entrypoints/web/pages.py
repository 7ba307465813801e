"""The pages: sign-in, my cases, a case with its clocks, timeline and allowed actions, the
reception form and its printable receipt. Every form carries the session's CSRF token; every
refusal is shown on the page it came from, with the services' own words."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import StrictUndefined

from casework.adapters.notice_templates import vn_date, vn_instant
from casework.domain import free_text
from casework.domain.access import Action, Principal
from casework.domain.errors import (
    CaseworkError,
    ConcurrentUpdate,
    NotAllowed,
    NotFound,
    NotSignedIn,
    TransitionRefused,
)
from casework.domain.free_text import as_iso_if_day, check_text, read_day
from casework.entrypoints.api.state import casework_of, now_of
from casework.entrypoints.web.i18n import LANGUAGES, TEXTS, words
from casework.entrypoints.web.labels import Labels, filters
from casework.entrypoints.web.session import (
    CSRF_FIELD,
    check_csrf,
    csrf_token,
    language,
    signed_in,
)
from casework.resources import web_templates_dir
from casework.services import sign_in_limits, web_sessions
from casework.services.advance import AdvanceCase, advance_case
from casework.services.app import legal_date
from casework.services.assignment import assign_case, assignable_handlers
from casework.services.audit_trail import audit_entries
from casework.services.authorisation import authorise, authorise_intake
from casework.services.case_access import require_case_access
from casework.services.case_notes import write_note
from casework.services.case_parties import confirm_outside, identify, recuse
from casework.services.case_views import (
    allowed_triggers,
    show_case_to,
)
from casework.services.escalations import list_escalations
from casework.services.intake import CHANNELS, log_case
from casework.services.intake_form import intake_command
from casework.services.letter_intake import KINDS as CLASSIFIED_KINDS
from casework.services.letter_intake import letter_receipt
from casework.services.read_models import CaseView
from casework.services.users import change_own_password, sign_in

_log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(web_templates_dir()))
templates.env.undefined = StrictUndefined  # a missing word or value is an error, not a blank
templates.env.filters.update(filters())


def _page(
    request: Request,
    name: str,
    principal: Principal | None,
    status_code: int = 200,
    flash: tuple[str, str] | None = None,
    alerts_waiting: int | None = None,
    **context: Any,
) -> HTMLResponse:
    """`name` rendered for `principal`, with the session's message — or `flash`, said on
    this very page (a refusal's, too long to ride in the session cookie)."""
    lang = language(request)
    flash = flash or request.session.pop("flash", None)
    app = casework_of(request)
    org = None
    waiting = 0
    if principal is not None:
        with app.reading() as session:
            org = app.organisation(session.connection())
        # the header's badge: the alerts still waiting for him (a page that lists them gives
        # their count, rather than have them read twice)
        waiting = (
            alerts_waiting
            if alerts_waiting is not None
            else len(list_escalations(app, principal, principal.username, unacknowledged=True))
        )
    return templates.TemplateResponse(
        request,
        name,
        {
            "lang": lang,
            "t": words(lang),
            "labels": Labels(app, org, lang, words(lang)),
            "alerts_waiting": waiting,
            "principal": principal,
            "can_log": bool(principal and principal.may(Action.LOG_CASE)),
            "can_dashboard": bool(principal and principal.may(Action.READ_DASHBOARD)),
            "csrf": csrf_token(request),
            "flash": flash[0] if flash else None,
            "flash_kind": flash[1] if flash else "",
            "today": legal_date(now_of(request)).isoformat(),
            **context,
        },
        status_code=status_code,
    )


_ERROR_KINDS = {403: "forbidden", 404: "not_found", 409: "conflict"}


def error_page(
    request: Request, status: int, error: CaseworkError | None, address: bool = False
) -> HTMLResponse:
    """A refusal or a missing page, as a page in the reader's language with a way back: the
    error's own words in English, its Vietnamese where it has them, else what the status means
    (a 404 says the same for a case that does not exist and one the reader may not see)."""
    lang = language(request)
    texts = words(lang)
    try:
        principal: Principal | None = signed_in(request)
    except Exception:  # not signed in, or the session ended: the page still answers
        principal = None
    kind = _ERROR_KINDS.get(status, "invalid" if 400 <= status < 500 else "failed")
    if error is not None and (lang != "vi" or error.vi):
        message = in_reader_language(request, error)
    else:
        message = texts["error_address_note" if address else f"error_{kind}_note"]
    return _page(
        request,
        "error.html",
        principal,
        status_code=status,
        heading=texts[f"error_{kind}"],
        message=message,
        back="/cases" if principal else "/login",
    )


def in_reader_language(request: Request, error: CaseworkError) -> str:
    """An error's words as the page's reader reads them: its Vietnamese on a Vietnamese page.
    Every refusal of what an officer typed has them (tests/unit/test_errors_in_vietnamese.py);
    one that has not — a fault of the installation — is said in Vietnamese as such, and its
    English goes to the server's log for the administrator."""
    if language(request) != "vi":
        return str(error)
    if error.vi:
        return error.vi
    _log.warning("refusal without Vietnamese words shown to an officer: %s", error)
    return words("vi")["refused_unexplained"]


def _back(request: Request, url: str, message: str, kind: str = "") -> RedirectResponse:
    request.session["flash"] = (message, kind)
    return RedirectResponse(url, status_code=303)


async def _form(request: Request, checked: bool = True) -> dict[str, str]:
    """The posted form, once its CSRF token is checked, and its fields (`_check_fields`)
    unless the caller checks them where a refusal can show the form again (`checked=False`)."""
    form = await request.form()
    check_csrf(request, str(form.get(CSRF_FIELD) or ""))
    fields = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    if checked:
        _check_fields(request, fields)
    return fields


def _check_fields(request: Request, fields: dict[str, str]) -> None:
    """No field may hold a control character other than a line break or a tab, nor be longer
    than a summary: each service then applies its own field's bounds; this keeps a NUL out of
    even the sign-in's database lookup."""
    for key, value in fields.items():
        check_text(
            f"the field {key!r}",
            value,
            free_text.SUMMARY,
            multiline=True,
            label_vi=_field_vi(request, fields, key),
        )


_FIELD_LABELS = {
    # signing in, one's password
    "username": "username",
    "password": "password",
    "current_password": "current_password",
    "new_password": "new_password",
    "repeat_password": "repeat_password",
    # the reception form
    "kind": "kind",
    "from_letter": "ref",
    "received_on": "received",
    "channel": "channel",
    "forwarded_by": "forwarded_by",
    "summary": "summary",
    "full_name": "denouncer_name",
    "address": "denouncer_address",
    "contact": "denouncer_contact",
    "id_number": "denouncer_id",
    "anonymous": "anonymous",
    "denounced_name": "denounced_name",
    "more_denounced": "more_denounced",
    "redenunciation_of": "redenunciation_of",
    "redenunciation_ground": "redenunciation_ground",
    "contested_decision": "contested_decision",
    "decision_known_on": "decision_known_on",
    "issuer_level": "issuer_level",
    "second_instance_of": "second_instance_of",
    "disciplinary": "disciplinary",
    "dismissal": "dismissal",
    "remote_area_reason": "remote_area_reason",
    # a case's forms: a step, an assignment, a party, a recusal
    "on": "on",
    "reason": "reason",
    "officer": "officer",
    # the dashboard's notice delivered by hand
    "how": "handed_how",
    # a note on a case
    "text": "note_text",
}
"""A form's field → the catalogue entry (i18n.TEXTS) of the label its form shows; a step's
fields (`field:NAME`) are named by the step's definition instead."""

STEP_FIELD_VI = "Thông tin nhập cho bước"
"""A step's field no definition describes (a form altered by hand)."""


def _field_vi(request: Request, fields: dict[str, str], key: str) -> str:
    """Form field `key` as its Vietnamese form names it, for a refusal of what was typed in
    it ("" for a field no form shows: the refusal then says "Nội dung nhập")."""
    if key.startswith("field:"):
        return _step_field_vi(request, key.removeprefix("field:"), fields.get("trigger", ""))
    entry = _FIELD_LABELS.get(key)
    if entry is None:
        return ""
    # the label without its note in parentheses: "Tên đăng nhập (mã cán bộ)"
    return re.sub(r"\s*\([^()]*\)$", "", TEXTS["vi"][entry])


def _step_field_vi(request: Request, name: str, trigger: str) -> str:
    """A step's field by the description its definition gives it in Vietnamese: the step
    `trigger` of the lifecycle whose references the case's (`ref` in the address) are."""
    prefix = str(request.path_params.get("ref", "")).strip().upper().partition("-")[0]
    lifecycles = list(casework_of(request).definitions.lifecycles.values())
    lifecycles.sort(key=lambda lifecycle: lifecycle.reference_prefix != prefix)  # its own first
    for lifecycle in lifecycles:
        for spec in lifecycle.transitions:
            for spec_field in spec.fields if spec.trigger == trigger else ():
                if spec_field.name == name:
                    return spec_field.description_in("vi")
    return STEP_FIELD_VI


@router.get("/")
def home(request: Request) -> RedirectResponse:
    """Heads and supervisors start on the dashboard; everyone else on the case list."""
    return RedirectResponse(_start_page(signed_in(request)), status_code=303)


def _start_page(principal: Principal) -> str:
    return "/dashboard" if principal.may(Action.READ_DASHBOARD) else "/cases"


@router.get("/lang/{code}")
def switch_language(request: Request, code: str) -> RedirectResponse:
    if code in LANGUAGES:
        request.session["lang"] = code
    referer = urlsplit(request.headers.get("referer") or "")
    back = referer.path + (f"?{referer.query}" if referer.query else "")
    same_site = not referer.netloc or referer.netloc == request.url.netloc
    return RedirectResponse(_local(back) if same_site else "/cases", 303)


@router.get("/login")
def login_page(request: Request) -> HTMLResponse:
    return _page(request, "login.html", None, username="", agency=_installation_name(request))


def _installation_name(request: Request) -> str:
    """The agencies at the top of the organisation, named on the sign-in page."""
    app = casework_of(request)
    with app.reading() as session:
        org = app.organisation(session.connection())
    return ", ".join(a.name for a in org.agencies.values() if a.superior is None)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await _form(request)
    username, now = form.get("username", ""), now_of(request)
    app = casework_of(request)
    client = request.client.host if request.client else ""
    try:
        sign_in_limits.check(app, username, client, now)
        principal = sign_in(app, username, form.get("password", ""))
    except NotSignedIn:
        left = sign_in_limits.failed(app, username, client, now)
        texts = words(language(request))
        said = texts["wrong_login"]
        if 0 < left <= 2:  # a warning before the lock-out
            said += " " + texts["attempts_left"].format(n=left)
        request.session["flash"] = (said, "")
        return _page(
            request,
            "login.html",
            None,
            status_code=401,
            username=username,
            agency=_installation_name(request),
        )
    except NotAllowed as locked:
        lang = language(request)
        request.session["flash"] = (in_reader_language(request, locked), "")
        return _page(
            request,
            "login.html",
            None,
            status_code=429,
            username=username,
            agency=_installation_name(request),
        )
    sign_in_limits.cleared(app, username)
    lang = request.session.get("lang", "vi")
    if earlier := request.session.get(web_sessions.COOKIE_KEY):
        web_sessions.end(app, str(earlier), now)  # signing in again ends the session before
    request.session.clear()  # a new session on sign-in: no fixation
    request.session.update(
        {
            web_sessions.COOKIE_KEY: web_sessions.begin(app, principal.username, client, now),
            "lang": lang,
        }
    )
    target = request.query_params.get("next") or _start_page(principal)
    return RedirectResponse(_local(target), status_code=303)


def _local(target: str | None) -> str:
    """`target` if it is a path on this site, else the case list: never a redirect away."""
    parts = urlsplit(target or "")
    if (
        not target
        or parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith(("//", "/\\"))
    ):
        return "/cases"
    return target


@router.post("/logout")
async def logout(request: Request) -> RedirectResponse:
    await _form(request)
    lang = request.session.get("lang", "vi")
    if session_id := request.session.get(web_sessions.COOKIE_KEY):
        web_sessions.end(casework_of(request), str(session_id), now_of(request))
    request.session.clear()
    request.session["lang"] = lang
    return RedirectResponse("/login", status_code=303)


@router.get("/account/password")
def password_form(request: Request) -> HTMLResponse:
    return _page(request, "password.html", signed_in(request))


@router.post("/account/password")
async def change_password(request: Request) -> Response:
    """The officer's own password: the current one, then the new one twice. Every session
    of his ends with the old password, so he signs in again with the new one."""
    principal = signed_in(request)
    form = await _form(request)
    lang = language(request)
    texts = words(lang)
    new = form.get("new_password", "")
    if new != form.get("repeat_password", ""):
        return _back(request, "/account/password", texts["password_mismatch"])
    try:
        change_own_password(
            casework_of(request),
            principal.username,
            form.get("current_password", ""),
            new,
            now_of(request),
        )
    except NotSignedIn:
        return _back(request, "/account/password", texts["password_wrong_current"])
    except CaseworkError as refused:
        return _back(request, "/account/password", in_reader_language(request, refused))
    request.session.clear()
    request.session["lang"] = lang
    return _back(request, "/login", texts["password_changed"], "ok")


@router.get("/cases/new")
def new_case_form(
    request: Request,
    from_letter: Annotated[str | None, Query(max_length=40)] = None,
    kind: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    """The reception form; with `from_letter`, a case classified from that logged letter
    (it keeps the letter's receipt date, channel and sender)."""
    principal = signed_in(request)
    authorise(casework_of(request), principal, Action.LOG_CASE, now_of(request))
    form = {"from_letter": from_letter or "", "kind": kind or ""} if from_letter else {}
    return _new_case_page(request, principal, form)


KIND_ORDER = ("denunciation", "complaint", "petition", "letter")


def _new_case_page(
    request: Request, principal: Principal, form: dict[str, str], status_code: int = 200
) -> HTMLResponse:
    # as reception meets them: denunciations, complaints, petitions, then unclassified letters
    kinds = sorted(
        casework_of(request).definitions.lifecycles,
        key=lambda kind: (KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER), kind),
    )
    letter = form.get("from_letter") or ""
    if letter:  # a letter is classified as a case of one of these kinds
        kinds = [k for k in kinds if k in CLASSIFIED_KINDS]
    return _page(
        request,
        "new_case.html",
        principal,
        status_code=status_code,
        kinds=kinds,
        channels=CHANNELS,
        form=form,
    )


_INTAKE_LABELS = {
    "received": "received date",
    "denouncer": "sender",
    "also_denounced": "other denounced parties",
}
"""The intake's fields as the reception form names them (services/intake_form.py)."""


@router.post("/cases/new")
async def log_new_case(request: Request) -> Response:
    principal = signed_in(request)
    authorise(casework_of(request), principal, Action.LOG_CASE, now_of(request))
    form = await _form(request, checked=False)
    name = form.get("full_name", "").strip()
    try:
        _check_fields(request, form)  # refused beside the form, with what was typed
        command = intake_command(
            {
                "kind": form.get("kind", ""),
                "agency": principal.agency,
                # a case classified from a letter keeps the letter's receipt date
                "received": None
                if form.get("from_letter")
                else form.get("received_on", "").strip() or None,
                "from_letter": form.get("from_letter", "").strip() or None,
                "summary": form.get("summary", ""),
                "denouncer": {
                    field: form.get(field, "")
                    for field in ("full_name", "address", "contact", "id_number")
                }
                if name
                else None,
                "anonymous": form.get("anonymous") == "yes",
                "denounced_name": form.get("denounced_name", ""),
                "also_denounced": [
                    line for line in form.get("more_denounced", "").splitlines() if line.strip()
                ],
                "channel": form.get("channel", "letter"),
                "forwarded_by": form.get("forwarded_by", "").strip() or None,
                # a denunciation made again to the superior; the ground counts only with it
                "redenunciation_of": form.get("redenunciation_of", "").strip() or None,
                "redenunciation_ground": form.get("redenunciation_ground", "").strip() or None
                if form.get("redenunciation_of", "").strip()
                else None,
                # a complaint's facts (the fieldset is ignored for another kind when empty)
                "complaint": {
                    field: form.get(field, "").strip()
                    for field in (
                        "contested_decision",
                        "decision_known_on",
                        "issuer_level",
                        "second_instance_of",
                        "disciplinary",
                        "dismissal",
                        "remote_area_reason",
                    )
                    if form.get(field, "").strip()
                    and not (field == "issuer_level" and form.get(field) == "other")
                }
                or None,
            },
            principal.username,
            legal_date(now_of(request)),
            lambda letter: letter_receipt(casework_of(request), letter),
            labels=_INTAKE_LABELS,
        )
        received = command.received_on
        authorise_intake(casework_of(request), principal, command, now_of(request))
        logged = log_case(casework_of(request), command, now_of(request))
    except CaseworkError as refused:
        request.session["flash"] = (in_reader_language(request, refused), "")
        return _new_case_page(request, principal, form, 422)
    try:
        require_case_access(casework_of(request), principal, logged.ref, now_of(request))
    except NotFound:
        # the letter may name the logger's own head, or him: the case belongs with the superior
        # and does not exist for him (domain/visibility.py) — say it was logged, not "not found"
        request.session["flash"] = (
            words(language(request))["logged_withheld"].format(
                ref=logged.ref, received=received.strftime("%d/%m/%Y")
            ),
            "ok",
        )
        return RedirectResponse("/cases/new", status_code=303)
    request.session["repeat_of"] = logged.repeat_of
    if logged.candidates:
        texts = words(language(request))
        request.session["flash"] = (
            " ".join(
                texts["logged_candidates"].format(typed=typed, names=", ".join(names))
                for typed, names in _candidates_by_name(logged.candidates).items()
            ),
            "",
        )
    return RedirectResponse(f"/cases/{quote(logged.ref)}/receipt", status_code=303)


def _candidates_by_name(candidates: list[dict[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for candidate in candidates:
        grouped.setdefault(candidate["typed"], []).append(candidate["name"])
    return grouped


def _visible_case(request: Request, principal: Principal, ref: str) -> CaseView:
    return show_case_to(casework_of(request), principal, ref, now_of(request))


@router.get("/cases/{ref}")
def case_page(request: Request, ref: str) -> HTMLResponse:
    principal = signed_in(request)
    return _case_page(request, principal, ref, request.session.pop("refill", None))


def _case_page(
    request: Request,
    principal: Principal,
    ref: str,
    refill: Any,
    status_code: int = 200,
    flash: tuple[str, str] | None = None,
) -> HTMLResponse:
    """The case page; `refill`: a refused step's input, shown again beside its reason."""
    view = _visible_case(request, principal, ref)
    steps = (
        allowed_triggers(casework_of(request), ref, now_of(request), actor=principal.username)
        if principal.may(Action.ADVANCE_CASE)
        else None
    )
    triggers = steps["triggers"] if steps else []
    # barred from every step (another agency's case, a conflict of interest): one note and
    # the steps' names, not a form each that would only repeat it
    barred = steps["barred_vi"] if steps else []
    app = casework_of(request)
    assignable: list[dict[str, str]] = []
    if principal.may(Action.ASSIGN_CASE):
        assignable = assignable_handlers(app, view["ref"])
    identity_reads = (
        [
            e
            for e in audit_entries(app, principal, now_of(request), view["ref"], limit=200)
            if e["action"] == "identity.viewed"
        ]
        if principal.may(Action.READ_AUDIT)
        else []
    )
    # the policy's own answer (domain/visibility.py): the button only for who may press it
    may_see_sender = require_case_access(app, principal, view["ref"], now_of(request)).identity
    return _page(
        request,
        "case.html",
        principal,
        status_code=status_code,
        flash=flash,
        barred=barred,
        case=view,
        may_see_sender=may_see_sender,
        refill=refill if isinstance(refill, dict) else None,
        triggers=triggers,
        assignable=assignable,
        identity_reads=identity_reads,
        can_confirm_outside=principal.may(Action.CONFIRM_OUTSIDE),
        can_recuse=principal.may(Action.RECUSE),
        can_note=principal.may(Action.WRITE_NOTE),
        timeline=timeline(view),
    )


_ORDER = {"received": 0, "assigned": 1, "unassigned": 1}


def timeline(view: CaseView) -> list[tuple[str, Any]]:
    """The case's receipt, assignments, steps and notes as one sequence by day ("event",
    "step" or "note", the entry): on one day, the receipt first, then assignments, then steps,
    then notes, each as ordered."""
    entries: list[tuple[str, int, int, str, Any]] = [
        (event["on"], _ORDER.get(event["what"], 1), index, "event", event)
        for index, event in enumerate(view["events"])
    ]
    entries += [(step["on"], 2, index, "step", step) for index, step in enumerate(view["history"])]
    entries += [
        (legal_date(datetime.fromisoformat(note["at"])).isoformat(), 3, index, "note", note)
        for index, note in enumerate(view["notes"])
    ]
    return [(kind, entry) for _, _, _, kind, entry in sorted(entries, key=lambda e: e[:3])]


@router.post("/cases/{ref}/parties/{number}/identify")
async def identify_party(request: Request, ref: str, number: int) -> RedirectResponse:
    principal = signed_in(request)
    form = await _form(request)
    url = f"/cases/{quote(ref)}"
    texts = words(language(request))
    try:
        authorise(casework_of(request), principal, Action.IDENTIFY_PARTY, now_of(request), ref=ref)
        identify(
            casework_of(request),
            principal,
            ref,
            number,
            form.get("officer", ""),
            form.get("reason", ""),
            now_of(request),
        )
    except CaseworkError as refused:
        return _refused(request, url, refused)
    return _after_party_change(request, principal, ref, texts["party_done"].format(ref=ref))


@router.post("/cases/{ref}/parties/{number}/confirm-outside")
async def confirm_party_outside(request: Request, ref: str, number: int) -> RedirectResponse:
    principal = signed_in(request)
    form = await _form(request)
    url = f"/cases/{quote(ref)}"
    texts = words(language(request))
    try:
        authorise(casework_of(request), principal, Action.CONFIRM_OUTSIDE, now_of(request), ref=ref)
        confirm_outside(
            casework_of(request), principal, ref, number, form.get("reason", ""), now_of(request)
        )
    except CaseworkError as refused:
        return _refused(request, url, refused)
    return _back(request, url, texts["party_done"].format(ref=ref), "ok")


@router.post("/cases/{ref}/notes")
async def note_on(request: Request, ref: str) -> RedirectResponse:
    """An internal note written on the case page (handlers, heads, supervisors)."""
    principal = signed_in(request)
    form = await _form(request)
    texts = words(language(request))
    url = f"/cases/{quote(ref)}"
    try:
        write_note(casework_of(request), ref, principal, form.get("text", ""), now_of(request))
    except CaseworkError as refused:
        return _refused(request, url, refused)
    return _back(request, url, texts["note_written"], "ok")


@router.post("/cases/{ref}/recuse")
async def recuse_from(request: Request, ref: str) -> RedirectResponse:
    principal = signed_in(request)
    form = await _form(request)
    texts = words(language(request))
    try:
        authorise(casework_of(request), principal, Action.RECUSE, now_of(request), ref=ref)
        recuse(casework_of(request), principal, ref, form.get("reason", ""), now_of(request))
    except CaseworkError as refused:
        return _refused(request, f"/cases/{quote(ref)}", refused)
    # the case no longer exists for him: back to his list, not to a page that answers 404
    return _back(request, "/cases", texts["recused"].format(ref=ref), "ok")


def _kept_input(form: dict[str, str], why: str) -> dict[str, Any]:
    """What the officer typed into a refused step, for its form to show again with the
    reason beside it."""
    return {
        "trigger": form.get("trigger", ""),
        "on": form.get("on", ""),
        "reason": form.get("reason", ""),
        "fields": {
            key.removeprefix("field:"): value
            for key, value in form.items()
            if key.startswith("field:")
        },
        "error": why,
    }


def _refused(request: Request, url: str, refused: CaseworkError) -> RedirectResponse:
    """Back to the case page with the refusal in the page's words; to the list when the case
    does not exist for the officer (its page would answer 404 and leave the message unread)."""
    message = f"{words(language(request))['refused']}: {in_reader_language(request, refused)}"
    return _back(request, "/cases" if isinstance(refused, NotFound) else url, message)


def _after_party_change(
    request: Request, principal: Principal, ref: str, message: str
) -> RedirectResponse:
    """Back to the case, or to the list if the change excluded the officer who made it."""
    try:
        require_case_access(casework_of(request), principal, ref, now_of(request))
    except NotFound:
        return _back(request, "/cases", message, "ok")
    return _back(request, f"/cases/{quote(ref)}", message, "ok")


@router.post("/cases/{ref}/assign")
async def assign(request: Request, ref: str) -> RedirectResponse:
    principal = signed_in(request)
    form = await _form(request)
    url = f"/cases/{quote(ref)}"
    try:
        authorise(casework_of(request), principal, Action.ASSIGN_CASE, now_of(request), ref=ref)
        assign_case(
            casework_of(request),
            ref,
            form.get("officer", ""),
            principal.username,
            form.get("reason", ""),
            now_of(request),
        )
    except CaseworkError as refused:
        return _refused(request, url, refused)
    return _back(request, url, _assigned_message(request, ref, form.get("officer", "")), "ok")


def _assigned_message(request: Request, ref: str, officer: str) -> str:
    """ "Đã giao Ngô Thị Lan xử lý hồ sơ …": the officer by his name, never his login."""
    app = casework_of(request)
    lang = language(request)
    with app.reading() as session:
        org = app.organisation(session.connection())
    name = Labels(app, org, lang, words(lang)).officer(officer)
    return words(lang)["assigned_to"].format(name=name, ref=ref)


@router.post("/cases/{ref}/identity")
async def identity(request: Request, ref: str) -> HTMLResponse:
    """The denouncer's or complainant's identity, for those the law lets see it; the view is
    recorded on the audit trail, which the resolver reads on the case page. A form post with
    the page's token, never a link: another site cannot make a head "view" it, and nothing
    keeps a copy (no-store)."""
    principal = signed_in(request)
    await _form(request)
    app = casework_of(request)
    view = show_case_to(app, principal, ref, now_of(request), reveal_identity=True)
    page = _page(
        request,
        "identity.html",
        principal,
        case=view,
        identity=view["denouncer"],
        typed=_typed_rows(app, view, language(request)),
    )
    page.headers.update(PRIVATE)
    return page


def _typed_rows(app: Any, view: Any, lang: str) -> list[tuple[str, str, str]]:
    """(when, what, the text as typed) for the identity page: each step's reason and free-text
    fields under the step's title, then what else was recorded naming the sender (a recusal's
    or a party's reason). A field with a closed list of choices holds a code, not a text."""
    lifecycle = app.definitions.lifecycle(view["kind"])
    rows = []
    for step in view["history"]:
        spec = lifecycle.transition_for(step["trigger"], step["from"])
        free = {f.name for f in spec.fields if not f.choices}
        texts = [step["reason"], *(v for k, v in step["data"].items() if k in free)]
        for text in filter(None, texts):
            rows.append((vn_date(step["on"]), spec.title_in(lang), str(text)))
    for entry in view.get("typed_entries", []):
        text = entry["payload"].get("reason") or entry["payload"].get("why")
        if entry["action"] != "case.advanced" and text:
            rows.append((vn_instant(entry["recorded_at"]), "", str(text)))
    return rows


PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@router.post("/cases/{ref}/advance")
async def advance(request: Request, ref: str) -> Response:
    principal = signed_in(request)
    form = await _form(request, checked=False)
    url = f"/cases/{quote(ref)}"
    try:
        _check_fields(request, form)
        authorise(casework_of(request), principal, Action.ADVANCE_CASE, now_of(request), ref=ref)
        on = read_day(form["on"]) if form.get("on") else None
        version = form.get("expected_version")
        result = advance_case(
            casework_of(request),
            AdvanceCase(
                ref=ref,
                trigger=form.get("trigger", ""),
                on=on,
                actor=principal.username,
                reason=form.get("reason", ""),
                data={  # a date typed day first is passed on as ISO, as the rules read it
                    key.removeprefix("field:"): as_iso_if_day(value)
                    for key, value in form.items()
                    if key.startswith("field:") and value.strip()
                },
                expected_version=int(version) if version and version.isdigit() else None,
            ),
            now_of(request),
        )
    except ValueError:
        why = words(language(request))["bad_date"]
        return _refused_step(request, principal, ref, form, why, 422)
    except NotFound as refused:
        return _refused(request, url, refused)
    except CaseworkError as refused:
        status = 409 if isinstance(refused, (TransitionRefused, ConcurrentUpdate)) else 422
        why = in_reader_language(request, refused)
        return _refused_step(request, principal, ref, form, why, status)
    app = casework_of(request)
    lang = language(request)
    labels = Labels(app, None, lang, words(lang))
    kind = result.kind
    done = (
        f"{labels.step(kind, result.trigger, result.from_state)}: "
        f"{labels.state(kind, result.from_state)} → "
        f"{labels.state(kind, result.to_state)}"
    )
    return _back(request, url, done, "ok")


def _refused_step(
    request: Request, principal: Principal, ref: str, form: dict[str, str], why: str, status: int
) -> HTMLResponse:
    """The case page again, said at once (never through the session cookie, which a long
    reason in Vietnamese would overflow and the browser drop, message and input with it): the
    refusal at the top and beside the step's form, what was typed kept in it."""
    message = f"{words(language(request))['refused']}: {why}"
    return _case_page(
        request, principal, ref, _kept_input(form, why), status_code=status, flash=(message, "")
    )


@router.get("/cases/{ref}/receipt")
def receipt(request: Request, ref: str) -> HTMLResponse:
    principal = signed_in(request)
    view = _visible_case(request, principal, ref)
    settings = casework_of(request).settings
    return _page(
        request,
        "receipt.html",
        principal,
        case=view,
        repeat_of=request.session.pop("repeat_of", None),
        link=f"{settings.public_url.rstrip('/')}/cases/{view['ref']}",
    )
