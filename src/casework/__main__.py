"""`python -m casework` is the `casework` command."""

from casework.entrypoints.cli.launcher import main

main()
