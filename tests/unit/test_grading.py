"""Grades from facts, and by age (GRD-1..6, DL-6)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintcore.core.errors import GradeError, NaiveDatetimeError
from complaintcore.core.grading import (
    add_months,
    assess_grade,
    broken_promise_at,
    grade_for_facts,
    promise_not_kept,
)
from complaintcore.core.models import Channel, Fact, Grade, Graded
from complaintcore.core.workflow import (
    Assess,
    Close,
    Command,
    Link,
    Promise,
    RecordCause,
    Regrade,
    Reply,
)
from tests.helpers import SH, Runner, intake, pack


@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize(
    "facts",
    [
        {Fact.MAJOR_LOSS},
        {Fact.PERSONAL_INJURY},
        {Fact.PROMISE_NOT_KEPT, Fact.RAISED_REPEATEDLY},
    ],
)
def test_major(facts: set[Fact]) -> None:
    assert grade_for_facts(frozenset(facts), pack()).grade is Grade.MAJOR


@pytest.mark.procedure("GRD-3")
@pytest.mark.parametrize("fact", [Fact.STAFF_FAULT, Fact.AGENT_FAULT])
def test_important(fact: Fact) -> None:
    found = grade_for_facts(frozenset({fact}), pack())
    assert found.grade is Grade.IMPORTANT
    assert found.reasons
    assert found.reasons[0]


@pytest.mark.procedure("GRD-4")
def test_minor() -> None:
    assert grade_for_facts(frozenset({Fact.FACILITY_LIMITATION}), pack()).grade is Grade.MINOR


@pytest.mark.procedure("GRD-5")
def test_internal_only_in_writing() -> None:
    """004 篇2 §3.4D: an internal complaint is one staff make in writing (书面投诉)."""
    staff = frozenset({Fact.RAISED_BY_STAFF})
    assert grade_for_facts(staff, pack(), Channel.WRITTEN).grade is Grade.INTERNAL
    for channel in (Channel.PHONE, Channel.IN_PERSON, Channel.HOTLINE, Channel.WEB):
        assert grade_for_facts(staff, pack(), channel).grade is Grade.MINOR


@pytest.mark.procedure("GRD-5")
def test_a_telephone_complaint_by_staff_is_not_graded_internal() -> None:
    p = pack()
    for channel, expected in (("written", Grade.INTERNAL), ("phone", Grade.MINOR)):
        r = Runner(p, intake(summary="排班不合理，主管分工不公", channel=channel))
        r.register()
        c = r(Assess(actor="h-1", validity="valid", facts=[Fact.RAISED_BY_STAFF]))
        assert c.state.grade is expected


@pytest.mark.procedure("GRD-5")
@pytest.mark.procedure("GRD-6")
def test_a_written_complaint_found_raised_by_staff_later_may_be_regraded_internal() -> None:
    """Assessed valid with no findings it is minor (the default); the finding that a
    staff member wrote it about their own organisation comes later.  Internal says
    who raised it (GRD-1, GRD-5), so the manual regrade is no lowering GRD-6
    forbids (s28B F02); without the finding it still is."""
    r = Runner(pack(), intake(summary="主管分工不合理，矛盾处理不公", channel="written"))
    r.register()
    assert r(Assess(actor="h-1", validity="valid")).state.grade is Grade.MINOR
    with pytest.raises(GradeError, match=r"needs the finding raised_by_staff \(GRD-5\)"):
        r(Regrade(actor="h-1", grade="internal"))  # GRD-5's finding, not GRD-6 (s56R2 F05)
    found = r(Assess(actor="h-1", validity="valid", facts=[Fact.RAISED_BY_STAFF]))
    assert found.state.grade is Grade.MINOR  # nothing lowers it by itself (GRD-6)
    c = r(Regrade(actor="h-1", grade="internal", reason="员工书面内部投诉"))
    assert c.state.grade is Grade.INTERNAL


@pytest.mark.procedure("GRD-5")
def test_a_phone_complaint_by_staff_is_not_regraded_internal() -> None:
    """004 篇2 §3.4D: internal complaints are made in writing."""
    r = Runner(pack(), intake(summary="主管分工不合理，矛盾处理不公", channel="phone"))
    r.register()
    r(Assess(actor="h-1", validity="valid", facts=[Fact.RAISED_BY_STAFF]))
    with pytest.raises(GradeError, match=r"made through written \(GRD-5\)"):
        r(Regrade(actor="h-1", grade="internal"))  # not "cannot lower" (s56R2 F05)


@pytest.mark.procedure("GRD-2")
def test_severity_wins_when_several_rules_match() -> None:
    facts = frozenset({Fact.STAFF_FAULT, Fact.PERSONAL_INJURY})
    assert grade_for_facts(facts, pack()).grade is Grade.MAJOR


@pytest.mark.procedure("DL-6")
@given(days=st.integers(0, 120))
def test_age_upgrade_is_a_pure_function_of_now(days: int) -> None:
    p = pack()
    r = Runner(p)
    r.register()
    c = r(Assess(actor="h", validity="valid", facts=[Fact.FACILITY_LIMITATION]))
    now = c.intake.received_at + timedelta(days=days, hours=1)
    found = assess_grade(c, p, now)
    assert found is not None
    assert c.intake.received_at == datetime(2025, 11, 14, 9, 30, tzinfo=SH)
    due = datetime(2025, 12, 14, 9, 30, tzinfo=SH)  # one month after receipt
    assert (found.grade is Grade.MAJOR) == (now > due)
    assert assess_grade(c, p, now) == found  # same inputs, same answer


@pytest.mark.procedure("DL-6")
def test_a_month_old_complaint_is_major_only_once_the_month_has_passed() -> None:
    """004 篇2 §3.4A "一个月内得不到合理解决": at the month's last instant it is still
    within the month (as a deadline met on time is met, DL-7); just past it, major."""
    p = pack()
    r = Runner(p)
    r.register()
    c = r(Assess(actor="h", validity="valid", facts=[Fact.FACILITY_LIMITATION]))
    month = datetime(2025, 12, 14, 9, 30, tzinfo=SH)  # received 14 Nov 2025 09:30
    at_the_instant = assess_grade(c, p, month)
    just_past = assess_grade(c, p, month + timedelta(seconds=1))
    assert at_the_instant is not None
    assert just_past is not None
    assert (at_the_instant.grade, just_past.grade) == (Grade.MINOR, Grade.MAJOR)


@pytest.mark.procedure("GRD-6")
def test_closed_complaint_is_not_upgraded_by_age() -> None:
    p = pack()
    r = Runner(p)
    r.register()
    r(Assess(actor="h", validity="valid"))
    r(Reply(actor="h", message="ok", final=True))
    r(RecordCause(actor="h", cause="设备老化", corrective="更换部件"))  # IMP-1
    c = r(Close(actor="h", result="ok", confirmed_by_complainant=True))
    later = assess_grade(c, p, c.intake.received_at + timedelta(days=90))
    assert later is not None
    assert later.grade is Grade.MINOR


@pytest.mark.procedure("GRD-6")
def test_an_automatic_regrade_never_lowers_a_grade_raised_by_hand() -> None:
    """GRD-6: nothing downgrades a grade automatically.  Without facts cn-property
    grades minor (its default); raised to major by hand, the sweep's automatic regrade
    and a fresh assessment of a slight facility limitation (GRD-4: minor) leave it
    major, and record no grade (s28A F05)."""
    r = Runner(pack())
    r.register()
    r(Assess(actor="h", validity="valid"))
    assert r.complaint.state.grade is Grade.MINOR
    r(Regrade(actor="h", grade="major", reason="业主多次反映"))
    before = len(r.complaint.events)
    assert r(Regrade(actor="system")).state.grade is Grade.MAJOR
    c = r(Assess(actor="h", validity="valid", facts=[Fact.FACILITY_LIMITATION]))
    assert c.state.grade is Grade.MAJOR
    assert not [e for e in c.events[before:] if isinstance(e, Graded)]


def test_add_months_clips_to_month_end() -> None:
    assert add_months(datetime(2025, 1, 31, 10, tzinfo=SH), 1) == datetime(
        2025, 2, 28, 10, tzinfo=SH
    )
    assert add_months(datetime(2025, 12, 15, tzinfo=SH), 1).year == 2026


def test_add_months_takes_dates_too_and_keeps_their_type() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)  # leap year
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)
    assert type(add_months(date(2025, 3, 1), 2)) is date


def test_add_months_refuses_a_naive_datetime() -> None:
    with pytest.raises(NaiveDatetimeError):
        add_months(datetime(2025, 1, 31, 10), 1)


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("DL-5")
def test_a_promise_is_broken_when_its_time_passes_with_nothing_done() -> None:
    p = pack()
    r = Runner(p)
    r.register()
    agreed = datetime(2025, 11, 14, 12, 0, tzinfo=SH)
    c = r(Promise(actor="h", due=agreed))
    assert broken_promise_at(c, p, agreed) is None  # due, not yet past
    assert broken_promise_at(c, p, datetime(2025, 11, 14, 12, 1, tzinfo=SH)) == agreed


@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize(
    ("command", "minutes_before"),
    [
        (Reply(actor="h", message="已修好", final=True), 30),  # kept before the time
        (Reply(actor="h", message="已修好", final=True), 0),  # kept exactly on time
        (Promise(actor="h", due=datetime(2025, 11, 17, 12, 0, tzinfo=SH)), 30),  # moved in time
    ],
)
def test_a_promise_kept_or_moved_by_its_time_is_not_broken(
    command: Command, minutes_before: int
) -> None:
    p = pack()
    r = Runner(p)
    r.register()
    agreed = datetime(2025, 11, 14, 12, 0, tzinfo=SH)
    r(Promise(actor="h", due=agreed))
    r.now = agreed - timedelta(minutes=minutes_before + 5)
    c = r(command)
    assert broken_promise_at(c, p, datetime(2025, 11, 15, 9, 0, tzinfo=SH)) is None


@pytest.mark.procedure("GRD-2")
def test_a_reply_after_the_agreed_time_does_not_mend_the_broken_promise() -> None:
    p = pack()
    r = Runner(p)
    r.register()
    agreed = datetime(2025, 11, 14, 12, 0, tzinfo=SH)
    r(Promise(actor="h", due=agreed))
    r.now = datetime(2025, 11, 14, 15, 0, tzinfo=SH)
    c = r(Reply(actor="h", message="终于修好了", final=True))
    assert broken_promise_at(c, p, datetime(2025, 11, 20, 9, 0, tzinfo=SH)) == agreed


@pytest.mark.procedure("GRD-2")
def test_a_graded_raising_told_of_the_matters_broken_promise_is_major() -> None:
    """Raised repeatedly and a promise of the matter not carried out (in another
    raising): both halves of GRD-2's first case, so major at once (GRD-6)."""
    p = pack()
    r = Runner(p)
    r.register()
    r(Assess(actor="h", validity="valid"))
    c = r(Link(actor="system", same_complainant=("C-0",), raisings=3, raised_repeatedly=True))
    assert c.state.grade is Grade.MINOR
    assert not promise_not_kept(c, p, r.now)
    c = r(Link(actor="system", repeated_by="C-9", raisings=3, promise_not_kept=True))
    assert c.state.grade is Grade.MAJOR
    assert promise_not_kept(c, p, r.now)


@pytest.mark.procedure("GRD-2")
def test_a_promise_the_desk_let_pass_is_a_promise_not_kept() -> None:
    p = pack()
    r = Runner(p)
    r.register()
    agreed = datetime(2025, 11, 14, 12, 0, tzinfo=SH)
    c = r(Promise(actor="h", due=agreed))
    assert not promise_not_kept(c, p, agreed)
    assert promise_not_kept(c, p, datetime(2025, 11, 14, 12, 1, tzinfo=SH))
    with pytest.raises(NaiveDatetimeError):
        promise_not_kept(c, p, datetime(2025, 11, 14, 12, 1))
