"""`casework case`: log, show, list and advance cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from casework.domain.access import Action
from casework.domain.errors import InvalidInput
from casework.entrypoints.cli.common import (
    By,
    acting,
    casework_app,
    command_group,
    emit_json,
    handles_errors,
    parse_assignments,
    parse_date,
    table,
    wall_clock,
)
from casework.services.advance import AdvanceCase, advance_case
from casework.services.assignment import assign_case
from casework.services.authorisation import (
    authorise,
    authorise_case,
    authorise_intake,
    scoped_filter,
)
from casework.services.bulk_actions import assign_many
from casework.services.case_notes import write_note
from casework.services.case_parties import confirm_outside, identify, parties_of, recuse
from casework.services.case_views import CaseFilter, allowed_triggers, list_cases, show_case_to
from casework.services.complaint_intake import ISSUER_LEVELS
from casework.services.intake import CHANNELS, log_case
from casework.services.intake_form import INTAKE_FIELDS, intake_command
from casework.services.letter_intake import letter_receipt
from casework.services.redenunciation_intake import GROUNDS
from casework.services.rule_explanations import Scenario, explain_case, what_if

PARTY_LABELS = {
    "complaint": ("complainant", "respondent"),
    "petition": ("sender", "concerning"),
    "letter": ("sender", "concerning"),
}
"""How the two sides are called in each kind (stored alike: the identity, and who is named)."""

app = command_group("Log, show, list and advance cases.")

_FILE_KEYS = {*INTAKE_FIELDS, "by"} - {"kind"}
"""What a case file (`--from-file`) may hold: the intake's fields, and who logs it."""
_LABELS = {
    "agency": "--agency",
    "received": "--received",
    "anonymous": "the case file's anonymous",
    "denouncer": "'denouncer' in the file",
    "complaint": "'complaint' in the file",
    "complaint.decision_known_on": "--decision-known-on",
    "classified_on": "--classified-on",
    "also_denounced": "--also-denounced",
}
"""The intake's fields as a command-line user knows them (services/intake_form.py)."""


def _read_case_file(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None
    except yaml.MarkedYAMLError as exc:  # say where, never echo the (confidential) content
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InvalidInput(f"{path} is not valid YAML{where}: {exc.problem}") from None
    except (yaml.YAMLError, ValueError):
        raise InvalidInput(
            f"{path} holds a value YAML cannot read (an impossible date?); dates are YYYY-MM-DD"
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput(f"{path} must hold a mapping of fields")
    unknown = sorted(set(data) - _FILE_KEYS)
    if unknown:
        raise InvalidInput(
            f"{path}: unknown fields {', '.join(unknown)}; allowed: {', '.join(sorted(_FILE_KEYS))}"
        )
    return data


@app.command("new")
@handles_errors
def new(
    kind: Annotated[
        str,
        typer.Argument(
            help="case kind: denunciation, complaint, petition or letter (not yet classified)"
        ),
    ],
    agency: Annotated[
        str | None, typer.Option(help="code of the agency that must resolve it")
    ] = None,
    received: Annotated[
        str | None, typer.Option(help="date on the 'ĐẾN' stamp, YYYY-MM-DD (default today)")
    ] = None,
    summary: Annotated[str | None, typer.Option(help="what the letter is about")] = None,
    denouncer_name: Annotated[
        str | None,
        typer.Option(
            "--denouncer-name",
            "--complainant-name",
            "--sender-name",
            help="full name of the denouncer, complainant or sender (kept confidential)",
        ),
    ] = None,
    denouncer_address: Annotated[
        str,
        typer.Option(
            "--denouncer-address",
            "--complainant-address",
            "--sender-address",
            help="their address (confidential)",
        ),
    ] = "",
    denouncer_contact: Annotated[
        str,
        typer.Option(
            "--denouncer-contact",
            "--complainant-contact",
            "--sender-contact",
            help="phone or email (confidential)",
        ),
    ] = "",
    denouncer_id: Annotated[
        str,
        typer.Option(
            "--denouncer-id", "--complainant-id", "--sender-id", help="citizen ID (confidential)"
        ),
    ] = "",
    denouncer_email: Annotated[
        str,
        typer.Option(
            "--denouncer-email",
            "--complainant-email",
            "--sender-email",
            help="email for the notices the law sends them (confidential)",
        ),
    ] = "",
    anonymous: Annotated[
        bool, typer.Option(help="no identifiable denouncer: recorded as intelligence (LTC Art. 25)")
    ] = False,
    historical: Annotated[
        str,
        typer.Option(
            help="why a case received before every deadline rule is logged all the same (an "
            "old file imported): it then has no legal clock"
        ),
    ] = "",
    denounced_name: Annotated[
        str,
        typer.Option(
            "--denounced-name",
            "--respondent-name",
            help="the denounced person or body (for a complaint: who made the decision or act)",
        ),
    ] = "",
    denounced_officer: Annotated[
        str | None,
        typer.Option(
            "--denounced-officer",
            "--respondent-officer",
            help="officer code, if the denounced (or respondent) is an officer",
        ),
    ] = None,
    denounced_agency: Annotated[
        str | None,
        typer.Option(
            "--denounced-agency",
            "--respondent-agency",
            help="agency code, if an agency is denounced (or made the decision)",
        ),
    ] = None,
    also_denounced: Annotated[
        list[str] | None,
        typer.Option(
            help="another party the denunciation names: a name as the letter gives it, "
            "officer:CODE or agency:CODE; repeat for each"
        ),
    ] = None,
    denounced_email: Annotated[
        str,
        typer.Option(
            "--denounced-email",
            "--respondent-email",
            help="email for notices to a denounced person (or respondent) who is not an officer",
        ),
    ] = "",
    decision_known_on: Annotated[
        str | None,
        typer.Option(
            help="complaint: day the complainant received or learnt of the decision, YYYY-MM-DD"
        ),
    ] = None,
    contested_decision: Annotated[
        str, typer.Option(help="complaint: the contested decision or act, e.g. 'QĐ 12/QĐ-UBND'")
    ] = "",
    remote_area: Annotated[
        str,
        typer.Option(
            help="complaint: remote area (vùng sâu, vùng xa), longer periods (LKN Arts. 28, "
            "37); give the reason, e.g. 'xã đặc biệt khó khăn, cách trụ sở 60 km'"
        ),
    ] = "",
    disciplinary: Annotated[
        bool, typer.Option(help="complaint against a disciplinary decision (LKN Chapter IV)")
    ] = False,
    dismissal: Annotated[
        bool, typer.Option(help="complaint: the discipline is dismissal (LKN Art. 48)")
    ] = False,
    issuer_level: Annotated[
        str,
        typer.Option(help=f"complaint: who issued the decision: {', '.join(ISSUER_LEVELS)}"),
    ] = "other",
    second_instance_of: Annotated[
        str | None,
        typer.Option(help="complaint: reference of the first-instance case this one continues"),
    ] = None,
    channel: Annotated[str, typer.Option(help=f"how it arrived: {', '.join(CHANNELS)}")] = "letter",
    forwarded_by: Annotated[
        str | None,
        typer.Option(
            help="press or authority that forwarded it (starts the reply or report clock the "
            "law gives the forwarder)"
        ),
    ] = None,
    from_letter: Annotated[
        str | None,
        typer.Option(
            help="the logged letter this case is classified from (DON-…): its receipt date, "
            "channel and sender carry over; repeat for each content of a mixed letter"
        ),
    ] = None,
    classified_on: Annotated[
        str | None,
        typer.Option(
            help="with --from-letter: the day the letter was classified, YYYY-MM-DD (default "
            "today); it stops the letter-handling clock"
        ),
    ] = None,
    redenunciation_of: Annotated[
        str | None,
        typer.Option(
            help="denunciation: the earlier case, denounced again to this superior agency "
            "(LTC Arts. 37–38); the denouncer and denounced are carried over"
        ),
    ] = None,
    redenunciation_ground: Annotated[
        str | None,
        typer.Option(
            help=f"with --redenunciation-of: {' or '.join(GROUNDS)} (resolved unlawfully, "
            "Art. 37, the default; not resolved in time, Art. 38)"
        ),
    ] = None,
    by: By = None,
    from_file: Annotated[Path | None, typer.Option(help="YAML/JSON file with these fields")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Log a case the day it arrives (a paper letter may be back-dated with --received)."""
    fields: dict[str, Any] = _read_case_file(from_file) if from_file else {}
    now = wall_clock()
    officer = acting(by or fields.pop("by", None), "logging a case")
    # the options given override the file, field by field (the sender's and the complaint's
    # fields one by one too); the dates of options are read here, to name the option
    identity = {
        "full_name": denouncer_name,
        "address": denouncer_address,
        "contact": denouncer_contact,
        "id_number": denouncer_id,
        "email": denouncer_email,
    }
    complaint = {
        "decision_known_on": parse_date(decision_known_on, "--decision-known-on"),
        "contested_decision": contested_decision,
        "remote_area": remote_area,
        "disciplinary": disciplinary,
        "dismissal": dismissal,
        "issuer_level": issuer_level if issuer_level != "other" else None,
        "second_instance_of": second_instance_of,
    }
    options = {
        "agency": agency,
        "received": parse_date(received, "--received"),
        "summary": summary,
        "anonymous": anonymous,
        "historical": historical,
        "denounced_name": denounced_name,
        "denounced_officer": denounced_officer,
        "denounced_agency": denounced_agency,
        "denounced_email": denounced_email,
        "also_denounced": also_denounced,
        "channel": channel if channel != "letter" else None,
        "forwarded_by": forwarded_by,
        "from_letter": from_letter,
        "classified_on": parse_date(classified_on, "--classified-on"),
        "redenunciation_of": redenunciation_of,
        "redenunciation_ground": redenunciation_ground,
    }
    merged = {**fields, **_given(options), "kind": kind}
    for name, given in (("denouncer", identity), ("complaint", complaint)):
        if _given(given):
            in_file = fields.get(name) or {}
            merged[name] = {**in_file, **_given(given)} if isinstance(in_file, dict) else in_file
    if merged.get("from_letter"):  # its receipt date is read only by whoever the letter exists for
        authorise(casework_app(), officer, Action.LOG_CASE, now, ref=str(merged["from_letter"]))
    command = intake_command(
        merged,
        officer.username,
        now.date(),
        lambda letter: letter_receipt(casework_app(), letter),
        labels=_LABELS,
    )
    authorise_intake(casework_app(), officer, command, now)
    logged = log_case(casework_app(), command, now)
    if as_json:
        emit_json(
            {
                "ref": logged.ref,
                "state": logged.state,
                "clocks": logged.clocks,
                "repeat_of": logged.repeat_of,
                "candidates": logged.candidates,
            }
        )
        return
    typer.echo(f"logged {logged.ref} ({logged.state})")
    for clock in logged.clocks:
        typer.echo(f"  {clock['code']}: due {clock['due']}")
    for candidate in logged.candidates:
        typer.echo(
            f"  note: {candidate['typed']!r} may be the officer {candidate['name']} "
            f"({candidate['officer']}): he is treated as denounced, and sees nothing of the "
            "case, until a head who is not a candidate confirms on the record that it is "
            "someone else"
        )
    if logged.repeat_of:
        typer.echo(
            f"  note: the same sender already wrote about the same matter in {logged.repeat_of}; "
            "linked as a repeat (counted once in statistics). If nothing is new, the letter "
            "may be filed without handling (TT05/2021)"
        )


def _given(values: dict[str, Any]) -> dict[str, Any]:
    """The options given on the command line (left at their defaults: not given)."""
    return {name: value for name, value in values.items() if value not in (None, "", False, [])}


_IDENTITY_LABELS = (("id_number", "ID"), ("contact", "contact"), ("email", "email"))


@app.command("show")
@handles_errors
def show(
    ref: Annotated[str, typer.Argument(help="case reference, e.g. TC-2026-000001")],
    explain: Annotated[bool, typer.Option(help="explain how each due date was computed")] = False,
    reveal_identity: Annotated[
        bool,
        typer.Option(help="show the denouncer's identity, to those the law allows (recorded)"),
    ] = False,
    by: By = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Show a case: state, clocks with due dates, history and escalations."""
    officer = acting(by, "reading a case")
    now = wall_clock()
    authorise(casework_app(), officer, Action.READ_CASES, now, ref=ref)
    view = show_case_to(casework_app(), officer, ref, now, reveal_identity=reveal_identity)
    if as_json:
        emit_json(view)
        return
    typer.echo(
        f"{view['ref']}  {view['kind']}  state: {view['state']} — {view['state_legal_name']}"
    )
    typer.echo(
        f"  agency: {view['agency_name']} ({view['agency']})   handler: "
        f"{view['handler_name'] or '-'}   received: {view['received_on']} ({view['channel']})"
    )
    typer.echo(f"  summary: {view['summary']}")
    if view["without_clock"]:
        why = view["attributes"].get("historical_import")
        typer.echo(
            "  ! no legal clock watches this open case: it can never be overdue nor escalated"
            + (f" (logged as a historical import: {why})" if why else "")
        )
    sender, other = PARTY_LABELS.get(view["kind"], ("denouncer", "denounced"))
    if view["denounced"]["name"] or view["denounced"]["agency"]:
        typer.echo(f"  {other}: {view['denounced']['name'] or view['denounced']['agency']}")
    if view["denouncer"]:
        who = view["denouncer"]
        # withheld: the view says why and how to ask ({"identity": "confidential (…)"})
        parts = [who.get("full_name") or who.get("identity") or "", who.get("address") or ""]
        parts += [f"{label} {value}" for key, label in _IDENTITY_LABELS if (value := who.get(key))]
        typer.echo(f"  {sender}: {', '.join(p for p in parts if p)}")
    if view["forwarded_by"]:
        typer.echo(f"  forwarded by: {view['forwarded_by']}")
    if view["kind"] == "complaint":
        facts = view["attributes"]
        for key in ("contested_decision", "decision_known_on", "first_instance_ref"):
            if facts.get(key):
                typer.echo(f"  {key.replace('_', ' ')}: {facts[key]}")
    for key in (
        "redenunciation_of",
        "redenunciation",
        "taken_over_by",
        "linked_check",
        "from_letter",
        "repeat_of",
    ):
        if view["attributes"].get(key):
            typer.echo(f"  {key.replace('_', ' ')}: {view['attributes'][key]}")
    typer.echo("clocks:")
    table(
        [
            [
                c["code"],
                c["status"],
                c["due"] or "-",
                "" if c["days_left"] is None else str(c["days_left"]),
                c["basis"],
            ]
            for c in view["clocks"]
        ],
        ["clock", "status", "due", "WD left", "basis"],
    )
    if explain:
        for clock in view["clocks"]:
            typer.echo(f"{clock['code']}:")
            for step in clock["explanation"]:
                typer.echo(f"    {step}")
    typer.echo("history:")
    table(
        [
            [h["on"], h["trigger"], f"{h['from']} → {h['to']}", h["actor"] or "-", h["reason"]]
            for h in view["history"]
        ],
        ["on", "trigger", "change", "by", "reason"],
    )
    if view["escalations"]:
        typer.echo("escalations:")
        table(
            [
                [
                    e["fires_on"],
                    e["clock"],
                    e["step"],
                    ", ".join(r["officer"] for r in e["recipients"]),
                ]
                for e in view["escalations"]
            ],
            ["fired", "clock", "step", "to"],
        )
    typed = [e for e in view.get("typed_entries", []) if e["action"] != "case.advanced"]
    if typed:  # the identity view: what was recorded naming the sender, as typed
        typer.echo("recorded naming the sender:")
        table(
            [
                [e["recorded_at"][:10], e["action"], e["actor"] or "-", _typed_text(e["payload"])]
                for e in typed
            ],
            ["on", "action", "by", "text"],
        )
    typer.echo(f"allowed now: {', '.join(view['allowed_triggers']) or 'none'}")


def _typed_text(payload: dict[str, Any]) -> str:
    """The typed text of an audit payload (its reason, or what else was typed)."""
    for key in ("reason", "why", "error"):
        if payload.get(key):
            return str(payload[key])
    return ", ".join(f"{k}={v}" for k, v in payload.items() if isinstance(v, str))


@app.command("list")
@handles_errors
def list_(
    state: Annotated[str | None, typer.Option(help="only cases in this state")] = None,
    kind: Annotated[str | None, typer.Option(help="only this kind")] = None,
    agency: Annotated[str | None, typer.Option(help="only cases of this agency")] = None,
    handler: Annotated[str | None, typer.Option(help="only cases of this handler")] = None,
    overdue: Annotated[bool, typer.Option(help="only cases with an overdue clock")] = False,
    due_within: Annotated[
        int | None, typer.Option(help="only cases with a clock due within N working days")
    ] = None,
    search: Annotated[
        str,
        typer.Option(
            help="words of the reference, names or summary, with or without diacritics (the "
            "sender's name only where you may see the sender)"
        ),
    ] = "",
    clock: Annotated[str | None, typer.Option(help="only cases with this clock running")] = None,
    received_from: Annotated[
        str | None, typer.Option(help="received on or after YYYY-MM-DD")
    ] = None,
    received_to: Annotated[
        str | None, typer.Option(help="received on or before YYYY-MM-DD")
    ] = None,
    status: Annotated[
        str | None, typer.Option(help="open (not in a final state) or closed")
    ] = None,
    unassigned: Annotated[bool, typer.Option(help="only cases without a handler")] = False,
    sort: Annotated[str, typer.Option(help="due (nearest deadline first), newest, oldest")] = "due",
    limit: Annotated[int, typer.Option(min=1, max=10000, help="at most this many")] = 100,
    by: By = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """List the cases you may see, nearest due date first (or as --sort says)."""
    officer = acting(by, "listing cases")
    filters = CaseFilter(
        state=state,
        kind=kind,
        agency=agency,
        handler=handler,
        overdue=overdue,
        due_within=due_within,
        search=search,
        clock=clock,
        received_from=parse_date(received_from, "--received-from"),
        received_to=parse_date(received_to, "--received-to"),
        status=status,
        unassigned=unassigned,
        sort=sort,
        limit=limit,
    )
    rows = list_cases(casework_app(), scoped_filter(casework_app(), officer, filters), wall_clock())
    if as_json:
        emit_json(rows)
        return
    table(
        [
            [
                r["ref"],
                r["state"],
                r["agency"],
                r["handler"] or "-",
                r["next_due"] or "-",
                "OVERDUE" if r["overdue"] else "",
                r["summary"][:40],
            ]
            for r in rows
        ],
        ["ref", "state", "agency", "handler", "next due", "", "summary"],
    )


@app.command("triggers")
@handles_errors
def triggers(
    ref: Annotated[str, typer.Argument(help="case reference")],
    on: Annotated[
        str | None,
        typer.Option(help="as for a step dated YYYY-MM-DD, as `case advance --on` (default today)"),
    ] = None,
    by: By = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """The triggers allowed now, with the fields each needs and what would block it."""
    officer = acting(by, "reading a case's triggers")
    now = wall_clock()
    authorise(casework_app(), officer, Action.READ_CASES, now, ref=ref)
    step_on = parse_date(on, "--on")
    result = allowed_triggers(casework_app(), ref, now, actor=officer.username, on=step_on)
    if as_json:
        emit_json(result)
        return
    typer.echo(f"{result['ref']} is {result['state']} — {result['state_legal_name']}")
    for t in result["triggers"]:
        typer.echo(f"  {t['trigger']:<26} → {t['to']:<13} {t['title']}  [{t['basis']}]")
        for f in t["fields"]:
            need = "required" if f["required"] else "optional"
            choices = f" one of {'|'.join(f['choices'])}" if f["choices"] else ""
            typer.echo(f"      --set {f['name']}=…  ({need}{choices}) {f['description']}")
        for blocker in t["blocked_by"]:
            typer.echo(f"      blocked: {blocker}")


@app.command("advance")
@handles_errors
def advance(
    ref: Annotated[str, typer.Argument(help="case reference")],
    trigger: Annotated[str, typer.Argument(help="what happened: see `case triggers REF`")],
    on: Annotated[
        str | None, typer.Option(help="date of the decision or event, YYYY-MM-DD (default today)")
    ] = None,
    by: By = None,
    reason: Annotated[str, typer.Option(help="why, in words (recorded)")] = "",
    expect_version: Annotated[
        int | None,
        typer.Option(help="refuse if the case is no longer at this version (from `case show`)"),
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="a field the trigger needs, key=value; repeat")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Apply a trigger to a case, as of a date."""
    officer = acting(by, "advancing a case")
    now = wall_clock()
    on_date = parse_date(on, "--on")
    authorise(casework_app(), officer, Action.ADVANCE_CASE, now, ref=ref)
    result = advance_case(
        casework_app(),
        AdvanceCase(
            ref=ref,
            trigger=trigger,
            on=on_date,
            actor=officer.username,
            reason=reason,
            data=parse_assignments(set_),
            expected_version=expect_version,
        ),
        now,
    )
    payload: dict[str, Any] = {
        "ref": result.ref,
        "trigger": result.trigger,
        "from": result.from_state,
        "to": result.to_state,
        "on": result.on.isoformat(),
        "clocks": [
            {"code": code, "due": due.isoformat() if due else None, "status": status}
            for code, due, status in result.clocks
        ],
    }
    if as_json:
        emit_json(payload)
        return
    typer.echo(
        f"{result.ref}: {result.trigger} on {payload['on']}: {result.from_state} → {result.to_state}"
    )
    for code, due, status in result.clocks:
        waiting = "" if status == "running" else f" ({status})"
        typer.echo(f"  {code}: due {due.isoformat() if due else '-'}{waiting}")


@app.command("assign")
@handles_errors
def assign(
    ref: Annotated[str, typer.Argument(help="case reference")],
    officer: Annotated[str, typer.Argument(help="code of the handler to assign")],
    by: By = None,
    reason: Annotated[str, typer.Option(help="why (recorded)")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Assign a handler, refusing conflicts of interest (ND31 Art. 10(3))."""
    head = acting(by, "assigning a case")
    now = wall_clock()
    authorise(casework_app(), head, Action.ASSIGN_CASE, now, ref=ref)
    previous = assign_case(casework_app(), ref, officer, head.username, reason, now)
    if as_json:
        typer.echo(json.dumps({"ref": ref, "handler": officer, "previous": previous or None}))
        return
    typer.echo(f"{ref}: handler {officer}" + (f" (was {previous})" if previous else ""))


@app.command("assign-many")
@handles_errors
def assign_several(
    ref: Annotated[list[str], typer.Argument(help="case references", metavar="REF...")],
    to: Annotated[str, typer.Option("--to", help="code of the handler to assign")],
    by: By = None,
    reason: Annotated[str, typer.Option(help="why (recorded on each case)")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Assign several cases to one handler, each as `case assign` would: one refused stops no
    other; the exit code is 1 if any was refused (that refusal's own if all were, alike)."""
    head = acting(by, "assigning cases")
    result = assign_many(casework_app(), ref, to, head, reason, wall_clock())
    refused = [{"ref": item, "error": str(why)} for item, why in result.refused]
    if as_json:
        typer.echo(json.dumps({"assigned": result.done, "refused": refused}, ensure_ascii=False))
    else:
        for done in result.done:
            typer.echo(f"{done}: handler {to}")
        for item in refused:
            typer.echo(f"{item['ref']}: refused: {item['error']}", err=True)
    if result.refused:
        # refused alike (each a missing case, say): that refusal's own exit code
        codes = {why.exit_code for _, why in result.refused}
        raise typer.Exit(codes.pop() if len(codes) == 1 and not result.done else 1)


@app.command("note")
@handles_errors
def note(
    ref: Annotated[str, typer.Argument(help="case reference")],
    text: Annotated[str, typer.Option("--text", help="the note, kept on the case")],
    by: By = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Write an internal note on a case, to its head or handler (on the audit trail)."""
    officer = acting(by, "writing a note")
    number = write_note(casework_app(), ref, officer, text, wall_clock())
    if as_json:
        typer.echo(json.dumps({"ref": ref, "note": number, "author": officer.username}))
        return
    typer.echo(f"{ref}: note {number} by {officer.username}")


@app.command("explain")
@handles_errors
def explain(
    ref: Annotated[str, typer.Argument(help="case reference")],
    by: By = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Which version of which rule applied to each clock, why, and how its due date was
    computed."""
    officer = acting(by, "explaining a case")
    now = wall_clock()
    authorise(casework_app(), officer, Action.READ_CASES, now, ref=ref)
    result = explain_case(casework_app(), ref, now)
    if as_json:
        emit_json(result)
        return
    typer.echo(
        f"{result['ref']} ({result['kind']}), received {result['received_on']}; facts: "
        f"{', '.join(result['facts']) or 'none'}"
    )
    for clock in result["clocks"]:
        started = f" by {clock['started_by']}" if clock["started_by"] else ""
        typer.echo(
            f"\n{clock['code']} — {clock['title']}: rule v{clock['rule_version']}, started "
            f"{clock['start_on']}{started}, due {clock['due'] or '-'} ({clock['status']})"
        )
        typer.echo("  why this rule:")
        for line in clock["why"]:
            typer.echo(f"    - {line}")
        typer.echo("  how the due date was computed:")
        for line in clock["computation"]:
            typer.echo(f"    {line}")


@app.command("what-if")
@handles_errors
def what_if_(
    ref: Annotated[str, typer.Argument(help="case reference")],
    rules_as_of: Annotated[
        str | None,
        typer.Option(help="apply to every clock the rules in force on this date, YYYY-MM-DD"),
    ] = None,
    rule: Annotated[
        list[str] | None,
        typer.Option(help="CODE=VERSION from `casework rules list`, e.g. complaint.accept=2012.1"),
    ] = None,
    calendar_file: Annotated[
        Path | None, typer.Option(help="another agency calendar file (closures, working days)")
    ] = None,
    by: By = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Recompute the case's clocks under another rule version or calendar, and show what
    would move. Nothing is written."""
    scenario = Scenario(
        rules_as_of=parse_date(rules_as_of, "--rules-as-of"),
        versions=parse_assignments(rule, "--rule"),
        calendar_file=str(calendar_file) if calendar_file else None,
    )
    officer = acting(by, "a what-if on a case")
    now = wall_clock()
    authorise(casework_app(), officer, Action.READ_CASES, now, ref=ref)
    result = what_if(casework_app(), ref, now, scenario)
    if as_json:
        emit_json(result)
        return
    typer.echo(f"{result['ref']} under {result['scenario']} (nothing is written):")
    table(
        [
            [
                c["code"],
                f"v{c['rule_version']}",
                c["due"] or "-",
                f"v{c['what_if_rule_version']}" if c["what_if_rule_version"] else "n/a",
                c["what_if_due"] or "-",
                "" if c["days_moved"] is None else f"{c['days_moved']:+d}",
                ("late" if c["late_then"] else "in time")
                if c["late_now"] != c["late_then"]
                else "",
            ]
            for c in result["clocks"]
        ],
        ["clock", "rule", "due", "what-if rule", "what-if due", "days", "would be"],
    )


@app.command("parties")
@handles_errors
def parties(
    ref: Annotated[str, typer.Argument(help="case reference")],
    by: By = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Who the case concerns, numbered, with the officers a typed name may be."""
    officer = acting(by, "reading a case's parties")
    access = authorise_case(casework_app(), officer, Action.READ_CASES, wall_clock(), ref)
    found = parties_of(casework_app(), ref, access)
    if as_json:
        emit_json(found)
        return
    for party in found:
        what = party["officer"] or party["agency"] or "outside person"
        typer.echo(f"{party['number']}. {party['role']}: {party['name']} ({party['kind']}: {what})")
        for candidate in party["candidates"] if party["kind"] == "person" else []:
            typer.echo(f"     may be {candidate['name']} ({candidate['officer']})")
        if party["pending"]:
            typer.echo(
                "     treated as denounced until a head who is not a candidate confirms: "
                f"`casework case confirm-outside {ref} --party {party['number']} --reason …`"
            )
        if party["outside_confirmed_by"]:
            typer.echo(
                f"     confirmed an outside person by {party['outside_confirmed_by']}: "
                f"{party['outside_reason']}"
            )


@app.command("identify")
@handles_errors
def identify_(
    ref: Annotated[str, typer.Argument(help="case reference")],
    officer_code: Annotated[str, typer.Argument(help="the officer the party is")],
    party: Annotated[int, typer.Option(min=1, help="the party's number (`case parties`)")] = 1,
    reason: Annotated[str, typer.Option(help="how it is known (recorded; required)")] = "",
    by: By = None,
) -> None:
    """Record that a party typed by name is an officer of the organisation: he, his relatives
    and the staff he heads are excluded from the case (reception or a head; a name that may be
    several officers is settled by a head who is not one of them)."""
    officer = acting(by, "identifying a party")
    now = wall_clock()
    authorise(casework_app(), officer, Action.IDENTIFY_PARTY, now, ref=ref)
    view = identify(casework_app(), officer, ref, party, officer_code, reason, now)
    typer.echo(f"{ref}: party {party} is the officer {view['officer']}")


@app.command("confirm-outside")
@handles_errors
def confirm_outside_(
    ref: Annotated[str, typer.Argument(help="case reference")],
    reason: Annotated[str, typer.Option(help="how it is known (recorded; required)")] = "",
    party: Annotated[int, typer.Option(min=1, help="the party's number (`case parties`)")] = 1,
    by: By = None,
) -> None:
    """Confirm, as a head who is not one of its candidates, that a party typed by name is an
    outside person: its candidates see the case again."""
    head = acting(by, "confirming an outside person")
    now = wall_clock()
    authorise(casework_app(), head, Action.CONFIRM_OUTSIDE, now, ref=ref)
    confirm_outside(casework_app(), head, ref, party, reason, now)
    typer.echo(f"{ref}: party {party} confirmed an outside person by {head.username}")


@app.command("recuse")
@handles_errors
def recuse_(
    ref: Annotated[str, typer.Argument(help="case reference")],
    reason: Annotated[str, typer.Option(help="why you step aside (recorded; required)")] = "",
    by: By = None,
) -> None:
    """Step aside from a case (ND31 Art. 10(3)): it no longer exists for you; as its handler
    you are unassigned and your head is told."""
    officer = acting(by, "a recusal")
    now = wall_clock()
    authorise(casework_app(), officer, Action.RECUSE, now, ref=ref)
    recuse(casework_app(), officer, ref, reason, now)
    typer.echo(f"{ref}: {officer.username} recused")
