"""``list --overdue`` and ``rows(overdue_at=)``: every complaint with a clock breached
and still open (DL-7), also once the sweep has escalated it and moved its next
sweep time on (review s34D F01), read from an index on every store.

The scenario is the review's: a leak received Monday 2026-09-14 09:00 at the
sunrise estate (cn-property); its reply (DL-1) and the department's result (DL-3)
fall due Thursday 18:00; nothing is done; Friday 09:00 the sweep escalates it to
the project manager and its next sweep time becomes the DL-6 warning weeks away.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from complaintcore.adapters.postgres_store import PostgresStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.cli import main
from complaintcore.core.models import Complainant, Intake
from complaintcore.desk import Desk
from complaintcore.desk.projection import breach_due
from complaintcore.testing import make_desk
from tests.helpers import SH, desk_on
from tests.postgres_server import PgDatabase

MONDAY = datetime(2026, 9, 14, 9, 0, tzinfo=SH)
DUE = datetime(2026, 9, 17, 18, 0, tzinfo=SH)  # reply and department result
FRIDAY = datetime(2026, 9, 18, 9, 0, tzinfo=SH)
OLD_STORE = Path(__file__).resolve().parents[1] / "data" / "desk-0.1.0-store.sqlite3.gz"


def _leak(at: datetime = MONDAY, room: str = "3-2-1201") -> Intake:
    return Intake(
        complainant=Complainant("张伟", "13912345678", room, "3", "sunrise"),
        channel="phone",
        received_at=at,
        receiver="SR-103",
        summary="卫生间天花板漏水",
        site="sunrise",
    )


def _breached(desk: Desk, cid: str, now: datetime) -> bool:
    return any(s.is_breached for s in desk.clocks(cid, now))


# --------------------------------------------------------------------------- the API


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desk]:
    with desk_on(request.param, request, tmp_path) as on:
        yield on


@pytest.mark.procedure("DL-7")
def test_an_escalated_breach_stays_overdue_on_every_store(desk: Desk) -> None:
    leak = desk.receive(_leak(), now=MONDAY)
    calm = desk.receive(_leak(FRIDAY - timedelta(minutes=5), "3-2-902"), now=FRIDAY)
    # no sweep yet: the breach shows by time alone, the complaint just in does not
    assert [r.id for r in desk.rows(overdue_at=FRIDAY)] == [leak.id]
    assert desk.rows(overdue_at=DUE) == []  # at the due instant: not yet breached
    report = desk.sweep(FRIDAY)
    assert {cid for cid, _ in report.escalated} == {leak.id}
    later = FRIDAY + timedelta(minutes=5)
    (row,) = desk.rows(overdue_at=later)
    assert row.id == leak.id
    assert row.next_due is not None
    assert row.next_due > later + timedelta(days=7)  # the sweep moved it on ...
    assert row.breach_due == DUE  # ... not the breach
    assert _breached(desk, leak.id, later)
    assert not _breached(desk, calm.id, later)
    # the one just in is overdue once its own deadlines pass, with no write between
    tuesday = datetime(2026, 9, 22, 18, 1, tzinfo=SH)
    assert [r.id for r in desk.rows(overdue_at=tuesday)] == [leak.id, calm.id]
    assert _breached(desk, calm.id, tuesday)


@pytest.mark.procedure("DL-7")
def test_the_row_keeps_the_earliest_due_time_of_its_open_clocks(desk: Desk) -> None:
    leak = desk.receive(_leak(), now=MONDAY)
    for now, swept in ((MONDAY, False), (FRIDAY, True)):  # written at intake, then by a sweep
        if swept:
            assert desk.sweep(now).escalated
        (row,) = desk.rows()
        clocks = desk.clocks(leak.id, now)
        open_dues = [s.due for s in clocks if s.is_open and s.due is not None]
        assert row.breach_due == min(open_dues) == breach_due(clocks, now) == DUE


# --------------------------------------------------------------------------- the CLI


def _run(*args: str, now: str, lang: str = "en") -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--lang", lang, "--now", now, *args])
    return result.exit_code, result.stdout, result.stderr


def _receive(room: str = "3-2-1201", now: str = "2026-09-14T09:00") -> str:
    code, out, err = _run(
        "receive",
        "--name",
        "张伟",
        "--phone",
        "13912345678",
        "--room",
        room,
        "--site",
        "sunrise",
        "--summary",
        "卫生间天花板漏水",
        "--receiver",
        "SR-103",
        "--json",
        now=now,
    )
    assert code == 0, err
    return str(json.loads(out)["id"])


def _the_review_scenario() -> None:
    cid = _receive()
    code, out, _ = _run("list", "--overdue", "--json", now="2026-09-18T09:00")
    assert (code, [r["id"] for r in json.loads(out)]) == (0, [cid])
    code, out, err = _run("sweep", "--json", now="2026-09-18T09:00")
    assert code == 0, err
    assert {e[0] for e in json.loads(out)["escalated"]} == {cid}
    code, out, _ = _run("list", "--overdue", "--json", now="2026-09-18T09:05")
    (row,) = json.loads(out)
    assert (code, row["id"], row["rung"]) == (0, cid, "project_manager")
    assert row["breach_due"] == "2026-09-17T18:00:00+08:00"
    code, out, _ = _run("list", "--overdue", now="2026-09-18T09:05", lang="zh")
    assert code == 0
    assert cid in out
    assert "没有符合条件的投诉" not in out
    code, out, _ = _run("show", cid, "--json", now="2026-09-18T09:05")
    assert {c["name"] for c in json.loads(out)["clocks"] if c["state"] == "breached"} == {
        "department_result",
        "reply",
    }


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("COMPLAINTCORE_NOW", "COMPLAINTCORE_LANG", "COMPLAINTCORE_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.mark.procedure("DL-7")
def test_list_overdue_after_the_sweep_on_sqlite(in_tmp: Path) -> None:
    assert _run("init", ".", now="2026-09-14T08:00")[0] == 0
    _the_review_scenario()


@pytest.mark.procedure("DL-7")
def test_list_overdue_after_the_sweep_on_postgresql(
    in_tmp: Path, postgres_server: PgDatabase
) -> None:
    schema = postgres_server.new_schema()
    try:
        url = f"{postgres_server.dsn}?schema={schema}"
        code, _, err = _run("init", ".", "--database", url, now="2026-09-14T08:00")
        assert code == 0, err
        _the_review_scenario()
    finally:
        postgres_server.drop_schema(schema)


def test_list_overdue_reads_past_rows_with_no_breach_to_fill_its_limit(in_tmp: Path) -> None:
    """Rows the schema upgrade gave their time received (until the first sweep) are
    checked against their clocks: those without a breach do not take the places of
    those with one, however many come first."""
    assert _run("init", ".", now="2026-09-14T08:00")[0] == 0
    late = _receive()
    fresh = [_receive(f"3-2-{1100 + i}", now="2026-09-18T08:55") for i in range(3)]
    conn = sqlite3.connect(in_tmp / "complaints.sqlite3")
    try:  # stale, and earlier than the late one's breach: they come first
        conn.executemany(
            "UPDATE projection SET breach_due = ? WHERE id = ?",
            [(f"2026-09-14T00:0{n}:00.000000+00:00", cid) for n, cid in enumerate(fresh)],
        )
        conn.commit()
    finally:
        conn.close()
    code, out, _ = _run("list", "--overdue", "--limit", "1", "--json", now="2026-09-18T09:00")
    assert (code, [r["id"] for r in json.loads(out)]) == (0, [late])
    code, out, _ = _run("list", "--overdue", "--json", now="2026-09-18T09:00")
    assert (code, [r["id"] for r in json.loads(out)]) == (0, [late])


# --------------------------------------------------------------------------- indexes


def test_a_page_of_overdue_rows_is_read_in_its_index_order(tmp_path: Path) -> None:
    """Issue 10: the page costs the same on any size of desk."""
    from complaintcore.adapters import sqlite_store
    from complaintcore.desk.ports import RowQuery

    with SqliteStore(tmp_path / "d.sqlite3") as store:
        for filters in ({}, {"status": "in_handling"}, {"site": "sunrise"}):
            query = RowQuery.of(overdue_at=FRIDAY, limit=200, **filters)  # type: ignore[arg-type]
            sql, args = sqlite_store._rows_query(store.tenant, query)
            conn = sqlite3.connect(store.path)
            try:
                plan = "\n".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", args))
            finally:
                conn.close()
            assert "INDEX projection_overdue (tenant=? AND breach_due>? AND breach_due<?)" in plan
            assert "TEMP B-TREE" not in plan


def test_postgresql_reads_a_page_of_overdue_rows_from_its_index(
    postgres_server: PgDatabase,
) -> None:
    from complaintcore.adapters import postgres_store
    from complaintcore.desk.ports import RowQuery

    schema = postgres_server.new_schema()
    try:
        with PostgresStore(postgres_server.dsn, schema=schema) as store:
            sql, args = postgres_store._rows_query(
                schema, store.tenant, RowQuery.of(overdue_at=FRIDAY, limit=200)
            )
        with psycopg.connect(postgres_server.dsn, autocommit=True) as conn, conn.transaction():
            conn.execute("SET LOCAL enable_seqscan = off")
            plan = "\n".join(r[0] for r in conn.execute(f"EXPLAIN {sql}", args))
        assert "projection_overdue" in plan
        assert "Sort" not in plan
    finally:
        postgres_server.drop_schema(schema)


# --------------------------------------------------------------------------- upgrades


@pytest.mark.procedure("DL-7")
def test_a_0_1_0_desk_lists_its_breaches_before_and_after_the_first_sweep(
    tmp_path: Path,
) -> None:
    """Schema 15: open rows get their time received (the store replays no clocks),
    the listing checks them, and the first sweep (or reproject) gives them their own;
    after it verify and a second reproject find nothing to change."""
    path = tmp_path / "desk-0.1.0.sqlite3"
    with gzip.open(OLD_STORE, "rb") as packed, path.open("wb") as out:
        shutil.copyfileobj(packed, out)
    with make_desk(store=SqliteStore(path)) as desk:
        rows = desk.rows()
        assert rows
        for row in rows:
            expected = row.received_at if row.status != "closed" else None
            assert row.breach_due == expected
        now = max(r.received_at for r in rows) + timedelta(days=40)
        truly = {r.id for r in rows if _breached(desk, r.id, now)}
        assert truly  # the fixture has breaches to list
        assert desk.verify(now).ok, desk.verify(now).problems  # earlier is no problem
        rewritten = desk.reproject(now)
        assert set(rewritten) == {r.id for r in rows if r.status != "closed"}
        assert desk.reproject(now) == []
        assert desk.verify(now).ok
        listed = {r.id for r in desk.rows(overdue_at=now)}
        assert listed == truly
        for row in desk.rows():
            assert row.breach_due == breach_due(desk.clocks(row.id, now), now) or (
                row.status == "closed" and row.breach_due is None
            )


def test_postgresql_schema_13_gives_every_tenants_open_rows_their_time_received(
    postgres_server: PgDatabase,
) -> None:
    from complaintcore.adapters.postgres_store import SCHEMA_VERSION

    schema = postgres_server.new_schema()
    dsn = postgres_server.dsn
    try:
        for tenant in ("acme", "zenith"):
            store = PostgresStore(dsn, schema=schema, tenant=tenant, create_tenant=True)
            with make_desk(store=store) as desk:
                desk.receive(_leak(), now=MONDAY)
                desk.receive(_leak(MONDAY, "3-2-902"), now=MONDAY)
        with psycopg.connect(dsn, autocommit=True) as conn:  # as schema 12 left it
            conn.execute(f"ALTER TABLE {schema}.projection DROP COLUMN breach_due")
            conn.execute(  # one of each tenant's closed (the superuser sees every tenant)
                f"UPDATE {schema}.projection SET status = 'closed'"
                f" WHERE id IN (SELECT max(id) FROM {schema}.projection GROUP BY tenant)"
            )
            conn.execute(f"DELETE FROM {schema}.schema_migrations WHERE version >= 13")
        for tenant in ("acme", "zenith"):
            with PostgresStore(dsn, schema=schema, tenant=tenant) as store:
                assert store.schema_version == SCHEMA_VERSION
                got: dict[str, Any] = {r.status: r.breach_due for r in store.rows()}
                assert got == {"closed": None, "in_handling": MONDAY}
                assert [r.status for r in store.rows(overdue_at=FRIDAY)] == ["in_handling"]
                assert store.rows(overdue_at=MONDAY) == []  # not before it
        with psycopg.connect(dsn, autocommit=True) as conn:
            forced = conn.execute(
                "SELECT relforcerowsecurity FROM pg_class c JOIN pg_namespace n"
                " ON n.oid = c.relnamespace WHERE n.nspname = %s AND relname = 'projection'",
                (schema,),
            ).fetchone()
        assert forced == (True,)  # the policies hold again
    finally:
        postgres_server.drop_schema(schema)


@pytest.mark.procedure("DL-7")
def test_reproject_after_a_0_1_0_upgrade_leaves_no_row_due_at_its_receipt(in_tmp: Path) -> None:
    """Review s34A F04: the upgrade makes open rows due at their time received (next
    sweep and breach); ``verify --reproject`` rewrites them all, so right after it
    ``list --overdue`` gives each listed complaint its clocks' breach, not its
    receipt, and lists what it lists once a sweep has run."""
    assert _run("init", ".", now="2025-11-10T08:00")[0] == 0
    with gzip.open(OLD_STORE, "rb") as packed, (in_tmp / "complaints.sqlite3").open("wb") as out:
        shutil.copyfileobj(packed, out)
    now = "2025-11-24T09:05"
    code, out, err = _run("verify", "--reproject", now=now)
    assert code == 0, err
    assert "projection rows rewritten: 4" in out
    code, out, _ = _run("list", "--json", now=now)
    open_rows = [r for r in json.loads(out) if r["status"] != "closed"]
    assert len(open_rows) == 4
    assert all(r["next_due"] != r["received_at"] for r in open_rows)
    assert all(r["breach_due"] != r["received_at"] for r in open_rows)
    code, out, _ = _run("list", "--overdue", "--json", now=now)
    listed = {r["id"]: r["breach_due"] for r in json.loads(out)}
    assert code == 0
    assert len(listed) == 4
    for cid, due in listed.items():
        code, out, _ = _run("show", cid, "--json", now=now)
        breached = [c["due"] for c in json.loads(out)["clocks"] if c["state"] == "breached"]
        assert due == min(breached)
    assert _run("sweep", now=now)[0] == 0
    code, out, _ = _run("list", "--overdue", "--json", now="2025-11-24T09:10")
    assert {r["id"]: r["breach_due"] for r in json.loads(out)} == listed


@pytest.mark.procedure("DL-7")
def test_list_overdue_right_after_a_0_1_0_upgrade_orders_by_the_clocks(in_tmp: Path) -> None:
    """Review s36A F03: before a sweep or ``verify --reproject`` rewrites the rows the
    upgrade left with their time received, ``list --overdue`` ordered and cut by that
    time and showed it as the breach; it lists as it does once the rows are
    rewritten: longest overdue by the clocks first, their breach time shown."""
    assert _run("init", ".", now="2025-11-10T08:00")[0] == 0
    with gzip.open(OLD_STORE, "rb") as packed, (in_tmp / "complaints.sqlite3").open("wb") as out:
        shutil.copyfileobj(packed, out)
    now = "2025-11-24T09:05"

    def overdue(*more: str) -> list[tuple[str, str]]:
        code, out, err = _run("list", "--overdue", "--json", *more, now=now)
        assert code == 0, err
        return [(r["id"], r["breach_due"]) for r in json.loads(out)]

    before = overdue()
    first = overdue("--limit", "1")
    assert _run("verify", "--reproject", now=now)[0] == 0
    after = overdue()
    assert len(after) == 4
    assert before == after
    assert first == after[:1]
