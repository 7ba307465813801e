"""The `casework` command."""

from __future__ import annotations

from typing import Annotated

import typer

from casework import __version__
from casework.entrypoints.cli import (
    audit_commands,
    calendar_commands,
    case_commands,
    deadline_commands,
    escalation_commands,
    org_commands,
    outbox_commands,
    report_commands,
    rules_commands,
    user_commands,
)
from casework.entrypoints.cli.common import engine, handles_errors, wall_clock
from casework.resources import examples_dir
from casework.services.case_views import CaseFilter, list_cases
from casework.services.organisation import load_organisation_file, show_organisation
from casework.services.schema import initialise
from casework.services.users import first_login

app = typer.Typer(
    help="casework — denunciations, complaints and petitions on legal clocks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help, wrapped, never cut off (cli/common.command_group)
)
app.add_typer(case_commands.app, name="case")
app.add_typer(calendar_commands.app, name="calendar")
app.add_typer(org_commands.app, name="org")
app.add_typer(deadline_commands.app, name="deadlines")
app.add_typer(audit_commands.app, name="audit")
app.add_typer(rules_commands.app, name="rules")
app.add_typer(outbox_commands.app, name="outbox")
app.add_typer(escalation_commands.app, name="escalations")
app.add_typer(report_commands.app, name="report")
app.add_typer(user_commands.app, name="user")


@app.command("init")
@handles_errors
def init() -> None:
    """Create or upgrade the database schema (safe to run again)."""
    url = initialise(engine())
    typer.echo(f"database ready: {url}")


PrefectPort = Annotated[
    int,
    typer.Option("--prefect-port", min=1, max=65535, help="port of the Prefect server (its UI)"),
]
WebPort = Annotated[
    int, typer.Option("--web-port", min=1, max=65535, help="port of the web UI and REST API")
]
WebHost = Annotated[str, typer.Option("--host", help="address the web UI and API listen on")]
"""The same options, named the same way, in `up`, `engine` and `serve`."""


@app.command("up")
@handles_errors
def up(
    org_file: Annotated[
        str | None, typer.Option(help="organisation to load when none is loaded yet")
    ] = None,
    run_engine_too: Annotated[
        bool,
        typer.Option("--engine/--no-engine", help="then run the engine (sweep and delivery)"),
    ] = True,
    prefect_port: PrefectPort = 4200,
    web_port: WebPort = 8000,
    host: WebHost = "127.0.0.1",
) -> None:
    """Set up the embedded database, load the example organisation if none, make a first
    login, show the state, then run the web UI and the engine until Ctrl-C (`--no-engine` to
    stop after the set-up)."""
    app_ = engine()
    url = initialise(app_)
    typer.echo(f"casework {__version__}: database ready at {url}")
    if not show_organisation(app_)["agencies"]:
        path = org_file or str(examples_dir() / "org.yaml")
        from pathlib import Path

        counts = load_organisation_file(app_, Path(path), "casework:up", wall_clock())
        typer.echo(
            f"loaded the organisation from {path}: {counts['agencies']} agencies, "
            f"{counts['officers']} officers"
        )
    now = wall_clock()
    first = first_login(app_, now)
    if first:
        typer.echo(
            f"first login: {first[0]} / {first[1]}  (shown once; change it with "
            f"`casework user passwd {first[0]}`; more logins: `casework user add OFFICER`)"
        )
    open_cases = list_cases(app_, CaseFilter(limit=10000), now)
    overdue = list_cases(app_, CaseFilter(overdue=True, limit=10000), now)
    typer.echo(f"{len(open_cases)} case(s), {len(overdue)} with an overdue clock.")
    typer.echo(
        "Try: casework case new denunciation --help   ·   casework case list   ·   "
        "casework calendar due --start 2024-02-01 --days 7"
    )
    if run_engine_too:
        from casework.entrypoints.web.app import create_app
        from casework.entrypoints.web_server import web_server_in_background

        with web_server_in_background(create_app(app_, wall_clock), host, web_port) as url:
            typer.echo(f"web UI: {url}/   API: {url}/api/docs")
            engine_command(prefect_port=prefect_port, sweep_minutes=15, deliver_minutes=1)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.command("engine")
@handles_errors
def engine_command(
    prefect_port: PrefectPort = 4200,
    sweep_minutes: Annotated[float, typer.Option(min=0.05, help="minutes between sweeps")] = 15,
    deliver_minutes: Annotated[
        float, typer.Option(min=0.05, help="minutes between deliveries")
    ] = 1,
) -> None:
    """Run the deadline sweep and the delivery of notices on their schedules (Prefect)."""
    from datetime import timedelta

    from casework.entrypoints.engine import run_engine

    app_ = engine()
    initialise(app_)
    typer.echo(f"casework engine: database {app_.engine.url.render_as_string()}")
    typer.echo(f"notices without SMTP go to {app_.settings.resolved_mail_folder()}; Ctrl-C stops")
    run_engine(
        app_.settings,
        prefect_port,
        timedelta(minutes=sweep_minutes),
        timedelta(minutes=deliver_minutes),
    )


@app.command("serve")
@handles_errors
def serve_command(host: WebHost = "127.0.0.1", web_port: WebPort = 8000) -> None:
    """Serve the web UI and the REST API (OpenAPI page at /api/docs) until Ctrl-C."""
    import uvicorn

    from casework.entrypoints.web.app import create_app

    app_ = engine()
    initialise(app_)
    typer.echo(f"casework on http://{host}:{web_port}/ (API: /api/docs; Ctrl-C stops)")
    uvicorn.run(create_app(app_, wall_clock), host=host, port=web_port, log_level="warning")


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="print the version and exit", is_eager=True, callback=_print_version
        ),
    ] = False,
) -> None:
    """casework: every case logged, moved through a lawful process, and no deadline missed."""
