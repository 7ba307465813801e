"""Test what we ship: build the wheel, install it in a fresh virtual environment, run a smoke
scenario from outside the checkout, so the packaged data (state_machines/, examples/, …) and
the checkout never drift apart."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.e2e


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    completed = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert completed.returncode == 0, (command, completed.stdout, completed.stderr)
    return completed.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv holding only the built wheel; dependencies come from the test venv's site-packages
    (added as a plain path, so its editable install of casework is not active there)."""
    folder = tmp_path_factory.mktemp("wheel")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(folder),
            str(REPO_ROOT),
        ],
        cwd=folder,
    )
    (wheel,) = folder.glob("casework-*.whl")
    target = folder / "venv"
    venv.create(target, with_pip=False)
    python = target / "bin" / "python"
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], folder
        ).strip()
    )
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(site),
            str(wheel),
        ],
        folder,
    )
    return target


def test_installed_wheel_runs_a_case_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    python = str(installed / "bin" / "python")
    env = {**os.environ, "CASEWORK_HOME": str(tmp_path / "home")}
    env.pop("CASEWORK_DATABASE_URL", None)
    where = _run(
        [
            str(installed / "bin" / "python"),
            "-c",
            "import casework.resources as r; print(r.state_machines_dir())",
        ],
        tmp_path,
        env,
    )
    assert str(installed) in where, "the wheel must carry its own state_machines/"
    assert "loaded the organisation" in _run(
        [python, "-m", "casework", "up", "--no-engine"], tmp_path, env
    )
    out = _run(
        [
            python,
            "-m",
            "casework",
            "case",
            "new",
            "denunciation",
            "--agency",
            "thanh-tra-tinh",
            "--received",
            "2024-02-01",
            "--summary",
            "x",
            "--denouncer-name",
            "A",
            "--denounced-name",
            "B",
            "--by",
            "tt-tiep-nhan",
            "--json",
        ],
        tmp_path,
        env,
    )
    assert '"due": "2024-02-19"' in out
    assert "stateDiagram-v2" in _run(
        [python, "-m", "casework", "rules", "diagram", "denunciation"], tmp_path, env
    )
