"""Named guards of the lifecycle definitions. Each returns None when satisfied, or a message
that says what is missing. Definitions refer to them by name (`guards: [has_handler]`);
`clock_running:<code>` is a guard with an argument."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from casework.domain.clocks import Clock, ClockStatus
from casework.domain.errors import ConfigurationError
from casework.domain.lifecycle import TransitionSpec


@dataclass(frozen=True)
class GuardContext:
    """What a guard may look at: the case as it is, and what the officer is asking for."""

    spec: TransitionSpec
    state: str
    handler: str | None
    actor: str | None
    attributes: Mapping[str, Any]
    data: Mapping[str, str]
    clocks: tuple[Clock, ...] = field(default_factory=tuple)
    complexity: str = "ordinary"
    on: date | None = None  # the date of the decision being recorded
    due_dates: Mapping[str, date | None] = field(default_factory=dict)  # of the active clocks
    allow_late_extension: bool = False
    # the newest clock of each code, stopped ones too, and its stored due date
    latest_clocks: Mapping[str, Clock] = field(default_factory=dict)
    latest_due: Mapping[str, date | None] = field(default_factory=dict)
    # a preview (what is allowed now): the officer has given no field yet, so a guard on a
    # field's value passes as long as some value would
    previewing: bool = False
    # a step's or a clock's Vietnamese title, by its code (what a refusal names in Vietnamese)
    vi_name: Callable[[str], str] = field(default=lambda code: code)

    def spec_field_vi(self, name: str) -> str:
        """The step's field `name` as the Vietnamese form asks for it."""
        for spec_field in self.spec.fields:
            if spec_field.name == name:
                return spec_field.description_in("vi")
        return name

    def vi_names(self, codes: str) -> str:
        """`a|b` (or one code) by their Vietnamese titles."""
        return " hoặc ".join(self.vi_name(code) for code in codes.split("|"))

    def active_clock(self, code: str) -> Clock | None:
        return next(
            (
                c
                for c in self.clocks
                if c.code == code and c.stored_status is not ClockStatus.STOPPED
            ),
            None,
        )


Guard = Callable[[GuardContext, str], str | None]


class Refusal(str):
    """A guard's refusal: its English text (the string itself, for the CLI, the API and the
    logs), with `vi`, what a Vietnamese page shows (issue 26)."""

    vi: str

    def __new__(cls, english: str, vietnamese: str) -> Refusal:
        made = super().__new__(cls, english)
        made.vi = vietnamese
        return made


def in_vietnamese(message: str) -> str:
    """`message` as a Vietnamese page shows it: a refusal's Vietnamese, else as it is."""
    return getattr(message, "vi", message)


def _vi_date(day: date | str) -> str:
    try:
        return (day if isinstance(day, date) else date.fromisoformat(str(day))).strftime("%d/%m/%Y")
    except ValueError:
        return str(day)


def has_handler(ctx: GuardContext, _arg: str) -> str | None:
    if ctx.handler or ctx.actor or ctx.previewing:  # a preview: whoever acts takes it up
        return None
    return Refusal(
        "no handler: assign one first (`case assign REF OFFICER`) or act with --by OFFICER",
        "Hồ sơ chưa có người được giao xử lý: người đứng đầu cần phân công trước",
    )


def is_within_competence(ctx: GuardContext, _arg: str) -> str | None:
    if str(ctx.attributes.get("competent", "yes")) == "no":
        return Refusal(
            "the case was recorded as outside this agency's competence: forward it, or guide "
            "the sender, to the competent agency instead (LTC Art. 24(2); LTCD Art. 26)",
            "Hồ sơ đã được xác định không thuộc thẩm quyền của cơ quan: chuyển đơn hoặc hướng "
            "dẫn người gửi đến cơ quan có thẩm quyền (khoản 2 Điều 24 Luật Tố cáo; Điều 26 "
            "Luật Tiếp công dân)",
        )
    return None


def extension_allowed(ctx: GuardContext, _arg: str) -> str | None:
    complexity = ctx.data.get("complexity") or ctx.complexity
    listed = ctx.spec.clocks.extend
    running = [code for code in listed if ctx.active_clock(code) is not None]
    if not running:
        return Refusal(
            f"clock {' or '.join(listed)} is not running, so it cannot be extended",
            f"Thời hạn {ctx.vi_names('|'.join(listed))} không còn đang tính nên không gia hạn được",
        )
    for code in running:
        clock = ctx.active_clock(code)
        assert clock is not None
        allowance = clock.rule.extension
        if allowance is None:
            return Refusal(
                f"rule {code} allows no extension",
                f"Thời hạn {ctx.vi_name(code)} không được gia hạn theo quy định",
            )
        due = ctx.due_dates.get(code)
        if not ctx.allow_late_extension and ctx.on and due and ctx.on > due:
            return Refusal(
                f"{code} expired on {due.isoformat()}: an extension must be decided before the "
                f"period runs out, not on {ctx.on.isoformat()} ({allowance.basis}; set "
                "CASEWORK_ALLOW_LATE_EXTENSION=true if your agency reads the law otherwise)",
                f"Thời hạn {ctx.vi_name(code)} đã hết ngày {_vi_date(due)}: việc gia hạn phải "
                f"quyết định trước khi hết thời hạn, không phải ngày {_vi_date(ctx.on)}",
            )
        allowed = allowance.allowed_count(complexity)
        if ctx.previewing:
            # nothing given yet: as the step allows with the most the field may declare
            declarable = [c for f in ctx.spec.fields if f.name == "complexity" for c in f.choices]
            allowed = max([allowed, *(allowance.allowed_count(c) for c in declarable)])
        if len(clock.extensions) >= allowed:
            if allowed == 0:
                return Refusal(
                    f"{code} can be extended only for a complex or especially complex case "
                    f"({allowance.basis}); give --set complexity=complex|especially_complex "
                    "with the criteria met as --set reasons=...",
                    f"Thời hạn {ctx.vi_name(code)} chỉ được gia hạn với vụ việc phức tạp hoặc "
                    "đặc biệt phức tạp: chọn mức độ phức tạp và nêu các tiêu chí",
                )
            return Refusal(
                f"{code} was already extended {len(clock.extensions)} time(s); a {complexity} "
                f"case allows {allowed} ({allowance.basis})",
                f"Thời hạn {ctx.vi_name(code)} đã được gia hạn {len(clock.extensions)} lần; "
                f"vụ việc ở mức độ này chỉ được gia hạn {allowed} lần",
            )
    return None


def withdrawal_not_overridden(ctx: GuardContext, _arg: str) -> str | None:
    if ctx.data.get("grounds") == "withdrawal" and ctx.data.get("override", "none") != "none":
        return Refusal(
            f"the withdrawal falls under LTC Art. 33(3) ({ctx.data['override']}): "
            "the denunciation must still be resolved and cannot be terminated",
            "Việc rút tố cáo thuộc trường hợp khoản 3 Điều 33 Luật Tố cáo: vẫn phải giải "
            "quyết tố cáo, không được đình chỉ",
        )
    return None


def _first_active(ctx: GuardContext, codes: str) -> Clock | None:
    """The first active clock among `a|b` (the first- or second-instance clock, say)."""
    return next(
        (c for c in (ctx.active_clock(code) for code in codes.split("|")) if c is not None),
        None,
    )


def clock_running(ctx: GuardContext, code: str) -> str | None:
    if _first_active(ctx, code) is None:
        return Refusal(
            f"clock {code.replace('|', ' or ')} is not running on this case (already done or "
            "never started)",
            f"Thời hạn {ctx.vi_names(code)} không đang tính ở hồ sơ này (đã thực hiện xong "
            "hoặc chưa bắt đầu)",
        )
    return None


def clock_ticking(ctx: GuardContext, code: str) -> str | None:
    clock = _first_active(ctx, code)
    if clock is None or clock.stored_status is not ClockStatus.RUNNING:
        why = (
            "not running"
            if clock is None
            else f"paused since {clock.open_pause.paused_on if clock.open_pause else '?'}"
        )
        why_vi = (
            "không đang tính"
            if clock is None or clock.open_pause is None
            else f"đang tạm dừng từ ngày {_vi_date(clock.open_pause.paused_on)}"
        )
        return Refusal(
            f"clock {code} is {why}: finish the current pause first",
            f"Thời hạn {ctx.vi_names(code)} {why_vi}: cần kết thúc việc tạm dừng trước",
        )
    return None


def clock_paused(ctx: GuardContext, code: str) -> str | None:
    clock = _first_active(ctx, code)
    if clock is None or clock.stored_status is not ClockStatus.PAUSED:
        return Refusal(
            f"clock {code} is not paused: nothing to resume",
            f"Thời hạn {ctx.vi_names(code)} không tạm dừng: không có gì để tiếp tục",
        )
    return None


def duty_done(ctx: GuardContext, arg: str) -> str | None:
    """`duty_done:CODE:TRIGGER`: the duty of clock CODE is done (its clock is not running);
    otherwise TRIGGER, which does it, comes first. Keeps notices in the order of decisions."""
    code, _, trigger = arg.partition(":")
    if ctx.active_clock(code) is not None:
        return Refusal(
            f"{code} is still open: record {trigger} first, so the parties hear of the "
            "decisions in order",
            f"Việc «{ctx.vi_name(code)}» chưa thực hiện: cần thực hiện bước «"
            f"{ctx.vi_name(trigger)}» trước, để các bên được thông báo theo thứ tự quyết định",
        )
    return None


def recorded(ctx: GuardContext, arg: str) -> str | None:
    """`recorded:ATTRIBUTE:TRIGGER[:STATE]`: the case records ATTRIBUTE (set by TRIGGER) —
    when leaving STATE only, if given — e.g. the inspection an anonymous denunciation was used
    for, before its file is closed."""
    attribute, _, rest = arg.partition(":")
    trigger, _, state = rest.partition(":")
    if state and ctx.state != state:
        return None
    if not str(ctx.attributes.get(attribute) or "").strip():
        return Refusal(
            f"the case does not record {attribute.replace('_', ' ')} yet: record {trigger} first",
            f"Hồ sơ chưa ghi nhận nội dung cần thiết: cần thực hiện bước «{ctx.vi_name(trigger)}» "
            "trước",
        )
    return None


def reached(ctx: GuardContext, attribute: str) -> str | None:
    """`reached:ATTRIBUTE`: the step is recorded on or after the date the case records in
    ATTRIBUTE (a dialogue is held on the day it was called for, not before)."""
    value = str(ctx.attributes.get(attribute) or "")
    if not value or ctx.on is None:
        return None
    if ctx.on < _iso(value, attribute):
        return Refusal(
            f"the case records {attribute.replace('_', ' ')} {value}: this step is recorded on "
            "or after that day",
            f"Hồ sơ ghi ngày {_vi_date(value)}: bước này chỉ ghi nhận từ ngày đó trở đi",
        )
    return None


def field_when(ctx: GuardContext, arg: str) -> str | None:
    """`field_when:FIELD:OTHER=VALUE`: FIELD is required when OTHER is VALUE (a duplicate
    names the case it repeats)."""
    wanted, _, condition = arg.partition(":")
    other, _, value = condition.partition("=")
    if ctx.data.get(other) == value and not ctx.data.get(wanted, "").strip():
        return Refusal(
            f"{other}={value} needs --set {wanted}=…",
            f"Với lựa chọn này cần nhập thêm: {ctx.spec_field_vi(wanted)}",
        )
    return None


def no_running_clocks(ctx: GuardContext, _arg: str) -> str | None:
    running = sorted(c.code for c in ctx.clocks if c.stored_status is not ClockStatus.STOPPED)
    if running:
        return Refusal(
            "duties still open on clocks " + ", ".join(running) + ": record them first",
            "Còn việc chưa thực hiện trong thời hạn: "
            + ", ".join(ctx.vi_name(code) for code in running)
            + "; cần thực hiện trước",
        )
    return None


def _iso(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigurationError(f"{what} needs a date as YYYY-MM-DD, got {value!r}") from None


def in_force_from(ctx: GuardContext, day: str) -> str | None:
    """The step exists in law only for events from `day` (e.g. suspension of a complaint's
    resolution from 2026-07-01; transitional rules apply it to cases accepted earlier)."""
    start = _iso(day, "in_force_from")
    if ctx.on is not None and ctx.on < start:
        return Refusal(
            f"{ctx.spec.trigger} exists in law only from {start.isoformat()} ({ctx.spec.basis}); "
            f"this step is dated {ctx.on.isoformat()}",
            f"Bước này chỉ có theo quy định từ ngày {_vi_date(start)}; ngày thực hiện đang chọn "
            f"là {_vi_date(ctx.on)}",
        )
    return None


def clock_met(ctx: GuardContext, code: str) -> str | None:
    """The newest `code` clock ended on or before its due date (e.g. a complaint lodged within
    the limitation period). Passes when the case has no such clock (the date it counts from
    is unknown)."""
    clock = ctx.latest_clocks.get(code)
    if clock is None or clock.stopped_on is None:
        return None
    due = ctx.latest_due.get(code)
    if due is not None and clock.stopped_on > due:
        return Refusal(
            f"{clock.rule.title_in('en')} ended on {due.isoformat()} but the case arrived on "
            f"{clock.stopped_on.isoformat()} ({clock.rule.basis}): record an objective obstacle "
            "that prevented it in time (`record_obstacle --set from=… --set to=… --set "
            "reasons=…`), or refuse the case with that ground",
            f"{clock.rule.title_in('vi')} đã hết ngày {_vi_date(due)} nhưng đơn đến ngày "
            f"{_vi_date(clock.stopped_on)}: ghi nhận trở ngại khách quan (nếu có) hoặc không "
            "thụ lý với lý do hết thời hiệu",
        )
    return None


def clock_elapsed(ctx: GuardContext, code: str) -> str | None:
    """The running `code` clock's period has run out (e.g. a decision takes effect once the
    30 days after its issuance have passed)."""
    due = ctx.due_dates.get(code)
    if ctx.active_clock(code) is None or due is None:
        return Refusal(
            f"clock {code} is not running on this case",
            f"Thời hạn {ctx.vi_name(code)} không đang tính ở hồ sơ này",
        )
    if ctx.on is not None and ctx.on <= due:
        return Refusal(
            f"{code} runs until {due.isoformat()}: this step can be recorded from the day after",
            f"Thời hạn {ctx.vi_name(code)} đến hết ngày {_vi_date(due)}: bước này ghi nhận từ "
            "ngày hôm sau",
        )
    return None


def dialogue_notice(ctx: GuardContext, arg: str) -> str | None:
    """A dialogue is announced at least N days ahead for steps from a date (ND155: 5 days from
    2026-07-01; before, only a written notice): `dialogue_notice:5:2026-07-01`."""
    days_text, _, from_text = arg.partition(":")
    held_text = ctx.data.get("dialogue_on", "")
    if not held_text and ctx.previewing:
        return None  # not given yet: the step requires the field itself
    try:
        held = date.fromisoformat(held_text)
    except ValueError:
        return Refusal(
            f"dialogue_on must be a date as YYYY-MM-DD, got {held_text!r}",
            "Ngày đối thoại không hợp lệ: chọn ngày trên lịch",
        )
    if ctx.on is not None and held < ctx.on:
        return Refusal(
            f"dialogue_on {held.isoformat()} is before the invitation ({ctx.on.isoformat()})",
            f"Ngày đối thoại {_vi_date(held)} trước ngày mời ({_vi_date(ctx.on)})",
        )
    days = int(days_text)
    if (
        ctx.on is not None
        and ctx.on >= _iso(from_text, "dialogue_notice")
        and ((held - ctx.on).days < days)
    ):
        return Refusal(
            f"the participants must be invited at least {days} days before the dialogue "
            f"({ctx.spec.basis}): invited {ctx.on.isoformat()}, dialogue {held.isoformat()}",
            f"Phải mời người tham gia đối thoại trước ít nhất {days} ngày: mời ngày "
            f"{_vi_date(ctx.on)}, đối thoại ngày {_vi_date(held)}",
        )
    return None


def no_show_allowed(ctx: GuardContext, day: str) -> str | None:
    """A complainant's unexcused absence lets resolution go on only from `day` (LKN Art.
    30(6), Law 136/2025); before, the dialogue has to be held."""
    if ctx.data.get("result") == "no_show" and ctx.on and ctx.on < _iso(day, "no_show_allowed"):
        return Refusal(
            f"before {day} an absence does not end the dialogue: schedule it again "
            "(LKN Art. 30(6) applies from that date)",
            f"Trước ngày {_vi_date(day)}, việc vắng mặt không kết thúc đối thoại: cần tổ chức "
            "đối thoại lại (khoản 6 Điều 30 Luật Khiếu nại áp dụng từ ngày đó)",
        )
    return None


def dialogue_held_if_required(ctx: GuardContext, _arg: str) -> str | None:
    """A dialogue comes before the decision at second instance, for disciplinary complaints,
    and at first instance when the verification result does not grant the complaint."""
    if ctx.attributes.get("dialogue_held") == "yes":
        return None
    if ctx.attributes.get("second_instance") == "yes":
        why = "a second-instance complaint is decided after a dialogue (LKN Art. 39)"
        why_vi = "khiếu nại lần hai được giải quyết sau khi đối thoại (Điều 39 Luật Khiếu nại)"
    elif ctx.attributes.get("disciplinary") == "yes":
        why = "a disciplinary complaint is decided after a dialogue (LKN Arts. 53, 55)"
        why_vi = (
            "khiếu nại quyết định kỷ luật được giải quyết sau khi đối thoại (Điều 53, Điều 55 "
            "Luật Khiếu nại)"
        )
    elif ctx.data.get("outcome", "right") != "right":
        why = (
            "the verification result differs from what the complainant asks, so a dialogue "
            "must come first (LKN Art. 30(1))"
        )
        why_vi = (
            "kết quả xác minh khác với yêu cầu của người khiếu nại nên phải đối thoại trước "
            "(khoản 1 Điều 30 Luật Khiếu nại)"
        )
    else:
        return None
    return Refusal(
        f"{why}: schedule_dialogue, then hold_dialogue",
        f"{why_vi[0].upper()}{why_vi[1:]}: tổ chức đối thoại trước khi ra quyết định",
    )


def second_complaint_allowed(ctx: GuardContext, _arg: str) -> str | None:
    if ctx.data.get("route") != "second_complaint":
        return None
    if ctx.attributes.get("second_instance") == "yes":
        return Refusal(
            "this is already the second instance: only a lawsuit remains (LKN Art. 42)",
            "Đây đã là khiếu nại lần hai: người khiếu nại chỉ còn quyền khởi kiện vụ án hành "
            "chính (Điều 42 Luật Khiếu nại)",
        )
    if ctx.attributes.get("issuer_level") == "minister":
        return Refusal(
            "a minister's decision has one instance only: the complainant may sue in court "
            "(LKN Art. 7(2))",
            "Quyết định của Bộ trưởng chỉ giải quyết một lần: người khiếu nại có quyền khởi "
            "kiện tại Tòa án (khoản 2 Điều 7 Luật Khiếu nại)",
        )
    return None


GUARDS: Mapping[str, Guard] = {
    "in_force_from": in_force_from,
    "clock_met": clock_met,
    "clock_elapsed": clock_elapsed,
    "dialogue_notice": dialogue_notice,
    "no_show_allowed": no_show_allowed,
    "second_complaint_allowed": second_complaint_allowed,
    "dialogue_held_if_required": dialogue_held_if_required,
    "has_handler": has_handler,
    "is_within_competence": is_within_competence,
    "extension_allowed": extension_allowed,
    "withdrawal_not_overridden": withdrawal_not_overridden,
    "clock_running": clock_running,
    "clock_ticking": clock_ticking,
    "clock_paused": clock_paused,
    "no_running_clocks": no_running_clocks,
    "duty_done": duty_done,
    "recorded": recorded,
    "reached": reached,
    "field_when": field_when,
}


def check_guards(ctx: GuardContext) -> list[str]:
    """Every failed guard's message, in the order the definition lists them."""
    failures = []
    for name in ctx.spec.guards:
        base, _, arg = name.partition(":")
        guard = GUARDS.get(base)
        if guard is None:
            raise ConfigurationError(
                f"guard {base!r} used by trigger {ctx.spec.trigger!r} is unknown; "
                f"known guards: {', '.join(sorted(GUARDS))}"
            )
        message = guard(ctx, arg)
        if message:
            failures.append(message)
    return failures


@dataclass(frozen=True)
class GuardScope:
    """What a guard's argument may name, in the lifecycle that uses it."""

    spec: TransitionSpec
    clock_codes: frozenset[str]  # the clocks with a deadline rule
    triggers: frozenset[str]
    states: frozenset[str]
    attributes: frozenset[str]  # what the lifecycle's steps record on a case


def _date_problem(text: str) -> str | None:
    try:
        date.fromisoformat(text)
    except ValueError:
        return f"{text!r} is not a date as YYYY-MM-DD"
    return None


def _clocks_problem(text: str, scope: GuardScope) -> str | None:
    unknown = [code for code in text.split("|") if code not in scope.clock_codes]
    return f"no deadline rule for clock {', '.join(unknown)}" if unknown else None


def _argument_problem(base: str, arg: str, scope: GuardScope) -> str | None:
    """What is wrong with `arg` for guard `base` (the forms in each guard's docstring)."""
    if base in ("clock_running", "clock_ticking", "clock_paused", "clock_met", "clock_elapsed"):
        return _clocks_problem(arg, scope)
    if base in ("in_force_from", "no_show_allowed"):
        return _date_problem(arg)
    if base == "dialogue_notice":
        days, _, day = arg.partition(":")
        return _date_problem(day) if days.isdigit() else f"{days!r} is not a number of days"
    if base == "duty_done":
        code, _, trigger = arg.partition(":")
        if trigger not in scope.triggers:
            return f"{trigger!r} is not a trigger of the lifecycle"
        return _clocks_problem(code, scope)
    if base == "recorded":
        attribute, _, rest = arg.partition(":")
        trigger, _, state = rest.partition(":")
        if trigger not in scope.triggers:
            return f"{trigger!r} is not a trigger of the lifecycle"
        if state and state not in scope.states:
            return f"{state!r} is not a state of the lifecycle"
        return None if attribute in scope.attributes else f"no step records {attribute!r}"
    if base == "reached":
        return None if arg in scope.attributes else f"no step records {arg!r}"
    if base == "field_when":
        wanted, _, condition = arg.partition(":")
        other, _, value = condition.partition("=")
        fields = {f.name: f for f in scope.spec.fields}
        missing = [name for name in (wanted, other) if name not in fields]
        if missing:
            return f"{scope.spec.trigger} takes no field {', '.join(missing)}"
        if fields[other].choices and value not in fields[other].choices:
            return f"{value!r} is not a choice of {other}: {', '.join(fields[other].choices)}"
        return None
    return f"takes no argument, not {arg!r}" if arg else None


def guard_problems(guard: str, scope: GuardScope) -> list[str]:
    """What is wrong with `guard` (`name` or `name:argument`) as a definition uses it: an
    unknown name, or an argument naming no clock, trigger, state, field or date."""
    base, _, arg = guard.partition(":")
    if base not in GUARDS:
        near = difflib.get_close_matches(base, list(GUARDS), n=1)
        hint = f"did you mean {near[0]!r}?" if near else f"guards: {', '.join(sorted(GUARDS))}"
        return [f"{base!r} is no guard ({hint})"]
    problem = _argument_problem(base, arg, scope)
    return [f"guard {guard}: {problem}"] if problem else []
