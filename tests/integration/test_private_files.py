"""Everything casework writes that may hold a denouncer's identity is the owner's alone, under
an ordinary umask (issue 21): the database, the secret key, the notices written as files and
the printed letters."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from tests.conftest import EXAMPLE_ORG, at

from casework.adapters.letters import LetterWriter
from casework.adapters.mailer import FolderMailer
from casework.config import Settings
from casework.services.advance import AdvanceCase, advance_case
from casework.services.app import bootstrap
from casework.services.delivery import deliver_pending
from casework.services.intake import Denouncer, LogCase, log_case
from casework.services.organisation import load_organisation_file
from casework.services.schema import initialise

pytestmark = pytest.mark.integration


@pytest.fixture
def ordinary_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # what a desktop session or a service usually runs with
    try:
        yield
    finally:
        os.umask(previous)


def test_every_file_and_folder_casework_writes_is_the_owners_alone(
    tmp_path: Path, ordinary_umask: None
) -> None:
    home = tmp_path / "home"
    app = bootstrap(Settings(home=home))
    try:
        initialise(app)
        load_organisation_file(app, EXAMPLE_ORG, "tests", at("2024-01-02"))
        app.settings.resolved_secret_key()
        ref = log_case(
            app,
            LogCase(
                kind="denunciation",
                agency="thanh-tra-tinh",
                received_on=date(2024, 2, 1),
                summary="Thu tiền trái quy định",
                denouncer=Denouncer("Phạm Thị Hoa", "Vinh", email="hoa@example.vn"),
                denounced_name="Công ty X",  # no address: the denounced gets a printed letter
                logged_by="tt-tiep-nhan",
            ),
            at("2024-02-01"),
        ).ref
        for trigger, day, data in (
            ("accept", "2024-02-15", {}),
            ("send_acceptance_notices", "2024-02-16", {"content": "Thu tiền trái quy định"}),
        ):
            advance_case(
                app,
                AdvanceCase(ref, trigger, date.fromisoformat(day), "tt-chanh-thanh-tra", "", data),
                at(day, 16),
            )
        report = deliver_pending(
            app,
            at("2024-02-16", 17),
            FolderMailer(app.settings.resolved_mail_folder()),
            letters=LetterWriter(app.settings.resolved_letters_folder()),
        )
        # the denounced person has no address on record: his letter waits for reception
        assert (report.sent, report.needs_attention) == (1, 1)
    finally:
        app.database.dispose()
    written = sorted(home.rglob("*"))
    assert any(p.suffix == ".eml" for p in written)
    assert any(p.suffix == ".html" for p in written)
    assert any(p.name == "casework.db" for p in written)
    assert any(p.name == "secret_key" for p in written)
    modes = {
        str(p.relative_to(home)): oct(stat.S_IMODE(p.stat().st_mode)) for p in [home, *written]
    }
    loose = {
        path: mode
        for path, mode in modes.items()
        if mode != (oct(0o700) if (home / path).is_dir() else oct(0o600))
    }
    assert loose == {}
