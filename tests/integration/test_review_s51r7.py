"""Review s51R7 at the desk: door numbers of several floors stay apart, a full-width
room word and a padded flat after its floor link as the flat they are, on every
store and on a desk stored before; the masked record hides a room written as its
key reads it (IMP-3, GRD-2, PRV-1).

Keys are computed here by hand from their documented source,
``sha256("room:<site>|<building>|<room>")``: before (SQLite schema 24, PostgreSQL
23) ``Rm3-1202`` and ``Ｒｍ３－１２０２`` were both keyed as spelt, ``rm3-1202``
with no building; since schema 25 (PostgreSQL 24) both are building 3's
``3-1202`` (concepts.md), where review s51B's first reading split them.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from complaintcore.adapters.sqlite_store import SCHEMA_VERSION as SQLITE_SCHEMA
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.models import Complainant, Fact
from complaintcore.desk.masking import masked_record
from complaintcore.desk.ports import ComplaintStore
from complaintcore.serialization import complaint_to_dict
from complaintcore.testing import make_desk
from tests.helpers import intake as owner_intake
from tests.integration.test_review_s49q import (
    T0,
    _all_keys,
    _hash,
    receive,
    same_room,
    sqlite_stored_at,
    sqlite_upgrade_again,
)
from tests.integration.test_review_s50h import raised_three_times

DOORS_3 = (  # door 3 of floors 5, 12 and 8 of building 3: three flats, three owners
    Complainant("赵一", "13800000011", "3栋5楼3号", "", "sunrise"),
    Complainant("钱二", "13800000012", "3栋12楼3号", "", "sunrise"),
    Complainant("孙三", "13800000013", "3栋8楼3号", "", "sunrise"),
)
FULL_WIDTH = (  # flat 3-1202 typed with an English room word, in either width
    Complainant("Ann Lee", "13800000021", "Rm3-1202", "", "sunrise"),
    Complainant("Bo Lee", "13800000022", "Ｒｍ３－１２０２", "", "sunrise"),
    Complainant("Cy Lee", "13800000023", "Flat 3-1202", "3栋", "sunrise"),
)
PADDED = (  # flat 502 on floor 5 of building 3, padded or not
    Complainant("周一", "13800000031", "5楼502", "3栋", "sunrise"),
    Complainant("周二", "13800000032", "5楼0502", "3栋", "sunrise"),
    Complainant("周三", "13800000033", "3栋5楼0502", "", "sunrise"),
)
ROOM_3_1202 = _hash("room:sunrise|3|3-1202")
OLD_3_1202 = _hash("room:sunrise||rm3-1202")  # as schema 24 keyed both


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_door_3_of_three_floors_is_three_flats(each_store: ComplaintStore) -> None:
    with make_desk(store=each_store) as desk:
        ids = [receive(desk, who, 2 * n).id for n, who in enumerate(DOORS_3)]
        assert [same_room(desk, cid) for cid in ids] == [[], [], []]
        assert not any(Fact.RAISED_REPEATEDLY in desk.get(cid).state.facts for cid in ids)


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize("people", [FULL_WIDTH, PADDED], ids=["full-width-word", "padded"])
def test_one_flat_in_three_forms_is_raised_three_times(
    each_store: ComplaintStore, people: tuple[Complainant, ...]
) -> None:
    raised_three_times(each_store, people)


@pytest.mark.procedure("IMP-3")
def test_a_padded_flat_after_its_floor_is_not_building_5s(each_store: ComplaintStore) -> None:
    with make_desk(store=each_store) as desk:
        first = receive(desk, Complainant("吴一", "13800000041", "5栋502", "", "sunrise"), 0)
        second = receive(desk, Complainant("吴二", "13800000042", "5楼0502", "", "sunrise"), 1)
        assert same_room(desk, second.id) == []
        assert same_room(desk, first.id) == []


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_an_sqlite_desk_of_schema_24_keys_the_full_width_word_as_the_word(
    tmp_path: Path,
) -> None:
    path = tmp_path / "desk.sqlite3"
    with make_desk(store=SqliteStore(path)) as desk:
        ids = [receive(desk, who, n).id for n, who in enumerate(FULL_WIDTH[:2])]
    sqlite_stored_at(path, 24, [(OLD_3_1202, cid) for cid in ids])
    with make_desk(store=SqliteStore(path)) as desk:
        assert desk.store.schema_version == SQLITE_SCHEMA  # type: ignore[attr-defined]
        assert [desk.store.row(c).room_key for c in ids] == [ROOM_3_1202] * 2  # type: ignore[attr-defined]
        again = receive(desk, FULL_WIDTH[2], 3)
        assert same_room(desk, again.id) == ids[::-1]
        before = _all_keys(desk)
    sqlite_upgrade_again(path, 24, before, T0 + timedelta(days=5))


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "summary", "masked"),
    [
        ("1201/1202", "1202卫生间漏水，1201也漏", "****卫生间漏水，****也漏"),
        ("Rm 1202", "1202室楼上漏水", "****室楼上漏水"),
        ("5楼502", "502室楼上漏水", "***室楼上漏水"),
        ("0101", "101室楼上漏水", "***室楼上漏水"),
    ],
)
def test_the_masked_record_hides_the_room_as_its_key_reads_it(
    room: str, summary: str, masked: str
) -> None:
    with make_desk() as desk:
        who = Complainant("王小明", "13800000051", room, "3栋", "sunrise")
        received = desk.receive(
            owner_intake(summary=summary, complainant=who, received_at=T0, receiver="SR-103"),
            now=T0,
            validity="valid",
        )
        record = masked_record(complaint_to_dict(desk.get(received.id)), desk.pack)
        assert record["intake"]["summary"] == masked
