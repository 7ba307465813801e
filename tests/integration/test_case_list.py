"""The case list: nearest due date first across every running duty clock of a case, cases
with none after, pages that neither skip nor repeat a case, and the filters."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from tests.conftest import at

from casework.services.app import Casework
from casework.services.case_views import CaseFilter, list_cases
from casework.services.intake import Denouncer, LogCase, log_case

pytestmark = pytest.mark.integration

BASE = LogCase(
    kind="denunciation",
    agency="thanh-tra-tinh",
    received_on=date(2024, 3, 1),
    summary="x",
    denouncer=Denouncer("A B"),
    denounced_name="C D",
    logged_by="tt-tiep-nhan",
)


def log(app: Casework, received: str, **changes: object) -> str:
    command = replace(BASE, received_on=date.fromisoformat(received), **changes)  # type: ignore[arg-type]
    return log_case(app, command, at(received)).ref


def refs(
    app: Casework, today: str = "2024-03-20", **filters: object
) -> list[tuple[str, str | None]]:
    rows = list_cases(app, CaseFilter(**filters), at(today))  # type: ignore[arg-type]
    return [(r["ref"], r["next_due"]) for r in rows]


def test_order_pages_and_filters(app: Casework) -> None:
    late = log(app, "2024-03-01")  # triage 7 WD: 03-12
    forwarded = log(
        app, "2024-03-04", forwarded_by="Báo Nghệ An"
    )  # triage 03-13; reply 20 days: 03-25
    early = log(app, "2024-02-28")  # triage: 03-08
    anonymous = log(app, "2024-03-05", denouncer=None, anonymous=True)  # intelligence: no clock
    later = log(app, "2024-03-11")  # triage: 03-20
    expected = [
        (early, "2024-03-08"),
        (late, "2024-03-12"),
        (forwarded, "2024-03-13"),  # its nearest clock; listed once
        (later, "2024-03-20"),
        (anonymous, None),
    ]
    assert refs(app) == expected
    pages = [refs(app, limit=2, offset=offset) for offset in (0, 2, 4)]
    assert [row for page in pages for row in page] == expected
    assert refs(app, limit=2, offset=6) == []
    assert refs(app, overdue=True) == expected[:3]  # due before 03-20
    assert refs(app, due_within=0) == expected[:4]  # due on or before today
    assert refs(app, agencies=frozenset({"so-tnmt"})) == []
    assert refs(app, state="intelligence") == [(anonymous, None)]
