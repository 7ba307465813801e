#!/usr/bin/env python3
"""The two commands of the README, needing nothing but Python 3.11+.

    python3 scripts/dev.py up      # set up, then run casework (`casework up`)
    python3 scripts/dev.py test    # set up, then ruff, mypy, import-linter and the whole test suite

Set-up makes `.venv/` and installs casework with the versions pinned in `requirements.lock`;
it is skipped when neither the lockfile nor pyproject.toml changed since the last time.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".casework-installed"


def run(*command: str | Path) -> None:
    process = subprocess.Popen([str(c) for c in command], cwd=ROOT)
    while True:
        try:
            code = process.wait()
            break
        except KeyboardInterrupt:  # Ctrl-C reached the child too: let it stop cleanly
            continue
    if code != 0:
        sys.exit(code)


def set_up() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"casework needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    fingerprint = hashlib.sha256(
        (ROOT / "requirements.lock").read_bytes() + (ROOT / "pyproject.toml").read_bytes()
    ).hexdigest()
    if STAMP.exists() and STAMP.read_text() == fingerprint:
        return
    if not (BIN / "python").exists():
        print("creating .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    print("installing casework and its pinned dependencies …", flush=True)
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "--quiet",
        "-c", "requirements.lock", "-e", ".[dev]")
    STAMP.write_text(fingerprint)


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in {"up", "test", "setup"}:
        sys.exit(__doc__)
    set_up()
    command, rest = argv[0], argv[1:]
    if command == "up":
        run(BIN / "casework", "up", *rest)
    elif command == "test":
        run(BIN / "ruff", "check", "src", "tests", "benchmarks", "workflows")
        run(BIN / "ruff", "format", "--check", "src", "tests", "benchmarks", "workflows")
        run(BIN / "mypy")
        run(BIN / "mypy", "--strict", "workflows")
        run(BIN / "lint-imports")
        run(BIN / "python", "-m", "pytest", *rest)


if __name__ == "__main__":
    main(sys.argv[1:])
