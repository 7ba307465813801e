"""The `casework` command's entry point. `--version` is answered before anything else loads,
and a command of a group loads that group alone; anything else (help, `up`, `serve`…) loads
the whole command (main.py). A reception desk runs these commands all day (issue 22)."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run the `casework` command line."""
    arguments = sys.argv[1:]
    # plain help and errors (cli/common.command_group): and Typer need not load Rich
    os.environ.setdefault("TYPER_USE_RICH", "0")
    # casework uses no pydantic plugin: skip scanning every installed package for one
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if arguments == ["--version"]:
        from casework import __version__

        print(__version__)
        return
    from casework.entrypoints.cli.root import GROUPS, add_group, root_app

    if arguments and arguments[0] in GROUPS:
        app = root_app()
        add_group(app, arguments[0])
    else:
        from casework.entrypoints.cli.main import app
    app(prog_name="casework")
