"""The key that signs web sessions: made once, whole, private, and never too short."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from casework.config import Settings
from casework.domain.errors import SettingsInvalid

pytestmark = pytest.mark.unit


def test_a_key_is_made_once_private_and_kept(tmp_path: Path) -> None:
    first = Settings(home=tmp_path).resolved_secret_key()
    assert len(first) >= 32
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert Settings(home=tmp_path).resolved_secret_key() == first
    assert list(tmp_path.iterdir()) == [tmp_path / "secret_key"]  # no draft left behind


@pytest.mark.parametrize("key", ["changeme", ""])
def test_a_short_or_empty_key_is_refused(tmp_path: Path, key: str) -> None:
    if not key:
        (tmp_path / "secret_key").write_text("", encoding="ascii")
    with pytest.raises(SettingsInvalid, match="at least 32"):
        Settings(home=tmp_path, secret_key=key).resolved_secret_key()
