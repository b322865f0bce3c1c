"""DL-3's department clocks follow the department that owes the result (review s26B
F01, F04; s26E F05), and the events that say so keep their stored bytes.

cn-property, 2026 calendar (no holidays in November): Monday 2 November is a working
day, working hours 09:00-12:00 and 13:00-18:00.  "3 working days" after a day ends
at 18:00 on the third working day after it (the pack's reading of 004 篇3 "3日内").
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.chain import canonical_json, event_hash
from complaintcore.core.deadlines import ClockState, breached_clocks, compute_clock
from complaintcore.core.models import Assigned, Complaint, Handled
from complaintcore.core.stats import monthly_report
from complaintcore.core.workflow import Assess, Assign, Classify, Escalate, Handle, Reply
from complaintcore.serialization import event_from_dict, event_to_dict
from tests.helpers import SH, Runner, intake, pack

PACK = pack()
CAL = calendar_for_spec(PACK.calendar)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


def clock(c: Complaint, name: str, now: datetime):  # type: ignore[no-untyped-def]
    return compute_clock(c, PACK.clock(name), CAL, now)


def breached(c: Complaint, now: datetime) -> set[str]:
    return {s.name for s in breached_clocks(c, PACK, CAL, now)}


def leak(received: datetime, summary: str = "卫生间漏水，天花板渗水") -> Runner:
    """Registered by customer service at ``received``."""
    r = Runner(PACK, intake(summary=summary, received_at=received))
    r.register()
    return r


def engineering() -> Assign:
    return Assign(
        actor="SR-103", handler="SR-201", rung="department_head", department="engineering"
    )


def until(r: Runner, when: datetime) -> timedelta:
    return when - r.now


# --------------------------------------------------------------------------- F01: moved


@pytest.mark.procedure("DL-3")
def test_a_complaint_moved_to_another_department_gives_it_its_own_three_days() -> None:
    """s26B F01: engineering takes the leak Mon 2 Nov 10:00; on Wed 4 Nov 16:05 it is
    found to be a parking matter and given to security.  004 篇3 "自受理之日起3日内":
    security owes its result 3 working days after its own acceptance (Thu 5, Fri 6,
    Mon 9): Mon 9 Nov 18:00.  Engineering's run, moved before its due time (Thu 5 Nov
    18:00), counts neither met nor missed; at Thu 18:30 nothing is late."""
    r = leak(at(11, 2, 10))
    r(engineering(), after=timedelta(0))
    r(Classify(actor="SR-102", category="parking"), after=until(r, at(11, 4, 16)))
    c = r(
        Assign(actor="SR-101", handler="SR-301", rung="department_head", department="security"),
        after=timedelta(minutes=5),
    )
    moved = c.events[-1]
    assert isinstance(moved, Assigned)
    assert moved.previous_department == "engineering"
    assert moved.tags() == ("assigned", "assigned:security", "transferred")
    thursday = at(11, 5, 18, 30)
    status = clock(c, "department_result", thursday)
    assert (status.state, status.started_at, status.due) == (
        ClockState.RUNNING,
        at(11, 4, 16, 5),
        at(11, 9, 18),
    )
    assert (status.run, status.superseded, status.breaches) == (2, 1, ())
    assert "department_result" not in breached(c, thursday)
    # the month counts security's run alone: nothing missed
    report = monthly_report([c], PACK, CAL, year=2026, month=11, now=thursday)
    figures = next(f for f in report.clocks if f.name == "department_result")
    assert (figures.started, figures.running, figures.met, figures.missed) == (1, 1, 0, 0)


@pytest.mark.procedure("DL-3")
def test_a_department_that_was_late_before_the_move_stays_late() -> None:
    """Engineering's 3 working days from Mon 2 Nov 10:00 ended Thu 5 Nov 18:00; moved to
    security on Fri 6 Nov 10:00, the breach stands (DL-7) and security's own run is due
    Wed 11 Nov 18:00 (Mon 9, Tue 10, Wed 11)."""
    r = leak(at(11, 2, 10))
    r(engineering(), after=timedelta(0))
    c = r(
        Assign(actor="SR-101", handler="SR-301", rung="department_head", department="security"),
        after=until(r, at(11, 6, 10)),
    )
    status = clock(c, "department_result", at(11, 6, 11))
    assert (status.state, status.due, status.run) == (ClockState.RUNNING, at(11, 11, 18), 2)
    assert status.breaches == (at(11, 5, 18),)


@pytest.mark.procedure("DL-3")
def test_a_new_handler_in_the_same_department_or_from_above_moves_nothing() -> None:
    """Another engineer, or a project manager taking it without a department (ESC-4), is
    not a move: the department's 3 working days still end Thu 5 Nov 18:00."""
    r = leak(at(11, 2, 10))
    r(engineering(), after=timedelta(0))
    c = r(
        Assign(actor="SR-201", handler="SR-202", rung="department_head", department="engineering"),
        after=until(r, at(11, 3, 10)),
    )
    assert isinstance(c.events[-1], Assigned)
    assert c.events[-1].previous_department == ""
    assert "transferred" not in c.events[-1].tags()
    r(Escalate(actor="SR-202", trigger="cannot_handle"))
    c = r(Assign(actor="SR-001", handler="SR-001", rung="project_manager"))
    assert "transferred" not in c.events[-1].tags()
    status = clock(c, "department_result", at(11, 4, 10))
    assert (status.started_at, status.due, status.run) == (at(11, 2, 10), at(11, 5, 18), 1)


# --------------------------------------------------------------------------- F04: helper


@pytest.mark.procedure("CLS-3")
@pytest.mark.procedure("DL-3")
def test_a_helping_departments_part_leaves_the_responsible_departments_result_owed() -> None:
    """s26B F04: parking (security responsible, finance helping).  Finance's refund on
    Tue 3 Nov 10:00 is its part: security's result is still owed, due 3 working days
    after Mon 2 Nov (Tue 3, Wed 4, Thu 5): Thu 5 Nov 18:00, late at 18:30; nothing is
    owed to the complainant yet.  Security's own result on Fri 6 Nov 10:00 ends it
    (late) and owes the reply within 2 working days: Tue 10 Nov 18:00."""
    r = leak(at(11, 2, 10), "地库车位被占用，停车费也多收了")
    r(Classify(actor="SR-103", category="parking"), after=timedelta(0))
    r(
        Assign(actor="SR-103", handler="SR-301", rung="department_head", department="security"),
        after=timedelta(0),
    )
    assert (r.complaint.state.department, r.complaint.state.helpers) == ("security", ("finance",))
    c = r(
        Handle(actor="HQ-020", result="已退还多收的停车费", department="finance"),
        after=until(r, at(11, 3, 10)),
    )
    part = c.events[-1]
    assert isinstance(part, Handled)
    assert (part.department, part.helper) == ("finance", True)
    assert part.tags() == ("handled", "handled:helper")
    assert not c.state.handled
    status = clock(c, "department_result", at(11, 3, 10))
    assert (status.state, status.due) == (ClockState.RUNNING, at(11, 5, 18))
    assert clock(c, "reply_after_result", at(11, 3, 10)).state is ClockState.NOT_STARTED
    assert "department_result" in breached(c, at(11, 5, 18, 30))
    c = r(Handle(actor="SR-301", result="已清理占用车位"), after=until(r, at(11, 6, 10)))
    result = c.events[-1]
    assert isinstance(result, Handled)
    assert (result.department, result.helper) == ("security", False)
    assert result.tags() == ("handled", "handled:responsible")
    assert c.state.handled
    done = clock(c, "department_result", at(11, 6, 11))
    assert (done.state, done.stopped_at) == (ClockState.MISSED, at(11, 6, 10))
    reply = clock(c, "reply_after_result", at(11, 6, 11))
    assert (reply.state, reply.started_at, reply.due) == (
        ClockState.RUNNING,
        at(11, 6, 10),
        at(11, 10, 18),
    )


# --------------------------------------------------------------------------- s26E F05


@pytest.mark.procedure("DL-3")
def test_a_final_reply_by_the_department_itself_delivers_its_result() -> None:
    """s26E F05 (the README tour: assess, reply --final, no handle): the engineering head
    assessed the lamp at 11:00 and gave the owner the final reply at 13:00 on Mon 2 Mar
    2026.  The department's result reached further than customer service within 3
    hours: met at 13:00, nothing late on Thu 5 Mar at 18:01 (due 18:00)."""
    r = Runner(PACK, intake(summary="路灯坏了", received_at=datetime(2026, 3, 2, 10, tzinfo=SH)))
    r.register()
    r(engineering(), after=timedelta(0))
    r(Assess(actor="SR-201", validity="valid"), after=until(r, datetime(2026, 3, 2, 11, tzinfo=SH)))
    c = r(
        Reply(actor="SR-201", message="已更换灯泡，已修好", final=True),
        after=until(r, datetime(2026, 3, 2, 13, tzinfo=SH)),
    )
    late = datetime(2026, 3, 5, 18, 1, tzinfo=SH)
    status = clock(c, "department_result", late)
    assert (status.state, status.stopped_at) == (
        ClockState.MET,
        datetime(2026, 3, 2, 13, tzinfo=SH),
    )
    assert breached(c, late) == set()


# --------------------------------------------------------------------------- stored bytes


def test_events_stored_before_the_new_fields_keep_their_text_and_hash() -> None:
    """``Assigned.previous_department`` and ``Handled.helper`` are left out while they
    hold their defaults: an assignment stored by 0.1.0 (tests/data/desk-0.1.0.sqlite,
    C-OLD-1 seq 3) encodes to the very text it was stored as, so its hash stays true;
    so does a department result written before ``helper`` existed."""
    stored = (
        '{"actor":"SR-103","at":"2025-11-10T10:00:00+08:00","department":"engineering",'
        '"handler":"SR-201","rung":"department_head","type":"assigned"}'
    )
    again = canonical_json(event_to_dict(event_from_dict(json.loads(stored))))
    assert again == stored
    previous = "b9fc5fcb16de4cb2fb7d898873ac4b360b25ea6f38a99a348bf6cc91c1da3532"
    assert event_hash(previous, "C-OLD-1", 3, again) == (
        "13763e3d61950d48a13bc43fd5d3699f61e2f37c3b3fef001eb59c5ce583e3f6"
    )
    handled = (
        '{"actor":"SR-201","at":"2025-11-11T10:00:00+08:00","department":"engineering",'
        '"result":"更换水管","type":"handled"}'
    )
    event = event_from_dict(json.loads(handled))
    assert isinstance(event, Handled)
    assert not event.helper
    assert canonical_json(event_to_dict(event)) == handled
    moved = Assigned(
        at=datetime(2026, 11, 4, 16, 5, tzinfo=SH),
        actor="SR-101",
        handler="SR-301",
        rung="department_head",
        department="security",
        previous_department="engineering",
    )
    assert event_to_dict(moved)["previous_department"] == "engineering"
    assert event_from_dict(event_to_dict(moved)) == moved
