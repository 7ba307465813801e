"""`casework escalations`: alerts that reached officers, and their acknowledgement."""

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
    table,
    wall_clock,
)
from casework.services.authorisation import authorise
from casework.services.bulk_actions import acknowledge_many
from casework.services.escalations import acknowledge, list_escalations

app = command_group("Escalation alerts: list and acknowledge.")


@app.command("list")
@handles_errors
def list_(
    officer: Annotated[
        str | None, typer.Option(help="only alerts addressed to this officer")
    ] = None,
    unacknowledged: Annotated[
        bool,
        typer.Option(
            help="only alerts still waiting for --officer (without it: for any recipient)"
        ),
    ] = False,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 100,
    by: By = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Escalation alerts on the cases you may see, newest first."""
    viewer = acting(by, "listing alerts")
    authorise(casework_app(), viewer, Action.READ_CASES, wall_clock())
    rows = list_escalations(casework_app(), viewer, officer, unacknowledged, limit)
    if as_json:
        emit_json(rows)
        return
    table(
        [
            [
                str(r["id"]),
                r["case"],
                r["clock"],
                r["step"],
                r["due"],
                ",".join(r["recipients"]),
                ",".join(a["officer"] for a in r["acknowledged"]) or "-",
            ]
            for r in rows
        ],
        ["id", "case", "clock", "step", "due", "to", "acknowledged by"],
    )


@app.command("ack")
@handles_errors
def ack(
    escalation_id: Annotated[
        list[int],
        typer.Argument(help="escalation ids, one or more", min=1, max=MAX_ROW_ID, metavar="ID..."),
    ],
    by: By = None,
) -> None:
    """Acknowledge alerts addressed to you (for you only: the other recipients still see
    them until they acknowledge them too). With several, one refused stops no other; the exit
    code is 1 if any was refused."""
    officer = acting(by, "acknowledging an alert")
    now = wall_clock()
    authorise(casework_app(), officer, Action.ACKNOWLEDGE_ALERT, now)
    if len(escalation_id) == 1:
        ref = acknowledge(casework_app(), escalation_id[0], officer, now)
        typer.echo(f"escalation {escalation_id[0]} on {ref} acknowledged by {officer.username}")
        return
    result = acknowledge_many(casework_app(), escalation_id, officer, now)
    for ref in result.done:
        typer.echo(f"an alert on {ref} acknowledged by {officer.username}")
    for number, why in result.refused:
        typer.echo(f"escalation {number}: refused: {why}", err=True)
    if result.refused:
        # refused alike (each a missing case, say): that refusal's own exit code
        codes = {why.exit_code for _, why in result.refused}
        raise typer.Exit(codes.pop() if len(codes) == 1 and not result.done else 1)
