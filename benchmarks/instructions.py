"""Instructions per case intake and per transition, counted by valgrind, for two checkouts.

Seconds on a shared machine move by a third from one run to the next; instruction counts do
not. Each checkout (a folder with `src/` and `benchmarks/core.py`: this repository, or a
`git worktree add /tmp/base REV` of an earlier commit) is run four times under
`valgrind --tool=callgrind`: N=100 and N=400 intakes, each alone and followed by one
transition per case. The differences divided by 300 are the instructions of one intake and
of one transition, start-up and set-up cancelled out. The garbage collector is off while
they are counted: a full collection landing in one run and not in the other would be counted
as theirs. Prints JSON; needs valgrind (Debian's package). About six minutes.

    .venv/bin/python benchmarks/instructions.py /tmp/base .
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SMALL, LARGE = 100, 400


def measured(root: Path, count: int, with_transitions: bool) -> None:
    """The workload itself (run under valgrind): set up, then the counted intakes."""
    sys.path[:0] = [str(root / "src"), str(root / "benchmarks")]
    import core  # the checkout's own benchmark helpers

    with tempfile.TemporaryDirectory() as folder:
        app = core.fresh_app(None, Path(folder))
        core.fill(app, 2000, 0.01)
        _, warm = core.time_intake(app, 20)  # first statements compiled, caches filled
        core.time_transitions(app, warm)
        gc.collect()
        gc.disable()
        _, refs = core.time_intake(app, count)
        if with_transitions:
            core.time_transitions(app, refs)


def instructions(root: Path, count: int, with_transitions: bool) -> int:
    """Instructions of one run of the workload under callgrind."""
    with tempfile.TemporaryDirectory() as folder:
        command = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={folder}/out",
            sys.executable,
            __file__,
            "--workload",
            str(root),
            str(count),
            "both" if with_transitions else "intake",
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"valgrind printed no count for {root}:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def per_operation(root: Path) -> dict[str, int]:
    """Instructions of one intake and of one transition in checkout `root`."""
    runs = [(SMALL, False), (LARGE, False), (SMALL, True), (LARGE, True)]
    with ThreadPoolExecutor(max_workers=2) as pool:  # instructions do not depend on load
        small, large, small_both, large_both = pool.map(lambda run: instructions(root, *run), runs)
    spread = LARGE - SMALL
    return {
        "intake": round((large - small) / spread),
        "transition": round(((large_both - large) - (small_both - small)) / spread),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", type=Path, help="the checkout to compare against")
    parser.add_argument("new", type=Path, help="the checkout measured")
    args = parser.parse_args()
    base, new = per_operation(args.base.resolve()), per_operation(args.new.resolve())
    print(
        json.dumps(
            {
                "base": {"checkout": str(args.base), **base},
                "new": {"checkout": str(args.new), **new},
                "change_percent": {key: round(100 * (new[key] / base[key] - 1), 1) for key in base},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--workload":
        measured(Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "both")
    else:
        main()
