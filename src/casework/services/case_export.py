"""Cases as CSV, for a spreadsheet or a report: what leaves casework's access control.

An export is a file that gets mailed, printed and kept on shared drives, so it carries nothing
that only some roles may see (LTC Arts. 8(3), 47, 56; Decree 13/2023 on personal data):

- never the denouncer's identity: it is not a column, and the free-text summary, which the
  reception officer typed and may have written it into, is checked against the identity of
  its case (domain/confidentiality.py) and withheld when any part of it is found there;
- not the denounced person's name: only the agency they belong to. The case reference lets a
  reader who may see more open the case in casework, where their role decides.

Rows are read in case order, a batch at a time, so an export of a whole province's years of
cases streams in constant memory. The same scope rules as the case list apply: the user's
agencies, and never the denunciations of the user themselves.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any

from casework.adapters.export_queries import cases_after
from casework.domain.calendar import add_working_days
from casework.services.app import Casework, legal_date
from casework.services.case_views import CaseFilter, prepared

COLUMNS: tuple[str, ...] = (
    "ref",
    "kind",
    "state",
    "agency",
    "handler",
    "received_on",
    "channel",
    "denounced_agency",
    "next_due",
    "overdue",
    "summary",
)
"""The columns of an export, in order. No identity, no denounced person's name."""

BATCH = 1000


def export_rows(app: Casework, filters: CaseFilter, now: datetime) -> Iterator[dict[str, Any]]:
    """Every case matching `filters` (its limit and offset are ignored), oldest first."""
    today = legal_date(now)
    filters = prepared(app, filters, today)
    horizon = (
        add_working_days(app.calendar, today, filters.due_within)
        if filters.due_within is not None
        else None
    )
    unpaged = replace(filters, limit=BATCH, offset=0)
    after = 0
    while True:
        with app.reading() as session:
            connection = session.connection()
            batch = cases_after(connection, after, BATCH, unpaged)
        for row in batch:
            due = row["next_due"]
            if filters.overdue and not (due and due < today):
                continue
            if horizon is not None and not (due and due <= horizon):
                continue
            if filters.upcoming and not (due and due >= today):
                continue
            yield _export_row(row, today)
        if len(batch) < BATCH:
            return
        after = batch[-1]["id"]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""How a spreadsheet cell starts when it is to be read as a formula (OWASP, CSV injection)."""


def neutralised(value: str) -> str:
    """`value` as a spreadsheet shows it and never runs it: a leading quote before a cell a
    spreadsheet would read as a formula ("=HYPERLINK(…)" typed into a summary)."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _export_row(row: Any, today: Any) -> dict[str, Any]:
    # a summary that named the sender was stored withheld (services/sealing.py)
    summary = row["summary"] or ""
    due = row["next_due"]
    cells = _cells(row, summary, due, today)
    return {column: neutralised(value) for column, value in cells.items()}


def _cells(row: Any, summary: str, due: Any, today: Any) -> dict[str, str]:
    return {
        "ref": row["reference"],
        "kind": row["kind"],
        "state": row["state"],
        "agency": row["agency"],
        "handler": row["handler"] or "",
        "received_on": row["received_on"].isoformat(),
        "channel": row["channel"],
        "denounced_agency": row["denounced_agency"] or "",
        "next_due": due.isoformat() if due else "",
        "overdue": "yes" if due and due < today else "",
        "summary": summary,
    }


def export_csv(app: Casework, filters: CaseFilter, now: datetime) -> Iterator[str]:
    """The export as CSV text, a chunk per batch of rows, header first. UTF-8 with a byte
    order mark in front, so that spreadsheet programs read Vietnamese correctly."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writeheader()
    for count, row in enumerate(export_rows(app, filters, now), start=1):
        writer.writerow(row)
        if count % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
