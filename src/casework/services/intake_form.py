"""One reading of what reception gives for a new case, whichever way it comes in.

The command line (its options over a case file), the REST API (a JSON body) and the web form
give the same fields: `INTAKE_FIELDS`, with the sender as a `denouncer` mapping and a
complaint's facts as a `complaint` mapping, as a case file writes them. Each entrypoint maps
its own input onto these names once; `intake_command` then reads them all the same way —
dates, yes/no answers, the complaint's facts, the further denounced parties, a
re-denunciation, the letter a case is classified from — into the `LogCase` that
`services/intake.log_case` records. An error names the field as the entrypoint's user knows
it (`labels`: `--received` on the command line, `received_on` in the API); its Vietnamese
(`CaseworkError.vi`) names it as the Vietnamese reception form does (`intake_labels.FIELDS_VI`),
never by a code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from casework.domain.errors import InvalidInput, said
from casework.domain.free_text import read_day
from casework.services.complaint_intake import ComplaintFacts
from casework.services.intake import Denouncer, LogCase, OtherDenounced
from casework.services.intake_labels import field_vi
from casework.services.redenunciation_intake import Redenunciation

DENOUNCER_FIELDS = ("full_name", "address", "contact", "id_number", "email")
"""The sender's identity, kept confidential (`denouncer`)."""

COMPLAINT_FIELDS = (
    "decision_known_on",
    "contested_decision",
    "remote_area",
    "remote_area_reason",
    "disciplinary",
    "dismissal",
    "issuer_level",
    "second_instance_of",
)
"""A complaint's facts (`complaint`); `remote_area` is the reason or yes/no (a case file, the
command line), `remote_area_reason` the reason alone, as text (the API)."""

OTHER_PARTY_FIELDS = ("name", "officer", "agency")
"""One further denounced party given as a mapping (`also_denounced`)."""

INTAKE_FIELDS = (
    "kind",
    "agency",
    "received",
    "summary",
    "channel",
    "forwarded_by",
    "denouncer",
    "anonymous",
    "historical",
    "denounced_name",
    "denounced_officer",
    "denounced_agency",
    "denounced_email",
    "also_denounced",
    "complaint",
    "from_letter",
    "classified_on",
    "redenunciation_of",
    "redenunciation_ground",
)
"""Everything reception may give for a new case."""


class _Reader:
    """The fields of one intake, with the names its entrypoint gives them in errors."""

    def __init__(self, fields: Mapping[str, Any], labels: Mapping[str, str]) -> None:
        unknown = sorted(set(fields) - set(INTAKE_FIELDS))
        if unknown:
            raise said(
                InvalidInput(
                    f"unknown fields {', '.join(unknown)}; allowed: {', '.join(INTAKE_FIELDS)}"
                ),
                f"Có {len(unknown)} mục không thuộc mẫu tiếp nhận đơn: chỉ nhập các mục có "
                "trên mẫu",
            )
        self.fields = fields
        self.labels = labels

    def label(self, name: str) -> str:
        return self.labels.get(name, name)

    def text(
        self,
        name: str,
        values: Mapping[str, Any] | None = None,
        what: str = "",
        numbers: bool = True,
        group: str = "",
    ) -> str:
        """Field `name` (of mapping `group`, `values`, where given) as text."""
        value = (self.fields if values is None else values).get(name)
        if value is None:
            return ""
        if numbers and isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)  # a number a case file gives unquoted (a summary: 12)
        if not isinstance(value, str):
            raise said(
                InvalidInput(f"{what or self.label(name)} must be text, not {value!r}"),
                f"«{field_vi(f'{group}.{name}' if group else name)}» phải ghi bằng chữ",
            )
        return value

    def optional(self, name: str) -> str | None:
        return self.text(name).strip() or None

    def day(self, value: Any, label: str, name: str) -> date | None:
        """`value` as a date; `label` names field `name` (in `FIELDS_VI`) in a refusal."""
        if value in (None, ""):
            return None
        if isinstance(value, date):
            return value
        try:
            return read_day(str(value))
        except ValueError:
            raise said(
                InvalidInput(
                    f"{label}: {str(value)!r} is not a date; use DD/MM/YYYY or YYYY-MM-DD"
                ),
                f"«{field_vi(name)}»: «{value}» không phải là ngày: nhập theo dạng "
                "ngày/tháng/năm, ví dụ 07/02/2024",
            ) from None

    def mapping(self, name: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        value = self.fields.get(name)
        if value is None:
            return {}
        allowed_vi = "; ".join(field_vi(f"{name}.{key}") for key in allowed)
        if not isinstance(value, Mapping):
            raise said(
                InvalidInput(f"{self.label(name)} must be a mapping of: {', '.join(allowed)}"),
                f"Mục «{field_vi(name)}» phải gồm các thông tin: {allowed_vi}",
            )
        unknown = sorted(set(value) - set(allowed))
        if unknown:
            raise said(
                InvalidInput(
                    f"unknown {name} fields {', '.join(unknown)}; allowed: {', '.join(allowed)}"
                ),
                f"Mục «{field_vi(name)}» có thông tin không thuộc mẫu; chỉ gồm: {allowed_vi}",
            )
        return dict(value)


def yes_no_word(word: str) -> bool | None:
    """yes/true → True, no/false → False, anything else → None (never taken as yes)."""
    return {"yes": True, "true": True, "no": False, "false": False}.get(word.strip().lower())


def _yes_no(value: Any, label: str, name: str) -> bool:
    """A yes/no answer given as a boolean or as yes/no/true/false; anything else is refused
    (`label` names field `name`, in `FIELDS_VI`)."""
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    answer = yes_no_word(str(value))
    if answer is None:
        raise said(
            InvalidInput(f"{label} must be yes or no, not {value!r}"),
            f"Mục «{field_vi(name)}» chỉ nhận một trong hai trả lời: có hoặc không",
        )
    return answer


def _complaint(read: _Reader, kind: str) -> ComplaintFacts | None:
    given = read.mapping("complaint", COMPLAINT_FIELDS)
    if kind != "complaint":
        # a complaint's facts on another kind are refused by the intake, which says why
        return ComplaintFacts() if given else None
    facts = {k: v for k, v in given.items() if v not in (None, "", False)}
    remote = facts.get("remote_area")
    if remote is not None and not isinstance(remote, (str, bool)):
        raise said(
            InvalidInput("complaint remote_area must be the reason, as text"),
            f"Mục «{field_vi('complaint.remote_area')}» cần ghi lý do bằng chữ",
        )
    reason = read.text(
        "remote_area_reason",
        facts,
        "complaint remote_area_reason",
        numbers=False,
        group="complaint",
    ).strip()
    if not reason and isinstance(remote, str) and yes_no_word(remote) is None:
        reason = remote.strip()
    return ComplaintFacts(
        decision_known_on=read.day(
            facts.get("decision_known_on"),
            read.label("complaint.decision_known_on"),
            "complaint.decision_known_on",
        ),
        contested_decision=read.text(
            "contested_decision",
            facts,
            "complaint contested_decision",
            numbers=False,
            group="complaint",
        ).strip(),
        remote_area=bool(reason)
        or _yes_no(remote, "complaint remote_area", "complaint.remote_area"),
        remote_area_reason=reason,
        disciplinary=_yes_no(
            facts.get("disciplinary"), "complaint disciplinary", "complaint.disciplinary"
        ),
        dismissal=_yes_no(facts.get("dismissal"), "complaint dismissal", "complaint.dismissal"),
        issuer_level=read.text(
            "issuer_level", facts, "complaint issuer_level", numbers=False, group="complaint"
        ).strip()
        or "other",
        second_instance_of=read.text(
            "second_instance_of",
            facts,
            "complaint second_instance_of",
            numbers=False,
            group="complaint",
        ).strip()
        or None,
    )


def _other_parties(read: _Reader) -> tuple[OtherDenounced, ...]:
    given = read.fields.get("also_denounced") or []
    if isinstance(given, (str, Mapping)):
        given = [given]
    parties = []
    for item in given:
        if isinstance(item, str):
            parties.append(OtherDenounced.parse(item))
        elif isinstance(item, Mapping) and set(item) <= set(OTHER_PARTY_FIELDS):
            parties.append(
                OtherDenounced(
                    name=str(item.get("name") or "").strip(),
                    officer=item.get("officer") or None,
                    agency=item.get("agency") or None,
                )
            )
        else:
            raise said(
                InvalidInput(
                    f"{read.label('also_denounced')}: each party is a name as the letter gives "
                    f"it, officer:CODE or agency:CODE (or a mapping of "
                    f"{', '.join(OTHER_PARTY_FIELDS)})"
                ),
                f"Mục «{field_vi('also_denounced')}»: mỗi dòng ghi họ tên một người, tên một cơ "
                "quan như trong đơn",
            )
    return tuple(parties)


def intake_command(
    fields: Mapping[str, Any],
    logged_by: str,
    today: date,
    letter_receipt: Callable[[str], date],
    labels: Mapping[str, str] | None = None,
) -> LogCase:
    """The intake command of `fields` (`INTAKE_FIELDS`), logged by officer `logged_by`.

    A case received on no given date was received `today` — or, classified from a letter,
    on the letter's receipt date (`letter_receipt(ref)`). The agency is required unless the
    case is classified from a letter, whose agency it then keeps."""
    read = _Reader(fields, labels or {})
    kind = read.text("kind").strip()
    from_letter = read.optional("from_letter")
    agency = read.text("agency").strip()
    if not agency and not from_letter:
        raise said(
            InvalidInput(
                f"{read.label('agency')} is required: the code of the agency that must resolve "
                "the case"
            ),
            f"Cần ghi «{field_vi('agency')}»: cơ quan có thẩm quyền giải quyết đơn",
        )
    received = read.day(read.fields.get("received"), read.label("received"), "received")
    if received is None:
        received = letter_receipt(from_letter) if from_letter else today
    sender = read.mapping("denouncer", DENOUNCER_FIELDS)
    name = read.text(
        "full_name", sender, f"{read.label('denouncer')} full_name", group="denouncer"
    ).strip()
    redenounced = read.optional("redenunciation_of")
    return LogCase(
        kind=kind,
        agency=agency,
        received_on=received,
        summary=read.text("summary"),
        denouncer=Denouncer(
            full_name=name,
            **{
                key: read.text(key, sender, f"{read.label('denouncer')} {key}", group="denouncer")
                for key in DENOUNCER_FIELDS[1:]
            },
        )
        if name
        else None,
        anonymous=_yes_no(read.fields.get("anonymous"), read.label("anonymous"), "anonymous"),
        historical=read.text("historical"),
        denounced_name=read.text("denounced_name"),
        denounced_officer=read.optional("denounced_officer"),
        denounced_agency=read.optional("denounced_agency"),
        denounced_email=read.text("denounced_email"),
        more_denounced=_other_parties(read),
        channel=read.text("channel").strip() or "letter",
        forwarded_by=read.optional("forwarded_by"),
        logged_by=logged_by,
        complaint=_complaint(read, kind),
        from_letter=from_letter,
        classified_on=read.day(
            read.fields.get("classified_on"), read.label("classified_on"), "classified_on"
        ),
        redenunciation=Redenunciation(
            redenounced, read.text("redenunciation_ground").strip() or "unlawful"
        )
        if redenounced
        else None,
    )
