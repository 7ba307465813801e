"""The store of the case aggregate: reads a case as `Case.step` needs it and writes what a
step decided, inside the caller's transaction, through the Core statements of `CaseStore`.

It keeps the rows it read, so that writing an outcome touches only what changed: the case
row (one conditional update, with the transition, on the version it read) and each clock the
step started or changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from casework.adapters import clock_rows
from casework.adapters.case_store import CaseStore, StoredCase, StoredClock
from casework.domain.calendar import WorkingCalendar
from casework.domain.case import Case, LinkedCase, Outcome, StepNeeds
from casework.domain.clock_effects import CaseClock
from casework.domain.escalation import EscalationPolicy
from casework.domain.rules import RuleBook


@dataclass(frozen=True)
class SealedStep:
    """A step's texts as stored when they named the sender: withheld, and the originals
    sealed in `token` (services/sealing.py)."""

    reason: str
    data: Mapping[str, Any]
    attributes: Mapping[str, Any]
    token: str


class CaseSteps:
    """Reads and writes of cases as the domain steps them, in one transaction."""

    def __init__(
        self,
        connection: Connection,
        rules: RuleBook,
        calendar: WorkingCalendar,
        escalation: EscalationPolicy,
    ) -> None:
        self.store = CaseStore(connection)
        self.rules = rules
        self.calendar = calendar
        self.escalation = escalation
        self._records: dict[int, StoredCase] = {}
        self._clock_rows: dict[int, StoredClock] = {}

    # --- reads ----------------------------------------------------------------------------

    def load(self, ref: str) -> tuple[Case, str | None]:
        """The case `ref` names with its active clocks, and the loaded organisation's stamp
        (one round trip on PostgreSQL)."""
        stored, stamp, active = self.store.get_for_step(ref)
        return self.adopt(stored, active), stamp

    def load_by_id(self, case_id: int) -> Case:
        """The case with id `case_id`, which the caller knows exists, with its active clocks."""
        stored = self.store.get_by_id(case_id)
        return self.adopt(stored, self.store.active_clocks(case_id))

    def adopt(
        self,
        stored: StoredCase,
        active: Iterable[StoredClock] = (),
        history: dict[str, CaseClock] | None = None,
    ) -> Case:
        """The domain case of a row already read (or just inserted), its active clocks and,
        if read, the newest clock of each code (a new case: none, `{}`)."""
        self._records[stored.id] = stored
        return Case(
            id=stored.id,
            ref=stored.ref,
            kind=stored.kind,
            state=stored.state,
            agency=stored.agency,
            version=stored.version,
            received_on=stored.received_on,
            last_event_on=stored.last_event_on,
            handler=stored.handler,
            complexity=stored.complexity,
            attributes=stored.attributes,
            forwarded_by=stored.forwarded_by,
            clocks=tuple(self._clock(row) for row in active),
            history=history,
        )

    def _clock(self, row: StoredClock) -> CaseClock:
        assert row.id is not None  # read from the store
        row = self._clock_rows.setdefault(row.id, row)  # one row object per clock
        return CaseClock(clock_rows.to_domain(row, self.rules), row.due, row.id)

    def complete(self, case: Case, needs: StepNeeds) -> Case:
        """`case` with what a step needs beyond its active clocks (Case.needs)."""
        history = case.history
        if needs.history and history is None:
            history = {
                code: self._clock(row) for code, row in self.store.latest_clocks(case.id).items()
            }
        linked = dict(case.linked)
        for attribute in needs.linked:
            if attribute not in linked and case.attributes.get(attribute):
                other = self.store.get(str(case.attributes[attribute]))
                linked[attribute] = LinkedCase(other.ref, other.kind, other.state, other.attributes)
        if history is case.history and linked == case.linked:
            return case
        return replace(case, history=history, linked=linked)

    def record(self, case: Case) -> StoredCase:
        """The row of `case` as plain data (as last written by this store)."""
        return self._records[case.id]

    # --- writes ---------------------------------------------------------------------------

    def save(
        self,
        outcome: Outcome,
        actor: str | None,
        reason: str,
        now: datetime,
        sealed: SealedStep | None = None,
    ) -> int:
        """Write a step's outcome: the case's changes with the transition row (refused as a
        concurrent update if the case moved since it was read), then its clocks. Returns
        the transition's id. `sealed`: the step's texts as stored when they name the sender
        (services/sealing.py)."""
        stored = self._records[outcome.case.id]
        spec = outcome.spec
        changes = dict(outcome.changes)
        data = dict(outcome.data)
        if sealed is not None:
            reason, data = sealed.reason, dict(sealed.data)
            if "attributes" in changes:
                changes["attributes"] = dict(sealed.attributes)
        transition_id = self.store.update_case_recording(
            stored,
            changes,
            {
                "case_id": stored.id,
                "trigger": spec.trigger,
                "from_state": outcome.from_state,
                "to_state": outcome.to_state,
                "occurred_on": outcome.on,
                "recorded_at": now.astimezone(UTC),
                "actor": actor,
                "reason": reason,
                "data": data,
                "basis": spec.basis,
                "sealed": sealed.token if sealed is not None else "",
            },
        )
        self.save_clocks(stored.id, outcome.clock_changes)
        return transition_id

    def save_clocks(self, case_id: int, changes: Iterable[CaseClock]) -> None:
        """Write the clocks a step started (inserted) or changed (updated)."""
        for change in changes:
            if change.id is None:
                row = clock_rows.new_clock(
                    case_id, change.clock, change.due, self.calendar, self.escalation
                )
            else:
                row = self._clock_rows[change.id]
                clock_rows.store_facts(
                    row, change.clock, change.due, self.calendar, self.escalation
                )
            self.store.save_clock(row)
            if row.id is not None:
                self._clock_rows[row.id] = row
