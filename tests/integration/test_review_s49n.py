"""Review s49N F01: a commit of the SQLite desk is on disk before the call returns.

security.md promised that a power cut "loses nothing committed", but every
connection ran WAL with ``synchronous = NORMAL``, under which SQLite syncs the
WAL only at a checkpoint (every 20,000 pages, about 80 MB): a power cut could
take back a complaint the desk had reported stored and whose messages a
handler had already received.  Every connection the store opens (the first
one, each thread's, another tenant's store on the file) now runs ``FULL``,
which syncs the WAL at each commit; a host that trades that for speed (a bulk
import) says ``synchronous = "normal"`` to the store or in ``[sqlite]`` of the
configuration, and any other value is refused naming the field.

The pragma is read from the store's own connections, and one test watches the
system calls of a real commit (``strace``) to see the WAL synced before the
call returns, and not synced under ``normal``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintcore import Desk, InvalidInputError, load_config
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.stores import open_store
from complaintcore.cli import main

# SQLite's own numbers for the setting (https://sqlite.org/pragma.html#pragma_synchronous)
OFF, NORMAL, FULL = 0, 1, 2


def in_force(store: SqliteStore) -> int:
    """``PRAGMA synchronous`` on the calling thread's connection of ``store``."""
    return int(store._conn().execute("PRAGMA synchronous").fetchone()[0])


def in_force_in_a_thread(store: SqliteStore) -> int:
    """The same on a connection the store opens for a new thread."""
    found: list[int] = []
    worker = threading.Thread(target=lambda: found.append(in_force(store)))
    worker.start()
    worker.join()
    return found[0]


def test_every_connection_of_the_store_syncs_each_commit_by_default(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "desk.sqlite3")
    try:
        assert in_force(store) == FULL
        assert in_force_in_a_thread(store) == FULL
        other = store.for_tenant("north", create_tenant=True)
        try:
            assert (in_force(other), in_force_in_a_thread(other)) == (FULL, FULL)
        finally:
            other.close()
    finally:
        store.close()
    reopened = SqliteStore(tmp_path / "desk.sqlite3", create=False)
    try:
        assert (in_force(reopened), in_force_in_a_thread(reopened)) == (FULL, FULL)
    finally:
        reopened.close()


def test_normal_is_honoured_on_every_connection_when_asked_for(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "desk.sqlite3", synchronous="normal")
    try:
        assert store.synchronous == "normal"
        assert (in_force(store), in_force_in_a_thread(store)) == (NORMAL, NORMAL)
        other = store.for_tenant("north", create_tenant=True)
        try:
            assert other.synchronous == "normal"
            assert (in_force(other), in_force_in_a_thread(other)) == (NORMAL, NORMAL)
        finally:
            other.close()
    finally:
        store.close()
    full = SqliteStore(tmp_path / "desk.sqlite3", synchronous="full")
    try:
        assert (full.synchronous, in_force(full)) == ("full", FULL)
    finally:
        full.close()


@pytest.mark.parametrize("bad", ["off", "extra", "FULL", "", " normal", 2, None, True])
def test_any_other_value_is_refused_naming_the_field(tmp_path: Path, bad: object) -> None:
    with pytest.raises(InvalidInputError) as err:
        SqliteStore(tmp_path / "desk.sqlite3", synchronous=bad)  # type: ignore[arg-type]
    assert err.value.path == "synchronous"
    assert err.value.reason == "must be 'full' or 'normal'"
    assert not (tmp_path / "desk.sqlite3").exists()  # refused before the file is made


def test_the_setting_reaches_the_store_through_open_store(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "desk.sqlite3"), synchronous="normal")
    try:
        assert isinstance(store, SqliteStore)
        assert (in_force(store), in_force_in_a_thread(store)) == (NORMAL, NORMAL)
    finally:
        store.close()


def test_the_configuration_chooses_it_for_the_desk(tmp_path: Path) -> None:
    (tmp_path / "complaintcore.toml").write_text(
        'database = "desk.sqlite3"\n\n[sqlite]\nsynchronous = "normal"\n', encoding="utf-8"
    )
    with Desk.from_config(load_config(tmp_path / "complaintcore.toml")) as desk:
        assert isinstance(desk.store, SqliteStore)
        assert (in_force(desk.store), in_force_in_a_thread(desk.store)) == (NORMAL, NORMAL)
    with Desk.from_config({"database": str(tmp_path / "other.sqlite3")}) as desk:
        assert isinstance(desk.store, SqliteStore)
        assert (in_force(desk.store), in_force_in_a_thread(desk.store)) == (FULL, FULL)


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        ("en", "error: complaintcore.toml:sqlite.synchronous: must be 'full' or 'normal'\n"),
        ("zh", "错误：complaintcore.toml:sqlite.synchronous：必须是 'full' 或 'normal'\n"),
    ],
)
def test_a_bad_value_in_the_config_file_is_named_in_the_readers_words(
    lang: str, shown: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    env = dict.fromkeys(("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "COMPLAINTCORE_LANG"))
    assert runner.invoke(main, ["init", "."], env=env).exit_code == 0
    config = Path("complaintcore.toml")
    written = config.read_text(encoding="utf-8")
    config.write_text(written + '\n[sqlite]\nsynchronous = "off"\n', encoding="utf-8")
    result = runner.invoke(main, ["--lang", lang, "list"], env=env)
    assert (result.exit_code, result.stderr) == (1, shown)


# ------------------------------------------------------------ the commit itself, syscalls

_ONE_COMMIT = textwrap.dedent(
    """
    import os, sys
    from complaintcore.adapters.sqlite_store import SqliteStore
    store = SqliteStore(sys.argv[1], synchronous=sys.argv[2])  # creates, migrates, registers
    os.write(2, b"MARK-BEFORE\\n")
    assert store.unregister_tenant()  # one commit: the tenant's row deleted
    os.write(2, b"MARK-AFTER\\n")
    os._exit(0)  # as a power cut finds it: no close, no checkpoint
    """
)


def _syncs_of_one_commit(tmp_path: Path, synchronous: str) -> list[str]:
    """The fsync/fdatasync calls a process makes between the start and the end of
    one store commit, under ``strace``."""
    db = tmp_path / f"{synchronous}.sqlite3"
    log = tmp_path / f"{synchronous}.strace"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    subprocess.run(
        [
            "strace",
            "-f",
            "-qq",
            "-e",
            "trace=write,fsync,fdatasync",
            "-o",
            str(log),
            sys.executable,
            "-c",
            _ONE_COMMIT,
            str(db),
            synchronous,
        ],
        check=True,
        env=env,
        capture_output=True,
        timeout=120,
    )
    lines = log.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if "MARK-BEFORE" in line)
    end = next(i for i, line in enumerate(lines) if "MARK-AFTER" in line)
    return [line for line in lines[start:end] if "fsync(" in line or "fdatasync(" in line]


def _strace_works() -> bool:
    if shutil.which("strace") is None:
        return False
    done = subprocess.run(["strace", "-qq", "-o", os.devnull, "true"], capture_output=True)
    return done.returncode == 0


@pytest.mark.skipif(not _strace_works(), reason="needs strace allowed to trace a child")
def test_a_commit_syncs_the_wal_before_it_returns_unless_normal_is_asked_for(
    tmp_path: Path,
) -> None:
    assert len(_syncs_of_one_commit(tmp_path, "full")) >= 1
    assert _syncs_of_one_commit(tmp_path, "normal") == []
