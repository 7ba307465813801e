"""The yes/no facts of a case that definitions may name (`when:` of a clock start,
`initial_when:`, a rule variant's `when:`). A name that is none of these can never hold, so a
definition naming one is refused when loaded: a misspelt fact would silently keep a legal clock
from ever starting."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

INTAKE_FACTS = ("remote_area", "disciplinary", "dismissal")
"""Recorded "yes" by reception when the case is logged (services/complaint_intake.py)."""

DERIVED_FACTS = (
    "out_of_competence",
    "second_instance",
    "first_instance",
    "redenunciation",
    "redenunciation_unlawful",
    "redenunciation_late",
    "forwarded_by_authority",
    "anonymous",
)
"""Worked out from the case (`case_facts` below)."""

INTAKE_DATES = ("decision_known_on",)
"""Dates reception records that a clock may count from (`anchor: attribute:NAME`)."""

CASE_LINKS = (
    "from_letter",
    "case_ref",  # a letter's classification: the case made from it, with the letter's sender
    "redenunciation_of",
    "first_instance_ref",
    "taken_over_by",
    "linked_check",
    "repeat_of",
    "duplicate_of",
)
"""The attributes (and audit payload fields) that may hold another case's reference: each is
shown only to whoever may see the linked case (services/case_access.py), and a lifecycle's
`linked:` step names one of them."""

TYPED_CASE_LINKS = ("duplicate_of",)
"""Of `CASE_LINKS`, those an officer types on a step that must name a case he can see (the
others are written by the engine, or, like `linked_check`, may be an inspection's own
number)."""


def attribute_facts(attributes: Mapping[str, Any]) -> dict[str, bool]:
    """The facts the case's attributes alone give: every attribute set to "yes" (e.g.
    remote_area, disciplinary), plus the instance of a complaint and the ground of a
    re-denunciation."""
    ground = attributes.get("redenunciation")
    return {
        **{name: value in ("yes", True) for name, value in attributes.items()},
        "out_of_competence": str(attributes.get("competent", "yes")) == "no",
        "second_instance": attributes.get("second_instance") == "yes",
        "first_instance": attributes.get("second_instance") != "yes",
        "redenunciation": bool(ground),
        "redenunciation_unlawful": ground == "unlawful",
        "redenunciation_late": ground == "late",
    }


def case_facts(
    attributes: Mapping[str, Any], state: str, forwarded_by: str | None
) -> dict[str, bool]:
    """Yes/no facts that a definition's `when:` and a rule's variants can name: the
    attributes' facts, plus those the case's state and origin give."""
    return {
        **attribute_facts(attributes),
        "forwarded_by_authority": bool(forwarded_by),
        "anonymous": state == "intelligence",
    }
