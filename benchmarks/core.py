"""Benchmark the engine core: the deadline sweep, case intake and transitions.

    .venv/bin/python benchmarks/core.py                       # SQLite, 100,000 open cases
    .venv/bin/python benchmarks/core.py --database-url postgresql+psycopg://postgres@127.0.0.1/test

On PostgreSQL the benchmark works in a database of its own (casework_bench) created beside the
one named, and drops it afterwards. Fills a fresh database with N open cases (triage and inspection, due dates spread over the
coming weeks) of which 1% reach their first ladder step on the benchmark day, then times:
the sweep (and its idempotent re-run), the bare indexed select-and-update of the same rows,
intake through the service layer and transitions through the service layer (one transaction
each). Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, insert, text

from casework.adapters.case_store import case_ids_of
from casework.adapters.tables import CaseRow, CaseSearchRow, ClockRow
from casework.config import LEGAL_TIMEZONE, Settings
from casework.domain.calendar import add_period, add_working_days, roll_forward
from casework.domain.search import case_words
from casework.services.advance import AdvanceCase, advance_case
from casework.services.app import Casework, bootstrap
from casework.services.intake import Denouncer, LogCase, log_case
from casework.services.organisation import load_organisation_file
from casework.services.schema import initialise
from casework.services.sweep import sweep

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 26)  # a Thursday
NOW = datetime(2026, 11, 26, 8, 0, tzinfo=LEGAL_TIMEZONE)


BENCH_DATABASE = "casework_bench"


def scratch_postgres(url: str, drop: bool = False) -> str:
    """A database of the benchmark's own beside the one `url` names (created afresh, or dropped)."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)"))
        if not drop:
            connection.execute(text(f"CREATE DATABASE {BENCH_DATABASE}"))
    admin.dispose()
    return url.rsplit("/", 1)[0] + f"/{BENCH_DATABASE}"


def fresh_app(url: str | None, home: Path) -> Casework:
    if url and url.startswith("postgresql"):
        url = scratch_postgres(url)
    app = bootstrap(Settings(home=home, database_url=url or f"sqlite:///{home / 'bench.db'}"))
    initialise(app)
    load_organisation_file(app, ROOT / "examples" / "org.yaml", "bench", NOW)
    return app


FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Quang", "Thu")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Hoa", "Lan", "Nam", "Tuấn", "Hùng", "Long", "Mai",
         "Nga", "Phúc", "Quý", "Sơn", "Thảo", "Trang", "Vinh", "Yến", "Khánh")  # fmt: skip
MATTERS = (
    "thu tiền trái quy định khi cấp giấy chứng nhận quyền sử dụng đất",
    "xây dựng nhà ở không phép trên đất nông nghiệp",
    "chậm bồi thường giải phóng mặt bằng dự án đường",
    "lạm dụng chức vụ trong đấu thầu mua sắm thiết bị",
    "thu phí chợ sai quy định",
    "không giải quyết hồ sơ hộ nghèo đúng hạn",
    "sử dụng ngân sách xã sai mục đích",
    "cấp phép khai thác cát trái phép",
)


def fill(app: Casework, n: int, due_fraction: float, seed: int = 7) -> int:
    """Insert `n` open cases with one running clock each; `due_fraction` reach a step today.
    Each case denounces a person of a Vietnamese name over one of a few matters, and is kept
    in the search index as intake keeps it (domain/search.case_words)."""
    rng = random.Random(seed)
    calendar = app.calendar
    ladder = app.definitions.escalation.ladder("default")
    triage_rule = app.rules.in_force("denunciation.triage", TODAY)
    resolve_rule = app.rules.in_force("denunciation.resolve", TODAY)
    fires_today_due = add_working_days(calendar, TODAY, 3)  # warn step fires 3 WD before due
    first_id = 1
    batch = 10_000
    logged = datetime.now(UTC)
    newly_due = 0
    for start in range(0, n, batch):
        cases: list[dict[str, Any]] = []
        clocks: list[dict[str, Any]] = []
        words: list[dict[str, Any]] = []
        for offset in range(min(batch, n - start)):
            case_id = first_id + start + offset
            in_triage = rng.random() < 0.4
            rule = triage_rule if in_triage else resolve_rule
            if rng.random() < due_fraction:
                due = fires_today_due
                newly_due += 1
            else:
                nominal = add_period(calendar, TODAY, rng.randint(6, 60), rule.unit)
                due = roll_forward(calendar, nominal)
            start_on = TODAY - timedelta(days=rng.randint(0, 5))
            reference = f"SEED-{start_on.year}-{case_id:06d}"
            denounced = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            summary = f"Ông/bà {denounced} {rng.choice(MATTERS)}"
            words.append({"case_id": case_id, "words": case_words(reference, summary, denounced)})
            cases.append(
                {
                    "id": case_id,
                    # seeded outside intake: a series of its own, never one intake numbers in
                    "reference": reference,
                    "kind": "denunciation",
                    "state": "triage" if in_triage else "inspection",
                    "agency": "thanh-tra-tinh",
                    "handler": rng.choice(["tt-xac-minh-1", None]),
                    "received_on": start_on,
                    "logged_at": logged,
                    "channel": "letter",
                    "summary": summary,
                    "denounced_name": denounced,
                    "complexity": "ordinary",
                    "attributes": {},
                    "next_due": due,  # its one running clock's (CaseRow.next_due)
                    "version": 1,
                }
            )
            clocks.append(
                {
                    "case_id": case_id,
                    "code": rule.code,
                    "rule_version": rule.version,
                    "calendar_version": calendar.version,
                    "start_on": start_on,
                    "extensions": [],
                    "pauses": [],
                    "status": "running",
                    "due": due,
                    "ladder": "default",
                    "next_step": 0,
                    "next_step_on": ladder.next_step_on(calendar, due, 0),
                }
            )
        with app.database.begin() as connection:
            connection.execute(insert(CaseRow.__table__), cases)  # type: ignore[attr-defined]
            connection.execute(insert(ClockRow.__table__), clocks)  # type: ignore[attr-defined]
            connection.execute(insert(CaseSearchRow.__table__), words)  # type: ignore[attr-defined]
    if app.database.dialect.name == "postgresql":
        with app.database.begin() as connection:
            connection.execute(
                text("SELECT setval('case_file_id_seq', (SELECT max(id) FROM case_file))")
            )
    settle(app.database)
    return newly_due


def settle(engine: Engine) -> None:
    """Bring a bulk-loaded database to the state a database in service is in before timing
    anything on it, for casework and SpiffWorkflow alike.

    PostgreSQL: VACUUM ANALYZE, then CHECKPOINT. Autovacuum vacuums a table after a bulk insert
    (PostgreSQL 13+ counts inserts); until then the first reader of every fresh page sets its
    rows' hint bits and writes the page out again, which a benchmark would otherwise charge to
    the sweep (measured on one copy of a 10^6-case database: 2.1 s unvacuumed, 1.7 s vacuumed).
    The checkpoint keeps the sweep from competing with the writing out of the load itself.
    SQLite: ANALYZE, and the write-ahead log checkpointed into the database file.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
            connection.execute(text("CHECKPOINT"))
        return
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    # outside any transaction: casework's BEGIN IMMEDIATE would lock the checkpoint out
    raw = engine.raw_connection()
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


def bare_sql(app: Casework) -> float:
    """The floor: select the due clocks by index and bump their step, nothing else."""
    started = time.perf_counter()
    with app.database.begin() as connection:
        ids = (
            connection.execute(
                text("SELECT id FROM clock WHERE status = 'running' AND next_step_on <= :d"),
                {"d": TODAY},
            )
            .scalars()
            .all()
        )
        connection.execute(
            text("UPDATE clock SET next_step = next_step WHERE id = :id"), [{"id": i} for i in ids]
        )
    return time.perf_counter() - started


def time_intake(app: Casework, count: int) -> tuple[float, list[str]]:
    refs = []
    started = time.perf_counter()
    for i in range(count):
        logged = log_case(
            app,
            LogCase(
                kind="denunciation",
                agency="thanh-tra-tinh",
                received_on=TODAY,
                summary=f"intake {i}",
                denouncer=Denouncer(f"Người tố cáo {i}"),
                denounced_name="Y",
                logged_by="tt-tiep-nhan",
            ),
            NOW,
        )
        refs.append(logged.ref)
    return count / (time.perf_counter() - started), refs


def _ids_of(app: Casework, refs: list[str]) -> list[int]:
    """The ids of the cases `refs` name, in their order (read before any timing starts)."""
    with app.database.connect() as connection:
        ids = case_ids_of(connection, refs)
    return [ids[ref] for ref in refs]


def bare_transaction_rate(app: Casework, refs: list[str]) -> float:
    """The floor under a transition: per second, the smallest durable transaction a trigger
    needs, sent straight through the database driver with no casework code around it:
    BEGIN, read and lock the case row, bump its version, add a transition row, COMMIT.
    Whatever the service layer adds (guards, clocks, the audit chain, SQLAlchemy) comes on
    top; no transition rate can pass this one on the same machine at the same moment."""
    raw = app.database.raw_connection()
    postgres = app.database.dialect.name == "postgresql"
    marker = "%s" if postgres else "?"
    lock = " FOR UPDATE" if postgres else ""
    case_ids = _ids_of(app, refs)
    try:
        cursor = raw.cursor()
        started = time.perf_counter()
        for case_id in case_ids:
            if not postgres:
                cursor.execute("BEGIN IMMEDIATE")
            cursor.execute(f"SELECT version FROM case_file WHERE id = {marker}{lock}", (case_id,))
            cursor.fetchone()
            cursor.execute(
                f"UPDATE case_file SET version = version + 1 WHERE id = {marker}", (case_id,)
            )
            cursor.execute(
                "INSERT INTO transition (case_id, trigger, from_state, to_state, occurred_on, "
                "recorded_at, reason, data, basis) "
                f"VALUES ({marker}, 'floor', 'triage', 'triage', {marker}, {marker}, '', '{{}}', '')",
                (case_id, TODAY, NOW),
            )
            raw.commit()
        return len(refs) / (time.perf_counter() - started)
    finally:
        raw.close()


def pipelined_transaction_rate(app: Casework, refs: list[str]) -> float:
    """PostgreSQL only: the floor's transaction in the fewest round trips a trigger could
    take, two, with psycopg's pipeline mode. The first carries BEGIN, the lock on the audit
    chain's head and the case read; the second the case update with its transition row, an
    audit entry, the head's move and COMMIT, sent together. Still no casework code: what is
    left of a transition's time once every statement goes below SQLAlchemy and nothing waits
    for a reply it does not need."""
    cases = list(zip(refs, _ids_of(app, refs), strict=True))
    raw = app.database.raw_connection()
    try:
        connection = raw.driver_connection
        assert connection is not None
        head, case = connection.cursor(), connection.cursor()
        started = time.perf_counter()
        for ref, case_id in cases:
            with connection.pipeline() as pipeline:
                head.execute("SELECT value FROM engine_state WHERE key = 'audit_head' FOR UPDATE")
                case.execute("SELECT version FROM case_file WHERE id = %s", (case_id,))
                pipeline.sync()
                row = case.fetchone()
                assert row is not None  # the benchmark's own cases
                (version,) = row
                case.execute(
                    "WITH moved AS (UPDATE case_file SET version = %s WHERE id = %s AND "
                    "version = %s RETURNING id) INSERT INTO transition (case_id, trigger, "
                    "from_state, to_state, occurred_on, recorded_at, reason, data, basis) "
                    "VALUES ((SELECT id FROM moved), 'floor', 'triage', 'triage', %s, %s, "
                    "'', '{}', '')",
                    (version + 1, case_id, version, TODAY, NOW),
                )
                case.execute(
                    "INSERT INTO audit_entry (recorded_at, actor, case_ref, action, payload, "
                    "prev_hash, hash) VALUES (%s, NULL, %s, 'floor', '{}', '', '')",
                    (NOW, ref),
                )
                case.execute("UPDATE engine_state SET value = value WHERE key = 'audit_head'")
                connection.commit()
        return len(refs) / (time.perf_counter() - started)
    finally:
        raw.close()


def time_transitions(app: Casework, refs: list[str]) -> float:
    started = time.perf_counter()
    for ref in refs:
        advance_case(app, AdvanceCase(ref, "triage", TODAY, "tt-xac-minh-1"), NOW)
    return len(refs) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--due-fraction", type=float, default=0.01)
    parser.add_argument("--intake", type=int, default=2000, help="cases logged one by one")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = fresh_app(args.database_url, Path(folder))
        fill_started = time.perf_counter()
        newly_due = fill(app, args.cases, args.due_fraction)
        fill_seconds = time.perf_counter() - fill_started
        baseline = statistics.median(bare_sql(app) for _ in range(3))
        started = time.perf_counter()
        first = sweep(app, NOW)
        sweep_seconds = time.perf_counter() - started
        started = time.perf_counter()
        second = sweep(app, NOW)
        rerun_seconds = time.perf_counter() - started
        intake_rate, refs = time_intake(app, args.intake)
        transition_rate = time_transitions(app, refs)
        result = {
            "database": app.database.dialect.name,
            "open_cases": args.cases,
            "fill_seconds": round(fill_seconds, 2),
            "sweep": {
                "clocks_reaching_a_step": newly_due,
                "escalations_recorded": len(first.fired),
                "seconds": round(sweep_seconds, 4),
                "rerun_escalations": len(second.fired),
                "rerun_seconds": round(rerun_seconds, 4),
                "bare_sql_select_update_seconds": round(baseline, 4),
            },
            "intake_per_second": round(intake_rate, 1),
            "transitions_per_second": round(transition_rate, 1),
            "intake_and_transitions_measured_on": len(refs),
        }
        app.database.dispose()
        if args.database_url and args.database_url.startswith("postgresql"):
            scratch_postgres(args.database_url, drop=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
