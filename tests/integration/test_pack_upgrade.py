"""A desk stored under an older rule pack, opened under a newer one (DL-6, DL-7).

Each projection row keeps the next sweep time its pack gave it.  When an upgrade
brings a deadline forward (DL-6's month now runs through a closure a reopening
undid), ``Desk.reproject`` rewrites the rows, so the sweep meets the month's end.
"""

from __future__ import annotations

import importlib.resources
import logging
from datetime import datetime
from pathlib import Path

import attrs
import pytest

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import StaffList, load_sample_staff
from complaintcore.core.errors import RulePackError
from complaintcore.core.models import Complainant, Grade, Intake
from complaintcore.core.rulepack import RulePack
from complaintcore.core.workflow import (
    Assess,
    Assign,
    Classify,
    Close,
    Escalate,
    RecordCause,
    Reopen,
    Reply,
    Visit,
)
from complaintcore.desk import Desk
from complaintcore.rules import load_pack_text
from tests.helpers import SH

NEW = (importlib.resources.files("complaintcore") / "rules" / "cn-property.toml").read_text(
    encoding="utf-8"
)
OLD = NEW.replace('reopen = "continue"   # reopened', 'reopen = "resume"   # reopened')


def at(day: int, month: int = 11, hour: int = 9, minute: int = 30) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=SH)


def desk_of(pack: RulePack, store: MemoryStore | SqliteStore) -> Desk:
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
    old.sweep(at(1, month=12, hour=20))  # the night's sweep reports what is overdue
    new = desk_of(load_pack_text(NEW), store)
    assert new.verify(at(2, month=12)).problems  # the row's next sweep time is too late
    assert new.reproject(at(2, month=12)) == [c.id]
    assert new.reproject(at(2, month=12)) == []  # nothing left to redo
    assert not new.verify(at(2, month=12)).problems
    assert c.id not in new.sweep(at(10, month=12, minute=25)).regraded
    assert c.id in new.sweep(at(10, month=12, minute=35)).regraded
    assert new.get(c.id).state.grade is Grade.MAJOR


def test_reproject_leaves_a_healthy_desk_alone_as_time_passes() -> None:
    """No pack change, `verify` clean: a row whose next sweep time has passed is no
    row out of date (the sweep finds it), so reproject rewrites nothing, however
    often it runs (review s27K f01: every overdue row was rewritten, every run)."""
    store = MemoryStore()
    desk = desk_of(load_pack_text(NEW), store)
    owner = Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise")
    for n in range(3):
        intake = Intake(owner, "phone", at(10, hour=9 + n), "SR-103", "楼上漏水", site="sunrise")
        desk.receive(intake, now=at(10, hour=9 + n))
    later = at(20)  # DL-1's 3 working days are long past: every row is due
    assert all(r.next_due is not None and r.next_due < later for r in store.rows())
    assert not desk.verify(later).problems
    assert desk.reproject(later) == []
    assert desk.reproject(at(21)) == []


RENAMED = NEW.replace('"project_manager"', '"estate_manager"')


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("DL-7")
def test_a_complaint_the_upgraded_pack_cannot_place_does_not_stop_the_sweep(
    tmp_path: Path,
) -> None:
    """The pack renames the rung one stored complaint stands on.  That complaint is
    named (by the sweep, verify and any command on it), and every other deadline
    is still swept: a breached reply escalates as before."""
    assert RENAMED != NEW
    db = tmp_path / "desk.sqlite3"
    old_pack = load_pack_text(NEW)
    old = Desk(
        pack=old_pack,
        store=SqliteStore(db),
        directory=load_sample_staff(pack=old_pack),
        calendar=calendar_for_spec(old_pack.calendar),
    )
    owner = Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise")
    stuck = old.receive(
        Intake(owner, "phone", at(10), "SR-103", "楼上漏水", site="sunrise"), now=at(10)
    )
    old.act(stuck.id, Assess(actor="SR-201", validity="valid"), now=at(10, minute=35))
    stuck = old.act(
        stuck.id,
        Escalate(actor="SR-201", trigger="cannot_handle", to_rung="project_manager"),
        now=at(10, minute=40),
    )
    assert stuck.state.rung == "project_manager"
    other = Complainant("李四", "13900000000", "3-1-301", "3", "sunrise")
    late = old.receive(
        Intake(other, "phone", at(10), "SR-103", "电梯坏了", site="sunrise"), now=at(10)
    )
    old.act(late.id, Assess(actor="SR-201", validity="valid"), now=at(10, minute=35))
    rung_before = old.get(late.id).state.rung
    old.close()

    new_pack = load_pack_text(RENAMED)
    new = Desk(
        pack=new_pack,
        store=SqliteStore(db),
        directory=StaffList(  # HR renamed the rung too
            attrs.evolve(m, rung="estate_manager" if m.rung == "project_manager" else m.rung)
            for m in load_sample_staff()
        ),
        calendar=calendar_for_spec(new_pack.calendar),
    )
    # Received Mon 10 Nov: the 3-working-day reply was due at the close of Thu 13 Nov.
    report = new.sweep(at(20))
    assert [cid for cid, _ in report.failed] == [stuck.id]
    error = report.failed[0][1]
    assert isinstance(error, RulePackError)
    assert stuck.id in str(error)
    assert "'project_manager'" in str(error)
    assert late.id in {cid for cid, _ in report.escalated}
    assert new.get(late.id).state.rung != rung_before
    problems = new.verify(at(20)).problems
    assert [p for p in problems if stuck.id in p]
    assert not [p for p in problems if late.id in p]
    assert new.reproject(at(20)) == []
    with pytest.raises(RulePackError, match=stuck.id):
        new.act(stuck.id, Reply(actor="SR-201", message="处理中"), now=at(20))
    new.close()


GREENING = NEW.replace('code = "greening"\nzh = "绿化"\n', 'code = "landscaping"\nzh = "绿化"\n')


@pytest.mark.procedure("CLS-1")
def test_a_complaint_in_a_category_the_upgraded_pack_renamed_is_named_until_reclassified() -> None:
    """The pack renames the category ``greening`` to ``landscaping`` (its department
    keeps its code).  Grading a complaint filed under the old code is refused naming
    the complaint, the stored code and what to do -- not ``category: unknown
    category`` about a command that has no category -- and ``verify`` names it, as
    for a renamed rung (review s25B F03).  Classified again, it is graded as usual."""
    assert GREENING.count('code = "landscaping"') == 1
    store = MemoryStore()
    old = desk_of(load_pack_text(NEW), store)
    owner = Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise")
    weeds = old.receive(
        Intake(owner, "phone", at(10), "SR-103", "小区绿化带杂草丛生", site="sunrise"), now=at(10)
    )
    assert weeds.state.category == "greening"
    handler = weeds.state.handler

    new = desk_of(load_pack_text(GREENING), store)
    with pytest.raises(RulePackError) as err:
        new.act(weeds.id, Assess(actor=handler, validity="valid"), now=at(10, minute=35))
    assert str(err.value) == (
        f"invalid rule pack cn-property: categories: complaint {weeds.id} is filed under"
        " category 'greening', not among the pack's categories (renamed or removed?):"
        " classify it again"
    )
    assert new.get(weeds.id).version == weeds.version  # nothing written
    assert new.verify(at(10, minute=35)).problems == (
        f"complaint {weeds.id}: cannot be replayed under pack cn-property: {err.value}",
    )
    # a command that does not grade is not in the way (the reply clock still runs)
    new.act(weeds.id, Reply(actor=handler, message="已安排清理"), now=at(10, minute=36))
    new.act(weeds.id, Classify(actor=handler, category="landscaping"), now=at(10, minute=40))
    assessed = new.act(weeds.id, Assess(actor=handler, validity="valid"), now=at(10, minute=45))
    assert assessed.state.category == "landscaping"
    assert assessed.state.grade is not None
    assert new.verify(at(10, minute=45)).problems == ()


@pytest.mark.procedure("DL-6")
def test_the_sweep_logs_a_complaint_it_cannot_grade_for_its_renamed_category(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A valid greening complaint received Mon 10 Nov turns major a month on (DL-6);
    once the pack renamed ``greening`` that grade cannot be worked out until it is
    classified again: the sweep says so in the log, and escalates its other due
    clocks as before."""
    store = MemoryStore()
    old = desk_of(load_pack_text(NEW), store)
    owner = Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise")
    weeds = old.receive(
        Intake(owner, "phone", at(10), "SR-103", "小区绿化带杂草丛生", site="sunrise"), now=at(10)
    )
    handler = weeds.state.handler
    old.act(weeds.id, Assess(actor=handler, validity="valid"), now=at(10, minute=35))

    new = desk_of(load_pack_text(GREENING), store)
    with caplog.at_level(logging.ERROR, logger="complaintcore.desk"):
        report = new.sweep(at(10, month=12, minute=35))
    assert report.regraded == ()
    assert report.failed == ()
    assert {cid for cid, _ in report.escalated} == {weeds.id}  # the reply, long breached
    assert (
        f"sweep: complaint {weeds.id} not graded: invalid rule pack cn-property: categories:"
        f" complaint {weeds.id} is filed under category 'greening'"
    ) in caplog.text
    assert "王小明" not in caplog.text


LANDSCAPING = NEW.replace(
    'code = "greening"\nzh = "绿化部"', 'code = "landscaping"\nzh = "绿化部"'
).replace('department = "greening"', 'department = "landscaping"')


@pytest.mark.procedure("CLS-3")
def test_a_complaint_with_a_department_the_upgraded_pack_renamed_is_named_by_verify(
    tmp_path: Path,
) -> None:
    """The pack renames the department ``greening`` to ``landscaping`` (and HR the
    staff's).  A complaint stored with the old code is named by ``verify`` as one
    with a stranded category or rung is (rule-packs.md, "Upgrading a pack a desk
    already uses"; review s42B F05); assigned to the new department, it is not."""
    assert LANDSCAPING.count('code = "landscaping"') == 1
    db = tmp_path / "desk.sqlite3"
    old = desk_of(load_pack_text(NEW), SqliteStore(db))
    owner = Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise")
    lawn = old.receive(
        Intake(owner, "phone", at(10), "SR-103", "小区草坪没人修剪，绿化太差", site="sunrise"),
        now=at(10),
    )
    assert lawn.state.department == "greening"
    old.close()

    new_pack = load_pack_text(LANDSCAPING)
    staff = StaffList(  # HR renamed the department too
        attrs.evolve(m, department="landscaping" if m.department == "greening" else m.department)
        for m in load_sample_staff()
    )
    new = Desk(
        pack=new_pack,
        store=SqliteStore(db),
        directory=staff,
        calendar=calendar_for_spec(new_pack.calendar),
    )
    assert new.verify(at(11)).problems == (
        f"complaint {lawn.id}: department 'greening' is not among the departments of pack"
        " cn-property (renamed or removed?): assign it to one of them",
    )
    # customer service's head (SR-101) hands it to the landscaping head (SR-501)
    again = Assign(
        actor="SR-101", handler="SR-501", rung="department_head", department="landscaping"
    )
    moved = new.act(lawn.id, again, now=at(11))
    assert moved.state.department == "landscaping"
    assert new.verify(at(11)).problems == ()
    new.close()
