"""How long the commands a reception desk runs all day take to start, against the bare
interpreter measured in the same run (issue 22). Prints JSON.

    .venv/bin/python benchmarks/startup.py              # 15 runs of each, medians
    .venv/bin/python benchmarks/startup.py --runs 5

Each command is a new process, as at a desk: `python -c pass`, `casework --version`,
`casework calendar due --start 2024-02-01 --days 7` and `casework case show REF` on a fresh
home (SQLite) holding one case. The figures are wall-clock medians; `ratio` is a command's
median over the interpreter's, and `target` the ratio the issue asks for. Bytecode is written
and used, as in an installation (PYTHONDONTWRITEBYTECODE is dropped for the commands).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

PYTHON = sys.executable
CASEWORK = [PYTHON, "-m", "casework"]
TARGETS = {"version": 5, "calendar_due": 15, "case_show": 30}


def timed(command: list[str], env: dict[str, str], runs: int) -> float:
    """The median wall-clock seconds of `runs` runs of `command` (after one warm-up run)."""
    subprocess.run(command, env=env, check=True, capture_output=True)
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="casework-startup-") as home:
        env = {
            **os.environ,
            "CASEWORK_HOME": home,
            "CASEWORK_OPERATOR": "tt-chanh-thanh-tra",
        }
        env.pop("CASEWORK_DATABASE_URL", None)
        # an installation keeps its modules' bytecode; without it every run compiles
        # casework's modules again (about 0.1 s here) and measures the compiler
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([*CASEWORK, "up", "--no-engine"], env=env, check=True, capture_output=True)
        new_case = (
            "case", "new", "denunciation", "--agency", "thanh-tra-tinh",
            "--received", "2024-02-01", "--summary", "Cán bộ thu tiền trái quy định",
            "--denouncer-name", "Phạm Thị Hoa", "--denounced-name", "Lê Văn Cường",
            "--by", "tt-tiep-nhan", "--json",
        )  # fmt: skip
        logged = subprocess.run(
            [*CASEWORK, *new_case], env=env, check=True, capture_output=True, text=True
        )
        ref = json.loads(logged.stdout)["ref"]
        bare = timed([PYTHON, "-c", "pass"], env, runs)
        commands = {
            "version": [*CASEWORK, "--version"],
            "calendar_due": [*CASEWORK, "calendar", "due", "--start", "2024-02-01", "--days", "7"],
            "case_show": [*CASEWORK, "case", "show", ref],
        }
        figures = {}
        for name, command in commands.items():
            seconds = timed(command, env, runs)
            figures[name] = {
                "seconds": round(seconds, 4),
                "ratio": round(seconds / bare, 1),
                "target": TARGETS[name],
                "met": seconds / bare <= TARGETS[name],
            }
    print(
        json.dumps(
            {
                "python_c_pass_seconds": round(bare, 4),
                "runs": runs,
                "python": sys.version.split()[0],
                "home": "fresh SQLite home, one case",
                "commands": figures,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
