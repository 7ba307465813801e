"""The `casework` command's root: its options, and where each group of commands lives.

The groups' modules are named, not imported: `launcher.py` loads only the group a command
line runs (`casework calendar due` needs neither the database nor the web stack), and
`main.py` loads them all for `casework --help` and the top-level commands."""

from __future__ import annotations

from typing import Annotated

import typer

from casework import __version__

GROUPS: dict[str, str] = {
    "case": "casework.entrypoints.cli.case_commands",
    "calendar": "casework.entrypoints.cli.calendar_commands",
    "org": "casework.entrypoints.cli.org_commands",
    "deadlines": "casework.entrypoints.cli.deadline_commands",
    "audit": "casework.entrypoints.cli.audit_commands",
    "rules": "casework.entrypoints.cli.rules_commands",
    "outbox": "casework.entrypoints.cli.outbox_commands",
    "escalations": "casework.entrypoints.cli.escalation_commands",
    "report": "casework.entrypoints.cli.report_commands",
    "user": "casework.entrypoints.cli.user_commands",
    "keys": "casework.entrypoints.cli.key_commands",
}
"""Each group of commands (`casework NAME …`) and the module whose `app` it is."""


def _print_version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


def root_app() -> typer.Typer:
    """The root command, with no group yet: plain help wrapped to the terminal, never cut
    off (cli/common.command_group), and --version."""
    app = typer.Typer(
        help="casework — denunciations, complaints and petitions on legal clocks.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )

    @app.callback()
    def main(
        version: Annotated[
            bool,
            typer.Option(
                "--version",
                help="print the version and exit",
                is_eager=True,
                callback=_print_version,
            ),
        ] = False,
    ) -> None:
        """casework: every case logged, moved through a lawful process, and no deadline
        missed."""

    return app


def add_group(app: typer.Typer, name: str) -> None:
    """Load group `name`'s module and add its commands under `casework NAME`."""
    from importlib import import_module

    app.add_typer(import_module(GROUPS[name]).app, name=name)
