"""The identity vault: every value that tells who a case's sender is, sealed (ADR 0011).

Each case with a named sender has a **data key** of its own (32 random bytes). It is stored in
the sender's row (`denouncer_identity`) wrapped — AES-256-GCM under the installation key
(`adapters/keyring.py`), with the case's reference as associated data — next to the id of the
installation key that wrapped it. Every value of the case that names the sender is sealed with
AES-256-GCM under the data key, a fresh 96-bit nonce per value, and the case's reference and
the value's place as associated data: a sealed value copied to another case or another place
does not open.

This module is the only one that seals and opens. What it opens, and for whom, is decided by
the services: the audited identity view, the delivery of a notice to the sender, the checks
that a notice to the denounced does not name him, and the intake's copies to a follow-on case.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, bindparam, func, select, update

from casework.adapters.bulk import insert_ignoring_duplicates
from casework.adapters.keyring import KEY_BYTES, Keyring, key_id
from casework.adapters.tables import CaseRow, DenouncerIdentityRow, EngineStateRow
from casework.domain.confidentiality import IDENTITY_FIELDS
from casework.domain.errors import VaultLocked

SENDERS = DenouncerIdentityRow.__table__  # type: ignore[attr-defined]
_CASES = CaseRow.__table__  # type: ignore[attr-defined]
_STATE = EngineStateRow.__table__  # type: ignore[attr-defined]
REPEAT_KEY_STATE = "repeat_key_id"
"""The engine_state key naming the repeat key the stored digests were made with."""
TOKEN_PREFIX = "v1."
"""Every sealed value starts so; the version names the format (nonce ‖ AES-GCM output)."""
_NONCE_BYTES = 12


def _aad(ref: str, place: str) -> bytes:
    return f"casework|{ref}|{place}".encode()


def seal_bytes(key: bytes, plain: bytes, aad: bytes) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plain, aad)
    return TOKEN_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def open_bytes(key: bytes, token: str, aad: bytes) -> bytes:
    """The plain bytes of `token`; InvalidTag if the key or the associated data is not the
    one it was sealed with, or a byte of it was changed."""
    if not token.startswith(TOKEN_PREFIX):
        raise InvalidTag
    # strict: one spelling per token (urlsafe_b64decode would skip stray characters)
    raw = base64.b64decode(token[len(TOKEN_PREFIX) :], altchars=b"-_", validate=True)
    return AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], aad)


@dataclass(frozen=True)
class CaseKey:
    """The data key of one case, open: seals and opens that case's values."""

    ref: str
    key: bytes = field(repr=False)
    key_id: str
    wrapped: str

    def seal(self, place: str, value: Any) -> str:
        """`value` (anything JSON can hold) sealed for `place` of this case."""
        return seal_bytes(self.key, orjson.dumps(value), _aad(self.ref, place))

    def open(self, place: str, token: str) -> Any:
        """The value sealed for `place` of this case in `token`."""
        try:
            return orjson.loads(open_bytes(self.key, token, _aad(self.ref, place)))
        except (InvalidTag, ValueError) as error:
            raise VaultLocked(
                f"a sealed value of {self.ref} ({place}) does not open: it was changed or "
                "belongs to another case; restore it from a backup"
            ) from error


@dataclass(frozen=True)
class Sender:
    """A case's sender as the vault opened him: his identity, and the key that opens the
    case's other sealed values."""

    case_id: int
    ref: str
    identity: dict[str, str]
    case_key: CaseKey
    sealed_typed: str = ""

    def typed(self) -> dict[str, Any]:
        """What reception typed that named the sender, as typed (`summary`, `forwarded_by`,
        `attributes`), each key only when it did; {} when nothing did."""
        if not self.sealed_typed:
            return {}
        opened: dict[str, Any] = self.case_key.open("typed", self.sealed_typed)
        return opened

    def summary(self) -> str | None:
        """The summary as reception typed it, when it named the sender (else None: the case's
        summary is the one typed)."""
        summary = self.typed().get("summary")
        return None if summary is None else str(summary)

    def typed_attributes(self) -> dict[str, Any]:
        """The case's attributes set at intake that named the sender, as typed."""
        return dict(self.typed().get("attributes") or {})


_SENDER_COLUMNS = select(
    SENDERS.c.case_id,
    SENDERS.c.key_id,
    SENDERS.c.wrapped_key,
    SENDERS.c.identity,
    SENDERS.c.typed,
    _CASES.c.reference,
).join(_CASES, _CASES.c.id == SENDERS.c.case_id)
# built once: every step on a case with a sender reads it
_SENDER_OF_CASE = _SENDER_COLUMNS.where(SENDERS.c.case_id == bindparam("case_id"))
_SENDERS_OF_CASES = _SENDER_COLUMNS.where(
    SENDERS.c.case_id.in_(bindparam("case_ids", expanding=True))
)
_SENDERS_OF_REFS = _SENDER_COLUMNS.where(_CASES.c.reference.in_(bindparam("refs", expanding=True)))


class Vault:
    """Seals and opens the values that name a case's sender, under the keys of `keyring`."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring
        self._checked = False

    # --- data keys ---------------------------------------------------------------------
    def new_case_key(self, connection: Connection, ref: str) -> CaseKey:
        """A fresh data key for case `ref`, wrapped under the current installation key."""
        self.ready(connection)
        wrapping_id, wrapping = self.keyring.current()
        key = os.urandom(KEY_BYTES)
        return CaseKey(ref, key, wrapping_id, seal_bytes(wrapping, key, _aad(ref, "data key")))

    def case_key(self, ref: str, wrapped_by: str, wrapped: str) -> CaseKey:
        """The data key of case `ref`, unwrapped."""
        wrapping = self.keyring.by_id(wrapped_by)
        try:
            key = open_bytes(wrapping, wrapped, _aad(ref, "data key"))
        except (InvalidTag, ValueError) as error:
            raise VaultLocked(
                f"the data key of {ref} does not open under installation key {wrapped_by}: "
                "it was changed or copied from another case; restore it from a backup"
            ) from error
        return CaseKey(ref, key, wrapped_by, wrapped)

    def rewrapped(self, case_key: CaseKey) -> CaseKey:
        """The same data key, wrapped under the current installation key."""
        wrapping_id, wrapping = self.keyring.current()
        wrapped = seal_bytes(wrapping, case_key.key, _aad(case_key.ref, "data key"))
        return CaseKey(case_key.ref, case_key.key, wrapping_id, wrapped)

    def ready(self, connection: Connection) -> None:
        """Once per process, before its first digest or data key: the newest data key stored
        is under an installation key present, and the repeat key is the one the digests were
        made with. Else the keys folder was lost or another one given, and new cases would be
        sealed under keys the old ones do not share. Keys are made here only for a database
        that holds none (a new installation)."""
        if self._checked:
            return
        newest = connection.execute(
            select(SENDERS.c.key_id).order_by(SENDERS.c.case_id.desc()).limit(1)
        ).scalar_one_or_none()
        if newest:  # before any key is made: a missing folder is not a new installation
            self.keyring.by_id(newest)
        self.keyring.current()
        self._check_repeat_key(connection)
        self._checked = True

    def recorded_repeat_key(self, connection: Connection) -> str | None:
        """The id of the repeat key the stored digests were made with (None: none yet)."""
        recorded: str | None = connection.execute(
            select(_STATE.c.value).where(_STATE.c.key == REPEAT_KEY_STATE)
        ).scalar_one_or_none()
        return recorded

    def _check_repeat_key(self, connection: Connection) -> None:
        """The repeat key is the one the stored digests were made with (its id is recorded
        with the first): a lost repeat key, replaced, would recognise no repeat again."""
        present = key_id(self.keyring.repeat_secret())
        recorded = self.recorded_repeat_key(connection)
        if recorded is None:
            insert_ignoring_duplicates(
                connection, _STATE, [{"key": REPEAT_KEY_STATE, "value": present}]
            )
        elif recorded != present:
            raise VaultLocked(
                f"the repeat key from {self.keyring.source.where} (id {present}) is not the one "
                f"this database's repeat digests were made with (id {recorded}): restore "
                "repeat.key from the keys folder's backup, or set CASEWORK_REPEAT_KEY"
            )

    # --- keyed digests -----------------------------------------------------------------
    def digest(self, text: str) -> str:
        """A digest of `text` keyed by the repeat key: equal for equal texts, and not to be
        recomputed by whoever lacks the key (domain/repeats.py)."""
        secret = self.keyring.repeat_secret()
        return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()[:32]

    def name_word_digests(self, words: Iterable[str]) -> list[str]:
        """The keyed digests of the folded words of a sender's name (domain/search.name_words)
        as `sender_word` keeps them, and of a search's words as it looks them up: a place of
        their own ("name-word|"), so no digest of another use can be matched against them."""
        return sorted({self.digest(f"name-word|{word}") for word in words})

    # --- the senders' rows -------------------------------------------------------------
    def sender_row(
        self,
        case_key: CaseKey,
        identity: Mapping[str, str],
        typed: Mapping[str, Any],
        sender_key: str,
        repeat_key: str,
    ) -> dict[str, Any]:
        """The columns of a sender's row (without its case id): everything that names him
        sealed, with what reception typed naming him (`Sender.typed`; {}: nothing did)."""
        return {
            "key_id": case_key.key_id,
            "wrapped_key": case_key.wrapped,
            "identity": case_key.seal(
                "identity", {name: identity.get(name) or "" for name in IDENTITY_FIELDS}
            ),
            "typed": case_key.seal("typed", dict(typed)) if typed else "",
            "sender_key": sender_key,
            "repeat_key": repeat_key,
        }

    def has_sender(self, connection: Connection, case_id: int) -> bool:
        """Whether the case has a named sender (nothing is opened)."""
        found = connection.execute(
            select(SENDERS.c.case_id).where(SENDERS.c.case_id == case_id)
        ).first()
        return found is not None

    def senders_of(
        self, connection: Connection, case_ids: Iterable[int] = (), refs: Iterable[str] = ()
    ) -> dict[int, Sender]:
        """Case id → its sender, opened, for the cases of `case_ids` (or, as stored, of
        `refs`) that have one."""
        ids = sorted(set(case_ids))
        references = sorted(set(refs))
        if not ids and not references:
            return {}
        if len(ids) == 1:  # a step's case: the statement built once, one key lookup
            rows = connection.execute(_SENDER_OF_CASE, {"case_id": ids[0]}).all()
        elif ids:
            rows = connection.execute(_SENDERS_OF_CASES, {"case_ids": ids}).all()
        else:
            rows = connection.execute(_SENDERS_OF_REFS, {"refs": references}).all()
        senders: dict[int, Sender] = {}
        for row in rows:
            case_key = self.case_key(row.reference, row.key_id, row.wrapped_key)
            identity = case_key.open("identity", row.identity)
            senders[row.case_id] = Sender(
                row.case_id,
                row.reference,
                {name: str(identity.get(name) or "") for name in IDENTITY_FIELDS},
                case_key,
                row.typed or "",
            )
        return senders

    def rewrap_batch(self, connection: Connection, batch: int = 500) -> int:
        """Re-wrap up to `batch` data keys not under the current installation key; returns
        how many (0: none left)."""
        current_id, _ = self.keyring.current()
        rows = connection.execute(
            select(SENDERS.c.case_id, SENDERS.c.key_id, SENDERS.c.wrapped_key, _CASES.c.reference)
            .join(_CASES, _CASES.c.id == SENDERS.c.case_id)
            .where(SENDERS.c.key_id != current_id)
            .order_by(SENDERS.c.case_id)
            .limit(batch)
        ).all()
        updates = []
        for row in rows:
            moved = self.rewrapped(self.case_key(row.reference, row.key_id, row.wrapped_key))
            updates.append(
                {"c_id": row.case_id, "c_key_id": moved.key_id, "c_wrapped": moved.wrapped}
            )
        if updates:
            connection.execute(
                update(SENDERS)
                .where(SENDERS.c.case_id == bindparam("c_id"))
                .values(key_id=bindparam("c_key_id"), wrapped_key=bindparam("c_wrapped")),
                updates,
            )
        return len(updates)

    def open_one_under(self, connection: Connection, wrapped_by: str) -> None:
        """Unwrap one data key wrapped by installation key `wrapped_by` (VaultLocked if it
        does not open)."""
        row = connection.execute(
            select(SENDERS.c.wrapped_key, _CASES.c.reference)
            .join(_CASES, _CASES.c.id == SENDERS.c.case_id)
            .where(SENDERS.c.key_id == wrapped_by)
            .limit(1)
        ).first()
        if row is not None:
            self.case_key(row.reference, wrapped_by, row.wrapped_key)

    def keys_in_use(self, connection: Connection) -> dict[str, int]:
        """Installation key id → how many data keys it wraps."""
        return {
            str(key): int(count)
            for key, count in connection.execute(
                select(SENDERS.c.key_id, func.count()).group_by(SENDERS.c.key_id)
            ).all()
        }
