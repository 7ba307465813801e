"""`casework report`: counts for the periodic reports."""

from __future__ import annotations

from typing import Annotated

import typer

from casework.domain.errors import InvalidInput
from casework.entrypoints.cli.common import emit_json, engine, handles_errors, parse_date, table
from casework.services.statistics import Period, case_counts

app = typer.Typer(help="Counts for the periodic reports.", no_args_is_help=True)


@app.command("counts")
@handles_errors
def counts(
    from_: Annotated[str, typer.Option("--from", help="first day of receipt, YYYY-MM-DD")],
    to: Annotated[str, typer.Option(help="last day of receipt, YYYY-MM-DD")],
    agency: Annotated[str | None, typer.Option(help="only cases of this agency")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Letters and cases received in a period by kind; a repeat of an earlier case (same
    sender, same matter) is counted once."""
    start, end = parse_date(from_, "--from"), parse_date(to, "--to")
    if start is None or end is None:
        raise InvalidInput("--from and --to are required")
    result = case_counts(engine(), Period(start, end, agency))
    if as_json:
        emit_json(result)
        return
    typer.echo(f"received {result['from']} … {result['to']}" + (f", {agency}" if agency else ""))
    table(
        [
            [
                k["kind"],
                str(k["received"]),
                str(k["repeats"]),
                str(k["counted"]),
                ", ".join(f"{state} {n}" for state, n in k["by_state"].items()),
            ]
            for k in result["kinds"]
        ],
        ["kind", "received", "repeats", "counted", "counted cases by state"],
    )
