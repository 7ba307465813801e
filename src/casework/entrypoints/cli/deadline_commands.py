"""`casework deadlines`: the sweep that records escalation steps."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from casework.domain.errors import InvalidInput
from casework.entrypoints.cli.common import (
    casework_app,
    command_group,
    emit_json,
    handles_errors,
    parse_instant,
    table,
    wall_clock,
)
from casework.services.digest import queue_digest
from casework.services.recompute import recompute_deadlines
from casework.services.sweep import sweep

app = command_group("Legal deadlines and their escalation ladder.")


@app.command("sweep")
@handles_errors
def run_sweep(
    now: Annotated[
        str | None,
        typer.Option(help="as of this date-time (default: now); no offset means Asia/Ho_Chi_Minh"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Record every escalation step reached; a second run records nothing new."""
    real_now = wall_clock()
    # without --now the sweep runs as of the instant read once above: reading the clock twice
    # would put the second reading microseconds "in the future" of the first
    as_of = parse_instant(now, "--now") if now else real_now
    if as_of > real_now:
        raise InvalidInput(
            f"--now {as_of.isoformat()} is in the future: a sweep can catch up on the past, "
            "never run ahead (it would mark steps as sent before their day)"
        )
    result = sweep(casework_app(), as_of, recorded_at=real_now)
    fired: list[dict[str, Any]] = [
        {
            "case": f.case_ref,
            "clock": f.clock,
            "step": f.step,
            "due": f.due.isoformat(),
            "fires_on": f.fires_on.isoformat(),
            "recipients": f.recipients,
        }
        for f in result.fired
    ]
    if as_json:
        emit_json(
            {
                "as_of": result.as_of.isoformat(),
                "clocks_examined": result.clocks_examined,
                "expiry_starts": result.expiry_starts,
                "escalations": fired,
                "skipped": result.skipped,
                "unroutable": result.unroutable,
            }
        )
        return
    typer.echo(f"sweep as of {result.as_of.isoformat()}: {len(fired)} new escalation step(s)")
    if result.skipped:
        typer.echo(
            f"  {result.skipped} earlier step(s) passed over: only each clock's current step "
            "is sent, to everyone the steps reached would have told"
        )
    if result.expiry_starts:
        typer.echo(
            f"  {result.expiry_starts} case(s) ran out of a period undone and started the "
            "next one (e.g. a complainant's window for a second complaint)"
        )
    for item in result.unroutable:
        typer.echo(f"  no one holds the post for {item}: kept pending; check the organisation")
    table(
        [
            [
                f["case"],
                f["clock"],
                f["step"],
                f["due"],
                ", ".join(f"{r['name']} ({r['post']})" for r in f["recipients"]),
            ]
            for f in fired
        ],
        ["case", "clock", "step", "due", "recipients"],
    )


@app.command("recompute")
@handles_errors
def recompute(
    every: Annotated[
        bool,
        typer.Option(
            "--all",
            help="every open clock, not only those counted on another calendar: after an "
            "upgrade that corrects a deadline rule (the CHANGELOG says when)",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Recompute open clocks after the calendar changed (agency file, holidays release), or
    with --all after a deadline rule was corrected."""
    changed = recompute_deadlines(casework_app(), wall_clock(), every=every)
    rows: list[dict[str, Any]] = [
        {"case": c.case_ref, "clock": c.clock, "old_due": c.old_due, "due": c.new_due}
        for c in changed
    ]
    if as_json:
        emit_json(rows)
        return
    typer.echo(f"{len(rows)} due date(s) moved (calendar {casework_app().calendar.version})")
    table(
        [[r["case"], r["clock"], r["old_due"] or "-", r["due"] or "-"] for r in rows],
        ["case", "clock", "was due", "now due"],
    )


@app.command("digest")
@handles_errors
def digest(
    now: Annotated[str | None, typer.Option(help="as of this date-time (default: now)")] = None,
) -> None:
    """Queue today's digest for every supervisor (the engine does it at 07:00 on working days)."""
    real_now = wall_clock()
    as_of = parse_instant(now, "--now") if now else real_now
    if as_of > real_now:
        raise InvalidInput(
            f"--now {as_of.isoformat()} is in the future: a digest is queued for today or a "
            "past day, never ahead (it would take that day's place)"
        )
    result = queue_digest(casework_app(), as_of)
    if not result.is_working_day:
        typer.echo(f"{result.day} is not a working day: no digest")
        return
    typer.echo(
        f"{result.queued} digest(s) queued for {result.day}: {', '.join(result.supervisors) or '-'}"
    )
