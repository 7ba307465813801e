"""The daily digest: each supervisor gets one email listing every open case of their units
that is overdue or due within a few working days, and the alerts still unacknowledged."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from casework.adapters.bulk import insert_ignoring_duplicates
from casework.adapters.case_store import CASES, CLOCKS
from casework.adapters.tables import OutboxRow
from casework.domain.access import Principal
from casework.domain.calendar import add_working_days, working_days_between
from casework.domain.escalation import NO_LADDER
from casework.domain.organisation import Role
from casework.domain.visibility import alert_reaches, case_access
from casework.services.app import Casework, legal_date
from casework.services.case_access import facts_for
from casework.services.escalations import ACKS, ESCALATIONS, alert_recipients, is_current
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
        clocks = connection.execute(
            select(
                CLOCKS.c.code,
                CLOCKS.c.due,
                CLOCKS.c.rule_version,
                CASES.c.id,
                CASES.c.reference,
                CASES.c.kind,
                CASES.c.agency,
                CASES.c.logged_by,
                CASES.c.handler,
            )
            .join(CASES, CASES.c.id == CLOCKS.c.case_id)
            .where(
                CLOCKS.c.status == "running",
                CLOCKS.c.due <= horizon,
                CLOCKS.c.ladder != NO_LADDER,  # the parties' windows are not duties
            )
            .order_by(CLOCKS.c.due)
        ).all()
        open_alerts = connection.execute(
            select(ESCALATIONS, CASES.c.reference)
            .join(CASES, CASES.c.id == ESCALATIONS.c.case_id)
            .join(CLOCKS, CLOCKS.c.id == ESCALATIONS.c.clock_id)
            .where(is_current())  # one alert per clock, at its level; closed ones are history
        ).all()
        told = alert_recipients(connection, list(open_alerts))
        acknowledged = {
            (escalation_id, officer)
            for escalation_id, officer in connection.execute(
                select(ACKS.c.escalation_id, ACKS.c.officer).where(
                    ACKS.c.escalation_id.in_([a.id for a in open_alerts])
                )
            )
        }
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
                    app.settings,
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
        outbox = OutboxRow.__table__  # type: ignore[attr-defined]
        already = (
            set(
                connection.execute(
                    select(outbox.c.dedupe_key).where(
                        outbox.c.dedupe_key.in_([r["dedupe_key"] for r in rows])
                    )
                ).scalars()
            )
            if rows
            else set()
        )
        rows = [r for r in rows if r["dedupe_key"] not in already]
        insert_ignoring_duplicates(connection, outbox, rows)
        result.queued = len(rows)
        result.supervisors = [r["recipient_officer"] for r in rows]
    return result
