"""The keys that seal the identities: whether they open the vault, and their rotation.

`check_keys` says whether the keys present open every data key the database holds (the
installation keys are named by their ids, `adapters/keyring.key_id`). `rotate_keys` puts a
new installation key in place (the keys folder; keys given by the environment or a hook are
changed by the operator first) and re-wraps every data key under it, in batches of one
transaction each: readers go on opening cases throughout, since each row names its key and
the earlier key stays until `retire_key` removes it.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from datetime import datetime

from casework.adapters import audit_log
from casework.adapters.audit_log import AuditEvent
from casework.adapters.keyring import FolderKeys, key_id
from casework.domain.errors import InvalidInput, VaultLocked
from casework.services.app import Casework

BATCH = 500
"""Data keys re-wrapped per transaction."""


@dataclass(frozen=True)
class KeyReport:
    """What `casework keys check` says."""

    source: str
    current: str
    present: list[str]
    in_use: dict[str, int]
    missing: list[str] = field(default_factory=list)
    repeat: str = ""  # the repeat key's id ("" when there is none)
    repeat_recorded: str | None = None  # the id the stored digests were made with

    @property
    def repeat_matches(self) -> bool:
        return bool(self.repeat) and self.repeat_recorded in (None, self.repeat)

    @property
    def opens(self) -> bool:
        return not self.missing and (self.repeat_matches or not (self.current or self.in_use))

    def problems(self) -> list[str]:
        """What stops the keys from opening the vault, each with what to do."""
        found = []
        if self.missing:
            found.append(
                f"the identities sealed under installation key(s) {', '.join(self.missing)} "
                f"do not open with the keys from {self.source}: give casework that key "
                "(restore the keys folder from its backup, or set CASEWORK_INSTALLATION_KEY / "
                "CASEWORK_PREVIOUS_INSTALLATION_KEYS)"
            )
        if (self.current or self.in_use) and not self.repeat:
            found.append(
                f"{self.source} holds no repeat key: restore repeat.key from the keys' backup, "
                "or set CASEWORK_REPEAT_KEY"
            )
        elif self.repeat and not self.repeat_matches:
            found.append(
                f"the repeat key from {self.source} (id {self.repeat}) is not the one the "
                f"stored repeat digests were made with (id {self.repeat_recorded}): restore "
                "repeat.key from the keys' backup, or set CASEWORK_REPEAT_KEY"
            )
        return found


def check_keys(app: Casework) -> KeyReport:
    """Whether the keys present open every data key stored; opens one under each key id to
    be sure (a key of the right id that was altered would not)."""
    keyring = app.vault.keyring
    material = keyring.reload()  # as they are now; nothing is made
    current = key_id(material.current) if material.current else ""
    present = keyring.known_ids()
    with app.reading() as session:
        connection = session.connection()
        in_use = app.vault.keys_in_use(connection)
        missing = [key for key in in_use if key not in present]
        for key in in_use:
            if key not in missing:
                app.vault.open_one_under(connection, key)
        recorded = app.vault.recorded_repeat_key(connection)
    repeat = key_id(material.repeat) if material.repeat else ""
    return KeyReport(keyring.source.where, current, present, in_use, missing, repeat, recorded)


def ensure_keys(app: Casework) -> KeyReport:
    """`check_keys`, after making the keys of a new installation (a keys folder with none,
    and nothing sealed yet). Keys are never made for a database that holds sealed data: a
    new key would not open it."""
    report = check_keys(app)
    nothing_yet = not (report.current or report.repeat or report.in_use)
    if nothing_yet and report.repeat_recorded is None:
        app.vault.keyring.material(make_missing=True)
        report = check_keys(app)
    return report


@dataclass(frozen=True)
class RotationReport:
    previous: str
    current: str
    rewrapped: int


def _operator() -> str:
    try:
        return f"operator:{getpass.getuser()}"
    except (KeyError, OSError):
        return "operator"


def rotate_keys(app: Casework, by: str, now: datetime, batch: int = BATCH) -> RotationReport:
    """A new installation key (in the keys folder), and every data key re-wrapped under it.
    With keys given by the environment or a hook, the operator has already set the new key
    and kept the earlier ones as previous: only the re-wrapping is done."""
    keyring = app.vault.keyring
    check = check_keys(app)
    if not check.opens:
        raise VaultLocked("nothing was rotated: " + "; ".join(check.problems()))
    previous = check.current
    if isinstance(keyring.source, FolderKeys):
        previous, _ = keyring.source.rotate()
        keyring.reload()
    current, _ = keyring.current()
    rewrapped = rewrap_all(app, batch)
    with app.transaction() as connection:
        audit_log.append(
            connection,
            [
                AuditEvent(
                    "keys.rotated",
                    by,
                    None,
                    {
                        "previous": previous,
                        "current": current,
                        "rewrapped": rewrapped,
                        "run_by": _operator(),
                    },
                )
            ],
            now,
        )
    return RotationReport(previous, current, rewrapped)


def rewrap_all(app: Casework, batch: int = BATCH) -> int:
    """Re-wrap every data key not under the current installation key; returns how many."""
    total = 0
    while True:
        with app.transaction() as connection:
            done = app.vault.rewrap_batch(connection, batch)
        total += done
        if done < batch:
            return total


def retire_key(app: Casework, retired: str, by: str, now: datetime) -> int:
    """Remove the earlier installation key `retired` from the keys folder, once no data key
    is under it (any written meanwhile by a process that still held it is re-wrapped
    first); returns how many were re-wrapped."""
    keyring = app.vault.keyring
    current, _ = keyring.current()
    if retired == current:
        raise InvalidInput(
            f"{retired} is the current installation key; rotate first (`casework keys rotate`)"
        )
    if retired not in keyring.known_ids():
        raise InvalidInput(
            f"no earlier installation key {retired} here; these are: "
            f"{', '.join(k for k in keyring.known_ids() if k != current) or 'none'}"
        )
    rewrapped = rewrap_all(app)
    with app.reading() as session:
        left = app.vault.keys_in_use(session.connection()).get(retired, 0)
    if left:
        raise InvalidInput(f"{left} data key(s) are still under {retired}; run this again")
    if not isinstance(keyring.source, FolderKeys):
        raise InvalidInput(
            f"no data key is under {retired} any more: remove it from "
            "CASEWORK_PREVIOUS_INSTALLATION_KEYS (or from what the key hook returns)"
        )
    keyring.source.retire(retired)
    keyring.reload()
    with app.transaction() as connection:
        audit_log.append(
            connection,
            [
                AuditEvent(
                    "keys.retired",
                    by,
                    None,
                    {"retired": retired, "rewrapped": rewrapped, "run_by": _operator()},
                )
            ],
            now,
        )
    return rewrapped
