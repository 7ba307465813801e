"""Scale casework's engine out: a Prefect server on PostgreSQL and several workers sharing one
casework database, with local processes only (no containers).

What it does, in order:

1. creates (or reuses; `--fresh` drops and recreates) two PostgreSQL databases on the local
   server: one for Prefect's own state (`casework_prefect`) and the shared casework database
   (`casework_shared`);
2. runs `casework init` on the shared database and loads `examples/org.yaml` if no
   organisation is loaded yet;
3. starts `prefect server start` on the Prefect database (casework's own launcher,
   `casework.entrypoints.engine.prefect_server`) and waits for `/api/health`;
4. creates a `process` work pool and applies the three deployments that `casework engine`
   serves (sweep-deadlines, deliver-notifications, daily-digest; same schedules, one run at a
   time per flow), their code read from the `workflows/` folder on this machine;
5. starts `--workers` (2) `prefect worker start --type process` processes, each with
   `CASEWORK_DATABASE_URL` pointing at the shared database and its own `CASEWORK_HOME` (where
   its .eml files and printable letters go), as if each ran on its own machine.

Without `--demo` it then runs until Ctrl-C (or SIGTERM) and prints the Prefect UI's address.
With `--demo` it logs a few cases that are already overdue, triggers several sweep and
delivery runs at once (and one digest), waits for them, sends whatever is still queued, and
prints JSON: which worker ran which flow run, each run's state and summary, and the counts in
the casework database proving that no ladder step was recorded, and no notice sent, twice.
Either way it stops every process it started before it exits; the demo exits 1 if a check
failed.

Run it from the repository with the project's virtualenv (PostgreSQL on 127.0.0.1:5432, user
postgres, trust authentication):

    .venv/bin/python deploy/scale_out.py --demo            # about a minute; JSON on stdout
    .venv/bin/python deploy/scale_out.py --prefect-port 4200       # keep running; Ctrl-C stops all

Progress goes to stderr; logs of the server and workers to `<home>/prefect/server.log` and
`<home>/worker-N/worker.log` (home: `var/scale-out`). See docs/deploy.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import types
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from uuid import UUID, uuid4

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import URL

from casework.config import Settings
from casework.domain.errors import CaseworkError
from casework.entrypoints.engine import QUIET_PREFECT, deployments, prefect_server
from casework.resources import examples_dir, workflows_dir

FLOWS = ("sweep-deadlines", "deliver-notifications", "daily-digest")
# databases the test suite and benchmarks own: never created, dropped or written here
PROTECTED_DATABASES = {"test", "postgres", "template0", "template1", "casework_bench"}
PROTECTED_PREFIXES = ("casework_test_",)
FINAL_STATES = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def log(message: str) -> None:
    """Progress for the person watching; stdout is kept for the demo's JSON."""
    print(f"[scale-out {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- PostgreSQL -----------------------------------------------------------------------------


def database_url(admin: URL, name: str, driver: str) -> str:
    """The URL of database `name` on the admin URL's server, with the given driver."""
    return admin.set(drivername=driver, database=name).render_as_string(hide_password=False)


def shown(url: str) -> str:
    """A URL to print: its password, if any, masked."""
    return make_url(url).render_as_string(hide_password=True)


def check_name(name: str) -> str:
    if name in PROTECTED_DATABASES or name.startswith(PROTECTED_PREFIXES):
        raise SystemExit(f"refusing to use the database {name!r}: the tests or benchmarks own it")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"database names are letters, digits and _: {name!r}")
    return name


def prepare_databases(admin: URL, names: list[str], fresh: bool) -> dict[str, str]:
    """Create each database unless it exists (drop it first with `fresh`); what was done."""
    engine = create_engine(
        admin.set(drivername="postgresql+psycopg"),
        isolation_level="AUTOCOMMIT",  # CREATE/DROP DATABASE cannot run in a transaction
        connect_args={"connect_timeout": 5},
    )
    done: dict[str, str] = {}
    try:
        with engine.connect() as connection:
            for name in names:
                exists = connection.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
                ).scalar_one_or_none()
                if exists and not fresh:
                    done[name] = "reused"
                    continue
                if exists:
                    # WITH (FORCE) ends sessions left over from an interrupted run
                    connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
                connection.execute(text(f'CREATE DATABASE "{name}"'))
                done[name] = "recreated" if exists else "created"
    finally:
        engine.dispose()
    return done


def clear_local_output(home: Path) -> None:
    """With `--fresh`: the mail, letters and run results of earlier sessions, which the new
    databases know nothing of (logs are kept; they are appended to)."""
    for folder in [home / "results", *home.glob("worker-*/mail"), *home.glob("worker-*/letters")]:
        shutil.rmtree(folder, ignore_errors=True)


# --- child processes ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


SESSION_VARIABLE = "SCALE_OUT_SESSION"


def tagged_processes(token: str) -> list[int]:
    """Live processes whose environment carries this session's token (Linux /proc): the
    workers and every flow run they started. A process worker starts each flow run in a
    session of its own, and a worker that is killed leaves them to init, so neither the
    process group nor the parent link finds them all; the inherited environment does."""
    mark = f"{SESSION_VARIABLE}={token}".encode()
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if mark in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:
            continue  # ended while we looked, or not ours to read
    return [pid for pid in found if pid != os.getpid()]


def signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log_file: IO[bytes]
    log_path: Path


@dataclass
class Children:
    """The worker processes this script started, and whatever they started in turn."""

    token: str = field(default_factory=lambda: uuid4().hex)
    started: list[Child] = field(default_factory=list)

    def start(self, name: str, command: list[str], env: dict[str, str], log_path: Path) -> Child:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log_file = log_path.open("ab")
        process = subprocess.Popen(
            command,
            env={**env, SESSION_VARIABLE: self.token},
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # its own session: a Ctrl-C in the terminal reaches this script only, which then
            # stops the workers before the server they report to
            start_new_session=True,
        )
        child = Child(name, process, log_file, log_path)
        self.started.append(child)
        return child

    def dead(self) -> list[Child]:
        return [c for c in self.started if c.process.poll() is not None]

    def stop_all(self, grace: float = 15) -> None:
        """SIGTERM to every worker (Prefect's worker then stops polling and exits), SIGKILL to
        those still there after `grace` seconds, then the same for any flow run left behind."""
        alive = [c for c in self.started if c.process.poll() is None]
        for child in alive:
            log(f"stopping {child.name} (pid {child.process.pid})")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for child in alive:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log(f"{child.name} did not stop within {grace:.0f} s: killed")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait()
        for child in self.started:
            child.log_file.close()
        self.started.clear()
        strays = tagged_processes(self.token)
        if strays:
            log(f"ending {len(strays)} flow run process(es) left by the workers")
            signal_all(strays, signal.SIGTERM)
            deadline = time.monotonic() + 5
            while strays and time.monotonic() < deadline:
                time.sleep(0.2)  # waiting for processes that are not our children to exit
                strays = tagged_processes(self.token)
            signal_all(strays, signal.SIGKILL)


def raise_interrupt(signum: int, frame: types.FrameType | None) -> None:
    """SIGTERM stops the script the way Ctrl-C does: through the `finally` that stops all."""
    raise KeyboardInterrupt


# --- casework -------------------------------------------------------------------------------


# the demo counts .eml files in each worker's own mail folder: no SMTP, no shared folder
DEMO_UNSET = ("CASEWORK_SMTP_HOST", "CASEWORK_MAIL_FOLDER", "CASEWORK_LETTERS_FOLDER")


def casework_env(url: str, home: Path, demo: bool = False) -> dict[str, str]:
    """This environment (other CASEWORK_* settings included, e.g. SMTP), without Prefect's
    settings, with the shared database and a home of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    for key in DEMO_UNSET if demo else ():
        env.pop(key, None)
    env.update(CASEWORK_DATABASE_URL=url, CASEWORK_HOME=str(home.resolve()))
    return env


def casework_cli(args: list[str], env: dict[str, str]) -> str:
    """Run `casework ARGS` as a user would; its output, or exit with its error."""
    done = subprocess.run(
        [sys.executable, "-m", "casework", *args], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"casework {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def initialise_casework(url: str, home: Path) -> str:
    """`casework init`, then the example organisation if none is loaded yet."""
    env = casework_env(url, home)
    casework_cli(["init"], env)
    organisation = json.loads(casework_cli(["org", "show", "--json"], env))
    if organisation.get("agencies"):
        return "organisation already loaded"
    casework_cli(["org", "load", str(examples_dir() / "org.yaml"), "--by", "scale-out"], env)
    return "example organisation loaded"


def log_overdue_cases(url: str, home: Path, count: int) -> list[str]:
    """Denunciations received 40 days ago, so their first clocks are past their ladder steps.
    Logged through the service (one CLI process per case would cost ~2 s each)."""
    from casework.services.app import bootstrap
    from casework.services.intake import Denouncer, LogCase, log_case

    app = bootstrap(Settings(home=home, database_url=url))
    agencies = ["so-tnmt", "so-xay-dung", "thanh-tra-tinh", "xa-nghi-loc", "xa-hung-nguyen"]
    received = date.today() - timedelta(days=40)
    refs = []
    try:
        for n in range(count):
            logged = log_case(
                app,
                LogCase(
                    kind="denunciation",
                    agency=agencies[n % len(agencies)],
                    received_on=received,
                    summary=f"scale-out demo {n + 1}",
                    denouncer=Denouncer(f"Người tố cáo {n + 1}"),
                    denounced_name="Cán bộ B",
                ),
                datetime.now(UTC),
            )
            refs.append(logged.ref)
    finally:
        app.database.dispose()
    return refs


def casework_counts(url: str) -> dict[str, Any]:
    """What the shared database holds now."""
    from casework.services.app import bootstrap
    from casework.services.audit_trail import verify_audit_trail

    app = bootstrap(Settings(database_url=url))
    try:
        with app.database.connect() as connection:

            def scalar(sql: str) -> int:
                return int(connection.execute(text(sql)).scalar_one())

            counts: dict[str, Any] = {
                "escalations": scalar("SELECT count(*) FROM escalation"),
                "escalation_steps_distinct": scalar(
                    "SELECT count(*) FROM (SELECT DISTINCT clock_id, step, due FROM escalation) s"
                ),
                "escalation_audit_entries": scalar(
                    "SELECT count(*) FROM audit_entry WHERE action = 'escalation.fired'"
                ),
                "outbox": dict(
                    connection.execute(
                        text("SELECT status, count(*) FROM outbox_message GROUP BY status")
                    ).all()
                ),
                "outbox_sent_by_email": scalar(
                    "SELECT count(*) FROM outbox_message WHERE status = 'sent' AND channel = 'email'"
                ),
                "notice_sent_audit_entries": scalar(
                    "SELECT count(*) FROM audit_entry WHERE action = 'notice.sent'"
                ),
            }
        chain = verify_audit_trail(app)
        counts["audit_chain_intact"] = chain.is_intact
        counts["audit_entries"] = chain.entries
    finally:
        app.database.dispose()
    return counts


def eml_files(homes: list[Path], since: float) -> dict[str, list[str]]:
    """The messages each worker wrote since `since` (its FolderMailer: one file per
    Message-ID). Message-IDs repeat across `--fresh` runs, hence the time and not the name."""
    return {
        home.name: sorted(
            p.name for p in (home / "mail").glob("*.eml") if p.stat().st_mtime >= since
        )
        for home in homes
    }


# --- Prefect --------------------------------------------------------------------------------


def prefect_env(home: Path, prefect_url: str, demo: bool) -> None:
    """Prefect settings for this process and the server, before Prefect is first imported
    (it reads them at import)."""
    for key in [k for k in os.environ if k.startswith("PREFECT_")]:
        del os.environ[key]  # a PREFECT_API_URL from the shell would skip our own server
    os.environ.update(QUIET_PREFECT)
    os.environ["PREFECT_HOME"] = str((home / "prefect").resolve())
    os.environ["PREFECT_API_DATABASE_CONNECTION_URL"] = prefect_url
    if demo:
        # a run refused a slot by a flow's limit of one run at a time is retried after this
        # many seconds (default 30): the demo queues several runs of each flow at once
        os.environ["PREFECT_SERVER_DEPLOYMENTS_CONCURRENCY_SLOT_WAIT_SECONDS"] = "2"
        # read back each run's summary (counts only; the flows return no personal data)
        os.environ["PREFECT_RESULTS_LOCAL_STORAGE_PATH"] = str((home / "results").resolve())


def worker_env(
    base: dict[str, str], worker_home: Path, results: Path, demo: bool, delivery_batch: int
) -> dict[str, str]:
    env = dict(base)
    env.update(QUIET_PREFECT)
    env["PREFECT_API_URL"] = os.environ["PREFECT_API_URL"]
    env["PREFECT_HOME"] = str((worker_home / "prefect").resolve())
    env["PREFECT_LOGGING_LEVEL"] = "INFO"  # the worker's log says what it picked up and why
    if demo:
        env["PREFECT_WORKER_QUERY_SECONDS"] = "2"  # default 10: poll often, the demo is short
        env["PREFECT_RESULTS_PERSIST_BY_DEFAULT"] = "true"
        env["PREFECT_RESULTS_LOCAL_STORAGE_PATH"] = str(results.resolve())
        # small batches, so that several deliveries share the queued notices between them
        env["CASEWORK_DELIVERY_BATCH"] = str(delivery_batch)
    return env


def worker_command(pool: str, name: str, limit: int) -> list[str]:
    """`prefect worker start` for the pool: a process worker running at most `limit` flow
    runs at a time, each in a subprocess of its own."""
    return [
        *(sys.executable, "-m", "prefect", "worker", "start"),
        *("--pool", pool, "--type", "process", "--name", name, "--limit", str(limit)),
    ]


def ensure_work_pool(pool: str) -> str:
    """Create the `process` work pool, or reuse it (resumed if the last session paused it)."""
    from prefect import get_client
    from prefect.client.schemas.actions import WorkPoolCreate, WorkPoolUpdate
    from prefect.exceptions import ObjectNotFound
    from prefect.workers.process import ProcessWorker

    with get_client(sync_client=True) as client:
        try:
            found = client.read_work_pool(pool)
        except ObjectNotFound:
            client.create_work_pool(
                WorkPoolCreate(
                    name=pool,
                    type="process",
                    base_job_template=ProcessWorker.get_default_base_job_template(),
                )
            )
            return "created"
        if found.type != "process":
            raise SystemExit(f"the work pool {pool!r} exists with type {found.type!r}")
        if found.is_paused:
            client.update_work_pool(pool, WorkPoolUpdate(is_paused=False))
            return "reused (resumed)"
        return "reused"


def drain_pool(pool: str, children: Children, timeout: float) -> None:
    """Pause the work pool, so that no worker takes another run, and wait for the flow runs
    in flight to finish before the workers are stopped: a run killed halfway leaves work to
    redo (a sweep rolls back; a delivery's claimed batch waits for its lease to expire)."""
    from prefect import get_client
    from prefect.client.schemas.actions import WorkPoolUpdate

    with get_client(sync_client=True) as client:
        client.update_work_pool(pool, WorkPoolUpdate(is_paused=True))
    workers = {c.process.pid for c in children.started}
    deadline = time.monotonic() + timeout
    # two quiet looks in a row: a run fetched just before the pause may not have started yet
    quiet = 0
    while quiet < 2 and time.monotonic() < deadline:
        in_flight = set(tagged_processes(children.token)) - workers
        quiet = 0 if in_flight else quiet + 1
        time.sleep(1)  # waiting for flow-run processes, which are not our children
    if quiet < 2:
        log(f"flow runs still going after {timeout:.0f} s: they will be stopped")


def apply_deployments(
    pool: str, sweep_every: timedelta, deliver_every: timedelta, paused: bool, limited: bool
) -> dict[str, UUID]:
    """The deployments `casework engine` serves, applied to the work pool instead.

    The flows are loaded with `from_source` from the local `workflows/` folder: the
    deployment's pull step is then "set the working directory to that folder", which a
    process worker on this machine (or on one with the same installation path) can follow
    without git, Docker or a storage bucket.
    """
    from prefect import Flow

    folder = str(workflows_dir())
    flows = types.SimpleNamespace(
        sweep_deadlines=Flow.from_source(folder, "deadline_flows.py:sweep_deadlines"),
        deliver_notifications=Flow.from_source(folder, "deadline_flows.py:deliver_notifications"),
        daily_digest=Flow.from_source(folder, "deadline_flows.py:daily_digest"),
    )
    ids: dict[str, UUID] = {}
    for deployment in deployments(flows, sweep_every, deliver_every, "0 7 * * *"):  # type: ignore[arg-type]
        deployment.paused = paused
        if not limited:
            deployment.concurrency_limit = None
        ids[deployment.flow_name] = deployment.apply(work_pool_name=pool)
    return ids


def wait_for_workers(
    pool: str, names: list[str], since: datetime, children: Children, timeout: float
) -> None:
    """Until every worker has sent a heartbeat since `since`: runs triggered earlier would all
    go to the first worker that polls. (Workers of a previous session keep their names and
    stay "online" in Prefect's database for a minute and a half after they stopped.)"""
    from prefect import get_client
    from prefect.client.schemas.filters import WorkerFilter, WorkerFilterStatus

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            if children.dead():
                raise SystemExit(f"{children.dead()[0].name} stopped; see its log")
            online = client.read_workers_for_work_pool(
                pool, worker_filter=WorkerFilter(status=WorkerFilterStatus(any_=["ONLINE"]))
            )
            fresh = {
                w.name for w in online if w.last_heartbeat_time and w.last_heartbeat_time > since
            }
            if fresh >= set(names):
                return
            time.sleep(0.5)  # polling the server for the workers' first heartbeat
    raise SystemExit(f"the workers were not online within {timeout:.0f} s; see their logs")


def clear_leftover_runs(deployment_ids: dict[str, UUID]) -> int:
    """Demo only: delete the runs an interrupted session left waiting, which the workers would
    otherwise take up now and which the demo would not count."""
    from prefect import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterDeploymentId,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    unfinished = [StateType.SCHEDULED, StateType.PENDING, StateType.RUNNING, StateType.PAUSED]
    deleted = 0
    with get_client(sync_client=True) as client:
        while runs := client.read_flow_runs(  # a page at a time
            flow_run_filter=FlowRunFilter(
                deployment_id=FlowRunFilterDeploymentId(any_=list(deployment_ids.values())),
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=unfinished)),
            ),
            limit=100,
        ):
            for run in runs:
                client.delete_flow_run(run.id)
            deleted += len(runs)
    return deleted


def trigger(deployment_ids: dict[str, UUID], counts: dict[str, int]) -> dict[UUID, str]:
    """Create `count` runs of each flow's deployment at once; their ids and flow names."""
    from prefect import get_client

    runs: dict[UUID, str] = {}
    with get_client(sync_client=True) as client:
        for flow_name, count in counts.items():
            for _ in range(count):
                run = client.create_flow_run_from_deployment(deployment_ids[flow_name])
                runs[run.id] = flow_name
    return runs


def wait_for_runs(run_ids: list[UUID], children: Children, timeout: float) -> list[Any]:
    """The runs once all are final, or as they stand at the timeout (the checks then fail)."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while True:
            runs = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=run_ids)),
                limit=len(run_ids),
            )
            if all(r.state_type is not None and r.state_type.value in FINAL_STATES for r in runs):
                return runs
            if children.dead():
                raise SystemExit(f"{children.dead()[0].name} stopped; see its log")
            if time.monotonic() > deadline:
                log(f"runs not finished within {timeout:.0f} s")
                return runs
            time.sleep(1)  # polling the server for the runs' states


def run_summary(run: Any) -> Any:
    """The flow's return value (persisted by the workers in demo mode), or why there is none."""
    if run.state is None or not run.state.is_completed():
        return None
    try:
        return run.state.result(raise_on_failure=False)
    except Exception as exc:  # e.g. the result file is on another machine
        return f"not readable here: {type(exc).__name__}"


def most_at_once(runs: list[dict[str, Any]]) -> int:
    """The largest number of these runs that were running at the same moment."""
    edges = sorted(
        [(r["started_s"], 1) for r in runs if r["started_s"] is not None]
        + [(r["ended_s"], -1) for r in runs if r["ended_s"] is not None],
        key=lambda edge: (edge[0], edge[1]),  # an end before a start at the same instant
    )
    running = peak = 0
    for _, step in edges:
        running += step
        peak = max(peak, running)
    return peak


def describe_runs(
    runs: list[Any], flows: dict[UUID, str], origin: datetime
) -> list[dict[str, Any]]:
    def seconds(moment: datetime | None) -> float | None:
        return round((moment - origin).total_seconds(), 2) if moment else None

    rows = [
        {
            "flow": flows[run.id],
            "run": run.name,
            "worker": run.labels.get("prefect.worker.name"),
            "state": run.state_type.value if run.state_type else None,
            "started_s": seconds(run.start_time),
            "ended_s": seconds(run.end_time),
            "summary": run_summary(run),
        }
        for run in runs
    ]
    return sorted(rows, key=lambda r: (r["started_s"] is None, r["started_s"] or 0))


def due_notices(url: str) -> int:
    engine = create_engine(make_url(url))
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text(
                        "SELECT count(*) FROM outbox_message "
                        "WHERE status = 'pending' AND next_attempt_at <= now()"
                    )
                ).scalar_one()
            )
    finally:
        engine.dispose()


def total(rows: list[dict[str, Any]], flow: str, key: str) -> int:
    return sum(
        int(r["summary"].get(key, 0))
        for r in rows
        if r["flow"] == flow and isinstance(r["summary"], dict)
    )


def run_demo(
    args: argparse.Namespace,
    casework_url: str,
    deployment_ids: dict[str, UUID],
    worker_names: list[str],
    worker_homes: list[Path],
    children: Children,
) -> dict[str, Any]:
    """Overdue cases, several sweeps and deliveries at once on the workers, then the proof."""
    before = casework_counts(casework_url)
    began = time.time()
    refs = log_overdue_cases(casework_url, args.home / "admin", args.cases)
    log(f"logged {len(refs)} overdue cases ({refs[0]} … {refs[-1]})")
    origin = datetime.now(UTC)
    flows = trigger(
        deployment_ids,
        {"sweep-deadlines": args.runs, "deliver-notifications": args.runs, "daily-digest": 1},
    )
    log(f"triggered {len(flows)} runs at once; waiting for the workers")
    runs = wait_for_runs(list(flows), children, args.timeout)
    # Deliveries send what was due at their scheduled time: those of the first wave started
    # before the sweeps had queued anything. Waves of deliveries at once now send the rest,
    # each run claiming its own batch.
    for _ in range(args.max_delivery_waves):
        due = due_notices(casework_url)
        if not due:
            break
        flows |= trigger(deployment_ids, {"deliver-notifications": args.runs})
        log(f"{due} notices due: {args.runs} deliveries at once")
        runs = wait_for_runs(list(flows), children, args.timeout)
    after = casework_counts(casework_url)
    rows = describe_runs(runs, flows, origin)

    def delta(key: str) -> int:
        return int(after[key]) - int(before[key])

    new_files = eml_files(worker_homes, began)
    all_new = [name for names in new_files.values() for name in names]
    sent = after["outbox"].get("sent", 0) - before["outbox"].get("sent", 0)
    escalations = delta("escalations")
    per_worker: dict[str, dict[str, int]] = {}
    for row in rows:  # what each worker did: its runs per flow, and what those runs recorded
        work = per_worker.setdefault(str(row["worker"]), {})
        work[f"{row['flow']} runs"] = work.get(f"{row['flow']} runs", 0) + 1
        summary = row["summary"] if isinstance(row["summary"], dict) else {}
        for key, name in (("escalations", "escalations recorded"), ("sent", "notices sent")):
            if key in summary:
                work[name] = work.get(name, 0) + int(summary[key])
    checks = {
        "every_run_completed": all(r["state"] == "COMPLETED" for r in rows),
        "every_worker_ran_flows": set(worker_names) <= set(per_worker),
        "steps_recorded": escalations > 0,
        "no_step_recorded_twice": escalations
        == delta("escalation_steps_distinct")
        == delta("escalation_audit_entries")
        == total(rows, "sweep-deadlines", "escalations"),
        "every_notice_sent": after["outbox"].get("pending", 0) == 0
        and after["outbox"].get("dead", 0) == before["outbox"].get("dead", 0),
        "no_notice_sent_twice": sent
        == delta("notice_sent_audit_entries")
        == total(rows, "deliver-notifications", "sent")
        and len(all_new) == len(set(all_new)) == delta("outbox_sent_by_email"),
        "audit_chain_intact": bool(after["audit_chain_intact"]),
    }
    return {
        "ok": all(checks.values()),
        "checks": checks,
        "workers": worker_names,
        "concurrency_limit_per_flow": None if args.overlap else 1,
        "delivery_batch": args.delivery_batch,
        "cases_logged": len(refs),
        "runs": rows,
        "work_per_worker": per_worker,
        "most_at_once": {
            "any flow": most_at_once(rows),
            **{flow: most_at_once([r for r in rows if r["flow"] == flow]) for flow in FLOWS},
        },
        "casework": {
            "escalations_recorded": escalations,
            "escalation_steps_distinct": delta("escalation_steps_distinct"),
            "escalation_audit_entries": delta("escalation_audit_entries"),
            "escalations_reported_by_sweeps": total(rows, "sweep-deadlines", "escalations"),
            "notices_queued_by_sweeps": total(rows, "sweep-deadlines", "notices_queued"),
            "digests_queued": total(rows, "daily-digest", "queued"),
            "outbox_sent": sent,
            "outbox_now": after["outbox"],
            "notices_sent_reported_by_deliveries": total(rows, "deliver-notifications", "sent"),
            "notice_sent_audit_entries": delta("notice_sent_audit_entries"),
            "eml_files_written": {home: len(names) for home, names in new_files.items()},
            "eml_files_distinct": len(set(all_new)),
            "audit_chain_intact": after["audit_chain_intact"],
        },
    }


def wait_for_api(api_url: str, timeout: float) -> None:
    """Until a Prefect server started by someone else answers its health check."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=3) as answer:
                if answer.status == 200:
                    return
        except OSError:  # not listening yet (URLError is an OSError)
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"no Prefect server answered at {api_url} within {timeout:.0f} s")
        time.sleep(1)  # polling a server that is starting


def setup_only(args: argparse.Namespace) -> int:
    """`--setup-only`: for a server and workers started by other means (compose, systemd, one
    per machine): `casework init` (and the example organisation if none) on the database of
    CASEWORK_DATABASE_URL, then the work pool and the deployments on the server of
    PREFECT_API_URL. Safe to run again; starts nothing."""
    url, api_url = os.environ.get("CASEWORK_DATABASE_URL"), os.environ.get("PREFECT_API_URL")
    if not url or not api_url:
        log("--setup-only needs CASEWORK_DATABASE_URL and PREFECT_API_URL")
        return 2
    home = Path(os.environ.get("CASEWORK_HOME", "var"))
    log(f"casework on {shown(url)}: {initialise_casework(url, home)}")
    wait_for_api(api_url, 120)
    log(f"work pool {args.pool!r}: {ensure_work_pool(args.pool)}")
    deployment_ids = apply_deployments(
        args.pool,
        timedelta(minutes=args.sweep_minutes),
        timedelta(minutes=args.deliver_minutes),
        paused=False,
        limited=True,
    )
    log(f"deployments applied: {', '.join(deployment_ids)}; start workers on {args.pool!r}")
    return 0


# --- the whole ------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--demo", action="store_true", help="run the demo, print JSON, stop")
    parser.add_argument(
        "--setup-only",
        action="store_true",
        help="only initialise the database of CASEWORK_DATABASE_URL and register the pool and "
        "deployments on the server of PREFECT_API_URL (for compose or several machines)",
    )
    parser.add_argument("--fresh", action="store_true", help="drop and recreate both databases")
    parser.add_argument(
        "--admin-url",
        default="postgresql://postgres@127.0.0.1:5432/test",
        help="PostgreSQL server and an existing database to connect to for CREATE DATABASE",
    )
    parser.add_argument("--prefect-db", default="casework_prefect", help="Prefect's database")
    parser.add_argument("--casework-db", default="casework_shared", help="the shared database")
    parser.add_argument("--home", type=Path, default=Path("var/scale-out"), help="local files")
    parser.add_argument(
        "--prefect-port", type=int, default=0, help="Prefect server port (0: a free one)"
    )
    parser.add_argument("--pool", default="casework", help="name of the process work pool")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument(
        "--worker-limit", type=int, default=2, help="flow runs each worker runs at the same time"
    )
    parser.add_argument("--sweep-minutes", type=float, default=15, help="minutes between sweeps")
    parser.add_argument(
        "--deliver-minutes", type=float, default=1, help="minutes between deliveries"
    )
    demo = parser.add_argument_group("demo")
    demo.add_argument("--cases", type=int, default=8, help="overdue cases to log")
    demo.add_argument("--runs", type=int, default=3, help="sweep and delivery runs to trigger")
    demo.add_argument(
        "--overlap",
        action="store_true",
        help="deploy without the limit of one run at a time per flow, so that sweeps and "
        "deliveries really overlap and only the database's row locks keep them apart",
    )
    demo.add_argument(
        "--delivery-batch", type=int, default=20, help="notices per delivery run (demo only)"
    )
    demo.add_argument(
        "--max-delivery-waves", type=int, default=6, help="rounds of deliveries after the sweeps"
    )
    demo.add_argument("--timeout", type=float, default=150, help="seconds to wait for the runs")
    args = parser.parse_args(argv)
    if args.workers < 1 or args.worker_limit < 1 or args.cases < 1 or args.runs < 1:
        parser.error("--workers, --worker-limit, --cases and --runs must be at least 1")
    args.home = args.home.resolve()
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.setup_only:
        return setup_only(args)
    signal.signal(signal.SIGTERM, raise_interrupt)
    # Python's own Ctrl-C handler even when started in the background, where SIGINT arrives
    # ignored: the workers would inherit the ignored SIGINT, and a Prefect worker stops on
    # SIGTERM by sending itself SIGINT, so it would never stop
    signal.signal(signal.SIGINT, signal.default_int_handler)
    began = time.monotonic()
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        timings[name] = round(time.monotonic() - since, 1)
        return time.monotonic()

    admin = make_url(args.admin_url)
    prefect_db, casework_db = check_name(args.prefect_db), check_name(args.casework_db)
    casework_url = database_url(admin, casework_db, "postgresql+psycopg")
    prefect_url = database_url(admin, prefect_db, "postgresql+asyncpg")
    worker_names = [f"casework-worker-{n}" for n in range(1, args.workers + 1)]
    worker_homes = [args.home / f"worker-{n}" for n in range(1, args.workers + 1)]
    children = Children()
    report: dict[str, Any] = {}
    try:
        done = prepare_databases(admin, [prefect_db, casework_db], args.fresh)
        log(f"databases: {done}")
        if args.fresh:
            clear_local_output(args.home)
        mark = lap("databases", began)
        setup = initialise_casework(casework_url, args.home / "admin")
        log(f"casework on {shown(casework_url)}: {setup}")
        mark = lap("casework_init", mark)

        prefect_env(args.home, prefect_url, args.demo)
        port = args.prefect_port or free_port()
        log(f"starting the Prefect server on port {port} (log: {args.home}/prefect/server.log)")
        with prefect_server(port) as ui:
            mark = lap("prefect_server", mark)
            try:
                log(f"work pool {args.pool!r}: {ensure_work_pool(args.pool)}")
                deployment_ids = apply_deployments(
                    args.pool,
                    timedelta(minutes=args.sweep_minutes),
                    timedelta(minutes=args.deliver_minutes),
                    # the demo triggers its own runs: schedules would add runs it does not count
                    paused=args.demo,
                    limited=not args.overlap,
                )
                log(f"deployments applied: {', '.join(deployment_ids)}")
                if args.demo and (left := clear_leftover_runs(deployment_ids)):
                    log(f"deleted {left} unfinished runs left by an interrupted session")
                mark = lap("deployments", mark)
                workers_started = datetime.now(UTC)
                for name, home in zip(worker_names, worker_homes, strict=True):
                    env = worker_env(
                        casework_env(casework_url, home, args.demo),
                        home,
                        args.home / "results",
                        args.demo,
                        args.delivery_batch,
                    )
                    command = worker_command(args.pool, name, args.worker_limit)
                    children.start(name, command, env, home / "worker.log")
                wait_for_workers(args.pool, worker_names, workers_started, children, 90)
                log(f"workers online: {', '.join(worker_names)}")
                mark = lap("workers_online", mark)
                if not args.demo:
                    print(f"Prefect UI: {ui}  (work pool {args.pool!r}; Ctrl-C stops)", flush=True)
                    log(f"worker logs: {', '.join(str(h / 'worker.log') for h in worker_homes)}")
                    while not children.dead():
                        time.sleep(1)  # watching the children; Ctrl-C or SIGTERM ends this
                    log(f"{children.dead()[0].name} stopped; see {children.dead()[0].log_path}")
                    return 1
                report = run_demo(
                    args, casework_url, deployment_ids, worker_names, worker_homes, children
                )
                lap("demo_runs", mark)
            finally:
                try:
                    if children.started:
                        log("pausing the work pool; waiting for the runs in flight")
                        drain_pool(args.pool, children, 30)
                except (KeyboardInterrupt, Exception) as exc:  # a second Ctrl-C: stop now
                    log(f"not waiting for runs in flight ({type(exc).__name__})")
                finally:
                    children.stop_all()  # the workers first: they report to the server
        timings["total"] = round(time.monotonic() - began, 1)
        report = {
            "ok": report.pop("ok"),
            "prefect_ui": ui,
            "databases": {"prefect": shown(prefect_url), "casework": shown(casework_url)},
            **report,
            "timings_s": timings,
        }
        print(json.dumps(report, indent=2, ensure_ascii=False, default=str), flush=True)
        return 0 if report["ok"] else 1
    except CaseworkError as exc:  # e.g. the Prefect server did not start: its log says why
        log(f"failed: {exc}")
        return 1
    except KeyboardInterrupt:
        log("interrupted: everything this script started is stopped")
        return 130 if args.demo else 0  # Ctrl-C is how a session without --demo ends
    finally:
        children.stop_all()


if __name__ == "__main__":
    sys.exit(main())
