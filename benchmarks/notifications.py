"""Benchmark notice delivery and the Prefect overhead of the sweep flow.

    .venv/bin/python benchmarks/notifications.py                 # 10,000 notices, SQLite
    .venv/bin/python benchmarks/notifications.py --messages 2000

Queues N notices in the outbox, delivers them in batches to a real SMTP server on loopback
(aiosmtpd) and reports messages per second; then times the sweep service called directly and
the same sweep through a real Prefect flow run (temporary server, heartbeat off), and prints
the difference. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
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


def queue(app: Casework, n: int, now: datetime) -> None:
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
            "message_id": message_id_for(f"bench:{i}", "casework@localhost"),
            "template": "escalation.overdue",
            "language": "vi",
            "case_id": None,
            "recipient_officer": "ubnd-chu-tich",
            "to_address": f"officer{i}@example.test",
            "context": context,
            "status": "pending",
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


def measure_delivery(messages: int, batch: int, overhead: bool = True) -> dict[str, Any]:
    """Queue `messages` notices and deliver them in batches to aiosmtpd on loopback."""
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        app = bootstrap(Settings(home=home, delivery_batch=batch))
        initialise(app)
        load_organisation_file(app, ROOT / "examples" / "org.yaml", "bench", datetime.now(UTC))
        now = datetime.now(UTC)
        queue(app, messages, now)
        counter = Counter()
        port = free_port()
        controller = Controller(counter, hostname="127.0.0.1", port=port)
        controller.start()
        mailer = SmtpMailer(SmtpSettings(host="127.0.0.1", port=port, security="none"))
        started = time.perf_counter()
        sent = 0
        while True:
            report = deliver_pending(app, now + timedelta(seconds=1), mailer)
            if report.claimed == 0:
                break
            sent += report.sent
        seconds = time.perf_counter() - started
        controller.stop()
        sweep(app, now)  # warm the engine's caches for the overhead comparison
        app.database.dispose()
        return {
            "messages": messages,
            "batch": batch,
            "delivered": sent,
            "received_by_smtp_server": counter.count,
            "seconds": round(seconds, 2),
            "messages_per_second": round(sent / seconds, 1),
            **(flow_overhead(home) if overhead else {}),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    print(json.dumps(measure_delivery(args.messages, args.batch), indent=2))


if __name__ == "__main__":
    main()
