"""The deadline sweep: record every escalation step that clocks have reached
(state_machines/escalation.yaml).

Set-based: one indexed query selects the running clocks whose next ladder step is due
(`status, next_step_on`), so the cost follows the number of clocks that reach a step, not the
number of open cases. Each step is recorded once per clock and due date (a unique key and the
advancing `next_step` make the sweep idempotent), with its recipients resolved from the
organisation as it is today, in the same transaction as its notices and audit entries.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from casework.adapters.audit_log import AuditEvent
from casework.adapters.case_visibility import exclusions_of
from casework.adapters.database import refresh_planner_statistics
from casework.adapters.sweep_store import (
    due_clocks,
    is_postgresql,
    take_sweep_lock,
    write_batch,
)
from casework.adapters.unit_of_work import Transaction, writing
from casework.domain.calendar import WorkingCalendar
from casework.domain.escalation import (
    EscalationPolicy,
    Ladder,
    LadderStep,
    RecipientRole,
    merged_recipients,
)
from casework.domain.organisation import Organisation, Recipient
from casework.services.app import Casework, legal_date
from casework.services.expiry_effects import start_on_expiry
from casework.services.notices import NoticeFacts, escalation_notices


@dataclass(frozen=True)
class FiredStep:
    case_ref: str
    clock: str
    step: str
    due: date
    fires_on: date
    recipients: list[dict[str, str]]


@dataclass
class SweepResult:
    as_of: date
    clocks_examined: int = 0
    fired: list[FiredStep] = field(default_factory=list)
    unroutable: list[str] = field(default_factory=list)  # steps with nobody to tell: kept pending
    notices_queued: int = 0
    # cases on which a clock ran out undone and started another (a lifecycle's on_expiry)
    expiry_starts: int = 0
    # ladder steps passed over because a later one of the same clock was reached at once
    skipped: int = 0


def first_head_up_the_chain(
    org: Organisation, agency: str | None, skip: frozenset[str], on: date | None = None
) -> Recipient | None:
    """The head of `agency`, or of the first agency above it, who is not in `skip`."""
    seen: set[str] = set()
    while agency and agency not in seen and agency in org.agencies:
        seen.add(agency)
        head = org.head_of(agency, on)
        if head is not None and head.code not in skip:
            return org.recipient(head, f"head of {org.agencies[agency].name} (next up the chain)")
        agency = org.agencies[agency].superior
    return None


def resolve_recipients(
    org: Organisation,
    step: LadderStep,
    agency: str,
    handler: str | None,
    excluded: frozenset[str] = frozenset(),
    on: date | None = None,
) -> list[Recipient]:
    """Who a step addresses today; a missing post falls back to the next one up. An officer
    the case excludes (domain/parties.py: the denounced, a relative, an uncleared candidate...)
    is never told about it: his step goes to the first head up the chain who is not excluded."""
    handler_officer = org.officers.get(handler) if handler else None
    handling_unit = handler_officer.agency if handler_officer else agency
    resolver = org.agencies.get(agency)
    found: list[Recipient | None] = []
    for role in step.recipients:
        if role is RecipientRole.HANDLER:
            found.append(
                org.recipient(handler_officer, "handler")
                or org.recipient(org.head_of(handling_unit, on), "unit_head (no handler assigned)")
            )
        elif role is RecipientRole.UNIT_HEAD:
            found.append(org.recipient(org.head_of(handling_unit, on), "unit_head"))
        elif role is RecipientRole.RESOLVER_HEAD:
            found.append(org.recipient(org.head_of(agency, on), "resolver_head"))
        elif role is RecipientRole.INSPECTORATE:
            inspectorate = resolver.inspectorate if resolver else None
            found.append(org.recipient(org.head_of(inspectorate, on), "inspectorate"))
        elif role is RecipientRole.SUPERIOR_HEAD:
            superior = resolver.superior if resolver else None
            found.append(
                org.recipient(org.head_of(superior, on), "superior_head")
                or org.recipient(org.head_of(agency, on), "resolver_head (no superior agency)")
            )
    unique: dict[str, Recipient] = {}
    for recipient in found:
        if recipient is None or recipient.officer in unique:
            continue
        if recipient.officer in excluded:
            recipient = first_head_up_the_chain(
                org, resolver.superior if resolver else None, excluded, on
            )
            if recipient is None or recipient.officer in unique:
                continue
        unique[recipient.officer] = recipient
    if not unique:
        fallback = first_head_up_the_chain(org, agency, excluded, on)
        if fallback is not None:
            unique[fallback.officer] = fallback
    return list(unique.values())


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the whole sweep (docs/adr/0006).

    A sweep allocates tens of thousands of short-lived objects per batch (rows, dicts, audit
    payloads), which triggers full collections that rescan every object of the process:
    measured, that was ~70 ms of a 180 ms sweep over 100,000 open cases. Reference counting
    still frees the objects; the collector runs again as soon as the sweep ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def sweep(
    app: Casework, now: datetime, limit: int | None = None, recorded_at: datetime | None = None
) -> SweepResult:
    """Record the escalation steps reached as of `now`; running it twice records nothing new.

    `recorded_at` is when the sweep really runs (default: `now`); a catch-up sweep for an
    earlier moment stamps its audit entries with the real time. On PostgreSQL concurrent
    sweepers take turns on a transaction-scoped advisory lock, and a sweep of more than one
    batch commits batch by batch (see `_write_in_parallel`); on SQLite the write transaction
    is the single writer, and the sweep commits once. Either way a sweep reads the due clocks
    after the previous sweep committed, so no step is recorded twice.
    """
    today = legal_date(now)
    stamped = (recorded_at or now).astimezone(UTC)
    result = SweepResult(as_of=today)
    with _collector_paused(), app.transaction() as connection:
        if is_postgresql(connection):
            # one sweeper at a time, until it commits; the next one then reads the clocks as
            # that sweep left them. Locking each due clock instead (FOR UPDATE) marked ten
            # thousand rows that the sweep rewrites anyway: 0.6 s of a 10^6-case sweep.
            take_sweep_lock(connection)
        result.expiry_starts = start_on_expiry(app, connection, today, stamped)
        due_rows = due_clocks(connection, today, limit)
        result.clocks_examined = len(due_rows)
        if not due_rows:
            return result
        org = app.organisation(connection)
        # who each due case excludes from its alerts, read once (domain/visibility.py)
        excluded = exclusions_of(connection, (row.case_id for row in due_rows))
        ladder_dates = _LadderDates(app.definitions.escalation, app.calendar)
        batches = (
            _work_out(
                app,
                org,
                ladder_dates,
                due_rows[first : first + _BATCH],
                excluded,
                today,
                stamped,
                result,
            )
            for first in range(0, len(due_rows), _BATCH)
        )
        if is_postgresql(connection) and len(due_rows) > _BATCH:
            _write_in_parallel(app, batches, stamped)
        else:
            for batch in batches:
                _write(connection, batch, stamped)
    # the sweep is what adds alerts in bulk: the planner learns of them here (on SQLite)
    refresh_planner_statistics(app.database)
    return result


# Due clocks worked out and handed to the writer at a time: the first write starts after one
# batch, not after all of them; ten thousand rows is five batches.
_BATCH = 2_000


@dataclass
class _Batch:
    """The rows one batch of due clocks writes."""

    clock_updates: list[dict[str, Any]] = field(default_factory=list)
    escalations: list[dict[str, Any]] = field(default_factory=list)
    notices: list[dict[str, Any]] = field(default_factory=list)
    events: list[AuditEvent] = field(default_factory=list)


def _work_out(
    app: Casework,
    org: Organisation,
    ladder_dates: _LadderDates,
    due_rows: Sequence[Any],  # rows of sweep_store.due_clocks
    excluded: Mapping[int, set[str]],
    today: date,
    stamped: datetime,
    result: SweepResult,
) -> _Batch:
    """The steps these due clocks reach today, as the rows to write; adds them to `result`."""
    batch = _Batch()
    escalations = batch.escalations
    clock_updates = batch.clock_updates
    for row in due_rows:
        clock_id, case_id, code, due, ladder_name, next_step, rule_version, state = row[:8]
        kind, ref, agency, handler = row[8:]
        assert due is not None  # a running clock always has a due date
        assert clock_id is not None
        ladder, firing_dates = ladder_dates.of(ladder_name, due)
        skip = frozenset(excluded.get(case_id, ()))
        # the steps whose day has come, in order, up to the first one nobody can receive
        # (kept pending, and said: it fires once someone holds the post)
        reached: list[tuple[int, list[dict[str, str]]]] = []
        for index in range(next_step, len(ladder.steps)):
            if firing_dates[index] > today:
                break
            recipients = [
                r.as_dict()
                for r in resolve_recipients(org, ladder.steps[index], agency, handler, skip, today)
            ]
            if not recipients:
                result.unroutable.append(f"{ref} {code} {ladder.steps[index].code}")
                break
            reached.append((index, recipients))
        new_next_step = next_step
        if reached:
            # only the clock's current step is sent — nobody gets "due soon" and "overdue"
            # about one case at once — to everyone the steps reached would have told; the
            # steps it passes over (their day went by before this sweep: the engine was down,
            # or the case came in late) are recorded as skipped
            index = reached[-1][0]
            recipients = merged_recipients(told for _, told in reversed(reached))
            step, fires_on = ladder.steps[index], firing_dates[index]
            escalations.append(
                {
                    "clock_id": clock_id,
                    "case_id": case_id,
                    "clock_code": code,
                    "step": step.code,
                    "due": due,
                    "fires_on": fires_on,
                    "fired_at": stamped,
                    "recipients": recipients,
                }
            )
            result.fired.append(FiredStep(ref, code, step.code, due, fires_on, recipients))
            fact = NoticeFacts(
                case_id=case_id,
                ref=ref,
                kind=kind,
                state=state,
                agency=agency,
                clock_id=clock_id,
                clock_code=code,
                rule_version=rule_version,
                due=due,
                step=step,
                fires_on=fires_on,
            )
            batch.notices.extend(escalation_notices(app, fact, recipients, org, stamped))
            batch.events.extend(
                _skipped_event(ref, code, ladder.steps[i].code, due, firing_dates[i], step, today)
                for i, _ in reached[:-1]
            )
            batch.events.append(_fired_event(fact, recipients, today))
            result.skipped += len(reached) - 1
            new_next_step = index + 1
        if new_next_step != next_step:
            clock_updates.append(
                {
                    "b_id": clock_id,
                    "b_old_step": next_step,
                    "b_next_step": new_next_step,
                    "b_next_step_on": (
                        firing_dates[new_next_step] if new_next_step < len(firing_dates) else None
                    ),
                }
            )
    result.notices_queued += len(batch.notices)
    return batch


def _skipped_event(
    ref: str, code: str, step: str, due: date, fires_on: date, current: LadderStep, today: date
) -> AuditEvent:
    return AuditEvent(
        action="escalation.skipped",
        actor="casework:sweep",
        case_ref=ref,
        payload={
            "clock": code,
            "step": step,
            "due": due.isoformat(),
            "fires_on": fires_on.isoformat(),
            "as_of": today.isoformat(),
            "superseded_by": current.code,
            "reason": "its day passed before this sweep ran (the engine was down, or the case "
            "came in late): only the clock's current step is sent, to everyone it would have "
            "told",
        },
    )


def _fired_event(fact: NoticeFacts, recipients: list[dict[str, str]], today: date) -> AuditEvent:
    return AuditEvent(
        action="escalation.fired",
        actor="casework:sweep",
        case_ref=fact.ref,
        payload={
            "clock": fact.clock_code,
            "step": fact.step.code,
            "due": fact.due.isoformat(),
            "fires_on": fact.fires_on.isoformat(),
            "as_of": today.isoformat(),
            "recipients": [r["officer"] for r in recipients],
            "basis": "escalation ladder (state_machines/escalation.yaml); LTC Arts. 8, 38, 63–64",
        },
    )


def _write(connection: Transaction, batch: _Batch, stamped: datetime) -> None:
    write_batch(
        connection, batch.clock_updates, batch.escalations, batch.notices, batch.events, stamped
    )


def _write_in_parallel(app: Casework, batches: Iterable[_Batch], stamped: datetime) -> None:
    """PostgreSQL, a sweep of several batches: each batch is written in a transaction of its
    own, two at a time on two connections, while the sweep works out the next.

    At 10^6 open cases the server's writes were the sweep's critical path, all on one backend
    and so on one core. A batch holds every row its clocks' steps produce (the moved clocks,
    their escalations, notices and audit entries), so each commit leaves the database as a
    sweep of those clocks alone would; a sweep that dies between commits is finished by the
    next one, which finds the rest still due. The caller's transaction holds the sweepers'
    advisory lock until every batch has committed, so no other sweeper reads those clocks in
    between. The first failure is re-raised once the batches already sent have ended.
    """
    pending: list[Future[None]] = []
    with ThreadPoolExecutor(
        max_workers=_WRITERS, thread_name_prefix="casework-sweep-write"
    ) as pool:
        try:
            for batch in batches:
                if any(f.done() and f.exception() is not None for f in pending):
                    break  # e.g. the server went away: the next sweep does the rest
                pending.append(pool.submit(_write_alone, app, batch, stamped))
        finally:
            failures = [f.exception() for f in pending]  # waits for every write
    first = next((failure for failure in failures if failure is not None), None)
    if first is not None:
        raise first


def _write_alone(app: Casework, batch: _Batch, stamped: datetime) -> None:
    with writing(app.database) as connection:
        _write(connection, batch, stamped)


_WRITERS = 2  # one per core of the machine measured; a third only queued on the head's lock


class _LadderDates:
    """When each step of a ladder fires for a due date, worked out once per sweep: the
    thousands of clocks a sweep handles share a few due dates, and counting working days
    was a sixth of the sweep's Python time."""

    def __init__(self, policy: EscalationPolicy, calendar: WorkingCalendar) -> None:
        self.policy = policy
        self.calendar = calendar
        self._known: dict[tuple[str, date], tuple[Ladder, list[date]]] = {}

    def of(self, ladder_name: str, due: date) -> tuple[Ladder, list[date]]:
        key = (ladder_name, due)
        if key not in self._known:
            ladder = self.policy.ladder(ladder_name)
            self._known[key] = (ladder, [s.fires_on(self.calendar, due) for s in ladder.steps])
        return self._known[key]
