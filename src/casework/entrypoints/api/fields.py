"""The kinds of text the API accepts, declared in its OpenAPI document with the bounds the
services enforce (domain/free_text.py): a one-line value — a name, a code, a reference — and a
text that may span lines — a summary, a reason. A value beyond them is refused with 422 before
any service or database sees it (issue 21: a NUL in a filter reached PostgreSQL as a 500)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import StringConstraints

from casework.domain.free_text import LINE, MULTILINE, ONE_LINE, SUMMARY

Line = Annotated[str, StringConstraints(max_length=LINE, pattern=ONE_LINE)]
"""A one-line value: at most LINE characters, no control character."""
Text = Annotated[str, StringConstraints(max_length=SUMMARY, pattern=MULTILINE)]
"""A text of several lines: at most SUMMARY characters; line breaks and tabs, no other control
character."""
LineQuery = Annotated[str | None, Query(max_length=LINE, pattern=ONE_LINE)]
"""An optional one-line query parameter (a filter)."""

PATTERNS = {ONE_LINE: False, MULTILINE: True}
"""Each pattern above, and whether it lets a text span lines (for the error's wording)."""
