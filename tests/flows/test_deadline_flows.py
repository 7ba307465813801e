"""The Prefect flows of workflows/: their service calls directly, one real flow run under
Prefect's test harness, and `casework engine` serving them on a schedule."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest
from tests.conftest import EXAMPLE_ORG, at

from casework.config import Settings
from casework.services.app import bootstrap
from casework.services.intake import Denouncer, LogCase, log_case
from casework.services.organisation import load_organisation_file
from casework.services.schema import initialise

pytestmark = pytest.mark.flows


@pytest.fixture
def casework_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh engine with one overdue case, reachable through CASEWORK_* variables."""
    monkeypatch.setenv("CASEWORK_HOME", str(tmp_path))
    monkeypatch.delenv("CASEWORK_DATABASE_URL", raising=False)
    app = bootstrap(Settings(home=tmp_path))
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
    app.database.dispose()
    return tmp_path


NOTICES = 3
"""The alert's recipients for the example letter, one notice each."""


@pytest.fixture(scope="module")
def flows() -> ModuleType:
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from casework.entrypoints.engine import load_flows

    return load_flows()


def test_the_flow_bodies_call_the_services(casework_home: Path, flows: ModuleType) -> None:
    swept = flows.sweep_summary(at("2024-02-27", 8).isoformat())
    # the triage ran 5 working days over unswept: its current step alone, to the three heads
    # the four steps reached (unit, inspectorate and superior), the three before it skipped
    assert (swept["escalations"], swept["skipped"]) == (1, 3)
    assert swept["notices_queued"] == NOTICES
    # notices are queued at the real time the sweep ran; deliver as of now
    delivered = flows.delivery_summary(datetime.now(UTC).isoformat())
    assert delivered["sent"] == NOTICES
    assert len(list((casework_home / "mail").glob("*.eml"))) == NOTICES
    assert flows.sweep_summary(at("2024-02-27", 9).isoformat())["escalations"] == 0
    digest = flows.digest_summary(at("2024-02-27", 7).isoformat())
    assert digest["working_day"] is True
    assert digest["queued"] >= 1


def test_a_real_flow_run_under_the_test_harness(casework_home: Path, flows: ModuleType) -> None:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness():
        result = flows.sweep_deadlines(as_of=at("2024-02-27", 8).isoformat())
        again = flows.sweep_deadlines(as_of=at("2024-02-27", 8).isoformat())
        delivered = flows.deliver_notifications(as_of=datetime.now(UTC).isoformat())
    assert (result["escalations"], again["escalations"]) == (1, 0)
    assert delivered["sent"] == NOTICES


@pytest.fixture
def engine_process(casework_home: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "CASEWORK_HOME": str(casework_home)}
    env.pop("PREFECT_API_URL", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "casework",
            "engine",
            "--prefect-port",
            str(_free_port()),
            "--sweep-minutes",
            "0.1",
            "--deliver-minutes",
            "0.1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    yield process
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_engine_sweeps_and_delivers_on_its_schedule(
    casework_home: Path, engine_process: subprocess.Popen[bytes]
) -> None:
    mail = casework_home / "mail"
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline and len(list(mail.glob("*.eml"))) < NOTICES:
        assert engine_process.poll() is None, (
            engine_process.stdout.read() if engine_process.stdout else ""
        )
        time.sleep(1)  # polling for the outcome of real scheduled runs; bounded above
    assert len(list(mail.glob("*.eml"))) == NOTICES
    engine_process.send_signal(signal.SIGTERM)
    assert engine_process.wait(timeout=60) is not None
    said = engine_process.stdout.read().decode() if engine_process.stdout else ""
    # it swept as it started, not a schedule's interval later
    assert "catch-up sweep as of" in said
    assert "1 alert(s), 3 step(s) passed over" in said
    leftovers = subprocess.run(
        ["pgrep", "-s", str(engine_process.pid)], capture_output=True, text=True, check=False
    )
    assert leftovers.stdout.strip() == "", "the Prefect server must stop with the engine"


def test_a_delivery_run_that_leaves_notices_undelivered_ends_failed(
    casework_home: Path, flows: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 25: with the mail server down, the run is Failed in Prefect, not Completed."""
    import socket

    from prefect.testing.utilities import prefect_test_harness

    from casework.domain.errors import DeliveryFailed

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    flows.sweep_summary(at("2024-02-27", 8).isoformat())
    monkeypatch.setenv("CASEWORK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CASEWORK_SMTP_PORT", str(port))
    monkeypatch.setenv("CASEWORK_SMTP_SECURITY", "none")
    with prefect_test_harness():
        state = flows.deliver_notifications(as_of=datetime.now(UTC).isoformat(), return_state=True)
    assert state.is_failed()
    with pytest.raises(DeliveryFailed, match=f"{NOTICES} of {NOTICES} notice"):
        state.result()


def test_the_bounce_flow_marks_a_returned_notice(
    casework_home: Path, flows: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read-bounces flow's body: a report in the bounce Maildir marks its notice."""
    import email
    import mailbox

    from tests.integration.test_bounces import dsn

    maildir = casework_home / "bounces"
    box = mailbox.Maildir(maildir, create=True)
    monkeypatch.setenv("CASEWORK_BOUNCE_ADDRESS", "bounces@localhost")
    monkeypatch.setenv("CASEWORK_BOUNCE_MAILDIR", str(maildir))
    flows.sweep_summary(at("2024-02-27", 8).isoformat())
    assert flows.delivery_summary(datetime.now(UTC).isoformat())["sent"] == NOTICES
    sent = email.message_from_bytes(next((casework_home / "mail").glob("*.eml")).read_bytes())
    box.add(dsn("bounces@localhost", str(sent["To"]), str(sent["Message-ID"]), "550 5.1.1 gone"))
    summary = flows.bounce_summary(datetime.now(UTC).isoformat())
    assert (summary["read"], summary["bounced"], summary["unmatched"]) == (1, 1, 0)
