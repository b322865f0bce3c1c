"""Review s47H (the s47D/s47F fixes): a sweep stopped by a store error keeps the
store's own error class and reports what it committed also when the outbox count
after the loop fails; plain ``list`` lists a damaged record's row; ``verify
--checkpoint`` keeps the checkpoint file's group."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from complaintcore import ConnectionLostError, Desk, StoreError, SweepFailed, SweepInterrupted
from complaintcore.adapters.sqlite_store import SchemaVersionError, SqliteStore, store_error
from complaintcore.desk.sweeping import Sweeper
from complaintcore.testing import RecordingNotifier, make_desk
from tests.integration.test_claims_review_s46c import SWEEP_ONE
from tests.integration.test_cli_conventions import RECEIVE
from tests.integration.test_delivery_off_intake import T0, intakes
from tests.integration.test_upgraded_desks_checked import invoke

LATE = T0 + timedelta(days=12)  # every complaint's first deadlines long past


def _fail_at(monkeypatch: pytest.MonkeyPatch, nth: int, failure: StoreError) -> list[str]:
    """Make the ``nth`` complaint a sweep takes meet ``failure``; the ids swept before
    it are listed."""
    swept: list[str] = []

    def failing(self: Sweeper, complaint_id: str, now: datetime) -> Any:
        if len(swept) == nth - 1:
            raise failure
        swept.append(complaint_id)
        return SWEEP_ONE(self, complaint_id, now)

    monkeypatch.setattr(Sweeper, "sweep_one", failing)
    return swept


# F02: the store's own error class still reaches a host's except


def test_a_sweep_that_loses_its_connection_still_raises_connection_lost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk = make_desk()
    list(desk.receive_many(intakes(5, T0), now=T0))
    lost = ConnectionLostError("postgresql://db/complaints", "lost the connection; try again")
    swept = _fail_at(monkeypatch, 3, lost)
    with pytest.raises(ConnectionLostError) as err:  # a host's retry path
        desk.sweep(LATE)
    failed = err.value
    assert isinstance(failed, SweepFailed)
    assert failed.error is lost
    assert failed.__cause__ is lost
    assert failed.transient
    assert str(failed) == str(lost)
    assert failed.report.examined == 2
    assert {cid for cid, _clock in failed.report.escalated} == set(swept)


def test_a_sweep_failed_keeps_the_attributes_of_the_store_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk = make_desk()
    list(desk.receive_many(intakes(3, T0), now=T0))
    newer = SchemaVersionError(9, 3, "desk.sqlite3")
    _fail_at(monkeypatch, 2, newer)
    with pytest.raises(SchemaVersionError) as err:
        desk.sweep(LATE)
    assert isinstance(err.value, SweepFailed)
    assert (err.value.found, err.value.supported) == (9, 3)
    assert err.value.database == "desk.sqlite3"
    assert err.value.report.examined == 1


# F01: a sweep that committed everything and then fails on the outbox counts


def _failing_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The store's ``dead_letter_counts`` (asked after the claim loop) meets an
    input/output error, as a lost connection or a failing disk would give."""
    broken = sqlite3.OperationalError("disk I/O error")
    broken.sqlite_errorcode = 10  # type: ignore[attr-defined]
    broken.sqlite_errorname = "SQLITE_IOERR"  # type: ignore[attr-defined]

    def counts(self: SqliteStore, *args: Any, **kwargs: Any) -> dict[str, int]:
        raise store_error(str(self._path), broken)

    monkeypatch.setattr(SqliteStore, "dead_letter_counts", counts)


IOERR = "(input/output error of the disk) (SQLITE_IOERR)"


def test_a_sweep_failed_on_the_outbox_count_carries_what_it_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SqliteStore(tmp_path / "desk.sqlite3") as store:
        desk = make_desk(store=store, notifiers=[RecordingNotifier()])
        list(desk.receive_many(intakes(4, T0), now=T0))
        _failing_counts(monkeypatch)
        with pytest.raises(StoreError) as err:
            desk.sweep(LATE)
        failed = err.value
        assert isinstance(failed, SweepFailed)
        assert failed.reason.endswith(IOERR)
        assert failed.report.examined == 4
        escalated = {cid for cid, _clock in failed.report.escalated}
        assert len(escalated) == 4  # every complaint, each escalated once
        assert failed.report.dead_letters == 0  # not counted
        assert failed.report.for_other_channels == 0
        assert store.claim_due(LATE, 50) == []  # committed: nothing left due


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text"])
def test_sweep_failed_on_the_outbox_count_prints_what_it_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_json: bool
) -> None:
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0  # with the log channel
    for phone in ("13812345678", "13900000001", "13900000002"):
        command = [*RECEIVE]
        command[command.index("13812345678")] = phone
        assert invoke(*command).exit_code == 0
    _failing_counts(monkeypatch)
    result = invoke("sweep", *(["--json"] if as_json else []), now="2025-11-25T10:00")
    assert result.exit_code == 5, result.output
    if as_json:
        document = json.loads(result.stdout)
        assert IOERR in document["error"]["message"]
        assert document["examined"] == 3
        assert len(document["escalated"]) >= 3  # every complaint's first clock at least
        assert "dead_letters" not in document  # not counted
    else:
        assert "examined 3; complaints escalated 3" in result.stdout
        assert IOERR in result.stderr


# F05: one damaged record no longer stops plain ``list``


@pytest.fixture
def typed_sites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """An ``iso-10002`` desk (it names no site: any is taken) with three complaints
    whose site was typed as the complainant's name and phone; the second's intake
    then damaged outside the library (cut short, its trigger dropped)."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", "--pack", "iso-10002", ".").exit_code == 0
    for i in (1, 2, 3):
        result = invoke(
            "receive", "--name", f"Ann Lee{i}", "--phone", f"1381234567{i}",
            "--room", f"1-10{i}", "--site", f"Ann Lee{i} 1381234567{i}",
            "--summary", "lift broken", "--receiver", "CS-101", "--json",
            now=f"2025-11-0{i}T10:00",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    ids = [row["id"] for row in json.loads(invoke("list", "--json").stdout)]
    with sqlite3.connect(tmp_path / "complaints.sqlite3") as conn:
        conn.execute("DROP TRIGGER complaints_intake_fixed")
        conn.execute(
            "UPDATE complaints SET intake_json = substr(intake_json, 1, 40) WHERE id = ?",
            (ids[1],),
        )
    conn.close()
    return ids


UNREAD_SITE = "*** **** ***********"  # 'Ann Lee2 13812345672', every letter and digit masked


@pytest.mark.procedure("PRV-1")
def test_plain_list_lists_every_row_when_one_record_is_damaged(typed_sites: list[str]) -> None:
    result = invoke("list", now="2025-11-10T10:00")
    assert result.exit_code == 0, result.output
    for cid in typed_sites:
        assert cid in result.stdout
    assert "site A******* *********71" in result.stdout  # the others redacted as before
    assert f"site {UNREAD_SITE}" in result.stdout
    shown = result.stdout.replace("A*******", "")
    for cid in typed_sites:  # the ids' random hex may hold any digits
        shown = shown.replace(cid, "")
    assert "Ann" not in shown
    assert "13812345672" not in shown


@pytest.mark.procedure("PRV-1")
def test_list_json_lists_every_row_when_one_record_is_damaged(typed_sites: list[str]) -> None:
    result = invoke("list", "--json", now="2025-11-10T10:00")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["id"] for row in rows] == typed_sites
    assert [row["site"] for row in rows] == [
        "A******* *********71",
        UNREAD_SITE,
        "A******* *********73",
    ]


# F04: verify --checkpoint keeps the checkpoint file's group


@pytest.fixture
def desk_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A desk made by ``init`` holding one complaint."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    assert invoke(*RECEIVE).exit_code == 0
    return tmp_path


def _another_group() -> int:
    """A group the running user may give a file: any, as root; else another it is in."""
    if os.geteuid() == 0:
        return os.getegid() + 4  # "adm" on Debian; root may give any group id
    others = [g for g in os.getgroups() if g != os.getegid()]
    if not others:
        pytest.skip("the user is in no other group")
    return others[0]


def test_a_checkpoint_keeps_its_group_and_mode(desk_dir: Path) -> None:
    kept = desk_dir / "aud.head"
    kept.write_text(invoke("verify", "--head").stdout, encoding="utf-8")
    group = _another_group()
    owner = 1 if os.geteuid() == 0 else os.geteuid()  # root keeps another owner too
    os.chown(kept, owner, group)
    kept.chmod(0o640)
    result = invoke("verify", "--checkpoint", "aud.head")
    assert result.exit_code == 0, result.output
    assert (kept.stat().st_uid, kept.stat().st_gid) == (owner, group)
    assert kept.stat().st_mode & 0o777 == 0o640
    assert result.stderr == ""


def test_a_group_that_cannot_be_kept_is_said(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = desk_dir / "aud.head"
    kept.write_text(invoke("verify", "--head").stdout, encoding="utf-8")
    os.chown(kept, -1, _another_group())
    kept.chmod(0o640)

    def refused(fd: int, uid: int, gid: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "fchown", refused)  # a user not in the file's group
    result = invoke("verify", "--checkpoint", "aud.head")
    assert result.exit_code == 0, result.output
    assert kept.stat().st_gid == os.getegid()
    assert kept.stat().st_mode & 0o777 == 0o640
    [line] = result.stderr.splitlines()
    assert line.startswith("warning: '--checkpoint' aud.head: its group could not be kept")


# F03: a full verify runs SQLite's check of every page, the indexes' too


def _scribble_over(database: Path, index: str) -> None:
    """Overwrite the root page of ``index``, as a torn copy or a failing disk would."""
    conn = sqlite3.connect(database)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE type = 'index' AND name = ?", (index,)
        ).fetchone()
    finally:
        conn.close()
    with database.open("r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\x0a" + b"\xff" * 63)


@pytest.mark.parametrize("index", ["outbox_pending", "projection_overdue"])
def test_verify_finds_a_damaged_page_of_an_index_it_does_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index: str
) -> None:
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    assert invoke(*RECEIVE).exit_code == 0
    assert invoke("verify").exit_code == 0
    _scribble_over(tmp_path / "complaints.sqlite3", index)
    checked = invoke("verify")
    assert checked.exit_code == 5
    assert checked.stderr == (
        "error: complaint database complaints.sqlite3: is corrupt (malformed database"
        " image); restore a backup, then run verify (SQLITE_CORRUPT: quick_check)\n"
    )


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("as_json", [False, True], ids=["table", "json"])
def test_list_overdue_lists_every_overdue_row_when_one_record_is_damaged(
    typed_sites: list[str], as_json: bool
) -> None:
    """Review s47I F01: the three complaints' first deadlines are long past on 25
    November; the damaged one is listed from its row, its site masked whole."""
    result = invoke("list", "--overdue", *(["--json"] if as_json else []), now="2025-11-25T10:00")
    assert result.exit_code == 0, result.output
    for cid in typed_sites:
        assert cid in result.stdout
    assert UNREAD_SITE in result.stdout
    assert "13812345672" not in result.stdout


def _rewrite_stopped_after(
    database: Path, monkeypatch: pytest.MonkeyPatch, n: int, complaints: int, stop: BaseException
) -> tuple[Desk, list[str], list[str]]:
    """A desk on ``database`` whose ``complaints`` rows are all out of date (kept under
    another basis, their due times cleared), and a store whose ``append`` raises
    ``stop`` once ``n`` rows are rewritten: the desk, its ids and the rows written."""
    store = SqliteStore(database)
    desk = make_desk(store=store)
    ids = [c.id for c in desk.receive_many(intakes(complaints, T0), now=T0)]
    store.keep_projection_basis("another pack")
    conn = sqlite3.connect(database)
    with conn:
        conn.execute("UPDATE projection SET next_due = NULL")
    conn.close()
    written: list[str] = []
    append = SqliteStore.append

    def stopping(self: SqliteStore, complaint_id: str, *args: Any, **kwargs: Any) -> Any:
        if len(written) == n:
            raise stop
        found = append(self, complaint_id, *args, **kwargs)
        written.append(complaint_id)
        return found

    monkeypatch.setattr(SqliteStore, "append", stopping)
    return desk, ids, written


def test_a_sweep_failed_while_rewriting_rows_out_of_date_names_those_it_rewrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """F01: the rows a sweep brings up to date before its claims (DL-7) are committed
    one by one; a store failure part-way reports those already rewritten."""
    database = tmp_path / "desk.sqlite3"
    lost = ConnectionLostError(str(database), "lost the connection; try again")
    desk, ids, written = _rewrite_stopped_after(database, monkeypatch, 2, 4, lost)
    with desk, pytest.raises(ConnectionLostError) as err:
        desk.sweep(T0 + timedelta(hours=1))
    failed = err.value
    assert isinstance(failed, SweepFailed)
    assert list(failed.report.reprojected) == written
    assert len(written) == 2
    assert set(written) <= set(ids)
    assert failed.report.examined == 0  # nothing claimed yet


def test_a_sweep_interrupted_while_rewriting_rows_out_of_date_says_what_it_rewrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review s47J F02: Ctrl-C (or the command line's SIGTERM) during the rewrite of
    rows out of date (DL-7) is SweepInterrupted with the rows already rewritten."""
    database = tmp_path / "desk.sqlite3"
    desk, _ids, written = _rewrite_stopped_after(database, monkeypatch, 1, 3, KeyboardInterrupt())
    with desk, pytest.raises(SweepInterrupted) as err:
        desk.sweep(T0 + timedelta(hours=1))
    assert list(err.value.report.reprojected) == written
    assert len(written) == 1
