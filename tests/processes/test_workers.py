"""Several casework processes on one database, and processes killed with SIGKILL mid-batch.

Each worker is a real operating-system process (tests/processes/worker.py) with its own
connections, as Prefect workers on several machines would be; they start their work at the
same instant (a start file), so they really contend. On PostgreSQL sweeps take turns on an
advisory lock and the delivery claims rows with FOR UPDATE SKIP LOCKED; on SQLite every write
transaction is the single writer (BEGIN IMMEDIATE). The claims proved here, on both stores:

- two handlers applying a trigger to the same cases at once: each case moves once, the other
  process is refused (ConcurrentUpdate or TransitionRefused), the history has no double step;
- three sweepers at once record every ladder step exactly once, and queue each notice once;
- three dispatchers at once send every message exactly once;
- a sweeper killed inside a batch's commit, then run again, records exactly the steps a clean
  run records; a dispatcher killed after sending, before recording, loses nothing, and what it
  sent again carries the same Message-ID.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.conftest import REPO_ROOT, at
from tests.integration.test_delivery import Inbox, MailServer, free_port

from casework.adapters.tables import EscalationRow, OutboxRow, TransitionRow
from casework.services.app import Casework
from casework.services.assignment import assign_case
from casework.services.audit_trail import verify_audit_trail
from casework.services.delivery import lease_for
from casework.services.intake import Denouncer, LogCase, log_case
from casework.services.sweep import sweep

pytestmark = pytest.mark.integration

WORKER = REPO_ROOT / "tests" / "processes" / "worker.py"
SWEEP_AT = at("2024-02-27", 8)  # the triage clocks of 2024-02-01 are overdue by then
CASES = 24


def _log_overdue(app: Casework, count: int = CASES) -> list[str]:
    refs = []
    for n in range(count):
        ref = log_case(
            app,
            LogCase(
                kind="denunciation",
                agency="thanh-tra-tinh",
                received_on=date(2024, 2, 1),
                summary=f"case {n}",
                denouncer=Denouncer(f"Người tố cáo {n}", email=f"nguoi{n}@example.vn"),
                denounced_name="Lê Văn Cường",
                logged_by="tt-tiep-nhan",
            ),
            at("2024-02-01"),
        ).ref
        assign_case(app, ref, "tt-xac-minh-1", None, "", at("2024-02-01"))
        refs.append(ref)
    return refs


class Workers:
    """Start worker processes that wait for one start signal, then collect their results."""

    def __init__(self, app: Casework, folder: Path) -> None:
        self.app, self.folder = app, folder
        self.start_file = folder / "go"
        self.processes: list[subprocess.Popen[str]] = []

    def spawn(self, action: str, now: datetime, **spec: Any) -> subprocess.Popen[str]:
        payload = {
            "home": str(self.app.settings.home),
            "url": self.app.database.url.render_as_string(hide_password=False),
            "now": now.isoformat(),
            "start_file": str(self.start_file),
            **spec,
        }
        process = subprocess.Popen(
            [sys.executable, str(WORKER), action, json.dumps(payload)],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.processes.append(process)
        return process

    def go(self) -> list[tuple[int, dict[str, Any] | None, str]]:
        """(exit code, printed JSON or None, stderr) of each worker, in start order."""
        self.start_file.touch()
        results = []
        for process in self.processes:
            out, err = process.communicate(timeout=120)
            printed = json.loads(out.splitlines()[-1]) if out.strip() else None
            results.append((process.returncode, printed, err))
        self.processes.clear()
        self.start_file.unlink()
        return results

    def kill_all(self) -> None:
        for process in self.processes:
            process.kill()
            process.wait()


@pytest.fixture
def workers(app: Casework, tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(app, tmp_path)
    yield pool
    pool.kill_all()


def _count(app: Casework, query: Any) -> int:
    with app.reading() as session:
        return int(session.execute(query).scalar_one())


def _escalations_per_case(app: Casework) -> Counter[int]:
    with app.reading() as session:
        return Counter(session.execute(select(EscalationRow.case_id)).scalars())  # type: ignore[arg-type]


def _clean(results: list[tuple[int, dict[str, Any] | None, str]]) -> list[dict[str, Any]]:
    for code, printed, err in results:
        assert code == 0, err
        assert printed is not None
    return [printed for _, printed, _ in results if printed is not None]


def test_two_handlers_at_once_each_case_moves_once(app: Casework, workers: Workers) -> None:
    refs = _log_overdue(app, 12)
    for actor in ("tt-xac-minh-1", "tt-chanh-thanh-tra"):
        workers.spawn(
            "advance",
            at("2024-02-02", 10),
            refs=refs,
            trigger="triage",
            on="2024-02-02",
            actor=actor,
        )
    first, second = (printed["outcomes"] for printed in _clean(workers.go()))
    for ref in refs:
        outcomes = sorted([first[ref], second[ref]])
        assert outcomes[0] == "applied" or outcomes[1] == "applied", (ref, outcomes)
        assert outcomes.count("applied") == 1, (ref, outcomes)
        refused = outcomes[1] if outcomes[0] == "applied" else outcomes[0]
        assert refused in ("ConcurrentUpdate", "TransitionRefused"), (ref, outcomes)
    triages = _count(
        app,
        select(func.count()).select_from(TransitionRow).where(TransitionRow.trigger == "triage"),
    )
    assert triages == len(refs)
    assert verify_audit_trail(app).is_intact


def test_three_sweepers_at_once_record_each_step_once(app: Casework, workers: Workers) -> None:
    _log_overdue(app)
    for _ in range(3):
        workers.spawn("sweep", SWEEP_AT, limit=5)
    results = _clean(workers.go())
    per_case = _escalations_per_case(app)
    steps = set(per_case.values())
    assert len(per_case) == CASES
    assert len(steps) == 1, per_case  # identical cases: a double step would show here
    # one alert per clock, at the step reached; the steps passed over recorded as skipped
    assert steps.pop() == 1
    assert sum(r["skipped"] for r in results) == 3 * CASES
    total = sum(per_case.values())
    assert sum(r["fired"] for r in results) == total
    assert sweep(app, SWEEP_AT).fired == []
    # each escalation's notices were queued once (the outbox's dedupe keys are unique)
    assert _count(app, select(func.count()).select_from(OutboxRow)) > 0
    assert verify_audit_trail(app).is_intact


@pytest.fixture
def mail() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    server = MailServer(inbox, free_port())
    server.start()
    yield inbox, server.port
    server.stop()


def _message_ids(inbox: Inbox) -> list[str]:
    return [str(message["Message-ID"]) for message in inbox.messages]


def test_three_dispatchers_at_once_send_each_message_once(
    app: Casework, workers: Workers, mail: tuple[Inbox, int]
) -> None:
    inbox, port = mail
    _log_overdue(app)
    sweep(app, SWEEP_AT)
    queued = _count(app, select(func.count()).select_from(OutboxRow))
    for _ in range(3):
        workers.spawn("deliver", SWEEP_AT, smtp_port=port, batch=4)
    results = _clean(workers.go())
    ids = _message_ids(inbox)
    assert len(ids) == queued
    assert len(set(ids)) == queued
    assert sum(r["sent"] for r in results) == queued
    assert sum(1 for r in results if r["sent"]) >= 2, results  # they really shared the work


def test_a_sweeper_killed_inside_a_batch_and_run_again_records_exactly_a_clean_run(
    app: Casework, workers: Workers
) -> None:
    _log_overdue(app)
    workers.spawn("sweep", SWEEP_AT, limit=5, kill={"in_batch": 3})
    [(code, printed, _)] = workers.go()
    assert code == -9  # SIGKILL
    assert printed is None
    two_batches = _escalations_per_case(app)
    assert len(two_batches) == 10  # batches 1 and 2 committed; the third died uncommitted
    workers.spawn("sweep", SWEEP_AT, limit=5)
    _clean(workers.go())
    per_case = _escalations_per_case(app)
    assert len(per_case) == CASES
    assert len(set(per_case.values())) == 1, per_case
    assert sweep(app, SWEEP_AT).fired == []
    assert verify_audit_trail(app).is_intact


def test_a_dispatcher_killed_after_sending_loses_nothing_and_repeats_the_same_ids(
    app: Casework, workers: Workers, mail: tuple[Inbox, int]
) -> None:
    inbox, port = mail
    _log_overdue(app)
    sweep(app, SWEEP_AT)
    with app.reading() as session:
        expected = set(session.execute(select(OutboxRow.message_id)).scalars())  # type: ignore[call-overload]
    workers.spawn("deliver", SWEEP_AT, smtp_port=port, batch=10, kill={"after_sending": 15})
    [(code, _, _)] = workers.go()
    assert code == -9
    assert len(inbox.messages) == 15  # 10 recorded as sent, 5 sent and not recorded
    # the dead worker's claim is leased: a run right away leaves those 5 alone …
    later = SWEEP_AT + timedelta(minutes=1)
    workers.spawn("deliver", later, smtp_port=port, batch=10)
    _clean(workers.go())
    assert len(set(_message_ids(inbox))) < len(expected)
    # … and once the lease is over they go again, with the Message-IDs they had
    after_lease = SWEEP_AT + lease_for(app.settings, 10) + timedelta(seconds=1)
    workers.spawn("deliver", after_lease, smtp_port=port, batch=10)
    _clean(workers.go())
    ids = _message_ids(inbox)
    assert set(ids) == expected
    repeats = [i for i, n in Counter(ids).items() if n > 1]
    assert len(repeats) == 5
    assert len(ids) == len(expected) + 5
    assert (
        _count(app, select(func.count()).select_from(OutboxRow).where(OutboxRow.status != "sent"))
        == 0
    )
