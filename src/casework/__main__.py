"""`python -m casework` is the `casework` command."""

from casework.entrypoints.cli.main import app

app(prog_name="casework")
