"""A PostgreSQL restart in the middle of a flow run: the task fails with a clear log line,
Prefect retries it, and the retry records exactly what a clean run records.

The shared server on 127.0.0.1:5432 cannot be restarted under other tests, so this test runs
a PostgreSQL cluster of its own (Debian's initdb and pg_ctl, a few hundred milliseconds) on a
free port, and restarts it with `pg_ctl restart -m immediate` — the way a crash or a failover
looks to a client: every connection is cut mid-statement.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import Engine, event
from tests.conftest import EXAMPLE_ORG, at
from tests.flows.test_deadline_flows import flows  # noqa: F401 - the shared fixture
from tests.integration.test_delivery import free_port

from casework.config import Settings
from casework.services.app import bootstrap
from casework.services.intake import Denouncer, LogCase, log_case
from casework.services.organisation import load_organisation_file
from casework.services.schema import initialise

pytestmark = [pytest.mark.flows, pytest.mark.postgres]

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)


@dataclass
class PrivatePostgres:
    data: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1"
        # -l: the server writes to a file, not to our pipe (which would then never close)
        log = str(self.data.parent / "server.log")
        command = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", log, "-w", "-o", options]
        command += args
        subprocess.run(_as_postgres(command), check=True, capture_output=True, timeout=60)


def _as_postgres(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; on this machine the tests run as root
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    if PG_BIN is None or not (PG_BIN / "initdb").exists():
        pytest.skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin) to run a cluster")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: cannot start PostgreSQL as postgres")
    # outside pytest's private temporary folder, which the postgres user cannot enter
    folder = Path(tempfile.mkdtemp(prefix="casework-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    cluster = PrivatePostgres(folder / "data", free_port())
    initdb = [str(PG_BIN / "initdb"), "-D", str(cluster.data), "-A", "trust", "-U", "postgres"]
    try:
        subprocess.run(_as_postgres([*initdb, "--no-sync"]), check=True, capture_output=True)
        cluster.ctl("start")
        yield cluster
        cluster.ctl("-m", "immediate", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_database_restart_mid_sweep_is_logged_and_the_retried_task_completes(
    private_postgres: PrivatePostgres,
    flows: ModuleType,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("CASEWORK_HOME", str(tmp_path))
    monkeypatch.setenv("CASEWORK_DATABASE_URL", private_postgres.url)
    app = bootstrap(Settings(home=tmp_path, database_url=private_postgres.url))
    initialise(app)
    load_organisation_file(app, EXAMPLE_ORG, "tests", at("2024-01-02"))
    log_case(
        app,
        LogCase(
            kind="denunciation",
            agency="so-tnmt",
            received_on=at("2024-02-01").date(),
            summary="x",
            denouncer=Denouncer("A"),
            denounced_name="B",
        ),
        at("2024-02-01"),
    )
    restarts: list[str] = []

    def restart_on_first_escalation(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        written = statement.lstrip().upper().replace('"', "")
        if not restarts and written.startswith("INSERT INTO ESCALATION"):
            restarts.append(statement)
            private_postgres.ctl("-m", "immediate", "restart")

    # quick retries for the test; the flows' own delays are 5, 30 and 120 seconds
    monkeypatch.setattr(
        flows, "run_sweep", flows.run_sweep.with_options(retry_delay_seconds=[0.2, 0.2, 0.2])
    )
    from prefect.testing.utilities import prefect_test_harness

    event.listen(Engine, "before_cursor_execute", restart_on_first_escalation)
    try:
        with prefect_test_harness(), caplog.at_level(logging.WARNING):
            result = flows.sweep_deadlines(as_of=at("2024-02-27", 8).isoformat())
    finally:
        event.remove(Engine, "before_cursor_execute", restart_on_first_escalation)
    assert len(restarts) == 1  # the server really went down inside the sweep's transaction
    said = [r.getMessage() for r in caplog.records]
    assert any(
        "casework database unreachable during the deadline sweep" in line
        and "the task will be retried" in line
        for line in said
    ), said
    # what a clean run records, no more, no fewer: the current step, the three before skipped
    assert (result["escalations"], result["skipped"]) == (1, 3)
    assert flows.sweep_summary(at("2024-02-27", 9).isoformat())["escalations"] == 0
    app.database.dispose()


def test_after_a_restart_the_api_answers_503_once_then_reconnects(
    private_postgres: PrivatePostgres, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from casework.entrypoints.api.app import create_api
    from casework.services.users import add_user, create_token

    app = bootstrap(Settings(home=tmp_path, database_url=private_postgres.url))
    initialise(app)
    load_organisation_file(app, EXAMPLE_ORG, "tests", at("2024-01-02"))
    add_user(app, "tt-xac-minh-1", "mật khẩu đủ dài", at("2024-01-02"))
    token = create_token(app, "tt-xac-minh-1", "tests", at("2024-01-02"))
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_api(app, lambda: at("2024-02-01"))) as api:
        assert api.get("/api/cases", headers=headers).status_code == 200
        private_postgres.ctl("-m", "immediate", "restart")
        lost = api.get("/api/cases", headers=headers)
        assert lost.status_code == 503
        assert lost.headers["retry-after"] == "1"
        assert "nothing of this request was written" in lost.json()["detail"]
        assert api.get("/api/cases", headers=headers).status_code == 200
    app.database.dispose()
