"""Review s50H F02, F04, F05: one flat raised again in another address form links by
room at the desk, on every store, and on a desk stored before (IMP-3, GRD-2).

Desks stored before get the keys of such rooms made again when opened (SQLite
schema 23, PostgreSQL schema 22).  Keys are computed here by hand from their
documented source, ``sha256("room:<site>|<building>|<room>")``, sixteen hex
digits: before, ``1201室`` was keyed as spelt (``1201室``), ``第3栋2单元1201`` as
spelt (``第3栋2单元1201``) and a blank building as ``""``; now they are flat
``1201`` of building 3, room ``3-2-1201`` of building 3 (concepts.md).
The cn-property pack counts links by complainant or room of one category as
raisings and marks the third raised repeatedly.
"""

from __future__ import annotations

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
from complaintcore.core.models import Complainant, Fact
from complaintcore.core.workflow import Assess, decide, evolve
from complaintcore.desk import Desk
from complaintcore.desk.ports import ComplaintStore
from complaintcore.testing import MemoryStore, make_desk
from tests.integration.test_review_s49q import (
    T0,
    _all_keys,
    _hash,
    intake,
    postgres_upgrade_again,
    receive,
    same_room,
    sqlite_stored_at,
    sqlite_upgrade_again,
)

END_WORDS = (  # F04: three household members of flat 1201, building 3
    Complainant("张三", "13800000001", "1201", "3栋", "sunrise"),
    Complainant("张四", "13800000002", "1201室", "3号楼", "sunrise"),
    Complainant("张五", "13800000003", "1201号", "3#", "sunrise"),
)
BLANK = (  # F05 and F02: room 3-2-1201, the building typed three ways or not at all
    Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise"),
    Complainant("李红", "13912340000", "3-2-1201", "", "sunrise"),
    Complainant("李红", "13912340001", "第3栋2单元1201", "", "sunrise"),
)


# flat 1201 below the building field's building 3 is that building's flat, as
# 3栋1201 is (review s50Q F04: it was "room:sunrise|3|1201")
FLAT = _hash("room:sunrise|3|3-1201")
ROOM = _hash("room:sunrise|3|3-2-1201")
OLD = {  # as SQLite schema 22 / PostgreSQL 21 keyed them
    "1201室": _hash("room:sunrise|3|1201室"),
    "1201号": _hash("room:sunrise|3|1201号"),
    "blank 3-2-1201": _hash("room:sunrise||3-2-1201"),
    "第3栋2单元1201": _hash("room:sunrise||第3栋2单元1201"),
}


def _room_keys(desk: Desk, ids: list[str]) -> list[str]:
    return [str(desk.store.row(cid).room_key) for cid in ids]  # type: ignore[attr-defined]


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize("people", [END_WORDS, BLANK], ids=["end-words", "blank-building"])
def test_one_flat_in_three_forms_is_raised_three_times(
    each_store: ComplaintStore, people: tuple[Complainant, ...]
) -> None:
    raised_three_times(each_store, people)


def raised_three_times(store: ComplaintStore, people: tuple[Complainant, ...]) -> None:
    """Three complaints of ``people`` (one flat typed three ways), two days apart, are
    linked by room, the third raised repeatedly, one repeat group in the report."""
    with make_desk(store=store) as desk:
        ids = [receive(desk, who, 2 * n).id for n, who in enumerate(people)]
        assert same_room(desk, ids[1]) == [ids[0]]
        assert same_room(desk, ids[2]) == [ids[1], ids[0]]
        third = desk.get(ids[2]).state
        assert third.raisings == 3
        assert Fact.RAISED_REPEATEDLY in third.facts
        report = desk.monthly_report(2025, 11, now=T0 + timedelta(days=10))
        assert report.links.same_room == 2
        assert [g.ids for g in report.repeats.groups] == [tuple(ids)]


# --------------------------------------------------------------------------- stored before


def _stored_before(desk: Desk) -> tuple[list[str], list[tuple[str, str]]]:
    """Four rooms the previous schema keyed otherwise, received; their ids and old keys."""
    ids = [
        receive(desk, END_WORDS[0], 0).id,
        receive(desk, END_WORDS[1], 1).id,
        receive(desk, END_WORDS[2], 2).id,
        receive(desk, BLANK[0], 3).id,
        receive(desk, BLANK[1], 4).id,
        receive(desk, BLANK[2], 5).id,
    ]
    old = [
        (OLD["1201室"], ids[1]),
        (OLD["1201号"], ids[2]),
        (OLD["blank 3-2-1201"], ids[4]),
        (OLD["第3栋2单元1201"], ids[5]),
    ]
    return ids, old


def _check_upgraded(desk: Desk, ids: list[str]) -> None:
    assert _room_keys(desk, ids) == [FLAT, FLAT, FLAT, ROOM, ROOM, ROOM]
    assert [desk.store.row(c).building for c in ids] == ["3", "3", "3", "3", "", ""]  # type: ignore[attr-defined]
    again = receive(desk, Complainant("张六", "13800000004", "1201 室", "3", "sunrise"), 6)
    assert same_room(desk, again.id) == ids[2::-1]
    later = receive(desk, Complainant("李白", "13912340002", "Block 3 2单元1201", "", "sunrise"), 7)
    assert same_room(desk, later.id) == ids[:2:-1]


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_an_sqlite_desk_of_schema_22_gets_its_room_keys_made_again(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    with make_desk(store=SqliteStore(path)) as desk:
        ids, old = _stored_before(desk)
    sqlite_stored_at(path, 22, old)
    with make_desk(store=SqliteStore(path)) as desk:
        assert desk.store.schema_version == SQLITE_SCHEMA >= 23  # type: ignore[attr-defined]
        assert desk.store.verify().ok
        _check_upgraded(desk, ids)
        before = _all_keys(desk)
    sqlite_upgrade_again(path, 22, before, T0 + timedelta(days=8))


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_a_postgresql_desk_of_schema_21_gets_every_tenants_room_keys_made_again(
    postgres_server: object, schema: str
) -> None:
    dsn = postgres_server.dsn  # type: ignore[attr-defined]
    ids: dict[str, list[str]] = {}
    for tenant in ("acme", "zenith"):
        store = PostgresStore(dsn, schema=schema, tenant=tenant, create_tenant=True)
        with make_desk(store=store) as desk:
            ids[tenant], old = _stored_before(desk)
        with psycopg.connect(dsn, autocommit=True) as conn:  # as version 21 left them
            conn.cursor().executemany(
                f"UPDATE {schema}.projection SET room_key = %s WHERE tenant = %s AND id = %s",
                [(key, tenant, cid) for key, cid in old],
            )
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DELETE FROM {schema}.schema_migrations WHERE version >= 22")
    before: dict[str, list[tuple[str, str, str, str]]] = {}
    for tenant in ids:
        with make_desk(store=PostgresStore(dsn, schema=schema, tenant=tenant)) as desk:
            assert desk.store.schema_version == PG_SCHEMA >= 22  # type: ignore[attr-defined]
            _check_upgraded(desk, ids[tenant])
            before[tenant] = _all_keys(desk)
    postgres_upgrade_again(dsn, schema, 22, before, T0 + timedelta(days=8))
    comment = postgres_server.column_comment(schema, "projection", "room_key")  # type: ignore[attr-defined]
    assert "1201室 is 1201" in comment


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("DL-7")
def test_a_hosts_store_has_its_room_keys_rewritten_by_the_first_sweep() -> None:
    """A host's store has no schema upgrade: a row the previous revision (8) wrote
    with ``1201室`` keyed as spelt keeps it until the first sweep finds the basis
    changed (``ROWS_REVISION`` 9) and rewrites it; then flat 1201 typed bare links
    to it."""
    store = MemoryStore()
    with make_desk(store=store) as desk:
        at = T0 + timedelta(days=1)
        received = desk.receive(intake(END_WORDS[1], at), now=at)
        events = decide(received, Assess(actor="SR-101", validity="valid"), desk.pack, at)
        row = attrs.evolve(
            desk._projection.row(evolve(received, events), at), room_key=OLD["1201室"]
        )
        store.append(received.id, received.version, events, row, [])  # as revision 8 wrote it
        previous = projection_basis(desk.pack, desk.calendar, f"{__version__} rows 8")
        assert store.keep_projection_basis(previous, instead_of=store.projection_basis())
        assert _room_keys(desk, [received.id]) == [OLD["1201室"]]
        desk.sweep(T0 + timedelta(days=2))
        assert _room_keys(desk, [received.id]) == [FLAT]
        again = receive(desk, END_WORDS[0], 3)
        assert same_room(desk, again.id) == [received.id]
