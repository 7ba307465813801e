"""`casework outbox`: the notices waiting, delivered or not, and their delivery."""

from __future__ import annotations

from typing import Annotated

import typer

from casework.domain.access import Action
from casework.domain.row_ids import MAX_ROW_ID
from casework.entrypoints.cli.common import (
    By,
    acting,
    casework_app,
    command_group,
    emit_json,
    handles_errors,
    parse_instant,
    table,
    wall_clock,
)
from casework.services.authorisation import authorise
from casework.services.bounces import read_bounces
from casework.services.delivery import build_mailer, deliver_pending
from casework.services.outbox import (
    STATUSES,
    list_outbox,
    record_handed,
    retry_dead,
    show_message,
)

app = command_group("Notices: list, show, retry, deliver.")


@app.command("list")
@handles_errors
def list_(
    status: Annotated[str | None, typer.Option(help=", ".join(STATUSES))] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 50,
    by: By = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """The newest notices, with how many have each status (administrators); the README says
    what each status means."""
    reader = acting(by, "the outbox")
    authorise(casework_app(), reader, Action.RUN_OUTBOX, wall_clock())
    result = list_outbox(casework_app(), reader, status, limit)
    if as_json:
        emit_json(result)
        return
    counts = result["counts"]
    typer.echo("  ".join(f"{status} {count}" for status, count in counts.items()))
    table(
        [
            [
                str(m["id"]),
                m["status"],
                m["template"],
                m["case"] or "-",
                m["to"],
                str(m["attempts"]),
            ]
            for m in result["messages"]
        ],
        ["id", "status", "notice", "case", "to", "tries"],
    )
    failed = [m for m in result["messages"] if m["last_error"]]
    if failed:  # whole: a reason cut off tells nobody what to fix
        typer.echo("last errors:")
        for m in failed:
            typer.echo(f"  {m['id']}: {m['last_error']}")


@app.command("show")
@handles_errors
def show(
    message_id: Annotated[int, typer.Argument(help="outbox id", min=1, max=MAX_ROW_ID)],
    by: By = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """One notice, rendered as it is (or was) sent, the denouncer's identity left out
    (administrators)."""
    reader = acting(by, "the outbox")
    authorise(casework_app(), reader, Action.RUN_OUTBOX, wall_clock())
    message = show_message(casework_app(), reader, message_id, wall_clock())
    if as_json:
        emit_json(message)
        return
    for key in ("id", "status", "to", "message_id", "attempts", "last_error", "subject"):
        typer.echo(f"{key}: {message[key]}")
    typer.echo("")
    typer.echo(message["text"])


@app.command("retry")
@handles_errors
def retry(
    message_id: Annotated[
        int | None, typer.Argument(help="outbox id; omit with --all-dead", min=1, max=MAX_ROW_ID)
    ] = None,
    all_dead: Annotated[
        bool,
        typer.Option(help="queue again every refused, bounced, dead or needing-attention notice"),
    ] = False,
    by: By = None,
) -> None:
    """Queue again a notice that did not arrive (refused, bounced, dead, needing attention),
    or all of them, after mending the address or the server (administrators; recorded)."""
    if message_id is None and not all_dead:
        raise typer.BadParameter("give an outbox id or --all-dead")
    officer = acting(by, "retrying a notice")
    authorise(casework_app(), officer, Action.RUN_OUTBOX, wall_clock())
    count = retry_dead(casework_app(), message_id, wall_clock(), officer.username)
    typer.echo(f"{count} notice(s) queued again")


@app.command("deliver")
@handles_errors
def deliver(
    now: Annotated[str | None, typer.Option(help="as of this date-time (default: now)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Send the notices that are due, one batch (SMTP if configured, else .eml files)."""
    app_ = casework_app()
    report = deliver_pending(app_, parse_instant(now, "--now"), build_mailer(app_.settings))
    if as_json:
        emit_json(report.__dict__)
    else:
        typer.echo(
            f"{report.mailer}: {report.sent} sent, {report.printed} printed, "
            f"{report.retrying} to retry, {report.refused} refused, {report.dead} dead, "
            f"{report.needs_attention} needing attention (of {report.claimed})"
        )
        for error in report.errors:
            typer.echo(f"  {error}")
    if report.failed:  # a run that failed says so: exit code 15, not 0
        raise report.failure()


@app.command("bounces")
@handles_errors
def bounces(
    now: Annotated[str | None, typer.Option(help="as of this date-time (default: now)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Read the bounce mailbox (CASEWORK_BOUNCE_MAILDIR) and mark the notices it returns."""
    report = read_bounces(casework_app(), parse_instant(now, "--now"))
    if as_json:
        emit_json(report.__dict__)
        return
    typer.echo(
        f"{report.read} read: {report.bounced} notice(s) returned, {report.delayed} delayed, "
        f"{report.already} already recorded, {report.waiting} left for the next reading, "
        f"{report.discarded} automatic replies deleted, {report.unmatched} not understood "
        "(left, marked seen)"
    )
    for note in report.notes:
        typer.echo(f"  {note}")


@app.command("handed")
@handles_errors
def handed(
    message_id: Annotated[int, typer.Argument(help="outbox id", min=1, max=MAX_ROW_ID)],
    how: Annotated[str, typer.Option(help="how and when it was delivered")],
    by: By = None,
) -> None:
    """Record that a notice needing attention was delivered by hand or another way
    (reception or a head who may see its case; recorded)."""
    officer = acting(by, "recording a notice delivered by hand")
    authorise(casework_app(), officer, Action.RECORD_HANDED, wall_clock())
    ref = record_handed(casework_app(), message_id, officer, how, wall_clock())
    typer.echo(f"notice {message_id} of {ref}: recorded as delivered ({how})")
