"""`casework rules`: the deadline rules and lifecycles in force."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from casework.adapters.lifecycle_docs import lifecycle_markdown
from casework.entrypoints.cli.common import (
    casework_app,
    command_group,
    emit_json,
    handles_errors,
    table,
)
from casework.services.rule_explanations import rule_catalogue

app = command_group("Deadline rules and lifecycle definitions.")


@app.command("list")
@handles_errors
def list_rules(
    kind: Annotated[
        str | None, typer.Option(help="only the clocks of this kind, e.g. complaint")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Every version of every deadline rule: length and variants, dates in force, legal basis
    and transitional note."""
    rules = rule_catalogue(casework_app().rules, kind)
    if as_json:
        emit_json(rules)
        return
    rows: list[list[str]] = []
    for r in rules:
        until = r["effective_to"] or ""
        rows.append(
            [
                r["code"],
                str(r["version"]),
                f"{r['length']} {r['unit']}",
                f"{r['effective_from']}…{until}",
                str(r["basis"]),
            ]
        )
        for v in r["variants"]:
            rows.append(
                ["", f"  @{'&'.join(v['when'])}", f"{v['length']} {v['unit']}", "", v["basis"]]
            )
        if r["transition"]:
            rows.append(["", "  transition", "", "", r["transition"]])
    table(rows, ["rule", "version", "length", "in force", "basis"])


@app.command("diagram")
@handles_errors
def diagram(kind: Annotated[str, typer.Argument(help="case kind")] = "denunciation") -> None:
    """Print the lifecycle of KIND as Markdown: Mermaid diagram, states, triggers, clocks."""
    app_ = casework_app()
    typer.echo(lifecycle_markdown(app_.machine(kind), app_.rules), nl=False)


@app.command("check")
@handles_errors
def check(
    folder: Annotated[
        Path | None,
        typer.Argument(help="a definitions folder (default: the one casework uses)"),
    ] = None,
) -> None:
    """Check a definitions folder as casework loads it, before putting it in use: every
    guard, fact, field, clock and rule event a lifecycle names must exist. Each problem is
    printed with its file and line (exit code 8); nothing is written."""
    from casework.adapters.definitions import load_definitions
    from casework.config import load_settings
    from casework.resources import state_machines_dir

    target = folder or load_settings().definitions_dir or state_machines_dir()
    if not target.is_dir():
        raise typer.BadParameter(f"{target} is not a folder", param_hint="FOLDER")
    definitions = load_definitions(target)
    steps = sum(len(lifecycle.transitions) for lifecycle in definitions.lifecycles.values())
    versions = sum(len(definitions.rules.versions(code)) for code in definitions.rules.codes)
    typer.echo(
        f"{target}: {len(definitions.lifecycles)} lifecycles ({steps} steps) and "
        f"{versions} rule versions: every name they use is defined"
    )
