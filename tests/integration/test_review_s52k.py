"""Review s52K F02, F03: one flat typed with its floor -- after a dashed building
(``3-5F-502``) or below the building field (``3栋`` and ``5层3号``) -- links by room
at the desk, on every store, and on a desk stored before (IMP-3, GRD-2).

Desks stored before get those rows' keys made again when opened (SQLite schema
28, PostgreSQL schema 27); a host's own store from its first sweep (rows'
revision 11).  Keys are computed here by hand from their documented source,
``sha256("room:<site>|<building>|<room>")``, sixteen hex digits: before,
``3-5F-502`` was in no building (``room:sunrise||3-502``) and ``5层3号`` below
building ``3栋`` was kept as typed (``room:sunrise|3|5层3``); now they are building
3's ``3-502`` and ``3栋5层3`` (concepts.md).  The cn-property pack counts links by
complainant or room of one category as raisings and marks the third raised
repeatedly.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from complaintcore.core.models import Complainant
from complaintcore.desk import Desk
from complaintcore.desk.ports import ComplaintStore
from complaintcore.testing import MemoryStore, make_desk
from tests.integration.test_review_s49q import (
    T0,
    _hash,
    host_row_stored_before,
    postgres_rekeyed,
    receive,
    same_room,
    sqlite_rekeyed,
)
from tests.integration.test_review_s50h import raised_three_times
from tests.integration.test_review_s51b import _room_keys

FLAT = (  # flat 502 of building 3, typed with a dashed building and its floor
    Complainant("李一", "13700000001", "3-502", "", "sunrise"),
    Complainant("李二", "13700000002", "3-5F-502", "", "sunrise"),
    Complainant("李三", "13700000003", "3-5层502", "", "sunrise"),
)
DOOR = (  # floor 5, door 3 of building 3: the building in its field or in the room
    Complainant("赵一", "13600000001", "5层3号", "3栋", "sunrise"),
    Complainant("赵二", "13600000002", "3栋5层3号", "", "sunrise"),
    Complainant("赵三", "13600000003", "5F-3", "3", "sunrise"),
)

ROOM_502 = _hash("room:sunrise|3|3-502")
ROOM_DOOR = _hash("room:sunrise|3|3栋5层3")
OLD = {  # as SQLite schema 27 / PostgreSQL 26 keyed them: (building, room key)
    "3-5F-502": ("", _hash("room:sunrise||3-502")),
    "5层3号": ("3", _hash("room:sunrise|3|5层3")),
}


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize("people", [FLAT, DOOR], ids=["dashed-floor", "floor-below-building"])
def test_one_flat_in_three_forms_is_raised_three_times(
    each_store: ComplaintStore, people: tuple[Complainant, ...]
) -> None:
    raised_three_times(each_store, people)


# --------------------------------------------------------------------------- stored before


def _stored_before(desk: Desk) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Flat 3-502 typed two ways and door 3 of floor 5 below its building field,
    received; their ids and the building and room key the previous schema gave
    the two it keyed otherwise."""
    ids = [
        receive(desk, FLAT[0], 0).id,
        receive(desk, FLAT[1], 1).id,
        receive(desk, DOOR[0], 2).id,
    ]
    old = [(*OLD["3-5F-502"], ids[1]), (*OLD["5层3号"], ids[2])]
    return ids, old


def _check_upgraded(desk: Desk, ids: list[str]) -> None:
    assert _room_keys(desk, ids) == [ROOM_502, ROOM_502, ROOM_DOOR]
    # the building column is the field's key: blank stays blank (concepts.md)
    assert [desk.store.row(c).building for c in ids] == ["", "", "3"]  # type: ignore[attr-defined]
    again = receive(desk, FLAT[2], 6)
    assert same_room(desk, again.id) == ids[1::-1]
    door = receive(desk, DOOR[1], 7)
    assert same_room(desk, door.id) == [ids[2]]


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_an_sqlite_desk_of_schema_27_gets_its_keys_made_again(tmp_path: Path) -> None:
    sqlite_rekeyed(
        tmp_path / "desk.sqlite3",
        28,
        _stored_before,
        _check_upgraded,
        "building = ?, room_key = ?",
    )


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_a_postgresql_desk_of_schema_26_gets_every_tenants_keys_made_again(
    postgres_server: object, schema: str
) -> None:
    postgres_rekeyed(
        postgres_server, schema, 27, _stored_before, _check_upgraded, "building = %s, room_key = %s"
    )


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("DL-7")
def test_a_hosts_store_has_its_keys_rewritten_by_the_first_sweep() -> None:
    """A host's store has no schema upgrade: a row the previous revision (10) wrote
    with ``3-5F-502`` in no building keeps it until the first sweep finds the basis
    changed (``ROWS_REVISION`` 11) and rewrites it; then the flat typed ``3-502``
    links to it."""
    store = MemoryStore()
    building, key = OLD["3-5F-502"]
    with make_desk(store=store) as desk:
        cid = host_row_stored_before(desk, store, FLAT[1], 10, building=building, room_key=key)
        assert _room_keys(desk, [cid]) == [key]
        desk.sweep(T0 + timedelta(days=2))
        assert _room_keys(desk, [cid]) == [ROOM_502]
        again = receive(desk, FLAT[0], 3)
        assert same_room(desk, again.id) == [cid]
