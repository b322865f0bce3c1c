"""Review s50Q F04 at the desk: the front desk's split entry (the building in its
field, the unit and room in the room field) and the call centre's whole address
are one room for repeat linking (IMP-3, GRD-2)."""

from __future__ import annotations

import pytest

from complaintcore.core.models import Complainant
from complaintcore.desk.ports import ComplaintStore
from complaintcore.testing import make_desk
from tests.integration.test_review_s49q import receive, same_room

SPLIT = Complainant("张三", "13800000001", "2单元1201室", "3栋", "sunrise")
WHOLE = Complainant("张四", "13800000002", "3栋2单元1201室", "", "sunrise")
FLAT = Complainant("张五", "13800000003", "1201室", "3栋", "sunrise")
FLAT_WHOLE = Complainant("张六", "13800000004", "3栋1201室", "3号楼", "sunrise")
OTHER = Complainant("李四", "13800000005", "2单元1201室", "5栋", "sunrise")


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_the_split_entry_and_the_whole_address_link_by_room(each_store: ComplaintStore) -> None:
    with make_desk(store=each_store) as desk:
        split = receive(desk, SPLIT, 0).id
        other = receive(desk, OTHER, 1).id  # building 5's unit 2, flat 1201
        whole = receive(desk, WHOLE, 2).id
        flat = receive(desk, FLAT, 3).id
        flat_whole = receive(desk, FLAT_WHOLE, 4).id
        assert same_room(desk, other) == []
        assert same_room(desk, whole) == [split]
        assert same_room(desk, flat_whole) == [flat]
