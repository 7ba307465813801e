"""The `casework` command."""

from __future__ import annotations

from typing import Annotated

import typer

from casework import __version__
from casework.domain.errors import VaultLocked
from casework.entrypoints.cli.common import casework_app, handles_errors, wall_clock
from casework.entrypoints.cli.root import GROUPS, add_group, root_app
from casework.resources import examples_dir
from casework.services.case_views import CaseFilter, list_cases
from casework.services.keys import ensure_keys
from casework.services.organisation import load_organisation_file, show_organisation
from casework.services.schema import initialise
from casework.services.users import first_login

app = root_app()
for _name in GROUPS:
    add_group(app, _name)


@app.command("init")
@handles_errors
def init() -> None:
    """Create or upgrade the database schema (safe to run again)."""
    url = initialise(casework_app())
    typer.echo(f"database ready: {url}")
    _report_keys()


def _report_keys() -> None:
    """Where the keys that seal the identities are, and that they open them (else exit 14,
    before anything runs with a vault it cannot open)."""
    report = ensure_keys(casework_app())
    if not report.opens:
        raise VaultLocked("; ".join(report.problems()) + " (see `casework keys check`)")
    typer.echo(f"identities sealed; keys from {report.source} (back them up apart)")


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
    app_ = casework_app()
    url = initialise(app_)
    typer.echo(f"casework {__version__}: database ready at {url}")
    _report_keys()
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

    app_ = casework_app()
    initialise(app_)
    typer.echo(f"casework engine: database {app_.database.url.render_as_string()}")
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

    app_ = casework_app()
    initialise(app_)
    web = create_app(app_, wall_clock)  # a setting it cannot use is said before "on http://…"
    typer.echo(f"casework on http://{host}:{web_port}/ (API: /api/docs; Ctrl-C stops)")
    uvicorn.run(web, host=host, port=web_port, log_level="warning")
