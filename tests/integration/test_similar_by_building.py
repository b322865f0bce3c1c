"""HDL-5 at intake reads the open complaints of the building, not of the site
(review s48C F01).

With ``[concentration] scope = "building"`` a complaint joins at most its
building's group, so the stores' ``open_similar(building=...)`` (asked twice per
``receive``) must cost the open rows of that building in the reach.  It read every
open row of the site and category in the reach instead and filtered the building
after (a site of 20,000 open repairs: 6 ms a query, for a building of none).  The
building is now in the key of a partial index of its own (SQLite schema 19,
PostgreSQL schema 17); groups scoped by site keep ``projection_similar``.

The witnesses are the stores' own counts, never wall time: SQLite's plan and the
virtual-machine steps of the query, PostgreSQL's plan and the projection rows
``EXPLAIN ANALYZE`` says it examined.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import psycopg
import pytest

from complaintcore.adapters import sqlite_store
from complaintcore.adapters.postgres_store import SCHEMA_VERSION as PG_SCHEMA_VERSION
from complaintcore.adapters.postgres_store import PostgresStore
from complaintcore.adapters.sqlite_store import SCHEMA_VERSION, SqliteStore
from complaintcore.desk.ports import ComplaintStore, SimilarQuery
from complaintcore.testing import make_desk
from tests.integration.test_building_spellings import MONDAY, _three
from tests.integration.test_building_spellings import _lift as lift
from tests.integration.test_postgres_indexes import _cost
from tests.integration.test_store_contract import T0, registered, row_of
from tests.postgres_server import PgDatabase

SINCE, UNTIL = T0 - timedelta(hours=72), T0 + timedelta(hours=72)
INDEX = "projection_similar_building"
COLUMNS = "(tenant, site, category, building, received_at, id) WHERE (status <> 'closed'::text)"


def _fill(store: ComplaintStore, start: int, n: int, building: str = "") -> None:
    """``n`` open repairs of sunrise received in the reach, each in a building of its
    own (``B<i>``) unless ``building`` is given."""
    for i in range(start, start + n):
        c = registered(f"C-{i:05d}", received=T0 - timedelta(minutes=i % 600))
        row = attrs.evolve(row_of(c), category="repairs", building=building or f"B{i}")
        store.create(c, row, [])


def _similar(store: ComplaintStore, building: str | None) -> list[str]:
    found = store.open_similar(
        site="sunrise", category="repairs", since=SINCE, until=UNTIL, building=building
    )
    return [m.id for m in found]


def _many(store: Any, buildings: list[str | None]) -> list[list[str]]:
    queries = [
        SimilarQuery(site="sunrise", category="repairs", since=SINCE, until=UNTIL, building=b)
        for b in buildings
    ]
    return [[m.id for m in found] for found in store.open_similar_many(queries)]


# --------------------------------------------------------------------------- SQLite


def _plan(path: Path, sql: str, args: list[Any]) -> str:
    conn = sqlite3.connect(path)
    try:
        return "\n".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", args))
    finally:
        conn.close()


def _steps(store: SqliteStore, run: Any) -> tuple[int, Any]:
    """What ``run()`` gives, and the virtual-machine steps SQLite took for it."""
    conn = store._conn()
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    conn.set_progress_handler(count, 1)
    try:
        got = run()
    finally:
        conn.set_progress_handler(None, 1)
    return steps[0], got


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "desk.sqlite3") as store:
        yield store


def test_sqlite_reads_a_buildings_open_rows_from_its_index(sqlite: SqliteStore) -> None:
    lo, hi = SINCE.isoformat(), UNTIL.isoformat()
    sql, args = sqlite_store._similar_query("default", "sunrise", "repairs", lo, hi, "B1", None)
    found = _plan(sqlite.path, sql, args)
    assert f"USING INDEX {INDEX} (tenant=? AND site=? AND category=? AND building=?" in found
    assert "TEMP B-TREE" not in found
    # a group scoped by site keeps the index without the building
    sql, args = sqlite_store._similar_query("default", "sunrise", "repairs", lo, hi, None, 50)
    found = _plan(sqlite.path, sql, args)
    assert "USING INDEX projection_similar (tenant=? AND site=? AND category=?" in found


def test_sqlite_batch_reads_a_buildings_open_rows_from_its_index(sqlite: SqliteStore) -> None:
    sql = sqlite_store._SIMILAR_BATCH.format(
        values="(?,?,?,?,?,?,?)",
        index=sqlite_store._SIMILAR_INDEX[True],
        building=" AND p.building = req.building",
    )
    args = [0, "sunrise", "repairs", SINCE.isoformat(), UNTIL.isoformat(), "B1", -1, "default"]
    found = _plan(sqlite.path, sql, args)
    assert f"INDEX {INDEX} (tenant=? AND site=? AND category=? AND building=?" in found


def test_sqlite_cost_of_a_building_follows_its_own_open_rows(sqlite: SqliteStore) -> None:
    """Three open complaints in building 7 and 200, then 2,200, open ones of the
    site's other buildings: the same answer at the same cost, alone and in a batch."""
    _fill(sqlite, 90000, 3, building="7")
    costs = []
    for start, n in ((0, 200), (200, 2000)):
        _fill(sqlite, start, n)
        alone, found = _steps(sqlite, lambda: _similar(sqlite, "7"))
        batch, many = _steps(sqlite, lambda: _many(sqlite, ["7", "8"]))
        assert found == ["C-90002", "C-90001", "C-90000"]  # oldest first
        assert many == [found, []]
        costs.append((alone, batch))
    assert costs[0] == costs[1], costs
    # and the site's group still finds every open row of the category
    assert len(_similar(sqlite, None)) == 2203
    assert _many(sqlite, [None, "7"]) == [_similar(sqlite, None), found]


@pytest.mark.procedure("HDL-5")
def test_a_schema_18_sqlite_desk_gets_the_index_and_groups_by_building(tmp_path: Path) -> None:
    """A desk stored by the previous release (schema 18) with two neighbours' lift
    complaints open: the upgrade builds the index, the third neighbour's complaint
    joins them in one concentrated issue (HDL-5), and the desk verifies."""
    path = tmp_path / "desk.sqlite3"
    with make_desk(store=SqliteStore(path)) as desk:
        first = _three(desk, ("3号楼", "3号楼"))
    with sqlite3.connect(path) as conn:  # as schema 18 left it
        conn.execute(f"DROP INDEX {INDEX}")
        conn.execute("PRAGMA user_version = 18")
    with make_desk(store=SqliteStore(path)) as desk:
        assert desk.store.schema_version == SCHEMA_VERSION == 19  # type: ignore[attr-defined]
        third = desk.receive(lift(3, "3号楼"), now=MONDAY + timedelta(minutes=3))
        assert third.state.issue == f"I-{first[0]}"
        assert {desk.get(c).state.issue for c in first} == {third.state.issue}
        assert desk.verify(MONDAY + timedelta(hours=1)).ok
    with sqlite3.connect(path) as conn:
        (sql,) = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (INDEX,)
        ).fetchone()
    assert "(tenant, site, category, building, received_at, id) WHERE status <> 'closed'" in sql


# --------------------------------------------------------------------------- PostgreSQL


@pytest.fixture
def pg(postgres_server: PgDatabase, schema: str) -> Iterator[PostgresStore]:
    with PostgresStore(postgres_server.dsn, schema=schema) as store:
        yield store


def _analyze(store: PostgresStore, dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"ANALYZE {store.schema}.projection")


def test_postgres_cost_of_a_building_follows_its_own_open_rows(
    postgres_server: PgDatabase, pg: PostgresStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    dsn = postgres_server.dsn
    _fill(pg, 90000, 3, building="7")
    costs = []
    for start, n in ((0, 300), (300, 2000)):
        _fill(pg, start, n)
        _analyze(pg, dsn)
        alone, found = _cost(dsn, lambda: _similar(pg, "7"), monkeypatch)
        batch, many = _cost(dsn, lambda: _many(pg, ["7", "8"]), monkeypatch)
        assert found == ["C-90002", "C-90001", "C-90000"]
        assert many == [found, []]
        costs.append((alone, batch))
    assert costs[0] == costs[1], costs
    # the three of building 7, nothing else (the batch's lateral part runs once per
    # query: EXPLAIN gives its rows per run rounded, 2 x 2 for 3 and 0)
    assert costs[1] in {(3, 3), (3, 4)}, costs
    assert len(_similar(pg, None)) == 2303
    assert _many(pg, [None, "7"]) == [_similar(pg, None), found]


def test_a_postgresql_schema_of_version_16_gets_the_index(postgres_server: PgDatabase) -> None:
    """The owner's upgrade to version 17 builds the index; groups by building form as
    before on the rows stored before it (HDL-5)."""
    schema = postgres_server.new_schema()
    dsn = postgres_server.dsn
    try:
        with make_desk(store=PostgresStore(dsn, schema=schema)) as desk:
            first = _three(desk, ("3号楼", "3号楼"))
        with psycopg.connect(dsn, autocommit=True) as conn:  # as version 16 left it
            conn.execute(f"DROP INDEX {schema}.{INDEX}")
            conn.execute(f"DELETE FROM {schema}.schema_migrations WHERE version >= 17")
        with make_desk(store=PostgresStore(dsn, schema=schema)) as desk:
            assert desk.store.schema_version == PG_SCHEMA_VERSION == 18  # type: ignore[attr-defined]
            third = desk.receive(lift(3, "3号楼"), now=MONDAY + timedelta(minutes=3))
            assert third.state.issue == f"I-{first[0]}"
            assert desk.verify(MONDAY + timedelta(hours=1)).ok
        with psycopg.connect(dsn, autocommit=True) as conn:
            (definition,) = conn.execute(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND indexname = %s",
                (schema, INDEX),
            ).fetchone()
        assert definition.endswith(f"USING btree {COLUMNS}"), definition
    finally:
        postgres_server.drop_schema(schema)
