"""What each step would meet now: the preview behind `case triggers`, the web page's actions
and the API's allowed triggers. It asks the case itself (`Case.preview`), through the same
guard evaluation as the step (`Case.step`), so what is offered as allowed is what the step
then accepts (issue 23; tests/integration/test_preview_matches_step.py)."""

from __future__ import annotations

from datetime import date

from casework.adapters.case_store import StoredCase
from casework.adapters.unit_of_work import Transaction
from casework.domain.lifecycle import TransitionSpec
from casework.services.app import Casework


def preview_steps(
    app: Casework, connection: Transaction, stored: StoredCase, on: date, actor: str | None
) -> list[tuple[TransitionSpec, list[str]]]:
    """Each step an officer may record on case `stored` from its state, with what would stop
    it on `on` (by `actor`, if given) whatever values its fields are given."""
    steps = app.case_steps(connection)
    case = steps.adopt(stored, steps.store.active_clocks(stored.id))
    law = app.law
    case = steps.complete(case, case.needs(case.offered(law)))
    return case.preview(law, on, actor)
