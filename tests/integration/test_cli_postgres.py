"""The command line with PostgreSQL: ``init --database postgresql://…`` and ``migrate --to``.

A desk is started on a SQLite file, used, moved to PostgreSQL with ``migrate``
(progress, then the hash chains verified), used there through its configuration,
and moved back; bad URLs, a server that is not there and a database of another
tenant each end with one line and exit status 5, leaving nothing behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

import complaintcore
from complaintcore.adapters.postgres_store import SCHEMA_VERSION, PostgresStore, migrate
from complaintcore.adapters.sqlite_store import SchemaVersionError, SqliteStore
from complaintcore.cli import main
from complaintcore.core.errors import StoreError
from tests.integration.test_cli import NOW, receive_one, run
from tests.postgres_server import PgDatabase, documented_desk_grants


@pytest.fixture
def pg_url(postgres_server: PgDatabase) -> Iterator[str]:
    schema = postgres_server.new_schema()
    try:
        yield f"{postgres_server.dsn}?schema={schema}"
    finally:
        postgres_server.drop_schema(schema)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COMPLAINTCORE_NOW", NOW)
    return tmp_path


def _set_database(config: Path, database: str) -> None:
    lines = config.read_text(encoding="utf-8").splitlines()
    lines = [
        f"database = {json.dumps(database)}" if ln.startswith("database") else ln for ln in lines
    ]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_init_on_postgresql_with_a_tenant(in_tmp: Path, pg_url: str) -> None:
    code, out, err = run("init", ".", "--database", pg_url, "--tenant", "acme", "--json")
    assert code == 0, err
    document = json.loads(out)
    assert document["tenant"] == "acme"
    assert "@" not in document["database"]  # shown without credentials
    text = (in_tmp / "complaintcore.toml").read_text(encoding="utf-8")
    assert f'database = "{pg_url}"' in text
    assert 'tenant = "acme"' in text
    cid = receive_one()
    code, out, _ = run("list", "--json")
    assert [r["id"] for r in json.loads(out)] == [cid]
    assert run("verify")[0] == 0
    with PostgresStore(pg_url, tenant="acme") as store:
        assert [r.id for r in store.rows()] == [cid]


def test_migrate_to_postgresql_and_back(in_tmp: Path, pg_url: str) -> None:
    assert run("init", ".")[0] == 0
    ids = [receive_one(), receive_one("晚上装修噪音太大")]
    code, out, err = run("migrate", "--to", pg_url)
    assert code == 0, err
    assert "copied 2 complaints" in out
    assert "hash chains verified" in out
    copied, hint = out.strip().splitlines()
    assert "postgres@" not in copied  # what was copied where: no credentials
    assert hint == f"when ready, set database in complaintcore.toml to {pg_url}"

    # the desk runs on PostgreSQL once the configuration says so
    _set_database(in_tmp / "complaintcore.toml", pg_url)
    third = receive_one("门禁卡失灵进不了单元门")
    code, out, _ = run("list", "--json")
    assert sorted(r["id"] for r in json.loads(out)) == sorted([*ids, third])
    assert run("verify")[0] == 0

    # and back to a new SQLite file
    code, out, err = run("migrate", "--to", "back.sqlite3", "--json")
    assert code == 0, err
    document = json.loads(out)
    assert (document["complaints"], document["verified"]) == (3, True)
    with SqliteStore(in_tmp / "back.sqlite3") as store:
        assert sorted(r.id for r in store.rows()) == sorted([*ids, third])
        assert store.verify().ok


def test_migrate_suggests_the_setting_with_its_user_and_without_its_password(
    in_tmp: Path, pg_url: str
) -> None:
    """The URL to set keeps the user the desk connects as (without it libpq logs in
    as the operating-system user); the password stays out of everything printed."""
    assert run("init", ".")[0] == 0
    receive_one()
    with_password = pg_url.replace("postgres@", "postgres:s3cret@", 1)
    code, out, err = run("migrate", "--to", f"{with_password}&password=s3cret")
    assert code == 0, err
    assert "s3cret" not in out + err
    hint = out.strip().splitlines()[-1]
    assert hint == f"when ready, set database in complaintcore.toml to {pg_url}"
    assert hint.split(" to ", 1)[1].startswith("postgresql://postgres@127.0.0.1:")

    # following it, the desk runs on the copy as that user
    _set_database(in_tmp / "complaintcore.toml", hint.split(" to ", 1)[1])
    code, out, err = run("list", "--json")
    assert code == 0, err
    assert len(json.loads(out)) == 1


def test_migrate_refuses_a_target_that_is_not_empty(in_tmp: Path, pg_url: str) -> None:
    assert run("init", ".")[0] == 0
    receive_one()
    assert run("migrate", "--to", pg_url)[0] == 0
    # run again onto the complete copy it made (an interrupt after the commit): said, exit 0
    code, out, err = run("migrate", "--to", pg_url, "--json")
    assert code == 0, err
    assert json.loads(out)["already_copied"] is True
    receive_one("晚上装修噪音太大")  # the desk has since grown: no longer that copy
    code, out, err = run("migrate", "--to", pg_url)
    assert code == 5
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "empty desk" in err
    code, out, _ = run("migrate", "--to", pg_url, "--json")
    assert code == 5
    assert json.loads(out)["error"]["type"] == "StoreError"
    with PostgresStore(pg_url) as store:
        assert store.desk_size()[0] == 1  # nothing written twice


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://postgres:s3cret@127.0.0.1:1/complaints",  # nobody listening
        "postgresql://postgres:s3cret@127.0.0.1:5432:7/complaints",  # not a URL libpq reads
    ],
)
def test_a_bad_database_url_is_one_line_and_leaves_nothing(in_tmp: Path, url: str) -> None:
    code, out, err = run("init", "desk", "--database", url)
    assert code == 5
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "s3cret" not in err
    assert not (in_tmp / "desk" / "complaintcore.toml").exists()
    assert run("init", ".")[0] == 0
    receive_one()
    code, _, err = run("migrate", "--to", url)
    assert code == 5
    assert len(err.strip().splitlines()) == 1
    assert "s3cret" not in err
    assert run("verify")[0] == 0  # the source is untouched


def test_a_database_of_another_tenant(in_tmp: Path, pg_url: str) -> None:
    assert run("init", "acme", "--database", pg_url, "--tenant", "acme")[0] == 0
    config = in_tmp / "acme" / "complaintcore.toml"
    text = config.read_text(encoding="utf-8").replace('tenant = "acme"', 'tenant = "bravo"')
    config.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["--lang", "en", "--config", str(config), "list"])
    assert result.exit_code == 5
    assert len(result.stderr.strip().splitlines()) == 1
    assert "bravo" in result.stderr


def _tenants(pg_url: str) -> list[str]:
    """The tenants the schema of ``pg_url`` lists, as its owner sees them."""
    dsn, _, schema = pg_url.partition("?schema=")
    with psycopg.connect(dsn, autocommit=True) as conn:
        found = conn.execute(f"SELECT tenant FROM {schema}.tenants ORDER BY tenant")
        return [str(t) for (t,) in found.fetchall()]


def _broken(*args: object, **kwargs: object) -> None:
    raise StoreError("postgresql://db", "could not be written: the disk is full")


def test_init_that_fails_half_way_unregisters_the_tenant_it_registered(
    in_tmp: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed ``init`` leaves the database listing the tenants it listed before: the
    first tenant of an empty schema, or a new one beside others, goes again; a tenant
    that was there before stays, and so does everything of it."""
    from complaintcore.desk import Desk

    monkeypatch.setattr(Desk, "from_config", _broken)
    code, _, err = run("init", "acme", "--database", pg_url, "--tenant", "acme")
    assert code == 5, err
    assert "disk is full" in err
    assert _tenants(pg_url) == []  # the first tenant of an empty schema
    assert not (in_tmp / "acme").exists()
    monkeypatch.undo()
    monkeypatch.chdir(in_tmp)
    assert run("init", "acme", "--database", pg_url, "--tenant", "acme")[0] == 0
    monkeypatch.chdir(in_tmp / "acme")
    cid = receive_one()

    monkeypatch.setattr(Desk, "from_config", _broken)
    assert run("init", "../bravo", "--database", pg_url, "--tenant", "bravo")[0] == 5
    assert _tenants(pg_url) == ["acme"]  # a new tenant beside another
    before = (in_tmp / "acme" / "complaintcore.toml").read_bytes()
    assert run("init", ".", "--database", pg_url, "--tenant", "acme", "--force")[0] == 5
    assert _tenants(pg_url) == ["acme"]  # known before this run: kept
    assert (in_tmp / "acme" / "complaintcore.toml").read_bytes() == before
    monkeypatch.undo()
    monkeypatch.chdir(in_tmp / "acme")
    with PostgresStore(pg_url, tenant="acme") as store:
        assert [r.id for r in store.rows()] == [cid]

    # fixed, the same command now succeeds
    assert run("init", "../bravo", "--database", pg_url, "--tenant", "bravo")[0] == 0
    assert _tenants(pg_url) == ["acme", "bravo"]


@pytest.fixture
def desk_role(pg_url: str, postgres_server: PgDatabase) -> Iterator[str]:
    """A role for the desk granted what docs/storage.md recommends: ``SELECT, INSERT,
    UPDATE`` on the schema's tables, ``SELECT`` alone on ``schema_migrations``; the URL
    it connects with."""
    schema = pg_url.rpartition("=")[2]
    role = f"desk_{schema}"
    yield pg_url.replace("postgres@", f"{role}@", 1)
    with psycopg.connect(postgres_server.dsn, autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
            admin.execute(f"DROP OWNED BY {role}")  # (a test that failed early made none)
            admin.execute(f"DROP ROLE {role}")


def _grant(dsn: str, schema: str, role: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN")
        for grant in documented_desk_grants(schema, role):
            admin.execute(grant)


def test_an_older_schema_is_migrated_by_its_owner(
    in_tmp: Path, pg_url: str, postgres_server: PgDatabase, desk_role: str
) -> None:
    """The desk's role may not alter the tables: opening a schema of the previous
    version says it needs migrating, and how; the owner's ``migrate --upgrade`` does it."""
    schema = pg_url.rpartition("=")[2]
    with psycopg.connect(postgres_server.dsn, autocommit=True) as owner:
        migrate(owner, schema, target=SCHEMA_VERSION - 1)  # as the previous release left it
    _grant(postgres_server.dsn, schema, desk_role.partition("://")[2].partition("@")[0])
    port = postgres_server.dsn.rpartition(":")[2].partition("/")[0]

    with pytest.raises(SchemaVersionError) as err:
        PostgresStore(desk_role)
    assert (err.value.found, err.value.supported) == (SCHEMA_VERSION - 1, SCHEMA_VERSION)
    assert str(err.value) == (
        f"complaint database postgresql://127.0.0.1:{port}/postgres?schema={schema}:"
        f" has schema version {SCHEMA_VERSION - 1}, but this complaintcore needs"
        f" {SCHEMA_VERSION}, and this database role may not migrate it; have the tables'"
        " owner run: complaintcore migrate --upgrade"
        f" postgresql://OWNER@127.0.0.1:{port}/postgres?schema={schema}"
    )
    with psycopg.connect(postgres_server.dsn, autocommit=True) as owner:
        assert migrate(owner, schema, target=0) == SCHEMA_VERSION - 1  # nothing half applied

    code, out, err = run("migrate", "--upgrade", pg_url)  # as the owner
    assert code == 0, err
    assert out == (
        f"postgresql://127.0.0.1:{port}/postgres?schema={schema}: schema migrated from"
        f" version {SCHEMA_VERSION - 1} to {SCHEMA_VERSION}\n"
    )
    code, out, err = run("migrate", "--upgrade", pg_url, "--json")
    assert code == 0, err
    assert json.loads(out) == {
        "database": f"postgresql://127.0.0.1:{port}/postgres?schema={schema}",
        "from_version": SCHEMA_VERSION,
        "to_version": SCHEMA_VERSION,
    }
    with PostgresStore(desk_role) as store:  # the desk's role opens it now
        assert store.schema_version == SCHEMA_VERSION
        assert store.rows() == []


def test_migrate_upgrade_makes_no_schema_and_takes_only_a_postgresql_url(
    in_tmp: Path, pg_url: str, postgres_server: PgDatabase
) -> None:
    code, out, err = run("migrate", "--upgrade", pg_url)
    assert code == 5
    assert out == ""
    assert "keeps no complaintcore schema" in err
    with psycopg.connect(postgres_server.dsn, autocommit=True) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_namespace WHERE nspname = %s", (pg_url.rpartition("=")[2],)
        )
        assert found.fetchone() is None
    assert run("migrate", "--upgrade", "complaints.sqlite3")[0] == 2
    assert run("migrate")[0] == 2  # one of --to and --upgrade
    assert run("migrate", "--to", "x.sqlite3", "--upgrade", pg_url)[0] == 2
    assert not (in_tmp / "x.sqlite3").exists()


def test_init_says_when_the_desk_role_may_not_unregister_its_tenant(
    in_tmp: Path,
    pg_url: str,
    postgres_server: PgDatabase,
    desk_role: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A role granted ``SELECT, INSERT, UPDATE`` registers a tenant but may not delete
    it: the failed ``init`` says the tenant stays registered, then its own error."""
    from complaintcore.desk import Desk

    schema = pg_url.rpartition("=")[2]
    with PostgresStore(pg_url, tenant="acme"):  # the owner makes the schema and a desk
        pass
    _grant(postgres_server.dsn, schema, desk_role.partition("://")[2].partition("@")[0])
    monkeypatch.setattr(Desk, "from_config", _broken)
    code, out, err = run("init", "bravo", "--database", desk_role, "--tenant", "bravo")
    assert code == 5
    assert out == ""
    warning, error = err.strip().splitlines()
    assert warning.startswith("warning: tenant bravo stays registered in the database:")
    assert "lacks a privilege" in warning
    assert error.startswith("error: ")
    assert "disk is full" in error
    assert _tenants(pg_url) == ["acme", "bravo"]


@pytest.fixture
def owner_role(pg_url: str, postgres_server: PgDatabase) -> Iterator[str]:
    """A plain login role (no superuser, no ``BYPASSRLS``) owning the desk's schema,
    as a host sets one up for ``init`` and ``migrate --upgrade``; the URL it connects with."""
    role = "owner_" + pg_url.rpartition("=")[2]
    with psycopg.connect(postgres_server.dsn, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN")
        admin.execute(f"GRANT CREATE ON DATABASE postgres TO {role}")  # init makes the schema
    yield pg_url.replace("postgres@", f"{role}@", 1)
    with psycopg.connect(postgres_server.dsn, autocommit=True) as admin:
        admin.execute(f"DROP OWNED BY {role}")
        admin.execute(f"DROP ROLE {role}")


def _intake_file(path: Path, first: int) -> None:
    """Three complaints of new complainants, at 09:00, 09:05 and 09:10."""
    rows = [
        f"住户{n},139000{n:05d},1-1-{100 + n},sunrise,垃圾没人清理,SR-103,phone,"
        f"2025-11-14T09:{5 * (n - first):02d}"
        for n in range(first, first + 3)
    ]
    path.write_text(
        "name,phone,room,site,summary,receiver,channel,received_at\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )


def test_bulk_intake_under_row_level_security(
    in_tmp: Path, pg_url: str, postgres_server: PgDatabase, owner_role: str, desk_role: str
) -> None:
    """``receive --file`` as the tables' owner and as the desk role storage.md
    recommends, neither a superuser: row-level security binds both, and PostgreSQL
    refuses ``COPY FROM`` under it, so their batches go in as ``INSERT``s (review s45C F01)."""
    schema = pg_url.rpartition("=")[2]
    code, _, err = run("init", ".", "--database", owner_role)
    assert code == 0, err
    _intake_file(in_tmp / "owner.csv", 1)
    code, out, err = run("receive", "--file", "owner.csv")
    assert (code, err) == (0, "")
    assert out.strip().splitlines()[-1] == (
        "imported: 3 stored, 0 duplicated, 0 rejected (3 rows, encoding utf-8)"
    )
    code, out, err = run("receive", "--file", "owner.csv")  # again: nothing stored twice
    assert (code, err) == (0, "")
    assert out.strip().splitlines()[-1] == (
        "imported: 0 stored, 3 duplicated, 0 rejected (3 rows, encoding utf-8)"
    )

    _grant(postgres_server.dsn, schema, desk_role.partition("://")[2].partition("@")[0])
    _set_database(in_tmp / "complaintcore.toml", desk_role)
    _intake_file(in_tmp / "desk.csv", 11)
    code, out, err = run("receive", "--file", "desk.csv")
    assert (code, err) == (0, "")
    assert out.strip().splitlines()[-1] == (
        "imported: 3 stored, 0 duplicated, 0 rejected (3 rows, encoding utf-8)"
    )
    assert run("verify")[0] == 0
    code, out, _ = run("list", "--json")
    names = sorted(r["id"] for r in json.loads(out))
    assert len(names) == 6
    with PostgresStore(pg_url) as store:  # as the superuser: all six, each once
        assert sorted(r.id for r in store.rows()) == names


def _waiting_on_a_lock(dsn: str) -> int:
    """The backend of the desk's pool waiting on a lock, once it does."""
    with psycopg.connect(dsn, autocommit=True) as admin:
        for _ in range(400):
            found = admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'complaintcore'"
                " AND wait_event_type = 'Lock'"
            ).fetchone()
            if found:
                return int(found[0])
            time.sleep(0.05)
    raise AssertionError("the desk never waited on the lock")


def test_a_session_ended_during_a_statement_is_a_lost_connection_in_one_line(
    in_tmp: Path, pg_url: str, postgres_server: PgDatabase
) -> None:
    """``pg_terminate_backend`` while the desk's statement runs (SQLSTATE 57P01) reads
    as storage.md's "lost the connection", and the pool's "discarding closed
    connection" stays off standard error: one line, exit 5 (review s45C F03)."""
    schema = pg_url.rpartition("=")[2]
    assert run("init", ".", "--database", pg_url)[0] == 0
    receive_one()  # the tenant's ledger head is stored: the next intake locks it
    src = str(Path(complaintcore.__file__).resolve().parents[1])
    env = {**os.environ, "COMPLAINTCORE_NOW": NOW, "PYTHONPATH": src}
    command = [sys.executable, "-m", "complaintcore.cli.app", "--lang", "en", "receive"]
    command += ["--name", "李四", "--phone", "13900001111", "--room", "1-1-101"]
    command += ["--site", "sunrise", "--summary", "电梯停运", "--receiver", "SR-103"]
    with psycopg.connect(postgres_server.dsn) as blocker:
        blocker.execute(f"SELECT 1 FROM {schema}.ledger_heads FOR UPDATE")  # held until rollback
        child = subprocess.Popen(
            command, cwd=in_tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        try:
            pid = _waiting_on_a_lock(postgres_server.dsn)
            with psycopg.connect(postgres_server.dsn, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            out, err = child.communicate(timeout=60)
        finally:
            if child.poll() is None:
                child.kill()
                child.communicate()
        blocker.rollback()
    port = postgres_server.dsn.rpartition(":")[2].partition("/")[0]
    assert (child.returncode, out) == (5, b"")
    assert err.decode() == (
        f"error: complaint database postgresql://127.0.0.1:{port}/postgres?schema={schema}:"
        " lost the connection during the operation (a restart, a failover, or its session"
        " was ended); try again\n"
    )
    assert len(json.loads(run("list", "--json")[1])) == 1  # the intake went with it
