"""What reception gives for a new case, field by field, as the Vietnamese reception form names
it: an intake refusal on a Vietnamese page names the field so, never by its code (`received`,
`complaint.decision_known_on`) nor by a command-line option. The words are the form's
(entrypoints/web/i18n.py), shortened where a refusal names them inside a sentence."""

from __future__ import annotations

from collections.abc import Mapping

FIELDS_VI: Mapping[str, str] = {
    "kind": "Loại đơn",
    "agency": "Cơ quan giải quyết",
    "received": "Ngày nhận",
    "summary": "Nội dung",
    "channel": "Hình thức",
    "forwarded_by": "Cơ quan chuyển đơn",
    "denouncer": "Người gửi đơn",
    "anonymous": "Đơn không rõ người gửi (nặc danh)",
    "historical": "Lý do nhập hồ sơ cũ",
    "denounced_name": "Người, cơ quan bị tố cáo / bị khiếu nại",
    "denounced_officer": "Cán bộ bị tố cáo / bị khiếu nại",
    "denounced_agency": "Cơ quan bị tố cáo / bị khiếu nại",
    "denounced_email": "Thư điện tử của người bị tố cáo / bị khiếu nại",
    "also_denounced": "Người bị tố cáo khác",
    "complaint": "Đơn khiếu nại",
    "from_letter": "Đơn được phân loại",
    "classified_on": "Ngày phân loại đơn",
    "redenunciation_of": "Tố cáo tiếp đối với vụ việc số",
    "redenunciation_ground": "Lý do tố cáo tiếp",
    # the sender (`denouncer`)
    "denouncer.full_name": "Họ tên người gửi đơn",
    "denouncer.address": "Địa chỉ người gửi đơn",
    "denouncer.contact": "Điện thoại người gửi đơn",
    "denouncer.id_number": "Số CCCD của người gửi đơn",
    "denouncer.email": "Thư điện tử của người gửi đơn",
    # a complaint's facts (`complaint`)
    "complaint.decision_known_on": "Ngày biết được quyết định bị khiếu nại",
    "complaint.contested_decision": "Quyết định, hành vi bị khiếu nại",
    "complaint.remote_area": "Vùng sâu, vùng xa, đi lại khó khăn",
    "complaint.remote_area_reason": "Lý do vùng sâu, vùng xa",
    "complaint.disciplinary": "Khiếu nại quyết định kỷ luật cán bộ, công chức",
    "complaint.dismissal": "Hình thức kỷ luật buộc thôi việc",
    "complaint.issuer_level": "Cấp của người ra quyết định bị khiếu nại",
    "complaint.second_instance_of": "Khiếu nại lần hai đối với vụ việc số",
    # one further denounced party given as a mapping (`also_denounced`)
    "also_denounced.name": "Họ tên người bị tố cáo",
    "also_denounced.officer": "Mã cán bộ bị tố cáo",
    "also_denounced.agency": "Mã cơ quan bị tố cáo",
}
"""Field (`services/intake_form.INTAKE_FIELDS`; `group.field` inside a mapping) → its name
on a Vietnamese page."""


def field_vi(name: str) -> str:
    """Field `name` as a Vietnamese page names it ("Thông tin đã nhập" for one not listed)."""
    return FIELDS_VI.get(name, "Thông tin đã nhập")
