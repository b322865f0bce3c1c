"""Review s49Q F02: flat 1201 of building 3 and flat 1201 of unit 3 are two rooms, on
every store, and on a desk stored before (IMP-3, GRD-2).

Two owners of one site, the building field left empty: the front desk types the
first's room ``3栋1201`` (building 3), the call centre the second's ``3单元1201``
(unit 3).  The s49A room key dropped the words between a room's groups, so both
were ``3-1201`` and the second owner's complaint was linked to the first's as
the same room raised again.

Desks stored before get the keys of such rooms made again when opened (SQLite
schema 22, PostgreSQL schema 21); a host's own store has its rows rewritten by
the first sweep (the projection rows' revision 8).  Keys are computed here by hand
from their documented source, ``sha256("room:<site>|<building>|<room>")``,
sixteen hex digits, the room written as concepts.md says: ``3-1201`` for building
3's 1201 (as s49A stored every room of two groups), ``3单元1201`` for unit 3's.
(The key of a complainant without a phone, which reads the room the same way, is
checked in tests/unit/test_review_s49q.py: the desk registers none without one.)
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import psycopg
import pytest

from complaintcore import __version__, projection_basis
from complaintcore.adapters.postgres_store import SCHEMA_VERSION as PG_SCHEMA
from complaintcore.adapters.postgres_store import PostgresStore
from complaintcore.adapters.sqlite_store import SCHEMA_VERSION as SQLITE_SCHEMA
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.models import Complainant, Complaint, Intake, Linked
from complaintcore.core.workflow import Assess, decide, evolve
from complaintcore.desk import Desk
from complaintcore.desk.ports import ComplaintStore
from complaintcore.testing import MemoryStore, make_desk
from tests.helpers import SH
from tests.helpers import intake as owner_intake

T0 = datetime(2025, 11, 3, 9, 30, tzinfo=SH)  # Monday
BUILDING_3 = Complainant("王芳", "13812345678", "3栋1201", "", "sunrise")
UNIT_3 = Complainant("李强", "13900001111", "3单元1201", "", "sunrise")
UNIT_3_AGAIN = Complainant("李明", "13700002222", "3门1201", "", "sunrise")  # his son, 门 for 单元


def _hash(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()[:16]


OLD = _hash("room:sunrise||3-1201")
"""The room key of unit 3's 1201 as schema 21 / PostgreSQL 20 stored it (building 3's)."""
NEW = _hash("room:sunrise||3单元1201")
BUILDING_3_KEY = _hash("room:sunrise|3|3-1201")
"""Building 3's 1201 with the building field blank: keyed with the building its room
names since review s50H F05 (SQLite schema 23, PostgreSQL 22); unit 3's names none."""


def intake(who: Complainant, at: datetime) -> Intake:
    return owner_intake(complainant=who, received_at=at, receiver="SR-103")


def receive(desk: Desk, who: Complainant, days: float) -> Complaint:
    at = T0 + timedelta(days=days)
    return desk.receive(intake(who, at), now=at, validity="valid")


def same_room(desk: Desk, cid: str) -> list[str]:
    return [x for e in desk.get(cid).events if isinstance(e, Linked) for x in e.same_room]


def _room_key(desk: Desk, cid: str) -> str:
    return str(desk.store.row(cid).room_key)  # type: ignore[attr-defined]


def _all_keys(desk: Desk) -> list[tuple[str, str, str, str]]:
    return sorted((r.id, r.building, r.complainant_key, r.room_key) for r in desk.store.rows())


def sqlite_stored_at(path: Path, version: int, room_keys: list[tuple[str, str]]) -> None:
    """The SQLite desk at ``path`` as schema ``version`` left it: each ``(room_key,
    id)`` the key that version gave the row."""
    with sqlite3.connect(path) as conn:
        conn.executemany("UPDATE projection SET room_key = ? WHERE id = ?", room_keys)
        conn.execute(f"PRAGMA user_version = {version}")
    conn.close()


def sqlite_upgrade_again(path: Path, version: int, before: list[Any], now: datetime) -> None:
    """The SQLite upgrade from ``version`` run again finds nothing to do: every row
    keeps the keys ``before`` the first run gave it, and the desk verifies."""
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {version}")
    conn.close()
    with make_desk(store=SqliteStore(path)) as desk:
        assert desk.store.schema_version == SQLITE_SCHEMA  # type: ignore[attr-defined]
        assert _all_keys(desk) == before
        assert desk.verify(now).ok


def postgres_upgrade_again(
    dsn: str, schema: str, version: int, before: dict[str, list[Any]], now: datetime
) -> None:
    """The PostgreSQL upgrade to ``version`` run again changes nothing for any tenant
    of ``before`` (each tenant's keys after the first run)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DELETE FROM {schema}.schema_migrations WHERE version >= {version}")
    for tenant, keys in before.items():
        with make_desk(store=PostgresStore(dsn, schema=schema, tenant=tenant)) as desk:
            assert desk.store.schema_version == PG_SCHEMA  # type: ignore[attr-defined]
            assert _all_keys(desk) == keys
            assert desk.verify(now).ok


def sqlite_rekeyed(
    path: Path,
    version: int,
    stored: Callable[[Desk], tuple[list[str], list[tuple[str, ...]]]],
    check: Callable[[Desk, list[str]], None],
    sets: str = "room_key = ?",
) -> None:
    """An SQLite desk at ``path`` as the schema before ``version`` left it, made again
    by its upgrade: ``stored`` receives its complaints and gives their ids and the
    old values (``sets``' parameters, then the row's id); ``check`` reads the desk
    after the upgrade, and the upgrade run again changes nothing."""
    with make_desk(store=SqliteStore(path)) as desk:
        ids, old = stored(desk)
    with sqlite3.connect(path) as conn:  # as the version before left them
        conn.executemany(f"UPDATE projection SET {sets} WHERE id = ?", old)
        conn.execute(f"PRAGMA user_version = {version - 1}")
    conn.close()
    with make_desk(store=SqliteStore(path)) as desk:
        assert desk.store.schema_version == SQLITE_SCHEMA >= version  # type: ignore[attr-defined]
        assert desk.store.verify().ok
        check(desk, ids)
        before = _all_keys(desk)
    sqlite_upgrade_again(path, version - 1, before, T0 + timedelta(days=9))


def postgres_rekeyed(
    server: Any,
    schema: str,
    version: int,
    stored: Callable[[Desk], tuple[list[str], list[tuple[str, ...]]]],
    check: Callable[[Desk, list[str]], None],
    sets: str = "room_key = %s",
) -> None:
    """Two tenants' PostgreSQL desks as the schema before ``version`` left them, made
    again by its upgrade: ``stored`` receives each desk's complaints and gives their
    ids and the old values (``sets``' parameters, then the row's id); ``check`` reads
    each tenant's desk after the upgrade, and the upgrade run again changes nothing."""
    ids: dict[str, list[str]] = {}
    for tenant in ("acme", "zenith"):
        store = PostgresStore(server.dsn, schema=schema, tenant=tenant, create_tenant=True)
        with make_desk(store=store) as desk:
            ids[tenant], old = stored(desk)
        with psycopg.connect(server.dsn, autocommit=True) as conn:  # the superuser's
            conn.cursor().executemany(
                f"UPDATE {schema}.projection SET {sets} WHERE tenant = %s AND id = %s",
                [(*values, tenant, cid) for *values, cid in old],
            )
    with psycopg.connect(server.dsn, autocommit=True) as conn:
        conn.execute(f"DELETE FROM {schema}.schema_migrations WHERE version >= {version}")
    before: dict[str, list[Any]] = {}
    for tenant in ids:
        with make_desk(store=PostgresStore(server.dsn, schema=schema, tenant=tenant)) as desk:
            assert desk.store.schema_version == PG_SCHEMA >= version  # type: ignore[attr-defined]
            check(desk, ids[tenant])
            before[tenant] = _all_keys(desk)
    postgres_upgrade_again(server.dsn, schema, version, before, T0 + timedelta(days=8))


def host_row_stored_before(
    desk: Desk, store: MemoryStore, who: Complainant, revision: int, **old: str
) -> str:
    """A complaint of ``who`` received on a host's ``store`` and its row written as rows'
    revision ``revision`` wrote it (``old``: the row's fields that revision gave
    it), the basis kept that revision's; its id."""
    at = T0 + timedelta(days=1)
    received = desk.receive(intake(who, at), now=at)
    events = decide(received, Assess(actor="SR-101", validity="valid"), desk.pack, at)
    row = attrs.evolve(desk._projection.row(evolve(received, events), at), **old)
    store.append(received.id, received.version, events, row, [])
    previous = projection_basis(desk.pack, desk.calendar, f"{__version__} rows {revision}")
    assert store.keep_projection_basis(previous, instead_of=store.projection_basis())
    return received.id


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_building_3_and_unit_3_are_two_rooms_at_the_desk(each_store: ComplaintStore) -> None:
    with make_desk(store=each_store) as desk:
        first = receive(desk, BUILDING_3, 0)
        unit = receive(desk, UNIT_3, 2)
        assert same_room(desk, unit.id) == []
        assert unit.state.raisings == 0  # no raising counted (linked: its second)
        again = receive(desk, UNIT_3_AGAIN, 4)  # unit 3's flat typed with 门: one room
        assert same_room(desk, again.id) == [unit.id]
        assert first.id not in same_room(desk, again.id)
        assert _room_key(desk, unit.id) == NEW


# --------------------------------------------------------------------------- stored before


def _check_upgraded(desk: Desk, first: str, unit: str) -> None:
    assert _room_key(desk, unit) == NEW
    assert _room_key(desk, first) == BUILDING_3_KEY  # building 3's: never unit 3's
    again = receive(desk, UNIT_3_AGAIN, 4)
    assert same_room(desk, again.id) == [unit]
    later = receive(desk, BUILDING_3, 5)  # building 3's owner again: his own room only
    assert same_room(desk, later.id) == [first]


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_an_sqlite_desk_of_schema_21_gets_its_room_keys_made_again(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    with make_desk(store=SqliteStore(path)) as desk:
        first, unit = receive(desk, BUILDING_3, 0).id, receive(desk, UNIT_3, 2).id
    sqlite_stored_at(path, 21, [(OLD, unit)])
    with make_desk(store=SqliteStore(path)) as desk:
        assert desk.store.schema_version == SQLITE_SCHEMA >= 22  # type: ignore[attr-defined]
        assert desk.store.verify().ok
        _check_upgraded(desk, first, unit)
        before = _all_keys(desk)
    sqlite_upgrade_again(path, 21, before, T0 + timedelta(days=6))


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_a_postgresql_desk_of_schema_20_gets_every_tenants_room_keys_made_again(
    postgres_server: object, schema: str
) -> None:
    dsn = postgres_server.dsn  # type: ignore[attr-defined]
    ids: dict[str, tuple[str, str]] = {}
    for tenant in ("acme", "zenith"):
        store = PostgresStore(dsn, schema=schema, tenant=tenant, create_tenant=True)
        with make_desk(store=store) as desk:
            ids[tenant] = (receive(desk, BUILDING_3, 0).id, receive(desk, UNIT_3, 2).id)
    with psycopg.connect(dsn, autocommit=True) as conn:  # as version 20 left it
        for tenant, (_first, unit) in ids.items():  # the superuser sees every tenant's rows
            conn.execute(
                f"UPDATE {schema}.projection SET room_key = %s WHERE tenant = %s AND id = %s",
                (OLD, tenant, unit),
            )
        conn.execute(f"DELETE FROM {schema}.schema_migrations WHERE version >= 21")
    before: dict[str, list[tuple[str, str, str, str]]] = {}
    for tenant, (first, unit) in ids.items():
        with make_desk(store=PostgresStore(dsn, schema=schema, tenant=tenant)) as desk:
            assert desk.store.schema_version == PG_SCHEMA >= 21  # type: ignore[attr-defined]
            _check_upgraded(desk, first, unit)
            before[tenant] = _all_keys(desk)
    postgres_upgrade_again(dsn, schema, 21, before, T0 + timedelta(days=6))
    comment = postgres_server.column_comment(schema, "projection", "room_key")  # type: ignore[attr-defined]
    assert "level each group names" in comment


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("DL-7")
def test_a_hosts_store_has_its_room_keys_rewritten_by_the_first_sweep() -> None:
    """A host's store has no schema upgrade: a row the previous revision (7) wrote
    keeps the old keys until the first sweep finds the basis changed and rewrites
    it; then unit 3's flat typed with 门 links to it, and building 3's does not."""
    store = MemoryStore()
    with make_desk(store=store) as desk:
        first = receive(desk, BUILDING_3, 0).id
        at = T0 + timedelta(days=2)
        received = desk.receive(intake(UNIT_3, at), now=at)
        events = decide(received, Assess(actor="SR-101", validity="valid"), desk.pack, at)
        after = evolve(received, events)
        row = attrs.evolve(desk._projection.row(after, at), room_key=OLD)
        store.append(received.id, received.version, events, row, [])  # as revision 7 wrote it
        previous = projection_basis(desk.pack, desk.calendar, f"{__version__} rows 7")
        assert store.keep_projection_basis(previous, instead_of=store.projection_basis())
        assert store.row(received.id).room_key == OLD
        desk.sweep(T0 + timedelta(days=3))
        assert _room_key(desk, received.id) == NEW
        _check_upgraded(desk, first, received.id)
