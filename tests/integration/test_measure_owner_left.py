"""IMP-1 at the desk: a corrective or preventive measure answers to its unit as well
as its owner (004 篇2 §3.5B "责任单位及责任人应根据提出的措施和要求进行整改").  When
the owner has left the staff directory, an overdue measure is reported to the head
of its unit, not to nobody."""

from __future__ import annotations

from datetime import datetime

import pytest

from complaintcore import AddMeasure, Assess, Complainant, Intake, RecordCause, StaffMember
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.rules import load_pack
from complaintcore.testing import MemoryStore, RecordingNotifier, make_desk
from tests.helpers import SH

STAFF = list(load_sample_staff(pack=load_pack("cn-property")).members())


def at(day: int, hour: int) -> datetime:
    return datetime(2025, 11, day, hour, 0, tzinfo=SH)


def _overdue_told(staff: list[StaffMember]) -> list[str]:
    store = MemoryStore()
    desk = make_desk(store=store, staff=STAFF)
    owner = Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise")
    intake = Intake(owner, "phone", at(3, 9), "SR-103", "厨房水龙头漏水", site="sunrise")
    cid = desk.receive(intake, now=at(3, 9)).id
    desk.act(cid, Assess(actor="SR-201", validity="valid"), now=at(3, 10))
    desk.act(
        cid, RecordCause(actor="SR-201", cause="阀芯老化", corrective="更换阀芯"), now=at(3, 11)
    )
    measure = AddMeasure(
        actor="SR-201",
        kind="preventive",
        action="巡检全楼水龙头",
        owner="SR-202",
        department="engineering",
        due=at(20, 18),
    )
    desk.act(cid, measure, now=at(3, 12))
    notes = RecordingNotifier()
    later = make_desk(store=store, staff=staff, notifiers=[notes])
    later.sweep(at(21, 10))  # the day after it was due
    later.deliver(at(21, 10))
    return [n.recipient for n, _ in notes.sent if n.topic == "measure_overdue"]


@pytest.mark.procedure("IMP-1")
def test_an_overdue_measure_is_reported_to_its_owner() -> None:
    assert _overdue_told(STAFF) == ["SR-202"]


@pytest.mark.procedure("IMP-1")
def test_an_overdue_measure_whose_owner_left_is_reported_to_the_head_of_its_unit() -> None:
    left = [m for m in STAFF if m.staff_id != "SR-202"]
    heads = {
        m.staff_id
        for m in left
        if m.department == "engineering" and m.rung == "department_head" and m.site == "sunrise"
    }
    assert heads  # the sample staff's engineering head at sunrise
    assert set(_overdue_told(left)) == heads
