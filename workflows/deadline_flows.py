"""Prefect flows that run casework's periodic work, as thin shells over `casework.services`.

A flow receives a moment (ISO text) — its scheduled start time when Prefect runs it on a
schedule — calls one service and returns a summary. Flow parameters never carry personal data.
No business rule lives here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.runtime import flow_run
from sqlalchemy.exc import DBAPIError

from casework.config import LEGAL_TIMEZONE
from casework.domain.errors import DeliveryFailed
from casework.services.app import bootstrap
from casework.services.bounces import read_bounces
from casework.services.delivery import deliver_pending
from casework.services.digest import queue_digest
from casework.services.sweep import sweep

RETRY_DELAYS: list[float] = [5, 30, 120]  # seconds: a database restart or a busy SQLite file


def _moment(as_of: str | None) -> datetime:
    """The moment a run stands for: the given one, else its scheduled start, else now."""
    if as_of:
        moment = datetime.fromisoformat(as_of)
        return moment if moment.tzinfo else moment.replace(tzinfo=LEGAL_TIMEZONE)
    scheduled = flow_run.scheduled_start_time
    if scheduled is not None:
        return datetime.fromisoformat(str(scheduled)).astimezone(UTC)
    return datetime.now(UTC)


def sweep_summary(as_of: str) -> dict[str, Any]:
    """Record the escalation steps reached as of `as_of` and queue their notices."""
    result = sweep(bootstrap(), datetime.fromisoformat(as_of), recorded_at=datetime.now(UTC))
    return {
        "as_of": result.as_of.isoformat(),
        "clocks_examined": result.clocks_examined,
        "expiry_starts": result.expiry_starts,
        "escalations": len(result.fired),
        "skipped": result.skipped,
        "notices_queued": result.notices_queued,
        "unroutable": result.unroutable,
    }


def delivery_summary(as_of: str) -> dict[str, Any]:
    """Send one batch of due notices."""
    report = deliver_pending(bootstrap(), datetime.fromisoformat(as_of))
    return {
        "mailer": report.mailer,
        "claimed": report.claimed,
        "sent": report.sent,
        "printed": report.printed,
        "retrying": report.retrying,
        "refused": report.refused,
        "dead": report.dead,
        "needs_attention": report.needs_attention,
        "errors": report.errors,  # the denouncer's identity already withheld from them
        # what a failed run says (DeliveryReport.failure), or "" when nothing failed
        "failure": str(report.failure()) if report.failed else "",
    }


def bounce_summary(as_of: str) -> dict[str, Any]:
    """Read the bounce mailbox and mark the notices it returns."""
    report = read_bounces(bootstrap(), datetime.fromisoformat(as_of))
    return {
        "read": report.read,
        "bounced": report.bounced,
        "delayed": report.delayed,
        "already": report.already,
        "unmatched": report.unmatched,
        "notes": report.notes,
    }


def digest_summary(as_of: str) -> dict[str, Any]:
    """Queue today's digest for every supervisor (working days only, once per day)."""
    result = queue_digest(bootstrap(), datetime.fromisoformat(as_of))
    return {"day": result.day, "working_day": result.is_working_day, "queued": result.queued}


@contextmanager
def _database_outage_explained(work: str) -> Iterator[None]:
    """Say in one line that the database went away, before Prefect retries the task.

    A restart of the database server mid-run surfaces as a driver error deep in a traceback;
    the officer on duty should read what happened and what comes next. The work's transaction
    was rolled back by the server, so the retry starts clean (every service is idempotent)."""
    try:
        yield
    except DBAPIError as exc:
        if not exc.connection_invalidated and not _is_disconnect(exc):
            raise
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        get_run_logger().warning(
            "casework database unreachable during the %s (%s); nothing of it was kept, "
            "and the task will be retried",
            work,
            reason,
        )
        raise


def _is_disconnect(exc: DBAPIError) -> bool:
    name = type(exc.orig).__name__ if exc.orig else ""
    return name in ("OperationalError", "InterfaceError", "AdminShutdown", "ConnectionFailure")


def _guarded(work: str, body: Callable[[str], dict[str, Any]], as_of: str) -> dict[str, Any]:
    with _database_outage_explained(work):
        return body(as_of)


@task(name="sweep", retries=len(RETRY_DELAYS), retry_delay_seconds=RETRY_DELAYS)
def run_sweep(as_of: str) -> dict[str, Any]:
    return _guarded("deadline sweep", sweep_summary, as_of)


@task(name="deliver", retries=len(RETRY_DELAYS), retry_delay_seconds=RETRY_DELAYS)
def run_delivery(as_of: str) -> dict[str, Any]:
    return _guarded("delivery", delivery_summary, as_of)


@task(name="bounces", retries=len(RETRY_DELAYS), retry_delay_seconds=RETRY_DELAYS)
def run_bounces(as_of: str) -> dict[str, Any]:
    return _guarded("reading of bounces", bounce_summary, as_of)


@task(name="digest", retries=len(RETRY_DELAYS), retry_delay_seconds=RETRY_DELAYS)
def run_digest(as_of: str) -> dict[str, Any]:
    return _guarded("digest", digest_summary, as_of)


@flow(name="sweep-deadlines")
def sweep_deadlines(as_of: str | None = None) -> dict[str, Any]:
    """The deadline sweep for this run's moment; a late run catches up (the sweep is idempotent)."""
    return run_sweep(_moment(as_of).isoformat())


@flow(name="deliver-notifications")
def deliver_notifications(as_of: str | None = None) -> dict[str, Any]:
    """Deliver queued notices whose time has come, as of now: unlike a sweep, a delivery that
    starts late must still send what was queued after its scheduled time."""
    moment = _moment(as_of) if as_of else datetime.now(UTC)
    summary = run_delivery(moment.isoformat())
    if summary["failure"]:
        # a run that left notices undelivered ends Failed, its reasons in the run's log (the
        # task is not retried for it: the notices are, on their own backoff)
        logger = get_run_logger()
        for error in summary["errors"]:
            logger.error("%s", error)
        raise DeliveryFailed(f"{summary['failure']}; the reasons are in this run's log")
    return summary


@flow(name="read-bounces")
def read_bounce_mailbox(as_of: str | None = None) -> dict[str, Any]:
    """Mark the notices the bounce mailbox returns (bounced officer notices alert the
    administrator; a returned party notice is written as a letter by the next delivery)."""
    moment = _moment(as_of) if as_of else datetime.now(UTC)
    summary = run_bounces(moment.isoformat())
    if summary["bounced"]:
        get_run_logger().warning("%s notice(s) came back undelivered", summary["bounced"])
    return summary


@flow(name="daily-digest")
def daily_digest(as_of: str | None = None) -> dict[str, Any]:
    """Each supervisor's morning email (07:00 Asia/Ho_Chi_Minh); skipped on days off."""
    return run_digest(_moment(as_of).isoformat())
