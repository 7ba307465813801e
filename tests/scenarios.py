"""Cases as reception logs them, shared by the tests that need a plain one of each kind:
a denunciation to the provincial inspectorate and a complaint to a commune about its
chairman's decision (the README's walk-throughs). Vary them with `dataclasses.replace`.

And the steps the path tests take on them: `step` records a decision as of a day (at 16:00
that day), `clocks` and `state` read the case as its page shows it on a day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from tests.conftest import at

from casework.services.advance import AdvanceCase, advance_case
from casework.services.app import Casework
from casework.services.case_views import show_case
from casework.services.complaint_intake import ComplaintFacts
from casework.services.intake import Denouncer, LogCase

DENUNCIATION = LogCase(
    kind="denunciation",
    agency="thanh-tra-tinh",
    received_on=date(2026, 7, 6),
    summary="Cán bộ địa chính thu tiền trái quy định",
    denouncer=Denouncer("Phạm Thị Hoa", "Vinh, Nghệ An"),
    denounced_name="Lê Văn Cường",
    logged_by="tt-tiep-nhan",
)
COMPLAINT = replace(
    DENUNCIATION,
    kind="complaint",
    agency="xa-nghi-loc",
    received_on=date(2026, 7, 2),
    denounced_name="",
    denounced_officer="nl-chu-tich",
    complaint=ComplaintFacts(decision_known_on=date(2026, 5, 20)),  # in time: 90 days
    logged_by="nl-tiep-nhan",
)


def step(app: Casework, ref: str, trigger: str, on: str, actor: str | None, **data: str) -> None:
    """`actor` records `trigger` on case `ref`, dated `on` (YYYY-MM-DD), that day at 16:00."""
    advance_case(
        app,
        AdvanceCase(ref=ref, trigger=trigger, on=date.fromisoformat(on), actor=actor, data=data),
        at(on, 16),
    )


def clocks(app: Casework, ref: str, today: str) -> dict[str, dict[str, Any]]:
    """The case's clocks by code, as its page shows them on `today`."""
    return {c["code"]: dict(c) for c in show_case(app, ref, at(today))["clocks"]}


def state(app: Casework, ref: str, today: str) -> str:
    """The case's state on `today`."""
    return str(show_case(app, ref, at(today))["state"])
