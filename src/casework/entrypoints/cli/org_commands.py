"""`casework org`: the organisation (agencies, officers, relations)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from casework.domain.access import Action
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
from casework.services.organisation import load_organisation_file, show_organisation

app = command_group("Load and show the organisation.")


@app.command("load")
@handles_errors
def load(
    file: Annotated[Path, typer.Argument(help="organisation YAML, e.g. examples/org.yaml")],
    by: By = None,
) -> None:
    """Replace the organisation with the one in FILE (validated first; all or nothing). The
    first load needs no officer (there is none yet); a replacement is an administrator's."""
    actor = None
    if show_organisation(casework_app())["officers"]:
        admin = acting(by, "replacing the organisation")
        authorise(casework_app(), admin, Action.ADMINISTER, wall_clock())
        actor = admin.username
    counts = load_organisation_file(
        casework_app(), file, actor or "casework:first-load", wall_clock()
    )
    typer.echo(
        f"loaded {counts['agencies']} agencies, {counts['officers']} officers, "
        f"{counts['relations']} declared relations from {file}"
    )


@app.command("show")
@handles_errors
def show(
    by: Annotated[
        str | None,
        typer.Option(help="an administrator also sees the declared family relations"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Show agencies and officers (reference data every officer reads)."""
    admin = bool(by) and acting(by).may(Action.ADMINISTER)
    org = show_organisation(casework_app(), with_relations=admin)
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
