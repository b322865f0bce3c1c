"""One building typed three ways is one building (review s34D F02).

A Chinese IME types ``３号楼`` (a full-width digit), a clerk types ``3 号楼``; the
library matches rooms with NFKC, case and spaces ignored
(:func:`~complaintcore.core.repeats.room_key`), and now buildings too
(:func:`~complaintcore.core.concentration.building_key`): for concentrated issues
(HDL-5), the month's ``by_building`` (IMP-2) and the early warnings (IMP-4), on
every store, and on desks stored before (SQLite schema 16, PostgreSQL schema 14).
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import attrs
import psycopg
import pytest

import tests.integration.test_report_fast_path as fast_path
from complaintcore.adapters.postgres_store import PostgresStore
from complaintcore.adapters.sqlite_store import SCHEMA_VERSION, SqliteStore
from complaintcore.core.models import Complainant, Intake, Linked
from complaintcore.desk import Desk
from complaintcore.testing import make_desk
from tests.helpers import SH, desk_on
from tests.postgres_server import PgDatabase

MONDAY = datetime(2026, 9, 14, 9, 0, tzinfo=SH)
SPELLINGS = ("3号楼", "３号楼", "3 号楼")  # as typed, as an IME types it, with a space


def _lift(n: int, building: str) -> Intake:
    """Neighbour ``n`` of a building reports the lift fault (repairs), a minute apart."""
    return Intake(
        complainant=Complainant(f"业主{n}", f"1391234567{n}", f"3-2-120{n}", building, "sunrise"),
        channel="phone",
        received_at=MONDAY + timedelta(minutes=n),
        receiver="SR-103",
        summary="电梯经常停运",
        site="sunrise",
        idempotency_key=f"b{n}",
    )


def _three(desk: Desk, spellings: tuple[str, ...] = SPELLINGS) -> list[str]:
    """Received and found valid (VAL-4: the statistics count valid complaints)."""
    return [
        desk.receive(_lift(n, b), now=MONDAY + timedelta(minutes=n), validity="valid").id
        for n, b in enumerate(spellings, 1)
    ]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desk]:
    with desk_on(request.param, request, tmp_path) as on:
        yield on


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("IMP-2")
@pytest.mark.procedure("IMP-3")
def test_three_spellings_of_one_building_are_one_concentrated_issue(desk: Desk) -> None:
    """cn-property: three complainants of one building within 72 h are one issue
    (004 篇3), named after the first; the third repeats the same matter as the two
    before it (same building and category within 30 days); the month counts one
    building of three."""
    ids = _three(desk)
    issues = {cid: desk.get(cid).state.issue for cid in ids}
    assert issues == dict.fromkeys(ids, f"I-{ids[0]}")
    matter = [e.same_matter for e in desk.get(ids[2]).events if isinstance(e, Linked)]
    assert matter == [(ids[1], ids[0])]  # most recent first
    assert {r.building for r in desk.rows()} == {"3"}  # building 3 (review s49L F01)
    for cid in ids:  # the complaint itself keeps what was typed (REC-5)
        assert desk.get(cid).intake.complainant.building in SPELLINGS
    report = desk.monthly_report(2026, 9, now=MONDAY + timedelta(hours=1))
    by_building = [(c.key, c.zh, c.en, c.count) for c in report.by_building]
    # keyed as matched, shown as first typed
    assert by_building == [("sunrise/3", "sunrise/3号楼", "sunrise/3号楼", 3)]


@pytest.mark.procedure("IMP-2")
def test_a_building_is_shown_as_the_months_first_complaint_spelt_it(desk: Desk) -> None:
    """The first spelling of the month, by time received, whatever order it is read in."""
    _three(desk, ("Block A", "BLOCK Ａ", "block a"))
    report = desk.monthly_report(2026, 9, now=MONDAY + timedelta(hours=1))
    by_building = [(c.key, c.en, c.count) for c in report.by_building]
    assert by_building == [("sunrise/a", "sunrise/Block A", 3)]


def _spelt(intakes: Iterator[Intake]) -> Iterator[Intake]:
    """The fast-path test's complaints with each building typed one of three ways."""
    rng = random.Random(12)
    full = str.maketrans("0123456789", "０１２３４５６７８９")
    for intake in intakes:
        b = intake.complainant.building
        typed = rng.choice((f"{b}号楼", f"{b.translate(full)}号楼", f" {b} 号楼"))
        yield attrs.evolve(intake, complainant=attrs.evolve(intake.complainant, building=typed))


@pytest.mark.procedure("IMP-4")
def test_the_fast_report_equals_the_recount_with_buildings_spelt_three_ways(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """IMP-2, IMP-4: the statistics read from the rows' counts equal those recounted
    from the events when buildings are typed three ways, and building 9's rise
    (split three ways it would be three small series) is flagged as one."""
    intakes = fast_path._intakes
    monkeypatch.setattr(fast_path, "_intakes", lambda rng: _spelt(intakes(rng)))
    now = fast_path._fill(desk) + timedelta(hours=1)
    fast = {m: desk.monthly_report(2025, m, now=now) for m in range(1, 8)}
    for m, report in fast.items():
        assert report == fast_path._recount(desk, 2025, m, now), m
        keys = {c.key for c in report.by_building}
        assert keys <= {f"{s}/{b}" for s in ("sunrise", "riverside") for b in "12349"}, m
    warned = {w.key for r in fast.values() for w in r.warnings if w.dimension == "building"}
    assert "sunrise/9" in warned


# --------------------------------------------------------------------------- upgrades


def _as_typed(desk: Desk) -> dict[str, str]:
    """Each complaint's building as stores before the fix kept it (stripped, as typed)."""
    return {r.id: desk.get(r.id).intake.complainant.building.strip() for r in desk.rows()}


@pytest.mark.procedure("HDL-5")
def test_a_schema_15_sqlite_desk_groups_its_stored_spellings_after_the_upgrade(
    tmp_path: Path,
) -> None:
    path = tmp_path / "desk.sqlite3"
    with make_desk(store=SqliteStore(path)) as desk:
        first = _three(desk, SPELLINGS[:2])
        typed = _as_typed(desk)
    with sqlite3.connect(path) as conn:  # as schema 15 left it
        conn.executemany(
            "UPDATE projection SET building = ? WHERE id = ?", [(b, i) for i, b in typed.items()]
        )
        conn.execute("PRAGMA user_version = 15")
    with sqlite3.connect(path) as conn:
        stored = {b for (b,) in conn.execute("SELECT building FROM projection")}
    assert stored == {"3号楼", "３号楼"}  # two buildings before the upgrade
    with make_desk(store=SqliteStore(path)) as desk:
        assert desk.store.schema_version == SCHEMA_VERSION  # type: ignore[attr-defined]
        assert {r.building for r in desk.rows()} == {"3"}
        third = desk.receive(_lift(3, SPELLINGS[2]), now=MONDAY + timedelta(minutes=3))
        assert third.state.issue == f"I-{first[0]}"
        assert {desk.get(c).state.issue for c in first} == {third.state.issue}
        assert desk.verify(MONDAY + timedelta(hours=1)).ok


@pytest.mark.procedure("HDL-5")
def test_postgresql_schema_14_groups_every_tenants_stored_spellings(
    postgres_server: PgDatabase,
) -> None:
    from complaintcore.adapters.postgres_store import SCHEMA_VERSION

    schema = postgres_server.new_schema()
    dsn = postgres_server.dsn
    try:
        first: dict[str, list[str]] = {}
        typed: dict[str, str] = {}
        for tenant in ("acme", "zenith"):
            store = PostgresStore(dsn, schema=schema, tenant=tenant, create_tenant=True)
            with make_desk(store=store) as desk:
                first[tenant] = _three(desk, SPELLINGS[:2])
                typed.update(_as_typed(desk))
        with psycopg.connect(dsn, autocommit=True) as conn:  # as schema 13 left it
            for cid, b in typed.items():  # the superuser sees every tenant's rows
                conn.execute(
                    f"UPDATE {schema}.projection SET building = %s WHERE id = %s", (b, cid)
                )
            conn.execute(f"DELETE FROM {schema}.schema_migrations WHERE version >= 14")
        for tenant in ("acme", "zenith"):
            with make_desk(store=PostgresStore(dsn, schema=schema, tenant=tenant)) as desk:
                assert desk.store.schema_version == SCHEMA_VERSION  # type: ignore[attr-defined]
                assert {r.building for r in desk.rows()} == {"3"}
                third = desk.receive(_lift(3, SPELLINGS[2]), now=MONDAY + timedelta(minutes=3))
                assert third.state.issue == f"I-{first[tenant][0]}"
    finally:
        postgres_server.drop_schema(schema)
