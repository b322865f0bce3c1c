"""The SQLite store raises only library errors: a one-line StoreError naming the file.

A ``database`` setting that is not a file name (a URL, a libpq string) is never
taken for one, and is named without its credentials.

Real failures of a real file (locked by another connection, corrupt, not a
database, missing folder); read-only and disk-full are provoked with SQLite's
own limits (``query_only``, ``max_page_count``) because the tests run as a user
whom file permissions do not stop.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintcore import ComplaintCoreError, StoreError
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.stores import describe_database, is_postgres_url, open_store
from complaintcore.cli import main
from complaintcore.core.models import Complaint
from complaintcore.core.workflow import Register, decide, evolve, new_complaint
from complaintcore.desk.config import DeskConfig
from complaintcore.desk.ports import ComplaintRow
from tests.helpers import T0, intake, pack

PACK = pack()
NAME, PHONE, ROOM = "王小明", "13812345678", "3-2-1201"  # the helpers' complainant


def registered(cid: str) -> Complaint:
    c = new_complaint(cid, intake(received_at=T0))
    return evolve(c, decide(c, Register(actor="s-front"), PACK, T0))


def row(c: Complaint) -> ComplaintRow:
    return ComplaintRow(id=c.id, status=c.status, received_at=T0, version=c.version)


def create(store: SqliteStore, cid: str) -> None:
    c = registered(cid)
    store.create(c, row(c), ())


def check(err: pytest.ExceptionInfo[StoreError], path: Path, *words: str) -> None:
    text = str(err.value)
    assert text.startswith(f"complaint database {path}: ")
    assert err.value.database == str(path)
    assert "\n" not in text
    for secret in (NAME, PHONE, ROOM):
        assert secret not in text
    for word in words:
        assert word in text
    assert isinstance(err.value, ComplaintCoreError)
    assert isinstance(err.value, OSError)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "complaints.sqlite3"


@pytest.fixture
def store(path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(path, timeout=0.2) as s:
        create(s, "C-1")
        yield s


def test_a_database_locked_by_another_writer(store: SqliteStore, path: Path) -> None:
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StoreError) as err:
            create(store, "C-2")
        check(err, path, "locked", "SQLITE_BUSY")
    finally:
        other.execute("ROLLBACK")
        other.close()
    create(store, "C-2")  # nothing was half written: it goes through afterwards
    assert [r.id for r in store.rows()] == ["C-1", "C-2"]


def test_a_corrupt_database(store: SqliteStore, path: Path) -> None:
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'events'").fetchone()[0]
    conn.close()
    with path.open("r+b") as f:  # scribble over the events table's root page
        f.seek((root - 1) * page_size)
        f.write(b"\xff" * 64)
    with SqliteStore(path) as reopened, pytest.raises(StoreError) as err:
        reopened.load("C-1")
    check(err, path, "corrupt", "SQLITE_CORRUPT")


def test_a_file_that_is_not_a_database(path: Path) -> None:
    path.write_text("name,phone\n" + f"{NAME},{PHONE}\n" * 500, encoding="utf-8")
    with pytest.raises(StoreError) as err:
        SqliteStore(path)
    check(err, path, "not an SQLite database", "SQLITE_NOTADB")


def test_a_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "no-such-folder" / "complaints.sqlite3"
    with pytest.raises(StoreError) as err:
        SqliteStore(path)
    check(err, path, "cannot be opened", "SQLITE_CANTOPEN")


def test_a_read_only_database(store: SqliteStore, path: Path) -> None:
    store._conn().execute("PRAGMA query_only = ON")  # this thread's connection only
    with pytest.raises(StoreError) as err:
        create(store, "C-2")
    check(err, path, "read-only", "SQLITE_READONLY")
    assert [r.id for r in store.rows()] == ["C-1"]  # reading still works


def test_a_full_disk(store: SqliteStore, path: Path) -> None:
    conn = store._conn()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")  # this connection's file cannot grow

    def fill() -> None:
        for n in range(2, 200):
            create(store, f"C-{n}")

    with pytest.raises(StoreError) as err:
        fill()
    check(err, path, "disk is full", "SQLITE_FULL")
    assert store.verify().ok  # the failed transaction left nothing behind


def test_every_public_method_translates(store: SqliteStore, path: Path) -> None:
    c = registered("C-2")
    store._conn().close()  # under the store's feet: every call now fails inside sqlite3
    calls = {
        "create": lambda: store.create(c, row(c), ()),
        "create_many": lambda: store.create_many([(c, row(c), ())]),
        "append": lambda: store.append("C-1", 1, (), row(registered("C-1")), ()),
        "load": lambda: store.load("C-1"),
        "find_by_key": lambda: store.find_by_key("k"),
        "rows": lambda: store.rows(),
        "complaints": lambda: list(store.complaints()),
        "verify": lambda: store.verify(),
        "pending": lambda: store.pending(T0),
        "claim": lambda: store.claim(T0),
        "mark_delivered": lambda: store.mark_delivered(1, T0),
        "mark_failed": lambda: store.mark_failed(1, "down", T0),
        "schema_version": lambda: store.schema_version,
    }
    raised = []
    for name, call in calls.items():
        with pytest.raises(StoreError) as err:
            call()
        check(err, path, "(ProgrammingError)")
        raised.append(name)
    assert raised == list(calls)


# --------------------------------------------------------------------------- the database setting

SECRET = "S3cretPW"


def _no_password(err: pytest.ExceptionInfo[StoreError]) -> str:
    text = str(err.value)
    assert "\n" not in text
    assert SECRET not in text
    assert SECRET not in err.value.database
    assert "bob" not in text  # the user is a credential too
    return text


@pytest.mark.parametrize(
    "database",
    [
        f" postgresql://bob:{SECRET}@127.0.0.1:1/db ",
        f"PostgreSQL://bob:{SECRET}@127.0.0.1:1/db",
        f"postgresql+psycopg://bob:{SECRET}@127.0.0.1:1/db",
        f"POSTGRES://bob:{SECRET}@127.0.0.1:1/db",
    ],
)
def test_a_postgresql_url_is_read_whatever_its_case_and_blanks(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Taken for a SQLite file name, the URL used to be quoted password and all."""
    pytest.importorskip("psycopg")
    monkeypatch.chdir(tmp_path)
    assert is_postgres_url(database)
    with pytest.raises(StoreError) as err:
        open_store(database)
    text = _no_password(err)
    assert text.startswith("complaint database postgresql://127.0.0.1:1/db: cannot be reached")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("database", "shown"),
    [
        (f"mysql://bob:{SECRET}@db.example/x?password={SECRET}", "mysql://db.example/x"),
        (f"postgresql+asyncpg://bob:{SECRET}@db/x", "postgresql+asyncpg://db/x"),
        (f"sqlite://bob:{SECRET}@/desk.sqlite3", "sqlite:///desk.sqlite3"),
        (f"host=db user=bob password={SECRET} dbname=x", "host=db dbname=x"),
        (f"HOST=db port=5432 user=bob PASSWORD='{SECRET}'", "host=db port=5432"),
        (f"user=bob password={SECRET}", "(libpq connection string)"),
    ],
)
def test_a_url_of_another_scheme_or_a_libpq_string_is_refused_without_the_password(
    database: str, shown: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not a SQLite file whose name holds the password, nor an error quoting it."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError) as err:
        open_store(database)
    text = _no_password(err)
    assert text.startswith(f"complaint database {shown}")
    assert "postgresql://" in text  # says what to write instead
    # as the desk opens it: relative to the configuration file's folder
    with pytest.raises(StoreError) as err:
        open_store(DeskConfig(database=database, base_dir=str(tmp_path)).resolve(database))
    _no_password(err)
    assert list(tmp_path.iterdir()) == []


def test_describe_database_leaves_out_every_credential() -> None:
    assert describe_database("postgresql://bob:pa/ss?@db:5432/x?schema=s&password=p") == (
        "postgresql://db:5432/x?schema=s"
    )
    assert describe_database(f"postgresql://bob:{SECRET}@[::1/x") == (
        "postgresql://(unreadable host)"
    )
    assert describe_database("complaints.sqlite3") == "complaints.sqlite3"
    assert describe_database("/srv/desk/complaints.sqlite3") == "/srv/desk/complaints.sqlite3"


def test_the_command_line_names_a_libpq_setting_without_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["--lang", "en", "init", "."]).exit_code == 0
    config = tmp_path / "complaintcore.toml"
    before = sorted(p.name for p in tmp_path.iterdir())
    for database in (
        f"host=db user=bob password={SECRET} dbname=x",
        f"PostgreSQL://bob:{SECRET}@127.0.0.1:1/db",
        f"redis://bob:{SECRET}@cache/0",
    ):
        text = re.sub(
            r"(?m)^database = .*$",
            f"database = {json.dumps(database)}",
            config.read_text(encoding="utf-8"),
        )
        config.write_text(text, encoding="utf-8")
        result = runner.invoke(main, ["--lang", "en", "list"])
        assert result.exit_code == 5, result.output
        assert SECRET not in result.output + result.stderr
        assert sorted(p.name for p in tmp_path.iterdir()) == before  # no file made
