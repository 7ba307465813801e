"""`casework user`: logins for the web app and the API."""

from __future__ import annotations

from typing import Annotated

import typer

from casework.domain.access import Action
from casework.entrypoints.cli.common import (
    By,
    acting,
    emit_json,
    engine,
    handles_errors,
    table,
    wall_clock,
)
from casework.services.authorisation import authorise, require_self_or
from casework.services.users import (
    add_user,
    create_token,
    list_users,
    set_password,
    set_roles,
)

app = typer.Typer(help="Logins for the web app and the API.", no_args_is_help=True)

PasswordOption = Annotated[
    str,
    typer.Option(
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="the password (asked for when not given; at least 10 characters)",
    ),
]


@app.command("add")
@handles_errors
def add(
    officer: Annotated[str, typer.Argument(help="the officer's code in the organisation")],
    password: PasswordOption,
    role: Annotated[
        list[str] | None,
        typer.Option(help="a role instead of the officer's own; repeat for several"),
    ] = None,
    by: By = None,
) -> None:
    """Give an officer a login; its roles are the officer's in the organisation unless given
    (administrators)."""
    admin = acting(by, "adding a login")
    authorise(engine(), admin, Action.ADMINISTER, wall_clock())
    roles = add_user(engine(), officer, password, wall_clock(), role, by=admin.username)
    typer.echo(f"login {officer} added, roles: {', '.join(roles) or 'none'}")


@app.command("passwd")
@handles_errors
def passwd(
    username: Annotated[str, typer.Argument(help="the login (the officer's code)")],
    password: PasswordOption,
    by: By = None,
) -> None:
    """Set a login's password: your own, or anyone's as an administrator."""
    officer = acting(by, "setting a password")
    require_self_or(officer, username, Action.ADMINISTER)
    set_password(engine(), username, password, wall_clock(), by=officer.username)
    typer.echo(f"password of {username} changed")


@app.command("roles")
@handles_errors
def roles(
    username: Annotated[str, typer.Argument(help="the login (the officer's code)")],
    grant: Annotated[list[str] | None, typer.Option(help="a role to grant; repeat")] = None,
    revoke: Annotated[list[str] | None, typer.Option(help="a role to revoke; repeat")] = None,
    by: By = None,
) -> None:
    """Show, grant or revoke a login's roles (reception, handler, head, supervisor, admin;
    administrators)."""
    admin = acting(by, "changing roles")
    authorise(engine(), admin, Action.ADMINISTER, wall_clock())
    now_roles = set_roles(
        engine(), username, grant or [], revoke or [], wall_clock(), by=admin.username
    )
    typer.echo(f"{username}: {', '.join(now_roles) or 'no roles'}")


@app.command("token")
@handles_errors
def token(
    username: Annotated[str, typer.Argument(help="the login the token acts as")],
    label: Annotated[str, typer.Option(help="what the token is for, e.g. 'nightly export'")] = "",
    by: By = None,
) -> None:
    """Issue an API token (sent as `Authorization: Bearer TOKEN`); it is shown only once.
    For yourself, or for anyone as an administrator."""
    officer = acting(by, "issuing a token")
    require_self_or(officer, username, Action.ADMINISTER)
    typer.echo(create_token(engine(), username, label, wall_clock(), by=officer.username))


@app.command("list")
@handles_errors
def list_(
    by: By = None, as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False
) -> None:
    """Every login with its roles (administrators)."""
    authorise(engine(), acting(by, "listing logins"), Action.ADMINISTER, wall_clock())
    users = list_users(engine())
    if as_json:
        emit_json(users)
        return
    table(
        [
            [str(u["username"]), ", ".join(u["roles"]), "disabled" if u["disabled"] else ""]
            for u in users
        ],
        ["login", "roles", ""],
    )
