"""The Vietnamese legal calendar: `holidays.VN` plus an optional agency calendar file.

`holidays.VN` knows public holidays, lunar Tết, substituted days off and the Saturdays swapped
into working days (`weekend_workdays`). An agency file adds its own closures and working days::

    name: UBND tỉnh Nghệ An
    closures:
      - {date: 2026-11-25, reason: "storm closure"}
    working_days:
      - {date: 2026-12-05, reason: "make-up Saturday"}

Computing a year loads the `holidays` package, which imports every country it knows (a tenth
of a second, at every start of every command). With a cache folder the national days of each
year are kept as JSON, one file per `holidays` release, and read back instead: the same days,
from the same release, until the package is upgraded (the file name carries its version).
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date, datetime
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from casework.domain.errors import ConfigurationError
from casework.private_files import private_folder, write_private

SATURDAY = 5


class VietnamCalendar:
    """A `WorkingCalendar` for Vietnamese State agencies."""

    def __init__(
        self,
        closures: dict[date, str] | None = None,
        extra_working_days: dict[date, str] | None = None,
        agency_label: str = "",
        cache_folder: Path | None = None,
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
        release = package_version("holidays")
        self._version = f"holidays-{release}" + (f"+{agency_label}" if agency_label else "")
        self._cache = cache_folder / f"holidays-VN-{release}.json" if cache_folder else None

    @classmethod
    def from_file(cls, path: Path | None, cache_folder: Path | None = None) -> VietnamCalendar:
        """The national calendar, with the agency file's additions when a path is given;
        national years kept in `cache_folder` when one is given."""
        if path is None:
            return cls(cache_folder=cache_folder)
        import yaml

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
            cache_folder=cache_folder,
        )

    @property
    def version(self) -> str:
        return self._version

    def _load_year(self, year: int) -> None:
        if year in self._years:
            return
        days, swapped = self._cached_year(year) or self._national_year(year)
        for day, name in days.items():
            self._non_working.add(day)
            self._names[day] = name
        self._swapped_saturdays |= swapped
        self._years.add(year)

    @staticmethod
    def _national_year(year: int) -> tuple[dict[date, str], set[date]]:
        import holidays  # only here: it imports every country's calendar

        national = holidays.country_holidays("VN", years=[year])
        days = {day: str(name) for day, name in national.items() if day.year == year}
        swapped = {d for d in getattr(national, "weekend_workdays", ()) if d.year == year}
        return days, swapped

    def _cached_year(self, year: int) -> tuple[dict[date, str], set[date]] | None:
        """The year from the cache file, or None (no cache, not there yet); a year computed
        now is added to the file for the next command. The cache is a convenience: a file
        that cannot be read or written is ignored, never an error."""
        if self._cache is None:
            return None
        try:
            kept = json.loads(self._cache.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            kept = {}
        entry = kept.get(str(year)) if isinstance(kept, dict) else None
        if isinstance(entry, dict):
            try:
                days = {date.fromisoformat(d): str(n) for d, n in entry["days"].items()}
                return days, {date.fromisoformat(d) for d in entry["swapped"]}
            except (KeyError, TypeError, ValueError, AttributeError):
                pass  # a damaged entry: computed again and rewritten below
        days, swapped = self._national_year(year)
        kept = kept if isinstance(kept, dict) else {}
        kept[str(year)] = {
            "days": {d.isoformat(): n for d, n in sorted(days.items())},
            "swapped": sorted(d.isoformat() for d in swapped),
        }
        try:
            # inside an existing home only: a command never makes a home folder as a side effect;
            # owner-only like everything in the home (private_files.py)
            if self._cache.parent.parent.is_dir():
                private_folder(self._cache.parent)
                temporary = self._cache.with_suffix(f".{os.getpid()}.tmp")
                write_private(temporary, json.dumps(kept, ensure_ascii=False).encode())
                temporary.replace(self._cache)  # whole or not at all, for a concurrent reader
        except OSError:
            pass
        return days, swapped

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
