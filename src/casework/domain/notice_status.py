"""What became of a notice: the one list of outbox statuses, what each means, and in which of
them a notice still waits, has arrived, or needs someone (issue 25).

A notice is never marked delivered for a channel it did not take: "sent" means a mail server
accepted it, "printed" that a letter with a postal address was written for posting.
"""

from __future__ import annotations

from enum import StrEnum


class NoticeStatus(StrEnum):
    QUEUED = "queued"  # not tried yet
    DEFERRED = "deferred"  # tried; a temporary failure, tried again later
    SENT = "sent"  # a mail server accepted it
    PRINTED = "printed"  # written as a letter to post, to a postal address on record
    HANDED = "handed"  # delivered by hand or another way, recorded by an officer
    REFUSED = "refused"  # the server refused it for good (5xx); its reply is kept
    BOUNCED = "bounced"  # accepted, then returned by a delivery status notification
    DEAD = "dead"  # given up: undelivered at its age limit, or it cannot be composed
    NEEDS_ATTENTION = "needs_attention"  # a party cannot be reached: no e-mail, no address


WAITING = frozenset({NoticeStatus.QUEUED, NoticeStatus.DEFERRED})
"""Statuses a delivery run claims from."""

DELIVERED = frozenset({NoticeStatus.SENT, NoticeStatus.PRINTED, NoticeStatus.HANDED})

PROBLEMS = frozenset(
    {
        NoticeStatus.REFUSED,
        NoticeStatus.BOUNCED,
        NoticeStatus.DEAD,
        NoticeStatus.NEEDS_ATTENTION,
    }
)
"""Final statuses that someone must act on: an administrator is alerted to each."""

RETRIABLE = PROBLEMS
"""Statuses an administrator may queue again, once the address or the server is mended."""

MEANINGS: dict[NoticeStatus, str] = {
    NoticeStatus.QUEUED: "waiting for its first attempt",
    NoticeStatus.DEFERRED: "a temporary failure (server down, 4xx reply, rate limit): tried "
    "again with a growing delay until its age limit",
    NoticeStatus.SENT: "accepted by the mail server (a later bounce changes it to bounced)",
    NoticeStatus.PRINTED: "written as a letter to post, to the postal address on record",
    NoticeStatus.HANDED: "delivered by hand or another way, as an officer of reception or a "
    "head recorded (how is on the audit trail)",
    NoticeStatus.REFUSED: "refused for good by the mail server (5xx); the reply is kept; "
    "the administrator is alerted",
    NoticeStatus.BOUNCED: "accepted, then returned undelivered (a delivery status "
    "notification); the administrator is alerted",
    NoticeStatus.DEAD: "given up: still undelivered at its age limit, or it cannot be "
    "composed; the administrator is alerted",
    NoticeStatus.NEEDS_ATTENTION: "a notice to a party that cannot be e-mailed and has no "
    "postal address on record: reception must find a way to deliver it",
}

LABELS_VI: dict[NoticeStatus, str] = {
    NoticeStatus.QUEUED: "Chờ gửi",
    NoticeStatus.DEFERRED: "Đang thử gửi lại",
    NoticeStatus.SENT: "Đã gửi",
    NoticeStatus.PRINTED: "Đã in để gửi bưu điện",
    NoticeStatus.HANDED: "Đã chuyển trực tiếp",
    NoticeStatus.REFUSED: "Bị máy chủ thư từ chối",
    NoticeStatus.BOUNCED: "Bị trả lại",
    NoticeStatus.DEAD: "Không gửi được",
    NoticeStatus.NEEDS_ATTENTION: "Cần xử lý",
}
"""The statuses as officers read them (the dashboard)."""
