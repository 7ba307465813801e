"""The README's commands, run top to bottom on a fresh home, say what they claim (issue 22).

Every ```sh block of README.md is read in order. `casework …` lines run in-process with the
environment the blocks `export`; a comment under a command (or after it on its line) is what
that command is claimed to answer: each case reference, each yyyy-mm-dd date and each
`(state)`, each `state → state` and each count (`1 new escalation step(s)`) it names must be
in the command's output (what follows `←`
on a claim explains it and is not checked); a claim that starts with `error:` means the command
is refused with those words, `…` standing for what the README leaves out. A command that cannot run inside a test (a server until Ctrl-C,
a request to one, a password typed at a prompt) is named in `NOT_RUN` with the reason, so a new
kind of line fails here until someone decides what it is. A block that is reference rather than
walk-through (placeholders, another machine) follows a line `<!-- not run by
tests/e2e/test_readme.py: REASON -->`.

The wall clock is frozen after the README's last date: the examples are set in the past, as a
reader running them today finds them.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from freezegun import freeze_time
from typer.testing import CliRunner

from casework.entrypoints.cli import common
from casework.entrypoints.cli.main import app

pytestmark = pytest.mark.e2e

README = Path(__file__).resolve().parents[2] / "README.md"
NOW = "2026-10-01 09:00:00+07:00"

NOT_RUN = {
    ("python3", "scripts/dev.py", "test"): "the test suite itself",
    ("casework", "serve"): "serves until Ctrl-C (tests/api/test_served_api.py runs it)",
    ("casework", "engine"): "runs until Ctrl-C (tests/flows run its flows)",
    ("curl",): "a request to the server `casework serve` would run",
}
"""Lines the test does not run, by their first words, and why."""

TYPED = {("casework", "user", "add"): "ein-langes-Passwort-1\n" * 2}
"""What an officer types at a command's prompts."""

SET_UP = ("python3", "scripts/dev.py", "up")
"""The README's first command: the venv exists here, so what it runs after the install."""

REF = re.compile(r"\b[A-Z]+-\d{4}-\d{6}\b")
DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SKIP_BLOCK = "<!-- not run by tests/e2e/test_readme.py:"
STATE = re.compile(r"\(([a-z]+(?:_[a-z]+)*)\)")
MOVE = re.compile(r"\b([a-z_]+ → [a-z_]+)\b")
COUNT = re.compile(r"\b(\d+ [a-z][a-z ]*\(s\))")  # "1 new escalation step(s)"


@dataclass
class Command:
    """One command line of the README, with what the README claims it answers."""

    line: int
    words: list[str]
    claims: list[str] = field(default_factory=list)

    def claimed(self) -> str:
        """What the claims say the output holds; what follows `←` explains it instead."""
        return " ".join(claim.partition("←")[0] for claim in self.claims)


def _split_comment(text: str) -> tuple[str, str]:
    """A shell line's command and its trailing comment: a `#` after a space, outside quotes."""
    quote = ""
    for i, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#" and (i == 0 or text[i - 1].isspace()):
            return text[:i].rstrip(), text[i + 1 :].strip()
    return text.rstrip(), ""


def readme_commands(text: str) -> list[Command]:
    """The commands of every ```sh block, in order, each with its claims."""
    commands: list[Command] = []
    in_block = False
    pending = ""
    start = 0
    claimed_by: Command | None = None  # the command the comment lines below it are about
    previous = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.strip().startswith("```"):
            runs = raw.strip() == "```sh" and not previous.startswith(SKIP_BLOCK)
            in_block = runs if not in_block else False
            claimed_by = None
            previous = raw
            continue
        previous = raw
        if not in_block:
            continue
        if not pending:
            start = number
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        line, pending = pending + raw, ""
        command, comment = _split_comment(line)
        if not command:
            if comment and claimed_by is not None:
                claimed_by.claims.append(comment)
            else:
                claimed_by = None
            continue
        claimed_by = Command(start, shlex.split(command), [comment] if comment else [])
        commands.append(claimed_by)
    return commands


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CASEWORK_HOME", str(tmp_path))
    for name in ("CASEWORK_DATABASE_URL", "CASEWORK_OPERATOR", "CASEWORK_SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    common.reset_casework_app()
    yield tmp_path
    common.reset_casework_app()


def test_the_readme_parser_reads_continuations_claims_and_quotes() -> None:
    text = (
        "```sh\n"
        'casework case new x --summary "a # not a comment" \\\n'
        "  --by me      # logged TC-2024-000001 (received)\n"
        "#   clock: due 2024-02-19\n"
        "export CASEWORK_OPERATOR=me\n"
        "```\n"
    )
    first, second = readme_commands(text)
    assert first.words == [
        *("casework", "case", "new", "x", "--summary", "a # not a comment", "--by", "me")
    ]
    assert first.claims == ["logged TC-2024-000001 (received)", "clock: due 2024-02-19"]
    assert second.words == ["export", "CASEWORK_OPERATOR=me"]


def _unquoted(claimed: str, output: str) -> list[str]:
    """The parts of a claimed refusal (`error: … text … text`, `…` standing for what is left
    out) that the output does not say, spaces and line breaks aside."""
    if not claimed.startswith("error:"):
        return []
    said = " ".join(output.split())
    parts = (" ".join(part.split()) for part in claimed.removeprefix("error:").split("…"))
    return [part for part in parts if len(part) > 10 and part not in said]


def _not_run(words: list[str]) -> str | None:
    for prefix, why in NOT_RUN.items():
        if tuple(words[: len(prefix)]) == prefix:
            return why
    return None


def test_the_readme_runs_in_order_and_answers_what_it_says(home: Path) -> None:
    commands = readme_commands(README.read_text(encoding="utf-8"))
    assert commands[0].words == list(SET_UP)
    runner = CliRunner()
    env: dict[str, str] = {}
    ran = 0
    drift: list[str] = []
    with freeze_time(NOW):
        for command in commands:
            words = command.words
            if tuple(words) == SET_UP:
                words = ["casework", "up", "--no-engine"]
            if words[0] == "export":
                name, _, value = words[1].partition("=")
                env[name] = value
                continue
            if _not_run(words):
                continue
            assert words[0] == "casework", f"README line {command.line}: {words} is not run"
            typed = TYPED.get(tuple(words[:3]))
            result = runner.invoke(app, words[1:], env=env, input=typed)
            output = result.output  # with what went to stderr
            where = f"README line {command.line}: {shlex.join(words)}\n{output}"
            claimed = command.claimed()
            if (result.exit_code != 0) != claimed.startswith("error:"):
                drift.append(f"{where}exit code {result.exit_code}")
            missing = [
                *(ref for ref in REF.findall(claimed) if ref not in output),
                *(day for day in DATE.findall(claimed) if day not in output),
                *(state for state in STATE.findall(claimed) if state not in output),
                *(move for move in MOVE.findall(claimed) if move not in output),
                *(count for count in COUNT.findall(claimed) if count not in output),
                *_unquoted(claimed, output),
            ]
            if missing:
                drift.append(f"{where}claimed but not answered: {', '.join(missing)}")
            ran += 1
    assert not drift, "\n\n".join(drift)
    assert ran > 60
