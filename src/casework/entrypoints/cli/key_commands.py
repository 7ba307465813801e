"""`casework keys`: whether the keys present open the identities, and their rotation."""

from __future__ import annotations

from typing import Annotated

import typer

from casework.adapters.keyring import encoded, new_key
from casework.domain.access import Action
from casework.entrypoints.cli.common import (
    By,
    acting,
    casework_app,
    command_group,
    emit_json,
    handles_errors,
    wall_clock,
)
from casework.services.authorisation import authorise
from casework.services.keys import check_keys, retire_key, rotate_keys

app = command_group("The keys that seal the identities: check, rotate, retire.")


@app.command("check")
@handles_errors
def check(as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """Say where the keys come from and whether they open every identity stored (exit code
    14 when they do not). Prints key ids, never keys."""
    report = check_keys(casework_app())
    if as_json:
        emit_json(
            {
                "source": report.source,
                "current": report.current,
                "present": report.present,
                "in_use": report.in_use,
                "missing": report.missing,
                "repeat": report.repeat,
                "repeat_recorded": report.repeat_recorded,
                "opens": report.opens,
            }
        )
    else:
        typer.echo(f"keys from {report.source}")
        typer.echo(f"current installation key: {report.current or '(none yet)'}")
        for key, count in sorted(report.in_use.items()):
            state = "MISSING" if key in report.missing else "present"
            typer.echo(f"  {key}: wraps {count} case key(s), {state}")
        typer.echo(f"repeat key: {report.repeat or '(none)'}")
        if report.opens:
            typer.echo("the keys present open the vault")
    if not report.opens:
        for problem in report.problems():
            typer.echo(problem, err=True)
        raise typer.Exit(14)


@app.command("rotate")
@handles_errors
def rotate(by: By = None) -> None:
    """Put a new installation key in the keys folder and re-wrap every case's key under it,
    while casework keeps running; the earlier key stays until `casework keys retire`.
    (Keys given by the environment: set the new one and keep the old one in
    CASEWORK_PREVIOUS_INSTALLATION_KEYS first; this re-wraps.) Administrators."""
    officer = acting(by, "a key rotation")
    now = wall_clock()
    authorise(casework_app(), officer, Action.MANAGE_KEYS, now)
    report = rotate_keys(casework_app(), officer.username, now)
    typer.echo(
        f"installation key {report.previous} → {report.current}: {report.rewrapped} case "
        f"key(s) re-wrapped. Once every casework process has restarted, remove the earlier "
        f"key: casework keys retire {report.previous} --by {officer.username}"
    )


@app.command("retire")
@handles_errors
def retire(
    key: Annotated[str, typer.Argument(help="the id of the earlier installation key")],
    by: By = None,
) -> None:
    """Remove an earlier installation key once no case key is under it. Administrators."""
    officer = acting(by, "retiring a key")
    now = wall_clock()
    authorise(casework_app(), officer, Action.MANAGE_KEYS, now)
    rewrapped = retire_key(casework_app(), key, officer.username, now)
    typer.echo(f"installation key {key} removed ({rewrapped} case key(s) re-wrapped first)")


@app.command("new")
@handles_errors
def new() -> None:
    """Print a fresh random key (base64), for CASEWORK_INSTALLATION_KEY or
    CASEWORK_REPEAT_KEY. Keep it in your secret store; it is shown once."""
    typer.echo(encoded(new_key()))
