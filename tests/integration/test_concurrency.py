"""Two officers acting on one case at the same moment: one wins, the other is refused; the
history, the clocks and the audit chain stay consistent. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from tests.conftest import at

from casework.adapters import audit_log
from casework.adapters.audit_log import AuditEvent
from casework.adapters.case_store import CaseStore
from casework.config import Settings
from casework.domain.errors import CaseworkError, ConcurrentUpdate, TransitionRefused
from casework.services.advance import AdvanceCase, advance_case
from casework.services.app import Casework, bootstrap
from casework.services.audit_trail import verify_audit_trail
from casework.services.intake import Denouncer, LogCase, log_case

pytestmark = pytest.mark.integration


def _log(app: Casework, n: int = 0) -> str:
    return log_case(
        app,
        LogCase(
            kind="denunciation",
            agency="thanh-tra-tinh",
            received_on=date(2024, 3, 1),
            summary=f"case {n}",
            denouncer=Denouncer(f"Người {n}"),
            denounced_name="B",
            logged_by="tt-tiep-nhan",
        ),
        at("2024-03-01"),
    ).ref


def _race(workers: int, action: object) -> tuple[list[object], list[BaseException]]:
    barrier = threading.Barrier(workers)
    results: list[object] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        barrier.wait()
        try:
            outcome = action()  # type: ignore[operator]
            with lock:
                results.append(outcome)
        except CaseworkError as exc:
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_same_trigger_at_once_applies_once(app: Casework) -> None:
    ref = _log(app)
    results, errors = _race(
        6,
        lambda: advance_case(
            app, AdvanceCase(ref, "accept", date(2024, 3, 4), "tt-xac-minh-1"), at("2024-03-04")
        ),
    )
    assert len(results) == 1
    assert len(errors) == 5
    assert all(isinstance(e, ConcurrentUpdate | TransitionRefused) for e in errors)
    with app.database.connect() as connection:
        accepted = connection.execute(
            text("SELECT count(*) FROM transition WHERE trigger = 'accept'")
        ).scalar_one()
        resolve_clocks = connection.execute(
            text("SELECT count(*) FROM clock WHERE code = 'denunciation.resolve'")
        ).scalar_one()
    assert (accepted, resolve_clocks) == (1, 1)
    assert verify_audit_trail(app).is_intact


def test_different_triggers_at_once_never_both_apply(app: Casework) -> None:
    # four officers decide on the case as they all saw it (the web form and the API send that
    # version). Without it, a step that finds the case already moved on is judged against the
    # new state: 'refer' after 'accept' is lawful, and both would rightly apply one after the
    # other — which SQLite's one-writer-at-a-time order produced now and then.
    ref = _log(app)
    with app.transaction() as connection:
        seen = CaseStore(connection).get(ref).version
    triggers = iter(["reject", "forward", "accept", "refer"])
    data = {
        "reject": {"reasons": "x"},
        "forward": {"to_agency": "y"},
        "accept": {},
        "refer": {"to_agency": "z"},
    }
    lock = threading.Lock()

    def act() -> str:
        with lock:
            trigger = next(triggers)
        advance_case(
            app,
            AdvanceCase(
                ref,
                trigger,
                date(2024, 3, 4),
                "tt-xac-minh-1",
                data=data[trigger],
                expected_version=seen,
            ),
            at("2024-03-04"),
        )
        return trigger

    results, errors = _race(4, act)
    assert len(results) == 1
    assert len(errors) == 3
    assert all(isinstance(e, ConcurrentUpdate | TransitionRefused) for e in errors)
    with app.database.connect() as connection:
        rows = connection.execute(text("SELECT trigger, to_state FROM transition")).all()
    assert len(rows) == 1
    assert verify_audit_trail(app).is_intact


def test_concurrent_intake_keeps_the_audit_chain_linear(app: Casework) -> None:
    counter = iter(range(1000))
    lock = threading.Lock()

    refs: list[str] = []

    def log_many() -> int:
        for _ in range(15):
            with lock:
                n = next(counter)
            ref = _log(app, n)
            with lock:
                refs.append(ref)
        return 15

    results, errors = _race(4, log_many)
    assert errors == []
    assert sum(results) == 60  # type: ignore[arg-type]
    result = verify_audit_trail(app)
    assert result.is_intact, result.problem
    # four desks numbering in one series at once: each number once, none skipped
    assert sorted(refs) == [f"TC-2024-{n:06d}" for n in range(1, 61)]


def test_a_step_written_after_someone_else_changed_the_case_writes_nothing(
    app: Casework,
) -> None:
    """The version check of the write itself (on PostgreSQL one statement with the transition
    row): a case changed between the read and the write gets no update and no history row."""
    ref = _log(app)
    with app.transaction() as connection:
        store = CaseStore(connection)
        case = store.get(ref)
        transitions_before = connection.execute(text("SELECT count(*) FROM transition")).scalar()
        # another officer's step lands between this one's read and write
        connection.execute(
            text("UPDATE case_file SET version = version + 1 WHERE id = :id"), {"id": case.id}
        )
        with pytest.raises(ConcurrentUpdate, match="changed by someone else"):
            store.update_case_recording(
                case,
                {"state": "verification"},
                {
                    "case_id": case.id,
                    "trigger": "accept",
                    "from_state": case.state,
                    "to_state": "verification",
                    "occurred_on": date(2024, 3, 4),
                    "recorded_at": at("2024-03-04"),
                    "actor": "tt-xac-minh-1",
                    "reason": "",
                    "data": {},
                    "basis": "",
                },
            )
        assert case.state != "verification"  # untouched in memory too
        assert case.version == 1
        assert connection.execute(text("SELECT count(*) FROM transition")).scalar() == (
            transitions_before
        )
        stored = connection.execute(
            text("SELECT state FROM case_file WHERE id = :id"), {"id": case.id}
        ).scalar()
        assert stored != "verification"


def _append_then_roll_back(app: Casework) -> None:
    with app.transaction() as connection:
        audit_log.append(
            connection, [AuditEvent("test.rolled_back", None, None, {})], at("2024-03-01")
        )
        raise CaseworkError("rolled back after its audit entry was written")


def test_two_engines_taking_turns_keep_one_chain(app: Casework, tmp_path: Path) -> None:
    """Each pooled connection remembers the head it last wrote (on PostgreSQL it seals the next
    entries onto it, in one round trip). Two engines taking turns always find that memory
    stale; each must then chain onto the other's head, and an entry that was rolled back must
    not become anyone's predecessor."""
    other = bootstrap(
        Settings(
            home=tmp_path / "other",
            database_url=app.settings.resolved_database_url(),
            # one installation, two engines: they share its keys
            keys_folder=app.settings.resolved_keys_folder(),
        )
    )
    try:
        for n in range(6):
            _log(app if n % 2 == 0 else other, n)
        with pytest.raises(CaseworkError, match="rolled back"):
            _append_then_roll_back(app)
        _log(app, 6)
        _log(other, 7)
    finally:
        other.database.dispose()
    result = verify_audit_trail(app)
    assert result.is_intact, result.problem
    with app.database.connect() as connection:
        actions = connection.execute(text("SELECT action FROM audit_entry")).scalars().all()
    assert actions.count("case.logged") == 8
    assert "test.rolled_back" not in actions
