"""`casework escalations`: alerts that reached officers, and their acknowledgement."""

from __future__ import annotations

from typing import Annotated

import typer

from casework.entrypoints.cli.common import emit_json, engine, handles_errors, table, wall_clock
from casework.services.escalations import acknowledge, list_escalations

app = typer.Typer(help="Escalation alerts: list and acknowledge.", no_args_is_help=True)


@app.command("list")
@handles_errors
def list_(
    officer: Annotated[
        str | None, typer.Option(help="only alerts addressed to this officer")
    ] = None,
    unacknowledged: Annotated[bool, typer.Option(help="only alerts nobody acknowledged")] = False,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Escalation alerts, newest first."""
    rows = list_escalations(engine(), officer, unacknowledged, limit)
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
                r["acknowledged_by"] or "-",
            ]
            for r in rows
        ],
        ["id", "case", "clock", "step", "due", "to", "acknowledged by"],
    )


@app.command("ack")
@handles_errors
def ack(
    escalation_id: Annotated[int, typer.Argument(help="escalation id", min=1, max=2**62)],
    by: Annotated[str, typer.Option(help="the recipient acknowledging it")],
) -> None:
    """Acknowledge an alert addressed to you."""
    ref = acknowledge(engine(), escalation_id, by, wall_clock())
    typer.echo(f"escalation {escalation_id} on {ref} acknowledged by {by}")
