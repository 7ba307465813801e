"""`casework engine`: serve the Prefect flows of `workflows/` on their schedules.

With no `PREFECT_API_URL`, a Prefect server is started as a child process on loopback (its
data under <CASEWORK_HOME>/prefect), because `serve()` schedules nothing on Prefect's temporary
server. Prefect reads its settings when imported, so they are set before the first import.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from casework.config import Settings
from casework.domain.errors import ConfigurationError
from casework.resources import workflows_dir

QUIET_PREFECT = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_API_HOST": "127.0.0.1",
}


def prepare_environment(settings: Settings) -> None:
    """Prefect settings for this process and its children, before Prefect is imported."""
    os.environ.setdefault("PREFECT_HOME", str((settings.home / "prefect").resolve()))
    for key, value in QUIET_PREFECT.items():
        os.environ.setdefault(key, value)
    # the served flows run in subprocesses: they must find the same casework database
    os.environ.setdefault("CASEWORK_DATABASE_URL", settings.resolved_database_url())
    os.environ.setdefault("CASEWORK_HOME", str(settings.home.resolve()))


def wait_until_healthy(url: str, timeout: float, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ConfigurationError(
                f"the Prefect server stopped with code {process.returncode}; its log is in "
                f"{os.environ['PREFECT_HOME']}/server.log"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)  # polling a child process's health, not waiting for a deadline
    raise ConfigurationError(f"the Prefect server did not answer {url} within {timeout:.0f} s")


@contextmanager
def prefect_server(port: int) -> Iterator[str | None]:
    """Start a Prefect server unless PREFECT_API_URL names one; yields the API URL."""
    if os.environ.get("PREFECT_API_URL"):
        yield None
        return
    home = Path(os.environ["PREFECT_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    log = (home / "server.log").open("ab")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prefect",
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=os.environ.copy(),
        # its own session: Ctrl-C reaches the engine, which pauses its deployments through
        # this server and only then stops it
        start_new_session=True,
    )
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}/api/health", 120, process)
        os.environ["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def load_flows() -> ModuleType:
    path = workflows_dir() / "deadline_flows.py"
    spec = importlib.util.spec_from_file_location("casework_deadline_flows", path)
    if spec is None or spec.loader is None:
        raise ConfigurationError(f"cannot load the flows from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def deployments(
    flows: ModuleType,
    sweep_every: timedelta,
    deliver_every: timedelta,
    digest_cron: str,
    read_bounces: bool = False,
) -> list[Any]:
    """The scheduled deployments; each runs one at a time (concurrency 1). Bounces are read
    as often as notices are delivered, when a bounce address and its Maildir are set."""
    from prefect.schedules import Cron

    bounces = [
        flows.read_bounce_mailbox.to_deployment(
            name="casework",
            interval=deliver_every,
            concurrency_limit=1,
            description="Mark the notices the bounce mailbox returns.",
        )
    ]
    return [
        flows.sweep_deadlines.to_deployment(
            name="casework",
            interval=sweep_every,
            concurrency_limit=1,
            description="Record escalation steps reached and queue their notices.",
        ),
        flows.deliver_notifications.to_deployment(
            name="casework",
            interval=deliver_every,
            concurrency_limit=1,
            description="Send queued notices (SMTP, or .eml files without one).",
        ),
        flows.daily_digest.to_deployment(
            name="casework",
            schedule=Cron(digest_cron, timezone="Asia/Ho_Chi_Minh"),
            concurrency_limit=1,
            description="Each supervisor's digest of overdue and due-soon cases (working days).",
        ),
        *(bounces if read_bounces else []),
    ]


def catch_up(flows: ModuleType) -> None:
    """Sweep once as the engine starts, as of now, rather than a schedule's interval later:
    what fell due while the engine was down is alerted at once, each clock at its current step
    (services/sweep.py). A run that fails says so here and in the Prefect UI (a failed flow
    run); the scheduled sweeps then try again."""
    try:
        summary = flows.sweep_deadlines()
    except Exception as failure:
        print(f"casework engine: the catch-up sweep failed: {failure}", file=sys.stderr, flush=True)
        return
    print(
        f"casework engine: catch-up sweep as of {summary['as_of']}: "
        f"{summary['escalations']} alert(s), {summary['skipped']} step(s) passed over, "
        f"{summary['notices_queued']} notice(s) queued",
        flush=True,
    )


def run_engine(
    settings: Settings,
    port: int,
    sweep_every: timedelta,
    deliver_every: timedelta,
    digest_cron: str = "0 7 * * *",
) -> None:
    """Serve the flows until interrupted (Ctrl-C or SIGTERM)."""
    prepare_environment(settings)
    with prefect_server(port) as ui:
        if ui:
            print(
                f"Prefect UI: {ui}  (deployments: sweep-deadlines, deliver-notifications, daily-digest"
                + (", read-bounces" if settings.bounce_address and settings.bounce_maildir else "")
                + ")",
                flush=True,
            )
        from prefect import serve  # only now: Prefect reads its settings at import

        flows = load_flows()
        catch_up(flows)
        try:
            serve(
                *deployments(
                    flows,
                    sweep_every,
                    deliver_every,
                    digest_cron,
                    read_bounces=bool(settings.bounce_address and settings.bounce_maildir),
                ),
                print_starting_message=False,
            )
        except KeyboardInterrupt:
            print("casework engine: stopping", flush=True)
