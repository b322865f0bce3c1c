"""A desk whose database file has gone is an error, never a new empty desk.

Only ``init`` (and ``demo``) create a desk's database; every other command
refuses a missing file with a store error (exit 5), and creates nothing.  In
code, ``SqliteStore(path)`` still creates a new file, and ``create=False`` (or
``DeskConfig(create_database=False)``) refuses a missing one.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from complaintcore import Desk, DeskConfig, StoreError
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.stores import open_store
from complaintcore.cli import main
from tests.integration.test_cli_conventions import RECEIVE

NOW = "2025-11-14T17:30"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["--lang", "en", *args], env={"COMPLAINTCORE_NOW": NOW})


@pytest.fixture
def moved_away(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A desk with one complaint whose database file was moved away."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    assert invoke(*RECEIVE).exit_code == 0
    database = tmp_path / "complaints.sqlite3"
    database.rename(tmp_path / "moved-away.sqlite3")
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ["sweep"],
        ["list"],
        RECEIVE,
        ["verify"],
        ["report", "--month", "2025-11"],
        ["outbox", "list"],
        ["migrate", "--to", "copy.sqlite3"],
    ],
)
@pytest.mark.parametrize("as_json", [False, True])
def test_a_missing_database_is_a_store_error_and_nothing_is_created(
    moved_away: Path, args: list[str], as_json: bool
) -> None:
    result = invoke(*args, *(["--json"] if as_json else []))
    assert result.exit_code == 5, result.output
    if as_json:
        error = json.loads(result.stdout)["error"]
        assert error["code"] == 5
        assert error["type"] == "StoreError"
        message = error["message"]
    else:
        assert result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1
        message = result.stderr
    assert "complaints.sqlite3: does not exist" in message
    assert "init" in message
    assert not (moved_away / "complaints.sqlite3").exists()
    assert not (moved_away / "copy.sqlite3").exists()
    assert sorted(p.name for p in moved_away.iterdir()) == [
        "complaintcore.toml",
        "moved-away.sqlite3",
        "staff.toml",
    ]


def test_the_desk_works_again_once_the_file_is_back(moved_away: Path) -> None:
    (moved_away / "moved-away.sqlite3").rename(moved_away / "complaints.sqlite3")
    result = invoke("list", "--json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 1


def test_init_still_creates_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert invoke("init", "desk").exit_code == 0
    assert (tmp_path / "desk" / "complaints.sqlite3").is_file()


def test_sqlite_store_creates_a_new_file_unless_told_not_to(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.sqlite3"
    with SqliteStore(fresh) as store:  # the API as before: a new store in code
        assert store.rows() == []
    assert fresh.is_file()

    missing = tmp_path / "missing.sqlite3"
    with pytest.raises(StoreError, match=r"missing\.sqlite3: does not exist"):
        SqliteStore(missing, create=False)
    with pytest.raises(StoreError, match="does not exist"):
        open_store(str(missing), create=False)
    assert not missing.exists()

    with SqliteStore(fresh, create=False) as store:  # an existing file opens
        assert store.rows() == []


def test_a_file_that_goes_while_open_is_not_recreated_by_another_thread(tmp_path: Path) -> None:
    database = tmp_path / "desk.sqlite3"
    SqliteStore(database).close()
    store = SqliteStore(database, create=False)
    try:
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            path.unlink(missing_ok=True)
        failed: list[BaseException] = []

        def read() -> None:  # a thread's first connection
            try:
                store.rows()
            except BaseException as exc:  # recorded for the assertion
                failed.append(exc)

        thread = threading.Thread(target=read)
        thread.start()
        thread.join()
        assert len(failed) == 1, failed
        assert isinstance(failed[0], StoreError), failed
        assert not database.exists()
    finally:
        store.close()


def test_a_desk_config_says_whether_a_missing_database_may_be_created(tmp_path: Path) -> None:
    staff = str(tmp_path / "staff.toml")
    from complaintcore.adapters.staff import write_sample_staff

    write_sample_staff(staff)
    missing = str(tmp_path / "gone.sqlite3")
    with pytest.raises(StoreError, match="does not exist"):
        Desk.from_config(DeskConfig(database=missing, staff_file=staff, create_database=False))
    assert not Path(missing).exists()
    with Desk.from_config(DeskConfig(database=missing, staff_file=staff)) as desk:
        assert desk.store.rows() == []
    assert Path(missing).is_file()
