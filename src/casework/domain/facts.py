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
