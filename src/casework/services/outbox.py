"""Look into the outbox, and put notices that did not arrive back in the queue."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from casework.adapters import audit_log, outbox_store
from casework.adapters.audit_log import AuditEvent
from casework.adapters.notice_templates import NoticeRenderer
from casework.domain.access import Principal
from casework.domain.errors import InvalidInput, NotFound, said
from casework.domain.notice_status import MEANINGS, NoticeStatus
from casework.domain.words_vi import NOTICE_STATUS_VI
from casework.resources import notifications_dir
from casework.services.app import Casework
from casework.services.case_access import require_case_access
from casework.services.delivery import max_age, opened_senders
from casework.services.sealing import append_audit

STATUSES = tuple(s.value for s in NoticeStatus)
SEALED_NOTICE = (
    "[sealed: a notice to the sender is kept sealed in the case's vault and opened only to "
    "send it (LTC Art. 8(3)); the decision it tells is on the case]"
)


def _addressee(row: Any) -> str:
    """Where a message goes, without ever showing a denouncer's address."""
    letter = (
        "letter, no postal address"
        if row.status == NoticeStatus.NEEDS_ATTENTION.value
        else "printed letter"
    )
    if row.recipient_party == "denouncer":
        how = {"email": "by email", "letter": letter}.get(
            row.channel, "address looked up on delivery"
        )
        return f"(the denouncer: {how})"
    if row.channel == "letter":
        return f"({letter})"
    return str(row.to_address) or f"({letter})"


def _summary(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "status": row.status,
        "meaning": MEANINGS.get(NoticeStatus(row.status), "") if row.status in STATUSES else "",
        "template": row.template,
        "to": _addressee(row),
        "officer": row.recipient_officer,
        "party": row.recipient_party,
        "channel": row.channel,
        "case": row.context.get("case", {}).get("ref"),
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at.isoformat() if row.next_attempt_at else None,
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        "last_error": row.last_error,
        "message_id": row.message_id,
    }


def list_outbox(
    app: Casework, reader: Principal, status: str | None = None, limit: int = 100
) -> dict[str, Any]:
    """The newest notices, leaving out those about a case that excludes `reader`; the counts
    are of every notice (the queue's health, not its contents)."""
    if status and status not in STATUSES:
        raise InvalidInput(f"unknown status {status!r}; statuses: {', '.join(STATUSES)}")
    with app.reading() as session:
        connection = session.connection()
        rows = outbox_store.newest(connection, reader.username, status, limit)
        counts = outbox_store.counts_by_status(connection)
    return {
        "counts": {s: counts.get(s, 0) for s in STATUSES},
        "messages": [_summary(r) for r in rows],
    }


def show_message(
    app: Casework, reader: Principal, message_id: int, now: datetime
) -> dict[str, Any]:
    """One notice as rendered, for `reader`: a notice about a case that excludes him is
    answered as a missing one, and a notice to the sender, sealed, is shown without its
    text (nobody opens it but the delivery)."""
    missing = NotFound(f"no outbox message {message_id}; `casework outbox list` shows them")
    with app.reading() as session:
        connection = session.connection()
        row = outbox_store.message(connection, message_id, reader.username)
        if row is None:
            raise missing
    if row.sealed_context or row.recipient_party == "denouncer":
        return {**_summary(row), "subject": "", "text": SEALED_NOTICE}
    rendered = NoticeRenderer(notifications_dir()).render(row.template, row.language, row.context)
    return {**_summary(row), "subject": rendered.subject, "text": rendered.text}


def retry_dead(app: Casework, message_id: int | None, now: datetime, by: str) -> int:
    """Queue again notices that did not arrive (one, or every refused, bounced, dead or
    needing-attention one): their attempts start over, by e-mail, and a notice to an officer
    goes to his address as the organisation now records it (the administrator mended it).
    `by` is the officer who asked, on the audit trail."""
    with app.transaction() as connection:
        at = now.astimezone(UTC)
        rows = outbox_store.undelivered(connection, message_id)
        if message_id is not None and not rows:
            raise InvalidInput(
                f"outbox message {message_id} is not refused, bounced, dead or needing "
                "attention; only those are queued again"
            )
        org = app.organisation(connection)
        addresses = {
            row.id: org.officers[row.recipient_officer].email
            for row in rows
            if row.recipient_officer in org.officers
            and org.officers[row.recipient_officer].email
            and org.officers[row.recipient_officer].email != row.to_address
        }
        count = outbox_store.requeue(
            connection, [r.id for r in rows], at, at + max_age(app.settings), addresses
        )
        audit_log.append(
            connection,
            [
                AuditEvent(
                    "notice.requeued",
                    by,
                    None,
                    {"outbox_id": message_id, "count": count, "readdressed": len(addresses)},
                )
            ],
            now,
        )
    return int(count)


HOW_LIMIT = 500


def record_handed(
    app: Casework, message_id: int, officer: Principal, how: str, now: datetime
) -> str:
    """Record that notice `message_id`, which needed attention (a party nobody could e-mail
    or post to), was delivered another way, `how`, by `officer`: one of reception or a head
    who may see its case. Returns the case's reference. `how` may name the party: it goes to
    the audit trail, sealed there where it names the sender."""
    how = " ".join(how.split())
    if not how or len(how) > HOW_LIMIT:
        raise said(
            InvalidInput(
                f"say how the notice was delivered, in at most {HOW_LIMIT} characters (e.g. "
                "'trao tận tay tại trụ sở ngày 06/02/2024')"
            ),
            "Cần ghi thông báo đã được chuyển thế nào, ngày nào, tối đa "
            f"{HOW_LIMIT} ký tự"
            + (f" (đã nhập {len(how)} ký tự)" if how else "")
            + ", ví dụ: «trao tận tay tại trụ sở ngày 06/02/2024»",
        )
    # a notice about a case he may not see is answered as one that does not exist: neither
    # the case's reference nor that there is such a notice
    missing = said(
        NotFound(f"no outbox message {message_id} needing attention"),
        f"Không có thông báo số {message_id} cần xử lý (hoặc đồng chí không có quyền xem hồ sơ "
        "của thông báo này): chọn thông báo trong danh sách «Thông báo cho đương sự cần xử lý» "
        "ở trang Tổng hợp",
    )
    with app.reading() as session:
        connection = session.connection()
        row = outbox_store.message(connection, message_id, officer.username)
        ref = (
            outbox_store.references_of(connection, {row.case_id}).get(row.case_id)
            if (row is not None and row.case_id)
            else None
        )
    if row is None or ref is None or not row.recipient_party:
        raise missing
    try:
        require_case_access(app, officer, ref, now)  # his agencies, and not excluded
    except NotFound:
        raise missing from None
    if row.status != NoticeStatus.NEEDS_ATTENTION.value:
        raise said(
            InvalidInput(
                f"outbox message {message_id} is {row.status}, not needs_attention: only a "
                "notice nobody could e-mail or post is recorded as delivered by hand"
            ),
            f"Thông báo số {message_id} "
            f"{NOTICE_STATUS_VI.get(str(row.status), 'đã có tình trạng khác')}, không phải "
            "thông báo cần xử lý: chỉ thông báo không gửi được qua thư điện tử hay bưu điện mới "
            "được ghi nhận là đã chuyển bằng cách khác",
        )
    senders, _ = opened_senders(app, {row.case_id})  # to seal `how` where it names him
    with app.transaction() as connection:
        if not outbox_store.record_handed(connection, message_id, now.astimezone(UTC)):
            raise said(
                InvalidInput(f"outbox message {message_id} was recorded meanwhile"),
                f"Thông báo số {message_id} vừa được người khác ghi nhận là đã chuyển: mở lại "
                "trang Tổng hợp để xem",
            )
        append_audit(
            app,
            connection,
            [
                AuditEvent(
                    "notice.handed",
                    officer.username,
                    ref,
                    {"outbox_id": message_id, "template": row.template, "how": how},
                )
            ],
            now,
            {ref: senders.get(row.case_id)},
        )
    return ref
