"""Set-up mistakes answer one line saying what is wrong and what to do, with an exit code of
their own, never a traceback nor a case's data: a misspelt or unreachable database, a wrong
PostgreSQL role, a home folder casework may not write, an invalid setting (issue 22)."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import POSTGRES_ADMIN_URL, _postgres_reachable
from typer.testing import CliRunner

from casework.entrypoints.cli import common
from casework.entrypoints.cli.main import app

pytestmark = pytest.mark.e2e


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CASEWORK_HOME", str(tmp_path))
    monkeypatch.delenv("CASEWORK_DATABASE_URL", raising=False)
    common.reset_casework_app()
    yield tmp_path
    common.reset_casework_app()


def init(env: dict[str, str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["init"], env=env)
    common.reset_casework_app()
    text = result.stderr + result.output
    assert "Traceback" not in text
    if result.exit_code:
        assert "database ready" not in result.output  # a failed init never says it is ready
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.stderr.strip()


@pytest.mark.parametrize(
    ("url", "code", "said"),
    [
        ("postgersql://casework@db/casework", 11, "is not a database URL casework can use"),
        ("not a url", 11, "give sqlite:///path/to/casework.db or postgresql+psycopg://"),
        (
            "postgresql+psycopg://casework:s3cret@127.0.0.1:1/casework",
            12,
            "Connection refused — is the server running, on that host and port?",
        ),
    ],
)
def test_a_wrong_database_url_is_one_line_with_its_own_exit_code(
    home: Path, url: str, code: int, said: str
) -> None:
    exit_code, message = init({"CASEWORK_DATABASE_URL": url})
    assert (exit_code, message.count("\n")) == (code, 0), message
    assert said in message
    assert "s3cret" not in message  # the password is never printed


def test_a_wrong_postgresql_role_or_database_is_named() -> None:
    unreachable = _postgres_reachable()
    if unreachable:
        pytest.skip(f"no PostgreSQL server to refuse the role: {unreachable}")
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    host = base.split("@", 1)[1]
    for url, said in (
        (f"postgresql+psycopg://no_such_role@{host}/test", 'role "no_such_role" does not exist'),
        (f"{base}/no_such_database", 'database "no_such_database" does not exist'),
    ):
        exit_code, message = init({"CASEWORK_DATABASE_URL": url})
        assert exit_code == 12, message
        assert said in message


def test_an_invalid_setting_names_the_variable_and_what_it_takes(home: Path) -> None:
    exit_code, message = init({"CASEWORK_SMTP_PORT": "abc", "CASEWORK_SESSION_IDLE_MINUTES": "0"})
    assert exit_code == 11
    assert "CASEWORK_SMTP_PORT='abc': input should be a valid integer" in message
    assert "CASEWORK_SESSION_IDLE_MINUTES='0': input should be greater than or equal to 1" in (
        message
    )


def test_a_home_that_is_not_a_folder_is_said_so(home: Path) -> None:
    (home / "a-file").write_text("")
    exit_code, message = init({"CASEWORK_HOME": str(home / "a-file" / "home")})
    assert exit_code == 13
    assert "casework may not write" in message
    assert "Set CASEWORK_HOME" in message


@contextlib.contextmanager
def read_only_folder(where: Path) -> Iterator[Path]:
    """A read-only file system mounted at `where` (root can write any folder whatever its
    mode, so only a read-only mount shows what an officer's account meets)."""
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a read-only folder here: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a read-only folder needs root")
def test_init_in_a_read_only_home_does_not_say_the_database_is_ready(home: Path) -> None:
    with read_only_folder(home / "ro") as folder:
        for target in (folder, folder / "sub"):
            exit_code, message = init({"CASEWORK_HOME": str(target)})
            assert exit_code == 13, message
            assert "Read-only file system" in message


def test_a_home_that_cannot_be_made_and_a_mapping_that_is_not_json(home: Path) -> None:
    exit_code, message = init({"CASEWORK_HOME": "/proc/no-such-home"})
    assert (exit_code, "casework may not write /proc/no-such-home" in message) == (13, True)
    exit_code, message = init({"CASEWORK_POLICY_LENGTHS": "notjson"})
    assert exit_code == 11
    assert "CASEWORK_POLICY_LENGTHS is JSON" in message
