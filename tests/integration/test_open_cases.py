"""Which cases are open, as the dashboard counts them (services/clock_gaps.open_states): a case
in a state of its kind's lifecycle that is not final. The count names the open states so that
it reads their index entries alone; a state final in one lifecycle and open in another must
still count for the second kind only."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select, update
from tests.conftest import at

from casework.adapters import dashboard_queries
from casework.adapters.case_store import CASES
from casework.adapters.dashboard_queries import Scope
from casework.services.app import Casework
from casework.services.clock_gaps import open_states
from casework.services.intake import Denouncer, LogCase, log_case

pytestmark = pytest.mark.integration

LETTER = LogCase(
    kind="denunciation",
    agency="thanh-tra-tinh",
    received_on=date(2024, 3, 1),
    summary="Cán bộ địa chính thu tiền trái quy định",
    denounced_name="Lê Văn Cường",
    logged_by="tt-tiep-nhan",
    denouncer=Denouncer("Phạm Thị Hoa", "Vinh, Nghệ An"),
)


def test_open_cases_are_those_in_a_state_that_is_not_final(app: Casework) -> None:
    now = at("2024-03-01")
    first = log_case(app, LETTER, now).ref
    moved = log_case(app, LETTER, now).ref
    petition = log_case(
        app, replace(LETTER, kind="petition", denounced_name="", summary="Kiến nghị"), now
    ).ref
    shipped = open_states(app)
    assert ("denunciation", ["closed"]) in [(kind, finals) for kind, _, finals in shipped]
    with app.transaction() as connection:
        connection.execute(update(CASES).where(CASES.c.reference == moved).values(state="closed"))
    everyone = Scope(None, None)
    with app.reading() as session:
        counted = dashboard_queries.open_by_agency(session.connection(), everyone, shipped)
    assert counted == {"thanh-tra-tinh": (2, 2)}  # the closed denunciation is not open

    # a lifecycle whose final state another kind's lifecycle leaves open
    with app.transaction() as connection:
        for ref, state in ((first, "triage"), (moved, "received")):
            connection.execute(update(CASES).where(CASES.c.reference == ref).values(state=state))
    assert state_of(app, petition) == "received"
    opened = [
        ("denunciation", ["triage"], ["received"]),
        ("petition", ["received"], ["closed"]),
    ]
    with app.reading() as session:
        counted = dashboard_queries.open_by_agency(session.connection(), everyone, opened)
    assert counted == {"thanh-tra-tinh": (2, 2)}, (first, moved, petition)
    with app.reading() as session:
        counted = dashboard_queries.open_by_agency(session.connection(), everyone, [])
    assert counted == {}


def state_of(app: Casework, ref: str) -> str:
    with app.reading() as session:
        found = session.connection().execute(select(CASES.c.state).where(CASES.c.reference == ref))
        return str(found.scalar_one())
