"""A desk stored under an older rule pack, opened under a newer one (DL-6, DL-7).

Each projection row keeps the next sweep time its pack gave it.  When an upgrade
brings a deadline forward (DL-6's month now runs through a closure a reopening
undid), ``Desk.reproject`` rewrites the rows, so the sweep meets the month's end.
"""

from __future__ import annotations

import importlib.resources
from datetime import datetime

import pytest

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.models import Complainant, Grade, Intake
from complaintcore.core.rulepack import RulePack
from complaintcore.core.workflow import Assess, Close, RecordCause, Reopen, Reply, Visit
from complaintcore.desk import Desk
from complaintcore.rules import load_pack_text
from tests.helpers import SH

NEW = (importlib.resources.files("complaintcore") / "rules" / "cn-property.toml").read_text(
    encoding="utf-8"
)
OLD = NEW.replace('reopen = "continue"   # reopened', 'reopen = "resume"   # reopened')


def at(day: int, month: int = 11, hour: int = 9, minute: int = 30) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=SH)


def desk_of(pack: RulePack, store: MemoryStore) -> Desk:
    staff = load_sample_staff(pack=pack)
    return Desk(pack=pack, store=store, directory=staff, calendar=calendar_for_spec(pack.calendar))


@pytest.mark.procedure("DL-6")
def test_reproject_brings_the_month_end_forward_after_the_pack_upgrade() -> None:
    """Received Mon 10 Nov 09:30, closed Tue 11 Nov, reopened Mon 1 Dec under the old
    pack (the month paused while closed).  Under the new one the month ends Wed 10 Dec
    09:30, one month after receipt; the sweep then finds it once the rows are redone."""
    assert OLD != NEW
    store = MemoryStore()
    old = desk_of(load_pack_text(OLD), store)
    owner = Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise")
    intake = Intake(owner, "phone", at(10), "SR-103", "楼上漏水，天花板渗水", site="sunrise")
    c = old.receive(intake, now=at(10))
    for command, when in (
        (Assess(actor="SR-201", validity="valid"), at(10, minute=35)),
        (Reply(actor="SR-201", message="已更换水管", final=True), at(10, hour=12)),
        (Visit(actor="SR-102", satisfied=True), at(11)),
        (RecordCause(actor="SR-201", cause="水管老化", corrective="更换"), at(11, minute=40)),
        (Close(actor="SR-201", result="已修好"), at(11, minute=45)),
        (Reopen(actor="SR-201", reason="又漏水了"), at(1, month=12)),
    ):
        old.act(c.id, command, now=when)
    new = desk_of(load_pack_text(NEW), store)
    assert new.verify(at(2, month=12)).problems  # the row's next sweep time is too late
    assert new.reproject(at(2, month=12)) == [c.id]
    assert new.reproject(at(2, month=12)) == []  # nothing left to redo
    assert not new.verify(at(2, month=12)).problems
    assert c.id not in new.sweep(at(10, month=12, minute=25)).regraded
    assert c.id in new.sweep(at(10, month=12, minute=35)).regraded
    assert new.get(c.id).state.grade is Grade.MAJOR
