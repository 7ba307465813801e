"""`casework report`: counts for the periodic reports; cases as CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from casework.domain.access import Action
from casework.domain.errors import InvalidInput
from casework.entrypoints.cli.common import (
    By,
    acting,
    casework_app,
    command_group,
    emit_json,
    handles_errors,
    parse_date,
    table,
    wall_clock,
)
from casework.services.authorisation import authorise, scope_of, scoped_filter
from casework.services.case_export import export_csv
from casework.services.case_views import CaseFilter
from casework.services.statistics import Period, case_counts

app = command_group("Counts for the periodic reports, and exports.")


@app.command("counts")
@handles_errors
def counts(
    from_: Annotated[str, typer.Option("--from", help="first day of receipt, YYYY-MM-DD")],
    to: Annotated[str, typer.Option(help="last day of receipt, YYYY-MM-DD")],
    agency: Annotated[str | None, typer.Option(help="only cases of this agency")] = None,
    by: By = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Letters and cases received in a period by kind; a repeat of an earlier case (same
    sender, same matter) is counted once. A statutory figure counts every case, whoever runs
    it: heads, supervisors and administrators, within their agencies."""
    start, end = parse_date(from_, "--from"), parse_date(to, "--to")
    if start is None or end is None:
        raise InvalidInput("--from and --to are required")
    officer = acting(by, "a report")
    authorise(casework_app(), officer, Action.READ_DASHBOARD, wall_clock(), agency=agency)
    result = case_counts(
        casework_app(), Period(start, end, agency, scope_of(casework_app(), officer))
    )
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


@app.command("export")
@handles_errors
def export(
    out: Annotated[
        Path | None, typer.Option(help="write the CSV to this file (default: print it)")
    ] = None,
    state: Annotated[str | None, typer.Option(help="only cases in this state")] = None,
    kind: Annotated[str | None, typer.Option(help="only this kind")] = None,
    agency: Annotated[str | None, typer.Option(help="only cases of this agency")] = None,
    handler: Annotated[str | None, typer.Option(help="only cases of this handler")] = None,
    overdue: Annotated[bool, typer.Option(help="only cases with an overdue clock")] = False,
    due_within: Annotated[
        int | None, typer.Option(help="only cases with a clock due within N working days")
    ] = None,
    by: By = None,
) -> None:
    """The cases you may see as CSV, oldest first. No sender identity and no denounced
    person's name: an export leaves casework's access control (LTC Arts. 8(3), 47, 56)."""
    officer = acting(by, "an export")
    filters = CaseFilter(
        state=state,
        kind=kind,
        agency=agency,
        handler=handler,
        overdue=overdue,
        due_within=due_within,
    )
    chunks = export_csv(
        casework_app(), scoped_filter(casework_app(), officer, filters), wall_clock()
    )
    if out is None:
        for chunk in chunks:
            typer.echo(chunk, nl=False)
        return
    if not out.parent.is_dir():
        raise InvalidInput(f"--out {out}: the folder {out.parent} does not exist")
    first = next(chunks)  # a bad filter fails before the file is touched
    written = out.with_name(out.name + ".partial")
    with written.open("w", encoding="utf-8", newline="") as file:
        file.write(first)
        for chunk in chunks:
            file.write(chunk)
    written.replace(out)  # a reader never sees half an export
    typer.echo(f"wrote {out}", err=True)
