"""`casework rules`: the deadline rules and lifecycles in force."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from casework.adapters.lifecycle_docs import lifecycle_markdown
from casework.entrypoints.cli.common import emit_json, engine, handles_errors, table

app = typer.Typer(help="Deadline rules and lifecycle definitions.", no_args_is_help=True)


@app.command("list")
@handles_errors
def list_rules(as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """Every version of every deadline rule, with its legal basis and dates in force."""
    rules: list[dict[str, Any]] = [
        {
            "code": r.code,
            "version": r.version,
            "length": r.length,
            "unit": r.unit.value,
            "basis": r.basis,
            "effective_from": r.effective_from.isoformat(),
            "effective_to": r.effective_to.isoformat() if r.effective_to else None,
            "extension": (
                {
                    "days": r.extension.days,
                    "unit": r.extension.unit.value,
                    "max_count": dict(r.extension.max_count),
                }
                if r.extension
                else None
            ),
            "policy": r.is_policy,
            "title": r.title,
        }
        for r in engine().rules.all_rules()
    ]
    if as_json:
        emit_json(rules)
        return
    table(
        [
            [
                r["code"],
                str(r["version"]),
                f"{r['length']} {r['unit']}",
                str(r["effective_from"]),
                str(r["basis"]),
            ]
            for r in rules
        ],
        ["rule", "version", "length", "from", "basis"],
    )


@app.command("diagram")
@handles_errors
def diagram(kind: Annotated[str, typer.Argument(help="case kind")] = "denunciation") -> None:
    """Print the lifecycle of KIND as Markdown: Mermaid diagram, states, triggers, clocks."""
    app_ = engine()
    typer.echo(lifecycle_markdown(app_.machine(kind), app_.rules), nl=False)
