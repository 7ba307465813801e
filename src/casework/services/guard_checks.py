"""One evaluation of a step's guards: the step itself (services/advance.py) and every preview of
it (`case triggers`, the web page's actions, the API's allowed triggers) ask here, so that
what is offered as allowed now is what the step then accepts (issue 23)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from casework.adapters import clock_rows
from casework.adapters.case_store import CaseStore, StoredCase, StoredClock
from casework.domain.guards import GuardContext, check_guards
from casework.domain.lifecycle import TransitionSpec
from casework.services.app import Casework


class GuardReader:
    """The guards of the steps of one case, as of one date; reads the case's older clocks
    once, and only if a guard asks for them."""

    def __init__(
        self,
        app: Casework,
        store: CaseStore,
        case: StoredCase,
        active_clocks: Sequence[StoredClock],
    ) -> None:
        self.app = app
        self.store = store
        self.case = case
        self.active = list(active_clocks)
        self.clocks = tuple(clock_rows.to_domain(c, app.rules) for c in self.active)
        self._latest: dict[str, StoredClock] | None = None

    def _latest_clocks(self, spec: TransitionSpec) -> dict[str, StoredClock]:
        if not any(g.startswith("clock_met") for g in spec.guards):
            return {}
        if self._latest is None:
            self._latest = self.store.latest_clocks(self.case.id)
        return self._latest

    def failures(
        self,
        spec: TransitionSpec,
        data: Mapping[str, str],
        on: date | None,
        actor: str | None,
        previewing: bool = False,
    ) -> list[str]:
        """What stops `spec` on `on` with `data`, by `actor`; empty when nothing does. A
        preview (`previewing`, no data) asks whether some values of the fields would pass."""
        latest = self._latest_clocks(spec)
        context = GuardContext(
            spec=spec,
            state=self.case.state,
            handler=self.case.handler,
            actor=actor,
            attributes=self.case.attributes,
            data=data,
            clocks=self.clocks,
            complexity=self.case.complexity,
            on=on,
            due_dates={c.code: c.due for c in self.active},
            allow_late_extension=self.app.settings.allow_late_extension,
            latest_clocks={
                code: clock_rows.to_domain(c, self.app.rules) for code, c in latest.items()
            },
            latest_due={code: c.due for code, c in latest.items()},
            previewing=previewing,
        )
        failures = check_guards(context)
        linked = self._linked_refusal(spec)
        return [*failures, linked] if linked else failures

    def preview(self, on: date, actor: str | None) -> list[tuple[TransitionSpec, list[str]]]:
        """Each step an officer may record from the case's state, with what would stop it on
        `on` whatever values its fields are given (a preview: no data yet)."""
        lifecycle = self.app.definitions.lifecycle(self.case.kind)
        return [
            (spec, self.failures(spec, {}, on, actor, previewing=True))
            for spec in lifecycle.transitions
            if self.case.state in spec.sources and not spec.internal
        ]

    def _linked_refusal(self, spec: TransitionSpec) -> str | None:
        """Why the step a linked case takes with this one cannot follow (a case is handed
        over once), or None."""
        if spec.linked is None:
            return None
        other_ref = str(self.case.attributes.get(spec.linked.attribute) or "")
        if not other_ref:
            return None
        other = self.store.get(other_ref)
        definition = self.app.machine(other.kind).definition
        reached = {t.dest for t in definition.transitions if t.trigger == spec.linked.trigger}
        if other.state not in reached:
            return None
        by = other.attributes.get("taken_over_by")
        return f"{other.ref} is already {other.state}" + (f" (by {by})" if by else "")
