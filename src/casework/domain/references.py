"""What a case reference looks like: `TC-2026-000123`, a kind's prefix, the year received and
the number in that kind's register for the year (adapters/reference_counters.py)."""

from __future__ import annotations

import re

REFERENCE = re.compile(r"^([A-Z]+)-(\d{4})-(\d{1,19})$")
"""A reference as stored (at most 19 digits: it is looked up as text, but nobody types more)."""

REFERENCE_PREFIX = re.compile(r"^[A-Z]{2,8}$")
"""What a lifecycle's `reference_prefix` may be: capital letters `REFERENCE` reads back."""
