"""The yes/no facts of a case that definitions may name (`when:` of a clock start,
`initial_when:`, a rule variant's `when:`). A name that is none of these can never hold, so a
definition naming one is refused when loaded: a misspelt fact would silently keep a legal clock
from ever starting."""

from __future__ import annotations

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
"""Worked out from the case (services/clock_effects.case_facts)."""

INTAKE_DATES = ("decision_known_on",)
"""Dates reception records that a clock may count from (`anchor: attribute:NAME`)."""

CASE_LINKS = (
    "from_letter",
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
