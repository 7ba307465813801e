"""A casework worker process for the multi-process tests: one sweeper, dispatcher or handler.

Run as `python tests/processes/worker.py ACTION SPEC`, where SPEC is JSON:
{"home": …, "url": …, "now": ISO, "start_file": path or null, …}. It waits until `start_file`
exists (so several workers start their work at the same instant), does ACTION, and prints one
line of JSON with what it did. With "kill" in SPEC it sends itself SIGKILL at the named point,
the way the kernel's OOM killer or a `kill -9` would stop a worker: no cleanup, no rollback
handler, no flush.

Actions:
- sweep: sweep in batches of SPEC["limit"] until nothing is due; kill "in_batch" N dies
  inside the Nth batch's commit (its writes sent, not committed).
- deliver: deliver batches to the SMTP server on SPEC["smtp_port"] until none is claimed;
  kill "after_sending" N dies once N messages went out, before any outcome is recorded.
- advance: apply SPEC["trigger"] to each of SPEC["refs"]; prints the outcome of each.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Sequence
from datetime import date, datetime
from email.message import Message
from pathlib import Path
from typing import Any

from sqlalchemy import event

from casework.adapters.mailer import SendResult, SmtpMailer, SmtpSettings
from casework.config import Settings
from casework.domain.errors import CaseworkError
from casework.services.advance import AdvanceCase, advance_case
from casework.services.app import Casework, bootstrap
from casework.services.delivery import deliver_pending
from casework.services.sweep import sweep


def _die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def _wait_for(start_file: str | None) -> None:
    if not start_file:
        return
    deadline = time.monotonic() + 60
    while not Path(start_file).exists():
        if time.monotonic() > deadline:
            raise SystemExit("the start signal never came")
        time.sleep(0.005)


def run_sweep(app: Casework, spec: dict[str, Any], now: datetime) -> dict[str, Any]:
    kill = spec.get("kill") or {}
    batches = 0
    if "in_batch" in kill:

        @event.listens_for(app.database, "commit")
        def _before_commit(connection: Any) -> None:  # runs before the database commits
            if batches + 1 == kill["in_batch"]:
                _die()

    fired = skipped = 0
    while True:
        result = sweep(app, now, limit=spec["limit"])
        if result.clocks_examined == 0:
            return {"batches": batches, "fired": fired, "skipped": skipped}
        batches += 1
        fired += len(result.fired)
        skipped += result.skipped


class _DyingMailer:
    """The real SMTP mailer, but the process dies once `after` messages have gone out."""

    def __init__(self, inner: SmtpMailer, after: int | None, sent_before: list[int]) -> None:
        self.inner, self.after, self.sent = inner, after, sent_before

    def describe(self) -> str:
        return self.inner.describe()

    def send_batch(self, messages: Sequence[Message]) -> list[SendResult]:
        if self.after is None or self.sent[0] + len(messages) < self.after:
            results = self.inner.send_batch(messages)
            self.sent[0] += len(messages)
            return results
        self.inner.send_batch(messages[: self.after - self.sent[0]])
        _die()
        raise AssertionError("unreachable")


def run_deliver(app: Casework, spec: dict[str, Any], now: datetime) -> dict[str, Any]:
    smtp = SmtpMailer(
        SmtpSettings(host="127.0.0.1", port=spec["smtp_port"], security="none", timeout=10)
    )
    mailer = _DyingMailer(smtp, (spec.get("kill") or {}).get("after_sending"), [0])
    totals = {"batches": 0, "claimed": 0, "sent": 0}
    while True:
        report = deliver_pending(app, now, mailer, batch=spec.get("batch", 10))
        if report.claimed == 0:
            return totals
        totals["batches"] += 1
        totals["claimed"] += report.claimed
        totals["sent"] += report.sent


def run_advance(app: Casework, spec: dict[str, Any], now: datetime) -> dict[str, Any]:
    outcomes: dict[str, str] = {}
    for ref in spec["refs"]:
        try:
            advance_case(
                app,
                AdvanceCase(ref, spec["trigger"], date.fromisoformat(spec["on"]), spec["actor"]),
                now,
            )
            outcomes[ref] = "applied"
        except CaseworkError as exc:
            outcomes[ref] = type(exc).__name__
    return {"outcomes": outcomes}


ACTIONS = {"sweep": run_sweep, "deliver": run_deliver, "advance": run_advance}


def main(argv: list[str]) -> None:
    action, spec = argv[1], json.loads(argv[2])
    app = bootstrap(Settings(home=Path(spec["home"]), database_url=spec["url"]))
    now = datetime.fromisoformat(spec["now"])
    _wait_for(spec.get("start_file"))
    result = ACTIONS[action](app, spec, now)
    print(json.dumps({"pid": os.getpid(), **result}), flush=True)


if __name__ == "__main__":
    main(sys.argv)
