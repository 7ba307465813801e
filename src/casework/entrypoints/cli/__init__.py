"""The `casework` command line (Typer)."""
