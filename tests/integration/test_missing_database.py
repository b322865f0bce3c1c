"""A desk whose database file has gone is an error, never a new empty desk.

Only ``init`` (and ``demo``) create a desk's database; every other command
refuses a missing file with a store error (exit 5), and creates nothing.  In
code, ``SqliteStore(path)`` still creates a new file, and ``create=False`` (or
``DeskConfig(create_database=False)``) refuses a missing one.  On PostgreSQL the
desk's schema plays the file's part.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from complaintcore import Desk, DeskConfig, StoreError
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.stores import open_store
from complaintcore.cli import main
from tests.integration.test_cli_conventions import RECEIVE
from tests.postgres_server import PgDatabase

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
    shutil.rmtree(f"{database}.locks", ignore_errors=True)  # the group lock's files
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


# --------------------------------------------------------------------------- PostgreSQL
# The same on a PostgreSQL server: a desk's schema that has gone (dropped for a
# restore that has not run yet, a mistyped ?schema=) is refused, never made anew.


@pytest.fixture
def pg_url(postgres_server: PgDatabase) -> Iterator[str]:
    schema = postgres_server.new_schema()
    try:
        yield f"{postgres_server.dsn}?schema={schema}"
    finally:
        postgres_server.drop_schema(schema)


def _schema_exists(dsn: str, schema: str) -> bool:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,))
        return found.fetchone() is not None


@pytest.fixture
def schema_gone(
    pg_url: str, postgres_server: PgDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """A desk on PostgreSQL with one complaint whose schema was dropped; its schema."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".", "--database", pg_url).exit_code == 0
    assert invoke(*RECEIVE).exit_code == 0
    schema = pg_url.rpartition("=")[2]
    postgres_server.drop_schema(schema)
    return schema


@pytest.mark.parametrize(
    "args", [["list"], ["sweep"], RECEIVE, ["verify"], ["migrate", "--to", "copy.sqlite3"]]
)
def test_a_missing_postgresql_schema_is_a_store_error_and_nothing_is_created(
    schema_gone: str, postgres_server: PgDatabase, tmp_path: Path, args: list[str]
) -> None:
    result = invoke(*args, "--json")
    assert result.exit_code == 5, result.output
    error = json.loads(result.stdout)["error"]
    assert (error["code"], error["type"]) == (5, "StoreError")
    assert f"?schema={schema_gone}: keeps no complaintcore schema {schema_gone}" in error["message"]
    assert "only `complaintcore init` creates" in error["message"]
    assert not _schema_exists(postgres_server.dsn, schema_gone)
    assert not (tmp_path / "copy.sqlite3").exists()


def test_a_mistyped_schema_is_refused_not_made(
    pg_url: str, postgres_server: PgDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".", "--database", pg_url).exit_code == 0
    assert invoke(*RECEIVE).exit_code == 0
    typo = f"{pg_url}x"  # ?schema=cc_…x
    config = tmp_path / "complaintcore.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(pg_url, typo), encoding="utf-8")
    result = invoke("list")
    assert result.exit_code == 5, result.output
    assert "keeps no complaintcore schema" in result.stderr
    assert not _schema_exists(postgres_server.dsn, typo.rpartition("=")[2])
    config.write_text(config.read_text(encoding="utf-8").replace(typo, pg_url), encoding="utf-8")
    result = invoke("list", "--json")  # the right one still has its complaint
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 1


def test_postgres_store_creates_a_schema_unless_told_not_to(
    pg_url: str, postgres_server: PgDatabase
) -> None:
    from complaintcore.adapters.postgres_store import PostgresStore

    schema = pg_url.rpartition("=")[2]
    with pytest.raises(StoreError, match=f"keeps no complaintcore schema {schema}"):
        PostgresStore(pg_url, create=False)
    with pytest.raises(StoreError, match="keeps no complaintcore schema"):
        open_store(pg_url, create=False)
    assert not _schema_exists(postgres_server.dsn, schema)

    with PostgresStore(pg_url) as store:  # the API as before: a new store in code
        assert store.rows() == []
    with PostgresStore(pg_url, create=False) as store:  # an existing schema opens
        assert store.rows() == []
        with store.for_tenant("acme", create_tenant=True) as other:  # and stays refused
            assert other.rows() == []
    postgres_server.drop_schema(schema)
    with pytest.raises(StoreError, match="keeps no complaintcore schema"):
        store.for_tenant("acme", create_tenant=True)


def test_a_desk_config_on_postgresql_says_whether_a_missing_schema_may_be_created(
    pg_url: str, postgres_server: PgDatabase, tmp_path: Path
) -> None:
    from complaintcore.adapters.staff import write_sample_staff

    staff = str(tmp_path / "staff.toml")
    write_sample_staff(staff)
    with pytest.raises(StoreError, match="keeps no complaintcore schema"):
        Desk.from_config(DeskConfig(database=pg_url, staff_file=staff, create_database=False))
    assert not _schema_exists(postgres_server.dsn, pg_url.rpartition("=")[2])
    with Desk.from_config(DeskConfig(database=pg_url, staff_file=staff)) as desk:
        assert desk.store.rows() == []
