"""Review s57R1: tests that hold the deadlines, the calendar and the ladder.

A mutation audit found rules the code keeps but no test states: each test here
fails on the reviewer's mutant of the line it names (C06, C13, C16, D12, D15,
D23, E11, E12, E13).  Expected values come from the procedures (DL-1, DL-3,
DL-7, DL-8, ESC-2..5), docs/calendar.md and cn-property's published clocks
(3 working days, 09:00-18:00 Monday to Friday, China's 2025 public holidays).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.core.calendar import WorkingCalendar
from complaintcore.core.deadlines import ClockState, ClockStatus, compute_clock
from complaintcore.core.errors import EscalationError
from complaintcore.core.models import Escalated, Grade, Trigger
from complaintcore.core.workflow import (
    Assess,
    Assign,
    Close,
    Command,
    Escalate,
    Handle,
    Pause,
    Regrade,
    Reopen,
    Reply,
)
from tests.helpers import Runner, about, intake, pack

SH = ZoneInfo("Asia/Shanghai")
LONDON = ZoneInfo("Europe/London")


def _at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SH)


def _runner(received: datetime, **kw: object) -> Runner:
    r = Runner(pack("cn-property"), intake(received_at=received, **kw))  # type: ignore[arg-type]
    r.register()
    return r


def _do(r: Runner, command: Command, at: datetime) -> None:
    """Apply ``command`` at the instant ``at`` (the runner's clock moves to it)."""
    r.now = at
    r(command, after=timedelta(0))


def _clock(r: Runner, name: str, now: datetime) -> ClockStatus:
    return compute_clock(r.complaint, r.pack.clock(name), calendar_for_spec(r.pack.calendar), now)


# --------------------------------------------------------------- the calendar (F01-F03)


@pytest.mark.procedure("DL-1")
def test_an_override_on_a_holiday_opens_the_desk_that_morning() -> None:
    """F01 (mutant C13): docs/calendar.md, "Which windows a date has" rule 1 —
    ``overrides[d]`` first, before the holidays: a host that opens its desk on
    National Day morning (2025-10-01, 09:00-12:00) counts that morning."""
    cal = WorkingCalendar.monday_to_friday(
        tz="Asia/Shanghai",
        years=(2025, 2025),
        holidays=[date(2025, 10, 1)],
        overrides={date(2025, 10, 1): [("09:00", "12:00")]},
    )
    assert cal.is_working_day(date(2025, 10, 1))
    assert cal.intervals_on(date(2025, 10, 1)) == ((_at(2025, 10, 1, 9), _at(2025, 10, 1, 12)),)
    # Tue 30 Sep 17:00 + 2 working hours: 17:00-18:00, then 09:00-10:00 on the holiday
    assert cal.add(_at(2025, 9, 30, 17), timedelta(hours=2)) == _at(2025, 10, 1, 10)
    # one working day after Tue 30 Sep: the holiday's morning, closing at 12:00
    assert cal.add_days(_at(2025, 9, 30, 10), 1) == _at(2025, 10, 1, 12)
    assert cal.between(_at(2025, 10, 1, 0), _at(2025, 10, 2, 0)) == timedelta(hours=3)


@pytest.mark.procedure("DL-1")
@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # Saturday 15 Nov 2025: the next working day is Monday 17 Nov
        (_at(2025, 11, 15, 10), _at(2025, 11, 17, 18)),
        # Friday 3 Oct 2025, National Day holiday (1-8 Oct): Thursday 9 Oct
        (_at(2025, 10, 3, 10), _at(2025, 10, 9, 18)),
        # a working day: its own closing time
        (_at(2025, 11, 14, 10), _at(2025, 11, 14, 18)),
    ],
)
def test_add_days_zero_on_a_day_off_is_the_next_working_days_close(
    start: datetime, expected: datetime
) -> None:
    """F02 (mutant C06): docs/calendar.md — ``add_days(t, 0)`` is
    ``end_of_working_day(t)``; on a day off that is the next working day's
    close, never the close of the working day before it (a due time in the past)."""
    cal = calendar_for_spec(pack("cn-property").calendar)
    assert cal.add_days(start, 0) == expected
    assert cal.add_days(start, 0) == cal.end_of_working_day(start)
    assert cal.add_days(start, 0) > start


@pytest.mark.procedure("DL-4")
def test_windows_overlapping_around_a_dst_gap_count_once() -> None:
    """F03 (mutant C16): docs/calendar.md §DST — a wall time in the skipped hour
    moves forward, and "if that makes two windows overlap (only possible around a
    gap) the shared time counts once".  Europe/London skips 01:00-02:00 on Sunday
    30 March 2025: 00:30-01:30 becomes 00:30 GMT-02:30 BST (one hour of real time),
    and 02:00-03:00 BST shares its first half hour with it."""
    cal = WorkingCalendar.build(
        tz="Europe/London",
        years=(2025, 2025),
        weekly={6: [("00:30", "01:30"), ("02:00", "03:00")], 0: [("09:00", "17:00")]},
    )
    pieces = cal.intervals_on(date(2025, 3, 30))
    half_past_two = datetime(2025, 3, 30, 2, 30, tzinfo=LONDON)
    assert pieces == (
        (datetime(2025, 3, 30, 0, 30, tzinfo=LONDON), half_past_two),
        (half_past_two, datetime(2025, 3, 30, 3, 0, tzinfo=LONDON)),
    )
    midnight = datetime(2025, 3, 30, 0, 0, tzinfo=LONDON)
    # 00:30 GMT to 03:00 BST is 1 h 30 min of real time: the shared half hour once
    assert cal.between(midnight, datetime(2025, 3, 30, 4, 0, tzinfo=LONDON)) == timedelta(
        hours=1, minutes=30
    )
    assert cal.add(midnight, timedelta(hours=1, minutes=30)) == datetime(
        2025, 3, 30, 3, 0, tzinfo=LONDON
    )


# -------------------------------------------------------------------- deadlines (D12, F04, F08)


@pytest.mark.procedure("DL-7")
def test_a_reply_given_after_closing_time_on_the_due_day_is_missed() -> None:
    """D12 (the report's "Checked and held"): DL-1 gives 3 working days — a
    complaint registered Monday 10 Nov 2025 09:00 owes its reply by Thursday 13 Nov
    18:00.  A reply typed at 19:00 that Thursday is late though no working time
    has passed since 18:00: missed, with the breach at the due time."""
    r = _runner(_at(2025, 11, 10, 9))
    due = _at(2025, 11, 13, 18)
    assert _clock(r, "reply", _at(2025, 11, 10, 9)).due == due
    assert _clock(r, "reply", _at(2025, 11, 13, 19)).state is ClockState.BREACHED
    _do(
        r,
        Assign(actor="cs", handler="eng", rung="department_head", department="engineering"),
        _at(2025, 11, 10, 9, 5),
    )
    _do(r, Handle(actor="eng", result="修好"), _at(2025, 11, 11, 10))
    _do(r, Reply(actor="cs", message="已修复", final=True), _at(2025, 11, 13, 19))
    s = _clock(r, "reply", _at(2025, 11, 20, 10))
    assert s.state is ClockState.MISSED
    assert s.breaches == (due,)


@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("ESC-6")
@pytest.mark.parametrize(
    "assessed_at",
    [_at(2025, 11, 13, 19), _at(2025, 11, 15, 10)],  # Thu after closing time; Sat
    ids=["thursday-19h", "saturday"],
)
def test_a_department_late_after_hours_keeps_its_breach_when_waived(
    assessed_at: datetime,
) -> None:
    """F04 (mutant D15): DL-3 gives the department 3 working days from its
    acceptance — assigned Monday 10 Nov 2025 09:05, its result is due Thursday 13
    Nov 18:00.  Assessed invalid (which waives the clock) after that, but before
    any more working time has passed, the department was already late: the run
    stays missed with its breach at the due time (DL-7), for ESC-6's report."""
    r = _runner(_at(2025, 11, 10, 9))
    _do(
        r,
        Assign(actor="cs", handler="eng", rung="department_head", department="engineering"),
        _at(2025, 11, 10, 9, 5),
    )
    due = _at(2025, 11, 13, 18)
    assert _clock(r, "department_result", _at(2025, 11, 10, 10)).due == due
    assert _clock(r, "department_result", assessed_at).state is ClockState.BREACHED
    _do(r, Assess(actor="eng", validity="invalid"), assessed_at)
    s = _clock(r, "department_result", _at(2025, 11, 17, 10))
    assert s.state is ClockState.MISSED
    assert s.breaches == (due,)


@pytest.mark.procedure("DL-8")
def test_closing_ends_a_pause_so_a_reopened_complaints_reply_clock_runs() -> None:
    """F08 (mutant D23): only time waiting on the complainant stops the clock
    (DL-8); the closure ends that wait.  Registered Monday 10 Nov 2025 09:00,
    paused 10:00, closed 11:00, reopened Wednesday 12 Nov 09:00: DL-1's reply is
    owed again within 3 working days of the reopening — Monday 17 Nov 18:00 —
    running meanwhile, and breached after."""
    r = _runner(_at(2025, 11, 10, 9))
    _do(
        r,
        Assign(actor="cs", handler="eng", rung="department_head", department="engineering"),
        _at(2025, 11, 10, 9, 5),
    )
    _do(r, Pause(actor="eng", reason="等业主开门"), _at(2025, 11, 10, 10))
    _do(r, Close(actor="cs", result="已修复", confirmed_by_complainant=True), _at(2025, 11, 10, 11))
    _do(r, Reopen(actor="cs", reason="又漏水了"), _at(2025, 11, 12, 9))
    due = _at(2025, 11, 17, 18)
    s = _clock(r, "reply", _at(2025, 11, 12, 10))
    assert (s.state, s.due, s.run) == (ClockState.RUNNING, due, 2)
    s = _clock(r, "reply", _at(2025, 11, 18, 10))
    assert (s.state, s.due) == (ClockState.BREACHED, due)
    assert s.breaches == (due,)


# ------------------------------------------------------------------------ the ladder (F05-F07)

# cn-property's ladder (procedures, "Rule packs"):
# 接待员 → 客服 → 部门负责人 → 项目经理 → 物业总监/总经办
LADDER = [
    "front_line",
    "complaint_handler",
    "department_head",
    "project_manager",
    "senior_management",
]


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("ESC-5")
@pytest.mark.parametrize("steps", [1, 2, 3, 4, 5, 9])
def test_an_escalation_moves_up_as_many_rungs_as_asked_capped_at_the_top(steps: int) -> None:
    """F05 (mutant E11): ESC-2 "moves up one or more rungs"; ESC-5 never past the
    top.  From the front line, ``steps`` rungs up."""
    r = _runner(_at(2025, 11, 10, 9))
    _do(r, Escalate(actor="cs", trigger=Trigger.DISSATISFIED, steps=steps), _at(2025, 11, 10, 10))
    ev = r.complaint.events[-1]
    assert isinstance(ev, Escalated)
    assert (ev.from_rung, ev.to_rung) == ("front_line", LADDER[min(steps, len(LADDER) - 1)])
    assert r.complaint.state.rung == ev.to_rung


@pytest.mark.procedure("ESC-3")
def test_escalating_a_major_complaint_lands_no_lower_than_senior_management() -> None:
    """F06 (mutant E12): ESC-3 — a major complaint is handled by senior management.
    One step up from the department head would be the project manager; the grade's
    floor lifts it to senior management."""
    r = _runner(_at(2025, 11, 10, 9))
    _do(
        r,
        Assign(actor="cs", handler="h-2", rung="department_head", department="engineering"),
        _at(2025, 11, 10, 9, 10),
    )
    _do(r, Assess(actor="h-2", validity="valid"), _at(2025, 11, 10, 9, 20))
    _do(r, Regrade(actor="cs", grade=Grade.MAJOR, reason="群诉"), _at(2025, 11, 10, 9, 30))
    _do(r, Escalate(actor="h-2", trigger=Trigger.DISSATISFIED), _at(2025, 11, 10, 10))
    assert r.complaint.state.rung == "senior_management"


@pytest.mark.procedure("ESC-4")
def test_escalating_a_complaint_about_a_project_manager_lands_at_senior_management() -> None:
    """F06 (mutant E12): ESC-4 — a complaint about a project manager goes to senior
    management; one step up from the front line is lifted there."""
    r = _runner(_at(2025, 11, 10, 9), summary="态度不好", target=about("pm-1", "project_manager"))
    _do(r, Escalate(actor="cs", trigger=Trigger.CANNOT_HANDLE), _at(2025, 11, 10, 10))
    ev = r.complaint.events[-1]
    assert isinstance(ev, Escalated)
    assert (ev.from_rung, ev.to_rung) == ("front_line", "senior_management")
    assert r.complaint.state.rung == "senior_management"


@pytest.mark.procedure("ESC-5")
@pytest.mark.parametrize("asked", ["front_line", "complaint_handler", "department_head"])
def test_a_rung_asked_for_at_or_below_the_current_one_is_refused_under_a_higher_floor(
    asked: str,
) -> None:
    """F07 (mutant E13): a major complaint held at the department head (its floor,
    senior management, is higher, ESC-3) escalated ``--to`` the current rung or a
    lower one is refused naming the rung asked for (ESC-5), not lifted to a rung
    nobody named."""
    r = _runner(_at(2025, 11, 10, 9))
    _do(
        r,
        Assign(actor="cs", handler="h-2", rung="department_head", department="engineering"),
        _at(2025, 11, 10, 9, 10),
    )
    _do(r, Assess(actor="h-2", validity="valid"), _at(2025, 11, 10, 9, 20))
    _do(r, Regrade(actor="cs", grade=Grade.MAJOR, reason="群诉"), _at(2025, 11, 10, 9, 30))
    before = r.complaint
    with pytest.raises(EscalationError) as info:
        _do(
            r,
            Escalate(actor="cs", trigger=Trigger.CANNOT_HANDLE, to_rung=asked),
            _at(2025, 11, 10, 10),
        )
    assert str(info.value).endswith(f"{asked} is not above department_head (ESC-5)")
    assert r.complaint is before
