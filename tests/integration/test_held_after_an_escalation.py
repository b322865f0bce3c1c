"""After an escalation someone holds the complaint, and a warning about a complaint
nobody holds reaches someone (review s32A F01, F02, F05).

cn-property on the 2025 State Council calendar (no holiday in mid-November;
working hours 09:00-12:00 and 13:00-18:00).  The packaged sample staff at site
``sunrise``: SR-001 the only project manager, SR-101 the customer-service head
(Mon-Fri 09-18, Sat 09-12), SR-102 the only complaint handler (客服专员, Mon-Sat
08:30-17:30), SR-103 the receptionist (Sat 09-17), SR-201 the engineering head,
SR-301 the security captain (Mon-Fri 09-18), guards SR-302 (nights 20-08) and
SR-303 (days 08-20); head office's senior management HQ-001 (no duty hours: always
reachable) and HQ-002 (Mon-Fri 09-12, 13-18), and HQ-010 for 行政人事部.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import attrs
import pytest

from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.models import (
    Assigned,
    Complainant,
    Escalated,
    Intake,
    TargetPerson,
    Trigger,
)
from complaintcore.core.workflow import Escalate, Forward
from complaintcore.desk import Desk
from complaintcore.desk.ports import StaffMember
from complaintcore.rules import load_pack
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH
from tests.helpers import intake as owner_intake

GUARD = TargetPerson(staff_id="SR-302", rung="front_line", role="保安", department="security")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 11, day, hour, minute, tzinfo=SH)


def intake(received: datetime, receiver: str = "SR-103", **kw: object) -> Intake:
    """王小明's leak (tests.helpers), received at ``received`` by ``receiver``."""
    return owner_intake(received_at=received, receiver=receiver, **{"receiver_unit": "", **kw})


def sample_without(*gone: str) -> list[StaffMember]:
    return [
        m for m in load_sample_staff(pack=load_pack("cn-property")).members()
        if m.staff_id not in gone
    ]  # fmt: skip


def told(desk: Desk, notes: RecordingNotifier, now: datetime, topic: str, cid: str) -> list[str]:
    desk.deliver(now)
    return sorted(n.recipient for n, _ in notes.sent if n.topic == topic and n.complaint_id == cid)


# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("ESC-5")
def test_a_sweep_to_a_rung_nobody_holds_goes_on_to_the_first_rung_with_someone() -> None:
    """Sunrise without its project manager: the reply and the department's result are
    due 3 working days after Mon 10 Nov (Tue 11, Wed 12, Thu 13) = Thu 13 Nov 18:00;
    at 18:01 the complaint moves up "one or more rungs" (ESC-2): past the empty
    project-manager rung to senior management, where HQ-001 (on duty; HQ-002's day
    ended at 18:00) takes it on and is told."""
    notes = RecordingNotifier()
    desk = make_desk(staff=sample_without("SR-001"), notifiers=[notes])
    leak = desk.receive(intake(at(10, 10)), now=at(10, 10))
    assert (leak.state.handler, leak.state.rung) == ("SR-201", "department_head")
    assert desk.sweep(at(13, 18)).escalated == ()  # the due instant is not a breach
    desk.deliver(at(13, 18))
    notes.sent.clear()  # intake's assignment to SR-201 and the at-risk warnings
    swept = desk.sweep(at(13, 18, 1))
    assert sorted(name for _cid, name in swept.escalated) == ["department_result", "reply"]
    leak = desk.get(leak.id)
    assert (leak.state.rung, leak.state.handler) == ("senior_management", "HQ-001")
    first, onward, assigned = leak.events[-3:]
    assert isinstance(first, Escalated)
    assert isinstance(onward, Escalated)
    assert (first.from_rung, first.to_rung) == ("department_head", "project_manager")
    assert sorted(first.clock.split(",")) == ["department_result", "reply"]
    # the desk's own step past the empty rung: same trigger, and the history says why
    assert (onward.from_rung, onward.to_rung) == ("project_manager", "senior_management")
    assert (onward.trigger, onward.actor) == (Trigger.DEADLINE_MISSED, "system")
    assert "nobody at the site holds project_manager" in onward.note
    assert isinstance(assigned, Assigned)
    assert (assigned.handler, assigned.rung) == ("HQ-001", "senior_management")
    assert told(desk, notes, at(13, 18, 1), "escalated", leak.id) == ["HQ-001"]
    assert told(desk, notes, at(13, 18, 1), "assigned", leak.id) == ["HQ-001"]
    assert told(desk, notes, at(13, 18, 1), "late_department", leak.id) == ["HQ-010"]
    desk.sweep(at(20, 10))  # a week later: still held, nothing more to do
    assert desk.get(leak.id).state.handler == "HQ-001"


@pytest.mark.procedure("IMP-2")
@pytest.mark.parametrize(("gone", "expected"), [((), 2), (("SR-001",), 1)])
def test_late_catch_up_steps_count_one_escalation_each(
    gone: tuple[str, ...], expected: int
) -> None:
    """SR-201 promised the fix by Wed 12 Nov 12:00 and broke it; the apology it then
    owes is due 2 working hours later, Wed 15:00 (lunch 12-13).  Swept once on Fri
    14 Nov 09:00, the promise takes the complaint to the project manager and the
    apology he let lapse to senior management: two escalations, as timely sweeps
    make (review s32A F03).  With nobody at the project-manager rung, the promise
    takes it straight past that rung to senior management (a step that continues
    the first), and the apology is then owed at the top: one escalation."""
    from complaintcore.core.workflow import Promise

    desk = make_desk(staff=sample_without(*gone))
    leak = desk.receive(intake(at(10, 10)), now=at(10, 10), validity="valid")  # VAL-4
    desk.act(leak.id, Promise(actor="SR-201", due=at(12, 12)), now=at(10, 10, 10))
    desk.sweep(at(14, 9))
    leak = desk.get(leak.id)
    assert leak.state.rung == "senior_management"
    report = desk.monthly_report(2025, 11, now=at(14, 9))
    assert {c.key: c.count for c in report.escalations if c.count} == {"deadline_missed": expected}


@pytest.mark.procedure("ESC-2")
def test_a_handler_who_cannot_handle_it_passes_an_empty_rung_too() -> None:
    """SR-201 cannot handle it (ESC-2) on Tue 11 Nov 10:00: the project-manager rung is
    empty, so it goes on to senior management; both of its members are on duty and
    told, and HQ-001 (the first by staff id) takes it on."""
    notes = RecordingNotifier()
    desk = make_desk(staff=sample_without("SR-001"), notifiers=[notes])
    leak = desk.receive(intake(at(10, 10)), now=at(10, 10))
    desk.deliver(at(10, 10))
    notes.sent.clear()
    leak = desk.act(leak.id, Escalate(actor="SR-201", trigger="cannot_handle"), now=at(11, 10))
    assert [e.kind for e in leak.events[-3:]] == ["escalated", "escalated", "assigned"]
    onward = leak.events[-2]
    assert isinstance(onward, Escalated)
    assert (onward.to_rung, onward.trigger, onward.actor) == (
        "senior_management",
        Trigger.CANNOT_HANDLE,
        "system",  # the desk's own step past the empty rung, not SR-201's
    )
    assert (leak.state.rung, leak.state.handler) == ("senior_management", "HQ-001")
    assert told(desk, notes, at(11, 10), "escalated", leak.id) == ["HQ-001", "HQ-002"]


@pytest.mark.procedure("ESC-2")
def test_nobody_at_or_above_the_rung_is_logged_without_personal_data(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With neither a project manager nor senior management there is nobody to hold
    it: the complaint stays at project_manager unassigned, and the log says so
    (complaint id and rung, no complainant's name or phone: PRV-1)."""
    desk = make_desk(staff=sample_without("SR-001", "HQ-001", "HQ-002"))
    leak = desk.receive(intake(at(10, 10)), now=at(10, 10))
    with caplog.at_level(logging.WARNING, logger="complaintcore.desk"):
        desk.sweep(at(13, 18, 1))
    leak = desk.get(leak.id)
    assert (leak.state.rung, leak.state.handler) == ("project_manager", "")
    assert f"complaint {leak.id}: nobody at its site holds rung project_manager" in caplog.text
    assert "王小明" not in caplog.text
    assert "13812345678" not in caplog.text


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("IN-5")
@pytest.mark.procedure("ESC-5")
@pytest.mark.procedure("DL-7")
def test_in5_escalation_is_held_by_a_complaint_handler_who_is_warned() -> None:
    """Guard SR-302 registers a complaint Thu 13 Nov 10:00 and nobody forwards it.
    IN-5 is 24 wall hours: due Fri 14 Nov 10:00, escalated at 10:01 from the front line
    to the complaint handler's rung, where SR-102 takes it on (not a department head:
    that is a rung up, which needs an escalation, ESC-5).  The reply (DL-1) is due
    Tue 18 Nov 18:00; its budget is Thu 7 h + Fri 8 + Mon 8 + Tue 8 = 31 working hours,
    80 % = 24 h 48 min, reached 1 h 48 min into Tuesday: at risk from 10:48 (DL-7)."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    c = desk.receive(
        intake(at(13, 10), receiver="SR-302", receiver_unit="security"),
        now=at(13, 10),
        route=False,
    )
    assert desk.sweep(at(14, 10)).escalated == ()
    assert desk.sweep(at(14, 10, 1)).escalated == ((c.id, "to_customer_service"),)
    c = desk.get(c.id)
    assert [e.kind for e in c.events[-3:]] == ["escalated", "forwarded", "assigned"]
    assert (c.state.rung, c.state.handler) == ("complaint_handler", "SR-102")
    assert told(desk, notes, at(14, 10, 1), "assigned", c.id) == ["SR-102"]
    notes.sent.clear()  # IN-5's own at-risk warning, sent to security on Friday
    desk.sweep(at(18, 10, 47))
    assert told(desk, notes, at(18, 10, 47), "at_risk", c.id) == []
    assert desk.sweep(at(18, 10, 48)).at_risk == 1
    assert told(desk, notes, at(18, 10, 48), "at_risk", c.id) == ["SR-102"]


@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("ESC-5")
def test_a_forwarded_complaint_nobody_assigned_is_held_after_its_escalation() -> None:
    """Forwarded to customer service Fri 14 Nov 18:30 and never assigned: DL-3's 24 wall
    hours to the department end Sat 15 Nov 18:30; at 18:31 it goes up to the complaint
    handler's rung and SR-102 holds it."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    c = desk.receive(
        intake(at(14, 18), receiver="SR-302", receiver_unit="security"),
        now=at(14, 18),
        route=False,
    )
    desk.act(c.id, Forward(actor="SR-302", to_unit="customer_service"), now=at(14, 18, 30))
    assert desk.sweep(at(15, 18, 30)).escalated == ()
    assert desk.sweep(at(15, 18, 31)).escalated == ((c.id, "to_department"),)
    c = desk.get(c.id)
    assert (c.state.rung, c.state.handler) == ("complaint_handler", "SR-102")
    assert told(desk, notes, at(15, 18, 31), "assigned", c.id) == ["SR-102"]


@pytest.mark.procedure("ESC-5")
def test_a_routing_the_core_refuses_is_logged(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were routing to pick a department head for a complaint at the complaint handler's
    rung, the core refuses the move up without an escalation (ESC-5): the complaint
    is left unassigned, and the refusal is logged with its reason, not swallowed."""
    desk = make_desk()
    head = next(m for m in desk.directory.members() if m.staff_id == "SR-201")
    monkeypatch.setattr(desk._staff, "holder_at", lambda *_a: head)
    c = desk.receive(
        intake(at(13, 10), receiver="SR-302", receiver_unit="security"),
        now=at(13, 10),
        route=False,
    )
    with caplog.at_level(logging.WARNING, logger="complaintcore.desk"):
        desk.sweep(at(14, 10, 1))
    assert desk.get(c.id).state.handler == ""
    assert f"complaint {c.id}: the desk's own assign was refused" in caplog.text
    assert "(ESC-5)" in caplog.text


# --------------------------------------------------------------------------- F05


@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("IN-5")
def test_in5_at_risk_warns_the_receiving_unit() -> None:
    """Registered by guard SR-302 Fri 14 Nov 18:30 and not forwarded: IN-5 is due Sat
    15 Nov 18:30, at risk from 80 % of 24 h = 19 h 12 min: Sat 13:42.  The receiving
    unit owes it (owed_by, ESC-6): security's staff on duty then, SR-303 (the day
    guard; SR-302 works nights, SR-301 weekdays)."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    c = desk.receive(
        intake(at(14, 18, 30), receiver="SR-302", receiver_unit="security"),
        now=at(14, 18, 30),
        route=False,
    )
    assert desk.sweep(at(15, 13, 41)).at_risk == 0
    assert desk.sweep(at(15, 13, 42)).at_risk == 1
    assert told(desk, notes, at(15, 13, 42), "at_risk", c.id) == ["SR-303"]
    body = next(n.body for n, _ in notes.sent if n.topic == "at_risk")
    assert "to_customer_service" in body or "reach customer service" in body
    assert "2025-11-15T18:30+08:00" in body


@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("ESC-4")
def test_in5_at_risk_goes_to_customer_service_when_the_unit_has_nobody_else() -> None:
    """A guard registers a complaint about himself (IN-2: never refused) with the rest
    of security away from the directory: the person complained about is not warned
    (ESC-4), so customer service is, its staff on duty at Sat 13:42: SR-001 (the project
    manager, of customer service, no duty hours), SR-102 and SR-103 (SR-101's Saturday
    ends at 12:00)."""
    notes = RecordingNotifier()
    desk = make_desk(staff=sample_without("SR-301", "SR-303"), notifiers=[notes])
    c = desk.receive(
        intake(at(14, 18, 30), receiver="SR-302", receiver_unit="security", target=GUARD),
        now=at(14, 18, 30),
        route=False,
    )
    desk.sweep(at(15, 13, 42))
    assert told(desk, notes, at(15, 13, 42), "at_risk", c.id) == ["SR-001", "SR-102", "SR-103"]


@pytest.mark.procedure("DL-7")
def test_at_risk_of_an_unheld_complaint_goes_up_the_ladder_past_empty_units() -> None:
    """A site with neither another guard nor customer service: the supervisor's rung
    (department_head) of any department is warned, here the engineering head."""
    staff = [
        StaffMember(
            staff_id="G-1", name="马超", role="保安", rung="front_line",
            department="security", site="oak",
        ),
        StaffMember(
            staff_id="E-1", name="刘洋", role="工程主管", rung="department_head",
            department="engineering", site="oak",
        ),
        StaffMember(
            staff_id="P-1", name="吴建华", role="项目经理", rung="project_manager",
            department="engineering", site="oak",
        ),
    ]  # fmt: skip
    notes = RecordingNotifier()
    desk = make_desk(staff=staff, notifiers=[notes])
    guard = TargetPerson(staff_id="G-1", rung="front_line", role="保安", department="security")
    c = desk.receive(
        Intake(
            complainant=Complainant("王小明", "13812345678", "1-1-101", "1", "oak"),
            channel="in_person",
            received_at=at(14, 18, 30),
            receiver="G-1",
            receiver_unit="security",
            summary="保安态度恶劣",
            site="oak",
            target=guard,
        ),
        now=at(14, 18, 30),
        route=False,
    )
    desk.sweep(at(15, 13, 42))
    assert told(desk, notes, at(15, 13, 42), "at_risk", c.id) == ["E-1"]


@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("ESC-5")
def test_a_deadline_missed_at_an_empty_top_rung_is_told_to_the_owing_department() -> None:
    """Escalated by hand to senior management, which this directory leaves empty: nobody
    holds it.  The reply and the department's result fall due Thu 13 Nov 18:00 (3
    working days after Mon 10); at 18:01 it cannot go higher (ESC-5), so the
    responsible department that owes them, engineering, hears `breached`: all three
    of its staff, none of them on duty at 18:01 (SR-201 and SR-202 end at 17:00,
    SR-203 works Friday to Sunday nights)."""
    notes = RecordingNotifier()
    desk = make_desk(staff=sample_without("HQ-001", "HQ-002"), notifiers=[notes])
    leak = desk.receive(intake(at(10, 10)), now=at(10, 10))
    leak = desk.act(
        leak.id,
        Escalate(actor="SR-201", trigger="cannot_handle", to_rung="senior_management"),
        now=at(10, 11),
    )
    assert (leak.state.rung, leak.state.handler) == ("senior_management", "")
    desk.sweep(at(13, 18, 1))
    assert told(desk, notes, at(13, 18, 1), "breached", leak.id) == [
        "SR-201", "SR-201", "SR-202", "SR-202", "SR-203", "SR-203",
    ]  # fmt: skip


# --------------------------------------------------------------------------- s32F


LEAK = "我的个人信息被泄露了，天天接到推销电话"
"""Personal data leaked: the cn-property pack's urgent ``data_leak`` category."""


@pytest.mark.procedure("IN-2")
@pytest.mark.procedure("HDL-6")
def test_an_urgent_complaint_at_a_site_without_a_project_manager_is_registered() -> None:
    """A data leak (an urgent category) goes to the project manager at once (HDL-6);
    the post is vacant, so it goes on to senior management, where HQ-001 (first by
    staff id; HQ-002 is on duty too) takes it on.  It was refused and not stored
    (IN-2: no unit may refuse a complaint; review s32F F01)."""
    desk = make_desk(staff=sample_without("SR-001"))
    leak = desk.receive(attrs.evolve(intake(at(10, 10)), summary=LEAK), now=at(10, 10))
    assert leak.state.category == "data_leak"
    assert (leak.state.rung, leak.state.handler) == ("senior_management", "HQ-001")
    moves = [
        (e.from_rung, e.to_rung, e.trigger, e.actor)
        for e in leak.events
        if isinstance(e, Escalated)
    ]
    assert moves[-1] == ("project_manager", "senior_management", Trigger.INCIDENT, "system")
    again = attrs.evolve(intake(at(10, 11)), summary=LEAK)
    [stored] = list(desk.receive_many([again], now=at(10, 11)))
    assert not isinstance(stored, Exception)
    assert stored.state.handler == "HQ-001"


@pytest.mark.procedure("HDL-6")
def test_a_group_incident_at_a_site_without_a_project_manager_is_told_above() -> None:
    """Five owners of building 3 report a leak between 10:00 and 10:04: a group
    incident, reported at once to the project manager's rung (HDL-6).  Nobody holds
    it at the site, so the rung above hears it: all of senior management, HQ-001 and
    HQ-002, as a serious matter (004 篇4 §3.6).  Nobody was told (review s32F F02)."""
    notes = RecordingNotifier()
    desk = make_desk(staff=sample_without("SR-001"), notifiers=[notes])
    ids = []
    for i in range(5):
        owner = Complainant(f"王小{i}", f"1381234560{i}", f"3-{i + 1}-1201", "3", "sunrise")
        one = attrs.evolve(intake(at(10, 10, i)), complainant=owner)
        ids.append(desk.receive(one, now=at(10, 10, i)).id)
    desk.deliver(at(10, 10, 5))
    told_of = sorted({n.recipient for n, _ in notes.sent if n.topic == "group_incident"})
    assert told_of == ["HQ-001", "HQ-002"]


@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("DL-7")
def test_the_forwarding_warning_of_a_complaint_nobody_holds_reaches_customer_service() -> None:
    """Guard SR-302 registers a leak Fri 14 Nov 18:00 without routing it and forwards
    it to customer service at 18:30; nobody passes it on.  DL-3's 24 hours to the
    department run on wall time: due Sat 15 Nov 18:30, at risk at 80 % (19 h 12 min)
    = Sat 13:42.  Customer service has it and owes the forwarding: its staff on
    duty on Saturday (SR-102, SR-103; and SR-001, the project manager in customer
    service, whose hours are not limited) are warned, not engineering (review s32F
    F05); SR-101's Saturday ended at 12:00."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    c = desk.receive(
        intake(at(14, 18), receiver="SR-302", receiver_unit="security"), now=at(14, 18), route=False
    )
    desk.act(c.id, Forward(actor="SR-302", to_unit="customer_service"), now=at(14, 18, 30))
    desk.deliver(at(14, 18, 30))
    notes.sent.clear()
    desk.sweep(at(15, 13, 41))
    assert told(desk, notes, at(15, 13, 41), "at_risk", c.id) == []
    desk.sweep(at(15, 13, 42))
    assert told(desk, notes, at(15, 13, 42), "at_risk", c.id) == ["SR-001", "SR-102", "SR-103"]


@pytest.mark.procedure("IMP-2")
def test_a_late_sweeps_steps_count_one_each_with_nobody_assigned_between() -> None:
    """A bypass complaint (IN-6) received by head office Mon 10 Nov 10:00, assessed
    valid, never forwarded: nobody is assigned between its escalations.  The reply
    (3 working days: Thu 13 Nov 18:00) and head office's tracking duty (5 working
    days: Mon 17 Nov 18:00) are missed at two instants: two escalations, whether
    swept on time or once on Tue 18 Nov 09:00 (review s32F F04: the second was
    taken for a step past an empty rung)."""
    from complaintcore.core.workflow import Assess

    counts = []
    for sweeps in ([at(13, 18, 1), at(17, 18, 1)], [at(18, 9)]):
        desk = make_desk()
        bypass = attrs.evolve(
            intake(at(10, 10), receiver="HQ-002", receiver_unit="head_office"),
            summary="管理处不理睬，直接向总部投诉楼上漏水",
            via_head_office=True,
        )
        cid = desk.receive(bypass, now=at(10, 10)).id
        desk.act(cid, Assess(actor="HQ-002", validity="valid"), now=at(10, 10, 5))
        for t in sweeps:
            desk.sweep(t)
        report = desk.monthly_report(2025, 11, now=at(18, 9))
        counts.append({c.key: c.count for c in report.escalations if c.count})
    assert counts == [{"deadline_missed": 2}, {"deadline_missed": 2}]


@pytest.mark.procedure("ESC-2")
def test_a_complaint_an_earlier_release_left_held_by_nobody_is_routed_by_the_next_sweep(
    tmp_path: Path,
) -> None:
    """An earlier release left a complaint escalated to a vacant project-manager rung
    with nobody holding it, its row due a week later.  After the upgrade the next
    sweep (Fri 14 Nov 09:00) rewrites the row (the kept basis differs), finds it held
    by nobody and passes the empty rung: HQ-001 holds it, by the desk's own step,
    not by the next person to act on it (review s32F F03)."""
    from complaintcore.adapters.sqlite_store import SqliteStore
    from complaintcore.core.workflow import decide, evolve

    staff = sample_without("SR-001")
    base = make_desk(staff=staff)
    desk = Desk(
        pack=base.pack,
        store=SqliteStore(tmp_path / "desk.sqlite3"),
        directory=base.directory,
        calendar=base.calendar,
    )
    leak = desk.receive(intake(at(10, 10)), now=at(10, 10))
    up = Escalate(actor="system", trigger=Trigger.DEADLINE_MISSED, clock="department_result,reply")
    events = decide(leak, up, desk.pack, at(13, 18, 1))
    after = evolve(leak, events)
    old_row = attrs.evolve(desk._projection.row(after, at(13, 18, 1)), next_due=at(20, 10))
    desk.store.append(leak.id, leak.version, events, old_row, [])
    store = desk.store
    assert isinstance(store, SqliteStore)
    assert store.keep_projection_basis("0" * 64, instead_of=store.projection_basis())
    assert desk.get(leak.id).state.handler == ""
    desk.sweep(at(14, 9))
    held = desk.get(leak.id)
    assert (held.state.rung, held.state.handler) == ("senior_management", "HQ-001")
    onward = [e for e in held.events if isinstance(e, Escalated)][-1]
    assert (onward.from_rung, onward.actor, onward.at) == ("project_manager", "system", at(14, 9))


# --------------------------------------------------------------------------- s32G

HEADS = ("SR-101", "SR-201", "SR-301", "SR-401", "SR-501", "HQ-010", "HQ-020")
"""Every department head of the sample staff: sunrise's five and head office's two."""


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("ESC-5")
def test_a_handler_who_cannot_handle_it_passes_two_empty_rungs() -> None:
    """Sunrise with neither a department head nor a project manager.  Guard SR-302
    registers a complaint Thu 13 Nov 10:00 and nobody forwards it: IN-5's 24 wall
    hours end Fri 14 Nov 10:00, and at 10:01 the complaint handler SR-102 holds it.
    At 11:00 he cannot handle it (ESC-2: "one or more rungs"): the department-head
    and project-manager rungs are both empty, so the desk's own step takes it past
    both to senior management, where HQ-001 (first by staff id) takes it on; it
    stopped at project_manager, held by nobody (review s32G F03)."""
    desk = make_desk(staff=sample_without("SR-001", *HEADS))
    c = desk.receive(
        intake(at(13, 10), receiver="SR-302", receiver_unit="security"),
        now=at(13, 10),
        route=False,
    )
    desk.sweep(at(14, 10, 1))
    assert (desk.get(c.id).state.rung, desk.get(c.id).state.handler) == (
        "complaint_handler",
        "SR-102",
    )
    c = desk.act(c.id, Escalate(actor="SR-102", trigger="cannot_handle"), now=at(14, 11))
    assert (c.state.rung, c.state.handler) == ("senior_management", "HQ-001")
    handlers, onward, assigned = c.events[-3:]
    assert isinstance(handlers, Escalated)
    assert isinstance(onward, Escalated)
    assert isinstance(assigned, Assigned)
    assert (handlers.from_rung, handlers.to_rung, handlers.actor) == (
        "complaint_handler",
        "department_head",
        "SR-102",
    )
    assert (onward.from_rung, onward.to_rung, onward.trigger, onward.actor) == (
        "department_head",
        "senior_management",
        Trigger.CANNOT_HANDLE,
        "system",
    )
    assert "nobody at the site holds department_head, project_manager" in onward.note
    # cn-property's labels: 部门负责人(主管), 项目经理 (review s34D: the Chinese half
    # names the rungs as the tables do)
    assert onward.note.startswith(
        "本项目无人担任 部门负责人(主管)（department_head）、项目经理（project_manager） / "
    ), onward.note
    assert (assigned.handler, assigned.rung) == ("HQ-001", "senior_management")


class _WrongJoin:
    """A host directory over an HR system whose ``get('SR-201')`` starts answering
    SR-202's record (a wrong join) once ``broken`` is set."""

    def __init__(self, members: list[StaffMember]) -> None:
        self._members = tuple(members)
        self.broken = False

    def members(self) -> tuple[StaffMember, ...]:
        return self._members

    def get(self, staff_id: str) -> StaffMember | None:
        wanted = "SR-202" if self.broken and staff_id == "SR-201" else staff_id
        return next((m for m in self._members if m.staff_id == wanted), None)


@pytest.mark.procedure("PRV-1")
@pytest.mark.procedure("DL-7")
def test_a_sweeps_warning_is_not_sent_to_another_person_the_directory_answers() -> None:
    """A leak received Mon 10 Nov 10:00 is held by SR-201; its reply is due 3 working
    days later, Thu 13 Nov 18:00, and at risk from 80 % of 24 working hours = 19 h 12
    min, Thu 10:12 (DL-7).  By then the host's directory answers SR-202's record for
    SR-201: the desk checks the answers it routes and notifies by (docs/hooks.md), so
    the sweep refuses the complaint naming both ids, and SR-202, who does not hold
    it, gets no warning about it (PRV-1); he got it (review s32G F05)."""
    notes = RecordingNotifier()
    plain = make_desk()
    directory = _WrongJoin(sample_without())
    desk = Desk(
        pack=plain.pack,
        store=plain.store,
        directory=directory,
        calendar=plain.calendar,
        notifiers=[notes],
    )
    leak = desk.receive(intake(at(10, 10)), now=at(10, 10))
    assert leak.state.handler == "SR-201"
    desk.deliver(at(10, 10))
    notes.sent.clear()
    directory.broken = True
    swept = desk.sweep(at(13, 11))
    [(cid, error)] = swept.failed
    assert cid == leak.id
    assert "get('SR-201') answered 'SR-202', another person" in str(error)
    desk.deliver(at(13, 11))
    assert [n.recipient for n, _ in notes.sent if n.complaint_id == leak.id] == []
    assert desk.get(leak.id).state.handler == "SR-201"


@pytest.mark.procedure("IMP-2")
@pytest.mark.procedure("DL-6")
@pytest.mark.procedure("ESC-3")
def test_a_grade_escalation_after_a_deadline_one_with_nobody_between_counts_apart() -> None:
    """Sunrise with nobody above its department heads.  A valid leak received Mon 10
    Nov 10:00 misses its reply and result Thu 13 Nov 18:00: up to project_manager,
    where nobody holds it.  A month after receipt, Wed 10 Dec 10:00, it is still open
    and becomes major (GRD-2, DL-6), which senior management handles (ESC-3): a
    second escalation, for its grade, nobody assigned between.  Two triggers, two
    escalations in November's report (IMP-2); the grade's was taken for a step past
    an empty rung (review s32G G02)."""
    desk = make_desk(staff=sample_without("SR-001", "HQ-001", "HQ-002"))
    leak = desk.receive(intake(at(10, 10)), now=at(10, 10), validity="valid")
    desk.sweep(at(13, 18, 1))
    month_on = datetime(2025, 12, 10, 10, 1, tzinfo=SH)
    assert desk.sweep(month_on).regraded == (leak.id,)
    moves = [
        (e.from_rung, e.to_rung, e.trigger)
        for e in desk.get(leak.id).events
        if isinstance(e, Escalated)
    ]
    assert moves == [
        ("department_head", "project_manager", Trigger.DEADLINE_MISSED),
        ("project_manager", "senior_management", Trigger.GRADE),
    ]
    report = desk.monthly_report(2025, 11, now=month_on)
    counted = {c.key: c.count for c in report.escalations if c.count}
    assert counted == {"deadline_missed": 1, "grade": 1}


@pytest.mark.procedure("ESC-2")
def test_a_member_on_a_rung_the_pack_does_not_know_leaves_the_escalation_alone() -> None:
    """The HR system lists a contractor at sunrise on a rung cn-property does not
    have.  docs/hooks.md: an unknown rung is refused when its holder acts; the
    complaints others hold are escalated as ever: the reply and result, due Thu 13
    Nov 18:00, take the leak to the project manager SR-001 at 18:01 (review s32G
    H03: the sweep failed on the contractor's rung)."""
    contractor = StaffMember(
        staff_id="VN-001", name="赵六", role="外包维修", rung="contractor",
        department="engineering", site="sunrise",
    )  # fmt: skip
    desk = make_desk(staff=[*sample_without(), contractor])
    leak = desk.receive(intake(at(10, 10)), now=at(10, 10))
    swept = desk.sweep(at(13, 18, 1))
    assert swept.failed == ()
    assert sorted(name for _cid, name in swept.escalated) == ["department_result", "reply"]
    leak = desk.get(leak.id)
    assert (leak.state.rung, leak.state.handler) == ("project_manager", "SR-001")


@pytest.mark.procedure("ESC-2")
def test_a_complaint_nobody_at_or_above_its_rung_can_hold_is_not_swept_again_and_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With no project manager and no senior management at the site, the breach at
    Thu 13 Nov 18:01 (3 working days after Mon 10) moves the complaint up where
    nobody can hold it: it stays unassigned and the desk says so once.  Later
    sweeps do not pick it up again for that (review s32H F01: it stayed due at once
    and was rewritten, with a warning, by every sweep); its next real due time
    brings it back."""
    desk = make_desk(staff=sample_without("SR-001", "HQ-001", "HQ-002"))
    leak = desk.receive(intake(at(10, 10)), now=at(10, 10))
    caplog.set_level(logging.WARNING)
    desk.sweep(at(13, 18, 1))
    held = desk.get(leak.id)
    assert (held.state.rung, held.state.handler) == ("project_manager", "")
    for later in (at(14, 9), at(14, 10), at(17, 9)):
        assert desk.sweep(later).examined == 0
    said = [r for r in caplog.records if "left unassigned" in r.getMessage()]
    assert len(said) == 1
