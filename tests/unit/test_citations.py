"""Legal bases cited the Vietnamese way (`casework.domain.citations.cite_vi`, the notice filter
`vn_basis`): every basis of the definitions gives a Vietnamese citation, never English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from casework.adapters.notice_templates import NoticeRenderer
from casework.domain.citations import cite_vi

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
NOTIFICATIONS = ROOT / "notifications"
STATE_MACHINES = ROOT / "state_machines"

# Bases written in the code (services) rather than in the definitions.
CODE_BASES = (
    "LTC Art. 8(3); ND31 Art. 10(3)",
    "LTC Art. 31(1); ND31 Art. 10(3)",
    "LTC Art. 25",
    "LTC Art. 37",
    "LTC Art. 38",
    "LKN Arts. 8, 27, 36",
    "LTCD Art. 26",
    "LTC Arts. 22–24",
    "LTC Arts. 8(3), 56",
    "LTC Arts. 8(3), 47",
    "LTC Arts. 8(3), 47, 56",
    "escalation ladder (state_machines/escalation.yaml); LTC Arts. 8, 38, 63–64",
)
# An instrument the citations know: a basis naming one must give a citation.
INSTRUMENT = re.compile(r"\b(LTCD?|LKN|N[DĐ]\d+|TT\d+|CPC|BLTTHS|BLDS|BLLĐ|LTTHC)\b")
ENGLISH = re.compile(
    r"\b(Arts?|para|complex|days?|unverified|remote|area|within|amended|period|cf|see|law|"
    r"working|minutes|agency|case)\b",
    re.IGNORECASE,
)
# The only words of a citation written in plain ASCII letters: "bổ sung", and the letters of
# document numbers ("05/2021/TT-TTCP", "31/2019/NĐ-CP", "136/2025/QH15", "Mẫu 03/TCD").
ASCII_WORDS = {"sung", "TT", "TTCP", "CP", "TCD", "QH"}


def _bases(node: Any) -> Iterator[str]:
    """Every `basis` in a parsed definition file; a rule's variant also as the rule applies it
    (`rule basis; variant basis`, see `DeadlineRule.as_variant`)."""
    if isinstance(node, dict):
        basis = node.get("basis")
        if isinstance(basis, str):
            yield basis
            for variant in node.get("variants") or ():
                if isinstance(variant, dict) and variant.get("basis"):
                    yield f"{basis}; {variant['basis']}"
        for value in node.values():
            yield from _bases(value)
    elif isinstance(node, list):
        for value in node:
            yield from _bases(value)


def all_bases() -> list[str]:
    found: set[str] = set(CODE_BASES)
    for path in sorted(STATE_MACHINES.rglob("*.yaml")):
        found.update(_bases(yaml.safe_load(path.read_text(encoding="utf-8"))))
    return sorted(found)


@pytest.mark.parametrize(
    ("basis", "expected"),
    [
        ("LTC Art. 24(1)", "khoản 1 Điều 24 Luật Tố cáo năm 2018"),
        (
            "LTCD Arts. 26(2)(b), 28(1)(d); TT05/2021",
            "điểm b khoản 2 Điều 26, điểm d khoản 1 Điều 28 Luật Tiếp công dân năm 2013; "
            "Thông tư số 05/2021/TT-TTCP",
        ),
        (
            "LTC Arts. 29(3), 56; ND31 Art. 9(2), Mẫu 06",
            "khoản 3 Điều 29, Điều 56 Luật Tố cáo năm 2018; "
            "khoản 2 Điều 9, Mẫu 06 Nghị định số 31/2019/NĐ-CP",
        ),
        ("LTC Art. 38(3)–(4)", "khoản 3, khoản 4 Điều 38 Luật Tố cáo năm 2018"),
        ("LTC Art. 34(1)–(2), (4)", "khoản 1, khoản 2, khoản 4 Điều 34 Luật Tố cáo năm 2018"),
        (
            "LTC Art. 30(2)–(4); ND31 Art. 3",
            "từ khoản 2 đến khoản 4 Điều 30 Luật Tố cáo năm 2018; "
            "Điều 3 Nghị định số 31/2019/NĐ-CP",
        ),
        ("LTC Art. 24(1) para. 2", "đoạn 2 khoản 1 Điều 24 Luật Tố cáo năm 2018"),
        ("LKN Art. 28 para. 2 (remote area)", "đoạn 2 Điều 28 Luật Khiếu nại năm 2011"),
        (
            "LKN Art. 28; LKN Art. 28 para. 2 (remote area)",
            "đoạn 2 Điều 28 Luật Khiếu nại năm 2011",
        ),
        ("TT05/2021 Arts. 13–14", "Điều 13, Điều 14 Thông tư số 05/2021/TT-TTCP"),
        ("LTC Arts. 22–24", "từ Điều 22 đến Điều 24 Luật Tố cáo năm 2018"),
        ("LTC Art. 34(3)–(4); Art. 33", "khoản 3, khoản 4 Điều 34, Điều 33 Luật Tố cáo năm 2018"),
        ("LKN Art. 50: complex up to 45 days", "Điều 50 Luật Khiếu nại năm 2011"),
        (
            "LTC Arts. 27(1), 36(2); CPC Art. 145",
            "khoản 1 Điều 27, khoản 2 Điều 36 Luật Tố cáo "
            "năm 2018; Điều 145 Bộ luật Tố tụng hình sự năm 2015",
        ),
        (
            "ND124 Art. 28b as amended by ND155 Art. 12 (Mẫu 14a, 14b)",
            "Điều 28b, Mẫu 14a, Mẫu 14b Nghị định số 124/2020/NĐ-CP "
            "(được sửa đổi, bổ sung bởi Điều 12 Nghị định số 155/2026/NĐ-CP)",
        ),
        (
            "ND124 Art. 28b (ND155): within 3 working days",
            "Điều 28b Nghị định số 124/2020/NĐ-CP "
            "(được sửa đổi, bổ sung bởi Nghị định số 155/2026/NĐ-CP)",
        ),
        (
            "LKN Art. 11a (Law 136/2025); ND124 Art. 28a (ND155, Mẫu 14a)",
            "Điều 11a Luật Khiếu nại năm 2011 (được sửa đổi, bổ sung bởi Luật số 136/2025/QH15); "
            "Điều 28a, Mẫu 14a Nghị định số 124/2020/NĐ-CP "
            "(được sửa đổi, bổ sung bởi Nghị định số 155/2026/NĐ-CP)",
        ),
        (
            "TT05/2021/TT-TTCP (10 working days; unverified); cf. LTCD Art. 28(1)",
            "Thông tư số 05/2021/TT-TTCP; khoản 1 Điều 28 Luật Tiếp công dân năm 2013",
        ),
        (
            "LTCD Art. 26(2)(a); period set by the agency (quy chế nội bộ: the law sets none)",
            "điểm a khoản 2 Điều 26 Luật Tiếp công dân năm 2013",
        ),
        (
            "LTCD Art. 26(2)(b); ND154 Mẫu 03/TCD (follow-up of the result)",
            "điểm b khoản 2 Điều 26 Luật Tiếp công dân năm 2013; "
            "Mẫu 03/TCD Nghị định số 154/2026/NĐ-CP",
        ),
        ("NĐ31 Art. 15(4)", "khoản 4 Điều 15 Nghị định số 31/2019/NĐ-CP"),
        ("BLTTHS Art. 145(1)", "khoản 1 Điều 145 Bộ luật Tố tụng hình sự năm 2015"),
        ("TT07/2013 Art. 5(1)", "khoản 1 Điều 5 Thông tư số 07/2013/TT-TTCP"),
    ],
)
def test_a_basis_is_cited_the_vietnamese_way(basis: str, expected: str) -> None:
    assert cite_vi(basis) == expected


@pytest.mark.parametrize(
    "basis", ["", "agency policy", "period set by the agency (the law sets none)", "Art. 33"]
)
def test_nothing_recognised_gives_nothing_rather_than_english(basis: str) -> None:
    assert cite_vi(basis) == ""


def test_the_definitions_have_bases_to_check() -> None:
    bases = all_bases()
    assert len(bases) > 100
    assert "LKN Art. 50: complex up to 45 days" in bases


@pytest.mark.parametrize("basis", all_bases())
def test_every_basis_in_use_gives_vietnamese_without_english(basis: str) -> None:
    cited = cite_vi(basis)
    assert not ENGLISH.search(cited), cited
    ascii_words = {w for w in re.findall(r"[^\W\d_]+", cited) if w.isascii() and len(w) > 1}
    assert ascii_words <= ASCII_WORDS, cited
    if INSTRUMENT.search(basis):
        assert cited, basis


def party_context(basis: str) -> dict[str, Any]:
    """A notice of acceptance to the denouncer, as `services.party_notices` queues it."""
    return {
        "notice": {"code": "party.acceptance", "basis": basis},
        "recipient": {"party": "denouncer", "name": "Đoàn Văn Uy", "address": "Vinh, Nghệ An"},
        "case": {
            "ref": "TC-2024-000002",
            "kind": "denunciation",
            "received_on": "2024-02-01",
            "agency_name": "Thanh tra tỉnh Nghệ An",
            "denounced_name": "Lê Văn Bình",
            "content": "Thu tiền trái quy định",
            "contested_decision": "",
            "second_instance": False,
            "redenunciation_of": "",
        },
        "decision": {
            "trigger": "accept",
            "title": "Thụ lý tố cáo",
            "on": "2024-02-15",
            "basis": "LTC Art. 29",
            "data": {},
        },
        "clock": {
            "code": "denunciation.resolve",
            "title": "Giải quyết tố cáo",
            "basis": "LTC Art. 30(1): 30 days from acceptance",
            "started_on": "2024-02-15",
            "due": "2024-03-18",
            "status": "running",
            "stopped_on": None,
            "extensions": 0,
        },
        "sent_on": "2024-02-16",
        "signed_by": {"name": "Trần Quốc Dũng", "title": "Chánh Thanh tra tỉnh"},
        "link": "https://casework.example.gov.vn/cases/TC-2024-000002",
    }


def test_a_vietnamese_party_notice_cites_the_law_in_vietnamese_without_codes() -> None:
    rendered = NoticeRenderer(NOTIFICATIONS).render(
        "party.acceptance", "vi", party_context("LTC Art. 29(3); ND31 Art. 9(2), Mẫu 05")
    )
    for body in (rendered.text, rendered.html):
        assert "Luật Tố cáo" in body
        assert "khoản 1 Điều 30 Luật Tố cáo năm 2018" in body  # the clock's basis
        assert "khoản 3 Điều 29 Luật Tố cáo năm 2018; khoản 2 Điều 9, Mẫu 05" in body
        for shorthand in ("Art.", "LTC ", "ND31", "days", "denunciation.resolve", "party.accept"):
            assert shorthand not in body, shorthand
    assert "- Căn cứ pháp lý của thông báo này: khoản 3 Điều 29" in rendered.text


def test_a_basis_with_nothing_to_cite_leaves_its_line_out() -> None:
    context = party_context("agency policy")
    context["clock"]["basis"] = "period set by the agency"
    rendered = NoticeRenderer(NOTIFICATIONS).render("party.acceptance", "vi", context)
    for body in (rendered.text, rendered.html):
        assert "Căn cứ pháp lý của thông báo" not in body
        assert "agency" not in body
    assert "- Thời hạn: Giải quyết tố cáo\n- Hạn: hết ngày 18/03/2024\n" in rendered.text
    assert "<td>Giải quyết tố cáo</td>" in rendered.html


def test_an_escalation_cites_the_clock_in_vietnamese_without_codes() -> None:
    context = {
        "recipient": {"name": "Trần Văn Hùng", "post": "resolver_head"},
        "case": {
            "ref": "TC-2024-000002",
            "kind": "denunciation",
            "agency_name": "Sở Tài nguyên và Môi trường",
            "state_legal_name": "Xử lý ban đầu đơn tố cáo",
        },
        "clock": {
            "code": "denunciation.triage",
            "title": "Xử lý ban đầu đơn tố cáo",
            "basis": "LTC Art. 24(1)",
            "due": "2024-02-19",
        },
        "step": {"code": "overdue", "title": "1 working day overdue", "fires_on": "2024-02-20"},
        "days_overdue": 1,
        "link": "https://casework.example.gov.vn/cases/TC-2024-000002",
    }
    renderer = NoticeRenderer(NOTIFICATIONS)
    for name in (
        "escalation.warn_before_due",
        "escalation.due_today",
        "escalation.overdue",
        "escalation.overdue_superior",
    ):
        context["step"]["code"] = name.removeprefix("escalation.")
        rendered = renderer.render(name, "vi", context)
        for body in (rendered.subject, rendered.text, rendered.html):
            assert "denunciation.triage" not in body
            assert "Art." not in body
            assert f"bước cảnh báo: {context['step']['code']})" not in body
        assert "- Căn cứ pháp lý: khoản 1 Điều 24 Luật Tố cáo năm 2018\n" in rendered.text
        assert "khoản 1 Điều 24 Luật Tố cáo năm 2018" in rendered.html


PRINTED_CODE = re.compile(
    r"\{\{[^}]*\b(clock\.code|notice\.code|step\.code|decision\.trigger|state)\b[^}]*\}\}"
)
PRINTED_BASIS = re.compile(r"\{\{[^}]*\.basis\b(?![^}]*\|\s*vn_basis)[^}]*\}\}")


def test_no_vietnamese_template_prints_a_code_or_a_basis_in_shorthand() -> None:
    templates = sorted(NOTIFICATIONS.glob("*/vi.*.j2"))
    assert templates
    for template in templates:
        source = template.read_text(encoding="utf-8")
        assert not PRINTED_CODE.search(source), template
        assert not PRINTED_BASIS.search(source), template
