"""Message-IDs are name-based UUIDs of the notice's cause, the same as the standard library's."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from casework.config import Settings, load_settings
from casework.domain.errors import SettingsInvalid
from casework.services.notices import _NAMESPACE, message_id_for, name_based_uuid


@pytest.mark.parametrize(
    "name",
    ["", "escalation:1:warn:2026-11-26:tt-xac-minh-1", "party:TC-2026-000042:thụ lý", "x" * 500],
)
def test_a_name_based_uuid_is_the_standard_librarys_uuid5(name: str) -> None:
    assert name_based_uuid(name) == str(uuid.uuid5(_NAMESPACE, name))


CAUSE = "escalation:7:alert:2026-12-01:ubnd-chu-tich"


def test_a_message_id_is_fixed_by_its_cause_and_names_the_senders_domain() -> None:
    first = message_id_for(CAUSE, "tinh.gov.vn", "install-1")
    assert first == message_id_for(CAUSE, "tinh.gov.vn", "install-1")
    assert first.endswith("@tinh.gov.vn>")
    assert first.count("<") == first.count(">") == 1
    assert first != message_id_for(CAUSE.replace("12-01", "12-02"), "tinh.gov.vn", "install-1")


def test_two_installations_never_give_one_message_id() -> None:
    assert message_id_for(CAUSE, "tinh.gov.vn", "install-1") != message_id_for(
        CAUSE, "tinh.gov.vn", "install-2"
    )


def test_a_display_name_in_the_sender_never_reaches_the_message_id() -> None:
    sender = Settings(mail_from='"Thanh tra tỉnh Nghệ An" <thanhtra@nghean.gov.vn>').sender()
    message_id = message_id_for(CAUSE, sender.domain, "install-1")
    assert message_id.endswith("@nghean.gov.vn>")
    assert ">>" not in message_id


@pytest.mark.parametrize(
    "value",
    [
        "Thanh tra <thanhtra@nghean.gov.vn>>",
        "a@b.vn, c@d.vn",
        "thanhtra",
        "thanh tra@nghean.gov.vn",
        "thanhtra@nghệan.gov.vn",
        "thanhtra@nghean.gov.vn\r\nBcc: x@y.vn",
    ],
)
def test_a_sender_setting_that_is_not_one_address_stops_the_start(value: str) -> None:
    with pytest.raises(SettingsInvalid, match="CASEWORK_MAIL_FROM") as refused:
        with_environment({"CASEWORK_MAIL_FROM": value})
    assert "Thanh tra tỉnh <thanhtra@nghean.gov.vn>" in str(refused.value)  # what it takes


def with_environment(values: dict[str, str]) -> Settings:
    import os

    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        return load_settings()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def test_the_helo_name_and_the_ca_file_are_checked(tmp_path: Path) -> None:
    with pytest.raises(SettingsInvalid, match="CASEWORK_SMTP_HELO"):
        with_environment({"CASEWORK_SMTP_HELO": "not a host!"})
    with pytest.raises(SettingsInvalid, match="CASEWORK_SMTP_CA_FILE"):
        with_environment({"CASEWORK_SMTP_CA_FILE": str(tmp_path / "missing.pem")})
    assert with_environment({"CASEWORK_SMTP_HELO": "casework.nghean.gov.vn"}).smtp_helo


def test_a_vietnamese_display_name_is_encoded_as_one_address() -> None:
    from email.utils import getaddresses

    header = Settings(mail_from='"Thanh tra tỉnh Nghệ An" <thanhtra@nghean.gov.vn>').sender()
    encoded = header.header()
    assert encoded.isascii()
    assert getaddresses([encoded])[0][1] == "thanhtra@nghean.gov.vn"
    assert len(getaddresses([encoded])) == 1
