"""The Vietnamese legal calendar: `holidays.VN` plus an optional agency calendar file.

`holidays.VN` knows public holidays, lunar Tết, substituted days off and the Saturdays swapped
into working days (`weekend_workdays`). An agency file adds its own closures and working days::

    name: UBND tỉnh Nghệ An
    closures:
      - {date: 2026-11-25, reason: "storm closure"}
    working_days:
      - {date: 2026-12-05, reason: "make-up Saturday"}
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import holidays
import yaml

from casework.domain.errors import ConfigurationError

SATURDAY = 5


class VietnamCalendar:
    """A `WorkingCalendar` for Vietnamese State agencies."""

    def __init__(
        self,
        closures: dict[date, str] | None = None,
        extra_working_days: dict[date, str] | None = None,
        agency_label: str = "",
    ) -> None:
        self._closures = dict(closures or {})
        self._extra_working = dict(extra_working_days or {})
        both = set(self._closures) & set(self._extra_working)
        if both:
            days = ", ".join(sorted(d.isoformat() for d in both))
            raise ConfigurationError(f"agency calendar lists {days} as both closed and working")
        self._names: dict[date, str] = {}
        self._years: set[int] = set()
        self._non_working: set[date] = set()
        self._swapped_saturdays: set[date] = set()
        self._version = f"holidays-{package_version('holidays')}" + (
            f"+{agency_label}" if agency_label else ""
        )

    @classmethod
    def from_file(cls, path: Path | None) -> VietnamCalendar:
        """The national calendar, with the agency file's additions when a path is given."""
        if path is None:
            return cls()
        try:
            raw = path.read_bytes()
            data: Any = yaml.safe_load(raw) or {}
        except OSError as exc:
            raise ConfigurationError(f"cannot read agency calendar {path}: {exc}") from exc
        except (yaml.YAMLError, ValueError) as exc:  # PyYAML raises ValueError for 2026-02-30
            raise ConfigurationError(f"agency calendar {path} is not valid YAML: {exc}") from exc
        label = f"{path.stem}@{hashlib.sha256(raw).hexdigest()[:8]}"
        return cls(
            closures=_dated_entries(data, "closures", path),
            extra_working_days=_dated_entries(data, "working_days", path),
            agency_label=label,
        )

    @property
    def version(self) -> str:
        return self._version

    def _load_year(self, year: int) -> None:
        if year in self._years:
            return
        national = holidays.country_holidays("VN", years=[year])
        for day, name in national.items():
            if day.year == year:
                self._non_working.add(day)
                self._names[day] = str(name)
        for day in getattr(national, "weekend_workdays", ()):
            if day.year == year:
                self._swapped_saturdays.add(day)
        self._years.add(year)

    def is_working_day(self, day: date) -> bool:
        if day in self._extra_working:
            return True
        if day in self._closures:
            return False
        self._load_year(day.year)
        if day in self._non_working:
            return False
        if day.weekday() >= SATURDAY:
            return day in self._swapped_saturdays
        return True

    def describe(self, day: date) -> str:
        if day in self._extra_working:
            return f"agency working day: {self._extra_working[day]}"
        if day in self._closures:
            return f"agency closure: {self._closures[day]}"
        self._load_year(day.year)
        if day in self._non_working:
            return f"public holiday: {self._names[day]}"
        if day in self._swapped_saturdays:
            return "Saturday swapped into a working day"
        if day.weekday() >= SATURDAY:
            return "weekend"
        return "working day"


def _dated_entries(data: Any, key: str, path: Path) -> dict[date, str]:
    entries = (data.get(key) or []) if isinstance(data, dict) else None  # `closures:` alone = none
    if not isinstance(entries, list):
        raise ConfigurationError(
            f"agency calendar {path}: '{key}' must be a list of {{date, reason}}"
        )
    result: dict[date, str] = {}
    for entry in entries:
        day = entry.get("date") if isinstance(entry, dict) else None
        if not isinstance(day, date) or isinstance(day, datetime):
            raise ConfigurationError(
                f"agency calendar {path}: each entry of '{key}' needs a date as YYYY-MM-DD, "
                f"got {entry!r}"
            )
        result[entry["date"]] = str(entry.get("reason", key))
    return result
