"""`casework user`: logins for the web app and the API."""

from __future__ import annotations

from typing import Annotated

import typer

from casework.domain.access import Action
from casework.domain.errors import NotFound
from casework.domain.row_ids import MAX_ROW_ID
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
from casework.services.authorisation import authorise, require_self_or
from casework.services.users import (
    MAX_TOKEN_DAYS,
    TOKEN_DAYS,
    add_user,
    create_token,
    list_tokens,
    list_users,
    revoke_token,
    set_password,
    set_roles,
)
from casework.services.web_sessions import end_sessions_of, list_sessions

app = command_group("Logins for the web app and the API.")

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
    authorise(casework_app(), admin, Action.ADMINISTER, wall_clock())
    roles = add_user(casework_app(), officer, password, wall_clock(), role, by=admin.username)
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
    set_password(casework_app(), username, password, wall_clock(), by=officer.username)
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
    authorise(casework_app(), admin, Action.ADMINISTER, wall_clock())
    now_roles = set_roles(
        casework_app(), username, grant or [], revoke or [], wall_clock(), by=admin.username
    )
    typer.echo(f"{username}: {', '.join(now_roles) or 'no roles'}")


@app.command("token")
@handles_errors
def token(
    username: Annotated[str, typer.Argument(help="the login the token acts as")],
    label: Annotated[str, typer.Option(help="what the token is for, e.g. 'nightly export'")] = "",
    days: Annotated[
        int, typer.Option(min=1, max=MAX_TOKEN_DAYS, help="how many days it works")
    ] = TOKEN_DAYS,
    by: By = None,
) -> None:
    """Issue an API token (sent as `Authorization: Bearer TOKEN`); it is shown only once and
    works for --days days, until revoked or the login's password changes. For yourself, or
    for anyone as an administrator."""
    officer = acting(by, "issuing a token")
    require_self_or(officer, username, Action.ADMINISTER)
    typer.echo(
        create_token(casework_app(), username, label, wall_clock(), by=officer.username, days=days)
    )


@app.command("tokens")
@handles_errors
def tokens(
    username: Annotated[str | None, typer.Argument(help="whose tokens (default: your own)")] = None,
    by: By = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """API tokens with their label, expiry, last use and revocation — never the token."""
    officer = acting(by, "listing tokens")
    whose = username or officer.username
    require_self_or(officer, whose, Action.ADMINISTER)
    found = list_tokens(casework_app(), whose)
    if as_json:
        emit_json(found)
        return
    table(
        [
            [
                str(t["id"]),
                t["label"],
                t["created_at"][:10],
                (t["expires_at"] or "-")[:10],
                (t["last_used_at"] or "-")[:16],
                "revoked" if t["revoked_at"] else "",
            ]
            for t in found
        ],
        ["id", "label", "created", "expires", "last used", ""],
    )


@app.command("revoke")
@handles_errors
def revoke(
    token_id: Annotated[
        int, typer.Argument(help="the token's id (`user tokens`)", min=1, max=MAX_ROW_ID)
    ],
    by: By = None,
) -> None:
    """Revoke an API token: yours, or anyone's as an administrator."""
    officer = acting(by, "revoking a token")
    if not officer.may(Action.ADMINISTER) and token_id not in {
        t["id"] for t in list_tokens(casework_app(), officer.username)
    }:
        raise NotFound(f"no API token {token_id} of yours; `casework user tokens` lists them")
    username = revoke_token(casework_app(), token_id, wall_clock(), officer.username)
    typer.echo(f"API token {token_id} of {username} revoked")


@app.command("sessions")
@handles_errors
def sessions(
    username: Annotated[
        str | None, typer.Argument(help="whose sessions (default: your own)")
    ] = None,
    include_ended: Annotated[
        bool, typer.Option("--ended", help="also the sessions that ended, and why")
    ] = False,
    by: By = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Web sessions: when each began, its last use and client address; yours, or anyone's as
    an administrator."""
    officer = acting(by, "listing sessions")
    whose = username or officer.username
    require_self_or(officer, whose, Action.ADMINISTER)
    found = list_sessions(casework_app(), whose, wall_clock(), include_ended)
    if as_json:
        emit_json(found)
        return
    table(
        [
            [
                str(s["id"]),
                s["client"],
                s["started_at"][:16],
                s["last_seen_at"][:16],
                f"{s['ended_at'][:16]} {s['end_reason']}" if s["ended_at"] else "open",
            ]
            for s in found
        ],
        ["id", "client", "began", "last used", "ended"],
    )


@app.command("end-sessions")
@handles_errors
def end_sessions(
    username: Annotated[str, typer.Argument(help="the login whose sessions end")],
    by: By = None,
) -> None:
    """End every web session of a login (a lost laptop, a shared computer): it must sign in
    again everywhere. Your own, or anyone's as an administrator."""
    officer = acting(by, "ending sessions")
    require_self_or(officer, username, Action.ADMINISTER)
    ended = end_sessions_of(casework_app(), username, wall_clock(), officer.username)
    typer.echo(f"{ended} session(s) of {username} ended")


@app.command("list")
@handles_errors
def list_(
    by: By = None, as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False
) -> None:
    """Every login with its roles (administrators)."""
    authorise(casework_app(), acting(by, "listing logins"), Action.ADMINISTER, wall_clock())
    users = list_users(casework_app())
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
