"""Cases as reception logs them, shared by the tests that need a plain one of each kind:
a denunciation to the provincial inspectorate and a complaint to a commune about its
chairman's decision (the README's walk-throughs). Vary them with `dataclasses.replace`."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from casework.services.complaint_intake import ComplaintFacts
from casework.services.intake import Denouncer, LogCase

DENUNCIATION = LogCase(
    kind="denunciation",
    agency="thanh-tra-tinh",
    received_on=date(2026, 7, 6),
    summary="Cán bộ địa chính thu tiền trái quy định",
    denouncer=Denouncer("Phạm Thị Hoa", "Vinh, Nghệ An"),
    denounced_name="Lê Văn Cường",
    logged_by="tt-tiep-nhan",
)
COMPLAINT = replace(
    DENUNCIATION,
    kind="complaint",
    agency="xa-nghi-loc",
    received_on=date(2026, 7, 2),
    denounced_name="",
    denounced_officer="nl-chu-tich",
    complaint=ComplaintFacts(decision_known_on=date(2026, 5, 20)),  # in time: 90 days
    logged_by="nl-tiep-nhan",
)
