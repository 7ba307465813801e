"""The engine's codes as a Vietnamese page words them, for what a refusal says to an officer
(`CaseworkError.vi`, issue 26): a case's kind, a reception channel, an officer's role, a state
by its legal name, a date as dd/mm/yyyy. The pages have their own catalogue
(entrypoints/web/i18n.py); these are the same words, for the services, which cannot read it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from casework.domain.lifecycle import LifecycleDefinition

KIND_VI: Mapping[str, str] = {
    "denunciation": "tố cáo",
    "complaint": "khiếu nại",
    "petition": "kiến nghị, phản ánh",
    "letter": "đơn",
}
"""A case's kind inside a sentence ("đơn tố cáo", "hồ sơ khiếu nại")."""

KIND_LABEL_VI: Mapping[str, str] = {
    "denunciation": "Tố cáo",
    "complaint": "Khiếu nại",
    "petition": "Kiến nghị, phản ánh",
    "letter": "Đơn chưa phân loại",
}
"""A case's kind as the reception form offers it (the choices of "Loại")."""

CHANNEL_VI: Mapping[str, str] = {
    "letter": "Thư",
    "visit": "Trực tiếp",
    "phone": "Điện thoại",
    "online": "Trực tuyến",
    "forwarded": "Chuyển đến",
}
"""A reception channel as the reception form offers it (the choices of "Hình thức")."""

ROLE_VI: Mapping[str, str] = {
    "reception": "tiếp nhận đơn",
    "handler": "xử lý, xác minh",
    "head": "lãnh đạo cơ quan",
    "supervisor": "theo dõi, đôn đốc",
    "admin": "quản trị hệ thống",
}
"""An officer's role (domain/organisation.Role)."""

NOTICE_STATUS_VI: Mapping[str, str] = {
    "queued": "đang chờ gửi",
    "deferred": "đang được gửi lại",
    "sent": "đã được gửi qua thư điện tử",
    "printed": "đã được in để gửi qua bưu điện",
    "handed": "đã được ghi nhận là đã chuyển",
    "refused": "bị máy chủ thư từ chối",
    "bounced": "bị trả lại",
    "dead": "đã ngừng gửi",
    "needs_attention": "cần xử lý",
}
"""What became of a notice (domain/notice_status.NoticeStatus), after "Thông báo số 12 …"."""


def vi_day(day: date) -> str:
    """`day` as dd/mm/yyyy (a four-digit year even before 1000, as a mistyped year may be)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def kind_vi(kind: str) -> str:
    """A case's kind inside a sentence; "loại khác" for a kind no definition names."""
    return KIND_VI.get(kind, "loại khác")


def case_of_kind_vi(kind: str) -> str:
    """What a case of `kind` is called: "hồ sơ tố cáo", …, and a letter "đơn"."""
    return "đơn" if kind == "letter" else f"hồ sơ {kind_vi(kind)}"


def letter_of_kind_vi(kind: str) -> str:
    """A letter of `kind`: "đơn tố cáo", …, and a letter not yet classified "đơn chưa phân
    loại"."""
    return "đơn chưa phân loại" if kind == "letter" else f"đơn {kind_vi(kind)}"


def choices_vi(codes: Iterable[str], words: Mapping[str, str]) -> str:
    """`codes` by their Vietnamese `words`, separated by semicolons (a choice may hold a
    comma: "Kiến nghị, phản ánh"). A code with no word is left out rather than shown."""
    return "; ".join(words[code] for code in codes if code in words)


def roles_vi(roles: Iterable[str]) -> str:
    """Roles in Vietnamese, separated by semicolons (a role may hold a comma: "xử lý, xác
    minh"), or "chưa có vai trò nào"."""
    return "; ".join(ROLE_VI.get(str(role), "khác") for role in sorted(roles)) or (
        "chưa có vai trò nào"
    )


def state_vi(lifecycle: LifecycleDefinition | None, state: str) -> str:
    """A state by its legal name (the state machines' `legal_name`); a state no definition
    declares any more is called "không còn trong quy trình" rather than shown as a code."""
    found = lifecycle.states.get(state) if lifecycle is not None else None
    return found.legal_name if found is not None else "không còn trong quy trình"
