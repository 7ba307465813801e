"""The `casework` entry point as a desk runs it, a new process each time: `--version` loads
nothing, and `calendar due` loads neither the database layer nor the web stack (issue 22)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from casework import __version__

pytestmark = pytest.mark.e2e


def casework(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CASEWORK_HOME": str(home)}
    env.pop("CASEWORK_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "casework", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def loaded(result: subprocess.CompletedProcess[str]) -> set[str]:
    """The top-level packages the process imported (from -X importtime)."""
    names = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def test_version_is_answered_before_anything_loads(tmp_path: Path) -> None:
    result = casework("--version", home=tmp_path)
    assert (result.returncode, result.stdout.strip()) == (0, __version__)
    assert not loaded(result) & {"typer", "pydantic", "sqlalchemy", "holidays"}


def test_calendar_due_loads_no_database_and_no_web_stack(tmp_path: Path) -> None:
    result = casework("calendar", "due", "--start", "2024-02-01", "--days", "7", home=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "due 2024-02-19" in result.stdout  # seven working days over Tết 2024
    assert not loaded(result) & {"sqlalchemy", "sqlmodel", "alembic", "fastapi", "prefect"}
    assert not (tmp_path / "casework.db").exists()  # no database made for a calendar question


def test_a_group_alone_still_has_its_help_and_the_root_has_every_group(tmp_path: Path) -> None:
    group = casework("calendar", "--help", home=tmp_path)
    assert group.returncode == 0
    assert "due" in group.stdout
    root = casework("--help", home=tmp_path)
    assert root.returncode == 0
    for name in ("case", "calendar", "deadlines", "escalations", "user", "up", "serve"):
        assert name in root.stdout
