"""The notice templates in notifications/ (escalations, digest, notices to the parties) and the
renderer that fills them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jinja2
import pytest

from casework.adapters.definitions import load_lifecycle
from casework.adapters.notice_templates import NoticeRenderer, RenderedNotice, vn_date
from casework.domain.errors import ConfigurationError

pytestmark = pytest.mark.unit

NOTIFICATIONS = Path(__file__).resolve().parents[2] / "notifications"
STATE_MACHINES = Path(__file__).resolve().parents[2] / "state_machines"
ESCALATIONS = (
    "escalation.warn_before_due",
    "escalation.due_today",
    "escalation.overdue",
    "escalation.overdue_superior",
)
PARTY_NOTICES = (
    "party.acceptance",
    "party.complaint_acceptance",
    "party.complaint_continuation",
    "party.complaint_decision",
    "party.complaint_refusal",
    "party.complaint_suspension",
    "party.complaint_termination",
    "party.conclusion",
    "party.conclusion_notice",
    "party.content_notice",
    "party.continuation",
    "party.dialogue_invitation",
    "party.extension",
    "party.forwarding",
    "party.non_acceptance",
    "party.petition_accepted",
    "party.petition_answer",
    "party.petition_forwarded",
    "party.petition_not_accepted",
    "party.redenunciation_upheld",
    "party.suspension",
    "party.termination",
)
PETITION_NOTICES = tuple(n for n in PARTY_NOTICES if n.startswith("party.petition_"))
LANGUAGES = ("vi", "en")
DUE_SHOWN = {"vi": "19/02/2024", "en": "2024-02-19"}
LINK = "https://casework.example.gov.vn/cases/TC-2024-000002"


def sample_context(
    step: str = "overdue", post: str = "resolver_head", days_overdue: int = 1
) -> dict[str, Any]:
    return {
        "recipient": {"name": "Trần Văn Hùng", "post": post},
        "case": {
            "ref": "TC-2024-000002",
            "kind": "denunciation",
            "agency_name": "Sở Tài nguyên và Môi trường",
            "state_legal_name": "Xử lý ban đầu đơn tố cáo",
        },
        "clock": {
            "code": "denunciation.triage",
            "title": "Initial handling (xử lý ban đầu)",
            "basis": "LTC Art. 24(1)",
            "due": "2024-02-19",
        },
        "step": {"code": step, "title": "1 working day overdue", "fires_on": "2024-02-20"},
        "days_overdue": days_overdue,
        "link": LINK,
    }


@pytest.fixture(scope="module")
def renderer() -> NoticeRenderer:
    return NoticeRenderer(NOTIFICATIONS)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", ESCALATIONS)
def test_every_escalation_notice_names_case_clock_due_date_basis_and_link(
    renderer: NoticeRenderer, name: str, language: str
) -> None:
    notice = renderer.render(name, language, sample_context(step=name.removeprefix("escalation.")))

    assert isinstance(notice, RenderedNotice)
    for body in (notice.text, notice.html):
        assert "TC-2024-000002" in body
        assert "Initial handling (xử lý ban đầu)" in body
        assert DUE_SHOWN[language] in body
        if language == "vi":  # cited the Vietnamese way, without the clock's code
            assert "denunciation.triage" not in body
            assert "khoản 1 Điều 24 Luật Tố cáo năm 2018" in body
        else:
            assert "denunciation.triage" in body
            assert "LTC Art. 24(1)" in body
        assert LINK in body
        assert "Trần Văn Hùng" in body
    assert f'href="{LINK}"' in notice.html
    assert notice.subject.strip() == notice.subject
    assert notice.subject
    assert "\n" not in notice.subject
    assert "TC-2024-000002" in notice.subject
    assert DUE_SHOWN[language] in notice.subject or name == "escalation.overdue_superior"


@pytest.mark.parametrize("name", ESCALATIONS)
def test_vietnamese_notices_show_dates_the_vietnamese_way(
    renderer: NoticeRenderer, name: str
) -> None:
    notice = renderer.render(name, "vi", sample_context())

    assert "2024-02-19" not in notice.text
    assert "2024-02-19" not in notice.html
    assert "Kính gửi" in notice.text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", ["escalation.overdue", "escalation.overdue_superior"])
def test_overdue_notices_say_the_deadline_passed_who_is_alerted_and_why(
    renderer: NoticeRenderer, name: str, language: str
) -> None:
    notice = renderer.render(name, language, sample_context(days_overdue=6))

    if language == "vi":
        assert "đã hết" in notice.text  # the legal deadline has passed
        assert "quá hạn 6 ngày làm việc" in notice.text
        assert "Lý do đồng chí nhận thông báo này" in notice.text
        assert "Điều 63" in notice.text
        assert "Điều 64" in notice.text
    else:
        assert "legal deadline" in notice.text
        assert "passed" in notice.text
        assert "6 working days late" in notice.text
        assert "Why you receive this" in notice.text
        assert "Art. 63" in notice.text
        assert "Art. 64" in notice.text
    if name == "escalation.overdue_superior":
        assert ("Điều 38" if language == "vi" else "Art. 38") in notice.text
        assert ("cấp trên trực tiếp" if language == "vi" else "direct superior") in notice.text
    else:
        assert ("Chánh Thanh tra" if language == "vi" else "inspectorate") in notice.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_laws_on_denunciation_are_cited_only_for_denunciations(
    renderer: NoticeRenderer, language: str
) -> None:
    context = sample_context()
    context["case"]["kind"] = "complaint"
    context["clock"]["basis"] = "LKN Art. 27"

    notice = renderer.render("escalation.overdue", language, context)

    assert ("Luật Tố cáo" if language == "vi" else "Law on Denunciation") not in notice.text


@pytest.mark.parametrize(
    ("post", "vi_label", "en_label"),
    [
        ("handler", "người được giao xác minh, xử lý hồ sơ", "officer assigned to the case"),
        (
            "unit_head (no handler assigned)",
            "Thủ trưởng đơn vị được giao xử lý (hồ sơ chưa được giao người xử lý)",
            "head of the handling unit (no handler assigned)",
        ),
        ("inspectorate", "Chánh Thanh tra cùng cấp", "head of the same-level inspectorate"),
        ("head of so-tnmt (next up the chain)", "người đứng đầu so-tnmt", "head of so-tnmt"),
    ],
)
def test_recipient_posts_are_named_in_words(
    renderer: NoticeRenderer, post: str, vi_label: str, en_label: str
) -> None:
    context = sample_context(post=post)

    assert vi_label in renderer.render("escalation.due_today", "vi", context).text
    assert en_label in renderer.render("escalation.due_today", "en", context).text


@pytest.mark.parametrize("language", LANGUAGES)
def test_html_is_escaped_and_text_is_literal(renderer: NoticeRenderer, language: str) -> None:
    context = sample_context()
    context["case"]["agency_name"] = "Sở <script>alert('x')</script> & Co"
    context["recipient"]["post"] = "head of <b>x</b> (next up the chain)"

    notice = renderer.render("escalation.overdue_superior", language, context)

    assert "<script>" not in notice.html
    assert "&lt;script&gt;" in notice.html
    assert "&amp; Co" in notice.html
    assert "<b>x</b>" not in notice.html
    assert "Sở <script>alert('x')</script> & Co" in notice.text
    assert "<b>x</b>" in notice.text


def test_a_missing_variable_is_named(renderer: NoticeRenderer) -> None:
    context = sample_context()
    del context["link"]

    with pytest.raises(ConfigurationError, match=r"escalation\.overdue/vi\.\w+\.j2.*\blink\b"):
        renderer.render("escalation.overdue", "vi", context)


def test_a_missing_nested_variable_is_named_with_its_path(renderer: NoticeRenderer) -> None:
    context = copy.deepcopy(sample_context())
    del context["clock"]["basis"]

    with pytest.raises(ConfigurationError, match=r"clock\.basis") as raised:
        renderer.render("escalation.warn_before_due", "en", context)
    assert "escalation.warn_before_due/en." in str(raised.value)


def test_an_unknown_template_lists_the_available_ones(renderer: NoticeRenderer) -> None:
    with pytest.raises(ConfigurationError, match=r"escalation\.nope") as raised:
        renderer.render("escalation.nope", "vi", sample_context())
    for name in ESCALATIONS:
        assert name in str(raised.value)
    assert "_shared" not in str(raised.value)


def test_an_unknown_language_lists_the_available_ones(renderer: NoticeRenderer) -> None:
    with pytest.raises(ConfigurationError, match=r"'fr'.*available: en, vi"):
        renderer.render("escalation.overdue", "fr", sample_context())


def test_available_lists_every_notice_in_both_languages(renderer: NoticeRenderer) -> None:
    expected = [
        *ESCALATIONS, "delivery.problem", "digest", "handler.unassigned", *PARTY_NOTICES
    ]  # fmt: skip
    assert renderer.available() == {name: ["en", "vi"] for name in expected}


@pytest.mark.parametrize("why", ["recused", "relative", "candidate"])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_head_is_told_to_reassign_in_words_without_the_sender(
    renderer: NoticeRenderer, language: str, why: str
) -> None:
    context = {
        "recipient": {"name": "Trần Quốc Dũng", "post": "head of Thanh tra tỉnh"},
        "case": {"ref": "TC-2024-000007", "kind": "denunciation", "agency_name": "Thanh tra tỉnh"},
        "handler": {"code": "tt-xac-minh-1", "name": "Ngô Thị Lan"},
        "why": why,
        "on": "2024-03-04",
        "link": "http://casework.example/cases/TC-2024-000007",
    }
    notice = renderer.render("handler.unassigned", language, context)
    assert "TC-2024-000007" in notice.subject
    assert "Ngô Thị Lan" in notice.text
    if language == "vi":
        assert why not in notice.text  # the reason in words, not its code
    assert ("04/03/2024" if language == "vi" else "2024-03-04") in notice.text
    assert "http://casework.example/cases/TC-2024-000007" in notice.html


def party_context(
    notice: str, party: str, content: str = "Thu tiền trái quy định"
) -> dict[str, Any]:
    recipient: dict[str, str] = {"party": party, "name": "Đoàn Văn Uy"}
    if party == "denouncer":
        recipient["address"] = "Vinh, Nghệ An"
    return {
        "notice": {"code": notice, "basis": "LTC Art. 29(3); ND31 Art. 9(2), Mẫu 05"},
        "recipient": recipient,
        "case": {
            "ref": "TC-2024-000002",
            "kind": "denunciation",
            "received_on": "2024-02-01",
            "agency_name": "Thanh tra tỉnh Nghệ An",
            "denounced_name": "Đoàn Văn Uy",
            "content": content,
            "contested_decision": "",
            "second_instance": False,
            "redenunciation_of": "",
        },
        "decision": {
            "trigger": "accept",
            "title": "Accept",
            "on": "2024-02-15",
            "basis": "LTC Art. 29",
            "data": {
                "grounds": "await_other_body",
                "finding": "untrue",
                "reasons": "r",
                # a ground of the kind the notice is about: the complaint's or the petition's
                "ground": "already_resolved" if notice in PETITION_NOTICES else "unsigned",
                "outcome": "wrong",
                "dialogue_on": "2024-02-22",
                # petitions: the unit assigned (assign), the answer (answer), the body (forward)
                "unit": "Công chức Địa chính - Xây dựng",
                "summary": "Đưa vào kế hoạch sửa chữa quý III/2024",
                "to_agency": "Công ty Điện lực Nghệ An",
            },
        },
        "clock": {
            "code": "denunciation.resolve",
            "title": "Resolve the denunciation",
            "basis": "LTC Art. 30",
            "started_on": "2024-02-15",
            "due": "2024-03-18",
            "status": "running",
            "stopped_on": None,
            "extensions": 0,
        },
        "sent_on": "2024-02-16",
        "signed_by": {"name": "Trần Quốc Dũng", "title": "Chánh Thanh tra tỉnh"},
        "link": LINK,
    }


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", PARTY_NOTICES)
@pytest.mark.parametrize("party", ["denouncer", "denounced"])
def test_every_party_notice_names_case_clock_due_date_basis_and_link(
    renderer: NoticeRenderer, name: str, language: str, party: str
) -> None:
    rendered = renderer.render(name, language, party_context(name, party))
    due = {"vi": "18/03/2024", "en": "2024-03-18"}[language]
    for body in (rendered.text, rendered.html):
        assert "TC-2024-000002" in body
        assert due in body
        if language == "vi":  # cited the Vietnamese way, without the clock's or notice's code
            assert "denunciation.resolve" not in body
            assert name not in body
            assert (
                "khoản 3 Điều 29 Luật Tố cáo năm 2018; khoản 2 Điều 9, Mẫu 05 "
                "Nghị định số 31/2019/NĐ-CP"
            ) in body
        else:
            assert "denunciation.resolve" in body
            assert "LTC Art. 29(3); ND31 Art. 9(2), Mẫu 05" in body
        assert LINK in body
        assert "Trần Quốc Dũng" in body  # signed by the head of the resolving agency
    assert ("Vinh, Nghệ An" in rendered.text) == (party == "denouncer")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_paused_clock_is_shown_as_paused_without_a_stale_due_date(
    renderer: NoticeRenderer, language: str
) -> None:
    context = party_context("party.suspension", "denounced")
    context["clock"].update(status="paused", due=None)
    text = renderer.render("party.suspension", language, context).text
    assert "18/03/2024" not in text
    assert "2024-03-18" not in text
    assert {"vi": "tạm dừng", "en": "paused"}[language] in text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", PARTY_NOTICES)
def test_a_clock_stopped_while_paused_has_no_due_date_and_still_renders(
    renderer: NoticeRenderer, language: str, name: str
) -> None:
    context = party_context(name, "denounced")
    context["clock"].update(status="stopped", due=None, stopped_on="2024-03-20")
    rendered = renderer.render(name, language, context)
    assert {"vi": "20/03/2024", "en": "2024-03-20"}[language] in rendered.text
    assert "None" not in rendered.text + rendered.html


@pytest.mark.parametrize("language", LANGUAGES)
def test_party_letters_escape_html_and_keep_text_literal(
    renderer: NoticeRenderer, language: str
) -> None:
    content = "<script>alert(1)</script> & “quỹ đen”"
    rendered = renderer.render(
        "party.content_notice",
        language,
        party_context("party.content_notice", "denounced", content),
    )
    assert content in rendered.text
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; “quỹ đen”" in rendered.html


PETITION_WORDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("party.petition_accepted", "vi"): (
        "THÔNG BÁO VỀ VIỆC THỤ LÝ GIẢI QUYẾT KIẾN NGHỊ, PHẢN ÁNH",
        "Ngày 15/02/2024, Thanh tra tỉnh Nghệ An đã thụ lý để giải quyết",
        "Bộ phận được giao nghiên cứu, xem xét, giải quyết: Công chức Địa chính - Xây dựng",
        "giải quyết và trả lời Ông/Bà: đến hết ngày 18/03/2024",
        "điểm a khoản 1 Điều 28 Luật Tiếp công dân",
    ),
    ("party.petition_accepted", "en"): (
        "On 2024-02-15, Thanh tra tỉnh Nghệ An accepted for resolution",
        "Unit assigned to study and resolve it: Công chức Địa chính - Xây dựng",
        "You are to receive the answer by the end of 2024-03-18",
        "LTCD Art. 28(1)(a)",
    ),
    ("party.petition_forwarded", "vi"): (
        "THÔNG BÁO VỀ VIỆC CHUYỂN ĐƠN KIẾN NGHỊ, PHẢN ÁNH",
        "không thuộc thẩm quyền giải quyết của Thanh tra tỉnh Nghệ An",
        "Ngày 15/02/2024, Thanh tra tỉnh Nghệ An đã chuyển đơn",
        "đến Công ty Điện lực Nghệ An là cơ quan, tổ chức, đơn vị có thẩm quyền",
        "điểm b khoản 2 Điều 26, điểm d khoản 1 Điều 28 Luật Tiếp công dân",
    ),
    ("party.petition_forwarded", "en"): (
        "is not within the competence of Thanh tra tỉnh Nghệ An",
        "forwarded your letter (or the record of what you stated) to Công ty Điện lực Nghệ An",
        "LTCD Arts. 26(2)(b), 28(1)(d)",
    ),
    ("party.petition_not_accepted", "vi"): (
        "THÔNG BÁO VỀ VIỆC KHÔNG THỤ LÝ ĐƠN KIẾN NGHỊ, PHẢN ÁNH",
        "Lý do: r (trường hợp đơn không được thụ lý, xử lý: vụ việc đã được cơ quan, người có "
        "thẩm quyền xem xét, trả lời theo đúng quy định và không có nội dung, tình tiết mới)",
        "điểm c khoản 1 Điều 28 Luật Tiếp công dân",
    ),
    ("party.petition_not_accepted", "en"): (
        "decided not to accept for handling the petition",
        "Reasons: r (a letter that is not accepted for handling: the matter was already "
        "considered and answered as the law requires, and there is no new content or fact)",
        "LTCD Art. 28(1)(c)",
    ),
    ("party.petition_answer", "vi"): (
        "THÔNG BÁO KẾT QUẢ GIẢI QUYẾT KIẾN NGHỊ, PHẢN ÁNH",
        "Ngày 15/02/2024, Thanh tra tỉnh Nghệ An đã trả lời đơn kiến nghị, phản ánh",
        "Kết quả giải quyết: Đưa vào kế hoạch sửa chữa quý III/2024",
        "điểm a khoản 2 Điều 26, khoản 1 Điều 27 Luật Tiếp công dân",
    ),
    ("party.petition_answer", "en"): (
        "On 2024-02-15, Thanh tra tỉnh Nghệ An answered the petition",
        "Result: Đưa vào kế hoạch sửa chữa quý III/2024",
        "LTCD Arts. 26(2)(a), 27(1)",
    ),
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", PETITION_NOTICES)
def test_petition_notices_tell_the_sender_the_decision_in_words(
    renderer: NoticeRenderer, name: str, language: str
) -> None:
    rendered = renderer.render(name, language, party_context(name, "denouncer"))
    text = " ".join(rendered.text.split())  # the text lines of a paragraph, joined
    html = " ".join(rendered.html.split())
    for words in PETITION_WORDS[(name, language)]:
        assert words in text, words
        assert words.lower() in html.lower(), words  # the HTML title is uppercased by CSS
    assert "Thu tiền trái quy định" in rendered.text  # the petition's content
    assert "already_resolved" not in rendered.text  # a ground is told in words


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_petition_ground_is_named_in_words_in_both_languages(language: str) -> None:
    reject = load_lifecycle(STATE_MACHINES / "petition.yaml").transition_for("reject", "received")
    (ground,) = [f for f in reject.fields if f.name == "ground"]
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(NOTIFICATIONS))
    labels: Any = environment.get_template(f"_shared/{language}.labels.j2").module
    assert set(labels.petition_grounds) == set(ground.choices)


@pytest.mark.parametrize("language", LANGUAGES)
def test_petition_notices_without_the_optional_fields(
    renderer: NoticeRenderer, language: str
) -> None:
    context = party_context("party.petition_accepted", "denouncer")
    del context["decision"]["data"]["unit"]  # the head keeps the petition for the agency
    text = renderer.render("party.petition_accepted", language, context).text
    assert "Công chức Địa chính" not in text
    assert {
        "vi": "Thanh tra tỉnh Nghệ An trực tiếp nghiên cứu, xem xét, giải quyết",
        "en": "Thanh tra tỉnh Nghệ An studies and resolves your petition itself",
    }[language] in text

    context = party_context("party.petition_answer", "denouncer")
    context["decision"]["data"]["decision_no"] = "125/UBND-ĐC"
    context["decision"]["data"]["summary"] = "Sửa <b>đường</b> & cống"
    rendered = renderer.render("party.petition_answer", language, context)
    assert {
        "vi": "đã trả lời bằng văn bản số 125/UBND-ĐC",
        "en": "answered by document no. 125/UBND-ĐC",
    }[language] in rendered.text
    assert {
        "vi": "Văn bản trả lời được gửi kèm thông báo này.",
        "en": "The answer is enclosed with this notice.",
    }[language] in rendered.text
    assert "Sửa <b>đường</b> & cống" in rendered.text
    assert "Sửa &lt;b&gt;đường&lt;/b&gt; &amp; cống" in rendered.html
    for body in (rendered.text, rendered.html):
        assert "None" not in body


def test_an_incomplete_language_names_the_missing_part(tmp_path: Path) -> None:
    (tmp_path / "hello").mkdir()
    (tmp_path / "hello" / "vi.subject.j2").write_text("Chào {{ name }}\n", encoding="utf-8")
    (tmp_path / "hello" / "vi.txt.j2").write_text("Chào {{ name }}\n", encoding="utf-8")

    renderer = NoticeRenderer(tmp_path)

    assert renderer.available() == {"hello": []}
    with pytest.raises(ConfigurationError, match=r"vi\.html\.j2 missing"):
        renderer.render("hello", "vi", {"name": "An"})


def test_subject_is_collapsed_to_one_line_and_bodies_keep_their_newlines(
    tmp_path: Path,
) -> None:
    (tmp_path / "hello").mkdir()
    (tmp_path / "hello" / "en.subject.j2").write_text("  Hello\n  {{ name }}  \n", "utf-8")
    (tmp_path / "hello" / "en.txt.j2").write_text("Hello {{ name }}\n", "utf-8")
    (tmp_path / "hello" / "en.html.j2").write_text("<p>{{ name }}</p>\n", "utf-8")

    notice = NoticeRenderer(tmp_path).render("hello", "en", {"name": "A <b>"})

    assert notice == RenderedNotice(
        subject="Hello A <b>", text="Hello A <b>\n", html="<p>A &lt;b&gt;</p>\n"
    )


def test_an_empty_subject_is_refused(tmp_path: Path) -> None:
    (tmp_path / "hello").mkdir()
    for part in ("subject", "txt", "html"):
        (tmp_path / "hello" / f"en.{part}.j2").write_text("{{ '' }}\n", "utf-8")

    with pytest.raises(ConfigurationError, match="empty"):
        NoticeRenderer(tmp_path).render("hello", "en", {})


def test_vn_date() -> None:
    assert vn_date("2024-02-19") == "19/02/2024"
    with pytest.raises(ConfigurationError, match="ISO date"):
        vn_date("19/02/2024")


def test_a_bad_date_in_the_context_names_the_template(renderer: NoticeRenderer) -> None:
    context = sample_context()
    context["clock"]["due"] = "19 Feb 2024"

    with pytest.raises(ConfigurationError, match=r"escalation\.overdue/vi\..*ISO date"):
        renderer.render("escalation.overdue", "vi", context)


def test_no_template_mentions_a_denouncer_field() -> None:
    for template in NOTIFICATIONS.rglob("*.j2"):
        source = template.read_text(encoding="utf-8")
        assert "denouncer." not in source, template
        assert "denouncer_" not in source, template
