"""The identity vault's cryptography (adapters/identity_vault.py, ADR 0011): a sealed value
opens back whole, tells nothing of itself, and opens only for its own case, its own place and
its own data key; data keys move to a rotated installation key; digests are keyed."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, insert
from sqlalchemy.pool import StaticPool
from sqlmodel import SQLModel

from casework.adapters.identity_vault import (
    SENDERS,
    TOKEN_PREFIX,
    CaseKey,
    Vault,
    open_bytes,
    seal_bytes,
)
from casework.adapters.keyring import FolderKeys, Keyring, key_id, new_key
from casework.adapters.tables import CaseRow, DenouncerIdentityRow, EngineStateRow
from casework.domain.errors import VaultLocked

pytestmark = pytest.mark.unit

REF = "TC-2026-000001"
NAME = "Trần Thị Mai"
NAME_FOLDED = "Tran Thi Mai"
IDENTITY = {
    "full_name": NAME,
    "address": "Số 12 đường Lê Lợi, phường Bến Nghé, Quận 1",
    "contact": "0912 345 678",
    "id_number": "040190001234",
    "email": "mai.tran@example.vn",
}
CASES = CaseRow.__table__  # type: ignore[attr-defined]


def _case_key(ref: str = REF) -> CaseKey:
    return CaseKey(ref, os.urandom(32), "0123456789abcdef", "")


def _flipped(token: str, position: int) -> str:
    """`token` with one bit of one byte of its nonce ‖ ciphertext ‖ tag changed."""
    raw = bytearray(base64.urlsafe_b64decode(token[len(TOKEN_PREFIX) :]))
    raw[position] ^= 0x01
    return TOKEN_PREFIX + base64.urlsafe_b64encode(bytes(raw)).decode("ascii")


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault(Keyring(FolderKeys(tmp_path / "keys")))


@pytest.fixture
def connection() -> Iterator[Connection]:
    """The two tables the vault reads, in an in-memory SQLite database."""
    engine = create_engine("sqlite://", poolclass=StaticPool)
    SQLModel.metadata.create_all(
        engine,
        tables=[CASES, DenouncerIdentityRow.__table__, EngineStateRow.__table__],  # type: ignore[attr-defined]
    )
    with engine.begin() as connected:
        yield connected
    engine.dispose()


def _add_case(connection: Connection, case_id: int, ref: str) -> None:
    connection.execute(
        insert(CASES).values(
            id=case_id,
            reference=ref,
            kind="denunciation",
            state="received",
            agency="thanh-tra-tinh",
            received_on=date(2026, 1, 5),
            logged_at=datetime(2026, 1, 5, 9),
            attributes={},
            version=1,
        )
    )


# --- sealing and opening ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        NAME,
        IDENTITY,
        "Tôi tố cáo ông Lê Văn Tám, Phó Chủ tịch UBND xã, nhận hối lộ 50 triệu đồng.",
        "",
        None,
        ["Nguyễn", 12, 3.5, True, {"đ": "Đ"}],
    ],
)
def test_a_sealed_value_opens_back_to_the_same_value(value: Any) -> None:
    case_key = _case_key()
    token = case_key.seal("identity", value)
    assert token.startswith(TOKEN_PREFIX)
    assert case_key.open("identity", token) == value


def test_a_token_holds_no_plaintext() -> None:
    token = _case_key().seal("identity", IDENTITY)
    for text in (*IDENTITY.values(), NAME_FOLDED, "Tran", "Mai", "040190001234", "0912"):
        assert text not in token
        assert text.lower() not in token.lower()
    utf8_in_base64 = base64.urlsafe_b64encode(NAME.encode()).decode().rstrip("=")
    assert utf8_in_base64[:12] not in token
    assert "full_name" not in token


def test_sealing_the_same_value_twice_gives_different_tokens() -> None:
    case_key = _case_key()
    first, second = case_key.seal("identity", NAME), case_key.seal("identity", NAME)
    assert first != second  # a fresh nonce each time
    nonce = slice(0, 12)
    raw = [base64.urlsafe_b64decode(t[len(TOKEN_PREFIX) :]) for t in (first, second)]
    assert raw[0][nonce] != raw[1][nonce]
    assert case_key.open("identity", first) == case_key.open("identity", second) == NAME


def test_a_token_does_not_open_in_another_case() -> None:
    case_key = _case_key()
    token = case_key.seal("identity", NAME)
    same_key_other_case = CaseKey("TC-2026-000002", case_key.key, case_key.key_id, "")
    with pytest.raises(VaultLocked, match="TC-2026-000002") as refused:
        same_key_other_case.open("identity", token)
    assert NAME not in str(refused.value)
    assert refused.value.exit_code == 14


def test_a_token_does_not_open_in_another_place() -> None:
    case_key = _case_key()
    token = case_key.seal("identity", NAME)
    with pytest.raises(VaultLocked, match="summary"):
        case_key.open("summary", token)


def test_a_token_does_not_open_under_another_data_key() -> None:
    token = _case_key().seal("identity", NAME)
    with pytest.raises(VaultLocked):
        _case_key().open("identity", token)


@pytest.mark.parametrize("position", [0, 11, 12, 20, -16, -1], ids=lambda p: f"byte{p}")
def test_a_token_with_one_byte_changed_does_not_open(position: int) -> None:
    """In the nonce (0, 11), the ciphertext (12, 20) or the tag (-16, -1)."""
    case_key = _case_key()
    token = case_key.seal("identity", IDENTITY)
    with pytest.raises(VaultLocked, match="does not open"):
        case_key.open("identity", _flipped(token, position))


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: t[len(TOKEN_PREFIX) :],  # no version
        lambda t: "v2." + t[len(TOKEN_PREFIX) :],  # another version
        lambda t: t[:-8],  # cut short
        lambda t: TOKEN_PREFIX,  # nothing sealed
        lambda t: TOKEN_PREFIX + "AAAA",  # shorter than a nonce
        lambda t: TOKEN_PREFIX + "!!!not base64",
        lambda t: "",
    ],
    ids=["no-prefix", "v2", "cut", "empty-body", "short", "garbage", "empty"],
)
def test_a_damaged_token_is_vault_locked_not_a_crash(damage: Any) -> None:
    case_key = _case_key()
    token = case_key.seal("identity", NAME)
    with pytest.raises(VaultLocked):
        case_key.open("identity", damage(token))


def test_seal_bytes_and_open_bytes_round_trip() -> None:
    key = new_key()
    token = seal_bytes(key, "Đỗ Văn Hùng".encode(), b"aad")
    assert open_bytes(key, token, b"aad").decode() == "Đỗ Văn Hùng"


def test_a_case_key_does_not_show_its_key() -> None:
    case_key = _case_key()
    assert case_key.key.hex() not in repr(case_key)
    assert repr(case_key.key) not in repr(case_key)


# --- data keys under the installation key -------------------------------------------------


def test_a_new_data_key_is_wrapped_under_the_current_installation_key(
    vault: Vault, connection: Connection
) -> None:
    case_key = vault.new_case_key(connection, REF)
    current_id, current = vault.keyring.current()
    assert case_key.key_id == current_id
    assert len(case_key.key) == 32
    assert case_key.wrapped.startswith(TOKEN_PREFIX)
    assert base64.urlsafe_b64encode(case_key.key).decode() not in case_key.wrapped
    assert open_bytes(current, case_key.wrapped, f"casework|{REF}|data key".encode()) == (
        case_key.key
    )
    again = vault.case_key(REF, case_key.key_id, case_key.wrapped)
    assert again.key == case_key.key
    assert again.open("identity", case_key.seal("identity", IDENTITY)) == IDENTITY


def test_two_cases_get_different_data_keys(vault: Vault, connection: Connection) -> None:
    one = vault.new_case_key(connection, REF)
    other = vault.new_case_key(connection, "TC-2026-000002")
    assert one.key != other.key


def test_a_wrapped_data_key_does_not_open_for_another_case(
    vault: Vault, connection: Connection
) -> None:
    case_key = vault.new_case_key(connection, REF)
    with pytest.raises(VaultLocked, match="TC-2026-000002"):
        vault.case_key("TC-2026-000002", case_key.key_id, case_key.wrapped)


def test_a_wrapped_data_key_with_a_byte_changed_does_not_open(
    vault: Vault, connection: Connection
) -> None:
    case_key = vault.new_case_key(connection, REF)
    with pytest.raises(VaultLocked, match="does not open"):
        vault.case_key(REF, case_key.key_id, _flipped(case_key.wrapped, 14))


def test_a_data_key_under_an_unknown_installation_key_locks_the_vault(
    vault: Vault, connection: Connection
) -> None:
    case_key = vault.new_case_key(connection, REF)
    stranger = key_id(new_key())
    with pytest.raises(VaultLocked, match=stranger):
        vault.case_key(REF, stranger, case_key.wrapped)


def test_a_data_key_moves_to_a_rotated_installation_key(
    tmp_path: Path, vault: Vault, connection: Connection
) -> None:
    case_key = vault.new_case_key(connection, REF)
    token = case_key.seal("identity", IDENTITY)
    old_id = case_key.key_id

    _, new_id = FolderKeys(tmp_path / "keys").rotate()
    moved = vault.rewrapped(vault.case_key(REF, old_id, case_key.wrapped))

    assert moved.key_id == new_id != old_id
    assert moved.wrapped != case_key.wrapped
    assert moved.key == case_key.key
    assert vault.case_key(REF, new_id, moved.wrapped).open("identity", token) == IDENTITY
    # once the old key is retired, only the rewrapped data key opens
    assert FolderKeys(tmp_path / "keys").retire(old_id)
    fresh = Vault(Keyring(FolderKeys(tmp_path / "keys")))
    assert fresh.case_key(REF, new_id, moved.wrapped).open("identity", token) == IDENTITY
    with pytest.raises(VaultLocked, match=old_id):
        fresh.case_key(REF, old_id, case_key.wrapped)


def test_a_rewrapped_data_key_does_not_open_under_the_old_key_id(
    tmp_path: Path, vault: Vault, connection: Connection
) -> None:
    case_key = vault.new_case_key(connection, REF)
    FolderKeys(tmp_path / "keys").rotate()
    moved = vault.rewrapped(case_key)
    with pytest.raises(VaultLocked):
        vault.case_key(REF, case_key.key_id, moved.wrapped)


# --- the senders' rows (an in-memory database) ---------------------------------------------


def test_a_senders_row_is_sealed_and_opens_back(vault: Vault, connection: Connection) -> None:
    _add_case(connection, 1, REF)
    case_key = vault.new_case_key(connection, REF)
    summary = f"Bà {NAME} tố cáo ông Lê Văn Tám"
    typed = {"summary": summary, "attributes": {"contested_decision": f"QĐ thu hồi đất hộ {NAME}"}}
    row = vault.sender_row(case_key, IDENTITY, typed, "sender-digest", "repeat-digest")
    for column in ("identity", "typed", "wrapped_key"):
        assert NAME not in row[column]
        assert NAME_FOLDED not in row[column]
    connection.execute(insert(SENDERS).values(case_id=1, **row))

    assert vault.has_sender(connection, 1)
    assert not vault.has_sender(connection, 2)
    sender = vault.senders_of(connection, [1])[1]
    assert sender.identity == IDENTITY
    assert sender.summary() == summary
    assert sender.typed_attributes() == typed["attributes"]
    assert vault.senders_of(connection, refs=[REF])[1].identity == IDENTITY
    assert {k: s.identity for k, s in vault.senders_of(connection, [1]).items()} == {1: IDENTITY}
    assert vault.keys_in_use(connection) == {case_key.key_id: 1}


def test_rewrapping_moves_every_row_to_the_current_key(
    tmp_path: Path, vault: Vault, connection: Connection
) -> None:
    for case_id in (1, 2, 3):
        ref = f"TC-2026-00000{case_id}"
        _add_case(connection, case_id, ref)
        case_key = vault.new_case_key(connection, ref)
        row = vault.sender_row(case_key, IDENTITY, {}, "", "")
        connection.execute(insert(SENDERS).values(case_id=case_id, **row))
    old_id = vault.keyring.current()[0]

    _, new_id = FolderKeys(tmp_path / "keys").rotate()

    assert vault.rewrap_batch(connection, batch=2) == 2
    assert vault.keys_in_use(connection) == {new_id: 2, old_id: 1}
    assert vault.rewrap_batch(connection, batch=2) == 1
    assert vault.rewrap_batch(connection, batch=2) == 0
    assert vault.keys_in_use(connection) == {new_id: 3}
    FolderKeys(tmp_path / "keys").retire(old_id)
    senders = Vault(Keyring(FolderKeys(tmp_path / "keys"))).senders_of(connection, [1, 2, 3])
    assert {k: s.identity for k, s in senders.items()} == dict.fromkeys((1, 2, 3), IDENTITY)


def test_no_new_data_key_when_the_newest_is_under_a_key_not_held(
    tmp_path: Path, connection: Connection
) -> None:
    """The keys folder was lost (or another one given): a new key would seal new cases under a
    key the old ones do not share, so the vault refuses before making one."""
    _add_case(connection, 1, REF)
    first = Vault(Keyring(FolderKeys(tmp_path / "lost-keys")))
    case_key = first.new_case_key(connection, REF)
    connection.execute(
        insert(SENDERS).values(case_id=1, **first.sender_row(case_key, IDENTITY, {}, "", ""))
    )

    with pytest.raises(VaultLocked, match=case_key.key_id):
        Vault(Keyring(FolderKeys(tmp_path / "new-keys"))).new_case_key(connection, "TC-2026-2")


# --- keyed digests ------------------------------------------------------------------------


def test_a_digest_is_stable_keyed_and_not_a_plain_hash(tmp_path: Path) -> None:
    vault = Vault(Keyring(FolderKeys(tmp_path / "keys")))
    other = Vault(Keyring(FolderKeys(tmp_path / "other-keys")))
    for made in (vault, other):  # a new installation's keys (`casework init`)
        made.keyring.current()
    text = "tran thi mai|id:040190001234"

    digest = vault.digest(text)
    assert digest == vault.digest(text)
    assert digest == Vault(Keyring(FolderKeys(tmp_path / "keys"))).digest(text)  # same key
    assert len(digest) == 32
    assert digest != vault.digest(text + " ")
    assert digest != other.digest(text)
    assert digest != hashlib.sha256(text.encode()).hexdigest()[:32]
    assert digest not in hashlib.sha256(text.encode()).hexdigest()


def test_a_digest_survives_a_rotation_of_the_installation_key(tmp_path: Path) -> None:
    vault = Vault(Keyring(FolderKeys(tmp_path / "keys")))
    vault.keyring.current()
    before = vault.digest(NAME)
    FolderKeys(tmp_path / "keys").rotate()
    assert vault.digest(NAME) == before
