"""Issue 24: a copy of the database, a dump or a file of the home folder reveals no sender.

Cases of every kind are logged with identities, summaries and reasons naming the sender, and
notices to him; the sweep and the delivery run; then the raw bytes of the database (the
SQLite file with its WAL and free pages, or a `pg_dump` of PostgreSQL) and of every file
under the home folder but the mail and letters folders are searched for each part of each
identity, with and without diacritics. Then the identity view, repeats, notices and exports
are shown to work still.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from tests.conftest import at

from casework.adapters.letters import LetterWriter
from casework.adapters.mailer import FolderMailer
from casework.adapters.tables import AuditRow
from casework.domain.confidentiality import SUMMARY_WITHHELD, TEXT_WITHHELD
from casework.domain.errors import NotAllowed, VaultLocked
from casework.domain.text_folding import fold
from casework.services.advance import AdvanceCase, advance_case
from casework.services.app import Casework, bootstrap
from casework.services.case_export import export_csv
from casework.services.case_views import CaseFilter, show_case
from casework.services.complaint_intake import ComplaintFacts
from casework.services.delivery import deliver_pending
from casework.services.intake import Denouncer, LogCase, log_case
from casework.services.keys import check_keys, retire_key, rotate_keys
from casework.services.sweep import sweep
from casework.services.users import principal_of_officer

pytestmark = pytest.mark.integration

HEAD = "tt-chanh-thanh-tra"  # may see the sender of the inspectorate's cases
VERIFIER = "tt-xac-minh-1"  # may not
ADMIN = "ubnd-quan-tri"


@dataclass(frozen=True)
class Sender:
    denouncer: Denouncer
    street: str  # the part of the address a search would look for

    def needles(self) -> list[str]:
        """What must not be found: each part, as typed and without diacritics."""
        d = self.denouncer
        parts = [d.full_name, self.street, d.id_number, d.email, d.contact.replace(" ", "")]
        return sorted({p for part in parts if part for p in (part, fold(part))})


SENDERS = {
    "denunciation": Sender(
        Denouncer(
            "Hoàng Thị Bích Ngọc",
            "Số 12 ngõ 34 đường Lê Lợi, Vinh",
            "0912 345 678",
            "040190001234",
            "ngoc.hoang@example.vn",
        ),
        "ngõ 34 đường Lê Lợi",
    ),
    "complaint": Sender(
        Denouncer("Hồ Văn Lực", "xóm Đông Quỳnh, xã Nghi Lộc", "0987 654 321", "040188005678", ""),
        "xóm Đông Quỳnh",
    ),
    "petition": Sender(
        Denouncer(
            "Nguyễn Thị Xuân Lộc", "khối Phúc Thịnh, Cửa Lò", "0977 111 222", "040195009999", ""
        ),
        "khối Phúc Thịnh",
    ),
    "letter": Sender(
        Denouncer(
            "Trương Quang Khải",
            "Số 7 đường Trần Phú, Vinh",
            "0933 444 555",
            "040180007777",
            "khai.truong@example.vn",
        ),
        "đường Trần Phú",
    ),
}


def _log(app: Casework, kind: str, summary: str) -> str:
    sender = SENDERS[kind].denouncer
    command = LogCase(
        kind=kind,
        agency="thanh-tra-tinh",
        received_on=date(2024, 2, 1),
        summary=summary,
        denouncer=sender,
        denounced_officer="hn-chu-tich",
        logged_by="tt-tiep-nhan",
    )
    if kind == "complaint":  # a decision on the complainant's own household names him
        command = replace(
            command,
            complaint=ComplaintFacts(
                decision_known_on=date(2024, 1, 20),
                contested_decision=DECISION,
                remote_area=True,
                remote_area_reason=f"nhà ông {sender.full_name} cách trụ sở 60 km",
            ),
        )
    if kind == "petition":  # forwarded by a newspaper that names its reader
        command = replace(
            command, forwarded_by=f"Báo Nghệ An, theo phản ánh của bà {sender.full_name}"
        )
    return log_case(app, command, at("2024-02-01")).ref


DECISION = "QĐ 45/QĐ-UBND thu hồi đất của hộ ông Hồ Văn Lực"


def _fill(app: Casework) -> dict[str, str]:
    """A case of each kind whose summary names its sender; a reason naming him; notices to
    the denouncer; the sweep and the delivery. Returns kind → reference."""
    refs = {
        kind: _log(app, kind, f"Ông/bà {s.denouncer.full_name} ({s.denouncer.contact}) phản ánh")
        for kind, s in SENDERS.items()
    }
    ngoc = SENDERS["denunciation"].denouncer
    advance_case(
        app,
        AdvanceCase(
            refs["denunciation"],
            "reject",
            date(2024, 2, 5),
            HEAD,
            f"đã gọi bà {ngoc.full_name} số {ngoc.contact}",
            {"reasons": f"bà {ngoc.full_name} rút một phần nội dung"},
        ),
        at("2024-02-05"),
    )
    sweep(app, at("2024-06-01"))
    home = app.settings.home
    deliver_pending(
        app,
        at("2024-06-01", 10),
        FolderMailer(home / "mail"),
        letters=LetterWriter(home / "letters"),
    )
    return refs


def _dump(app: Casework, tmp_path: Path) -> list[Path]:
    """The files that hold the database: the SQLite file and its WAL, or a pg_dump."""
    url = make_url(app.settings.resolved_database_url())
    if url.get_backend_name() == "sqlite":
        app.database.dispose()
        assert url.database
        return list(Path(url.database).parent.glob(Path(url.database).name + "*"))
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.skip("pg_dump is not installed here: the dump cannot be searched")
    dumped = tmp_path / "dump.sql"
    subprocess.run(
        [
            pg_dump,
            "--host",
            url.host or "127.0.0.1",
            "--port",
            str(url.port or 5432),
            "--username",
            url.username or "postgres",
            "--no-password",
            "--file",
            str(dumped),
            url.database or "",
        ],
        check=True,
        env={**os.environ, "PGPASSWORD": url.password or ""},
    )
    return [dumped]


def _home_files(app: Casework) -> list[Path]:
    home = app.settings.home
    skipped = {home / "mail", home / "letters"}
    return [
        path
        for path in home.rglob("*")
        if path.is_file() and not any(folder in path.parents for folder in skipped)
    ]


def _found(files: list[Path], needles: list[str]) -> list[tuple[str, str]]:
    hits = []
    for path in files:
        content = path.read_bytes()
        lowered = content.lower()
        for needle in needles:
            if needle.encode().lower() in lowered:
                hits.append((str(path), needle))
    return hits


def test_no_copy_of_the_database_or_the_home_folder_names_a_sender(
    app: Casework, tmp_path: Path
) -> None:
    refs = _fill(app)
    needles = [n for s in SENDERS.values() for n in s.needles()]
    database = _dump(app, tmp_path)
    assert refs["denunciation"].encode() in b"".join(p.read_bytes() for p in database)
    files = database + _home_files(app)
    assert any(p.suffix == ".key" for p in files)  # the keys are in the home folder …
    assert _found(files, needles) == []  # … and nothing else tells who wrote
    # what the law lets be read still reads
    head = principal_of_officer(app, HEAD)
    ngoc = SENDERS["denunciation"].denouncer
    view = show_case(app, refs["denunciation"], at("2024-06-02"), head, reveal_identity=True)
    assert view["denouncer"] == {
        "full_name": ngoc.full_name,
        "address": ngoc.address,
        "contact": ngoc.contact,
        "id_number": ngoc.id_number,
        "email": ngoc.email,
    }
    assert ngoc.full_name in view["summary"]
    reject = view["history"][-1]
    assert ngoc.contact in reject["reason"]
    assert ngoc.full_name in reject["data"]["reasons"]
    plain = show_case(app, refs["denunciation"], at("2024-06-02"), head)
    assert plain["summary"] == SUMMARY_WITHHELD
    assert plain["history"][-1]["reason"] == TEXT_WITHHELD
    # what reception typed besides the summary: withheld alike, read as typed in the view
    complaint = show_case(app, refs["complaint"], at("2024-06-02"), head)
    assert complaint["attributes"]["contested_decision"] == TEXT_WITHHELD
    typed = show_case(app, refs["complaint"], at("2024-06-02"), head, reveal_identity=True)
    assert typed["attributes"]["contested_decision"] == DECISION
    assert "Hồ Văn Lực" in typed["attributes"]["remote_area_reason"]
    petition = show_case(app, refs["petition"], at("2024-06-02"), head, reveal_identity=True)
    assert "Nguyễn Thị Xuân Lộc" in (petition["forwarded_by"] or "")
    assert show_case(app, refs["petition"], at("2024-06-02"), head)["forwarded_by"] == TEXT_WITHHELD
    # the notice to the denouncer went out, addressed and telling the summary as typed
    mails = list((app.settings.home / "mail").rglob("*.eml"))
    assert mails, "the non-acceptance notice was not sent"
    sent = b"".join(m.read_bytes() for m in mails)
    assert ngoc.email.encode() in sent
    # an export carries the withheld summary, never the sender
    exported = "".join(export_csv(app, CaseFilter(viewer=HEAD), at("2024-06-02")))
    assert refs["petition"] in exported
    assert not any(n.lower() in exported.lower() for n in needles)
    # the same sender on the same matter is still recognised
    again = log_case(
        app,
        LogCase(
            kind="denunciation",
            agency="thanh-tra-tinh",
            received_on=date(2024, 6, 3),
            summary="Tố cáo lại",
            denouncer=replace(ngoc, full_name=ngoc.full_name.upper()),
            denounced_officer="hn-chu-tich",
            logged_by="tt-tiep-nhan",
        ),
        at("2024-06-03"),
    )
    assert again.repeat_of == refs["denunciation"]


def test_a_verifier_reads_neither_the_identity_nor_the_texts_as_typed(app: Casework) -> None:
    refs = _fill(app)
    verifier = principal_of_officer(app, VERIFIER)
    with pytest.raises(NotAllowed, match="identity"):
        show_case(app, refs["denunciation"], at("2024-06-02"), verifier, reveal_identity=True)


def test_the_keys_rotate_while_the_identities_stay_readable(app: Casework, tmp_path: Path) -> None:
    refs = _fill(app)
    # another engine of the installation, started before the rotation, keeps reading
    other = bootstrap(app.settings.model_copy())
    head = principal_of_officer(app, HEAD)
    before = check_keys(app)
    assert before.opens
    assert set(before.in_use) == {before.current}
    rotated = rotate_keys(app, ADMIN, at("2024-06-02"))
    assert rotated.previous == before.current
    assert rotated.rewrapped == len(SENDERS)
    after = check_keys(app)
    assert after.opens
    assert set(after.in_use) == {rotated.current}
    for engine in (app, other):
        view = show_case(engine, refs["letter"], at("2024-06-02"), head, reveal_identity=True)
        assert view["denouncer"]["full_name"] == SENDERS["letter"].denouncer.full_name
    # the other engine still wraps new cases under the key it read; retiring re-wraps them
    _log(other, "petition", "Kiến nghị")
    retire_key(app, rotated.previous, ADMIN, at("2024-06-02"))
    assert set(check_keys(app).in_use) == {rotated.current}
    assert not list((app.settings.resolved_keys_folder()).glob("*.previous"))
    other.database.dispose()


def test_the_wrong_key_fails_with_a_message_that_says_what_to_do(
    app: Casework, tmp_path: Path
) -> None:
    refs = _fill(app)
    stranger = bootstrap(app.settings.model_copy(update={"keys_folder": tmp_path / "other-keys"}))
    stranger.vault.keyring.material(make_missing=True)
    head = principal_of_officer(app, HEAD)
    with pytest.raises(VaultLocked, match="restore the keys folder") as refused:
        show_case(stranger, refs["denunciation"], at("2024-06-02"), head, reveal_identity=True)
    assert app.vault.keyring.current()[0] in str(refused.value)
    report = check_keys(stranger)
    assert not report.opens
    assert report.missing == [app.vault.keyring.current()[0]]
    # nor may it seal new cases under a key the others do not share
    with pytest.raises(VaultLocked):
        _log(stranger, "petition", "Kiến nghị")
    stranger.database.dispose()


class _Refusing:
    """An SMTP server's handler that puts a recipient off, quoting him, as real servers do."""

    async def handle_RCPT(  # noqa: N802
        self, server: object, session: object, envelope: object, address: str, options: list[str]
    ) -> str:
        ngoc = SENDERS["denunciation"].denouncer
        return f"450 4.2.1 <{address}>: mailbox of {ngoc.full_name} ({ngoc.contact}) is full"


def test_a_server_reply_quoting_the_sender_is_sealed(app: Casework, tmp_path: Path) -> None:
    from aiosmtpd.controller import Controller
    from tests.integration.test_delivery import free_port, mailer_for

    from casework.adapters.outbox_store import OUTBOX, REPLY_WITHHELD

    ngoc = SENDERS["denunciation"].denouncer
    ref = _log(app, "denunciation", "Tố cáo thu tiền")
    advance_case(
        app,
        AdvanceCase(ref, "reject", date(2024, 2, 5), HEAD, "", {"reasons": "không rõ"}),
        at("2024-02-05"),
    )
    controller = Controller(_Refusing(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        report = deliver_pending(
            app,
            at("2024-02-05", 10),
            mailer_for(controller.port),
            letters=LetterWriter(tmp_path / "letters"),
        )
    finally:
        controller.stop()
    assert report.retrying == 1
    assert not any(ngoc.full_name in e or ngoc.email in e for e in report.errors)
    with app.reading() as session:
        row = session.execute(select(OUTBOX).where(OUTBOX.c.recipient_party == "denouncer")).one()
        trail = session.execute(select(AuditRow.payload)).scalars().all()
        sender = app.vault.senders_of(session.connection(), [row.case_id])[row.case_id]
    assert (row.status, row.last_error) == ("deferred", REPLY_WITHHELD)
    assert not any(ngoc.full_name in str(p) or ngoc.email in str(p) for p in trail)
    # kept, sealed in the case's vault, for whoever must find out why it did not go
    assert ngoc.full_name in sender.case_key.open("reply", row.sealed_error)


def _two_rejected_denunciations(app: Casework) -> None:
    """Two cases, each with a notice of non-acceptance queued to its denouncer."""
    for n in (1, 2):
        ref = _log(app, "denunciation", f"Tố cáo thứ {n}")
        advance_case(
            app,
            AdvanceCase(ref, "reject", date(2024, 2, 5), HEAD, "", {"reasons": "không rõ"}),
            at("2024-02-05"),
        )


def _damage(app: Casework, table: Any, key: Any, column: str) -> Any:
    """Change one character of `column` in the first row of `table` (by `key`); its key."""
    with app.database.begin() as connection:
        first = connection.execute(select(key, table.c[column]).order_by(key).limit(1)).one()
        token = first[1]
        flipped = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
        connection.execute(table.update().where(key == first[0]).values({column: flipped}))
    return first[0]


def _deliver(app: Casework) -> Any:
    home = app.settings.home
    return deliver_pending(
        app, at("2024-02-05", 10), FolderMailer(home / "mail"), letters=LetterWriter(home / "l")
    )


def test_a_notice_that_will_not_open_holds_back_only_itself(app: Casework, tmp_path: Path) -> None:
    from casework.adapters.outbox_store import OUTBOX

    _two_rejected_denunciations(app)
    damaged = _damage(app, OUTBOX, OUTBOX.c.id, "sealed_context")
    report = _deliver(app)
    assert (report.sent, report.retrying, report.dead) == (1, 1, 0)
    with app.reading() as session:
        row = session.execute(select(OUTBOX).where(OUTBOX.c.id == damaged)).one()
    assert row.status == "deferred"
    assert "does not open" in row.last_error


def test_a_lost_repeat_key_stops_intake_and_is_not_replaced(app: Casework) -> None:
    _log(app, "denunciation", "Tố cáo")
    keys = app.settings.resolved_keys_folder()
    (keys / "repeat.key").unlink()
    again = bootstrap(app.settings.model_copy())
    with pytest.raises(VaultLocked, match="repeat key"):
        _log(again, "petition", "Kiến nghị")
    assert not (keys / "repeat.key").exists()
    report = check_keys(again)
    assert not report.opens
    assert any("no repeat key" in problem for problem in report.problems())
    again.database.dispose()


def test_a_lost_keys_folder_is_not_replaced_by_new_keys(app: Casework, tmp_path: Path) -> None:
    _log(app, "denunciation", "Tố cáo")
    moved = app.settings.model_copy(update={"keys_folder": tmp_path / "restored-keys"})
    again = bootstrap(moved)
    with pytest.raises(VaultLocked, match="restore the keys folder"):
        _log(again, "petition", "Kiến nghị")
    assert not list((tmp_path / "restored-keys").glob("*.key"))
    report = check_keys(again)
    assert not report.opens
    assert report.missing == [app.vault.keyring.current()[0]]
    again.database.dispose()


def test_a_case_key_that_will_not_open_holds_back_only_its_case(
    app: Casework, tmp_path: Path
) -> None:
    from casework.adapters.identity_vault import SENDERS
    from casework.adapters.outbox_store import OUTBOX

    _two_rejected_denunciations(app)
    case_id = _damage(app, SENDERS, SENDERS.c.case_id, "wrapped_key")
    report = _deliver(app)
    assert (report.sent, report.retrying) == (1, 1)
    with app.reading() as session:
        held = session.execute(select(OUTBOX).where(OUTBOX.c.case_id == case_id)).one()
    assert held.status == "deferred"
    assert "does not open" in held.last_error
