"""Review s50A F04: an SQLite desk of schema 21 has its buildings keyed again with
its rooms when opened (HDL-5, IMP-2, IMP-3, IMP-4).

A build of schema 21 before review s49U F04 keyed ``Block S`` as ``blocks`` and
``Bldg. S`` as ``bldg.s``.  The upgrade to schema 22 made every room key again
with the building ``s`` but kept the stored building, so each row disagreed with
itself, and a complaint received right after the upgrade from the same building
(stored under ``s``) made no concentrated issue with them until the first sweep.

The keys are computed here by hand from their documented source: the building
``s`` (docs/storage.md, version 21: "``S座``, ``Block S`` and ``Bldg. S`` building
``s``") and ``sha256("room:<site>|<building>|<room>")``, sixteen hex digits.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from complaintcore.adapters.sqlite_store import SCHEMA_VERSION as SQLITE_SCHEMA
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.testing import make_desk
from tests.integration.test_building_spellings import MONDAY
from tests.integration.test_review_s49l import _hash, _keys, _receive, _rows


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("IMP-2")
@pytest.mark.procedure("IMP-3")
def test_an_sqlite_desk_of_schema_21_gets_its_buildings_keyed_with_its_rooms(
    tmp_path: Path,
) -> None:
    path = tmp_path / "desk.sqlite3"
    with make_desk(store=SqliteStore(path)) as desk:
        ids = [_receive(desk, 1, "Block S"), _receive(desk, 2, "Bldg. S")]
    # as a build of schema 21 before review s49U F04 stored them
    old = [
        ("blocks", _hash("room:sunrise|blocks|3-2-1201")),
        ("bldg.s", _hash("room:sunrise|bldg.s|3-2-1202")),
    ]
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "UPDATE projection SET building = ?, room_key = ? WHERE id = ?",
            [(*keys, cid) for keys, cid in zip(old, ids, strict=True)],
        )
        conn.execute("PRAGMA user_version = 21")
    conn.close()
    new = {
        ids[0]: ("s", _hash("room:sunrise|s|3-2-1201")),
        ids[1]: ("s", _hash("room:sunrise|s|3-2-1202")),
    }
    with make_desk(store=SqliteStore(path)) as desk:
        assert desk.store.schema_version == SQLITE_SCHEMA >= 22  # type: ignore[attr-defined]
        assert _rows(desk) == new
        assert desk.store.verify().ok
        # the third neighbour of building S, before any sweep: one concentrated issue
        third = _receive(desk, 3, "S座")
        assert desk.store.row(third).building == "s"  # type: ignore[attr-defined]
        assert {desk.get(c).state.issue for c in (*ids, third)} == {f"I-{ids[0]}"}
        before = _keys(desk)
    with sqlite3.connect(path) as conn:  # the upgrade run again finds nothing to do
        conn.execute("PRAGMA user_version = 21")
    conn.close()
    with make_desk(store=SqliteStore(path)) as desk:
        assert _keys(desk) == before
        assert desk.verify(MONDAY + timedelta(hours=1)).ok
