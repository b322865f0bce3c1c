"""Review s49E: a desk's rule pack or calendar edited under complaints already swept.

F01: a deadline lengthened (a pack edit, a holiday notice) after its breach was
escalated moves the due time, not the clock run: the run was escalated once and
is not escalated again at the new due time (ESC-2, DL-7); a new run (a
reopening) still is.  F02: a monthly report is judged with the pack and calendar
in force when it is run (docs/statistics.md); a desk keeps a past month's
figures by keeping the report handed out, or by reporting with the old pack.
"""

from __future__ import annotations

import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from complaintcore import HolidayDataWarning
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.models import Complainant, Intake
from complaintcore.core.rulepack import RulePack
from complaintcore.core.workflow import (
    Assess,
    Close,
    Escalate,
    Handle,
    RecordCause,
    Reopen,
    Reply,
    Visit,
)
from complaintcore.desk import Desk
from complaintcore.rules import load_pack
from complaintcore.rules.loader import load_pack_data
from complaintcore.serialization import to_dict
from tests.helpers import SH, STATUTORY_2088


def _edited(days: str = "3d", *, clocks: tuple[str, ...] = ("reply",), **calendar: Any) -> RulePack:
    """cn-property with ``clocks`` (DL-1's reply) lasting ``days`` and ``calendar`` keys set."""
    data = to_dict(load_pack("cn-property"))
    data["calendar"] = {**data["calendar"], **calendar}
    data["clocks"] = [{**c, "duration": days} if c["name"] in clocks else c for c in data["clocks"]]
    return load_pack_data(data, "cn-property")


def _desk(pack: RulePack, path: Path) -> Desk:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HolidayDataWarning)  # 2089-2090 are not typed in
        calendar = calendar_for_spec(pack.calendar)
    return Desk(
        pack=pack,
        store=SqliteStore(path),
        directory=load_sample_staff(pack=pack),
        calendar=calendar,
    )


def _receive(desk: Desk, when: datetime) -> str:
    owner = Complainant("王小明", "13912345678", "3-2-301", "3", "sunrise")
    return desk.receive(
        Intake(owner, "phone", when, "SR-103", "楼道灯坏了", site="sunrise"), now=when
    ).id


def _reply_due(desk: Desk, cid: str, now: datetime) -> datetime | None:
    (reply,) = [c for c in desk.clocks(cid, now) if c.name == "reply"]
    return reply.due


def _escalated_for(desk: Desk, cid: str, clock: str) -> list[tuple[datetime, str]]:
    """(when, to which rung) of each escalation naming ``clock``."""
    return [
        (e.at, getattr(e, "to_rung", ""))
        for e in desk.get(cid).events
        if e.kind == "escalated" and clock in getattr(e, "clock", "").split(",")
    ]


def at(day: int, month: int = 11, hour: int = 19, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=SH)


RECEIVED = datetime(2025, 11, 12, 10, 0, tzinfo=SH)
"""Wed 12 Nov 2025 10:00.  DL-1's reply in 3 working days after the day of receipt:
Thu 13, Fri 14, Mon 17, due Mon 17 Nov 18:00; in 5: also Tue 18, Wed 19, due Wed 19
Nov 18:00 (no holiday in those weeks)."""


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("DL-7")
def test_a_reply_lengthened_after_its_breach_was_escalated_is_not_escalated_again(
    tmp_path: Path,
) -> None:
    """Escalated Mon 17 Nov 19:00 for the reply due at 18:00; the company then gives
    the reply 5 working days: due Wed 19 Nov 18:00.  The sweep at 19:00 that day
    leaves the complaint where it is: one escalation for the run (review s49E F01)."""
    path = tmp_path / "desk.sqlite3"
    before = _desk(_edited("3d"), path)
    cid = _receive(before, RECEIVED)
    assert _reply_due(before, cid, RECEIVED) == at(17, hour=18)
    assert (cid, "reply") in before.sweep(at(17)).escalated
    assert _escalated_for(before, cid, "reply") == [(at(17), "project_manager")]
    before.close()

    after = _desk(_edited("5d"), path)
    assert _reply_due(after, cid, at(18, hour=9)) == at(19, hour=18)
    assert after.sweep(at(18, hour=9)).reprojected == (cid,)
    swept = after.sweep(at(19))
    assert [clock for c, clock in swept.escalated if c == cid] == []
    assert after.get(cid).state.rung == "project_manager"
    assert _escalated_for(after, cid, "reply") == [(at(17), "project_manager")]
    assert after.sweep(at(20)).escalated == ()  # nor on any later sweep
    assert after.verify(at(20)).ok
    after.close()


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("DL-7")
def test_a_reopening_after_the_lengthening_escalates_the_new_runs(tmp_path: Path) -> None:
    """The company gives the reply and the department's result (DL-3) 5 working days
    each: both were escalated together on Mon 17 Nov, neither again on Wed 19 Nov.
    The runs a reopening starts are new runs (``reopen = "restart"``): reopened Mon
    24 Nov 10:00, both are due after Tue 25, Wed 26, Thu 27, Fri 28 and Mon 1 Dec,
    at 18:00, and the sweep at 19:00 escalates them, one rung up."""
    both = ("reply", "department_result")
    path = tmp_path / "desk.sqlite3"
    before = _desk(_edited("3d"), path)
    cid = _receive(before, RECEIVED)
    assert set(before.sweep(at(17)).escalated) == {(cid, "reply"), (cid, "department_result")}
    before.close()

    after = _desk(_edited("5d", clocks=both), path)
    assert after.sweep(at(19)).escalated == ()
    for command, when in (
        (Assess(actor="SR-201", validity="valid"), at(20, hour=9)),
        (Reply(actor="SR-201", message="已换灯泡", final=True), at(20, hour=10)),
        (Visit(actor="SR-102", satisfied=True), at(21, hour=10)),
        (RecordCause(actor="SR-201", cause="灯泡老化", corrective="更换"), at(21, hour=11)),
        (Close(actor="SR-201", result="已修好"), at(21, hour=12)),
        (Reopen(actor="SR-201", reason="又坏了"), at(24, hour=10)),
    ):
        after.act(cid, command, now=when)
    assert _reply_due(after, cid, at(24, hour=10)) == at(1, month=12, hour=18)
    assert after.sweep(at(1, month=12, hour=17)).escalated == ()
    swept = after.sweep(at(1, month=12))
    assert set(swept.escalated) == {(cid, "reply"), (cid, "department_result")}
    assert _escalated_for(after, cid, "reply") == [
        (at(17), "project_manager"),
        (at(1, month=12), "senior_management"),
    ]
    after.close()


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("DL-1")
def test_a_holiday_notice_that_moves_an_escalated_due_time_later_escalates_nothing_more(
    tmp_path: Path,
) -> None:
    """Thu 18 March 2088 10:00 on guessed days (2088 uncovered): the reply is due after
    Fri 19, Mon 22 and Tue 23, at 18:00, and escalated at 19:00.  The notice then
    makes Mon 22 a day off: the days are Fri 19, Tue 23 and Wed 24, due Wed 24
    18:00, and the sweep at 19:00 that day escalates nothing more."""
    path = tmp_path / "desk.sqlite3"
    years = {"first_year": 2088, "last_year": 2090}
    received = at(18, month=3, hour=10, year=2088)
    before = _desk(_edited(**years), path)
    cid = _receive(before, received)
    assert _reply_due(before, cid, received) == at(23, month=3, hour=18, year=2088)
    assert (cid, "reply") in before.sweep(at(23, month=3, year=2088)).escalated
    before.close()

    notice = {"year": 2088, "holidays": [*STATUTORY_2088, "2088-03-22"], "workdays": []}
    after = _desk(_edited(**years, by_year=[notice]), path)
    assert _reply_due(after, cid, received) == at(24, month=3, hour=18, year=2088)
    swept = after.sweep(at(24, month=3, year=2088))
    assert swept.reprojected == (cid,)
    assert [clock for c, clock in swept.escalated if c == cid] == []
    assert [when for when, _rung in _escalated_for(after, cid, "reply")] == [
        at(23, month=3, year=2088)
    ]
    after.close()


def _kept_basis(path: Path) -> str | None:
    store = SqliteStore(path)
    try:
        return store.projection_basis()
    finally:
        store.close()


def _reply_and_escalations(desk: Desk) -> tuple[int, int, int]:
    """October 2025's reply clock (met, missed) and its escalations for a missed
    deadline, as a report run on Wed 5 Nov 12:00 gives them."""
    report = desk.monthly_report(2025, 10, now=at(5, hour=12))
    (reply,) = [c for c in report.clocks if c.name == "reply"]
    (missed,) = [c for c in report.escalations if c.key == "deadline_missed"]
    return reply.met, reply.missed, missed.count


@pytest.mark.procedure("DL-1")
@pytest.mark.procedure("IMP-2")
def test_a_past_months_report_is_judged_with_the_pack_it_is_run_with(tmp_path: Path) -> None:
    """Received Mon 13 Oct 2025 10:00: 3 working days are Tue 14, Wed 15, Thu 16, so
    the reply was due Thu 16 Oct 18:00, escalated at 19:00 and given late on Fri 17.
    October's report: missed.  Once the pack gives 5 days (Fri 17 and Mon 20 too:
    due Mon 20 Oct 18:00) the same report reads met -- the escalation made for it
    is still counted (review s49E F02: docs/statistics.md says so).  Run with the
    old pack over the same store, it reads as handed out, and writes nothing: the
    desk on the new pack has no row to rewrite afterwards."""
    path = tmp_path / "desk.sqlite3"
    before = _desk(_edited("3d"), path)
    received = datetime(2025, 10, 13, 10, 0, tzinfo=SH)
    cid = _receive(before, received)
    before.act(cid, Assess(actor="SR-201", validity="valid"), now=received)
    assert _reply_due(before, cid, received) == at(16, month=10, hour=18)
    assert (cid, "reply") in before.sweep(at(16, month=10)).escalated
    before.act(cid, Handle(actor="SR-201", result="换了灯泡"), now=at(17, month=10, hour=10))
    before.act(
        cid,
        Reply(actor="SR-201", message="已修好", final=True),
        now=at(17, month=10, hour=10),
    )
    assert _reply_and_escalations(before) == (0, 1, 1)
    before.close()

    after = _desk(_edited("5d"), path)
    after.sweep(at(1, month=12, hour=9))
    assert _reply_due(after, cid, received) == at(20, month=10, hour=18)
    assert _reply_and_escalations(after) == (1, 0, 1)

    kept = _kept_basis(path)
    old = _desk(_edited("3d"), path)
    assert _reply_and_escalations(old) == (0, 1, 1)
    old.close()
    assert _kept_basis(path) == kept  # no row written on the old pack
    assert after.sweep(at(1, month=12, hour=10)).reprojected == ()
    assert after.verify(at(1, month=12, hour=10)).ok
    after.close()


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("DL-7")
def test_an_escalation_naming_the_clock_before_its_breach_leaves_the_breach_escalated(
    tmp_path: Path,
) -> None:
    """Review s49J F01.  The department's result handled Fri 14 Nov, so only the reply
    (due Mon 17 Nov 18:00) can breach.  At 10:00 that Monday, while the reply is at
    risk, the handler escalates (``cannot_handle``) naming it: no breach yet, so the
    sweep at 19:00 still escalates the breach, one rung further, once."""
    desk = _desk(_edited("3d"), tmp_path / "desk.sqlite3")
    cid = _receive(desk, RECEIVED)
    desk.act(cid, Handle(actor="SR-201", result="换了灯泡"), now=at(14, hour=10))
    desk.act(
        cid,
        Escalate(actor="SR-201", trigger="cannot_handle", clock="reply", note="来不及"),
        now=at(17, hour=10),
    )
    assert _escalated_for(desk, cid, "reply") == [(at(17, hour=10), "project_manager")]
    assert desk.sweep(at(17)).escalated == ((cid, "reply"),)
    assert _escalated_for(desk, cid, "reply") == [
        (at(17, hour=10), "project_manager"),
        (at(17), "senior_management"),
    ]
    assert desk.sweep(at(18)).escalated == ()  # the breach escalated once
    desk.close()
