"""The audit trail's hash chain: each entry seals the one before it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

GENESIS_HASH = "0" * 64


def canonical_json(payload: Mapping[str, object]) -> str:
    """A stable text form of an entry: sorted keys, no spaces, dates as ISO strings."""
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def chain_hash(previous_hash: str, payload: Mapping[str, object]) -> str:
    """sha256 of the previous entry's hash and this entry's canonical content."""
    digest = hashlib.sha256()
    digest.update(previous_hash.encode("ascii"))
    digest.update(canonical_json(payload).encode("utf-8"))
    return digest.hexdigest()
