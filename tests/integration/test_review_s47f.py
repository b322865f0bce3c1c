"""Review s47F (operations: a SQLite desk run for months): a corrupt file under
``verify``, a live desk backed up and restored, a sweep stopped by a store error,
the checkpoint file of ``verify --checkpoint``, and ``deliver --loop`` through a
transient store error."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from complaintcore import Desk, DeskConfig, StoreError
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.cli import main
from tests.integration.test_cli_conventions import RECEIVE

NOW = "2025-11-14T17:30"


def invoke(*args: str, now: str = NOW) -> Result:
    return CliRunner().invoke(main, ["--lang", "en", *args], env={"COMPLAINTCORE_NOW": now})


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
        " (SQLITE_CORRUPT)\n"
    )
    as_json = invoke("verify", "--json")
    assert as_json.exit_code == 5
    error = json.loads(as_json.stdout)["error"]
    assert (error["code"], error["type"]) == (5, "StoreError")
    assert CORRUPT in error["message"]
    assert "SQLITE_CORRUPT" in error["message"]
