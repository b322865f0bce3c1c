"""DL-5 at the desk: when a promise to the complainant is kept, and what breaking one owes.

000 §4 has the handler negotiate the *processing* time with the owner (约定时间);
003 "closed feedback": a promise to the customer that cannot be kept obliges an
apology, the specific reason and a remedy.  002 §4.4 (VIS-2): a question a return
visit cannot answer at once gets a reply time the complainant is told.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from complaintcore import (
    Assess,
    ClockState,
    Complainant,
    Desk,
    Handle,
    Intake,
    Promise,
    Reply,
    Visit,
)
from complaintcore.testing import make_desk

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def receive(desk: Desk, room: str, when: str) -> str:
    owner = Complainant(name="王小明", phone="13812345678", room=room, building="3", site="sunrise")
    intake = Intake(
        complainant=owner,
        channel="phone",
        received_at=at(when),
        receiver="SR-103",
        summary="厨房水龙头漏水",
        site="sunrise",
    )
    return desk.receive(intake, now=at(when)).id


@pytest.mark.procedure("DL-5")
def test_a_promise_kept_by_the_departments_result_is_not_broken() -> None:
    """Promised "fixed by Tuesday 17:00"; the repair result is in on Tuesday 14:00."""
    desk = make_desk()
    cid = receive(desk, "3-2-1201", "2025-11-10 09:30")
    desk.act(cid, Assess(actor="SR-201", validity="valid"), now=at("2025-11-10 10:30"))
    desk.act(
        cid,
        Promise(actor="SR-201", due=at("2025-11-11 17:00"), note="周二下班前修好"),
        now=at("2025-11-10 10:35"),
    )
    desk.act(cid, Handle(actor="SR-201", result="更换水龙头，已修好"), now=at("2025-11-11 14:00"))
    now = at("2025-11-11 17:30")
    report = desk.sweep(now)
    clocks = {c.name: c for c in desk.clocks(cid, now)}
    assert clocks["promise"].state is ClockState.MET
    assert not [name for _, name in report.escalated]
    assert not [d for d in desk.duties(cid, now) if d.name == "apology" and d.owed]
    # telling the complainant is DL-3's: 2 working days after the result (Thu 18:00)
    assert clocks["reply_after_result"].due == at("2025-11-13 18:00")


@pytest.mark.procedure("DL-5")
def test_a_result_after_the_agreed_time_still_broke_the_promise() -> None:
    desk = make_desk()
    cid = receive(desk, "3-2-1203", "2025-11-10 09:30")
    desk.act(
        cid,
        Promise(actor="SR-201", due=at("2025-11-11 17:00"), note="周二下班前修好"),
        now=at("2025-11-10 10:35"),
    )
    desk.act(cid, Handle(actor="SR-201", result="已修好"), now=at("2025-11-12 10:00"))
    now = at("2025-11-12 10:30")
    assert {c.name: c for c in desk.clocks(cid, now)}[
        "promise"
    ].state is ClockState.MISSED  # met late
    apology = [d for d in desk.duties(cid, now) if d.name == "apology"]
    assert apology[0].clock.started_at == at("2025-11-11 17:00")


@pytest.mark.procedure("DL-5")
@pytest.mark.procedure("VIS-2")
def test_a_missed_reply_time_appointed_at_a_visit_owes_an_apology() -> None:
    """The visit appointed a reply by Tuesday 12:00; none came.  The apology is owed
    from 12:00, within 2 hours on the clock: 14:00, lunch or not (DL-5 "at once")."""
    desk = make_desk()
    cid = receive(desk, "3-2-1202", "2025-11-24 09:00")
    desk.act(cid, Handle(actor="SR-201", result="已修好"), now=at("2025-11-24 10:00"))
    desk.act(cid, Reply(actor="SR-201", message="已修好", final=True), now=at("2025-11-24 10:30"))
    desk.act(
        cid,
        Visit(
            actor="SR-102",
            satisfied=True,
            opinion="业主问物业费明细，需核实",
            reply_due=at("2025-11-25 12:00"),
        ),
        now=at("2025-11-24 11:00"),
    )
    now = at("2025-11-25 13:00")
    desk.sweep(now)
    owed = {d.name: d for d in desk.duties(cid, now) if d.owed}
    assert "apology" in owed
    assert owed["apology"].clock.started_at == at("2025-11-25 12:00")
    assert owed["apology"].due == at("2025-11-25 14:00")
