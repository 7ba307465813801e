"""`casework org`: the organisation (agencies, officers, relations)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from casework.entrypoints.cli.common import emit_json, engine, handles_errors, table, wall_clock
from casework.services.organisation import load_organisation_file, show_organisation

app = typer.Typer(help="Load and show the organisation.", no_args_is_help=True)


@app.command("load")
@handles_errors
def load(
    file: Annotated[Path, typer.Argument(help="organisation YAML, e.g. examples/org.yaml")],
    by: Annotated[str | None, typer.Option(help="who loads it (recorded)")] = None,
) -> None:
    """Replace the organisation with the one in FILE (validated first; all or nothing)."""
    counts = load_organisation_file(engine(), file, by, wall_clock())
    typer.echo(
        f"loaded {counts['agencies']} agencies, {counts['officers']} officers, "
        f"{counts['relations']} declared relations from {file}"
    )


@app.command("show")
@handles_errors
def show(as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """Show agencies and officers."""
    org = show_organisation(engine())
    if as_json:
        emit_json(org)
        return
    table(
        [
            [a["code"], a["name"], a.get("head") or "-", a.get("superior") or "-"]
            for a in org["agencies"]
        ],
        ["agency", "name", "head", "superior"],
    )
    typer.echo("")
    table(
        [[o["code"], o["name"], o["agency"], ",".join(o["roles"])] for o in org["officers"]],
        ["officer", "name", "agency", "roles"],
    )
