"""What casework reads from its environment before, or without, loading its settings model
(config.py, pydantic): the legal time zone, the settings' prefix, and the one setting the
light commands need. `casework calendar due` runs all day at a reception desk; it should not
wait for the settings model to build (issue 22)."""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo

LEGAL_TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
"""Where legal days begin and end: every deadline expires at 24:00 here."""
ENV_PREFIX = "CASEWORK_"
"""Every setting is an environment variable with this prefix (config.Settings)."""


def _variable(name: str) -> str:
    """The variable `ENV_PREFIX + name`, its name in any case, as pydantic-settings reads it."""
    wanted = f"{ENV_PREFIX}{name}".upper()
    return next((v for k, v in os.environ.items() if k.upper() == wanted), "").strip()


def calendar_file_setting() -> Path | None:
    """`CASEWORK_CALENDAR_FILE`, read as `Settings.calendar_file` reads it: a path, or none
    when unset or empty."""
    value = _variable("CALENDAR_FILE")
    return Path(value) if value else None


def home_setting() -> Path:
    """`CASEWORK_HOME`, read as `Settings.home` reads it (default `var`)."""
    return Path(_variable("HOME") or "var")


CACHE_FOLDER = "cache"
"""The folder of the home that keeps what casework may compute again (holiday_calendar.py)."""
