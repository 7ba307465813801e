"""Every benchmark in one run, side by side with SpiffWorkflow; prints JSON, writes the table.

    .venv/bin/python benchmarks/run.py                        # the full run (~15 minutes)
    .venv/bin/python benchmarks/run.py --quick                # small sizes, to try it (~2 min)
    .venv/bin/python benchmarks/run.py --markdown docs/benchmarks.md

What it measures, on SQLite (a temporary file) and on PostgreSQL (a database of its own beside
the one --postgres-url names; skipped with a reason when no server answers):

- the deadline sweep over 10^4, 10^5 and 10^6 open cases, 1% of them reaching a ladder step
  (benchmarks/core.py fills the cases with bulk inserts; the sweep is the service call);
- intake and transitions per second through the service layer (one transaction each), and on
  PostgreSQL also with CASEWORK_POSTGRES_SYNCHRONOUS_COMMIT=off;
- intake and transitions per second through the REST API (uvicorn on loopback, HTTP/1.1 with
  keep-alive, an API token), one request after the other;
- notices delivered per second to a local SMTP server (aiosmtpd);
- the same workload on SpiffWorkflow (benchmarks/spiff_workload.py): intake, advance and the
  timer sweep over serialized instances, and the ratio of our figure to theirs.

Every figure comes from this one run; --markdown rewrites the results table of the given file
between its `<!-- results -->` markers, with the command and the date.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

import core
import notifications
import spiff_workload
from casework.config import Settings
from casework.entrypoints.api.app import create_api
from casework.entrypoints.web_server import web_server_in_background
from casework.services.advance import AdvanceCase, advance_case
from casework.services.app import Casework, bootstrap
from casework.services.organisation import load_organisation_file
from casework.services.schema import initialise
from casework.services.sweep import sweep
from casework.services.users import add_user, create_token

HANDLERS = 4  # concurrent handler processes
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def log(message: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def postgres_problem(url: str) -> str | None:
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means: no server to measure
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return None


def stores(postgres_url: str) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = [("sqlite", None)]
    problem = postgres_problem(postgres_url)
    if problem:
        log(f"PostgreSQL skipped: {problem}")
    else:
        found.append(("postgresql", postgres_url))
    return found


def quiet_disk() -> None:
    """Flush the machine's dirty pages before a measurement: the database files of the one
    before (a million-case SQLite file, dropped PostgreSQL databases) are otherwise still being
    written out in the background, and a durable commit measured meanwhile can wait behind
    them. Casework's figures and SpiffWorkflow's start alike from a flushed disk."""
    os.sync()


def with_app(url: str | None, work: Callable[[Casework], dict[str, Any]], **settings: Any) -> Any:
    """Run `work` on a fresh casework database of the kind `url` names (None: SQLite), on a
    quiet disk."""
    quiet_disk()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        target = core.scratch_postgres(url) if url else f"sqlite:///{home / 'bench.db'}"
        app = bootstrap(Settings(home=home, database_url=target, **settings))
        initialise(app)
        load_organisation_file(app, core.ROOT / "examples" / "org.yaml", "bench", core.NOW)
        try:
            return work(app)
        finally:
            app.database.dispose()
            if url:
                core.scratch_postgres(url, drop=True)


def sweep_figures(n: int) -> Callable[[Casework], dict[str, Any]]:
    def work(app: Casework) -> dict[str, Any]:
        started = time.perf_counter()
        due = core.fill(app, n, 0.01)
        filled = time.perf_counter() - started
        started = time.perf_counter()
        first = sweep(app, core.NOW)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = sweep(app, core.NOW)
        rerun = time.perf_counter() - started
        return {
            "open_cases": n,
            "clocks_reaching_a_step": due,
            "escalations_recorded": len(first.fired),
            "seconds": round(seconds, 4),
            "rerun_escalations": len(again.fired),
            "rerun_seconds": round(rerun, 4),
            "fill_seconds": round(filled, 1),
        }

    return work


def service_rates(count: int) -> Callable[[Casework], dict[str, Any]]:
    def work(app: Casework) -> dict[str, Any]:
        intake, refs = core.time_intake(app, count)
        transitions = core.time_transitions(app, refs)
        figures = {
            "count": count,
            "intake_per_second": round(intake, 1),
            "transitions_per_second": round(transitions, 1),
            # measured right after, on the same cases: what this machine allows at that moment
            "bare_transactions_per_second": round(core.bare_transaction_rate(app, refs), 1),
        }
        if app.database.dialect.name == "postgresql":  # pipeline mode is psycopg's
            rate = core.pipelined_transaction_rate(app, refs)
            figures["pipelined_transactions_per_second"] = round(rate, 1)
        return figures

    return work


def api_rates(count: int) -> Callable[[Casework], dict[str, Any]]:
    def work(app: Casework) -> dict[str, Any]:
        add_user(app, "tt-chanh-thanh-tra", "benchmark password", core.NOW)
        token = create_token(app, "tt-chanh-thanh-tra", "benchmark", core.NOW)
        add_user(app, "tt-tiep-nhan", "benchmark password", core.NOW)
        reception = create_token(app, "tt-tiep-nhan", "benchmark", core.NOW)
        api = create_api(app, lambda: core.NOW)
        port = notifications.free_port()
        with (
            web_server_in_background(api, "127.0.0.1", port) as base,
            httpx.Client(base_url=base, timeout=30) as client,
        ):
            refs = []
            started = time.perf_counter()
            for i in range(count):
                response = client.post(
                    "/api/cases",
                    headers={"Authorization": f"Bearer {reception}"},
                    json={
                        "kind": "denunciation",
                        "agency": "thanh-tra-tinh",
                        "received_on": core.TODAY.isoformat(),
                        "summary": f"api {i}",
                        "sender": {"full_name": f"Người tố cáo {i}"},
                        "denounced_name": "Y",
                    },
                )
                response.raise_for_status()
                refs.append(response.json()["ref"])
            intake = count / (time.perf_counter() - started)
            started = time.perf_counter()
            for ref in refs:
                response = client.post(
                    f"/api/cases/{ref}/advance",
                    headers={"Authorization": f"Bearer {token}"},
                    json={"trigger": "triage", "on": core.TODAY.isoformat()},
                )
                response.raise_for_status()
            advance = count / (time.perf_counter() - started)
        return {
            "count": count,
            "intake_per_second": round(intake, 1),
            "transitions_per_second": round(advance, 1),
        }

    return work


def _advance_slice(url: str, home: str, commit: str, refs: list[str], ready: Any, go: Any) -> None:
    """One handler process: its own engine and connections, its own cases."""
    app = bootstrap(Settings(home=Path(home), database_url=url, postgres_synchronous_commit=commit))
    app.organisation  # noqa: B018 - nothing lazy to warm; keeps the start line fair
    ready.wait()
    go.wait()
    for ref in refs:
        advance_case(app, AdvanceCase(ref, "triage", core.TODAY, "tt-xac-minh-1"), core.NOW)
    app.database.dispose()


def concurrent_rates(processes: int, count: int) -> Callable[[Casework], dict[str, Any]]:
    """Transitions per second with `processes` handlers at once, each on cases of its own:
    what an agency's server sees when many officers work at the same time."""

    def work(app: Casework) -> dict[str, Any]:
        _, refs = core.time_intake(app, count)
        context = multiprocessing.get_context("spawn")
        ready, go = context.Barrier(processes + 1), context.Event()
        url = app.database.url.render_as_string(hide_password=False)
        workers = [
            context.Process(
                target=_advance_slice,
                args=(
                    url,
                    str(app.settings.home),
                    app.settings.postgres_synchronous_commit,
                    refs[i::processes],
                    ready,
                    go,
                ),
            )
            for i in range(processes)
        ]
        for worker in workers:
            worker.start()
        ready.wait()
        started = time.perf_counter()
        go.set()
        for worker in workers:
            worker.join()
        seconds = time.perf_counter() - started
        if any(worker.exitcode for worker in workers):
            raise SystemExit("a handler process failed")
        return {
            "processes": processes,
            "count": count,
            "transitions_per_second": round(count / seconds, 1),
        }

    return work


def spiff_figures(url: str | None, n: int, count: int) -> dict[str, Any]:
    quiet_disk()  # as for casework's figures (with_app)
    today = spiff_workload.vietnam_today()
    with tempfile.TemporaryDirectory() as folder:
        target = spiff_workload.scratch_postgres(url) if url else f"sqlite:///{folder}/spiff.db"
        store = spiff_workload.spiff_store(target)
        try:
            due = spiff_workload.fill(store, n, 0.01, today)
            core.settle(store.engine)  # as casework's fill does: vacuumed, analysed, written out
            first = spiff_workload.sweep(store, today)
            again = spiff_workload.sweep(store, today)
            with store.engine.connect() as connection:
                top = connection.execute(text("SELECT max(id) FROM spiff_instance")).scalar_one()
            intake = spiff_workload.intake(store, count)
            with store.engine.connect() as connection:
                ids = list(
                    connection.execute(
                        text("SELECT id FROM spiff_instance WHERE id > :top ORDER BY id"),
                        {"top": top},
                    ).scalars()
                )
            advance = spiff_workload.advance(store, ids)
        finally:
            store.engine.dispose()
            if url:
                spiff_workload.scratch_postgres(url, drop=True)
    return {
        "waiting_instances": n,
        "timers_due": due,
        "sweep_seconds": round(first["seconds"], 3),
        "timers_fired": first["fired"],
        "rerun_seconds": round(again["seconds"], 3),
        "rerun_fired": again["fired"],
        "count": count,
        "intake_per_second": round(intake, 1),
        "advance_per_second": round(advance, 1),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    sizes = [10**3, 10**4] if args.quick else [10**4, 10**5, 10**6]
    count = 300 if args.quick else 2000
    spiff_n = 10**3 if args.quick else 10**4
    result: dict[str, Any] = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()}, {_cores()} cores, Python {platform.python_version()}",
        "machine_speed_before": machine_speed(),
        "stores": {},
    }
    for name, url in stores(args.postgres_url):
        figures: dict[str, Any] = {"sweep": []}
        # the small, commit-bound figures first: a million-row fill leaves the disk busy
        log(f"{name}: intake and transitions through the service layer ({count} each)")
        figures["service"] = with_app(url, service_rates(count))
        if url:
            figures["service_synchronous_commit_off"] = with_app(
                url, service_rates(count), postgres_synchronous_commit="off"
            )
        log(f"{name}: transitions by {HANDLERS} handler processes at once ({count})")
        figures["concurrent"] = with_app(url, concurrent_rates(HANDLERS, count))
        if url:
            figures["concurrent_synchronous_commit_off"] = with_app(
                url, concurrent_rates(HANDLERS, count), postgres_synchronous_commit="off"
            )
        log(f"{name}: intake and transitions through the REST API ({count // 2} each)")
        figures["api"] = with_app(url, api_rates(count // 2))
        log(f"{name}: SpiffWorkflow, {spiff_n:,} waiting instances")
        spiff = spiff_figures(url, spiff_n, count // 2)
        figures["spiffworkflow"] = spiff
        for n in sizes:
            log(f"{name}: sweep over {n:,} open cases")
            figures["sweep"].append(with_app(url, sweep_figures(n)))
        ours_at_spiff_n = next(s for s in figures["sweep"] if s["open_cases"] == spiff_n)
        figures["ratios_ours_to_spiffworkflow"] = {
            "intake": round(
                figures["service"]["intake_per_second"] / spiff["intake_per_second"], 1
            ),
            "advance": round(
                figures["service"]["transitions_per_second"] / spiff["advance_per_second"], 1
            ),
            f"sweep_at_{spiff_n}": round(spiff["sweep_seconds"] / ours_at_spiff_n["seconds"], 1),
            # Spiff loads every waiting instance: its sweep grows linearly with them
            f"sweep_at_{sizes[-1]}_spiff_extrapolated": round(
                spiff["sweep_seconds"] * sizes[-1] / spiff_n / figures["sweep"][-1]["seconds"]
            ),
        }
        result["stores"][name] = figures
    log(f"notices: {args.messages:,} through Postfix and to aiosmtpd on loopback")
    result["notifications"] = {}
    for server in ("postfix", "aiosmtpd"):
        try:
            measured = notifications.measure_delivery(args.messages, 500, server)
        except RuntimeError as missing:  # no Postfix on this machine: say so in the table
            measured = {"skipped": str(missing)}
        result["notifications"][server] = measured
    result["machine_speed_after"] = machine_speed()
    return result


def _cores() -> int:
    return len(os.sched_getaffinity(0))


def machine_speed() -> dict[str, float]:
    """Three figures of the machine itself, with no casework code: seconds for ten million
    additions in a Python loop (the CPU alone); seconds to dump and load a JSON document of
    100,000 small objects twice (the CPU with the allocation and memory traffic that
    SpiffWorkflow's deserialising and casework's row building both do); microseconds per durable
    4 KiB write (write + fsync of a scratch file: the disk's part of a commit). Taken at the
    start and at the end of a run, so that runs on days when the same machine is slower or
    faster can be told apart."""
    started = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    loop = time.perf_counter() - started
    document = [
        {"id": i, "ref": f"TC-2026-{i:06d}", "due": "2026-12-01", "n": [i, i]}
        for i in range(100_000)
    ]
    started = time.perf_counter()
    for _ in range(2):
        json.loads(json.dumps(document))
    objects = time.perf_counter() - started
    block = os.urandom(4096)
    with tempfile.NamedTemporaryFile() as scratch:
        started = time.perf_counter()
        for _ in range(200):
            scratch.write(block)
            scratch.flush()
            os.fsync(scratch.fileno())
        fsync = (time.perf_counter() - started) / 200
    return {
        "python_loop_seconds": round(loop, 3),
        "json_objects_seconds": round(objects, 3),
        "durable_write_microseconds": round(fsync * 1e6),
    }


def markdown(result: dict[str, Any], command: str) -> str:
    """The results table, as docs/benchmarks.md shows it."""
    before, after = result["machine_speed_before"], result["machine_speed_after"]
    lines = [
        f"Measured {result['date']} on {result['machine']}, by `{command}`. The machine's own "
        f"speed (no casework code; before → after the run): ten million Python additions "
        f"{before['python_loop_seconds']} → {after['python_loop_seconds']} s, two JSON round "
        f"trips of 100,000 objects {before['json_objects_seconds']} → "
        f"{after['json_objects_seconds']} s, a durable 4 KiB "
        f"write {before['durable_write_microseconds']} → {after['durable_write_microseconds']} µs.",
        "",
    ]
    names = list(result["stores"])
    header = "| | " + " | ".join(names) + " |"
    lines += [header, "|---" * (len(names) + 1) + "|"]

    def row(label: str, pick: Callable[[dict[str, Any]], Any]) -> None:
        cells = []
        for name in names:
            try:
                cells.append(str(pick(result["stores"][name])))
            except (KeyError, IndexError):
                cells.append("—")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    for index, first in enumerate(result["stores"][names[0]]["sweep"]):
        n = first["open_cases"]
        row(f"sweep, {n:,} open cases (1% reach a step)", _sweep_cell(index))
    row("sweep again (records nothing), largest", lambda s: f"{s['sweep'][-1]['rerun_seconds']} s")
    row("intake, service layer", lambda s: f"{s['service']['intake_per_second']:,}/s")
    row("transitions, service layer", lambda s: f"{s['service']['transitions_per_second']:,}/s")
    row(
        "floor: bare durable transaction (lock, update, insert, commit), no casework code",
        lambda s: f"{s['service']['bare_transactions_per_second']:,}/s",
    )
    row(
        "floor in two round trips (psycopg pipeline, audit head locked), no casework code",
        lambda s: f"{s['service']['pipelined_transactions_per_second']:,}/s",
    )
    row(
        "transitions, service layer, synchronous_commit=off",
        lambda s: f"{s['service_synchronous_commit_off']['transitions_per_second']:,}/s",
    )
    row(
        f"transitions, {HANDLERS} handler processes at once",
        lambda s: f"{s['concurrent']['transitions_per_second']:,}/s",
    )
    row(
        f"transitions, {HANDLERS} handler processes, synchronous_commit=off",
        lambda s: f"{s['concurrent_synchronous_commit_off']['transitions_per_second']:,}/s",
    )
    row("intake, REST API", lambda s: f"{s['api']['intake_per_second']:,}/s")
    row("transitions, REST API", lambda s: f"{s['api']['transitions_per_second']:,}/s")
    row(
        "SpiffWorkflow: intake / advance",
        lambda s: (
            f"{s['spiffworkflow']['intake_per_second']:,}/s / "
            f"{s['spiffworkflow']['advance_per_second']:,}/s"
        ),
    )
    row(
        "SpiffWorkflow: timer sweep",
        lambda s: (
            f"{s['spiffworkflow']['sweep_seconds']} s over "
            f"{s['spiffworkflow']['waiting_instances']:,} instances"
        ),
    )
    ratio_keys = list(result["stores"][names[0]]["ratios_ours_to_spiffworkflow"])
    for key in ratio_keys:
        row(f"ours ÷ Spiff: {key.replace('_', ' ')}", _ratio_cell(key))
    lines.append("")
    for server, notices in result["notifications"].items():
        if "skipped" in notices:
            lines.append(f"Notices through {server}: not measured ({notices['skipped']}).")
            continue
        lines.append(
            f"Notices through {server} on loopback: {notices['accepted']:,} accepted in "
            f"{notices['accepted_seconds']} s, **{notices['accepted_per_second']:,} per "
            f"second**; all {notices['found_by_the_server']:,} found by the server (in the "
            f"Maildir, for Postfix) after {notices['all_found_seconds']} s, "
            f"{notices['all_found_per_second']:,} per second (batches of {notices['batch']})."
        )
    return "\n".join(lines) + "\n"


def _sweep_cell(index: int) -> Callable[[dict[str, Any]], str]:
    """The table cell of one store's sweep of the index-th size."""

    def cell(store: dict[str, Any]) -> str:
        sweep = store["sweep"][index]
        return f"{sweep['seconds']:.3f} s ({sweep['escalations_recorded']:,} escalations)"

    return cell


def _ratio_cell(key: str) -> Callable[[dict[str, Any]], str]:
    """The table cell of one store's ratio to SpiffWorkflow named by key."""

    def cell(store: dict[str, Any]) -> str:
        return f"{store['ratios_ours_to_spiffworkflow'][key]:,}×"

    return cell


def write_markdown(path: Path, table: str) -> None:
    marker = re.compile(r"(<!-- results -->\n).*?(<!-- /results -->)", re.S)
    page = path.read_text(encoding="utf-8")
    if not marker.search(page):
        raise SystemExit(f"{path} has no <!-- results --> … <!-- /results --> markers")
    path.write_text(marker.sub(lambda m: m.group(1) + table + m.group(2), page), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, to try the command")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--markdown", type=Path, help="rewrite this file's results table")
    args = parser.parse_args()
    if args.quick:
        args.messages = min(args.messages, 1000)
    result = run(args)
    print(json.dumps(result, indent=2))
    if args.markdown:
        command = "python benchmarks/run.py" + (" --quick" if args.quick else "")
        write_markdown(args.markdown, markdown(result, command))


if __name__ == "__main__":
    main()
