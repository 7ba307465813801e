"""A case classified from a logged letter (xử lý đơn): it keeps the letter's receipt date,
channel and sender, and the letter records its classification in the same transaction."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from casework.adapters.case_store import CaseStore, StoredCase
from casework.adapters.identity_vault import Vault
from casework.adapters.unit_of_work import Transaction
from casework.domain.errors import InvalidInput, said
from casework.domain.lifecycle import LifecycleDefinition
from casework.domain.words_vi import KIND_LABEL_VI, case_of_kind_vi, choices_vi, state_vi, vi_day

if TYPE_CHECKING:
    from datetime import date

    from casework.services.app import Casework
    from casework.services.intake import LogCase

CLASSIFIABLE_STATES = ("received", "classified")
KINDS = ("denunciation", "complaint", "petition")


def letter_for(
    connection: Transaction, ref: str, kind: str, lifecycle: LifecycleDefinition | None = None
) -> StoredCase:
    """The letter a case of `kind` is classified from, or a clear refusal (`lifecycle`, the
    letter's, names its state on a Vietnamese page)."""
    letter = CaseStore(connection).get(ref)
    if letter.kind != "letter":
        raise said(
            InvalidInput(f"{letter.ref} is a {letter.kind}, not a letter awaiting classification"),
            f"Hồ sơ {letter.ref} là {case_of_kind_vi(letter.kind)}, không phải đơn đang chờ "
            "phân loại",
        )
    if kind not in KINDS:
        raise said(
            InvalidInput(f"a letter is classified as one of: {', '.join(KINDS)}; not {kind!r}"),
            f"Đơn chỉ được phân loại thành một trong: {choices_vi(KINDS, KIND_LABEL_VI)}",
        )
    if letter.state not in CLASSIFIABLE_STATES:
        raise said(
            InvalidInput(
                f"{letter.ref} is {letter.state}: only a letter received or already classified "
                "(a letter with several contents) gives rise to a case"
            ),
            f"Đơn {letter.ref} đang ở trạng thái «{state_vi(lifecycle, letter.state)}»: chỉ đơn "
            "mới tiếp nhận hoặc đã phân loại (đơn có nhiều nội dung) mới được tạo hồ sơ",
        )
    return letter


def from_letter(
    connection: Transaction, vault: Vault, command: LogCase, letter: StoredCase
) -> LogCase:
    """`command` completed from the letter: its receipt date (refusing another), channel,
    forwarder, sender and summary where the officer did not give them."""
    from casework.services.intake import Denouncer

    if command.received_on != letter.received_on:
        raise said(
            InvalidInput(
                f"{letter.ref} was received on {letter.received_on.isoformat()}: a case "
                "classified from it keeps that date for every clock (leave --received out)"
            ),
            f"Đơn {letter.ref} nhận ngày {vi_day(letter.received_on)}: hồ sơ tạo từ đơn giữ "
            "nguyên ngày nhận này để tính mọi thời hạn (không nhập ngày nhận khác)",
        )
    store = CaseStore(connection)
    row = store.case_row(letter.id)
    # the letter's sender, opened to be sealed again under the new case's own key
    sender = vault.senders_of(connection, [letter.id]).get(letter.id)
    typed = sender.typed() if sender is not None else {}
    typed_summary = typed.get("summary") or row.summary
    changes: dict[str, Any] = {
        "agency": command.agency or letter.agency,
        "channel": row.channel,
        "forwarded_by": command.forwarded_by or typed.get("forwarded_by") or row.forwarded_by,
        "summary": command.summary if command.summary.strip() else typed_summary,
        "logged_by": command.logged_by or letter.logged_by,
        "attributes": {**command.attributes, "from_letter": letter.ref},
    }
    if not (command.denouncer and command.denouncer.full_name.strip()) and sender is not None:
        changes["denouncer"] = Denouncer(**sender.identity)
    return replace(command, **changes)


def letter_receipt(app: Casework, ref: str) -> date:
    """The receipt date of a logged letter (what a case classified from it counts from)."""
    with app.reading() as session:
        return CaseStore(session.connection()).get(ref).received_on
