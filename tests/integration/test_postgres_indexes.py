"""PostgreSQL's schema 7 (review s27M): a handler's or a site's listing and the
staff report of a month read the rows they answer with, not the history.

Costs are the projection rows the server examines for the store's own
statements (``EXPLAIN (ANALYZE, FORMAT JSON)``), compared at two sizes of old,
untouched history; no wall time is asserted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest

from complaintcore.adapters.postgres_store import SCHEMA_VERSION, PostgresStore
from complaintcore.core.models import Complainant, Intake
from complaintcore.desk import Desk
from complaintcore.testing import make_desk
from tests.integration.test_store_contract import registered, row_of
from tests.postgres_server import PgDatabase

SH = ZoneInfo("Asia/Shanghai")
NOV = datetime(2025, 11, 10, 9, 30, tzinfo=SH)
V7_INDEXES = {  # docs/storage.md, PostgreSQL version 7
    "projection_by_handler": "(tenant, handler, received_at, id)",
    "projection_by_site": "(tenant, site, received_at, id)",
    "projection_updated": "(tenant, updated_at, received_at, id)",
    "projection_unstamped": "(tenant, received_at, id) WHERE (updated_at IS NULL)",
}


def _indexes(dsn: str, schema: str) -> dict[str, str]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        found = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s", (schema,)
        ).fetchall()
    return {str(name): str(definition) for name, definition in found}


def test_a_desk_of_schema_6_migrates_to_7_and_has_its_indexes(
    postgres_server: PgDatabase, schema: str
) -> None:
    dsn = postgres_server.dsn
    with PostgresStore(dsn, schema=schema) as store:
        c = registered("C-1")
        store.create(c, row_of(c), [])
    with psycopg.connect(dsn, autocommit=True) as conn:  # as the release before left it
        for name in V7_INDEXES:
            conn.execute(f"DROP INDEX {schema}.{name}")
        conn.execute(f"DELETE FROM {schema}.schema_migrations WHERE version >= 7")
    assert not set(V7_INDEXES) & set(_indexes(dsn, schema))
    with PostgresStore(dsn, schema=schema) as store:
        assert store.schema_version == SCHEMA_VERSION  # 7, and the versions after it
        assert [r.id for r in store.rows(handler=row_of(c).handler)] == ["C-1"]
        assert store.verify().ok
    found = _indexes(dsn, schema)
    for name, columns in V7_INDEXES.items():
        assert found[name].endswith(f"USING btree {columns}"), found[name]
    with psycopg.connect(dsn, autocommit=True) as conn:
        applied = conn.execute(f"SELECT max(version) FROM {schema}.schema_migrations").fetchone()
    assert applied == (SCHEMA_VERSION,)


def test_a_desk_of_schema_11_migrates_to_12_and_claims_ties_by_time_received(
    postgres_server: PgDatabase, schema: str
) -> None:
    """Review s33D F05: version 12 rebuilds the due index in SQLite's order (equal due
    times by time received, then id), and rows stored before it are claimed so."""
    dsn = postgres_server.dsn
    due = NOV + timedelta(days=3)
    with PostgresStore(dsn, schema=schema) as store:
        for cid, received in (("C-1", NOV), ("C-2", NOV - timedelta(minutes=1))):
            c = registered(cid, received=received)
            store.create(c, row_of(c, next_due=due), [])
    old = "(tenant, next_due, id) WHERE (next_due IS NOT NULL)"
    with psycopg.connect(dsn, autocommit=True) as conn:  # as the release before left it
        conn.execute(f"DROP INDEX {schema}.projection_due")
        conn.execute(f"CREATE INDEX projection_due ON {schema}.projection {old}")
        conn.execute(f"DELETE FROM {schema}.schema_migrations WHERE version >= 12")
    assert _indexes(dsn, schema)["projection_due"].endswith(f"USING btree {old}")
    with PostgresStore(dsn, schema=schema) as store:
        assert store.schema_version == SCHEMA_VERSION  # 12, and the versions after it
        assert [r.id for r in store.claim_due(due, 1)] == ["C-2"]  # received first
        assert store.verify().ok
    assert _indexes(dsn, schema)["projection_due"].endswith(
        "USING btree (tenant, next_due, received_at, id) WHERE (next_due IS NOT NULL)"
    )


# --------------------------------------------------------------------------- costs


def _intake(i: int, at: datetime, site: str) -> Intake:
    return Intake(
        # rooms and buildings apart, so intake links few earlier complaints (IMP-3)
        complainant=Complainant(
            "王小明", f"139{i:08d}", f"{i % 30 + 1}-1-{i % 20 + 1:02d}01", f"{i % 97 + 1}", site
        ),
        channel="phone",
        received_at=at,
        receiver="SR-103" if site == "sunrise" else "RS-103",
        summary="楼道灯不亮",
        site=site,
    )


def _add_history(desk: Desk, start: int, n: int, dsn: str) -> None:
    """``n`` sunrise complaints received and last touched in 2024, 100 a day
    (a table of a few hundred rows is read whole by any plan: the sizes start above)."""
    for k in range(start, start + n, 100):
        day = datetime(2024, 1, 8, 9, tzinfo=SH) + timedelta(days=k // 100 * 3)
        batch = [_intake(k + i, day + timedelta(minutes=i), "sunrise") for i in range(100)]
        list(desk.receive_many(batch, now=day + timedelta(hours=3)))
    store = desk.store
    assert isinstance(store, PostgresStore)
    with psycopg.connect(dsn, autocommit=True) as conn:
        # as autovacuum does within a minute of a bulk load: without statistics the
        # planner costs an un-analyzed table's indexes alike and may walk the period
        conn.execute(f"ANALYZE {store.schema}.projection")


def _examined(plan: dict[str, Any], table: str = "projection") -> int:
    """Rows of ``table`` a plan node and those under it read (kept or filtered out)."""
    n = 0
    if plan.get("Relation Name") == table:
        kept = plan["Actual Rows"] + plan.get("Rows Removed by Filter", 0)
        n += (kept + plan.get("Rows Removed by Index Recheck", 0)) * plan["Actual Loops"]
    return n + sum(_examined(p, table) for p in plan.get("Plans", []))


def _cost(
    dsn: str,
    run: Any,
    monkeypatch: pytest.MonkeyPatch,
    *,
    table: str = "projection",
    seqscan: bool = True,
) -> tuple[int, Any]:
    """What ``run()`` gives, and the rows of ``table`` its reads of it examine; without
    ``seqscan``, as planned when the table may not be read whole (at a test's sizes a
    sequential scan can win where a desk's history would make it the slowest)."""
    captured: list[tuple[str, Any]] = []
    real = psycopg.Cursor.execute  # Connection.execute runs through it too

    def spy(self: psycopg.Cursor[Any], query: Any, params: Any = None, **kw: Any) -> Any:
        text = str(query)
        if f".{table}" in text and text.lstrip().upper().startswith("SELECT"):
            captured.append((text, params))
        return real(self, query, params, **kw)

    with monkeypatch.context() as m:
        m.setattr(psycopg.Cursor, "execute", spy)
        got = run()
    assert captured
    total = 0
    with psycopg.connect(dsn, autocommit=True) as conn, conn.transaction():
        if not seqscan:
            conn.execute("SET LOCAL enable_seqscan = off")
        for sql, params in captured:
            [(plan,)] = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params).fetchall()
            doc = json.loads(plan) if isinstance(plan, str) else plan
            total += _examined(doc[0]["Plan"], table)
    return total, got


@pytest.fixture
def quiet_month(postgres_server: PgDatabase, schema: str) -> Iterator[tuple[Desk, list[str]]]:
    """Ten riverside complaints received in 2025-11 (handled by RS-201); no history yet."""
    with make_desk(store=PostgresStore(postgres_server.dsn, schema=schema)) as desk:
        news = [_intake(900000 + i, NOV + timedelta(minutes=i), "riverside") for i in range(10)]
        ids = [c.id for c in desk.receive_many(news, now=NOV + timedelta(hours=1))]
        yield desk, ids


@pytest.mark.procedure("PEN-1")
def test_the_staff_report_of_a_quiet_month_reads_what_happened_in_it(
    postgres_server: PgDatabase,
    quiet_month: tuple[Desk, list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """docs/statistics.md: the staff report reads only the complaints received before
    the month ends whose latest event is in the month or later, on PostgreSQL too."""
    desk, ids = quiet_month
    store = desk.store
    assert isinstance(store, PostgresStore)
    now = datetime(2025, 11, 28, 12, tzinfo=SH)
    start, end = datetime(2025, 11, 1, tzinfo=SH), datetime(2025, 12, 1, tzinfo=SH)
    early = datetime(2000, 1, 1, tzinfo=SH)

    def report() -> Any:
        touched = [c.id for c in store.complaints_received(early, end, updated_since=start)]
        return touched, desk.staff_report(2025, 11, now=now)

    costs, reports = [], []
    for start_at, n in ((0, 500), (500, 2000)):
        _add_history(desk, start_at, n, postgres_server.dsn)
        cost, (touched, table) = _cost(postgres_server.dsn, report, monkeypatch)
        assert touched == ids  # the ten of November, oldest first; none of 2024
        costs.append(cost)
        reports.append(table)
    assert reports[0] == reports[1]
    assert costs[0] == costs[1], costs  # 500 or 2,500 complaints of 2024: the same reads
    assert costs[1] < 200, costs


def test_a_handlers_listing_reads_the_handlers_rows(
    postgres_server: PgDatabase,
    quiet_month: tuple[Desk, list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk, ids = quiet_month
    store = desk.store
    assert isinstance(store, PostgresStore)
    [handler] = {r.handler for r in store.rows()}
    costs = []
    for start_at, n in ((0, 500), (500, 2000)):
        _add_history(desk, start_at, n, postgres_server.dsn)  # handled at sunrise
        for query in ({"handler": handler}, {"site": "riverside"}):
            cost, rows = _cost(
                postgres_server.dsn, lambda q=query: store.rows(**q, limit=50), monkeypatch
            )
            assert [r.id for r in rows] == ids
            costs.append(cost)
    assert costs[:2] == costs[2:], costs  # 500 or 2,500 of another handler and site
    assert max(costs) <= 10, costs
