"""Seal what a database of the old format kept in clear (migration 0018, ADR 0011).

Before the vault, a sender's name, address, contact, ID number and email sat in clear in
`denouncer_identity`, the repeat digests were unkeyed, and texts that named the sender (a
summary, a step's reason, an audit entry, a notice to him) were withheld only when read. This
pass, run once with the installation key at hand, gives each such case a data key and:

- seals the identity, and recomputes the sender and repeat digests under the repeat key;
- stores every text that names the sender withheld, its original sealed beside it: what
  reception typed (the summary, the forwarder, the attributes: in the sender's row), each
  step's reason and fields (`transition.sealed`), each audit entry
  (`payload.sealed`, the chain re-sealed from the first entry changed, and an entry saying so);
- seals each notice to the sender whole (`outbox_message.sealed_context`) and any server reply
  that quoted him (`sealed_error`); other notices, reasons of parties and of recusals are
  stored withheld (their originals are in the audit entries sealed above).

The caller drops the clear columns afterwards, and vacuums (services/schema.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, bindparam

from casework.adapters import audit_log
from casework.adapters.audit_log import AuditEvent
from casework.adapters.identity_vault import Vault
from casework.adapters.outbox_store import REPLY_WITHHELD, notice_stub
from casework.domain.confidentiality import withheld, withheld_at_intake
from casework.domain.repeats import keyed_subject, repeat_key, sender_key

_BATCH = 500
_OLD_FIELDS = ("full_name", "address", "contact", "id_number", "email")

_senders = sa.table(
    "denouncer_identity",
    sa.column("case_id"),
    sa.column("key_id"),
    sa.column("wrapped_key"),
    sa.column("identity"),
    sa.column("typed"),
    sa.column("sender_key"),
    sa.column("repeat_key"),
)
_cases = sa.table(
    "case_file",
    sa.column("id"),
    sa.column("summary"),
    sa.column("forwarded_by"),
    sa.column("subject_key"),
    sa.column("attributes", sa.JSON),
)
_steps = sa.table(
    "transition",
    sa.column("id"),
    sa.column("reason"),
    sa.column("data", sa.JSON),
    sa.column("sealed"),
)
_entries = sa.table("audit_entry", sa.column("id"), sa.column("payload", sa.JSON))
_notices = sa.table(
    "outbox_message",
    sa.column("id"),
    sa.column("context", sa.JSON),
    sa.column("sealed_context"),
    sa.column("last_error"),
    sa.column("sealed_error"),
)
_parties = sa.table("case_party", sa.column("id"), sa.column("outside_reason"))
_recusals = sa.table(
    "case_recusal", sa.column("case_id"), sa.column("officer"), sa.column("reason")
)


def _json(value: Any) -> Any:
    """A JSON column as read by a plain query (SQLite gives text)."""
    import orjson

    return orjson.loads(value) if isinstance(value, str | bytes) else value


def seal_clear_identities(connection: Connection, vault: Vault) -> dict[str, int]:
    """Seal every sender still in clear, and every copy of him; returns what was done."""
    done = {"senders": 0, "summaries": 0, "steps": 0, "audit_entries": 0, "notices": 0}
    first_entry_changed: int | None = None
    last_case = 0
    while True:
        rows = connection.execute(
            sa.text(
                "SELECT i.case_id, i.full_name, i.address, i.contact, i.id_number, i.email, "
                "c.reference, c.kind, c.agency, c.subject_key, c.summary, c.attributes, "
                "c.forwarded_by "
                "FROM denouncer_identity i JOIN case_file c ON c.id = i.case_id "
                "WHERE i.case_id > :last ORDER BY i.case_id LIMIT :batch"
            ),
            {"last": last_case, "batch": _BATCH},
        ).all()
        if not rows:
            break
        for row in rows:
            changed = _seal_case(connection, vault, row, done)
            if changed is not None:
                first_entry_changed = min(changed, first_entry_changed or changed)
        last_case = rows[-1].case_id
    _key_subjects(connection, vault)
    if first_entry_changed is not None:
        previous_head = audit_log.rechain(connection, first_entry_changed)
        audit_log.append(
            connection,
            [
                AuditEvent(
                    "audit.resealed",
                    None,
                    None,
                    {
                        "why": "entries that named a sender were sealed in the identity vault "
                        "(migration 0018, ADR 0011); the chain was sealed again from the "
                        "first entry changed",
                        "from_entry": first_entry_changed,
                        "previous_head": previous_head,
                        **done,
                    },
                )
            ],
            datetime.now(UTC),
        )
    return done


def _key_subjects(connection: Connection, vault: Vault) -> None:
    """Every case's subject as a keyed digest (a contested decision may name the household
    of the complainant); the senders' repeat digests were made from the same digests."""
    last = 0
    while True:
        rows = connection.execute(
            sa.text(
                "SELECT id, subject_key FROM case_file WHERE id > :last AND subject_key != '' "
                "ORDER BY id LIMIT :batch"
            ),
            {"last": last, "batch": _BATCH},
        ).all()
        if not rows:
            return
        connection.execute(
            _cases.update()
            .where(_cases.c.id == bindparam("c_id"))
            .values(subject_key=bindparam("c_subject")),
            [{"c_id": r.id, "c_subject": keyed_subject(vault.digest, r.subject_key)} for r in rows],
        )
        last = rows[-1].id


def _seal_case(connection: Connection, vault: Vault, row: Any, done: dict[str, int]) -> int | None:
    """Seal one case's sender and the texts naming him; the id of its first audit entry
    changed, if any."""
    identity = {name: getattr(row, name) or "" for name in _OLD_FIELDS}
    case_key = vault.new_case_key(connection, row.reference)
    sender = sender_key(
        vault.digest, identity["full_name"], identity["id_number"], identity["address"]
    )
    attributes = _json(row.attributes) or {}
    summary, forwarder, stored_attributes, typed = withheld_at_intake(
        row.summary or "", row.forwarded_by, attributes, identity
    )
    subject = keyed_subject(vault.digest, row.subject_key or "")
    columns = vault.sender_row(
        case_key, identity, typed, sender, repeat_key(sender, row.kind, row.agency, subject)
    )
    connection.execute(_senders.update().where(_senders.c.case_id == row.case_id).values(**columns))
    done["senders"] += 1
    if "summary" in typed:
        done["summaries"] += 1
    if typed:
        connection.execute(
            _cases.update()
            .where(_cases.c.id == row.case_id)
            .values(summary=summary, forwarded_by=forwarder, attributes=stored_attributes)
        )
    for step in _case_steps(connection, row.case_id):
        original = {"reason": step.reason or "", "data": _json(step.data) or {}}
        hidden = withheld(original, identity)
        if hidden is not None:
            connection.execute(
                _steps.update()
                .where(_steps.c.id == step.id)
                .values(
                    reason=hidden["reason"],
                    data=hidden["data"],
                    sealed=case_key.seal("step", original),
                )
            )
            done["steps"] += 1
    first_changed: int | None = None
    for entry in connection.execute(
        sa.text("SELECT id, payload FROM audit_entry WHERE case_ref = :ref ORDER BY id"),
        {"ref": row.reference},
    ).all():
        payload = _json(entry.payload) or {}
        hidden = withheld(payload, identity)
        if hidden is not None:
            connection.execute(
                _entries.update()
                .where(_entries.c.id == entry.id)
                .values(payload={**hidden, "sealed": case_key.seal("audit", payload)})
            )
            first_changed = first_changed or entry.id
            done["audit_entries"] += 1
    for notice in connection.execute(
        sa.text(
            "SELECT id, recipient_party, context, last_error FROM outbox_message "
            "WHERE case_id = :case_id"
        ),
        {"case_id": row.case_id},
    ).all():
        context = _json(notice.context) or {}
        values: dict[str, Any] = {}
        if notice.recipient_party == "denouncer":
            values["context"] = notice_stub(row.reference)
            values["sealed_context"] = case_key.seal("notice", context)
            done["notices"] += 1
        else:
            hidden = withheld(context, identity)
            if hidden is not None:
                values["context"] = hidden
        if withheld(notice.last_error or "", identity) is not None:
            values["last_error"] = REPLY_WITHHELD
            values["sealed_error"] = case_key.seal("reply", notice.last_error)
        if values:
            connection.execute(_notices.update().where(_notices.c.id == notice.id).values(**values))
    for party in connection.execute(
        sa.text("SELECT id, outside_reason FROM case_party WHERE case_id = :case_id"),
        {"case_id": row.case_id},
    ).all():
        hidden = withheld(party.outside_reason or "", identity)
        if hidden is not None:
            connection.execute(
                _parties.update().where(_parties.c.id == party.id).values(outside_reason=hidden)
            )
    for recusal in connection.execute(
        sa.text("SELECT officer, reason FROM case_recusal WHERE case_id = :case_id"),
        {"case_id": row.case_id},
    ).all():
        hidden = withheld(recusal.reason or "", identity)
        if hidden is not None:
            connection.execute(
                _recusals.update()
                .where(
                    _recusals.c.case_id == row.case_id,
                    _recusals.c.officer == bindparam("r_officer"),
                )
                .values(reason=hidden),
                {"r_officer": recusal.officer},
            )
    return first_changed


def _case_steps(connection: Connection, case_id: int) -> list[Any]:
    return list(
        connection.execute(
            sa.text("SELECT id, reason, data FROM transition WHERE case_id = :case_id"),
            {"case_id": case_id},
        ).all()
    )
