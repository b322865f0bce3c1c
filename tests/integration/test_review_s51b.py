"""Review s51B: one flat typed with Chinese numerals, leading zeros, a floor or an
English room word links by room at the desk, on every store, and on a desk stored
before (IMP-3, GRD-2, HDL-5).

Desks stored before get those rows' keys made again when opened (SQLite schema
25, PostgreSQL schema 24); a host's own store from its first sweep (rows'
revision 10).  Keys are computed here by hand from their documented source,
``sha256("room:<site>|<building>|<room>")``, sixteen hex digits: before, the
building ``三号楼`` was keyed as spelt (``三号楼``) and ``03栋`` as ``03``, and the
rooms as spelt or with the zero; now both are building 3, room ``3-2-1201``
(concepts.md).  The cn-property pack counts links by complainant or room of one
category as raisings and marks the third raised repeatedly.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from complaintcore.adapters.sqlite_store import SCHEMA_VERSION as SQLITE_SCHEMA
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.models import Complainant
from complaintcore.desk import Desk
from complaintcore.desk.ports import ComplaintStore
from complaintcore.testing import MemoryStore, make_desk
from tests.integration.test_review_s49q import (
    T0,
    _all_keys,
    _hash,
    host_row_stored_before,
    postgres_rekeyed,
    receive,
    same_room,
    sqlite_upgrade_again,
)
from tests.integration.test_review_s50h import raised_three_times

FLAT = (  # room 3-2-1201 typed three ways by three household members
    Complainant("张三", "13800000001", "3-2-1201", "3栋", "sunrise"),
    Complainant("张四", "13800000002", "三号楼2单元1201", "三号楼", "sunrise"),
    Complainant("张五", "13800000003", "03-02-1201", "03栋", "sunrise"),
)
FLOOR = (  # flat 502 of building 3, typed with its floor or an English word
    Complainant("王一", "13900000001", "502", "3栋", "sunrise"),
    Complainant("王二", "13900000002", "3号楼5楼502", "", "sunrise"),
    Complainant("王三", "13900000003", "Rm 502", "3", "sunrise"),
)

ROOM = _hash("room:sunrise|3|3-2-1201")
ROOM_502 = _hash("room:sunrise|3|3-502")
OLD = {  # as SQLite schema 24 / PostgreSQL 23 keyed them: (building, room key)
    "三号楼": ("三号楼", _hash("room:sunrise|三号楼|三号楼2单元1201")),
    "03栋": ("03", _hash("room:sunrise|03|03-02-1201")),
}


def _room_keys(desk: Desk, ids: list[str]) -> list[str]:
    return [str(desk.store.row(cid).room_key) for cid in ids]  # type: ignore[attr-defined]


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize("people", [FLAT, FLOOR], ids=["numerals-zeros", "floor-word"])
def test_one_flat_in_three_forms_is_raised_three_times(
    each_store: ComplaintStore, people: tuple[Complainant, ...]
) -> None:
    raised_three_times(each_store, people)


# --------------------------------------------------------------------------- stored before


def _stored_before(desk: Desk) -> tuple[list[str], list[tuple[str, str, str]]]:
    """The three forms of room 3-2-1201, received; their ids and the building and
    room key the previous schema gave the two it keyed otherwise."""
    ids = [receive(desk, who, n).id for n, who in enumerate(FLAT)]
    old = [(*OLD["三号楼"], ids[1]), (*OLD["03栋"], ids[2])]
    return ids, old


def _check_upgraded(desk: Desk, ids: list[str]) -> None:
    assert _room_keys(desk, ids) == [ROOM, ROOM, ROOM]
    assert [desk.store.row(c).building for c in ids] == ["3", "3", "3"]  # type: ignore[attr-defined]
    again = receive(
        desk, Complainant("张六", "13800000004", "第三栋二单元1201室", "", "sunrise"), 6
    )
    assert same_room(desk, again.id) == ids[::-1]


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_an_sqlite_desk_of_schema_24_gets_its_keys_made_again(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    with make_desk(store=SqliteStore(path)) as desk:
        ids, old = _stored_before(desk)
    with sqlite3.connect(path) as conn:  # as version 24 left them
        conn.executemany("UPDATE projection SET building = ?, room_key = ? WHERE id = ?", old)
        conn.execute("PRAGMA user_version = 24")
    conn.close()
    with make_desk(store=SqliteStore(path)) as desk:
        assert desk.store.schema_version == SQLITE_SCHEMA >= 25  # type: ignore[attr-defined]
        assert desk.store.verify().ok
        _check_upgraded(desk, ids)
        before = _all_keys(desk)
    sqlite_upgrade_again(path, 24, before, T0 + timedelta(days=8))


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_a_postgresql_desk_of_schema_23_gets_every_tenants_keys_made_again(
    postgres_server: object, schema: str
) -> None:
    postgres_rekeyed(
        postgres_server, schema, 24, _stored_before, _check_upgraded, "building = %s, room_key = %s"
    )
    comment = postgres_server.column_comment(schema, "projection", "room_key")  # type: ignore[attr-defined]
    assert "三号楼 is 3" in comment


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("DL-7")
def test_a_hosts_store_has_its_keys_rewritten_by_the_first_sweep() -> None:
    """A host's store has no schema upgrade: a row the previous revision (9) wrote
    with ``三号楼`` keyed as spelt keeps it until the first sweep finds the basis
    changed (``ROWS_REVISION`` 10) and rewrites it; then the flat typed in digits
    links to it."""
    store = MemoryStore()
    building, key = OLD["三号楼"]
    with make_desk(store=store) as desk:
        cid = host_row_stored_before(desk, store, FLAT[1], 9, building=building, room_key=key)
        assert _room_keys(desk, [cid]) == [key]
        desk.sweep(T0 + timedelta(days=2))
        assert _room_keys(desk, [cid]) == [ROOM]
        assert desk.store.row(cid).building == "3"  # type: ignore[attr-defined]
        again = receive(desk, FLAT[0], 3)
        assert same_room(desk, again.id) == [cid]
