"""Review s49L F01: one building typed in two forms is one building, on every store,
and on a desk stored before (HDL-5, IMP-2, IMP-3, IMP-4).

The lift of building 3 stops.  The front desk types the first neighbour's
building ``3栋``, the call centre the second's ``3号楼``, a clerk the third's
``3#``: one building, so one concentrated issue (cn-property: three complainants
of one building within 72 h, 004 篇3), one building of three complaints in the
month's report, and the same matter raised again (IMP-3).  Before, the building
key read the spelling alone and the three were three buildings of one each.

Desks stored before get their buildings' keys, and the room keys (and keys of
complainants without a phone) made of them, made again when opened (SQLite
schema 21, PostgreSQL schema 20); a host's own store has its rows rewritten by
the first sweep (the projection rows' revision 7).  The keys a release before
stored are computed here by hand from their documented source: the building's
spelling with NFKC, case and spaces ignored, and
``sha256("room:<site>|<building>|<room>")``, sixteen hex digits.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import timedelta
from pathlib import Path

import attrs
import psycopg
import pytest

from complaintcore import __version__, projection_basis
from complaintcore.adapters.postgres_store import SCHEMA_VERSION as PG_SCHEMA
from complaintcore.adapters.postgres_store import PostgresStore
from complaintcore.adapters.sqlite_store import SCHEMA_VERSION as SQLITE_SCHEMA
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.models import Linked
from complaintcore.core.workflow import Assess, decide, evolve
from complaintcore.desk import Desk
from complaintcore.desk.ports import ComplaintStore
from complaintcore.testing import MemoryStore, make_desk
from tests.integration.test_building_spellings import MONDAY, _lift
from tests.postgres_server import PgDatabase

FORMS = ("3栋", "3号楼", "3#")


def _receive(desk: Desk, n: int, building: str) -> str:
    at = MONDAY + timedelta(minutes=n)
    return desk.receive(_lift(n, building), now=at, validity="valid").id


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("IMP-2")
@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("IMP-4")
def test_three_forms_of_building_3_are_one_issue_and_one_building(
    each_store: ComplaintStore,
) -> None:
    with make_desk(store=each_store) as desk:
        ids = [_receive(desk, n, b) for n, b in enumerate(FORMS, 1)]
        issues = {cid: desk.get(cid).state.issue for cid in ids}
        assert issues == dict.fromkeys(ids, f"I-{ids[0]}")
        matter = [e.same_matter for e in desk.get(ids[2]).events if isinstance(e, Linked)]
        assert matter == [(ids[1], ids[0])]  # same building and category, most recent first
        assert {r.building for r in desk.rows()} == {"3"}
        assert [desk.get(c).intake.complainant.building for c in ids] == list(FORMS)  # REC-5
        report = desk.monthly_report(2026, 9, now=MONDAY + timedelta(hours=1))
        rows = [(c.key, c.zh, c.count) for c in report.by_building]
        assert rows == [("sunrise/3", "sunrise/3栋", 3)]  # keyed as matched, shown as typed first


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("IMP-2")
def test_other_buildings_and_a_unit_stay_apart(each_store: ComplaintStore) -> None:
    """``13栋`` is another building and ``3单元`` a unit, not building 3: three
    complaints of three "buildings" form no issue (three are needed in one)."""
    with make_desk(store=each_store) as desk:
        ids = [_receive(desk, n, b) for n, b in enumerate(("3栋", "13栋", "3单元"), 1)]
        assert [desk.get(c).state.issue for c in ids] == ["", "", ""]
        report = desk.monthly_report(2026, 9, now=MONDAY + timedelta(hours=1))
        assert sorted((c.key, c.count) for c in report.by_building) == [
            ("sunrise/13", 1),
            ("sunrise/3", 1),
            ("sunrise/3单元", 1),
        ]


# --------------------------------------------------------------------------- stored before


def _norm(text: str) -> str:
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _hash(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def _old(n: int, building: str) -> tuple[str, str]:
    """``(building, room key)`` a release before stored for neighbour ``n``."""
    return _norm(building), _hash(f"room:sunrise|{_norm(building)}|3-2-120{n}")


def _new(n: int) -> tuple[str, str]:
    return "3", _hash(f"room:sunrise|3|3-2-120{n}")


def _keys(desk: Desk) -> list[tuple[str, str, str, str]]:
    return sorted((r.id, r.building, r.complainant_key, r.room_key) for r in desk.store.rows())


def _rows(desk: Desk) -> dict[str, tuple[str, str]]:
    return {r.id: (r.building, r.room_key) for r in desk.store.rows()}


def _two_stored(desk: Desk) -> list[str]:
    """Two neighbours of building 3, typed two ways."""
    return [_receive(desk, n, b) for n, b in ((1, "3栋"), (2, "3号楼"))]


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("IMP-3")
def test_an_sqlite_desk_of_schema_20_links_its_stored_forms(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    with make_desk(store=SqliteStore(path)) as desk:
        ids = _two_stored(desk)
    old = [_old(1, "3栋"), _old(2, "3号楼")]
    assert old[0][0] != old[1][0]  # the premise: two buildings as stored before
    with sqlite3.connect(path) as conn:  # as schema 20 left it
        conn.executemany(
            "UPDATE projection SET building = ?, room_key = ? WHERE id = ?",
            [(*keys, cid) for keys, cid in zip(old, ids, strict=True)],
        )
        conn.execute("PRAGMA user_version = 20")
    conn.close()
    with make_desk(store=SqliteStore(path)) as desk:
        assert desk.store.schema_version == SQLITE_SCHEMA >= 21  # type: ignore[attr-defined]
        assert _rows(desk) == {ids[0]: _new(1), ids[1]: _new(2)}
        assert desk.store.verify().ok
        third = _receive(desk, 3, "3#")
        assert desk.get(third).state.issue == f"I-{ids[0]}"
        assert {desk.get(c).state.issue for c in ids} == {f"I-{ids[0]}"}
        before = _keys(desk)
    with sqlite3.connect(path) as conn:  # the upgrade run again finds nothing to do
        conn.execute("PRAGMA user_version = 20")
    conn.close()
    with make_desk(store=SqliteStore(path)) as desk:
        assert desk.store.schema_version == SQLITE_SCHEMA  # type: ignore[attr-defined]
        assert _keys(desk) == before
        assert desk.verify(MONDAY + timedelta(hours=1)).ok


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("IMP-3")
def test_a_postgresql_desk_of_schema_19_links_every_tenants_stored_forms(
    postgres_server: PgDatabase, schema: str
) -> None:
    dsn = postgres_server.dsn
    ids: dict[str, list[str]] = {}
    for tenant in ("acme", "zenith"):
        store = PostgresStore(dsn, schema=schema, tenant=tenant, create_tenant=True)
        with make_desk(store=store) as desk:
            ids[tenant] = _two_stored(desk)
    old = [_old(1, "3栋"), _old(2, "3号楼")]
    with psycopg.connect(dsn, autocommit=True) as conn:  # as version 19 left it
        for tenant, stored in ids.items():  # the superuser sees every tenant's rows
            for keys, cid in zip(old, stored, strict=True):
                conn.execute(
                    f"UPDATE {schema}.projection SET building = %s, room_key = %s"
                    " WHERE tenant = %s AND id = %s",
                    (*keys, tenant, cid),
                )
        conn.execute(f"DELETE FROM {schema}.schema_migrations WHERE version >= 20")
    before: dict[str, list[tuple[str, str, str, str]]] = {}
    for tenant, stored in ids.items():
        with make_desk(store=PostgresStore(dsn, schema=schema, tenant=tenant)) as desk:
            assert desk.store.schema_version == PG_SCHEMA >= 20  # type: ignore[attr-defined]
            assert _rows(desk) == {stored[0]: _new(1), stored[1]: _new(2)}
            third = _receive(desk, 3, "3#")
            assert desk.get(third).state.issue == f"I-{stored[0]}"
            before[tenant] = _keys(desk)
    with psycopg.connect(dsn, autocommit=True) as conn:  # run again: nothing changes
        conn.execute(f"DELETE FROM {schema}.schema_migrations WHERE version >= 20")
    for tenant in ids:
        with make_desk(store=PostgresStore(dsn, schema=schema, tenant=tenant)) as desk:
            assert desk.store.schema_version == PG_SCHEMA  # type: ignore[attr-defined]
            assert _keys(desk) == before[tenant]
            assert desk.verify(MONDAY + timedelta(hours=1)).ok
    assert "building word" in postgres_server.column_comment(schema, "projection", "building")


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("DL-7")
def test_a_hosts_store_has_its_buildings_rewritten_by_the_first_sweep() -> None:
    """A host's store has no schema upgrade: a row the previous revision (6) wrote
    keeps the old building until the first sweep finds the basis changed and
    rewrites it; then the third neighbour's complaint joins the issue."""
    store = MemoryStore()
    with make_desk(store=store) as desk:
        ids = []
        for n, building in ((1, "3栋"), (2, "3号楼")):
            at = MONDAY + timedelta(minutes=n)
            received = desk.receive(_lift(n, building), now=at)
            events = decide(received, Assess(actor="SR-101", validity="valid"), desk.pack, at)
            after = evolve(received, events)
            old_building, room = _old(n, building)
            row = attrs.evolve(
                desk._projection.row(after, at), building=old_building, room_key=room
            )
            store.append(received.id, received.version, events, row, [])  # as revision 6 wrote it
            ids.append(received.id)
        previous = projection_basis(desk.pack, desk.calendar, f"{__version__} rows 6")
        assert store.keep_projection_basis(previous, instead_of=store.projection_basis())
        assert {store.row(c).building for c in ids} == {"3栋", "3号楼"}
        desk.sweep(MONDAY + timedelta(minutes=2, seconds=30))
        assert [(store.row(c).building, store.row(c).room_key) for c in ids] == [_new(1), _new(2)]
        third = _receive(desk, 3, "3#")
        assert desk.get(third).state.issue == f"I-{ids[0]}"
