"""Times that share the pack's zone, compared, ordered and subtracted as instants
outside the deadline clocks (review s48B, second pass).

Python compares and subtracts two datetimes of one ``tzinfo`` object by wall time,
ignoring ``fold``, and ``ZoneInfo("Europe/London")`` is one cached object.  On
25 October 2026 the UK's clocks go back at 02:00 BST (01:00 UTC): 01:50 BST
(00:50 UTC) reads after 01:10 GMT (``fold=1``, 01:10 UTC), and two 01:30s with
different ``fold`` read as one time.  On 29 March 2026 they go forward at 01:00 GMT
(01:00 UTC): 01:30 typed in the skipped hour (``fold=0``) is 01:30 UTC (02:30 BST)
but reads before 02:10 BST (01:10 UTC).  Every expected value below is counted by
hand from those two facts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest

from complaintcore import evolve, new_complaint
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.core.concentration import Member, decide_group
from complaintcore.core.deadlines import ClockState, ClockStatus
from complaintcore.core.improvement import compute_measures, measures_owed
from complaintcore.core.models import (
    Acknowledged,
    Assigned,
    Closed,
    Complaint,
    Escalated,
    EscalationRequested,
    MeasureAdded,
    MeasureKind,
    Outcome,
    Registered,
    Reopened,
    Responded,
    Trigger,
)
from complaintcore.core.stages import RunJudgement, judge_run
from complaintcore.core.stats import monthly_report
from complaintcore.core.workflow import Assess
from complaintcore.desk.projection import Projection, _unrouted_escalation, breach_due
from tests.helpers import Runner, intake, pack
from tests.unit.test_dst_deadlines import CAL, PACK, _u, _z
from tests.unit.test_stats import PACK as STATS_PACK
from tests.unit.test_stats import make

# ------------------------------------------------------------------ judge_run


def test_a_run_judged_by_the_event_at_its_stop_instant_not_one_an_hour_earlier() -> None:
    """A request to escalate at the first 01:30 (00:30Z) ended the first run; the
    complaint was reopened at 01:05 GMT (01:05Z) and acknowledged at the second 01:30
    (01:30Z), which stopped the new run: it is judged by the acknowledgement
    (by the clock), not by the request an hour before at the same wall time."""
    events = [
        EscalationRequested(at=_z(2026, 10, 25, 1, 30), actor="p", from_stage="1", stage="2"),
        Reopened(at=_z(2026, 10, 25, 1, 5, fold=1), actor="h", reason="again"),
        Acknowledged(at=_z(2026, 10, 25, 1, 30, fold=1), actor="h", stage="1"),
    ]
    stop = ("acknowledged", "escalation_requested")
    judged = judge_run(events, stop, _z(2026, 10, 25, 1, 30, fold=1), None)
    assert judged is RunJudgement.BY_CLOCK


@pytest.mark.parametrize(
    ("answered", "closed"),
    [
        (_z(2026, 10, 25, 1, 50), _z(2026, 10, 25, 1, 10, fold=1)),  # 00:50Z, 01:10Z
        (_z(2026, 3, 29, 0, 50), _z(2026, 3, 29, 0, 55)),  # no clock change: the control
    ],
    ids=["repeated", "control"],
)
def test_a_closure_after_the_answer_in_the_repeated_hour_is_no_acknowledgement(
    answered: datetime, closed: datetime
) -> None:
    """The stage was answered at 01:50 BST (00:50Z) and closed at 01:10 GMT (01:10Z),
    20 minutes later: the closure ended an acknowledgement clock the answer came
    before, so the stage was never acknowledged (review s47C F02)."""
    events = [
        Responded(at=answered, actor="h", stage="1", outcome=Outcome.UPHELD, message="fixed"),
        Closed(at=closed, actor="h", result="resolved"),
    ]
    judged = judge_run(events, ("acknowledged:1",), closed, frozenset({"1"}))
    assert judged is RunJudgement.UNACKNOWLEDGED


# ------------------------------------------------------------------ decide_group

RULE = pack().concentration  # cn-property: 3 complainants within 72 h (HDL-5)


@pytest.mark.procedure("HDL-5")
def test_a_concentrated_issue_is_named_after_its_earliest_member_as_an_instant() -> None:
    """C-3 at 01:50 BST (00:50Z) came 20 minutes before C-2 at 01:10 GMT (01:10Z),
    and C-4 at 01:20Z after both: three complainants within 72 h, named after C-3,
    members in time order C-3, C-2, C-4."""
    c2 = Member("C-2", _z(2026, 10, 25, 1, 10, fold=1), "k-2")
    c3 = Member("C-3", _z(2026, 10, 25, 1, 50), "k-3")
    decision = decide_group(Member("C-4", _u(2026, 10, 25, 1, 20), "k-4"), [c2, c3], RULE)
    assert decision is not None
    assert decision.issue == "I-C-3"
    assert decision.members == ("C-3", "C-2", "C-4")


@pytest.mark.procedure("HDL-5")
def test_members_72_hours_50_minutes_apart_are_not_within_72_hours() -> None:
    """C-2 at Thu 22 Oct 01:20 BST (00:20Z) and C-3 at Sun 25 Oct 01:10 GMT (01:10Z)
    are 72 h 50 min apart (71 h 50 min by the wall clock); C-4 between them: no
    72-hour span holds all three complainants, so no concentrated issue."""
    c2 = Member("C-2", _z(2026, 10, 22, 1, 20), "k-2")
    c3 = Member("C-3", _z(2026, 10, 25, 1, 10, fold=1), "k-3")
    new = Member("C-4", _u(2026, 10, 24, 12, 0), "k-4")
    assert decide_group(new, [c2, c3], RULE) is None


# ------------------------------------------------------------------ measures (IMP-1)


def _with_measures() -> Complaint:
    """Two measures recorded at 12:00 BST on Sat 24 Oct (11:00Z): M1 due 01:10 GMT
    (01:10Z), M2 due 01:50 BST (00:50Z), 20 minutes before M1."""
    at = _z(2026, 10, 24, 12, 0)
    c = new_complaint("C-1", intake(received_at=_z(2026, 10, 24, 11, 0)))
    due = {"M1": _z(2026, 10, 25, 1, 10, fold=1), "M2": _z(2026, 10, 25, 1, 50)}
    return evolve(
        c,
        (
            Registered(at=_z(2026, 10, 24, 11, 0), actor="s-front", unit="customer_service"),
            *(
                MeasureAdded(
                    at=at,
                    actor="h-1",
                    measure=name,
                    measure_kind=MeasureKind.CORRECTIVE,
                    action="fix the pipe",
                    owner="h-2",
                    due=when,
                )
                for name, when in due.items()
            ),
        ),
    )


@pytest.mark.procedure("IMP-1")
def test_a_measure_due_in_the_repeated_hour_is_watched_until_that_instant() -> None:
    """M1 runs 14 h 10 min, 11:00Z to 01:10Z (13 h 10 min by the wall clock): due
    at 01:10Z, not 00:10Z; at 00:50Z it is still owed and not overdue."""
    statuses = compute_measures(_with_measures(), PACK, CAL, _u(2026, 10, 25, 0, 50))
    m1 = next(s for s in statuses if s.name == "M1")
    assert m1.clock.due is not None
    assert m1.clock.due.astimezone(UTC) == _u(2026, 10, 25, 1, 10)
    assert m1.owed
    assert not m1.overdue


@pytest.mark.procedure("IMP-1")
def test_measures_owed_soonest_due_first_as_instants() -> None:
    """M2 (00:50Z) is due 20 minutes before M1 (01:10Z): listed first."""
    statuses = compute_measures(_with_measures(), PACK, CAL, _u(2026, 10, 24, 13, 0))
    assert [s.name for s in measures_owed(statuses)] == ["M2", "M1"]


# ------------------------------------------------------------------ monthly report

STATS_CAL = calendar_for_spec(STATS_PACK.calendar)
LATER = _u(2026, 12, 10, 12, 0)  # every month below over


@pytest.mark.procedure("IMP-2")
def test_a_complaint_received_after_now_in_the_repeated_hour_is_left_out_of_the_month() -> None:
    """Received at 01:10 GMT (01:10Z), the report made at 01:50 BST (00:50Z), 20
    minutes earlier: received after now, left out (``excluded_after_now`` 1)."""
    received = _z(2026, 10, 25, 1, 10, fold=1)
    c = evolve(
        new_complaint("C-1", intake(received_at=received)),
        (Registered(at=received, actor="s-front", unit="customer_service"),),
    )
    now = _z(2026, 10, 25, 1, 50)
    report = monthly_report([c], PACK, CAL, year=2026, month=10, now=now)
    assert report.excluded_after_now == 1
    assert report.totals.received == 0


# ------------------------------------------------------------------ the desk's projection


def _running(name: str, due: datetime) -> ClockStatus:
    return ClockStatus(
        name=name,
        rule="DL-1",
        state=ClockState.RUNNING,
        started_at=_z(2026, 10, 24, 9, 0),
        due=due,
        at_risk_from=None,
        used=timedelta(0),
        left=timedelta(hours=1),
        budget=timedelta(hours=24),
        stopped_at=None,
        derivation=(),
    )


@pytest.mark.parametrize(
    ("sooner", "later"),
    [
        (_z(2026, 10, 25, 1, 50), _z(2026, 10, 25, 1, 10, fold=1)),  # 00:50Z, 01:10Z
        (_z(2026, 3, 29, 2, 10), _z(2026, 3, 29, 1, 30)),  # 01:10Z, 01:30Z (in the gap)
    ],
    ids=["repeated", "skipped"],
)
def test_the_breach_due_time_is_the_sooner_instant(sooner: datetime, later: datetime) -> None:
    """Two running clocks due 20 minutes apart, the wall times the other way round:
    a row's ``breach_due`` is the sooner instant, in either order."""
    for clocks in (
        [_running("a", later), _running("b", sooner)],
        [_running("b", sooner), _running("a", later)],
    ):
        found = breach_due(clocks, _u(2026, 1, 1))
        assert found is not None
        assert found.astimezone(UTC) == sooner.astimezone(UTC)


def test_a_breached_clock_is_late_from_its_due_time_when_now_is_an_instant_later() -> None:
    """Due at 01:50 BST (00:50Z), found breached at 01:10 GMT (01:10Z), 20 minutes
    later: the row's breach time is the due time, not the clock's start."""
    status = attrs.evolve(_running("a", _z(2026, 10, 25, 1, 50)), state=ClockState.BREACHED)
    found = breach_due([status], _z(2026, 10, 25, 1, 10, fold=1))
    assert found is not None
    assert found.astimezone(UTC) == _u(2026, 10, 25, 0, 50)


@pytest.mark.procedure("DL-6")
def test_the_age_upgrade_at_now_in_the_repeated_hour_is_swept_once_past_it() -> None:
    """Received Fri 25 Sep 2026 01:30 BST (00:30Z); cn-property upgrades a valid
    complaint after 1 month: at 25 Oct 01:30 BST (00:30Z).  Asked at that very
    instant (London 01:30, the first), the next sweep is just after it, as at
    00:30Z, not never."""
    r = Runner(PACK, intake(received_at=_z(2026, 9, 25, 1, 30)))
    r.register()
    c = r(Assess(actor="h-1", validity="valid"))
    projection = Projection(PACK, CAL)
    instant = _u(2026, 10, 25, 0, 30, 0, 1)
    for now in (_z(2026, 10, 25, 1, 30), _u(2026, 10, 25, 0, 30)):
        found = projection._upgrade_due(c, now)  # the month's upgrade alone
        assert found is not None
        assert found.astimezone(UTC) == instant


@pytest.mark.procedure("IN-5")
def test_an_assignment_an_hour_after_the_escalation_at_the_same_wall_time_did_not_route_it() -> (
    None
):
    """An earlier release's escalation of IN-5 at the first 01:30 (00:30Z) and an
    assignment at the second 01:30 (01:30Z), an hour later: the escalation was not
    routed then, so the handover it left out is found (the escalation, event 1)."""
    c = new_complaint(
        "C-1",
        intake(received_at=_z(2026, 10, 24, 1, 30), receiver="SR-302", receiver_unit="security"),
    )
    c = evolve(
        c,
        (
            Registered(at=_z(2026, 10, 24, 1, 30), actor="SR-302", unit="security"),
            Escalated(
                at=_z(2026, 10, 25, 1, 30),
                actor="system",
                from_rung="front_line",
                to_rung="complaint_handler",
                trigger=Trigger.DEADLINE_MISSED,
                clock="to_customer_service",
            ),
            Assigned(
                at=_z(2026, 10, 25, 1, 30, fold=1),
                actor="m-1",
                handler="h-9",
                rung="complaint_handler",
                department="engineering",
            ),
        ),
    )
    assert _unrouted_escalation(c, PACK) == 1


@pytest.mark.procedure("IMP-2")
def test_a_building_is_shown_as_spelt_by_the_months_earliest_receipt_as_an_instant() -> None:
    """``3 号楼`` received at 01:50 BST (00:50Z), ``3号楼`` at 01:10 GMT (01:10Z), 20
    minutes later: one building (spaces ignored), shown as first spelt, ``3 号楼``;
    by wall time 01:10 reads first and would show ``3号楼``."""
    complaints = [
        make("K1", _z(2026, 10, 25, 1, 10, fold=1), building="3号楼", phone="13600000001"),
        make("K2", _z(2026, 10, 25, 1, 50), building="3 号楼", phone="13600000002"),
    ]
    report = monthly_report(complaints, STATS_PACK, STATS_CAL, year=2026, month=10, now=LATER)
    assert [(c.key, c.en, c.count) for c in report.by_building] == [
        ("sunrise/3", "sunrise/3 号楼", 2)  # building 3 (review s49L F01)
    ]


@pytest.mark.procedure("IMP-3")
def test_repeats_are_grouped_from_the_earliest_instant_in_the_repeated_hour() -> None:
    """One phone at 01:50 BST (00:50Z, R2) and 01:10 GMT (01:10Z, R1): R2 came first,
    so it names the group and R1 repeats it."""
    complaints = [
        make("R1", _z(2026, 10, 25, 1, 10, fold=1), phone="13600000009", room="1-1-0101"),
        make("R2", _z(2026, 10, 25, 1, 50), phone="13600000009", room="2-2-0202"),
    ]
    report = monthly_report(complaints, STATS_PACK, STATS_CAL, year=2026, month=10, now=LATER)
    [group] = report.repeats.groups
    assert (group.group_id, group.ids, group.reasons) == ("R2", ("R2", "R1"), ("same_complainant",))


@pytest.mark.procedure("IMP-3")
def test_the_repeat_window_is_measured_between_instants_across_the_clock_change() -> None:
    """The pack links over 90 days.  10:00 BST on 1 September (09:00Z) to 09:30 GMT on
    30 November (09:30Z) is 90 days and 30 minutes: not linked, though the wall times
    differ by 89 days 23½ hours.  A control at 08:50 GMT (08:50Z: 89 days 23 h 50 min)
    is linked."""
    first = make("W1", _z(2026, 9, 1, 10, 0), phone="13600000010")
    late = make("W2", _z(2026, 11, 30, 9, 30), phone="13600000010", room="2-2-0202")
    report = monthly_report([first, late], STATS_PACK, STATS_CAL, year=2026, month=11, now=LATER)
    assert report.repeats.lookback_days == 90
    assert report.repeats.groups == ()
    control = make("W3", _z(2026, 11, 30, 8, 50), phone="13600000010", room="2-2-0202")
    report = monthly_report([first, control], STATS_PACK, STATS_CAL, year=2026, month=11, now=LATER)
    assert [g.ids for g in report.repeats.groups] == [("W1", "W3")]
