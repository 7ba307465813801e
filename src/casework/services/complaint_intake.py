"""What a complaint records at intake beyond any letter: the contested decision and when the
complainant learnt of it (the limitation period, LKN Art. 9), the facts that select its periods
(remote area, disciplinary, dismissal), who issued the decision (LKN Art. 7(2)–(3)), and, for a
second complaint, the first-instance case it continues."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from casework.adapters.case_store import CaseStore, StoredCase
from casework.adapters.identity_vault import Vault
from casework.adapters.unit_of_work import Transaction
from casework.domain.citations import cite_vi
from casework.domain.errors import InvalidInput, said
from casework.domain.facts import INTAKE_FACTS
from casework.domain.lifecycle import LifecycleDefinition
from casework.domain.organisation import Organisation
from casework.domain.words_vi import case_of_kind_vi, choices_vi, state_vi, vi_day
from casework.services.intake_labels import field_vi

ISSUER_LEVELS = ("other", "provincial_chair", "minister")
ISSUER_LEVELS_VI = {
    "other": "Cấp khác",
    "provincial_chair": "Chủ tịch UBND cấp tỉnh",
    "minister": "Bộ trưởng, Thủ trưởng cơ quan ngang bộ",
}
"""The issuer levels as the reception form offers them."""
RESOLVING_STATES = ("verification", "dialogue", "suspended")


@dataclass(frozen=True)
class ComplaintFacts:
    """The complaint-specific part of an intake."""

    decision_known_on: date | None = None  # received or learnt of the decision or act
    contested_decision: str = ""  # e.g. "Quyết định 123/QĐ-UBND ngày 02/05/2026"
    remote_area: bool = False  # vùng sâu, vùng xa đi lại khó khăn (LKN Arts. 28, 33, 37, 44)
    remote_area_reason: str = ""  # why: a variant is recorded with its reason (LKN Arts. 28, 37)
    disciplinary: bool = False  # against a disciplinary decision (LKN Chapter IV)
    dismissal: bool = False  # the discipline is dismissal (buộc thôi việc, LKN Art. 48)
    issuer_level: str = "other"
    second_instance_of: str | None = None  # reference of the first-instance case


@dataclass(frozen=True)
class ComplaintIntake:
    """Attributes to store, and what a second complaint takes over from the first case."""

    attributes: dict[str, Any]
    identity: dict[str, str] | None = None
    respondent: dict[str, Any] | None = None


def complaint_intake(
    connection: Transaction,
    vault: Vault,
    facts: ComplaintFacts,
    received_on: date,
    agency: str = "",
    org: Organisation | None = None,
    lifecycle: LifecycleDefinition | None = None,
) -> ComplaintIntake:
    """Validate the complaint's facts and turn them into case attributes. `lifecycle`, the
    complaint's, names a first case's state in a refusal on a Vietnamese page."""
    if facts.issuer_level not in ISSUER_LEVELS:
        raise said(
            InvalidInput(
                f"unknown issuer level {facts.issuer_level!r}; allowed: {', '.join(ISSUER_LEVELS)}"
            ),
            f"«{field_vi('complaint.issuer_level')}» không hợp lệ; chọn một trong: "
            f"{choices_vi(ISSUER_LEVELS, ISSUER_LEVELS_VI)}",
        )
    if facts.remote_area and not facts.remote_area_reason.strip():
        raise said(
            InvalidInput(
                "--remote-area needs its reason, e.g. --remote-area 'xã đặc biệt khó khăn, cách "
                "trụ sở 60 km': the longer periods apply on a recorded reason (LKN Arts. 28, 37)"
            ),
            "Vùng sâu, vùng xa cần ghi lý do, ví dụ «xã đặc biệt khó khăn, cách trụ sở 60 km»: "
            "thời hạn dài hơn chỉ áp dụng khi lý do được ghi nhận "
            f"({cite_vi('LKN Arts. 28, 37')})",
        )
    if facts.dismissal and not facts.disciplinary:
        raise said(
            InvalidInput("--dismissal describes a disciplinary decision: add --disciplinary"),
            f"«{field_vi('complaint.dismissal')}» chỉ ghi khi khiếu nại quyết định kỷ luật: "
            f"đánh dấu cả mục «{field_vi('complaint.disciplinary')}»",
        )
    if facts.decision_known_on and facts.decision_known_on > received_on:
        raise said(
            InvalidInput(
                f"the complainant cannot have learnt of the decision on "
                f"{facts.decision_known_on.isoformat()}, after the complaint arrived "
                f"({received_on.isoformat()})"
            ),
            f"«{field_vi('complaint.decision_known_on')}» ({vi_day(facts.decision_known_on)}) "
            f"không thể sau ngày nhận đơn khiếu nại ({vi_day(received_on)})",
        )
    attributes: dict[str, Any] = {"issuer_level": facts.issuer_level}
    for name in INTAKE_FACTS:
        if getattr(facts, name):
            attributes[name] = "yes"
    if facts.remote_area:
        attributes["remote_area_reason"] = facts.remote_area_reason.strip()
    if facts.contested_decision.strip():
        attributes["contested_decision"] = facts.contested_decision.strip()
    if facts.decision_known_on:
        attributes["decision_known_on"] = facts.decision_known_on.isoformat()
    if not facts.second_instance_of:
        return ComplaintIntake(attributes)
    return _second_instance(
        connection, vault, facts.second_instance_of, attributes, agency, org, received_on, lifecycle
    )


def _second_instance(
    connection: Transaction,
    vault: Vault,
    first_ref: str,
    attributes: dict[str, Any],
    agency: str,
    org: Organisation | None,
    received_on: date,
    lifecycle: LifecycleDefinition | None,
) -> ComplaintIntake:
    first = CaseStore(connection).get(first_ref)
    if first.kind != "complaint":
        raise said(
            InvalidInput(f"{first.ref} is a {first.kind}, not a complaint"),
            f"Hồ sơ {first.ref} là {case_of_kind_vi(first.kind)}, không phải hồ sơ khiếu nại: "
            "khiếu nại lần hai chỉ ghi với vụ việc khiếu nại đã giải quyết lần đầu",
        )
    if first.attributes.get("second_instance") == "yes":
        raise said(
            InvalidInput(
                f"{first.ref} is already a second-instance complaint: only a lawsuit remains "
                "(LKN Art. 42)"
            ),
            f"Hồ sơ {first.ref} đã là khiếu nại lần hai: người khiếu nại chỉ còn quyền khởi "
            f"kiện vụ án hành chính ({cite_vi('LKN Art. 42')})",
        )
    if first.attributes.get("issuer_level") == "minister":
        raise said(
            InvalidInput(
                f"{first.ref} contests a minister's decision: there is no second instance, only "
                "a lawsuit (LKN Art. 7(2))"
            ),
            f"Hồ sơ {first.ref} khiếu nại quyết định của Bộ trưởng, Thủ trưởng cơ quan ngang "
            "bộ: không có khiếu nại lần hai, người khiếu nại chỉ có thể khởi kiện vụ án hành "
            f"chính ({cite_vi('LKN Art. 7(2)')})",
        )
    _check_first_instance_done(connection, first, received_on, lifecycle)
    if "decision_known_on" not in attributes:
        attributes["decision_known_on"] = _first_instance_end(connection, first).isoformat()
    if org is not None and first.kind == "complaint":
        _check_second_instance_agency(org, first.agency, first.attributes, agency, first.ref)
    # the first case's facts as typed (a contested decision naming the complainant's household
    # is stored withheld): sealed again under the second case's own key
    sender = vault.senders_of(connection, [first.id]).get(first.id)
    as_typed = {**first.attributes, **(sender.typed_attributes() if sender else {})}
    inherited = {
        key: value
        for key, value in as_typed.items()
        if key
        in (
            "contested_decision",
            "remote_area",
            "remote_area_reason",
            "disciplinary",
            "dismissal",
            "issuer_level",
        )
    }
    attributes = {
        **inherited,
        **{k: v for k, v in attributes.items() if k != "issuer_level"},
        "second_instance": "yes",
        "first_instance_ref": first.ref,
    }
    store = CaseStore(connection)
    case_row = store.case_row(first.id)
    return ComplaintIntake(
        attributes,
        identity=sender.identity if sender is not None else None,
        respondent={
            "denounced_name": case_row.denounced_name,
            "denounced_officer": case_row.denounced_officer,
            "denounced_agency": case_row.denounced_agency,
            "denounced_email": case_row.denounced_email,
        },
    )


def _first_instance_end(connection: Transaction, first: StoredCase) -> date:
    """The day the second complaint's limitation counts from when the officer typed none: the
    start of the first case's window for it — the day its decision was sent, or the day its
    period ran out without one (LKN Art. 33(1)) — or, before a sweep opened that window, the
    run-out period's due date itself."""
    clocks = CaseStore(connection).latest_clocks(first.id)
    window = clocks.get("complaint.second_instance_window")
    if window is not None:
        return window.start_on
    resolve = clocks.get("complaint.resolve_first")
    if first.state in RESOLVING_STATES and resolve is not None and resolve.due is not None:
        return resolve.due  # _check_first_instance_done found it run out
    raise said(
        InvalidInput(
            f"the first-instance decision of {first.ref} is not recorded as sent to the "
            "complainant: give --decision-known-on YYYY-MM-DD, the day the complainant received "
            "or learnt of it (LKN Art. 33(1))"
        ),
        f"Chưa ghi nhận quyết định giải quyết lần đầu của hồ sơ {first.ref} đã được gửi cho "
        f"người khiếu nại: ghi «{field_vi('complaint.decision_known_on')}» là ngày người khiếu "
        "nại nhận được hoặc biết được quyết định giải quyết lần đầu "
        f"({cite_vi('LKN Art. 33(1)')})",
    )


def _check_second_instance_agency(
    org: Organisation, first_agency: str, first: dict[str, Any], agency: str, ref: str
) -> None:
    """The second instance belongs to the direct superior (LKN Art. 7(1)); for a provincial
    chairperson's decision, to the minister of the sector (Art. 7(3)), never the same body."""

    def name(code: str) -> str:
        return org.agencies[code].name if code in org.agencies else code

    if agency == first_agency:
        raise said(
            InvalidInput(
                f"{ref} was resolved by {first_agency}: the second instance belongs to another "
                "body (LKN Art. 7)"
            ),
            f"Hồ sơ {ref} do {name(first_agency)} giải quyết lần đầu: khiếu nại lần hai thuộc "
            f"thẩm quyền của cơ quan khác ({cite_vi('LKN Art. 7')})",
        )
    if first.get("issuer_level") == "provincial_chair":
        return  # the sector minister, who need not be in this organisation's tree
    superior = org.agencies[first_agency].superior if first_agency in org.agencies else None
    if superior and agency != superior:
        raise said(
            InvalidInput(
                f"the second instance of {ref} belongs to the direct superior of {first_agency}: "
                f"--agency {superior} (LKN Art. 7(1)); for a provincial chairperson's decision, "
                "the sector minister (Art. 7(3): record it with --issuer-level provincial_chair)"
            ),
            f"Khiếu nại lần hai đối với hồ sơ {ref} thuộc thẩm quyền của {name(superior)}, cấp "
            f"trên trực tiếp của {name(first_agency)} ({cite_vi('LKN Art. 7(1)')}): đơn được "
            f"vào sổ tại {name(superior)}; nếu quyết định bị khiếu nại do Chủ tịch UBND cấp "
            "tỉnh ban hành thì thuộc Bộ trưởng quản lý ngành, lĩnh vực "
            f"({cite_vi('LKN Art. 7(3)')}): ghi cấp người ra quyết định là Chủ tịch UBND cấp tỉnh",
        )


def _check_first_instance_done(
    connection: Transaction,
    first: StoredCase,
    received_on: date,
    lifecycle: LifecycleDefinition | None,
) -> None:
    """A second complaint follows a first-instance decision the complainant did not take to
    court, or a first-instance period that ran out without one (LKN Art. 33(1)); and only one
    second complaint continues a first case."""
    appeals = [dict(row.data or {}) for row in CaseStore(connection).steps_of(first.id, ["appeal"])]
    continued = [a["second_case"] for a in appeals if a.get("second_case")]
    if continued:
        raise said(
            InvalidInput(
                f"{first.ref} is already continued by the second complaint {continued[0]}"
            ),
            f"Hồ sơ {first.ref} đã có khiếu nại lần hai là hồ sơ {continued[0]}",
        )
    if any(a.get("route") == "lawsuit" for a in appeals):
        raise said(
            InvalidInput(
                f"{first.ref} was taken to court (appeal route=lawsuit): the court now decides, "
                "and a complaint on the same matter is not accepted (LKN Art. 11(9))"
            ),
            f"Vụ việc của hồ sơ {first.ref} đã được khởi kiện ra Tòa án: Tòa án giải quyết, "
            f"khiếu nại cùng nội dung không được thụ lý ({cite_vi('LKN Art. 11(9)')})",
        )
    if first.state == "decided":
        return
    if first.state in ("appealed", "closed") and appeals:
        return  # the appeal to the superior is already recorded on the first case
    if first.state in RESOLVING_STATES:
        resolve = CaseStore(connection).latest_clocks(first.id).get("complaint.resolve_first")
        if resolve is not None and resolve.due is not None and resolve.due < received_on:
            return  # the first instance ran out of time without a decision
        until = f" runs until {resolve.due.isoformat()}" if resolve and resolve.due else " runs"
        until_vi = (
            f" (thời hạn giải quyết đến ngày {vi_day(resolve.due)})"
            if resolve is not None and resolve.due is not None
            else ""
        )
        raise said(
            InvalidInput(
                f"{first.ref} is still being resolved (its period{until}): a second complaint "
                "follows the first-instance decision, or that period running out "
                "(LKN Art. 33(1))"
            ),
            f"Hồ sơ {first.ref} đang được giải quyết lần đầu{until_vi}: khiếu nại lần hai chỉ "
            "thực hiện sau khi có quyết định giải quyết lần đầu, hoặc khi hết thời hạn giải "
            f"quyết mà khiếu nại không được giải quyết ({cite_vi('LKN Art. 33(1)')})",
        )
    raise said(
        InvalidInput(
            f"{first.ref} is {first.state}: a second complaint follows a first-instance "
            "decision, or a first-instance period that ran out (LKN Art. 33(1))"
        ),
        f"Hồ sơ {first.ref} đang ở trạng thái «{state_vi(lifecycle, first.state)}»: khiếu nại "
        "lần hai chỉ thực hiện sau khi có quyết định giải quyết lần đầu, hoặc khi hết thời hạn "
        f"giải quyết lần đầu ({cite_vi('LKN Art. 33(1)')})",
    )
