"""What the engine says to whom: the outbox rows an event causes, with the data to render them.

Rows are written in the transaction of their cause. Their context holds only what the template
needs — references, dates, names of officers and agencies — never a denouncer's identity.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from casework.domain.calendar import working_days_between
from casework.domain.escalation import LadderStep
from casework.domain.notice_status import NoticeStatus
from casework.domain.organisation import Organisation
from casework.services.app import Casework

_NAMESPACE = uuid.UUID("6f1d7c52-3c1e-4c55-9b39-6a0c6d5e2a10")
_NAMESPACE_BYTES = _NAMESPACE.bytes


def message_id_for(dedupe_key: str, domain: str, installation: str) -> str:
    """A Message-ID fixed by the notice's cause: every retry of it carries the same one. The
    installation's id keeps two installations' notices with the same cause apart; the domain
    is the sender address's (never its display name)."""
    return f"<{name_based_uuid(f'{installation}/{dedupe_key}')}@{domain}>"


def name_based_uuid(name: str) -> str:
    """`str(uuid.uuid5(_NAMESPACE, name))`, spelt out (RFC 4122 §4.3): a sweep of 10^6 open
    cases queues ten thousand notices, and building UUID objects was a tenth of its Python
    time. tests/unit/test_message_ids.py holds it to the standard library's answer."""
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + name.encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # the RFC 4122 variant
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def outbox_row(
    app: Casework,
    dedupe_key: str,
    template: str,
    to_officer: str | None,
    to_address: str,
    context: dict[str, Any],
    now: datetime,
    case_id: int | None = None,
) -> dict[str, Any]:
    """A queued outbox row: queued now, its Message-ID fixed by its cause."""
    now = now.astimezone(UTC)  # stored instants are UTC: SQLite keeps no offset
    settings = app.settings
    return {
        "dedupe_key": dedupe_key,
        "message_id": message_id_for(dedupe_key, settings.sender().domain, app.installation_id),
        "template": template,
        "language": settings.notice_language,
        "case_id": case_id,
        "recipient_officer": to_officer,
        "to_address": to_address,
        "context": context,
        "sealed_context": "",
        "status": NoticeStatus.QUEUED.value,
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": "",
        "created_at": now,
        "sent_at": None,
    }


@dataclass(frozen=True)
class NoticeFacts:
    """One escalation step of one clock of one case."""

    case_id: int
    ref: str
    kind: str
    state: str
    agency: str
    clock_id: int
    clock_code: str
    rule_version: str
    due: date
    step: LadderStep
    fires_on: date


def escalation_notices(
    app: Casework,
    facts: NoticeFacts,
    recipients: list[dict[str, str]],
    org: Organisation,
    now: datetime,
) -> list[dict[str, Any]]:
    """Outbox rows for one fired step: one per recipient with an email address."""
    rule = app.rules.version(facts.clock_code, facts.rule_version)
    lifecycle = app.definitions.lifecycle(facts.kind)
    agency = org.agencies.get(facts.agency)
    overdue = (
        working_days_between(app.calendar, facts.due, facts.fires_on)
        if facts.fires_on > facts.due
        else 0
    )
    settings = app.settings
    rows = []
    for recipient in recipients:
        if not recipient.get("email"):
            continue
        key = (
            f"escalation:{facts.clock_id}:{facts.step.code}:{facts.due.isoformat()}:"
            f"{recipient['officer']}"
        )
        rows.append(
            outbox_row(
                app,
                key,
                f"escalation.{facts.step.code}",
                recipient["officer"],
                recipient["email"],
                {
                    "recipient": {"name": recipient["name"], "post": recipient["post"]},
                    "case": {
                        "ref": facts.ref,
                        "kind": facts.kind,
                        "agency_name": agency.name if agency else facts.agency,
                        "state_legal_name": lifecycle.states[facts.state].legal_name,
                    },
                    "clock": {
                        "code": facts.clock_code,
                        "title": rule.title_in(settings.notice_language),
                        "basis": rule.basis,
                        "due": facts.due.isoformat(),
                    },
                    "step": {
                        "code": facts.step.code,
                        "title": facts.step.title,
                        "fires_on": facts.fires_on.isoformat(),
                    },
                    "days_overdue": overdue,
                    "link": f"{settings.public_url.rstrip('/')}/cases/{facts.ref}",
                },
                now,
                case_id=facts.case_id,
            )
        )
    return rows
