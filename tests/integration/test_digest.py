"""The daily digest: one email per supervisor per working day, with the overdue and due-soon
cases of their units and the alerts they have not acknowledged."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tests.conftest import at

from casework.adapters.mailer import FolderMailer
from casework.domain.access import Principal
from casework.services.app import Casework
from casework.services.delivery import deliver_pending
from casework.services.digest import queue_digest
from casework.services.escalations import acknowledge, list_escalations
from casework.services.intake import Denouncer, LogCase, log_case
from casework.services.outbox import list_outbox, show_message
from casework.services.sweep import sweep
from casework.services.users import principal_of_officer


def admin(app: Casework) -> Principal:
    """The example organisation's administrator, who looks after the outbox."""
    return principal_of_officer(app, "ubnd-quan-tri")


pytestmark = pytest.mark.integration


def log(app: Casework, agency: str, received: str) -> str:
    return log_case(
        app,
        LogCase(
            kind="denunciation",
            agency=agency,
            received_on=date.fromisoformat(received),
            summary="x",
            denouncer=Denouncer("Người tố cáo bí mật"),
            denounced_name="B",
        ),
        at(received),
    ).ref


def test_each_supervisor_gets_their_units_once_a_working_day(app: Casework, tmp_path: Path) -> None:
    overdue = log(app, "so-tnmt", "2024-02-01")  # triage due 2024-02-19
    soon = log(app, "thanh-tra-tinh", "2024-02-20")  # triage due 2024-02-29
    sweep(app, at("2024-02-27", 6))
    result = queue_digest(app, at("2024-02-27", 7))
    assert result.is_working_day
    assert set(result.supervisors) == {
        "ubnd-chu-tich",
        "tnmt-giam-doc",
        "tt-chanh-thanh-tra",
        "tt-pho-chanh-thanh-tra",
    }
    by_officer = {
        m["officer"]: m
        for m in list_outbox(app, admin(app))["messages"]
        if m["template"] == "digest"
    }
    chairman = show_message(app, admin(app), by_officer["ubnd-chu-tich"]["id"], at("2024-02-27"))
    assert overdue in chairman["text"]
    assert soon in chairman["text"]  # the whole province is under the provincial committee
    assert "QUÁ HẠN 6 ngày làm việc" in chairman["text"]
    director = show_message(app, admin(app), by_officer["tnmt-giam-doc"]["id"], at("2024-02-27"))
    assert overdue in director["text"]
    assert soon not in director["text"]
    assert "Người tố cáo bí mật" not in chairman["text"] + director["text"]
    # the chairman's unacknowledged superior alert is repeated, until acknowledged
    chairman_ = principal_of_officer(app, "ubnd-chu-tich")
    alert = next(e for e in list_escalations(app, chairman_, "ubnd-chu-tich"))
    assert f"Cảnh báo số {alert['id']}," in chairman["text"]
    # the way to acknowledge is the dashboard's link, never a command line (issue 25)
    assert "casework " not in chairman["text"].replace("hệ thống casework", "")
    assert "/dashboard" in chairman["text"]
    acknowledge(app, alert["id"], chairman_, at("2024-02-27", 9))
    assert queue_digest(app, at("2024-02-27", 10)).queued == 0  # once a day
    queue_digest(app, at("2024-02-28", 7))
    latest = next(
        m for m in list_outbox(app, admin(app))["messages"] if m["officer"] == "ubnd-chu-tich"
    )
    assert (
        f"Cảnh báo số {alert['id']},"
        not in show_message(app, admin(app), latest["id"], at("2024-02-28"))["text"]
    )
    assert deliver_pending(app, at("2024-02-28", 8), FolderMailer(tmp_path / "mail")).dead == 0


def test_no_digest_on_a_day_off(app: Casework) -> None:
    log(app, "so-tnmt", "2024-02-01")
    assert not queue_digest(app, at("2024-02-10", 7)).is_working_day  # Tết
    assert queue_digest(app, at("2024-05-04", 7)).is_working_day  # swapped working Saturday


def test_a_denounced_supervisor_does_not_read_about_the_case_against_them(app: Casework) -> None:
    log_case(
        app,
        LogCase(
            kind="denunciation",
            agency="so-tnmt",
            received_on=date(2024, 2, 1),
            summary="x",
            denouncer=Denouncer("Z"),
            denounced_officer="tnmt-giam-doc",
        ),
        at("2024-02-01"),
    )
    result = queue_digest(app, at("2024-02-27", 7))
    assert "tnmt-giam-doc" not in result.supervisors
    assert "ubnd-chu-tich" in result.supervisors
