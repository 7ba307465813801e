"""The settings model and the light reader of environment.py read the environment alike: names
in any case, and an empty optional path means none."""

from __future__ import annotations

from pathlib import Path

import pytest

from casework.config import load_settings
from casework.domain.errors import SettingsInvalid
from casework.environment import calendar_file_setting


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"CASEWORK_CALENDAR_FILE": ""}, None),
        ({"CASEWORK_CALENDAR_FILE": "  "}, None),
        ({"casework_calendar_file": "agency.yaml"}, Path("agency.yaml")),
        ({"CASEWORK_CALENDAR_FILE": "agency.yaml"}, Path("agency.yaml")),
    ],
)
def test_the_calendar_file_is_read_alike_by_both(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], expected: Path | None
) -> None:
    monkeypatch.delenv("CASEWORK_CALENDAR_FILE", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert load_settings().calendar_file == expected
    assert calendar_file_setting() == expected


def test_a_mapping_setting_that_is_not_json_is_an_invalid_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CASEWORK_POLICY_LENGTHS", "notjson")
    with pytest.raises(SettingsInvalid, match="CASEWORK_POLICY_LENGTHS is JSON") as refused:
        load_settings()
    assert refused.value.exit_code == 11
