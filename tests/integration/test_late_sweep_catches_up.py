"""A sweep that comes late reaches what timely sweeps reach (review s32A F03, F04).

ESC-2: each missed deadline is a trigger, so breaches that fell due at different
instants are different escalation steps, taken in the order they fell due; those
that fell due together are one step naming them all.  docs/cli.md: the sweep does
its escalations "each exactly once however often it runs" — a cron job down for
two days must not cost the complaint a rung.  An overdue duty that escalates the
complaint is told to the owner who let it lapse as well as to its new holder.

cn-property on the State Council calendar for 2025, working hours 09:00-12:00 and
13:00-18:00.  Sample staff at ``sunrise``: SR-201 the engineering department head,
SR-001 the project manager, HQ-001 and HQ-002 senior management (site ``*``).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from complaintcore import Assess, Desk, Intake, Promise
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.core.models import Assigned, Escalated
from complaintcore.core.rulepack import RulePack
from complaintcore.core.workflow import Assign, Classify, Escalate
from complaintcore.rules import load_pack
from complaintcore.rules.loader import load_pack_data
from complaintcore.serialization import to_dict
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import intake as owner_intake

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def owner_calls(received: datetime, receiver: str) -> Intake:
    """王小明's leak (tests.helpers), received at ``received`` by ``receiver``."""
    return owner_intake(received_at=received, receiver=receiver, receiver_unit="")


def leak(desk: Desk, *, promise: bool = True) -> str:
    """A valid minor repairs complaint received Mon 2025-11-10 10:00, held by SR-201,
    who promises at 10:10 to fix it by Wed 11-12 12:00 (DL-5)."""
    received = at("2025-11-10 10:00")
    c = desk.receive(owner_calls(received, "SR-103"), now=received)
    desk.act(c.id, Assess(actor="SR-201", validity="valid"), now=at("2025-11-10 10:05"))
    if promise:
        desk.act(
            c.id,
            Promise(actor="SR-201", due=at("2025-11-12 12:00"), note="周三中午前修好"),
            now=at("2025-11-10 10:10"),
        )
    return c.id


def steps(desk: Desk, cid: str) -> list[tuple[str, str]]:
    """The escalations and assignments after intake: (to rung, clocks) or ("", handler)."""
    return [
        (e.to_rung, e.clock) if isinstance(e, Escalated) else ("", e.handler)
        for e in desk.get(cid).events
        if isinstance(e, Escalated | Assigned)
    ]


def told(desk: Desk, notes: RecordingNotifier, now: datetime, cid: str, topic: str) -> list[str]:
    desk.deliver(now)
    return sorted(n.recipient for n, _ in notes.sent if n.complaint_id == cid and n.topic == topic)


# By hand: the promise breaks after Wed 12:00 (ESC-2: one rung, to the project
# manager); the apology it owes is due 2 working hours from 12:00, lunch 12-13, so
# 15:00, and overdue it escalates too (to senior management, the top); the reply and
# the department's result, 3 working days from Mon 10 Nov (Tue, Wed, Thu), fall due
# Thu 18:00 together and find the complaint at the top: its holder is told.
HAND = [
    ("", "SR-201"),
    ("project_manager", "promise"),
    ("", "SR-001"),
    ("senior_management", "apology"),
    ("", "HQ-001"),
]


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("DL-5")
@pytest.mark.procedure("DL-7")
def test_a_sweep_two_days_late_takes_each_missed_deadline_as_its_own_step() -> None:
    timely, late = make_desk(), make_desk()
    a, b = leak(timely), leak(late)
    for t in ["2025-11-12 09:00", "2025-11-12 12:01", "2025-11-12 15:01", "2025-11-13 18:01"]:
        timely.sweep(at(t))
    assert steps(timely, a) == HAND

    late.sweep(at("2025-11-12 09:00"))  # the last sweep before cron stopped
    report = late.sweep(at("2025-11-14 09:00"))
    assert report.escalated == ((b, "promise"), (b, "apology"))
    assert steps(late, b) == HAND
    assert late.get(b).state.rung == "senior_management"
    # the same again finds nothing left: each step once however often it runs
    again = late.sweep(at("2025-11-14 09:05"))
    assert again.escalated == ()
    assert steps(late, b) == HAND


@pytest.mark.procedure("ESC-5")
@pytest.mark.procedure("DL-7")
def test_a_late_sweep_tells_the_top_rung_each_clock_it_missed_once() -> None:
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    cid = leak(desk)
    desk.sweep(at("2025-11-14 09:00"))
    desk.sweep(at("2025-11-14 09:05"))
    desk.deliver(at("2025-11-14 09:05"))
    breached = sorted(
        (n.recipient, *n.body.split("\n")[-2:])
        for n, _ in notes.sent
        if n.complaint_id == cid and n.topic == "breached"
    )
    assert breached == [
        ("HQ-001", "clock: department result to customer service", "due: 2025-11-13T18:00+08:00"),
        (
            "HQ-001",
            "clock: reply with the result or a reasoned explanation",
            "due: 2025-11-13T18:00+08:00",
        ),
    ]


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("DL-1")
def test_breaches_that_fell_due_together_stay_one_escalation() -> None:
    """No promise: the reply and the department's result both fall due Thu 18:00, so
    the sweep on Friday morning takes one rung for both, as one at 18:01 does."""
    desk = make_desk()
    cid = leak(desk, promise=False)
    report = desk.sweep(at("2025-11-14 09:00"))
    assert report.escalated == ((cid, "department_result"), (cid, "reply"))
    assert steps(desk, cid) == [
        ("", "SR-201"),
        ("project_manager", "department_result,reply"),
        ("", "SR-001"),
    ]


@pytest.mark.procedure("DL-4")
@pytest.mark.procedure("ESC-2")
@pytest.mark.parametrize(
    "sweeps",
    [
        [f"2025-10-01 00:{m:02d}" for m in range(0, 30, 5)],
        ["2025-10-01 00:25"],
    ],
    ids=["every-5-minutes", "once-at-00:25"],
)
def test_the_service_centre_takes_one_rung_per_breach_however_late(sweeps: list[str]) -> None:
    """cn-service-centre on wall time: received 2025-09-30 23:50, the commitment (15
    min) falls due at 00:05 and the general closure (30 min) at 00:20.  From the team
    leader: 00:05 to the service manager, 00:20 to the centre director."""
    desk = make_desk(pack="cn-service-centre")
    c = desk.receive(owner_calls(at("2025-09-30 23:50"), "CC-203"), now=at("2025-09-30 23:50"))
    for t in sweeps:
        desk.sweep(at(t))
    ups = [
        (e.from_rung, e.to_rung, e.clock) for e in desk.get(c.id).events if e.kind == "escalated"
    ]
    assert ups == [
        ("team_leader", "service_manager", "commitment"),
        ("service_manager", "centre_director", "general_closure"),
    ]


@pytest.mark.procedure("DL-5")
@pytest.mark.procedure("DL-7")
@pytest.mark.parametrize("late", [False, True], ids=["timely", "late"])
def test_an_overdue_duty_is_told_to_the_owner_who_let_it_lapse(late: bool) -> None:
    """The apology the broken promise owes is the project manager's from 12:01 (he
    holds the complaint then), due 15:00; overdue, it takes the complaint to senior
    management.  SR-001 let it lapse and hears so; HQ-001 holds it now and is told it
    is overdue, not also owed (docs/desk.md Duties, review s37A F09); SR-201 never
    owed it.  Swept timely, SR-001 heard at 12:01 that it was owed."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    cid = leak(desk)
    times = ["2025-11-14 09:00"] if late else ["2025-11-12 12:01", "2025-11-12 15:01"]
    for t in times:
        desk.sweep(at(t))
    now = at(times[-1])
    assert told(desk, notes, now, cid, "duty_overdue") == ["HQ-001", "SR-001"]
    assert told(desk, notes, now, cid, "duty_owed") == ([] if late else ["SR-001"])


# --------------------------------------------------------------------------- s32G
# A department that missed its time passes the complaint on (DL-3: the next one owes
# its own time from its acceptance), and the next one misses its time too: a late
# sweep meets the handed-on run's breach and the current run's, of one clock.  A
# step of the sweep names the clock for the first only; the second is a step of
# its own (review s32G F08, S16).  November 2026 (State Council calendar: no
# holiday), as tests/integration/test_department_handover.py.


def handed_on(desk: Desk, moved: datetime) -> str:
    """A leak received Mon 2026-11-02 10:00, held by engineering (SR-201), valid;
    reclassified at ``moved``, which hands it to security's head (SR-301: review
    s46H F03, as an assessment naming security would)."""
    received = at("2026-11-02 10:00")
    c = desk.receive(owner_calls(received, "SR-103"), now=received)
    assert (c.state.department, c.state.handler) == ("engineering", "SR-201")
    desk.act(c.id, Assess(actor="SR-201", validity="valid"), now=at("2026-11-02 11:00"))
    moved_on = desk.act(c.id, Classify(actor="SR-102", category="parking"), now=moved)
    assert (moved_on.state.department, moved_on.state.handler) == ("security", "SR-301")
    return c.id


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("ESC-6")
@pytest.mark.parametrize(
    "sweeps",
    [["2026-11-05 18:40", "2026-11-10 17:55", "2026-11-10 18:05"], ["2026-11-10 18:05"]],
    ids=["timely", "late"],
)
def test_a_late_sweep_escalates_a_handed_on_run_and_the_current_run_of_a_clock(
    sweeps: list[str],
) -> None:
    """By hand: engineering's result and the reply are due 3 working days after Mon 2
    Nov (Tue 3, Wed 4, Thu 5): Thu 5 Nov 18:00, both missed; at 18:20 security takes
    it over, its own 3 days Fri 6, Mon 9, Tue 10: due Tue 10 Nov 18:00, missed too.
    Two instants, two steps: to the project manager (SR-001) for engineering's result
    and the reply, to senior management for security's result, where HQ-001 holds
    it (HQ-002's day ended at 18:00); 行政人事部 (HQ-010) hears of each department."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    cid = handed_on(desk, at("2026-11-05 18:20"))
    for t in sweeps:
        desk.sweep(at(t))
    assert steps(desk, cid) == [
        ("", "SR-201"),
        ("", "SR-301"),
        ("project_manager", "department_result,reply"),
        ("", "SR-001"),
        ("senior_management", "department_result"),
        ("", "HQ-001"),
    ]
    desk.deliver(at(sweeps[-1]))
    late = [n.body for n, _ in notes.sent if n.complaint_id == cid and n.topic == "late_department"]
    assert len(late) == 2
    assert "工程维修部" in late[0]  # engineering, then security
    assert "保安部" not in late[0]
    assert "保安部" in late[1]


def repair_plan_pack() -> RulePack:
    """cn-property and a host's duty: the responsible department tells customer
    service its repair plan within one working day of taking the complaint on, each
    department from its own acceptance (``restart`` on a transfer, as DL-3's result)."""
    data = to_dict(load_pack("cn-property"))
    data["duties"].append(
        {
            "name": "repair_plan",
            "zh": "部门向客服部报维修方案",
            "en": "the department's repair plan to customer service",
            "rule": "DL-3",
            "start": ["assigned"],
            "stop": ["handled:responsible", "replied:final"],
            "restart": ["transferred"],
            "mode": "working_days",
            "duration": "1d",
            "owner_handler": True,
            "command": "handle",
        }
    )
    return load_pack_data(data, "repair-plan")


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("DL-7")
@pytest.mark.parametrize(
    "sweeps",
    [["2026-11-03 18:40", "2026-11-04 18:05"], ["2026-11-04 18:05"]],
    ids=["timely", "late"],
)
def test_a_late_sweep_escalates_a_handed_on_run_and_the_current_run_of_a_duty(
    sweeps: list[str],
) -> None:
    """By hand: engineering owes its plan one working day after Mon 2 Nov: Tue 3 Nov
    18:00, missed; at 18:20 security takes it over and owes its own by Wed 4 Nov
    18:00, missed too (no other deadline falls by then: the result and the reply are
    due Thu 5 Nov and later).  Two instants, two steps, each naming the duty: to the
    project manager (SR-001), then to senior management (HQ-001; HQ-002's day ended
    at 18:00); a late sweep on Wed 18:05 took one (review s32G S16)."""
    pack = repair_plan_pack()
    base = make_desk()
    desk = Desk(
        pack=pack,
        store=base.store,
        directory=base.directory,
        calendar=calendar_for_spec(pack.calendar),
    )
    cid = handed_on(desk, at("2026-11-03 18:20"))
    for t in sweeps:
        desk.sweep(at(t))
    assert steps(desk, cid) == [
        ("", "SR-201"),
        ("", "SR-301"),
        ("project_manager", "repair_plan"),
        ("", "SR-001"),
        ("senior_management", "repair_plan"),
        ("", "HQ-001"),
    ]


@pytest.mark.procedure("ESC-5")
@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("DL-7")
@pytest.mark.parametrize(
    "sweeps",
    [["2026-11-05 18:40", "2026-11-10 17:55", "2026-11-10 18:05"], ["2026-11-10 18:05"]],
    ids=["timely", "late"],
)
def test_at_the_top_each_departments_missed_result_is_told_with_its_own_due_time(
    sweeps: list[str],
) -> None:
    """Escalated by hand to senior management on Mon 2 Nov 12:00 (HQ-001 holds it).
    Engineering's result and the reply fall due Thu 5 Nov 18:00 and are missed; at
    18:30 HQ-001 gives the result to security, whose own 3 working days end Tue 10 Nov
    18:00, missed too.  At the top nothing escalates (ESC-5): HQ-001 hears each
    missed deadline once, engineering's result with its own due time (Thu 5 Nov), not
    security's, and security's as a breach of its own, not taken for engineering's
    already told (review s32G S02, S20)."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    received = at("2026-11-02 10:00")
    cid = desk.receive(owner_calls(received, "SR-103"), now=received).id
    desk.act(cid, Assess(actor="SR-201", validity="valid"), now=at("2026-11-02 11:00"))
    up = Escalate(actor="SR-201", trigger="cannot_handle", to_rung="senior_management")
    assert desk.act(cid, up, now=at("2026-11-02 12:00")).state.handler == "HQ-001"
    desk.act(cid, Classify(actor="HQ-001", category="parking"), now=at("2026-11-05 18:20"))
    to_security = Assign(
        actor="HQ-001", handler="HQ-001", rung="senior_management", department="security"
    )
    desk.act(cid, to_security, now=at("2026-11-05 18:30"))
    for t in sweeps:
        assert desk.sweep(at(t)).escalated == ()
        desk.deliver(at(t))
    breached = sorted(
        (n.recipient, *n.body.split("\n")[-2:])
        for n, _ in notes.sent
        if n.complaint_id == cid and n.topic == "breached"
    )
    result = "clock: department result to customer service"
    assert breached == [
        ("HQ-001", result, "due: 2026-11-05T18:00+08:00"),
        ("HQ-001", result, "due: 2026-11-10T18:00+08:00"),
        (
            "HQ-001",
            "clock: reply with the result or a reasoned explanation",
            "due: 2026-11-05T18:00+08:00",
        ),
    ]
