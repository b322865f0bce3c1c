"""Review s53R7 F01: one staff member's views read that person's access records,
not the whole access log.

``access_log(actor=..., limit=...)`` (``audit --actor``) walked every record of
the tenant through ``access_log_at`` and filtered on the actor: 0.17 s per
million views kept, for an empty answer, in a log that is append-only and never
pruned.  An index led by the actor (SQLite schema 29, PostgreSQL schema 28)
serves it, in the order the log is listed (``at``, then ``id``).

The witnesses are the stores' own counts, never wall time: SQLite's plan and the
virtual-machine steps of the store's own query, PostgreSQL's plan and the rows
``EXPLAIN ANALYZE`` says the query examined.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from complaintcore.adapters.postgres_store import SCHEMA_VERSION as PG_SCHEMA_VERSION
from complaintcore.adapters.postgres_store import PostgresStore
from complaintcore.adapters.sqlite_store import SCHEMA_VERSION, SqliteStore
from complaintcore.desk.ports import AccessRecord
from tests.integration.test_cli_delivery_and_identity import RECEIVE, invoke
from tests.integration.test_postgres_indexes import _cost
from tests.postgres_server import PgDatabase

INDEX = "access_log_actor"
T0 = datetime(2025, 11, 3, 9, tzinfo=UTC)
MINE = [T0 + timedelta(minutes=m) for m in (40, 5, 30, 20, 10)]  # HQ-001's five views
ORDERED = sorted(MINE)  # 09:05, 09:10, 09:20, 09:30, 09:40


def _mine(store: Any) -> None:
    """HQ-001's five views, recorded out of time order."""
    for i, at in enumerate(MINE):
        store.record_access(
            AccessRecord(at=at, actor="HQ-001", complaint_id=f"C-{i}", purpose="回访")
        )


def _others(store: Any, start: int, n: int) -> None:
    """``n`` views by HQ-002, earlier than every view of HQ-001's."""
    for i in range(start, start + n):
        store.record_access(
            AccessRecord(
                at=T0 - timedelta(seconds=i + 1), actor="HQ-002", complaint_id=f"C-{i % 7}"
            )
        )


# --------------------------------------------------------------------------- SQLite


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "desk.sqlite3") as store:
        yield store


def _traced(store: SqliteStore, run: Any) -> tuple[int, list[str], Any]:
    """What ``run()`` gives, the virtual-machine steps SQLite took for it and the
    statements it ran (with their values)."""
    conn = store._conn()
    steps = [0]
    statements: list[str] = []

    def count() -> int:
        steps[0] += 1
        return 0

    conn.set_progress_handler(count, 1)
    conn.set_trace_callback(statements.append)
    try:
        got = run()
    finally:
        conn.set_progress_handler(None, 1)
        conn.set_trace_callback(None)
    return steps[0], [s for s in statements if "FROM access_log" in s], got


def _plan(path: Path, sql: str) -> str:
    conn = sqlite3.connect(path)
    try:
        return "\n".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
    finally:
        conn.close()


def _sqlite_views(store: SqliteStore, **filters: Any) -> list[tuple[datetime, str]]:
    return [(r.at, r.complaint_id) for r in store.access_log(**filters)]


def test_sqlite_reads_one_persons_views_from_the_actor_index(sqlite: SqliteStore) -> None:
    _mine(sqlite)
    for filters in (
        {"actor": "HQ-001", "limit": 3},
        {"actor": "HQ-001", "since": T0 + timedelta(minutes=15), "limit": 3},
        {"actor": "HQ-001", "until": T0 + timedelta(minutes=25)},
    ):
        _steps, statements, _got = _traced(sqlite, lambda f=filters: sqlite.access_log(**f))
        [sql] = statements
        found = _plan(sqlite.path, sql)
        assert f"USING INDEX {INDEX} (tenant=? AND actor=?" in found, found
        assert "TEMP B-TREE" not in found, found
    # a complaint's views keep their own index
    _steps, [sql], _got = _traced(sqlite, lambda: sqlite.access_log(complaint_id="C-1"))
    assert "USING INDEX access_log_complaint (tenant=? AND complaint_id=?)" in _plan(
        sqlite.path, sql
    )


def test_sqlite_cost_of_one_persons_views_follows_that_persons_views(
    sqlite: SqliteStore,
) -> None:
    """HQ-001's five views, then 200 and 2,200 views by HQ-002: the same answer at
    the same cost; and HQ-003, who saw nothing, costs nothing more either."""
    _mine(sqlite)
    costs = []
    for start, n in ((0, 200), (200, 2000)):
        _others(sqlite, start, n)
        mine, _, found = _traced(sqlite, lambda: _sqlite_views(sqlite, actor="HQ-001", limit=3))
        nobody, _, none = _traced(sqlite, lambda: sqlite.access_log(actor="HQ-003", limit=3))
        # the three earliest of HQ-001's, oldest first (09:05 C-1, 09:10 C-4, 09:20 C-3)
        assert found == [(ORDERED[0], "C-1"), (ORDERED[1], "C-4"), (ORDERED[2], "C-3")]
        assert none == []
        costs.append((mine, nobody))
    assert costs[0] == costs[1], costs
    # the log as a whole still holds everyone's, oldest first
    everyone = sqlite.access_log()
    assert len(everyone) == 2205
    assert [r.actor for r in everyone[-5:]] == ["HQ-001"] * 5


def test_a_schema_28_sqlite_desk_gets_the_index_and_verifies(tmp_path: Path) -> None:
    """A desk stored by the previous release (schema 28) with views recorded: the
    upgrade builds the index, finds the views recorded before it, and the desk
    verifies (the records' seals untouched)."""
    path = tmp_path / "desk.sqlite3"
    with SqliteStore(path) as store:
        _mine(store)
        _others(store, 0, 20)
    with sqlite3.connect(path) as conn:  # as schema 28 left it
        conn.execute(f"DROP INDEX {INDEX}")
        conn.execute("PRAGMA user_version = 28")
    with SqliteStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION >= 29
        assert _sqlite_views(store, actor="HQ-001", limit=2) == [
            (ORDERED[0], "C-1"),
            (ORDERED[1], "C-4"),
        ]
        assert store.verify().ok
    with sqlite3.connect(path) as conn:
        (sql,) = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (INDEX,)
        ).fetchone()
        (version,) = conn.execute("PRAGMA user_version").fetchone()
    assert sql.endswith("ON access_log (tenant, actor, at, id)"), sql
    assert version == SCHEMA_VERSION


def _index_and_version(path: Path) -> tuple[str, int]:
    with sqlite3.connect(path) as conn:
        found = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (INDEX,)
        ).fetchone()
        (version,) = conn.execute("PRAGMA user_version").fetchone()
    return (str(found[0]) if found else "", int(version))


def test_a_schema_28_desk_upgraded_by_the_command_line_verifies_audits_and_moves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``verify``, ``audit --actor`` and ``migrate --to`` on a desk of the previous
    release with a view recorded: the desk upgrades to the index, verifies, lists
    the view by its viewer, and its copy has the index and the view."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    cid = json.loads(invoke(*RECEIVE, "--json").stdout)["id"]
    assert invoke("show", cid, "--as", "sr-201", "--purpose", "回访").exit_code == 0
    db = tmp_path / "complaints.sqlite3"
    with sqlite3.connect(db) as conn:  # as schema 28 left it
        conn.execute(f"DROP INDEX {INDEX}")
        conn.execute("PRAGMA user_version = 28")
    checked = invoke("verify")
    assert checked.exit_code == 0, checked.output
    assert _index_and_version(db) == (
        "CREATE INDEX access_log_actor ON access_log (tenant, actor, at, id)",
        SCHEMA_VERSION,
    )
    [record] = json.loads(invoke("audit", "--actor", "sr-201", "--limit", "3", "--json").stdout)
    assert (record["actor"], record["complaint_id"], record["purpose"]) == ("SR-201", cid, "回访")
    assert json.loads(invoke("audit", "--actor", "HQ-001", "--limit", "3", "--json").stdout) == []
    moved = invoke("migrate", "--to", "copy.sqlite3")
    assert moved.exit_code == 0, moved.output
    copy = tmp_path / "copy.sqlite3"
    assert _index_and_version(copy)[0].endswith("(tenant, actor, at, id)")
    with SqliteStore(copy, create=False) as store:
        assert [(r.actor, r.complaint_id) for r in store.access_log(actor="SR-201")] == [
            ("SR-201", cid)
        ]
        assert store.verify().ok


# --------------------------------------------------------------------------- PostgreSQL


@pytest.fixture
def pg(postgres_server: PgDatabase, schema: str) -> Iterator[PostgresStore]:
    with PostgresStore(postgres_server.dsn, schema=schema) as store:
        yield store


def test_postgres_cost_of_one_persons_views_follows_that_persons_views(
    postgres_server: PgDatabase, pg: PostgresStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    dsn = postgres_server.dsn
    _mine(pg)
    costs = []
    for start, n in ((0, 200), (200, 2000)):
        _others(pg, start, n)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"ANALYZE {pg.schema}.access_log")
        cost, found = _cost(
            dsn,
            lambda: [(r.at, r.complaint_id) for r in pg.access_log(actor="HQ-001", limit=3)],
            monkeypatch,
            table="access_log",
            seqscan=False,
        )
        assert found == [(ORDERED[0], "C-1"), (ORDERED[1], "C-4"), (ORDERED[2], "C-3")]
        costs.append(cost)
    # HQ-001's three, read from access_log_actor: none of HQ-002's (200, then 2,200)
    assert costs[0] == costs[1] == 3, costs


def test_a_postgresql_schema_of_version_27_gets_the_index(postgres_server: PgDatabase) -> None:
    """The owner's upgrade to version 28 builds the index; the views recorded before
    it are found by it and the desk verifies."""
    schema = postgres_server.new_schema()
    dsn = postgres_server.dsn
    try:
        with PostgresStore(dsn, schema=schema) as store:
            _mine(store)
            _others(store, 0, 20)
        with psycopg.connect(dsn, autocommit=True) as conn:  # as version 27 left it
            conn.execute(f"DROP INDEX {schema}.{INDEX}")
            conn.execute(f"DELETE FROM {schema}.schema_migrations WHERE version >= 28")
        with PostgresStore(dsn, schema=schema) as store:
            assert store.schema_version == PG_SCHEMA_VERSION >= 28
            found = [(r.at, r.complaint_id) for r in store.access_log(actor="HQ-001", limit=2)]
            assert found == [(ORDERED[0], "C-1"), (ORDERED[1], "C-4")]
            assert store.verify().ok
        with psycopg.connect(dsn, autocommit=True) as conn:
            (definition,) = conn.execute(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND indexname = %s",
                (schema, INDEX),
            ).fetchone()
        assert definition.endswith("USING btree (tenant, actor, at, id)"), definition
    finally:
        postgres_server.drop_schema(schema)
