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
from casework.domain.errors import InvalidInput
from casework.domain.facts import INTAKE_FACTS
from casework.domain.organisation import Organisation

ISSUER_LEVELS = ("other", "provincial_chair", "minister")
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
) -> ComplaintIntake:
    """Validate the complaint's facts and turn them into case attributes."""
    if facts.issuer_level not in ISSUER_LEVELS:
        raise InvalidInput(
            f"unknown issuer level {facts.issuer_level!r}; allowed: {', '.join(ISSUER_LEVELS)}"
        )
    if facts.remote_area and not facts.remote_area_reason.strip():
        raise InvalidInput(
            "--remote-area needs its reason, e.g. --remote-area 'xã đặc biệt khó khăn, cách trụ "
            "sở 60 km': the longer periods apply on a recorded reason (LKN Arts. 28, 37)"
        )
    if facts.dismissal and not facts.disciplinary:
        raise InvalidInput("--dismissal describes a disciplinary decision: add --disciplinary")
    if facts.decision_known_on and facts.decision_known_on > received_on:
        raise InvalidInput(
            f"the complainant cannot have learnt of the decision on "
            f"{facts.decision_known_on.isoformat()}, after the complaint arrived "
            f"({received_on.isoformat()})"
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
        connection, vault, facts.second_instance_of, attributes, agency, org, received_on
    )


def _second_instance(
    connection: Transaction,
    vault: Vault,
    first_ref: str,
    attributes: dict[str, Any],
    agency: str,
    org: Organisation | None,
    received_on: date,
) -> ComplaintIntake:
    first = CaseStore(connection).get(first_ref)
    if first.kind != "complaint":
        raise InvalidInput(f"{first.ref} is a {first.kind}, not a complaint")
    if first.attributes.get("second_instance") == "yes":
        raise InvalidInput(
            f"{first.ref} is already a second-instance complaint: only a lawsuit remains "
            "(LKN Art. 42)"
        )
    if first.attributes.get("issuer_level") == "minister":
        raise InvalidInput(
            f"{first.ref} contests a minister's decision: there is no second instance, only a "
            "lawsuit (LKN Art. 7(2))"
        )
    _check_first_instance_done(connection, first, received_on)
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
    raise InvalidInput(
        f"the first-instance decision of {first.ref} is not recorded as sent to the "
        "complainant: give --decision-known-on YYYY-MM-DD, the day the complainant received "
        "or learnt of it (LKN Art. 33(1))"
    )


def _check_second_instance_agency(
    org: Organisation, first_agency: str, first: dict[str, Any], agency: str, ref: str
) -> None:
    """The second instance belongs to the direct superior (LKN Art. 7(1)); for a provincial
    chairperson's decision, to the minister of the sector (Art. 7(3)), never the same body."""
    if agency == first_agency:
        raise InvalidInput(
            f"{ref} was resolved by {first_agency}: the second instance belongs to another body "
            "(LKN Art. 7)"
        )
    if first.get("issuer_level") == "provincial_chair":
        return  # the sector minister, who need not be in this organisation's tree
    superior = org.agencies[first_agency].superior if first_agency in org.agencies else None
    if superior and agency != superior:
        raise InvalidInput(
            f"the second instance of {ref} belongs to the direct superior of {first_agency}: "
            f"--agency {superior} (LKN Art. 7(1)); for a provincial chairperson's decision, the "
            "sector minister (Art. 7(3): record it with --issuer-level provincial_chair)"
        )


def _check_first_instance_done(
    connection: Transaction, first: StoredCase, received_on: date
) -> None:
    """A second complaint follows a first-instance decision the complainant did not take to
    court, or a first-instance period that ran out without one (LKN Art. 33(1)); and only one
    second complaint continues a first case."""
    appeals = [dict(row.data or {}) for row in CaseStore(connection).steps_of(first.id, ["appeal"])]
    continued = [a["second_case"] for a in appeals if a.get("second_case")]
    if continued:
        raise InvalidInput(
            f"{first.ref} is already continued by the second complaint {continued[0]}"
        )
    if any(a.get("route") == "lawsuit" for a in appeals):
        raise InvalidInput(
            f"{first.ref} was taken to court (appeal route=lawsuit): the court now decides, "
            "and a complaint on the same matter is not accepted (LKN Art. 11(9))"
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
        raise InvalidInput(
            f"{first.ref} is still being resolved (its period{until}): a second complaint "
            "follows the first-instance decision, or that period running out (LKN Art. 33(1))"
        )
    raise InvalidInput(
        f"{first.ref} is {first.state}: a second complaint follows a first-instance decision, "
        "or a first-instance period that ran out (LKN Art. 33(1))"
    )
