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
from casework.domain.errors import InvalidInput
from casework.domain.organisation import Organisation

GROUNDS = ("unlawful", "late")
"""unlawful: the resolution was unlawful (Art. 37); late: the time limit passed (Art. 38)."""
RESOLVED_STATES = ("concluded", "referred", "closed")
OPEN_STATES = ("received", "triage", "inspection", "suspended")


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
) -> RedenunciationIntake:
    """Check that the earlier case can be denounced again to `agency`, and carry its denounced
    party (never its sender: see services/intake.py)."""
    if facts.ground not in GROUNDS:
        raise InvalidInput(
            f"unknown re-denunciation ground {facts.ground!r}; allowed: {', '.join(GROUNDS)} "
            "(unlawful: LTC Art. 37; late: LTC Art. 38)"
        )
    store = CaseStore(connection)
    original = store.get(facts.of_ref)
    if original.kind != "denunciation":
        raise InvalidInput(
            f"{original.ref} is a {original.kind}: only a denunciation is re-denounced"
        )
    superior = org.agencies[original.agency].superior if original.agency in org.agencies else None
    if agency != superior:
        raise InvalidInput(
            f"a re-denunciation of {original.ref} goes to the head of the direct superior of "
            f"{original.agency}: --agency {superior or '(none recorded in the organisation)'} "
            "(LTC Arts. 37(1), 38(1))"
        )
    if facts.ground == "unlawful" and original.state not in RESOLVED_STATES:
        raise InvalidInput(
            f"{original.ref} is {original.state}, not yet resolved: a re-denunciation for an "
            "unlawful resolution follows a conclusion (LTC Art. 37(1)); if its time limit has "
            "passed, the ground is late"
        )
    if facts.ground == "late":
        _check_overdue(store, original.id, original.ref, original.state, received_on)
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


def _check_overdue(store: CaseStore, case_id: int, ref: str, state: str, received_on: date) -> None:
    if state not in OPEN_STATES:
        raise InvalidInput(
            f"{ref} is {state}: a re-denunciation for delay concerns a case still unresolved "
            "(LTC Art. 38(1)); for a resolution said to be unlawful the ground is unlawful"
        )
    resolve = store.latest_clocks(case_id).get("denunciation.resolve")
    if resolve is None or resolve.status == "stopped" or resolve.due is None:
        raise InvalidInput(
            f"{ref} has no running resolution period to be late on (LTC Art. 38(1) concerns a "
            "denunciation accepted and not resolved in time)"
        )
    if resolve.due >= received_on:
        raise InvalidInput(
            f"{ref}'s resolution period runs until {resolve.due.isoformat()}: it is not late on "
            f"{received_on.isoformat()} (LTC Art. 38(1))"
        )
