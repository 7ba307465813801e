"""Case references as registers number them: per kind and year received, from 1, without gaps
(issue 22). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from tests import scenarios
from tests.conftest import at

from casework.adapters.reference_counters import last_numbers
from casework.domain.errors import InvalidInput, NotFound
from casework.services.app import Casework
from casework.services.case_views import show_case
from casework.services.intake import LogCase, log_case

pytestmark = pytest.mark.integration

DENUNCIATION = replace(scenarios.DENUNCIATION, received_on=date(2024, 3, 1))
COMPLAINT = scenarios.COMPLAINT


def _ref(app: Casework, command: LogCase) -> str:
    return log_case(app, command, at(command.received_on.isoformat())).ref


def test_each_kind_is_numbered_from_one_in_each_year_received(app: Casework) -> None:
    refs = [
        _ref(app, DENUNCIATION),
        _ref(app, COMPLAINT),
        _ref(app, replace(DENUNCIATION, received_on=date(2024, 3, 4))),
        _ref(app, replace(DENUNCIATION, kind="letter", received_on=date(2026, 7, 6))),
        _ref(app, replace(DENUNCIATION, received_on=date(2025, 1, 6))),
        _ref(app, replace(COMPLAINT, received_on=date(2026, 7, 3))),
        _ref(app, replace(DENUNCIATION, received_on=date(2024, 12, 31))),
    ]
    assert refs == [
        "TC-2024-000001",
        "KN-2026-000001",
        "TC-2024-000002",
        "DON-2026-000001",
        "TC-2025-000001",
        "KN-2026-000002",
        "TC-2024-000003",
    ]
    with app.reading() as session:
        assert last_numbers(session.connection()) == {
            "TC-2024": 3,
            "TC-2025": 1,
            "KN-2026": 2,
            "DON-2026": 1,
        }


def test_a_refused_intake_gives_its_number_back(app: Casework) -> None:
    # 2014 typed for 2024: the number is taken, the intake refused after the case row was
    # written (no rule in force, so no clock) — and the number goes back with it
    mistyped = replace(DENUNCIATION, received_on=date(2014, 3, 3))
    with pytest.raises(InvalidInput, match="--historical"):
        _ref(app, mistyped)
    imported = replace(mistyped, historical="hồ sơ giấy năm 2014")
    assert _ref(app, imported) == "TC-2014-000001"
    assert _ref(app, imported) == "TC-2014-000002"


def test_a_reference_is_found_as_typed_and_only_as_its_own(app: Casework) -> None:
    ref = _ref(app, DENUNCIATION)
    assert show_case(app, f"  {ref.lower()} ", at("2024-03-01"))["ref"] == ref
    assert show_case(app, "TC-2024-1", at("2024-03-01"))["ref"] == ref  # as on a register
    # the same number in another kind or another year is another case
    for other in ("KN-2024-000001", "TC-2025-000001", "TC-2024-2"):
        with pytest.raises(NotFound, match="no case"):
            show_case(app, other, at("2024-03-01"))
    with pytest.raises(NotFound, match="not a case reference; they look like TC-2026-000123"):
        show_case(app, "TC 2024/1", at("2024-03-01"))
