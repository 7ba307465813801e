"""Migration 0018 on a database of the old format: every identity and every copy of it is
sealed, the SQLite file is vacuumed, and the cases still work (ADR 0011, issue 24).

The old-format rows are written as the code before the vault wrote them: a sender in clear, an
unkeyed repeat digest, a summary and a step's reason naming him, an audit entry quoting him, a
notice to him whose context carries the summary, a delivery error quoting his address, and a
party's and a recusal's reason naming him.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from tests.conftest import EXAMPLE_ORG, at
from tests.integration.test_identities_at_rest import _dump, _found

from casework.adapters import audit_log
from casework.adapters.audit_log import AuditEvent
from casework.adapters.database import alembic_config, upgrade_schema
from casework.adapters.letters import LetterWriter
from casework.adapters.mailer import FolderMailer
from casework.config import Settings
from casework.domain.confidentiality import SUMMARY_WITHHELD, TEXT_WITHHELD
from casework.domain.repeats import repeat_key, subject_key
from casework.domain.text_folding import fold
from casework.services.app import Casework, bootstrap
from casework.services.audit_trail import verify_audit_trail
from casework.services.case_views import show_case
from casework.services.delivery import deliver_pending
from casework.services.intake import Denouncer, LogCase, log_case
from casework.services.organisation import load_organisation_file
from casework.services.users import principal_of_officer

pytestmark = pytest.mark.integration

NAME = "Phan Thị Thu Hà"
ADDRESS = "Số 9 ngõ 5 đường Nguyễn Du, Vinh"
CONTACT = "0915 246 813"
ID_NUMBER = "040192003456"
EMAIL = "thuha.phan@example.vn"
NEEDLES = sorted(
    {
        p
        for part in (NAME, "ngõ 5 đường Nguyễn Du", "0915246813", ID_NUMBER, EMAIL)
        for p in (part, fold(part))
    }
)
SUMMARY = f"Bà {NAME} ({CONTACT}, {EMAIL}) tố cáo chủ tịch xã thu tiền trái quy định"
REASON = f"đã gọi bà {NAME} theo số {CONTACT}"


def _old_sender_key() -> str:
    """The unkeyed digest the code before the vault stored (domain/repeats.py then)."""
    return hashlib.sha256(f"{fold(NAME)}|id:{ID_NUMBER}".encode()).hexdigest()[:32]


_cases = sa.table(
    "case_file",
    *(
        sa.column(name)
        for name in (
            "id",
            "reference",
            "kind",
            "state",
            "agency",
            "received_on",
            "last_event_on",
            "logged_at",
            "logged_by",
            "channel",
            "summary",
            "denounced_name",
            "denounced_officer",
            "subject_key",
            "complexity",
            "version",
        )
    ),
    sa.column("attributes", sa.JSON),
)
_senders = sa.table(
    "denouncer_identity",
    *(
        sa.column(n)
        for n in (
            "case_id",
            "full_name",
            "address",
            "contact",
            "id_number",
            "email",
            "sender_key",
            "repeat_key",
        )
    ),
)
_steps = sa.table(
    "transition",
    *(
        sa.column(n)
        for n in (
            "case_id",
            "trigger",
            "from_state",
            "to_state",
            "occurred_on",
            "recorded_at",
            "actor",
            "reason",
            "basis",
        )
    ),
    sa.column("data", sa.JSON),
)
_notices = sa.table(
    "outbox_message",
    *(
        sa.column(n)
        for n in (
            "dedupe_key",
            "message_id",
            "template",
            "language",
            "case_id",
            "recipient_officer",
            "recipient_party",
            "to_address",
            "channel",
            "status",
            "attempts",
            "next_attempt_at",
            "last_error",
            "created_at",
        )
    ),
    sa.column("context", sa.JSON),
)
_parties = sa.table(
    "case_party",
    *(sa.column(n) for n in ("case_id", "role", "kind", "name", "outside_reason")),
    sa.column("candidates", sa.JSON),
)
_recusals = sa.table(
    "case_recusal", *(sa.column(n) for n in ("case_id", "officer", "reason", "recorded_at"))
)


@pytest.fixture
def old_app(database_url: str, tmp_path: Path) -> Iterator[Casework]:
    """An engine on a database migrated to 0017, the last revision before the vault."""
    engine_app = bootstrap(Settings(home=tmp_path, database_url=database_url))
    config = alembic_config(database_url)
    with engine_app.database.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0017")
    yield engine_app
    engine_app.database.dispose()


def _write_old_rows(app: Casework) -> None:
    logged = datetime(2024, 2, 1, 2, 0, tzinfo=UTC)
    subject = subject_key("Đoàn Văn Uy", "hn-chu-tich")
    with app.database.begin() as connection:
        audit_log.append(connection, [AuditEvent("org.loaded", "tests", None, {})], logged)
        connection.execute(
            sa.text("INSERT INTO reference_counter (series, last_number) VALUES ('TC-2024', 1)")
        )
        case_id = connection.execute(
            _cases.insert()
            .returning(_cases.c.id)
            .values(
                reference="TC-2024-000001",
                kind="denunciation",
                state="triage",
                agency="thanh-tra-tinh",
                received_on=date(2024, 2, 1),
                last_event_on=date(2024, 2, 2),
                logged_at=logged,
                logged_by="tt-tiep-nhan",
                channel="letter",
                summary=SUMMARY,
                denounced_name="Đoàn Văn Uy",
                denounced_officer="hn-chu-tich",
                subject_key=subject,
                complexity="ordinary",
                version=2,
                attributes={"note": f"gặp bà {NAME}"},
            )
        ).scalar_one()
        connection.execute(
            _senders.insert().values(
                case_id=case_id,
                full_name=NAME,
                address=ADDRESS,
                contact=CONTACT,
                id_number=ID_NUMBER,
                email=EMAIL,
                sender_key=_old_sender_key(),
                repeat_key=repeat_key(_old_sender_key(), "denunciation", "thanh-tra-tinh", subject),
            )
        )
        connection.execute(
            _steps.insert().values(
                case_id=case_id,
                trigger="triage",
                from_state="received",
                to_state="triage",
                occurred_on=date(2024, 2, 2),
                recorded_at=logged,
                actor="tt-chanh-thanh-tra",
                reason=REASON,
                basis="LTC Art. 24",
                data={},
            )
        )
        audit_log.append(
            connection,
            [
                AuditEvent("case.logged", "tt-tiep-nhan", "TC-2024-000001", {"kind": "x"}),
                AuditEvent(
                    "case.advanced",
                    "tt-chanh-thanh-tra",
                    "TC-2024-000001",
                    {"trigger": "triage", "reason": REASON, "data": {}},
                ),
                AuditEvent("case.recused", "tt-xac-minh-2", "TC-2024-000001", {"reason": REASON}),
            ],
            logged,
        )
        audit_log.append(connection, [AuditEvent("user.added", "tests", None, {})], logged)
        common = {
            "language": "vi",
            "case_id": case_id,
            "channel": "",
            "attempts": 1,
            "next_attempt_at": logged,
            "created_at": logged,
        }
        connection.execute(
            _notices.insert().values(
                dedupe_key="party:1:1:party.acceptance:denouncer",
                message_id="<a@casework>",
                template="party.acceptance",
                recipient_officer=None,
                recipient_party="denouncer",
                to_address="",
                status="pending",
                last_error=f"550 mailbox {EMAIL} unavailable",
                context={  # as services/party_notices.py built it then
                    "notice": {"code": "party.acceptance", "basis": "LTC Art. 29(1)"},
                    "recipient": {"party": "denouncer", "name": ""},
                    "case": {
                        "ref": "TC-2024-000001",
                        "kind": "denunciation",
                        "received_on": "2024-02-01",
                        "agency_name": "Thanh tra tỉnh",
                        "denounced_name": "Đoàn Văn Uy",
                        "contested_decision": "",
                        "second_instance": False,
                        "redenunciation_of": "",
                        "content": SUMMARY,
                    },
                    "decision": {
                        "trigger": "accept",
                        "title": "Thụ lý",
                        "on": "2024-02-02",
                        "basis": "LTC Art. 29",
                        "data": {},
                    },
                    "clock": None,
                    "sent_on": "2024-02-02",
                    "signed_by": None,
                    "link": "http://127.0.0.1:8000/cases/TC-2024-000001",
                },
                **common,
            )
        )
        connection.execute(
            _parties.insert().values(
                case_id=case_id,
                role="denounced",
                kind="person",
                name="Đoàn Văn Uy",
                outside_reason=f"bà {NAME} xác nhận là người ngoài",
                candidates=[],
            )
        )
        connection.execute(
            _recusals.insert().values(
                case_id=case_id, officer="tt-xac-minh-2", reason=REASON, recorded_at=logged
            )
        )


def test_the_vault_migration_seals_an_old_database_and_keeps_it_working(
    old_app: Casework, tmp_path: Path
) -> None:
    app = old_app
    _write_old_rows(app)
    for name in ("before", "after"):
        (tmp_path / name).mkdir()
    before = _found(_dump(app, tmp_path / "before"), NEEDLES)
    assert before, "the old-format rows were not written in clear: the test proves nothing"
    sealed = upgrade_schema(app.database, app.vault)
    assert sealed == {
        "senders": 1,
        "summaries": 1,
        "steps": 1,
        "audit_entries": 2,
        "notices": 1,
    }
    assert _found(_dump(app, tmp_path / "after"), NEEDLES) == []
    assert verify_audit_trail(app).is_intact
    load_organisation_file(app, EXAMPLE_ORG, "tests", at("2024-03-01"))
    head = principal_of_officer(app, "tt-chanh-thanh-tra")
    plain = show_case(app, "TC-2024-000001", at("2024-03-01"), head)
    assert plain["summary"] == SUMMARY_WITHHELD
    assert plain["history"][-1]["reason"] == TEXT_WITHHELD
    assert plain["parties"][0]["outside_reason"] == TEXT_WITHHELD
    typed = show_case(app, "TC-2024-000001", at("2024-03-01"), head, reveal_identity=True)
    assert typed["denouncer"] is not None
    assert typed["denouncer"]["email"] == EMAIL
    assert typed["summary"] == SUMMARY
    assert typed["history"][-1]["reason"] == REASON
    # the repeat digest was recomputed under the repeat key: the same sender is recognised
    again = log_case(
        app,
        LogCase(
            kind="denunciation",
            agency="thanh-tra-tinh",
            received_on=date(2024, 3, 1),
            summary="Tố cáo tiếp",
            denouncer=Denouncer(NAME.upper(), id_number=ID_NUMBER),
            denounced_officer="hn-chu-tich",
            logged_by="tt-tiep-nhan",
        ),
        at("2024-03-01"),
    )
    assert again.repeat_of == "TC-2024-000001"
    # the sealed notice to the sender still goes out, addressed and telling the summary
    home = app.settings.home
    report = deliver_pending(
        app,
        at("2024-03-01", 10),
        FolderMailer(home / "mail"),
        letters=LetterWriter(home / "letters"),
    )
    assert report.sent == 1, report.errors
    sent = b"".join(p.read_bytes() for p in (home / "mail").rglob("*.eml"))
    assert EMAIL.encode() in sent
