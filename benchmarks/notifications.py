"""Benchmark notice delivery, through Debian's Postfix and through aiosmtpd, and the Prefect
overhead of the sweep flow.

    .venv/bin/python benchmarks/notifications.py                 # 10,000 notices, SQLite
    .venv/bin/python benchmarks/notifications.py --messages 2000 --no-flow

Queues N notices in the outbox and delivers them in batches, with casework's own delivery run,
to a real SMTP server on loopback; reports messages per second accepted by the server. For
Postfix (a private instance, tests/mta.py; run `python3 scripts/dev.py test` once as root to
install Debian's postfix) it also waits until every message is in the Maildir and reports that
rate too. Then it times the sweep service called directly and the same sweep through a real
Prefect flow run (temporary server, heartbeat off), and prints the difference. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import insert

from casework.adapters.mailer import SmtpMailer, SmtpSettings
from casework.adapters.tables import OutboxRow
from casework.config import Settings
from casework.services.app import Casework, bootstrap
from casework.services.delivery import deliver_pending
from casework.services.notices import message_id_for
from casework.services.organisation import load_organisation_file
from casework.services.schema import initialise
from casework.services.sweep import sweep

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))  # tests/mta.py: the private Postfix instance


class Counter:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def queue(app: Casework, n: int, now: datetime, domain: str) -> None:
    context = {
        "recipient": {"name": "Nguyễn Văn An", "post": "superior_head"},
        "case": {
            "ref": "TC-2026-000001",
            "kind": "denunciation",
            "agency_name": "Sở Tài nguyên và Môi trường",
            "state_legal_name": "Tiếp nhận đơn tố cáo",
        },
        "clock": {
            "code": "denunciation.triage",
            "title": "Initial handling (xử lý ban đầu)",
            "basis": "LTC Art. 24(1)",
            "due": "2026-11-19",
        },
        "step": {"code": "overdue", "title": "1 working day overdue", "fires_on": "2026-11-20"},
        "days_overdue": 1,
        "link": "http://127.0.0.1:8000/cases/TC-2026-000001",
    }
    rows = [
        {
            "dedupe_key": f"bench:{i}",
            "message_id": message_id_for(f"bench:{i}", "agency.test", "bench"),
            "template": "escalation.overdue",
            "language": "vi",
            "case_id": None,
            "recipient_officer": "ubnd-chu-tich",
            "to_address": f"officer{i}@{domain}",
            "context": context,
            "status": "queued",
            "attempts": 0,
            "next_attempt_at": now,
            "last_error": "",
            "created_at": now,
            "sent_at": None,
        }
        for i in range(n)
    ]
    with app.database.begin() as connection:
        connection.execute(insert(OutboxRow.__table__), rows)  # type: ignore[attr-defined]


def flow_overhead(home: Path) -> dict[str, float]:
    os.environ.update(
        {
            "CASEWORK_HOME": str(home),
            "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_LOGGING_LEVEL": "ERROR",
            "PREFECT_HOME": str(home / "prefect"),
        }
    )
    os.environ.pop("CASEWORK_DATABASE_URL", None)
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from casework.entrypoints.engine import load_flows

    flows = load_flows()
    moment = datetime.now(UTC).isoformat()
    started = time.perf_counter()
    flows.sweep_summary(moment)
    direct = time.perf_counter() - started
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        flows.sweep_deadlines(as_of=moment)  # first run starts the temporary server
        started = time.perf_counter()
        flows.sweep_deadlines(as_of=moment)
        through_flow = time.perf_counter() - started
    return {
        "sweep_direct_seconds": round(direct, 4),
        "sweep_flow_seconds": round(through_flow, 4),
        "flow_overhead_seconds": round(through_flow - direct, 4),
    }


class _Aiosmtpd:
    """aiosmtpd on loopback, counting what it accepts."""

    name = "aiosmtpd"
    domain = "example.test"

    def __init__(self) -> None:
        self.counter = Counter()
        self.port = free_port()
        self.controller = Controller(self.counter, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> _Aiosmtpd:
        self.controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.controller.stop()

    def received(self) -> int:
        return self.counter.count


class _Postfix:
    """A private Debian Postfix delivering agency.test to one Maildir."""

    name = "postfix"

    def __init__(self) -> None:
        from tests.mta import DOMAIN, Postfix, missing_mta

        why = missing_mta()
        if why:
            raise RuntimeError(why)
        self.domain = DOMAIN
        self.root = Path(tempfile.mkdtemp(prefix="casework-postfix-"))
        self.server = Postfix(self.root)
        self.port = self.server.port

    def __enter__(self) -> _Postfix:
        self.server.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def received(self) -> int:
        """Messages in the Maildir (new/), counted without reading them."""
        new = self.server.mailbox / "new"
        return sum(1 for _ in os.scandir(new)) if new.is_dir() else 0


def measure_delivery(messages: int, batch: int, target: str) -> dict[str, Any]:
    """Queue `messages` notices and deliver them in batches to `target` (aiosmtpd or
    postfix) on loopback."""
    server = _Postfix() if target == "postfix" else _Aiosmtpd()
    with tempfile.TemporaryDirectory() as folder, server:
        home = Path(folder)
        app = bootstrap(Settings(home=home, delivery_batch=batch))
        initialise(app)
        load_organisation_file(app, ROOT / "examples" / "org.yaml", "bench", datetime.now(UTC))
        now = datetime.now(UTC)
        queue(app, messages, now, server.domain)
        mailer = SmtpMailer(SmtpSettings(host="127.0.0.1", port=server.port, security="none"))
        started = time.perf_counter()
        sent = 0
        while True:
            report = deliver_pending(app, now + timedelta(seconds=1), mailer)
            if report.claimed == 0:
                break
            sent += report.sent
        accepted_seconds = time.perf_counter() - started
        deadline = time.monotonic() + 600
        while server.received() < sent and time.monotonic() < deadline:
            time.sleep(0.05)  # Postfix delivers after it has answered: wait for the Maildir
        stored_seconds = time.perf_counter() - started
        received = server.received()
        app.database.dispose()
        return {
            "server": server.name,
            "messages": messages,
            "batch": batch,
            "accepted": sent,
            "accepted_seconds": round(accepted_seconds, 2),
            "accepted_per_second": round(sent / accepted_seconds, 1),
            "found_by_the_server": received,  # in the Maildir, for Postfix
            "all_found_seconds": round(stored_seconds, 2),
            "all_found_per_second": round(received / stored_seconds, 1),
        }


def measure_flow_overhead() -> dict[str, float]:
    """The sweep through a Prefect flow run vs called directly, on a fresh installation."""
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        app = bootstrap(Settings(home=home))
        initialise(app)
        load_organisation_file(app, ROOT / "examples" / "org.yaml", "bench", datetime.now(UTC))
        sweep(app, datetime.now(UTC))  # warm the engine's caches for the comparison
        app.database.dispose()
        return flow_overhead(home)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--no-flow", action="store_true", help="skip the Prefect overhead")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    for target in ("postfix", "aiosmtpd"):
        try:
            results[target] = measure_delivery(args.messages, args.batch, target)
        except RuntimeError as missing:
            results[target] = {"skipped": str(missing)}
    if not args.no_flow:
        results["prefect"] = measure_flow_overhead()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
