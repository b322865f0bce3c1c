"""Clocks no longer owed once a complaint is judged invalid, unreasonable or an enquiry
(DL-3, DL-6, VAL-2).

004 篇4 §3.3 sends only a reasonable problem (合理的问题) to a department, §3.5.2
asks only for an explanation of an invalid complaint, and §3.5.3–3.5.4 track the
department's result for valid complaints; DL-6 makes a *valid* complaint
unresolved for a month major (004 §3.4).  The cn-property pack says so with
``waive`` / ``unwaive`` tags.  Dates are worked by hand on the 2026 calendar: 2–9
March 2026 holds no holiday, so working days are Mon–Fri, 09:00–18:00.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.core.deadlines import ClockState, ClockStatus, breached_clocks, compute_clock
from complaintcore.core.errors import ComplaintCoreError
from complaintcore.core.models import Complaint
from complaintcore.core.rulepack import Waiver
from complaintcore.core.stats import monthly_report
from complaintcore.core.workflow import (
    Assess,
    Assign,
    Close,
    Command,
    Handle,
    Pause,
    Reopen,
    Reply,
    Resume,
    Visit,
)
from complaintcore.rules.loader import known_event_tags, validate_pack
from tests.helpers import SH, Runner, intake, pack

PACK = pack()
CAL = calendar_for_spec(PACK.calendar)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


def run(steps: Sequence[tuple[datetime, Command]], cid: str = "C-1") -> Complaint:
    """Received by customer service on Mon 2 Mar 2026 at 10:00, then ``steps`` at their times."""
    r = Runner(PACK, intake(received_at=at(2, 10)), cid)
    r.register()
    for when, command in steps:
        r(command, after=when - r.now)
    return r.complaint


ASSIGN = Assign(actor="s-front", handler="h-2", rung="department_head")
FIXED = Handle(actor="h-2", result="修好了", department="engineering")
INVALID = Assess(actor="h-2", validity="invalid")
VALID = Assess(actor="h-2", validity="valid")
UNREASONABLE = Assess(actor="h-2", validity="valid", reasonable=False)
REASONABLE = Assess(actor="h-2", validity="valid", reasonable=True)


def department_result(c: Complaint, now: datetime):  # type: ignore[no-untyped-def]
    return compute_clock(c, PACK.clock("department_result"), CAL, now)


@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("ESC-6")
def test_an_invalid_complaint_owes_no_department_result_and_is_never_breached() -> None:
    """Assigned Mon 10:05, the result would be due Thu 5 Mar 18:00; judged invalid at
    11:00, nobody owes it: on Fri 6 Mar nothing is breached."""
    valid = run([(at(2, 10, 5), ASSIGN)])
    owed = department_result(valid, at(6, 9))
    assert (owed.state, owed.due) == (ClockState.BREACHED, at(5, 18))

    invalid = run([(at(2, 10, 5), ASSIGN), (at(2, 11), Assess(actor="h-2", validity="invalid"))])
    waived = department_result(invalid, at(6, 9))
    assert waived.state is ClockState.WAIVED
    assert waived.due is None
    breached = {s.name for s in breached_clocks(invalid, PACK, CAL, at(6, 9))}
    assert "department_result" not in breached
    assert "reply" in breached  # DL-1 still runs: nobody explained it yet


@pytest.mark.procedure("DL-3")
def test_an_enquiry_assessed_before_assignment_starts_no_department_clock() -> None:
    c = run(
        [
            (at(2, 10, 5), Assess(actor="s-front", validity="valid", kind="enquiry")),
            (at(2, 10, 10), ASSIGN),
        ]
    )
    assert department_result(c, at(9, 9)).state is ClockState.WAIVED


@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("DL-7")
def test_judged_invalid_after_the_due_time_the_breach_stands() -> None:
    """Due Thu 5 Mar 18:00 and judged invalid on Fri 6 Mar 10:00: met late (missed)."""
    c = run([(at(2, 10, 5), ASSIGN), (at(6, 10), INVALID)])
    late = department_result(c, at(9, 9))
    assert (late.state, late.due, late.stopped_at) == (ClockState.MISSED, at(5, 18), at(6, 10))


@pytest.mark.procedure("DL-3")
def test_assessed_valid_again_the_result_was_owed_all_along() -> None:
    """Assigned Mon 10:05, invalid Mon 11:00, valid again Wed 4 Mar 10:00: the
    department held it all the while, so its three working days still end Thu 5 Mar
    18:00, and on Fri 6 Mar the clock is breached (and escalated)."""
    c = run([(at(2, 10, 5), ASSIGN), (at(2, 11), INVALID), (at(4, 10), VALID)])
    owed = department_result(c, at(6, 9))
    assert (owed.state, owed.started_at, owed.due) == (ClockState.BREACHED, at(2, 10, 5), at(5, 18))
    assert "department_result" in {s.name for s in breached_clocks(c, PACK, CAL, at(6, 9))}


@pytest.mark.procedure("DL-3")
def test_a_result_handed_in_while_invalid_counts_once_valid_again() -> None:
    """Handled Tue 3 Mar 10:00 while judged invalid, valid again Wed 4 Mar: met, once."""
    steps = [(at(2, 10, 5), ASSIGN), (at(2, 11), INVALID), (at(3, 10), FIXED), (at(4, 10), VALID)]
    done = department_result(run(steps), at(9, 9))
    assert (done.state, done.stopped_at, done.run) == (ClockState.MET, at(3, 10), 1)


@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("DL-7")
def test_late_then_invalid_then_valid_again_the_breach_is_owed_again() -> None:
    """Due Thu 5 Mar 18:00, invalid Fri 6 Mar 10:00 (missed), valid again Mon 9 Mar
    10:00: the result is still owed, and late."""
    c = run([(at(2, 10, 5), ASSIGN), (at(6, 10), INVALID)])
    assert department_result(c, at(6, 11)).state is ClockState.MISSED
    c = run([(at(2, 10, 5), ASSIGN), (at(6, 10), INVALID), (at(9, 10), VALID)])
    owed = department_result(c, at(9, 11))
    assert (owed.state, owed.due) == (ClockState.BREACHED, at(5, 18))


def to_department(c: Complaint, now: datetime):  # type: ignore[no-untyped-def]
    return compute_clock(c, PACK.clock("to_department"), CAL, now)


@pytest.mark.procedure("VAL-2")
@pytest.mark.procedure("DL-3")
def test_an_unreasonable_complaint_is_forwarded_to_no_department() -> None:
    """Registered by customer service Mon 2 Mar 10:00: forwarding to a department is
    due in 24 wall-clock hours, Tue 3 Mar 10:00.  Judged valid but unreasonable at
    10:30 (004 篇4 §3.3 sends only a reasonable problem on), it is owed by nobody:
    on Tue 11:00 it is waived, not breached, and no sweep escalates it."""
    reasonable = run([(at(2, 10, 30), REASONABLE)])
    owed = to_department(reasonable, at(3, 11))
    assert (owed.state, owed.due) == (ClockState.BREACHED, at(3, 10))

    unreasonable = run([(at(2, 10, 30), UNREASONABLE)])
    waived = to_department(unreasonable, at(3, 11))
    assert (waived.state, waived.due) == (ClockState.WAIVED, None)
    assert "to_department" not in {
        s.name for s in breached_clocks(unreasonable, PACK, CAL, at(3, 11))
    }


@pytest.mark.procedure("VAL-2")
@pytest.mark.procedure("DL-3")
def test_an_unreasonable_complaint_owes_no_department_result() -> None:
    """Assigned Mon 2 Mar 10:05, the result would be due Thu 5 Mar 18:00 (three
    working days after the day of acceptance); judged unreasonable at 11:00, on Fri
    6 Mar 09:00 nobody owes it."""
    c = run([(at(2, 10, 5), ASSIGN), (at(2, 11), UNREASONABLE)])
    waived = department_result(c, at(6, 9))
    assert (waived.state, waived.due) == (ClockState.WAIVED, None)
    assert "department_result" not in {s.name for s in breached_clocks(c, PACK, CAL, at(6, 9))}


@pytest.mark.procedure("VAL-2")
@pytest.mark.procedure("DL-3")
def test_found_reasonable_again_the_forwarding_and_the_result_are_owed_again() -> None:
    """Unreasonable Mon 2 Mar 10:30, reasonable again Wed 4 Mar 10:00: the forwarding
    was owed all along, due Tue 3 Mar 10:00, so on Wed 11:00 it is breached; assigned
    Mon 10:05 and reasonable again, the result is due Thu 5 Mar 18:00 again."""
    c = run([(at(2, 10, 30), UNREASONABLE), (at(4, 10), REASONABLE)])
    owed = to_department(c, at(4, 11))
    assert (owed.state, owed.due) == (ClockState.BREACHED, at(3, 10))

    c = run([(at(2, 10, 5), ASSIGN), (at(2, 11), UNREASONABLE), (at(4, 10), REASONABLE)])
    result = department_result(c, at(4, 11))
    assert (result.state, result.due) == (ClockState.RUNNING, at(5, 18))


@pytest.mark.procedure("VAL-2")
def test_the_sales_office_forwards_no_unreasonable_complaint_either() -> None:
    """cn-sales-office: registered by the central registry Mon 2 Mar 10:00, judged
    unreasonable at 10:30; on Tue 3 Mar 11:00, past the 24 hours, nothing is owed."""
    sales = pack("cn-sales-office")
    r = Runner(sales, intake(received_at=at(2, 10)))
    r.register()
    r(UNREASONABLE, after=timedelta(minutes=30))
    spec = sales.clock("to_department")
    waived = compute_clock(r.complaint, spec, calendar_for_spec(sales.calendar), at(3, 11))
    assert waived.state is ClockState.WAIVED


@pytest.mark.procedure("VAL-2")
def test_only_an_assessment_finding_it_unreasonable_carries_the_tag() -> None:
    c = run([(at(2, 10, 30), UNREASONABLE), (at(2, 11), REASONABLE), (at(2, 12), VALID)])
    assessed = [e for e in c.events if e.kind == "assessed"]
    assert [("assessed:unreasonable" in e.tags()) for e in assessed] == [True, False, False]
    assert "assessed:unreasonable" in known_event_tags(PACK)


@pytest.mark.procedure("DL-6")
def test_only_a_valid_complaint_becomes_major_by_age() -> None:
    """Received Mon 2 Mar: a valid complaint is major from Thu 2 Apr 10:00; an invalid
    one, an enquiry or a service request never."""
    major = PACK.clock("major_by_age")
    valid = compute_clock(run([]), major, CAL, at(2, 11, month=4))
    assert (valid.state, valid.due) == (ClockState.BREACHED, at(2, 10, month=4))
    for validity, kind in (("invalid", "complaint"), ("valid", "enquiry"), ("valid", "request")):
        c = run([(at(2, 11), Assess(actor="h-2", validity=validity, kind=kind))])
        assert compute_clock(c, major, CAL, at(2, 11, month=4)).state is ClockState.WAIVED, kind
    # judged invalid, then valid again on 31 Mar: still a month from receipt (DL-6)
    again = run([(at(2, 11), INVALID), (at(31, 10), VALID)])
    status = compute_clock(again, major, CAL, at(3, 10, month=4))
    assert (status.state, status.due) == (ClockState.BREACHED, at(2, 10, month=4))


@pytest.mark.procedure("DL-6")
def test_an_invalid_complaint_reopened_still_never_becomes_major() -> None:
    """Received Mon 2 Mar 10:00, judged invalid at 11:00 and explained (VAL-3), closed
    on Tue 3 Mar and reopened on Thu 5 Mar because the owner disagrees: still not
    a valid complaint, so on Fri 3 Apr, past the month, it is not owed (DL-6 is
    about valid complaints, 004 §3.4); the reopening owes the month only to a
    complaint the complainant had been satisfied with."""
    major = PACK.clock("major_by_age")
    explained = [
        (at(2, 11), INVALID),
        (at(2, 15), Reply(actor="h-2", message="经核实不属实，已解释", explanation=True)),
        (at(3, 10), Close(actor="h-2", result="已解释")),
        (at(5, 10), Reopen(actor="h-2", reason="业主不认可")),
    ]
    assert compute_clock(run(explained), major, CAL, at(3, 10, month=4)).state is ClockState.WAIVED
    satisfied = [
        (at(2, 11), VALID),
        (at(2, 12), ASSIGN),
        (at(3, 10), FIXED),
        (at(3, 11), Reply(actor="h-2", message="已修好", final=True)),
        (at(4, 10), Visit(actor="v-1", satisfied=True)),
    ]
    resolved = compute_clock(run(satisfied), major, CAL, at(3, 10, month=4))
    assert resolved.state is ClockState.WAIVED
    again = run([*satisfied, (at(5, 10), Reopen(actor="h-2", reason="又漏水了"))])
    owed = compute_clock(again, major, CAL, at(3, 10, month=4))
    assert (owed.state, owed.due) == (ClockState.BREACHED, at(2, 10, month=4))


@pytest.mark.procedure("DL-3")
def test_each_waiver_is_lifted_only_by_its_own_unwaive_tags() -> None:
    """A department result waived twice over: judged invalid (lifted by an
    assessment) and paused for the owner (lifted by resuming).  Assigned Mon 2 Mar
    10:05, due Thu 5 Mar 18:00: valid again on Tue 3 Mar while still paused, it
    is owed by nobody; resumed on Wed 4 Mar, it is owed again, breached on Fri."""
    spec = attrs.evolve(
        PACK.clock("department_result"),
        waive=("assessed:invalid",),
        unwaive=("assessed",),
        waivers=(Waiver(waive=("paused",), unwaive=("resumed",)),),
        pausable=False,
    )
    steps = [
        (at(2, 10, 5), ASSIGN),
        (at(2, 11), INVALID),
        (at(2, 12), Pause(actor="h-2", reason="等业主提供照片")),
        (at(3, 10), VALID),
    ]
    assert compute_clock(run(steps), spec, CAL, at(6, 9)).state is ClockState.WAIVED
    resumed = run([*steps, (at(4, 10), Resume(actor="h-2"))])
    owed = compute_clock(resumed, spec, CAL, at(6, 9))
    assert (owed.state, owed.due) == (ClockState.BREACHED, at(5, 18))


@pytest.mark.procedure("DL-3")
def test_a_further_waiver_naming_an_unknown_tag_or_none_is_refused_naming_the_field() -> None:
    index = next(i for i, c in enumerate(PACK.clocks) if c.name == "major_by_age")
    bad = (Waiver(waive=("visited:satisfied",), unwaive=("reopened:never",)), Waiver(waive=()))
    clocks = tuple(
        attrs.evolve(c, waivers=bad) if c.name == "major_by_age" else c for c in PACK.clocks
    )
    problems = validate_pack(attrs.evolve(PACK, clocks=clocks))
    assert sorted(p.path for p in problems) == [
        f"clocks[{index}].waivers[0].unwaive[0]",
        f"clocks[{index}].waivers[1].waive",
    ]


@pytest.mark.procedure("DL-3")
def test_a_duty_waiver_naming_an_unknown_tag_is_refused_naming_the_field() -> None:
    """Duties are refused for the same as clocks (docs/rule-packs.md): a typo in a
    duty's further waiver would otherwise load, and the duty would never be waived
    (s31G F09)."""
    assert PACK.duties
    bad = (Waiver(waive=("visited:satisfeid",), unwaive=("reopend",)),)
    duties = (attrs.evolve(PACK.duties[0], waivers=bad), *PACK.duties[1:])
    problems = validate_pack(attrs.evolve(PACK, duties=duties))
    assert sorted(p.path for p in problems) == [
        "duties[0].waivers[0].unwaive[0]",
        "duties[0].waivers[0].waive[0]",
    ]


@pytest.mark.procedure("IMP-2")
@pytest.mark.procedure("DL-3")
def test_a_waived_run_counts_neither_met_nor_missed_in_the_month() -> None:
    """March: one valid complaint handled on time, one invalid: the department result
    was started twice but owed once, and met once."""
    handled = run([(at(2, 10, 5), ASSIGN), (at(3, 10), FIXED)], "A")
    invalid = run(
        [(at(2, 10, 5), ASSIGN), (at(2, 11), Assess(actor="h-2", validity="invalid"))], "B"
    )
    report = monthly_report([handled, invalid], PACK, CAL, year=2026, month=3, now=at(31, 12))
    figures = next(c for c in report.clocks if c.name == "department_result")
    assert (figures.started, figures.met, figures.missed, figures.breached) == (1, 1, 0, 0)


@pytest.mark.procedure("DL-3")
def test_a_pack_naming_an_unknown_waive_tag_is_refused_naming_the_field() -> None:
    clocks = tuple(
        attrs.evolve(c, waive=("assessed:nonsense",)) if c.name == "department_result" else c
        for c in PACK.clocks
    )
    index = next(i for i, c in enumerate(PACK.clocks) if c.name == "department_result")
    problems = validate_pack(attrs.evolve(PACK, clocks=clocks))
    assert [p.path for p in problems] == [f"clocks[{index}].waive[0]"]


STEPS = st.lists(
    st.tuples(
        st.integers(1, 60 * 24 * 9),  # minutes after the step before
        st.sampled_from(
            [
                ASSIGN,
                FIXED,
                INVALID,
                VALID,
                Assess(actor="h-2", validity="valid", kind="enquiry"),
                Assess(actor="h-2", validity="valid", kind="request"),
                UNREASONABLE,
                Reply(actor="h-2", message="已说明", explanation=True),
                Reply(actor="h-2", message="已处理", final=True),
                Visit(actor="v-1", satisfied=True),
                Visit(actor="v-1", satisfied=False, opinion="还在漏"),
                Close(actor="h-2", result="已处理"),
                Reopen(actor="h-2", reason="又漏了"),
            ]
        ),
    ),
    max_size=10,
)
WAIVED_CLOCKS = ("to_department", "department_result", "major_by_age")


def _replay(steps: list[tuple[int, Command]]) -> Complaint:
    r = Runner(PACK, intake(received_at=at(2, 10)))
    r.register()
    for minutes, command in steps:
        try:
            r(command, after=timedelta(minutes=minutes))
        except ComplaintCoreError:  # refused in this state: the history goes on without it
            continue
    return r.complaint


def _shape(status: ClockStatus) -> tuple[object, ...]:
    return (status.state, status.started_at, status.due, status.stopped_at, status.run)


@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("DL-6")
@given(STEPS, st.integers(0, 60 * 24 * 40))
@settings(max_examples=150, deadline=None)
def test_a_waiver_only_hides_an_open_run_and_lifted_leaves_no_trace(
    steps: list[tuple[int, Command]], later: int
) -> None:
    """The law of waivers: while owed (never waived, or assessed valid again) a clock
    is exactly the clock without waive tags; while waived, only a run the waiver
    found open differs, shown ``waived`` (or ``missed`` if already late), also when
    it stopped later: work owed by nobody is neither met nor missed by it."""
    c = _replay(steps)
    now = c.events[-1].at + timedelta(minutes=later)
    for name in WAIVED_CLOCKS:
        spec = PACK.clock(name)
        plain = compute_clock(c, attrs.evolve(spec, waive=(), unwaive=(), waivers=()), CAL, now)
        shown = compute_clock(c, spec, CAL, now)
        pairs = [(spec.waive, spec.unwaive), *((w.waive, w.unwaive) for w in spec.waivers)]
        holding = [False] * len(pairs)  # each waiver holds until its own unwaive tag
        owed, waived_at = True, None
        for ev in c.events:
            tags = set(ev.tags())
            for i, (waive, unwaive) in enumerate(pairs):
                if tags & set(waive):
                    holding[i] = True
                elif tags & set(unwaive):
                    holding[i] = False
            owed = not any(holding)
            waived_at = None if owed else waived_at or ev.at
        stopped = plain.stopped_at
        found_open = (
            waived_at is not None
            and plain.started_at is not None
            and (plain.is_open or (stopped is not None and stopped >= waived_at))
        )
        if owed or not found_open:
            assert _shape(shown) == _shape(plain), name
        else:
            assert shown.state in (ClockState.WAIVED, ClockState.MISSED), name
            assert (shown.started_at, shown.run) == (plain.started_at, plain.run), name
