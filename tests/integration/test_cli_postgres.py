"""The command line with PostgreSQL: ``init --database postgresql://…`` and ``migrate --to``.

A desk is started on a SQLite file, used, moved to PostgreSQL with ``migrate``
(progress, then the hash chains verified), used there through its configuration,
and moved back; bad URLs, a server that is not there and a database of another
tenant each end with one line and exit status 5, leaving nothing behind.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintcore.adapters.postgres_store import PostgresStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.cli import main
from tests.integration.test_cli import NOW, receive_one, run
from tests.postgres_server import PgDatabase


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
    assert "postgres@" not in out

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


def test_migrate_refuses_a_target_that_is_not_empty(in_tmp: Path, pg_url: str) -> None:
    assert run("init", ".")[0] == 0
    receive_one()
    assert run("migrate", "--to", pg_url)[0] == 0
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
