"""The audit trail's hash chain: each entry seals the one before it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date

GENESIS_HASH = "0" * 64


def canonical_json(payload: Mapping[str, object]) -> str:
    """A stable text form of an entry: sorted keys, no spaces, dates as ISO strings."""
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_as_stored
    )


def _as_stored(value: object) -> str:
    """A value JSON has no type for, as the payload column stores it and reads it back: a
    date or an instant in ISO form (`2024-01-01T00:00:00+00:00`, with the T — `str()` of an
    instant has a space, and the entry would no longer verify once read back), else its
    text."""
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    return str(value)


def chain_hash(previous_hash: str, payload: Mapping[str, object]) -> str:
    """sha256 of the previous entry's hash and this entry's canonical content."""
    digest = hashlib.sha256()
    digest.update(previous_hash.encode("ascii"))
    digest.update(canonical_json(payload).encode("utf-8"))
    return digest.hexdigest()
