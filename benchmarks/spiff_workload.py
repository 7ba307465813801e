"""The casework benchmark workload done the way a SpiffWorkflow-based system would do it.

    .venv/bin/python benchmarks/spiff_workload.py --cases 10000
    .venv/bin/python benchmarks/spiff_workload.py --database-url postgresql+psycopg://postgres@127.0.0.1/test

Also importable (``benchmarks.spiff_workload``) for its functions. The model is
``benchmarks/spiff/denunciation.bpmn``: triage and inspection user tasks, each with a
non-interrupting timeDate boundary timer on a per-instance due date (``triage_due``,
``inspection_due``: ISO 8601 date-times put in the task data by the service). Every instance is
one row (id, status, json) holding SpiffWorkflow's own serialisation (BpmnWorkflowSerializer),
which carries the whole process spec as well as the task tree.

The clock: Spiff's timers read ``datetime.now(timezone.utc)`` inside
``SpiffWorkflow.bpmn.specs.event_definitions.timer`` and no API lets a caller pass the time. Rather
than patch it (freezegun's ``start()`` scans every loaded module and its fake ``now()`` inspects
the call stack on each call: the timed code would no longer be the code that runs in production),
the workload is placed on the real clock: "today" is the real date in Vietnam, due timers are
dated today 00:00 (+07:00, already past), the others 6 to 60 days ahead.

On PostgreSQL the benchmark works in a database of its own (spiff_bench) created beside the one
named, and drops it afterwards. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.parser import BpmnParser, BpmnValidator  # type: ignore[import-untyped]
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer  # type: ignore[import-untyped]
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent  # type: ignore[import-untyped]
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # type: ignore[import-untyped]
from SpiffWorkflow.util.task import TaskState  # type: ignore[import-untyped]
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    Table,
    Text,
    bindparam,
    create_engine,
    func,
    insert,
    select,
    text,
    update,
)

MODEL = Path(__file__).resolve().parent / "spiff" / "denunciation.bpmn"
VIETNAM = timezone(timedelta(hours=7))  # no daylight saving time
BENCH_DATABASE = "spiff_bench"
BATCH = 1000
# Placeholders for the fill templates: dates far enough ahead that no timer fires while the
# template runs, and strings that cannot occur anywhere else in a serialisation.
SENTINELS = {
    "name": "@@DENOUNCER@@",
    "received": "2999-01-01",
    "triage": "2999-01-15T00:00:00+07:00",
    "inspection": "2999-02-15T00:00:00+07:00",
}
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@dataclass
class SpiffStore:
    """Serialized instances in one table, plus the spec parsed once and the serializer."""

    engine: Engine
    table: Table
    spec: Any
    serializer: Any


def spiff_store(url: str) -> SpiffStore:
    """A fresh ``spiff_instance`` table (id, status, json) on `url` and the parsed model."""
    engine = create_engine(url)
    metadata = MetaData()
    table = Table(
        "spiff_instance",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("status", Text, nullable=False),
        Column("json", Text, nullable=False),
    )
    metadata.drop_all(engine)
    metadata.create_all(engine)
    parser = BpmnParser(validator=BpmnValidator())  # checks the model against the BPMN 2.0 XSD
    parser.add_bpmn_file(str(MODEL))
    return SpiffStore(engine, table, parser.get_spec("denunciation"), BpmnWorkflowSerializer())


def vietnam_today() -> date:
    """The real date in Vietnam: the only "today" Spiff's timers can see without patching."""
    return datetime.now(VIETNAM).date()


def add_working_days(start: date, days: int) -> date:
    """`days` working days after `start`, counting Monday to Friday (holidays left out)."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        days -= current.weekday() < 5
    return current


def timer_date(day: date) -> str:
    """The timeDate value of a deadline reached on `day`: its start, Vietnam time."""
    return datetime(day.year, day.month, day.day, tzinfo=VIETNAM).isoformat()


def start_instance(store: SpiffStore, name: str, received: date, triage_due: str) -> Any:
    """A new instance run until it waits at triage, as a service would do at intake."""
    workflow = BpmnWorkflow(store.spec)
    # Timer expressions are evaluated against task data, so the data goes on the start task.
    workflow.get_next_task(state=TaskState.READY).data.update(
        {
            "kind": "denunciation",
            "agency": "thanh-tra-tinh",
            "channel": "letter",
            "denouncer": name,
            "denounced_name": "Y",
            "received_on": received.isoformat(),
            "triage_due": triage_due,
        }
    )
    workflow.do_engine_steps()
    return workflow


def accept(workflow: Any, inspection_due: str) -> None:
    """Complete the ready triage user task with an acceptance and run on to inspection."""
    task = workflow.get_next_task(state=TaskState.READY, spec_name="triage")
    task.data.update(
        {"accepted": True, "handler": "tt-xac-minh-1", "inspection_due": inspection_due}
    )
    task.run()
    workflow.do_engine_steps()


def status_of(workflow: Any) -> str:
    """The row status: waiting until the workflow has completed."""
    return "complete" if workflow.is_completed() else "waiting"


def fill(store: SpiffStore, n: int, due_fraction: float, today: date, seed: int = 7) -> int:
    """Insert `n` waiting instances (40% at triage, 60% at inspection); return how many are due.

    Exactly ``round(n * due_fraction)`` of them have their timer dated `today` (already past),
    the others 6 to 60 days after. Running Spiff for each would fire the past timers at once, as
    no instance can be run "as of" the day it was received; so two real instances are run with
    placeholder values (one per waiting point) and serialised, and each row is that JSON with the
    placeholders (name, dates, in every task's data and the timer's stored event value) and every
    task id replaced: byte for byte what Spiff writes, bar the last_state_change timestamps.
    """
    rng = random.Random(seed)
    due = set(rng.sample(range(n), round(n * due_fraction)))
    templates = {}
    for at_triage in (True, False):
        workflow = start_instance(
            store, SENTINELS["name"], date.fromisoformat(SENTINELS["received"]), SENTINELS["triage"]
        )
        if not at_triage:
            accept(workflow, SENTINELS["inspection"])
        templates[at_triage] = store.serializer.serialize_json(workflow)
    pattern = re.compile("|".join([UUID, *map(re.escape, SENTINELS.values())]))
    rows: list[dict[str, Any]] = []
    for index in range(n):
        at_triage = rng.random() < 0.4
        deadline = today if index in due else today + timedelta(days=rng.randint(6, 60))
        received = deadline - timedelta(days=14 if at_triage else 44)
        values = {
            SENTINELS["name"]: json.dumps(f"Người tố cáo {index}")[
                1:-1
            ],  # as json.dumps escapes it
            SENTINELS["received"]: received.isoformat(),
            SENTINELS["triage"]: timer_date(
                deadline if at_triage else add_working_days(received, 10)
            ),
            SENTINELS["inspection"]: timer_date(deadline),
        }
        rows.append({"status": "waiting", "json": renew(pattern, templates[at_triage], values)})
        if len(rows) == BATCH or index == n - 1:
            with store.engine.begin() as connection:
                connection.execute(insert(store.table), rows)
            rows = []
    return len(due)


def renew(pattern: re.Pattern[str], template: str, values: dict[str, str]) -> str:
    """`template` with each placeholder set from `values` and each task id made new."""
    fresh: dict[str, str] = {}  # one new id per template id, used wherever that id occurs

    def substitute(match: re.Match[str]) -> str:
        found = match.group(0)
        if found in values:
            return values[found]
        return fresh.setdefault(found, str(uuid.uuid4()))

    return pattern.sub(substitute, template)


def intake(store: SpiffStore, count: int) -> float:
    """Log `count` instances one by one, each in its own transaction; return instances per second."""
    today = vietnam_today()
    started = time.perf_counter()
    for i in range(count):
        workflow = start_instance(
            store, f"Người tố cáo {i}", today, timer_date(add_working_days(today, 10))
        )
        with store.engine.begin() as connection:
            connection.execute(
                insert(store.table).values(
                    status=status_of(workflow), json=store.serializer.serialize_json(workflow)
                )
            )
    return count / (time.perf_counter() - started)


def advance(store: SpiffStore, ids: list[int]) -> float:
    """Accept each instance's triage, one transaction each; return instances per second."""
    inspection_due = timer_date(vietnam_today() + timedelta(days=30))
    started = time.perf_counter()
    for instance_id in ids:
        with store.engine.begin() as connection:
            # FOR UPDATE (PostgreSQL): two users advancing one case must not lose an update.
            stored = connection.execute(
                select(store.table.c.json).where(store.table.c.id == instance_id).with_for_update()
            ).scalar_one()
            workflow = store.serializer.deserialize_json(stored)
            accept(workflow, inspection_due)
            connection.execute(
                update(store.table)
                .where(store.table.c.id == instance_id)
                .values(status=status_of(workflow), json=store.serializer.serialize_json(workflow))
            )
    return len(ids) / (time.perf_counter() - started)


def sweep(store: SpiffStore, today: date) -> dict[str, float]:
    """Fire the due timers: load every waiting instance, as Spiff keeps no index of due dates.

    Each instance is deserialised and ``refresh_timers()`` (what the deprecated
    ``refresh_waiting_tasks()`` now calls) re-checks its waiting timers against the real clock,
    then ``do_engine_steps()`` runs the escalation branch. Only instances where a timer fired are
    serialised and updated. Rows are read in pages by id, one transaction per page (kinder to
    Spiff than one per instance; no row locks, so concurrent edits would need a version check).
    """
    if today != vietnam_today():
        raise ValueError("Spiff's timers compare with the real clock: sweep on the real date")
    table = store.table
    started = time.perf_counter()
    fired = 0
    last_id = 0
    while True:
        with store.engine.begin() as connection:
            page = connection.execute(
                select(table.c.id, table.c.json)
                .where(table.c.status == "waiting", table.c.id > last_id)
                .order_by(table.c.id)
                .limit(BATCH)
            ).all()
            changed: list[dict[str, Any]] = []
            for instance_id, stored in page:
                workflow = store.serializer.deserialize_json(stored)
                timers = workflow.get_tasks(state=TaskState.WAITING, spec_class=BoundaryEvent)
                workflow.refresh_timers()
                workflow.do_engine_steps()
                count = sum(task.state == TaskState.COMPLETED for task in timers)
                if count:
                    fired += count
                    changed.append(
                        {
                            "key": instance_id,
                            "status": status_of(workflow),
                            "json": store.serializer.serialize_json(workflow),
                        }
                    )
            if changed:
                # status and json are bound by column name, row by row
                connection.execute(update(table).where(table.c.id == bindparam("key")), changed)
        if len(page) < BATCH:
            break
        last_id = page[-1][0]
    return {"seconds": time.perf_counter() - started, "fired": fired}


def scratch_postgres(url: str, drop: bool = False) -> str:
    """A database of the benchmark's own beside the one `url` names (created afresh, or dropped)."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)"))
        if not drop:
            connection.execute(text(f"CREATE DATABASE {BENCH_DATABASE}"))
    admin.dispose()
    return url.rsplit("/", 1)[0] + f"/{BENCH_DATABASE}"


def main() -> None:
    """Fill, sweep twice, then time intake and advance on the new instances; print JSON."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--due-fraction", type=float, default=0.01)
    parser.add_argument("--intake", type=int, default=1000, help="instances logged one by one")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    postgres = bool(args.database_url and args.database_url.startswith("postgresql"))
    today = vietnam_today()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'spiff.db'}"
        store = spiff_store(scratch_postgres(url) if postgres else url)
        started = time.perf_counter()
        due = fill(store, args.cases, args.due_fraction, today)
        fill_seconds = time.perf_counter() - started
        with store.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
            average_json = connection.execute(select(func.avg(func.length(store.table.c.json))))
            average_bytes = float(average_json.scalar_one())
        first = sweep(store, today)
        second = sweep(store, today)
        with store.engine.connect() as connection:
            filled_up_to = connection.execute(select(func.max(store.table.c.id))).scalar_one()
        intake_rate = intake(store, args.intake)
        with store.engine.connect() as connection:
            new_ids = select(store.table.c.id).where(store.table.c.id > filled_up_to)
            ids = list(connection.execute(new_ids.order_by(store.table.c.id)).scalars())
        advance_rate = advance(store, ids)
        result = {
            "database": store.engine.dialect.name,
            "waiting_instances": args.cases,
            "average_json_chars": round(average_bytes),
            "fill_seconds": round(fill_seconds, 2),
            "sweep": {
                "timers_due": due,
                "fired": first["fired"],
                "seconds": round(first["seconds"], 4),
                "rerun_fired": second["fired"],
                "rerun_seconds": round(second["seconds"], 4),
            },
            "intake_per_second": round(intake_rate, 1),
            "advance_per_second": round(advance_rate, 1),
            "intake_and_advance_measured_on": len(ids),
        }
        store.engine.dispose()
        if postgres:
            scratch_postgres(args.database_url, drop=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
