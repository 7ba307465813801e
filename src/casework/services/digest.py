"""The daily digest: each supervisor gets one email listing every open case of their units
that is overdue or due within a few working days, and the alerts still unacknowledged."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from casework.adapters import digest_queries, outbox_store
from casework.domain.access import Principal
from casework.domain.calendar import add_working_days, working_days_between
from casework.domain.organisation import Role
from casework.domain.visibility import alert_reaches, case_access
from casework.services.app import Casework, legal_date
from casework.services.case_access import facts_for
from casework.services.escalations import alert_recipients
from casework.services.notices import outbox_row

DIGEST_HORIZON_WORKING_DAYS = 5


@dataclass
class DigestResult:
    day: str
    is_working_day: bool
    queued: int = 0
    supervisors: list[str] = field(default_factory=list)


def queue_digest(app: Casework, now: datetime) -> DigestResult:
    """Queue today's digest for every supervisor with something to read; once per day."""
    today = legal_date(now)
    calendar = app.calendar
    result = DigestResult(day=today.isoformat(), is_working_day=calendar.is_working_day(today))
    if not result.is_working_day:
        return result
    horizon = add_working_days(calendar, today, DIGEST_HORIZON_WORKING_DAYS)
    stamped = now.astimezone(UTC)
    with app.transaction() as connection:
        org = app.organisation(connection)
        clocks = digest_queries.duty_clocks_due(connection, horizon)
        open_alerts = digest_queries.open_alerts(connection)
        told = alert_recipients(connection, open_alerts)
        acknowledged = digest_queries.acknowledged(connection, [a.id for a in open_alerts])
        facts = facts_for(connection, [c.id for c in clocks] + [a.case_id for a in open_alerts])
        rows: list[dict[str, Any]] = []
        for officer in org.officers.values():
            if Role.SUPERVISOR not in officer.roles or not officer.email:
                continue
            reader = Principal.of_officer(officer)
            items = [
                {
                    "ref": c.reference,
                    "agency_name": org.agencies[c.agency].name
                    if c.agency in org.agencies
                    else c.agency,
                    "clock_code": c.code,
                    "clock_title": app.rules.version(c.code, c.rule_version).title_in(
                        app.settings.notice_language
                    ),
                    "due": c.due.isoformat(),
                    "overdue": c.due < today,
                    "working_days": (
                        -working_days_between(calendar, c.due, today)
                        if c.due < today
                        else working_days_between(calendar, today, c.due)
                    ),
                }
                for c in clocks
                # one policy for every path (domain/visibility.py)
                if case_access(org, reader, facts[c.id], today).exists
            ]
            alerts = [
                {
                    "id": a.id,
                    "ref": a.reference,
                    "step": a.step,
                    "clock_code": a.clock_code,
                    "due": a.due.isoformat(),
                }
                for a in open_alerts
                if officer.code in {r["officer"] for r in told[a.id]}
                and (a.id, officer.code) not in acknowledged  # each recipient answers for himself
                and alert_reaches(org, officer.code, facts[a.case_id])
            ]
            if not items and not alerts:
                continue
            key = f"digest:{today.isoformat()}:{officer.code}"
            rows.append(
                outbox_row(
                    app,
                    key,
                    "digest",
                    officer.code,
                    officer.email,
                    {
                        "recipient": {"name": officer.name, "post": "supervisor"},
                        "day": today.isoformat(),
                        "horizon_working_days": DIGEST_HORIZON_WORKING_DAYS,
                        "items": items,
                        "alerts": alerts,
                        "link": f"{app.settings.public_url.rstrip('/')}/dashboard",
                    },
                    stamped,
                )
            )
            result.supervisors.append(officer.code)
        rows = outbox_store.queue_new(connection, rows)
        result.queued = len(rows)
        result.supervisors = [r["recipient_officer"] for r in rows]
    return result
