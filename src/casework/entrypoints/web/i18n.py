"""The words of the web UI in Vietnamese (the default) and English."""

from __future__ import annotations

LANGUAGES = ("vi", "en")

TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "app": "Hệ thống theo dõi giải quyết đơn",
        "sign_in": "Đăng nhập",
        "sign_out": "Đăng xuất",
        "username": "Tên đăng nhập (mã cán bộ)",
        "password": "Mật khẩu",
        "my_cases": "Hồ sơ của tôi",
        "new_case": "Tiếp nhận đơn",
        "dashboard": "Tổng hợp",
        "board_title": "Tổng hợp tình hình giải quyết đơn",
        "as_of": "Số liệu đến ngày",
        "by_unit": "Theo đơn vị",
        "by_clock": "Theo loại thời hạn",
        "open_cases": "Đang giải quyết",
        "overdue_count": "Quá hạn",
        "due_soon": "Sắp đến hạn",
        "due_soon_note": "Sắp đến hạn: đến hạn trong {n} ngày làm việc tới (đến hết ngày {horizon}).",
        "total": "Tổng cộng",
        "overdue_list": "Hồ sơ quá hạn",
        "overdue_shown": "Hiển thị {shown} trên {total} thời hạn quá hạn, quá hạn lâu nhất trước.",
        "nothing_overdue": "Không có hồ sơ quá hạn.",
        "overdue_withheld": (
            "{n} thời hạn quá hạn được tính trong số liệu nhưng không hiển thị ở đây: đồng chí "
            "không được xem các hồ sơ này (khoản 3 Điều 8 Luật Tố cáo)."
        ),
        "nothing_due": "Không có thời hạn quá hạn hoặc sắp đến hạn.",
        "working_days_overdue": "Quá hạn (ngày làm việc)",
        "alerts": "Cảnh báo chưa xác nhận",
        "no_alerts": "Không có cảnh báo nào chờ xác nhận.",
        "step": "Mức cảnh báo",
        "fires_on": "Ngày cảnh báo",
        "acknowledge": "Xác nhận đã nắm",
        "acknowledged": "Đã xác nhận cảnh báo về hồ sơ {ref}.",
        "deadline_calendar": "Lịch đến hạn 4 tuần tới",
        "calendar_note": "Số thời hạn đến hạn mỗi ngày; ô tô màu là ngày nghỉ.",
        "weekdays": "T2,T3,T4,T5,T6,T7,CN",
        "on_time_vs_late": "Đúng hạn và trễ hạn (12 tháng qua)",
        "on_time": "Đúng hạn",
        "late": "Trễ hạn",
        "month": "Tháng",
        "no_outcomes": "Chưa có thời hạn nào kết thúc trong 12 tháng qua.",
        "ref": "Số hồ sơ",
        "kind": "Loại",
        "state": "Trạng thái",
        "agency": "Cơ quan",
        "handler": "Người xử lý",
        "received": "Ngày nhận",
        "next_due": "Hạn gần nhất",
        "summary": "Nội dung",
        "overdue": "QUÁ HẠN",
        "no_cases": "Không có hồ sơ.",
        "export_csv": "Tải danh sách (CSV, không có thông tin người tố cáo)",
        "clocks": "Thời hạn",
        "clock": "Thời hạn",
        "due": "Hạn",
        "days_left": "Còn (ngày làm việc)",
        "status": "Tình trạng",
        "basis": "Căn cứ",
        "history": "Diễn biến",
        "actions": "Thao tác được phép",
        "apply": "Thực hiện",
        "on": "Ngày",
        "reason": "Lý do",
        "blocked": "Chưa thể thực hiện",
        "explain": "Cách tính",
        "receipt": "Giấy biên nhận",
        "print": "In",
        "save": "Lưu",
        "denouncer_name": "Họ tên người gửi đơn",
        "denouncer_address": "Địa chỉ",
        "denouncer_id": "Số CCCD",
        "denouncer_contact": "Điện thoại",
        "anonymous": "Đơn không rõ người gửi (nặc danh)",
        "denounced_name": "Người, cơ quan bị tố cáo / bị khiếu nại",
        "more_denounced": "Người bị tố cáo khác (nếu đơn tố cáo nhiều người, mỗi người một dòng)",
        "channel": "Hình thức",
        "follow_up": "Theo dõi hồ sơ",
        "receipt_intro": "Cơ quan đã tiếp nhận đơn của Ông/Bà.",
        "repeat": "Người gửi đã có đơn cùng nội dung",
        "logged_withheld": (
            "Đã vào sổ đơn số {ref}, nhận ngày {received}. Đơn có thể liên quan đến chính "
            "đồng chí hoặc lãnh đạo cơ quan mình nên đồng chí không xem được hồ sơ; hồ sơ do "
            "cấp trên xem xét, kể cả việc cấp phiếu tiếp nhận cho người gửi."
        ),
        "language": "English",
        "wrong_login": "Sai tên đăng nhập hoặc mật khẩu.",
        "refused": "Không thực hiện được",
        "none": "—",
        # case kinds and reception channels by their codes (`kind_<code>`, `channel_<code>`)
        "kind_denunciation": "Tố cáo",
        "kind_complaint": "Khiếu nại",
        "kind_petition": "Kiến nghị, phản ánh",
        "kind_letter": "Đơn chưa phân loại",
        "channel_letter": "Thư",
        "channel_visit": "Trực tiếp",
        "channel_phone": "Điện thoại",
        "channel_online": "Trực tuyến",
        "channel_forwarded": "Chuyển đến",
        "assign": "Giao người xử lý",
        "parties": "Người bị tố cáo, người bị khiếu nại",
        "possible_repeat": (
            "Đơn này có thể trùng với một đơn đã nhận trước đây về cùng nội dung; lãnh đạo bộ "
            "phận tiếp nhận sẽ kiểm tra."
        ),
        "party_officer": "cán bộ",
        "party_agency": "cơ quan, tổ chức",
        "party_person": "người ngoài cơ quan (hoặc chưa xác định)",
        "may_be": "Có thể là",
        "pending_note": (
            "Những cán bộ này được coi như người bị tố cáo, không xem được hồ sơ, cho đến khi "
            "một người đứng đầu không thuộc diện này xác nhận là người khác."
        ),
        "confirmed_outside": "Đã xác nhận là người ngoài cơ quan ({who}): {reason}",
        "confirm_outside": "Xác nhận là người ngoài cơ quan",
        "identify": "Xác định là cán bộ",
        "party_done": "Đã ghi nhận thông tin người bị tố cáo của hồ sơ {ref}.",
        "recuse": "Từ chối tham gia giải quyết hồ sơ",
        "recuse_note": (
            "Sau khi từ chối, đồng chí không còn xem được hồ sơ này; nếu đồng chí đang được giao "
            "xử lý, người đứng đầu sẽ được thông báo để phân công người khác."
        ),
        "recused": "Đã ghi nhận việc đồng chí từ chối tham gia giải quyết hồ sơ {ref}.",
        "logged_candidates": (
            "Lưu ý: “{typed}” có thể là cán bộ {names}. Cán bộ này được coi như người bị tố "
            "cáo, không xem được hồ sơ, cho đến khi người đứng đầu xác nhận là người khác."
        ),
        "identity": "Thông tin người gửi đơn (bảo mật)",
        "show_identity": "Xem thông tin người gửi đơn (việc xem được ghi nhật ký)",
        "identity_reads": "Nhật ký xem thông tin người gửi đơn",
        "anonymous_case": "Đơn không có thông tin người gửi.",
    },
    "en": {
        "app": "Casework: letters on legal clocks",
        "sign_in": "Sign in",
        "sign_out": "Sign out",
        "username": "Username (officer code)",
        "password": "Password",
        "my_cases": "My cases",
        "new_case": "Log a letter",
        "dashboard": "Dashboard",
        "board_title": "Supervisor dashboard",
        "as_of": "As of",
        "by_unit": "By unit",
        "by_clock": "By clock",
        "open_cases": "Open",
        "overdue_count": "Overdue",
        "due_soon": "Due soon",
        "due_soon_note": "Due soon: due within the next {n} working days (up to {horizon}).",
        "total": "Total",
        "overdue_list": "Overdue cases",
        "overdue_shown": "Showing {shown} of {total} overdue clocks, longest overdue first.",
        "nothing_overdue": "Nothing is overdue.",
        "overdue_withheld": (
            "{n} overdue clock(s) are counted in the figures but not listed here: you may not "
            "see those cases (Law on Denunciation Art. 8(3))."
        ),
        "nothing_due": "Nothing overdue or due soon.",
        "working_days_overdue": "Working days overdue",
        "alerts": "Alerts to acknowledge",
        "no_alerts": "No alerts waiting for you.",
        "step": "Step",
        "fires_on": "Raised on",
        "acknowledge": "Acknowledge",
        "acknowledged": "Alert on {ref} acknowledged.",
        "deadline_calendar": "Deadlines, next 4 weeks",
        "calendar_note": "Clocks due each day; shaded days are days off.",
        "weekdays": "Mon,Tue,Wed,Thu,Fri,Sat,Sun",
        "on_time_vs_late": "On time vs late (last 12 months)",
        "on_time": "On time",
        "late": "Late",
        "month": "Month",
        "no_outcomes": "No clock ended in the last 12 months.",
        "ref": "Case",
        "kind": "Kind",
        "state": "State",
        "agency": "Agency",
        "handler": "Handler",
        "received": "Received",
        "next_due": "Next due",
        "summary": "Summary",
        "overdue": "OVERDUE",
        "no_cases": "No cases.",
        "export_csv": "Download the list (CSV, without any sender's identity)",
        "clocks": "Clocks",
        "clock": "Clock",
        "due": "Due",
        "days_left": "Working days left",
        "status": "Status",
        "basis": "Legal basis",
        "history": "Timeline",
        "actions": "Allowed actions",
        "apply": "Apply",
        "on": "Date",
        "reason": "Reason",
        "blocked": "Not possible yet",
        "explain": "How it was counted",
        "receipt": "Acknowledgement receipt",
        "print": "Print",
        "save": "Save",
        "denouncer_name": "Sender's full name",
        "denouncer_address": "Address",
        "denouncer_id": "Citizen ID",
        "denouncer_contact": "Phone",
        "anonymous": "Anonymous letter",
        "denounced_name": "Person or body denounced / complained against",
        "more_denounced": "Others denounced (if the letter names several, one per line)",
        "channel": "Channel",
        "follow_up": "Follow the case",
        "receipt_intro": "Your letter has been received.",
        "repeat": "The sender already wrote about the same matter",
        "logged_withheld": (
            "Logged as {ref}, received on {received}. The letter may concern you or the head "
            "of your agency, so its file is not shown to you; the superior agency handles it, "
            "including the receipt for the sender."
        ),
        "language": "Tiếng Việt",
        "wrong_login": "Wrong username or password.",
        "refused": "Refused",
        "none": "—",
        "kind_denunciation": "Denunciation",
        "kind_complaint": "Complaint",
        "kind_petition": "Petition or reflection",
        "kind_letter": "Unclassified letter",
        "channel_letter": "Letter",
        "channel_visit": "In person",
        "channel_phone": "Phone",
        "channel_online": "Online",
        "channel_forwarded": "Forwarded",
        "assign": "Assign a handler",
        "parties": "Denounced or respondent",
        "possible_repeat": (
            "This letter may repeat an earlier one on the same matter; the reception head will "
            "check it."
        ),
        "party_officer": "officer",
        "party_agency": "agency",
        "party_person": "outside person (or not yet settled)",
        "may_be": "May be",
        "pending_note": (
            "These officers are treated as denounced, and do not see the case, until a head "
            "who is not one of them confirms it is someone else."
        ),
        "confirmed_outside": "Confirmed an outside person ({who}): {reason}",
        "confirm_outside": "Confirm an outside person",
        "identify": "It is the officer",
        "party_done": "The parties of {ref} are recorded.",
        "recuse": "Recuse yourself from the case",
        "recuse_note": (
            "Once recused you no longer see this case; if you handle it, your head is told to "
            "assign someone else."
        ),
        "recused": "Your recusal from {ref} is recorded.",
        "logged_candidates": (
            "Note: “{typed}” may be the officer {names}, who is treated as denounced and does "
            "not see the case until a head confirms it is someone else."
        ),
        "identity": "The sender's identity (confidential)",
        "show_identity": "Show the sender's identity (the view is logged)",
        "identity_reads": "Who viewed the sender's identity",
        "anonymous_case": "The letter carries no sender.",
    },
}


def words(language: str) -> dict[str, str]:
    """The texts of `language`, Vietnamese for anything unknown."""
    return TEXTS.get(language, TEXTS["vi"])
