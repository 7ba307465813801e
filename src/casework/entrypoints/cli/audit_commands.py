"""`casework audit`: the hash-chained audit trail."""

from __future__ import annotations

from typing import Annotated

import typer

from casework.domain.errors import AuditChainBroken
from casework.entrypoints.cli.common import casework_app, command_group, emit_json, handles_errors
from casework.services.audit_trail import verify_audit_trail

app = command_group("The audit trail.")


@app.command("verify")
@handles_errors
def verify(as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """Recompute the hash chain; exit 7 and name the first broken entry if it was tampered with."""
    result = verify_audit_trail(casework_app())
    if as_json:
        emit_json(
            {
                "intact": result.is_intact,
                "entries": result.entries,
                "first_broken_id": result.first_broken_id,
                "problem": result.problem,
            }
        )
    if not result.is_intact:
        raise AuditChainBroken(
            f"audit trail broken at entry {result.first_broken_id}: {result.problem}"
        )
    if not as_json:
        typer.echo(f"audit trail intact: {result.entries} entries verified")
