"""Message-IDs are name-based UUIDs of the notice's cause, the same as the standard library's."""

from __future__ import annotations

import uuid

import pytest

from casework.services.notices import _NAMESPACE, message_id_for, name_based_uuid


@pytest.mark.parametrize(
    "name",
    ["", "escalation:1:warn:2026-11-26:tt-xac-minh-1", "party:TC-2026-000042:thụ lý", "x" * 500],
)
def test_a_name_based_uuid_is_the_standard_librarys_uuid5(name: str) -> None:
    assert name_based_uuid(name) == str(uuid.uuid5(_NAMESPACE, name))


def test_a_message_id_is_fixed_by_its_cause_and_names_the_senders_domain() -> None:
    first = message_id_for("escalation:7:alert:2026-12-01:ubnd-chu-tich", "casework@tinh.gov.vn")
    assert first == message_id_for(
        "escalation:7:alert:2026-12-01:ubnd-chu-tich", "casework@tinh.gov.vn"
    )
    assert first.endswith("@tinh.gov.vn>")
    assert first != message_id_for("escalation:7:alert:2026-12-02:ubnd-chu-tich", "x@tinh.gov.vn")
