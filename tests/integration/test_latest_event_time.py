"""Each projection row keeps the time of its complaint's latest event (issue 10):
statistics can then be read from rows whenever nothing happened after the
moment they describe.  Rows stored before it was kept get theirs when the
store is migrated, on SQLite and on PostgreSQL, for every tenant."""

from __future__ import annotations

import gzip
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.workflow import Reply
from complaintcore.testing import make_desk
from tests.helpers import intake

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 11, 14, 10, tzinfo=SH)
FIXTURE = Path(__file__).resolve().parents[1] / "data" / "desk-0.1.0-store.sqlite3.gz"


def test_the_desk_writes_the_latest_event_time_with_every_row(tmp_path: Path) -> None:
    desk = make_desk(store=SqliteStore(tmp_path / "desk.sqlite3"))
    c = desk.receive(intake(received_at=NOW - timedelta(hours=1), receiver="SR-103"), now=NOW)
    (row,) = desk.rows()
    assert row.updated_at == NOW
    later = NOW + timedelta(hours=2)
    desk.act(c.id, Reply(actor=c.state.handler, message="在处理"), now=later)
    (row,) = desk.rows()
    assert row.updated_at == later
    assert row.updated_at.utcoffset() == timedelta(0)


def test_a_0_1_0_file_gets_each_rows_latest_event_time(tmp_path: Path) -> None:
    path = tmp_path / "desk-0.1.0.sqlite3"
    with gzip.open(FIXTURE, "rb") as packed, path.open("wb") as out:
        shutil.copyfileobj(packed, out)
    with SqliteStore(path) as store:
        rows = store.rows()
        assert rows
        for row in rows:
            events = store.load(row.id).events
            assert row.updated_at == max(e.at for e in events).astimezone(UTC)


def test_postgres_rows_of_every_tenant_get_theirs_when_migrated(
    postgres_server: object, schema: str
) -> None:
    import psycopg

    from complaintcore.adapters.postgres_store import PostgresStore, migrate

    dsn = postgres_server.dsn  # type: ignore[attr-defined]
    times = {"acme": "2025-11-14T09:30:00+08:00", "zenith": "2025-11-15T18:00:00+00:00"}
    with psycopg.connect(dsn, autocommit=True) as conn:
        migrate(conn, schema, target=2)
        for tenant, at in times.items():
            conn.execute(f"INSERT INTO {schema}.tenants VALUES (%s)", (tenant,))
            conn.execute(
                f"INSERT INTO {schema}.complaints VALUES (%s, 'C-1', NULL, '{{}}', %s)",
                (tenant, at),
            )
            for seq, when in ((1, "2025-11-01T08:00:00+08:00"), (2, at)):
                conn.execute(
                    f"INSERT INTO {schema}.events VALUES"
                    " (%s, 'C-1', %s, 1, 'registered', %s, 'x', '{{}}', '', '')",
                    (tenant, seq, when),
                )
            conn.execute(
                f"INSERT INTO {schema}.projection (tenant, id, status, received_at, version)"
                " VALUES (%s, 'C-1', 'registered', %s, 2)",
                (tenant, at),
            )
        migrate(conn, schema)
        forced = conn.execute(
            "SELECT relname, relforcerowsecurity FROM pg_class c JOIN pg_namespace n"
            " ON n.oid = c.relnamespace WHERE n.nspname = %s"
            " AND relname IN ('projection', 'events')",
            (schema,),
        ).fetchall()
    assert dict(forced) == {"projection": True, "events": True}  # the policies hold again
    for tenant, at in times.items():
        with PostgresStore(dsn, schema=schema, tenant=tenant) as store:
            (row,) = store.rows()
            assert row.updated_at == datetime.fromisoformat(at)
