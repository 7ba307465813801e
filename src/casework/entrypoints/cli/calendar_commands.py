"""`casework calendar`: the legal working-day calendar."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from casework.domain.calendar import DayUnit, add_period, roll_forward
from casework.entrypoints.cli.common import (
    casework_app,
    command_group,
    emit_json,
    handles_errors,
    legal_calendar,
    parse_date,
)

app = command_group("The legal calendar: working days, holidays, due dates.")


@app.command("due")
@handles_errors
def due(
    start: Annotated[
        str, typer.Option(help="the start event's date, YYYY-MM-DD (day 1 is the next day)")
    ],
    days: Annotated[int, typer.Option(min=0, help="length of the period")],
    unit: Annotated[
        DayUnit, typer.Option(help="working days (ngày làm việc) or calendar days (ngày)")
    ] = DayUnit.WORKING,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Compute a due date the way every legal clock does (Civil Code Arts. 144–148)."""
    start_on = parse_date(start, "--start")
    assert start_on is not None
    calendar = legal_calendar()
    nominal = add_period(calendar, start_on, days, unit)
    due_on = roll_forward(calendar, nominal)
    skipped = [
        {"date": d.isoformat(), "why": calendar.describe(d)}
        for d in (start_on + timedelta(days=i) for i in range(1, (due_on - start_on).days + 1))
        if not calendar.is_working_day(d)
    ]
    result = {
        "start": start_on.isoformat(),
        "days": days,
        "unit": unit.value,
        "nominal_end": nominal.isoformat(),
        "due": due_on.isoformat(),
        "due_weekday": due_on.strftime("%A"),
        "rolled_forward": nominal != due_on,
        "days_off_in_between": skipped,
        "calendar_version": calendar.version,
    }
    if as_json:
        emit_json(result)
        return
    typer.echo(f"due {result['due']} ({result['due_weekday']}), expires 24:00 Asia/Ho_Chi_Minh")
    typer.echo(
        f"  {days} {unit.value} day(s) after {start_on.isoformat()}; nominal end {nominal.isoformat()}"
        + (" → rolled forward (Civil Code Art. 148(5))" if nominal != due_on else "")
    )
    for item in skipped:
        typer.echo(f"  skipped {item['date']}: {item['why']}")
    typer.echo(f"  calendar {calendar.version}")


@app.command("show")
@handles_errors
def show(
    year: Annotated[int, typer.Argument(min=1990, max=2100, help="the year to show")],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """List the year's days off on weekdays and working Saturdays/Sundays."""
    from casework.services.calendar_views import year_calendar

    result = year_calendar(casework_app(), year)
    exceptions = result["exceptions"]
    working = result["working_days"]
    calendar = casework_app().calendar
    if as_json:
        emit_json(result)
        return
    typer.echo(f"{year}: {working} working days (calendar {calendar.version})")
    for item in exceptions:
        mark = "WORK" if item["working"] else "OFF "
        typer.echo(f"  {item['date']} {item['weekday']}  {mark}  {item['why']}")
