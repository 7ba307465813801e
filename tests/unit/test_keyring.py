"""The keys that open the identity vault (adapters/keyring.py, ADR 0011): made private in a
keys folder, shared by every process, rotated in place, read from the environment or a hook,
and never shown in a message."""

from __future__ import annotations

import base64
import hashlib
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

from casework.adapters.keyring import (
    CURRENT_FILE,
    KEY_BYTES,
    REPEAT_FILE,
    EnvironmentKeys,
    FolderKeys,
    HookKeys,
    Keyring,
    encoded,
    key_id,
    key_source,
    new_key,
)
from casework.config import Settings
from casework.domain.errors import SettingsInvalid, VaultLocked

pytestmark = pytest.mark.unit

HOOK_INSTALLATION = bytes(range(32))
HOOK_PREVIOUS = bytes(range(32, 64))
HOOK_REPEAT = bytes(range(64, 96))


def keys_from_a_kms() -> dict[str, Any]:
    """A key hook as an agency's KMS would give one (CASEWORK_KEY_HOOK=module:function)."""
    return {"installation": HOOK_INSTALLATION, "repeat": HOOK_REPEAT, "previous": [HOOK_PREVIOUS]}


def keys_too_short() -> dict[str, Any]:
    return {"installation": b"short", "repeat": HOOK_REPEAT}


def keys_without_repeat() -> dict[str, Any]:
    return {"installation": HOOK_INSTALLATION}


def _settings(tmp_path: Path, **given: Any) -> Settings:
    """Settings naming only what the test gives (whatever CASEWORK_* the shell holds)."""
    chosen: dict[str, Any] = {
        "home": tmp_path,
        "keys_folder": tmp_path / "keys",
        "installation_key": "",
        "previous_installation_keys": "",
        "repeat_key": "",
        "key_hook": "",
    }
    chosen.update(given)
    return Settings(**chosen)


def _read_key(path: Path) -> bytes:
    return base64.b64decode(path.read_text(encoding="ascii").strip(), validate=True)


# --- the keys folder ----------------------------------------------------------------------


def test_keys_made_in_a_fresh_folder_are_private_and_32_random_bytes(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    keyring = Keyring(FolderKeys(folder))
    current_id, current = keyring.current()

    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    # no draft left; the lock file serialises changes to the folder
    assert sorted(p.name for p in folder.iterdir()) == [".lock", CURRENT_FILE, REPEAT_FILE]
    for name in (CURRENT_FILE, REPEAT_FILE):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
        assert len(_read_key(folder / name)) == KEY_BYTES
    assert _read_key(folder / CURRENT_FILE) == current
    assert current_id == key_id(current)
    assert keyring.repeat_secret() == _read_key(folder / REPEAT_FILE)
    assert keyring.repeat_secret() != current  # two keys, not one


def test_an_existing_open_folder_is_narrowed_when_keys_are_made(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    Keyring(FolderKeys(folder)).current()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_keys_once_made_are_kept(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    first = Keyring(FolderKeys(folder))
    first_id, _ = first.current()
    repeat = first.repeat_secret()
    again = Keyring(FolderKeys(folder))
    assert again.current()[0] == first_id
    assert again.repeat_secret() == repeat


def test_two_keyrings_on_one_folder_agree_on_the_current_key(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    one, other = Keyring(FolderKeys(folder)), Keyring(FolderKeys(folder))
    assert one.current() == other.current()
    assert one.repeat_secret() == other.repeat_secret()


def test_keyrings_starting_together_on_a_fresh_folder_make_one_key(tmp_path: Path) -> None:
    """Each key is linked into place whole: the keyrings that lose the race read the
    winner's key, none keeps one of its own."""
    folder = tmp_path / "keys"
    keyrings = [Keyring(FolderKeys(folder)) for _ in range(8)]
    start = threading.Barrier(len(keyrings))
    found: list[tuple[str, bytes]] = []

    def begin(keyring: Keyring) -> None:
        start.wait()
        found.append((keyring.current()[0], keyring.repeat_secret()))

    threads = [threading.Thread(target=begin, args=(k,)) for k in keyrings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(found) == len(keyrings)
    assert len(set(found)) == 1
    assert found[0][0] == key_id(_read_key(folder / CURRENT_FILE))
    assert sorted(p.name for p in folder.iterdir()) == [".lock", CURRENT_FILE, REPEAT_FILE]


def test_rotating_keeps_the_old_key_as_a_previous_one(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    keys = FolderKeys(folder)
    keyring = Keyring(keys)
    old_id, old = keyring.current()
    repeat = keyring.repeat_secret()

    rotated_from, rotated_to = keys.rotate()

    assert rotated_from == old_id
    assert rotated_to != old_id
    kept = folder / f"installation-{old_id}.previous"
    assert _read_key(kept) == old
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE((folder / CURRENT_FILE).stat().st_mode) == 0o600
    assert not [p for p in folder.iterdir() if p.name.startswith(".") and p.name != ".lock"]
    assert keyring.current()[0] == rotated_to
    assert keyring.by_id(old_id) == old
    assert keyring.repeat_secret() == repeat  # rotation moves the installation key only
    assert sorted(keyring.known_ids()) == sorted([old_id, rotated_to])


def test_rotating_twice_keeps_both_earlier_keys(tmp_path: Path) -> None:
    keys = FolderKeys(tmp_path / "keys")
    keyring = Keyring(keys)
    first_id, first = keyring.current()
    _, second_id = keys.rotate()
    second = keyring.by_id(second_id)
    _, third_id = keys.rotate()

    assert keyring.current()[0] == third_id
    assert keyring.by_id(first_id) == first
    assert keyring.by_id(second_id) == second
    assert len({first_id, second_id, third_id}) == 3


def test_a_folder_without_a_key_has_nothing_to_rotate(tmp_path: Path) -> None:
    with pytest.raises(VaultLocked, match="no installation key"):
        FolderKeys(tmp_path / "keys").rotate()


def test_a_keyring_sees_a_rotation_made_by_another_process(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    ours = Keyring(FolderKeys(folder))
    old_id, old = ours.current()  # loaded before the rotation

    _, new_id = FolderKeys(folder).rotate()  # another process (`casework keys rotate`)

    current_id, current = ours.current()  # the file is read again
    assert current_id == new_id
    assert current == _read_key(folder / CURRENT_FILE)
    assert ours.by_id(old_id) == old


def test_a_keyring_finds_a_key_id_it_did_not_know_by_reloading(tmp_path: Path) -> None:
    """Another process rotated and wrapped a data key under the new key: the database names a
    key this keyring has not seen yet, and by_id reads the folder again."""
    folder = tmp_path / "keys"
    ours = Keyring(FolderKeys(folder))
    old_id, _ = ours.current()
    assert ours.known_ids() == [old_id]

    _, new_id = FolderKeys(folder).rotate()

    assert ours.by_id(new_id) == _read_key(folder / CURRENT_FILE)
    assert sorted(ours.known_ids()) == sorted([old_id, new_id])


def test_an_unknown_key_id_names_the_wanted_and_present_ids_and_the_way_out(
    tmp_path: Path,
) -> None:
    keyring = Keyring(FolderKeys(tmp_path / "keys"))
    present_id, present = keyring.current()
    repeat = keyring.repeat_secret()
    wanted = key_id(new_key())

    with pytest.raises(VaultLocked) as refused:
        keyring.by_id(wanted)

    message = str(refused.value)
    assert wanted in message
    assert present_id in message
    assert str(tmp_path / "keys") in message  # where it looked
    assert "keys folder" in message
    assert "CASEWORK_INSTALLATION_KEY" in message
    assert "casework keys check" in message
    for secret in (present, repeat):
        assert encoded(secret) not in message
        assert base64.urlsafe_b64encode(secret).decode() not in message
        assert secret.hex() not in message
    assert refused.value.exit_code == 14


def test_an_empty_folder_says_it_holds_no_installation_key(tmp_path: Path) -> None:
    keyring = Keyring(FolderKeys(tmp_path / "keys"))
    with pytest.raises(VaultLocked, match="no installation key"):
        keyring.by_id("0123456789abcdef")


def test_a_retired_key_is_no_longer_found(tmp_path: Path) -> None:
    keys = FolderKeys(tmp_path / "keys")
    keyring = Keyring(keys)
    old_id, _ = keyring.current()
    keys.rotate()

    assert keys.retire(old_id) is True
    assert keys.retire(old_id) is False  # already gone
    assert keys.retire("0123456789abcdef") is False
    with pytest.raises(VaultLocked, match=old_id):
        Keyring(FolderKeys(tmp_path / "keys")).by_id(old_id)


def test_a_key_file_that_is_not_a_key_is_refused_naming_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    folder.mkdir(mode=0o700)
    (folder / CURRENT_FILE).write_text("not a key at all\n", encoding="ascii")
    (folder / CURRENT_FILE).chmod(0o600)
    with pytest.raises(SettingsInvalid, match=CURRENT_FILE) as refused:
        Keyring(FolderKeys(folder)).current()
    assert "not a key at all" not in str(refused.value)


# --- the environment ----------------------------------------------------------------------


def test_keys_from_the_environment(tmp_path: Path) -> None:
    installation, first, second, repeat = (new_key() for _ in range(4))
    settings = _settings(
        tmp_path,
        installation_key=encoded(installation),
        previous_installation_keys=f"{encoded(first)}, {encoded(second)} ,",
        repeat_key=encoded(repeat),
    )
    source = key_source(settings)
    assert isinstance(source, EnvironmentKeys)
    keyring = Keyring(source)

    assert keyring.current() == (key_id(installation), installation)
    assert keyring.by_id(key_id(first)) == first
    assert keyring.by_id(key_id(second)) == second
    assert keyring.repeat_secret() == repeat
    assert keyring.known_ids() == [key_id(k) for k in (installation, first, second)]
    assert not (tmp_path / "keys").exists()  # the folder is neither read nor made


@pytest.mark.parametrize(
    ("variable", "given"),
    [
        ("CASEWORK_INSTALLATION_KEY", {"installation_key": "bm90IGEga2V5"}),  # 9 bytes
        ("CASEWORK_INSTALLATION_KEY", {"installation_key": "***not base64***"}),
        (
            "CASEWORK_PREVIOUS_INSTALLATION_KEYS",
            {"previous_installation_keys": f"{encoded(new_key())},c2hvcnQ="},
        ),
        ("CASEWORK_REPEAT_KEY", {"repeat_key": encoded(new_key()[:16])}),
    ],
)
def test_a_malformed_key_in_the_environment_names_its_variable(
    tmp_path: Path, variable: str, given: dict[str, str]
) -> None:
    chosen = {"installation_key": encoded(new_key()), "repeat_key": encoded(new_key())}
    chosen.update(given)
    keyring = Keyring(key_source(_settings(tmp_path, **chosen)))
    with pytest.raises(SettingsInvalid, match=variable) as refused:
        keyring.current()
    message = str(refused.value)
    for value in given.values():
        for part in value.split(","):
            assert part not in message  # the value, even a wrong one, is not shown
    assert refused.value.exit_code == 11


def test_an_installation_key_without_a_repeat_key_locks_the_vault(tmp_path: Path) -> None:
    keyring = Keyring(key_source(_settings(tmp_path, installation_key=encoded(new_key()))))
    with pytest.raises(VaultLocked, match="CASEWORK_REPEAT_KEY"):
        keyring.current()
    assert not (tmp_path / "keys").exists()  # nothing is made beside the environment's keys


# --- the key hook -------------------------------------------------------------------------


def test_keys_from_a_hook(tmp_path: Path) -> None:
    source = key_source(_settings(tmp_path, key_hook=f"{__name__}:keys_from_a_kms"))
    assert isinstance(source, HookKeys)
    keyring = Keyring(source)
    assert keyring.current() == (key_id(HOOK_INSTALLATION), HOOK_INSTALLATION)
    assert keyring.by_id(key_id(HOOK_PREVIOUS)) == HOOK_PREVIOUS
    assert keyring.repeat_secret() == HOOK_REPEAT


@pytest.mark.parametrize("function", ["keys_too_short", "keys_without_repeat"])
def test_a_hook_returning_a_wrong_key_is_refused(tmp_path: Path, function: str) -> None:
    keyring = Keyring(HookKeys(f"{__name__}:{function}"))
    with pytest.raises(SettingsInvalid, match=f"{KEY_BYTES} bytes"):
        keyring.current()


@pytest.mark.parametrize(
    "spec",
    [f"{__name__}:no_such_function", "casework_no_such_module:keys", f"{__name__}", ":keys"],
)
def test_a_hook_that_names_no_function_is_refused(spec: str) -> None:
    with pytest.raises(SettingsInvalid, match="CASEWORK_KEY_HOOK"):
        Keyring(HookKeys(spec)).current()


# --- where the keys come from --------------------------------------------------------------


def test_the_hook_comes_before_the_environment_which_comes_before_the_folder(
    tmp_path: Path,
) -> None:
    environment = {"installation_key": encoded(new_key()), "repeat_key": encoded(new_key())}
    hook = f"{__name__}:keys_from_a_kms"

    assert isinstance(key_source(_settings(tmp_path, key_hook=hook, **environment)), HookKeys)
    assert isinstance(key_source(_settings(tmp_path, **environment)), EnvironmentKeys)
    folder = key_source(_settings(tmp_path))
    assert isinstance(folder, FolderKeys)
    assert folder.folder == tmp_path / "keys"
    assert isinstance(key_source(_settings(tmp_path, key_hook="   ")), FolderKeys)


def test_the_keys_folder_defaults_to_the_home(tmp_path: Path) -> None:
    source = key_source(_settings(tmp_path, keys_folder=""))
    assert isinstance(source, FolderKeys)
    assert source.folder == tmp_path / "keys"
    other = key_source(_settings(tmp_path, keys_folder=tmp_path / "elsewhere"))
    assert isinstance(other, FolderKeys)
    assert other.folder == tmp_path / "elsewhere"


# --- the id of a key ----------------------------------------------------------------------


def test_a_key_id_names_a_key_without_revealing_it() -> None:
    key, other = new_key(), new_key()
    assert len(key) == KEY_BYTES
    named = key_id(key)
    assert len(named) == 16
    assert all(c in "0123456789abcdef" for c in named)
    assert named == key_id(key)  # stable
    assert named != key_id(other)
    assert named not in key.hex()
    assert named != hashlib.sha256(key).hexdigest()[:16]  # keyed, not a plain digest
    assert named not in encoded(key)


def test_a_key_file_others_may_read_is_refused_with_the_fix(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    Keyring(FolderKeys(folder)).current()
    (folder / CURRENT_FILE).chmod(0o644)
    with pytest.raises(SettingsInvalid, match="chmod 600") as refused:
        Keyring(FolderKeys(folder)).current()
    assert "644" in str(refused.value)


def _failing_kms() -> dict[str, bytes]:
    raise ConnectionError("the KMS at kms.example is unreachable")


def test_a_hook_that_fails_says_so_without_a_traceback_or_its_message() -> None:
    with pytest.raises(SettingsInvalid, match="ConnectionError") as refused:
        HookKeys(f"{__name__}:_failing_kms").load()
    assert "kms.example" not in str(refused.value)  # a KMS's message may carry a token


def test_a_keys_folder_others_may_open_is_refused_with_the_fix(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    Keyring(FolderKeys(folder)).current()
    folder.chmod(0o755)
    with pytest.raises(SettingsInvalid, match="chmod 700"):
        Keyring(FolderKeys(folder)).current()
