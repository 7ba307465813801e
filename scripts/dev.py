#!/usr/bin/env python3
"""The two commands of the README, needing nothing but Python 3.11+.

    python3 scripts/dev.py up      # set up, then run casework (`casework up`)
    python3 scripts/dev.py test    # set up, then ruff, mypy, import-linter and the whole test suite

Set-up makes `.venv/` and installs casework with the versions pinned in `requirements.lock`;
it is skipped when neither the lockfile nor pyproject.toml changed since the last time.
`test` also makes sure Debian's Chromium (/usr/bin/chromium) is there for the browser tests
and Debian's Postfix (/usr/sbin/postfix) for the tests that deliver mail through a real MTA
(tests/mta.py runs a private instance of it per test module), installing each with apt-get
when run as root; otherwise those tests are skipped, saying why. Postfix is installed with
debconf's "No configuration": no system-wide mail set-up is made on the machine.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".casework-installed"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; tests/browser drives it with Playwright
NO_BROWSER = "CASEWORK_NO_BROWSER"  # why it is missing: the browser tests skip with these words
POSTFIX = Path("/usr/sbin/postfix")  # Debian's package; tests/mta.py runs private instances of it
NO_MTA = "CASEWORK_NO_MTA"  # why it is missing: the Postfix tests skip with these words


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
    if sys.version_info < (3, 11):  # noqa: UP036 -- this script runs on any python3
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
    run(
        BIN / "python", "-m", "pip", "install", "--quiet", "-c", "requirements.lock", "-e", ".[dev]"
    )
    STAMP.write_text(fingerprint)


def apt_install(package: str, needed: Path, purpose: str, debconf: str = "") -> str | None:
    """Install Debian's `package` (for `purpose`, as the user is told) with apt-get, as root,
    non-interactively and without recommends, unless `needed` (a file it provides) is already
    there; `debconf` lines are preseeded first, so its questions are answered before it asks
    them. None when `needed` is there afterwards, otherwise why not, in one line."""
    if needed.exists():
        return None
    if not shutil.which("apt-get"):
        return f"{needed} is missing and there is no apt-get to install Debian's {package}"
    if os.geteuid() != 0:
        answer = f"echo '{debconf.strip()}' | sudo debconf-set-selections && " if debconf else ""
        return (
            f"{needed} is missing and only root can install it: "
            f"{answer}sudo apt-get install -y --no-install-recommends {package}"
        )
    print(f"installing Debian's {package} for {purpose} (apt-get) …", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if debconf:  # unanswered, a question takes its default, which may set up more than asked
        if not shutil.which("debconf-set-selections"):
            return f"there is no debconf-set-selections to answer {package}'s questions first"
        preseed = subprocess.run(
            ["debconf-set-selections"], input=debconf, env=env, capture_output=True, text=True
        )
        if preseed.returncode != 0:
            return (
                f"debconf-set-selections failed ({preseed.stderr.strip()}): {package} not installed"
            )
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", package]
    done = subprocess.run(install, env=env, capture_output=True, text=True)
    if done.returncode != 0:  # no package lists yet, or stale ones: update, then again
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
        done = subprocess.run(install, env=env, capture_output=True, text=True)
    if needed.exists():
        return None
    last = (done.stderr or done.stdout).strip().splitlines()
    return f"apt-get install {package} failed ({last[-1] if last else done.returncode})"


def ensure_browser() -> None:
    """Install Debian's chromium when it is missing, as root with apt-get; never a downloaded
    browser (no `playwright install`). If it cannot, say so in one line: the browser tests skip."""
    why = apt_install("chromium", CHROMIUM, "the browser tests")
    if why:
        print(f"browser tests will be skipped: {why}", flush=True)
        os.environ[NO_BROWSER] = why  # run() passes it on to pytest


def ensure_mta() -> None:
    """Install Debian's postfix when it is missing, as root with apt-get, for the tests that
    deliver mail through a real MTA. If it cannot, say so in one line: those tests skip.

    Debconf is told "No configuration" first: without it the package asks what kind of mail
    server this is, and with any other answer its postinst writes /etc/postfix/main.cf for the
    machine and serves port 25. The tests need only the binaries; tests/mta.py gives each
    instance its own configuration directory and a free loopback port."""
    why = apt_install(
        "postfix",
        POSTFIX,
        "the Postfix tests",
        debconf="postfix postfix/main_mailer_type select No configuration\n",
    )
    if why:
        print(f"Postfix tests will be skipped: {why}", flush=True)
        os.environ[NO_MTA] = why  # run() passes it on to pytest


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
        ensure_browser()
        ensure_mta()
        # one worker per core, each module's tests in one worker (its fixtures and templates
        # are set up once); `python3 scripts/dev.py test -n 0` runs in one process
        run(BIN / "python", "-m", "pytest", "--numprocesses=auto", "--dist=loadfile", *rest)


if __name__ == "__main__":
    main(sys.argv[1:])
