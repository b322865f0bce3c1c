"""Review s47F (operations: a SQLite desk run for months): a corrupt file under
``verify``, a live desk backed up and restored, a sweep stopped by a store error,
the checkpoint file of ``verify --checkpoint``, and ``deliver --loop`` through a
transient store error."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from complaintcore import Desk, DeskConfig, StoreError, SweepFailed, SweepLeaseStore
from complaintcore.adapters.sqlite_store import SqliteStore, store_error
from complaintcore.desk.sweeping import Sweeper
from complaintcore.testing import make_desk
from tests.integration.test_claims_review_s46c import SWEEP_ONE, _cli_desk
from tests.integration.test_cli_conventions import RECEIVE
from tests.integration.test_delivery_off_intake import T0, intakes
from tests.integration.test_upgraded_desks_checked import invoke


@pytest.fixture
def desk_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A desk made by ``init`` holding one complaint."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    assert invoke(*RECEIVE).exit_code == 0
    return tmp_path


def corrupt_events(database: Path) -> None:
    """Scribble over the events table's root page, as a torn copy would."""
    conn = sqlite3.connect(database)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'events'").fetchone()[
            0
        ]
    finally:
        conn.close()
    with database.open("r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xff" * 64)


CORRUPT = "is corrupt (malformed database image); restore a backup"


# F01: a corrupt file under verify is the documented StoreError line


def test_a_read_in_a_snapshot_of_a_corrupt_file_raises_the_store_error(desk_dir: Path) -> None:
    database = desk_dir / "complaints.sqlite3"
    with SqliteStore(database) as store:
        [cid] = [r.id for r in store.rows()]
    corrupt_events(database)
    with SqliteStore(database) as store:
        with pytest.raises(StoreError) as err, store.snapshot():
            store.load(cid)
        assert (
            str(err.value)
            == f"complaint database {database}: {CORRUPT}, then run verify (SQLITE_CORRUPT)"
        )
        # the connection is usable afterwards: the broken transaction was ended
        assert not store._conn().in_transaction


def test_desk_verify_of_a_corrupt_file_raises_a_store_error(desk_dir: Path) -> None:
    database = desk_dir / "complaints.sqlite3"
    corrupt_events(database)
    config = DeskConfig(database=str(database), create_database=False)
    with Desk.from_config(config) as desk, pytest.raises(StoreError, match="SQLITE_CORRUPT"):
        desk.verify()


def test_verify_on_a_corrupt_file_names_the_file_and_why(desk_dir: Path) -> None:
    corrupt_events(desk_dir / "complaints.sqlite3")
    text = invoke("verify")
    assert text.exit_code == 5
    assert text.stdout == ""
    assert text.stderr == (
        f"error: complaint database complaints.sqlite3: {CORRUPT}, then run verify"
        " (SQLITE_CORRUPT: quick_check)\n"  # SQLite's page check comes first (s47H F03)
    )
    as_json = invoke("verify", "--json")
    assert as_json.exit_code == 5
    error = json.loads(as_json.stdout)["error"]
    assert (error["code"], error["type"]) == (5, "StoreError")
    assert CORRUPT in error["message"]
    assert "SQLITE_CORRUPT" in error["message"]


# F05: deliver --loop goes on through a transient store error; F02: it stops when
# its database file was replaced


class Stop(KeyboardInterrupt):
    """Ends a loop under test, as Ctrl-C would."""


def sleeps_until(monkeypatch: pytest.MonkeyPatch, passes: int, then: object = None) -> list[float]:
    """Record ``deliver --loop``'s waits; stop it at wait number ``passes``;
    ``then()`` runs at the first wait."""
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 1 and callable(then):
            then()
        if len(waits) >= passes:
            raise Stop

    monkeypatch.setattr("complaintcore.cli.deliver.time.sleep", sleep)
    return waits


def locked_for(monkeypatch: pytest.MonkeyPatch, database: Path, passes: int) -> list[int]:
    """The first ``passes`` deliveries meet the file write-locked by another
    connection (an operator's ``sqlite3`` prompt), with a 50 ms busy timeout."""
    calls: list[int] = []
    real = Desk.deliver

    def deliver(self: Desk, now: object) -> object:
        calls.append(1)
        if len(calls) > passes:
            return real(self, now)  # type: ignore[arg-type]
        self.store._conn().execute("PRAGMA busy_timeout = 50")  # type: ignore[attr-defined]
        other = sqlite3.connect(database, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            return real(self, now)  # type: ignore[arg-type]
        finally:
            other.execute("ROLLBACK")
            other.close()

    monkeypatch.setattr(Desk, "deliver", deliver)
    return calls


def test_deliver_loop_tries_again_after_a_lock_held_past_the_timeout(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = locked_for(monkeypatch, desk_dir / "complaints.sqlite3", passes=2)
    waits = sleeps_until(monkeypatch, passes=3)
    result = invoke("deliver", "--loop", "--interval", "2")
    # two failed passes (waits of 2 s, then 4 s: doubled), a good one, then 2 s
    assert waits == [2, 4, 2]
    assert len(calls) == 3
    lines = result.stderr.splitlines()
    assert lines[:2] == [
        "warning: complaint database complaints.sqlite3: is locked by another writer and"
        " stayed locked past the timeout; try again (SQLITE_BUSY) (deliver --loop tries"
        f" again in {n} s)"
        for n in (2, 4)
    ]
    assert [x for x in lines[2:] if x] == ["aborted"]  # the test's Ctrl-C ended it


def test_the_wait_after_transient_errors_doubles_up_to_ten_minutes() -> None:
    from complaintcore.cli.deliver import retry_wait

    assert [retry_wait(30, n) for n in (1, 2, 3, 4, 5, 6, 7)] == [30, 60, 120, 240, 480, 600, 600]
    assert retry_wait(0.5, 1) == 0.5
    assert retry_wait(900, 3) == 900  # an interval longer than ten minutes is kept
    assert retry_wait(30, 10_000) == 600


def test_deliver_loop_ends_on_a_corrupt_database(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = desk_dir / "complaints.sqlite3"
    waits = sleeps_until(monkeypatch, passes=5, then=lambda: corrupt_events(database))
    real = Desk.deliver

    def deliver(self: Desk, now: object) -> object:
        with SqliteStore(database) as fresh:  # reads the events table from the file
            fresh.verify()
        return real(self, now)  # type: ignore[arg-type]

    monkeypatch.setattr(Desk, "deliver", deliver)
    result = invoke("deliver", "--loop", "--interval", "1")
    assert result.exit_code == 5
    assert waits == [1]  # the good first pass; the second met the corrupt file and ended
    assert result.stderr.startswith("error: complaint database ")
    assert "SQLITE_CORRUPT" in result.stderr
    assert "warning" not in result.stderr


def test_deliver_loop_stops_when_its_database_file_is_replaced(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = desk_dir / "complaints.sqlite3"

    def restore() -> None:  # a backup copied beside it, then renamed into place
        backup = desk_dir / "backup.sqlite3"
        with sqlite3.connect(database) as src, sqlite3.connect(backup) as dst:
            src.backup(dst)
        backup.replace(database)

    waits = sleeps_until(monkeypatch, passes=5, then=restore)
    result = invoke("deliver", "--loop", "--interval", "1")
    assert result.exit_code == 5
    assert waits == [1]
    assert result.stderr == (
        "error: complaint database complaints.sqlite3: is no longer the file this process"
        " opened (removed, moved or replaced while it ran); stop every process using the"
        " desk, then start them again\n"
    )


def test_deliver_loop_stops_when_its_database_file_is_removed(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = desk_dir / "complaints.sqlite3"
    waits = sleeps_until(monkeypatch, passes=5, then=lambda: database.rename(desk_dir / "old"))
    result = invoke("deliver", "--loop", "--interval", "1")
    assert result.exit_code == 5
    assert waits == [1]
    assert "is no longer the file this process opened" in result.stderr


def test_a_store_open_on_a_file_that_is_still_there_passes_the_check(desk_dir: Path) -> None:
    with SqliteStore(desk_dir / "complaints.sqlite3") as store:
        store.check_file()  # nothing raised
        (desk_dir / "complaints.sqlite3").rename(desk_dir / "moved.sqlite3")
        with pytest.raises(StoreError, match="no longer the file") as err:
            store.check_file()
        assert not err.value.transient


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        ("LockNotAvailable", True),  # 55P03: lock_timeout
        ("DeadlockDetected", True),  # 40P01
        ("QueryCanceled", True),  # 57014: statement_timeout
        ("AdminShutdown", True),  # 57P01: a lost connection
        ("DiskFull", True),  # 53100
        ("UniqueViolation", False),  # 23505: a refused change
        ("InsufficientPrivilege", False),  # 42501
        ("UndefinedTable", False),  # 42P01: a schema gone
    ],
)
def test_which_postgresql_failures_are_transient(error: str, transient: bool) -> None:
    psycopg = pytest.importorskip("psycopg")
    from complaintcore.adapters.postgres_store import _store_error

    failure = _store_error("postgresql://db/x", getattr(psycopg.errors, error)("x"))
    assert failure.transient is transient


# F03: a sweep stopped part-way by a store error reports what it had committed


def _disk_full_at(monkeypatch: pytest.MonkeyPatch, nth: int, database: Path) -> list[str]:
    """Make the ``nth`` complaint a sweep takes meet a full disk (SQLite's own
    SQLITE_FULL, from a file that may not grow); the ids swept before it are listed."""
    swept: list[str] = []
    scratch = sqlite3.connect(database.with_name("full.sqlite3"))
    scratch.execute("PRAGMA max_page_count = 1")
    with pytest.raises(sqlite3.Error) as full:
        scratch.execute("CREATE TABLE t (x)")
    scratch.close()

    def failing(self: Sweeper, complaint_id: str, now: datetime) -> Any:
        if len(swept) == nth - 1:
            raise store_error(str(database), full.value)
        swept.append(complaint_id)
        return SWEEP_ONE(self, complaint_id, now)

    monkeypatch.setattr(Sweeper, "sweep_one", failing)
    return swept


DISK_FULL = "could not be written: the disk is full (or the file reached its size limit)"


def test_a_sweep_failed_part_way_carries_what_it_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    late = T0 + timedelta(days=12)  # every complaint's first deadlines long past
    database = tmp_path / "desk.sqlite3"
    with SqliteStore(database) as store:
        desk = make_desk(store=store)
        list(desk.receive_many(intakes(8, T0), now=T0))
        due = [r.id for r in store.rows(due_before=late, order="due")]
        swept = _disk_full_at(monkeypatch, 4, database)
        with pytest.raises(StoreError) as err:  # what a host catching StoreError catches
            desk.sweep(late)
        failed = err.value
        assert isinstance(failed, SweepFailed)
        assert failed.reason == f"{DISK_FULL} (SQLITE_FULL)"
        assert failed.transient
        assert failed.error is failed.__cause__
        assert failed.report.examined == 3
        assert swept == due[:3]
        assert {cid for cid, _clock in failed.report.escalated} == set(swept)
        with sqlite3.connect(database) as conn:
            escalated = conn.execute(
                "SELECT DISTINCT complaint_id FROM events WHERE kind = 'escalated'"
            ).fetchall()
        assert {cid for (cid,) in escalated} == set(swept)
        assert isinstance(store, SweepLeaseStore)  # the rest handed back at once
        assert [r.id for r in store.claim_due(late, 50)] == due[3:]


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text"])
def test_sweep_failed_on_a_full_disk_prints_the_escalations_it_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_json: bool
) -> None:
    _cli_desk(tmp_path, monkeypatch)  # five complaints, all overdue on 25 November
    swept = _disk_full_at(monkeypatch, 3, tmp_path / "complaints.sqlite3")
    result = invoke("sweep", *(["--json"] if as_json else []), now="2025-11-25T10:00")
    assert result.exit_code == 5, result.output
    assert len(swept) == 2
    if as_json:
        document = json.loads(result.stdout)
        assert document["error"]["code"] == 5
        assert document["error"]["type"] == "StoreError"
        assert DISK_FULL in document["error"]["message"]
        assert document["examined"] == 2
        assert {cid for cid, _clock in document["escalated"]} == set(swept)
        assert "dead_letters" not in document  # the outbox was not asked
    else:
        assert "examined 2; complaints escalated 2" in result.stdout
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("error: complaint database ")
        assert DISK_FULL in line


# F04: verify --checkpoint's file


def test_a_checkpoint_in_a_missing_folder_is_refused_before_the_check(desk_dir: Path) -> None:
    result = invoke("verify", "--checkpoint", "nodir/verified.head")
    assert result.exit_code == 2
    assert result.stdout == ""  # no check ran
    assert "'--checkpoint'" in result.stderr
    assert f"no folder {desk_dir / 'nodir'} to keep the checkpoint in" in result.stderr
    assert ".tmp" not in result.stderr


def test_a_checkpoint_that_cannot_be_written_keeps_the_result(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder passed the first look but the write fails (a disk filled, a
    volume turned read-only meanwhile): the result and its head still go out."""

    def refused(*args: object, **kwargs: object) -> object:
        raise OSError(30, "Read-only file system", str(desk_dir / ".verified.head.x.tmp"))

    monkeypatch.setattr("complaintcore.cli.files._new_file", refused)  # the temporary file
    head = invoke("verify", "--head").stdout.strip()
    as_json = invoke("verify", "--checkpoint", "verified.head", "--json")
    assert as_json.exit_code == 4
    document = json.loads(as_json.stdout)
    assert (document["ok"], document["head"]) == (True, head)
    assert document["error"]["type"] == "CheckpointNotWritten"
    message = document["error"]["message"]
    assert message.startswith("'--checkpoint' verified.head: could not be written (")
    assert message.endswith(f"); the check passed, ledger head {head}")
    assert ".tmp" not in message
    text = invoke("verify", "--checkpoint", "verified.head")
    assert text.exit_code == 4
    assert f"ledger head: {head}" in text.stdout
    [line] = text.stderr.splitlines()
    assert line.startswith("error: '--checkpoint' verified.head: could not be written")
    assert not (desk_dir / "verified.head").exists()


def test_a_symlinked_checkpoint_replaces_its_target_and_keeps_its_mode(desk_dir: Path) -> None:
    auditor = desk_dir / "auditor"
    auditor.mkdir()
    kept = auditor / "desk.head"
    kept.write_text(invoke("verify", "--head").stdout, encoding="utf-8")
    kept.chmod(0o640)
    (desk_dir / "verified.head").symlink_to("auditor/desk.head")
    assert invoke(*RECEIVE).exit_code == 0
    result = invoke("verify", "--checkpoint", "verified.head")
    assert result.exit_code == 0, result.output
    head = result.stdout.splitlines()[-1].removeprefix("ledger head: ")
    assert (desk_dir / "verified.head").is_symlink()
    assert kept.read_text(encoding="utf-8") == head + "\n"
    assert kept.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in auditor.iterdir()) == ["desk.head"]  # no temp file left


def test_a_new_checkpoint_file_is_private(desk_dir: Path) -> None:
    assert invoke("verify", "--checkpoint", "verified.head").exit_code == 0
    assert (desk_dir / "verified.head").stat().st_mode & 0o777 == 0o600


# F02: a checkpoint after a restore


def test_a_checkpoint_beyond_a_restored_ledger_says_what_to_do(desk_dir: Path) -> None:
    database = desk_dir / "complaints.sqlite3"
    backup = desk_dir / "backup.sqlite3"
    with sqlite3.connect(database) as src, sqlite3.connect(backup) as dst:
        src.backup(dst)  # the online backup storage.md describes
    assert invoke(*RECEIVE).exit_code == 0
    assert invoke("verify", "--checkpoint", "verified.head").exit_code == 0
    database.unlink()  # the restore, every process stopped
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    backup.rename(database)
    failed = invoke("verify", "--checkpoint", "verified.head")
    assert failed.exit_code == 5
    assert "the kept head is beyond the ledger's end" in failed.stderr
    assert "restored the database from a backup? Then run a full 'verify'" in failed.stderr
    # what storage.md says to do: a clean full check, then a new checkpoint file
    assert invoke("verify").exit_code == 0
    (desk_dir / "verified.head").rename(desk_dir / "verified.head.before-restore")
    assert invoke("verify", "--checkpoint", "verified.head").exit_code == 0
    assert invoke("verify", "--checkpoint", "verified.head").exit_code == 0
