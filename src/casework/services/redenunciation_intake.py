"""A denunciation made again to the head of the superior agency (LTC Arts. 37–38): the
denouncer says the case was resolved unlawfully (Art. 37), or left unresolved past its time
limit (Art. 38). It is a case of its own at the superior, linked to the original, which keeps
its own history; a takeover later hands the original over (ND31 Art. 5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from casework.adapters.case_store import CaseStore
from casework.adapters.unit_of_work import Transaction
from casework.domain.citations import cite_vi
from casework.domain.errors import InvalidInput, said
from casework.domain.lifecycle import LifecycleDefinition
from casework.domain.organisation import Organisation
from casework.domain.words_vi import case_of_kind_vi, state_vi, vi_day

GROUNDS = ("unlawful", "late")
"""unlawful: the resolution was unlawful (Art. 37); late: the time limit passed (Art. 38)."""
RESOLVED_STATES = ("concluded", "referred", "closed")
OPEN_STATES = ("received", "triage", "inspection", "suspended")
GROUNDS_VI = {
    "unlawful": "Có dấu hiệu giải quyết không đúng pháp luật",
    "late": "Quá thời hạn mà tố cáo chưa được giải quyết",
}
"""The grounds as the reception form offers them."""


@dataclass(frozen=True)
class Redenunciation:
    """What the reception officer of the superior records about the earlier case."""

    of_ref: str
    ground: str


@dataclass(frozen=True)
class RedenunciationIntake:
    attributes: dict[str, Any]
    denounced: dict[str, Any]
    original_id: int


def redenunciation_intake(
    connection: Transaction,
    org: Organisation,
    facts: Redenunciation,
    agency: str,
    received_on: date,
    lifecycle: LifecycleDefinition | None = None,
) -> RedenunciationIntake:
    """Check that the earlier case can be denounced again to `agency`, and carry its denounced
    party (never its sender: see services/intake.py). `lifecycle`, the denunciation's, names
    the earlier case's state in a refusal on a Vietnamese page."""
    if facts.ground not in GROUNDS:
        raise said(
            InvalidInput(
                f"unknown re-denunciation ground {facts.ground!r}; allowed: {', '.join(GROUNDS)} "
                "(unlawful: LTC Art. 37; late: LTC Art. 38)"
            ),
            f"Lý do tố cáo tiếp không hợp lệ; chọn một trong: {GROUNDS_VI['unlawful']} "
            f"({cite_vi('LTC Art. 37')}); {GROUNDS_VI['late']} ({cite_vi('LTC Art. 38')})",
        )
    store = CaseStore(connection)
    original = store.get(facts.of_ref)
    if original.kind != "denunciation":
        raise said(
            InvalidInput(
                f"{original.ref} is a {original.kind}: only a denunciation is re-denounced"
            ),
            f"Hồ sơ {original.ref} là {case_of_kind_vi(original.kind)}: chỉ vụ việc tố cáo mới "
            "được tố cáo tiếp",
        )
    superior = org.agencies[original.agency].superior if original.agency in org.agencies else None
    if agency != superior:
        lower = _agency_name(org, original.agency)
        raise said(
            InvalidInput(
                f"a re-denunciation of {original.ref} goes to the head of the direct superior of "
                f"{original.agency}: --agency {superior or '(none recorded in the organisation)'} "
                "(LTC Arts. 37(1), 38(1))"
            ),
            f"Tố cáo tiếp đối với hồ sơ {original.ref} gửi đến người đứng đầu cơ quan cấp trên "
            f"trực tiếp của {lower}"
            + (
                f" là {_agency_name(org, superior)}: đơn được vào sổ tại "
                f"{_agency_name(org, superior)}"
                if superior
                else ", nhưng danh sách tổ chức không ghi cơ quan cấp trên nào"
            )
            + f" ({cite_vi('LTC Arts. 37(1), 38(1)')})",
        )
    if facts.ground == "unlawful" and original.state not in RESOLVED_STATES:
        raise said(
            InvalidInput(
                f"{original.ref} is {original.state}, not yet resolved: a re-denunciation for an "
                "unlawful resolution follows a conclusion (LTC Art. 37(1)); if its time limit "
                "has passed, the ground is late"
            ),
            f"Hồ sơ {original.ref} đang ở trạng thái «{state_vi(lifecycle, original.state)}», "
            "chưa giải quyết xong: tố cáo tiếp vì giải quyết không đúng pháp luật chỉ thực hiện "
            f"sau khi có kết luận nội dung tố cáo ({cite_vi('LTC Art. 37(1)')}); nếu đã quá "
            f"thời hạn giải quyết thì chọn lý do «{GROUNDS_VI['late']}»",
        )
    if facts.ground == "late":
        _check_overdue(store, original.id, original.ref, original.state, received_on, lifecycle)
    case_row = store.case_row(original.id)
    return RedenunciationIntake(
        attributes={"redenunciation_of": original.ref, "redenunciation": facts.ground},
        denounced={
            "denounced_name": case_row.denounced_name,
            "denounced_officer": case_row.denounced_officer,
            "denounced_agency": case_row.denounced_agency,
            "denounced_email": case_row.denounced_email,
        },
        original_id=original.id,
    )


def _agency_name(org: Organisation, code: str) -> str:
    return org.agencies[code].name if code in org.agencies else code


def _check_overdue(
    store: CaseStore,
    case_id: int,
    ref: str,
    state: str,
    received_on: date,
    lifecycle: LifecycleDefinition | None,
) -> None:
    if state not in OPEN_STATES:
        raise said(
            InvalidInput(
                f"{ref} is {state}: a re-denunciation for delay concerns a case still unresolved "
                "(LTC Art. 38(1)); for a resolution said to be unlawful the ground is unlawful"
            ),
            f"Hồ sơ {ref} đang ở trạng thái «{state_vi(lifecycle, state)}»: tố cáo tiếp vì quá "
            f"hạn chỉ áp dụng với tố cáo chưa được giải quyết ({cite_vi('LTC Art. 38(1)')}); "
            "nếu cho rằng việc giải quyết không đúng pháp luật thì chọn lý do "
            f"«{GROUNDS_VI['unlawful']}»",
        )
    resolve = store.latest_clocks(case_id).get("denunciation.resolve")
    if resolve is None or resolve.status == "stopped" or resolve.due is None:
        raise said(
            InvalidInput(
                f"{ref} has no running resolution period to be late on (LTC Art. 38(1) concerns "
                "a denunciation accepted and not resolved in time)"
            ),
            f"Hồ sơ {ref} không có thời hạn giải quyết tố cáo đang tính nên không thể quá hạn "
            f"({cite_vi('LTC Art. 38(1)')} áp dụng với tố cáo đã được thụ lý mà không được giải "
            "quyết đúng thời hạn)",
        )
    if resolve.due >= received_on:
        raise said(
            InvalidInput(
                f"{ref}'s resolution period runs until {resolve.due.isoformat()}: it is not late "
                f"on {received_on.isoformat()} (LTC Art. 38(1))"
            ),
            f"Thời hạn giải quyết hồ sơ {ref} đến ngày {vi_day(resolve.due)}: đến ngày "
            f"{vi_day(received_on)} chưa quá hạn ({cite_vi('LTC Art. 38(1)')})",
        )
