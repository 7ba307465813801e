"""`casework rules`: the deadline rules and lifecycles in force."""

from __future__ import annotations

from typing import Annotated

import typer

from casework.adapters.lifecycle_docs import lifecycle_markdown
from casework.entrypoints.cli.common import command_group, emit_json, engine, handles_errors, table
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
    rules = rule_catalogue(engine().rules, kind)
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
    app_ = engine()
    typer.echo(lifecycle_markdown(app_.machine(kind), app_.rules), nl=False)
