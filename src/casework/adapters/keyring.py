"""The keys that open the identity vault, kept outside the database (ADR 0011).

Two secrets of 32 random bytes:

- the **installation key** wraps each case's data key (`adapters/identity_vault.py`). Earlier
  installation keys stay available while `casework keys rotate` re-wraps the data keys under
  the current one, so readers keep working throughout;
- the **repeat key** keys the digests that recognise a repeated letter (`domain/repeats.py`),
  so a digest cannot be recomputed from a list of names.

They come from one of three places, in this order: a hook `module:function` (a KMS), the
environment (`CASEWORK_INSTALLATION_KEY`, `CASEWORK_PREVIOUS_INSTALLATION_KEYS`,
`CASEWORK_REPEAT_KEY`, base64), or the keys folder (`<home>/keys`: `installation.key`,
`installation-<id>.previous`, `repeat.key`; folder 0700, files 0600). Only the folder can be
written: its keys are made on first use, and rotated in place. A key is never logged, printed
or written to the database; what names it is its id, a keyed digest of it.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import hashlib
import hmac
import importlib
import os
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casework.config import Settings
from casework.domain.errors import SettingsInvalid, VaultLocked
from casework.private_files import private_file, private_folder, write_private

KEY_BYTES = 32
CURRENT_FILE = "installation.key"
REPEAT_FILE = "repeat.key"
PREVIOUS_SUFFIX = ".previous"


def key_id(key: bytes) -> str:
    """What names an installation key in the database and in messages: a digest keyed by the
    key itself, which tells nothing of it."""
    return hmac.new(key, b"casework installation key id", hashlib.sha256).hexdigest()[:16]


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def encoded(key: bytes) -> str:
    """A key as the environment and the key files hold it (base64)."""
    return base64.b64encode(key).decode("ascii")


def _decoded(text: str, where: str) -> bytes:
    try:
        key = base64.b64decode(text.strip().encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        key = b""
    if len(key) != KEY_BYTES:
        raise SettingsInvalid(
            f"{where} is not a key: it must be the base64 of {KEY_BYTES} random bytes "
            "(`casework keys new` prints one)"
        )
    return key


@dataclass(frozen=True)
class KeyMaterial:
    """The keys one source gives: the current installation key (None: none yet), the earlier
    ones still kept, and the repeat key."""

    current: bytes | None
    previous: tuple[bytes, ...] = ()
    repeat: bytes | None = None
    where: str = ""


class FolderKeys:
    """Keys in a private folder; made when first needed, rotated in place."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.where = f"the keys folder {folder}"

    def load(self) -> KeyMaterial:
        try:
            folder_mode = self.folder.stat().st_mode & 0o777
        except FileNotFoundError:
            return KeyMaterial(None, (), None, self.where)
        holds_keys = any(self.folder.glob("*.key")) or any(self.folder.glob("*.previous"))
        # others may list it, and swap a key file in (an empty one is narrowed when keys
        # are made in it)
        if folder_mode & 0o077 and holds_keys:
            raise SettingsInvalid(
                f"the keys folder {self.folder} is open to other users (mode {folder_mode:o}): "
                f"make it the owner's alone (chmod 700 {self.folder})"
            )
        current = self._read(self.folder / CURRENT_FILE)
        found = (
            self._read(path)
            for path in sorted(self.folder.glob(f"installation-*{PREVIOUS_SUFFIX}"))
        )
        # a file retired between the listing and the reading is gone, not an empty key
        previous = tuple(key for key in found if key is not None)
        return KeyMaterial(current, previous, self._read(self.folder / REPEAT_FILE), self.where)

    def current_on_disk(self) -> bytes | None:
        """The current installation key as the folder holds it now."""
        return self._read(self.folder / CURRENT_FILE)

    @contextmanager
    def locked(self) -> Iterator[None]:
        """The folder's keys to this process alone while it changes them: two rotations at
        once would each keep only the key they read, and lose the other's."""
        private_folder(self.folder)
        with open(private_file(self.folder / ".lock"), "a") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _read(self, path: Path) -> bytes | None:
        try:
            mode = path.stat().st_mode & 0o777
            text = path.read_text(encoding="ascii")
        except FileNotFoundError:
            return None
        except OSError as error:
            raise VaultLocked(f"cannot read the key file {path}: {error.strerror}") from error
        if mode & 0o077:  # a restore or a copy that let others read it
            raise SettingsInvalid(
                f"the key file {path} may be read by other users (mode {mode:o}): make it the "
                f"owner's alone (chmod 600 {path}), and ask who may have read it"
            )
        return _decoded(text, f"the key file {path}")

    def make_missing(self) -> None:
        """Make the installation and repeat keys that are not there yet. Each is written whole
        under another name, then linked into place: two processes starting together keep the
        same key (the second link fails and that process reads the first one's)."""
        with self.locked():
            self.make_both()

    def make_both(self) -> None:
        """`make_missing` for a caller that holds the folder's lock."""
        for name in (CURRENT_FILE, REPEAT_FILE):
            path = self.folder / name
            if not path.exists():
                self._place(path, new_key(), replace=False)

    def _place(self, path: Path, key: bytes, replace: bool) -> None:
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        write_private(draft, (encoded(key) + "\n").encode("ascii"))
        try:
            if replace:
                os.replace(draft, path)
            else:
                with contextlib.suppress(FileExistsError):
                    os.link(draft, path)
        finally:
            draft.unlink(missing_ok=True)

    def rotate(self) -> tuple[str, str]:
        """Keep the current installation key as a previous one and put a new one in its place;
        returns (old id, new id)."""
        with self.locked():
            old = self.load().current  # read under the lock: the key on disk now
            if old is None:
                raise VaultLocked(f"there is no installation key in {self.folder} to rotate")
            self._place(self.folder / f"installation-{key_id(old)}{PREVIOUS_SUFFIX}", old, True)
            fresh = new_key()
            self._place(self.folder / CURRENT_FILE, fresh, replace=True)
            return key_id(old), key_id(fresh)

    def retire(self, retired_id: str) -> bool:
        """Delete the previous key `retired_id`; False if there is none such."""
        with self.locked():
            path = self.folder / f"installation-{retired_id}{PREVIOUS_SUFFIX}"
            if not path.exists():
                return False
            path.unlink()
            return True


class EnvironmentKeys:
    """Keys given by the settings (`CASEWORK_INSTALLATION_KEY`, …)."""

    where = "the environment (CASEWORK_INSTALLATION_KEY)"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def load(self) -> KeyMaterial:
        s = self.settings
        previous = tuple(
            _decoded(part, "a key of CASEWORK_PREVIOUS_INSTALLATION_KEYS")
            for part in s.previous_installation_keys.get_secret_value().split(",")
            if part.strip()
        )
        repeat = s.repeat_key.get_secret_value()
        return KeyMaterial(
            _decoded(s.installation_key.get_secret_value(), "CASEWORK_INSTALLATION_KEY"),
            previous,
            _decoded(repeat, "CASEWORK_REPEAT_KEY") if repeat else None,
            self.where,
        )


class HookKeys:
    """Keys returned by a function (`CASEWORK_KEY_HOOK=module:function`), for a KMS: it takes
    no argument and returns a mapping with `installation` (bytes), `repeat` (bytes) and
    optionally `previous` (a list of bytes)."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self.where = f"the key hook {spec}"

    def load(self) -> KeyMaterial:
        module_name, _, function_name = self.spec.partition(":")
        try:
            function: Callable[[], Mapping[str, Any]] = getattr(
                importlib.import_module(module_name), function_name
            )
        except (ImportError, AttributeError, ValueError) as error:
            raise SettingsInvalid(
                f"CASEWORK_KEY_HOOK={self.spec!r} names no function: give module:function ({error})"
            ) from error
        try:
            given = function()
        except Exception as error:  # the KMS refused or is down: say so, not a traceback
            # its type only: a KMS client's message may carry a token or a key's name
            raise SettingsInvalid(
                f"the key hook {self.spec} failed ({type(error).__name__}); see what it logs "
                "itself, or call it from a Python prompt to read its whole message"
            ) from None
        previous = given.get("previous", []) if isinstance(given, Mapping) else None
        if not isinstance(given, Mapping) or not isinstance(previous, list | tuple):
            raise SettingsInvalid(
                f"the key hook {self.spec} must return a mapping: installation (bytes), repeat "
                "(bytes) and optionally previous (a list of bytes)"
            )
        keys = [given.get("installation"), given.get("repeat"), *previous]
        if not all(isinstance(k, bytes) and len(k) == KEY_BYTES for k in keys):
            raise SettingsInvalid(
                f"the key hook {self.spec} must return installation and repeat keys (and any "
                f"previous ones) of {KEY_BYTES} bytes each"
            )
        return KeyMaterial(given["installation"], tuple(previous), given["repeat"], self.where)


KeySource = FolderKeys | EnvironmentKeys | HookKeys


def key_source(settings: Settings) -> KeySource:
    """Where this installation's keys come from (see the module's docstring)."""
    if settings.key_hook.strip():
        return HookKeys(settings.key_hook.strip())
    if settings.installation_key.get_secret_value().strip():
        return EnvironmentKeys(settings)
    if (
        settings.repeat_key.get_secret_value().strip()
        or settings.previous_installation_keys.get_secret_value().strip()
    ):
        # the folder would make a repeat key of its own, and repeats would go unrecognised
        raise SettingsInvalid(
            "CASEWORK_REPEAT_KEY or CASEWORK_PREVIOUS_INSTALLATION_KEYS is set without "
            "CASEWORK_INSTALLATION_KEY: give the keys together, or none (the keys folder)"
        )
    return FolderKeys(settings.resolved_keys_folder())


@dataclass
class Keyring:
    """The keys of one installation, read from their source when first needed and again when
    the database names a key not seen yet (another process rotated them)."""

    source: KeySource
    _material: KeyMaterial | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def reload(self) -> KeyMaterial:
        with self._lock:
            self._material = self.source.load()
            return self._material

    def material(self, make_missing: bool = False) -> KeyMaterial:
        """The keys; `make_missing` makes both in the keys folder when it has neither (a new
        installation: the caller has checked that nothing is sealed yet). One key without the
        other is a loss to restore, never to paper over with a new key."""
        material = self._material or self.reload()
        source = self.source
        incomplete = material.current is None or material.repeat is None
        if (
            incomplete
            and isinstance(source, FolderKeys)
            and (make_missing or source.folder.is_dir())
        ):
            # another process may be making them this instant: wait for it, then look again
            with source.locked():
                material = self.reload()
                if material.current is None and material.repeat is None and make_missing:
                    source.make_both()
                    material = self.reload()
        for key, name, file_name in (
            (material.current, "installation", CURRENT_FILE),
            (material.repeat, "repeat", REPEAT_FILE),
        ):
            if key is None and (make_missing or material.current or material.repeat):
                where = (
                    f"{self.source.folder / file_name}"
                    if isinstance(self.source, FolderKeys)
                    else self.source.where
                )
                raise VaultLocked(
                    f"there is no {name} key ({where}): restore it from the keys' backup"
                    + (
                        f", or set CASEWORK_{name.upper()}_KEY"
                        if not isinstance(self.source, HookKeys)
                        else ""
                    )
                    + "; `casework keys check` tells when the keys open the vault"
                )
        return material

    def current(self) -> tuple[str, bytes]:
        """(id, key) of the installation key new data keys are wrapped with; made if the keys
        folder has none yet. A rotation by another process is seen at once: the file is
        looked at again whenever it changed."""
        material = self.material(make_missing=True)
        if isinstance(self.source, FolderKeys):
            on_disk = self.source.current_on_disk()
            if on_disk is not None and on_disk != material.current:
                material = self.reload()
        assert material.current is not None
        return key_id(material.current), material.current

    def by_id(self, wanted: str) -> bytes:
        """The installation key named `wanted`, or VaultLocked saying which keys are here."""
        for attempt in range(2):
            material = self._material if attempt == 0 and self._material else self.reload()
            for key in (material.current, *material.previous):
                if key is not None and key_id(key) == wanted:
                    return key
        present = self.known_ids()
        raise VaultLocked(
            f"the identities of this database are sealed under installation key {wanted}, "
            f"which {self.source.where} does not hold (it holds "
            f"{', '.join(present) if present else 'no installation key'}). Give casework the "
            "key this database was made with (restore the keys folder from its backup, or set "
            "CASEWORK_INSTALLATION_KEY); `casework keys check` tells when it opens the vault"
        )

    def known_ids(self) -> list[str]:
        material = self._material or self.reload()
        return [key_id(k) for k in (material.current, *material.previous) if k is not None]

    def repeat_secret(self) -> bytes:
        """The repeat key (made only by `current`, for a new installation)."""
        material = self.material()
        if material.repeat is None:
            raise VaultLocked(
                f"{self.source.where} holds no repeat key yet: run `casework init` first"
            )
        return material.repeat
