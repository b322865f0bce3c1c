"""IMP-3 and GRD-2 at intake: repeats linked when received, on both stores.

000 asks to reduce repeated complaints (link them and count them); 004 篇2 §3.4A:
"公司承诺或合同提供的条款没有实施或实施效果有明显偏差，经客户多次提出而得不到解决
的投诉" is a major complaint.  The documents give no number for 多次 (several
times); the shipped packs read it as the third raising within 90 days.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import attrs
import pytest

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.errors import IdempotencyConflictError, InvalidInputError
from complaintcore.core.models import Complainant, Complaint, Fact, Grade, Intake, Linked
from complaintcore.core.stats import LinkFigures, monthly_report
from complaintcore.core.workflow import Assess, Close, Link, Promise, RecordCause, Reply, Visit
from complaintcore.desk import Desk
from complaintcore.testing import MemoryStore, RecordingNotifier, make_desk
from tests.helpers import SH

T0 = datetime(2025, 11, 3, 9, 30, tzinfo=SH)
OWNER = Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise")
SPOUSE = Complainant("李丽", "13900001111", "3-2-1201", "3", "sunrise")  # same room
NEIGHBOUR = Complainant("赵强", "13700002222", "3-1-0502", "3", "sunrise")  # same building


def intake(
    who: Complainant, at: datetime, summary: str = "楼上漏水，天花板渗水", **kw: object
) -> Intake:
    return Intake(
        complainant=who,
        channel="phone",
        received_at=at,
        receiver="SR-103",
        summary=summary,
        site="sunrise",
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture(params=["memory", "sqlite"])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desk]:
    store = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "d.db")
    with make_desk(store=store) as d:
        yield d


def links(c: Complaint) -> list[Linked]:
    return [e for e in c.events if isinstance(e, Linked)]


def receive(desk: Desk, who: Complainant, days: float, **kw: object) -> Complaint:
    at = T0 + timedelta(days=days)
    return desk.receive(intake(who, at, **kw), now=at, validity="valid")


def one_by_one_and_bulk(
    tmp_path: Path, intakes: list[Intake], now: datetime, batch: int
) -> tuple[Desk, list[Complaint], Desk, list[Complaint]]:
    """The same intakes received one by one on one desk and in bulk on another
    (with the same ids, so their links compare)."""
    one = make_desk(store=SqliteStore(tmp_path / "one.db"))
    singly = [one.receive(i, now=now, validity="valid") for i in intakes]
    many = make_desk(store=SqliteStore(tmp_path / "many.db"))
    ids = iter(c.id for c in singly)
    many._new_id = lambda _intake: next(ids)
    batched = list(many.receive_many(intakes, now=now, validity="valid", batch=batch))
    assert all(isinstance(c, Complaint) for c in batched), batched
    return one, singly, many, batched  # type: ignore[return-value]


@pytest.mark.procedure("IMP-3")
def test_a_complaint_is_linked_to_the_earlier_ones_it_repeats(desk: Desk) -> None:
    first = receive(desk, OWNER, 0)
    assert links(first) == []
    second = receive(desk, SPOUSE, 7)  # another phone, the same flat
    (link,) = links(second)
    assert link.same_room == (first.id,)
    assert link.same_complainant == ()
    assert link.same_matter == (first.id,)  # same building, same category
    assert (link.raisings, link.raised_repeatedly) == (2, False)
    elsewhere = receive(desk, NEIGHBOUR, 8)
    (link,) = links(elsewhere)  # the same matter in the building, not the same customer
    assert (link.same_complainant, link.same_room) == ((), ())
    assert link.same_matter == (second.id, first.id)  # most recent first
    assert link.raisings == 1
    fees = receive(desk, OWNER, 9, summary="物业费账单多收了")
    (link,) = links(fees)  # the same person, another matter: linked, not a raising
    assert link.same_complainant == (first.id,)
    assert link.raisings == 1
    stored = desk.get(second.id)
    assert links(stored) == links(second)  # the link is an event, stored (REC-5)


@pytest.mark.procedure("IMP-3")
def test_old_and_invalid_complaints_are_not_linked(desk: Desk) -> None:
    old = receive(desk, OWNER, 0)
    recent = receive(desk, OWNER, 95)
    untrue = desk.receive(intake(OWNER, T0 + timedelta(days=100)), now=T0 + timedelta(days=100),
                          validity="invalid")  # fmt: skip
    later = receive(desk, OWNER, 101)
    assert old.id not in [i for e in links(later) for i in e.same_complainant]  # 101 days ago
    assert untrue.id not in [i for e in links(later) for i in (*e.same_complainant, *e.same_room)]
    assert [e.same_complainant for e in links(later)] == [(recent.id,)]
    # VAL-4: a record known at intake not to be a complaint raises nothing again
    assert links(untrue) == []


@pytest.mark.procedure("IMP-3")
def test_the_same_matter_is_linked_over_30_days_the_same_customer_over_90(desk: Desk) -> None:
    """cn-property ``[repeats]`` (docs/concepts.md "Repeat complaints"): the same
    complainant or the same room within 90 days, the same building and category
    within 30.  The owner reports the leak on Mon 3 Nov and again on Thu 18 Dec,
    45 days later: the same customer and flat (45 <= 90), not the same matter
    (45 > 30) (review s52R1 F01)."""
    first = receive(desk, OWNER, 0)
    again = receive(desk, OWNER, 45)
    (link,) = links(again)
    assert link.same_complainant == (first.id,)
    assert link.same_room == (first.id,)
    assert link.same_matter == ()
    assert link.raisings == 2  # the same customer's second raising of the leak


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize(("days", "linked"), [(29, True), (31, False)])
def test_a_neighbours_complaint_is_the_same_matter_within_30_days(
    desk: Desk, days: int, linked: bool
) -> None:
    """A neighbour in building 3 reports the same leak 29 days after the owner (2 Dec):
    the same matter; 31 days after (4 Dec): linked to nothing (another person,
    another flat, past the 30 days) (review s52R1 F01)."""
    first = receive(desk, OWNER, 0)
    later = receive(desk, NEIGHBOUR, days)
    if linked:
        (link,) = links(later)
        assert (link.same_complainant, link.same_room) == ((), ())
        assert link.same_matter == (first.id,)
    else:
        assert links(later) == []


def assess(desk: Desk, c: Complaint, days: float, kind: str) -> Complaint:
    at = T0 + timedelta(days=days)
    return desk.act(c.id, Assess(actor="SR-101", validity="valid", kind=kind), now=at)


@pytest.mark.procedure("VAL-4")
@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("IMP-3")
def test_enquiries_and_service_requests_are_no_earlier_raisings(desk: Desk) -> None:
    """Review s25D F01.  VAL-4: "only a valid complaint enters grading, penalties and
    the complaint statistics"; GRD-2's "raised repeatedly" is a complaint raised
    again without a fix, and an answered question is neither.  The owner asks
    twice how fees are charged (assessed as enquiries), then complains once of a
    wrong fee; a neighbour asks for a leak to be repaired (a service request),
    then another owner of the building complains of a leak.  By hand: two valid
    complaints, nothing linked, nothing repeated, nothing raised repeatedly."""
    for day in (0, 1):
        at = T0 + timedelta(days=day)
        asked = desk.receive(intake(OWNER, at, "物业费怎么缴纳？咨询收费标准"), now=at)
        assess(desk, asked, day, "enquiry")
    fee = receive(desk, OWNER, 2, summary="物业费收费不合理，多收了费用")
    assert links(fee) == []
    assert Fact.RAISED_REPEATEDLY not in fee.state.facts
    assert fee.state.raisings <= 1
    repair = desk.receive(intake(NEIGHBOUR, T0 + timedelta(days=3), "楼上漏水，请派人维修"),
                          now=T0 + timedelta(days=3))  # fmt: skip
    assess(desk, repair, 3, "request")
    other = Complainant("钱七", "13600009999", "3-3-0303", "3", "sunrise")  # building 3 too
    leak = receive(desk, other, 4)
    assert links(leak) == []  # not the same matter as a service request
    report = desk.monthly_report(2025, 11, now=T0 + timedelta(days=10))
    assert (report.totals.valid_complaints, report.totals.enquiries) == (2, 2)
    assert report.totals.requests == 1
    assert report.links == LinkFigures()  # every figure 0
    assert report.repeats.repeated == 0


@pytest.mark.procedure("VAL-4")
@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize(
    ("kind", "linked", "repeated"),
    [
        ("enquiry", 0, 0),  # assessed as enquiries after the third call: no repeats
        ("complaint", 2, 2),  # assessed valid: the second and third calls repeat
    ],
)
def test_raisings_not_yet_assessed_count_at_intake_and_as_assessed_in_the_report(
    desk: Desk, kind: str, linked: int, repeated: int
) -> None:
    """The rule for records not yet assessed (docs/concepts.md "Repeat complaints"):
    the owner calls about the leak on 3 and 4 November, neither call assessed yet,
    and a third time on 5 November, a valid complaint.  At intake a record not yet
    assessed is taken for the complaint it was received as, so the third call is
    raised repeatedly at once (GRD-2 cannot wait for the assessments).  On 7
    November the first two are assessed.  The links stay recorded (REC-5) and
    nothing lowers the grade (GRD-6), but the report reads the assessments as at
    ``now``: it counts links to valid complaints only, as its repeat groups do."""
    first = desk.receive(intake(OWNER, T0), now=T0)
    second = desk.receive(intake(OWNER, T0 + timedelta(days=1)), now=T0 + timedelta(days=1))
    third = receive(desk, OWNER, 2)
    (link,) = links(third)
    assert link.same_complainant == (second.id, first.id)
    assert (link.raisings, link.raised_repeatedly) == (3, True)
    for c in (first, second):
        assess(desk, c, 4, kind)
    report = desk.monthly_report(2025, 11, now=T0 + timedelta(days=10))
    assert report.totals.valid_complaints == 3 - 2 * (kind == "enquiry")
    assert (report.links.linked, report.links.repeated) == (linked, repeated)
    assert report.links.same_complainant == repeated
    assert report.repeats.repeated == repeated  # the two repeat figures agree
    # GRD-2's fact, on which the third call was graded, stays (GRD-6) and is counted
    assert report.links.raised_repeatedly == (1 if kind == "enquiry" else 3)


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("IMP-3")
def test_the_third_raising_of_a_promise_not_kept_is_major(desk: Desk) -> None:
    assert desk.pack.repeats.threshold == 3  # the pack's reading of 多次
    promise = {"facts": [Fact.PROMISE_NOT_KEPT]}
    first = receive(desk, OWNER, 0, **promise)
    second = receive(desk, OWNER, 10, **promise)
    assert second.state.grade is Grade.MINOR  # twice is not yet "repeatedly"
    assert Fact.RAISED_REPEATEDLY not in second.state.facts
    third = receive(desk, SPOUSE, 20, **promise)  # the same flat, a third time
    (link,) = links(third)
    assert (link.raisings, link.raised_repeatedly) == (3, True)
    assert Fact.RAISED_REPEATEDLY in third.state.facts
    assert third.state.grade is Grade.MAJOR  # GRD-2, set without a hand-entered fact
    assert any("repeatedly" in r for r in third.state.grade_reasons)
    assert third.state.rung == "senior_management"  # ESC-3 follows: major -> 物业总监/总经办
    # the earlier, still open raisings of the matter are major now too
    for earlier in (first, second):
        now = desk.get(earlier.id)
        assert now.state.grade is Grade.MAJOR, earlier.id
        mark = links(now)[-1]
        assert (mark.repeated_by, mark.raised_repeatedly) == (third.id, True)


@pytest.mark.procedure("VAL-4")
@pytest.mark.procedure("GRD-2")
def test_a_third_raising_not_yet_assessed_is_graded_major_at_its_assessment(
    desk: Desk,
) -> None:
    """Review s37A F05 (docs/concepts.md "Repeat complaints"): the third raising
    of a promise not kept, received before anyone assessed it, is recorded as
    raised repeatedly at intake; VAL-4 grades only a valid complaint, so it is
    graded when assessed valid, and major then (004 篇2 §3.4A), routed up with
    the grade (ESC-3)."""
    promise = {"facts": [Fact.PROMISE_NOT_KEPT]}
    receive(desk, OWNER, 0, **promise)
    receive(desk, OWNER, 10, **promise)
    at = T0 + timedelta(days=20)
    third = desk.receive(intake(OWNER, at, **promise), now=at)  # not assessed
    (link,) = links(third)
    assert (link.raisings, link.raised_repeatedly) == (3, True)
    assert Fact.RAISED_REPEATEDLY in third.state.facts
    assert third.state.grade is None  # VAL-4: not graded before the assessment
    third = assess(desk, third, 20.25, "complaint")
    assert third.state.grade is Grade.MAJOR
    assert third.state.rung == "senior_management"  # ESC-3: major -> 物业总监/总经办


@pytest.mark.procedure("GRD-2")
def test_an_earlier_raising_written_a_moment_after_the_intake_is_still_marked(
    desk: Desk,
) -> None:
    """The third raising arrives at 09:30 on 23 Nov; another request thread stored a
    reply on the first raising at 09:30:00.005, after the intake read its clock.
    The first raising is still marked raised repeatedly by the third and is major
    (GRD-2; docs/desk.md: its earlier open raisings are graded again), the mark
    written after the reply, as a history reads forwards (s31A F01)."""
    promise = {"facts": [Fact.PROMISE_NOT_KEPT]}
    first = receive(desk, OWNER, 0, **promise)
    receive(desk, OWNER, 10, **promise)
    third_at = T0 + timedelta(days=20)
    reply_at = third_at + timedelta(milliseconds=5)
    handler = desk.get(first.id).state.handler
    desk.act(first.id, Reply(actor=handler, message="已安排维修"), now=reply_at)
    third = receive(desk, OWNER, 20, **promise)
    now = desk.get(first.id)
    mark = links(now)[-1]
    assert (mark.repeated_by, mark.raised_repeatedly) == (third.id, True)
    assert mark.at == reply_at
    assert now.state.grade is Grade.MAJOR


@pytest.mark.procedure("GRD-2")
def test_raised_repeatedly_without_a_broken_promise_stays_as_graded(desk: Desk) -> None:
    """GRD-2 needs both: a promise not kept, raised repeatedly."""
    for day in (0, 10):
        receive(desk, OWNER, day)
    third = receive(desk, OWNER, 20)
    assert Fact.RAISED_REPEATEDLY in third.state.facts
    assert third.state.grade is Grade.MINOR


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("DL-5")
def test_a_promise_the_desk_saw_broken_counts_when_the_matter_is_raised_repeatedly(
    desk: Desk,
) -> None:
    """The handler agreed a time (约定时间) and let it pass: a promise not carried
    out, with no one typing the fact in; raised a third time, that raising is major."""
    first = receive(desk, OWNER, 0)
    agreed = T0 + timedelta(days=1, hours=3)  # Tue 4 Nov 12:30
    desk.act(first.id, Promise(actor="SR-201", due=agreed, note="周二中午前修好"),
             now=T0 + timedelta(minutes=10))  # fmt: skip
    desk.sweep(agreed + timedelta(minutes=30))
    receive(desk, OWNER, 2)
    assert desk.get(first.id).state.grade is Grade.MINOR  # broken, not yet raised repeatedly
    receive(desk, OWNER, 3)
    first = desk.get(first.id)
    assert Fact.RAISED_REPEATEDLY in first.state.facts
    assert first.state.grade is Grade.MAJOR
    assert any("promise" in r for r in first.state.grade_reasons)


@pytest.mark.procedure("GRD-2")
def test_a_promise_kept_or_moved_in_time_is_not_held_against_the_company(desk: Desk) -> None:
    kept, moved = receive(desk, OWNER, 0), receive(desk, NEIGHBOUR, 0, summary="电梯异响")
    soon = T0 + timedelta(hours=3)
    for c in (kept, moved):
        desk.act(c.id, Promise(actor="SR-201", due=soon), now=T0 + timedelta(minutes=10))
    desk.act(kept.id, Reply(actor="SR-201", message="已修好", final=True),
             now=soon - timedelta(minutes=30))  # fmt: skip
    desk.act(moved.id, Promise(actor="SR-201", due=soon + timedelta(days=2)),
             now=soon - timedelta(minutes=30))  # fmt: skip
    for day in (1, 2):
        receive(desk, OWNER, day)
        receive(desk, NEIGHBOUR, day, summary="电梯异响")
    for c in (kept, moved):
        c = desk.get(c.id)
        assert Fact.RAISED_REPEATEDLY in c.state.facts, c.id  # raised repeatedly, but …
        assert c.state.grade is Grade.MINOR, c.id  # … no promise was broken


@pytest.mark.procedure("GRD-2")
def test_a_closed_raising_is_left_as_it_was(desk: Desk) -> None:
    first = receive(desk, OWNER, 0, facts=[Fact.PROMISE_NOT_KEPT])
    at = T0 + timedelta(days=1)
    for command in (
        Reply(actor="SR-201", message="已修好", final=True),
        Visit(actor="SR-102", satisfied=True),
        RecordCause(actor="SR-201", cause="管道老化", corrective="更换"),
        Close(actor="SR-201", result="修复"),
    ):
        at += timedelta(minutes=10)
        desk.act(first.id, command, now=at)
    receive(desk, OWNER, 10, facts=[Fact.PROMISE_NOT_KEPT])
    receive(desk, OWNER, 20, facts=[Fact.PROMISE_NOT_KEPT])
    closed = desk.get(first.id)
    assert closed.state.grade is Grade.MINOR
    assert all(not e.repeated_by for e in links(closed))


@pytest.mark.procedure("GRD-2")
def test_a_graded_complaint_is_upgraded_when_it_is_raised_again(desk: Desk) -> None:
    first = desk.receive(intake(OWNER, T0), now=T0)  # not assessed at intake
    at = T0 + timedelta(hours=1)
    desk.act(first.id, Assess(actor="SR-201", validity="valid", facts={Fact.PROMISE_NOT_KEPT}),
             now=at)  # fmt: skip
    receive(desk, OWNER, 5)
    receive(desk, OWNER, 9)
    assert desk.get(first.id).state.grade is Grade.MAJOR


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_bulk_intake_links_as_one_by_one_does(tmp_path: Path) -> None:
    people = [OWNER, SPOUSE, NEIGHBOUR, OWNER, OWNER, NEIGHBOUR]
    days = [0, 3, 4, 8, 12, 30]
    intakes = [
        intake(who, T0 + timedelta(days=d), facts=[Fact.PROMISE_NOT_KEPT])
        for who, d in zip(people, days, strict=True)
    ]
    now = T0 + timedelta(days=40)
    one, singly, many, batched = one_by_one_and_bulk(tmp_path, intakes, now, batch=2)

    def shape(d: Desk, c: Complaint) -> tuple[object, ...]:
        stored = d.get(c.id)
        return (
            [attrs.evolve(e, at=now) for e in links(stored)],
            stored.state.grade,
            Fact.RAISED_REPEATEDLY in stored.state.facts,
        )

    assert [shape(many, c) for c in batched] == [shape(one, c) for c in singly]
    assert sum(shape(one, c)[2] is True for c in singly) == 4  # the owner's flat, raised 4 times
    one.close()
    many.close()


@pytest.mark.procedure("GRD-2")
def test_customer_service_hears_of_a_matter_raised_repeatedly() -> None:
    notes = RecordingNotifier()
    with make_desk(notifiers=[notes]) as desk:
        for day in (0, 5, 9):
            last = receive(desk, OWNER, day)
        desk.deliver(T0 + timedelta(days=9))  # intake only queues the messages
        told = [n for n, who in notes.sent if n.topic == "raised_repeatedly"]
        assert [n.complaint_id for n in told] == [last.id]
        member = desk.directory.get(told[0].recipient)
        assert member is not None
        assert member.department == desk.pack.customer_service


@pytest.mark.procedure("IMP-3")
def test_a_submission_given_twice_in_one_batch_is_one_complaint_that_repeats_nothing(
    desk: Desk,
) -> None:
    """A retry inside one bulk batch is the same complaint: it is not a second raising,
    and nothing is linked to a complaint that was never stored."""
    same = intake(OWNER, T0, idempotency_key="call-1")
    other = attrs.evolve(same, summary="电梯坏了")  # the key reused for something else
    receipts = list(
        desk.receive_each([same, same, same, other], now=T0 + timedelta(hours=1), validity="valid")
    )
    first, again, third, conflict = receipts
    assert first.complaint is not None
    assert not first.duplicate
    for r in (again, third):
        assert r.duplicate
        assert r.complaint is not None
        assert r.complaint.id == first.complaint.id
    assert isinstance(conflict.failure, IdempotencyConflictError)
    assert [c.id for c in desk.store.complaints()] == [first.complaint.id]
    stored = desk.get(first.complaint.id)
    assert links(stored) == []
    assert stored.state.raisings <= 1
    assert desk.verify(T0 + timedelta(hours=1)).ok


# --------------------------------------------------------------------------- the matter's promise


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("DL-5")
def test_a_new_raising_inherits_the_promise_broken_in_an_earlier_one(desk: Desk) -> None:
    """004 篇2 §3.4A names the matter: a promise not carried out that the customer
    raised repeatedly.  The handler agreed a time on the first raising and let it
    pass; the third raising, which carries no such fact of its own, is major."""
    first = receive(desk, OWNER, 0)
    agreed = T0 + timedelta(days=1, hours=3)  # Tue 4 Nov 12:30
    desk.act(first.id, Promise(actor="SR-201", due=agreed, note="周二中午前修好"),
             now=T0 + timedelta(minutes=10))  # fmt: skip
    desk.sweep(agreed + timedelta(minutes=30))
    second = receive(desk, OWNER, 2)
    assert second.state.grade is Grade.MINOR  # raised twice: not yet repeatedly
    third = receive(desk, SPOUSE, 3)  # the same flat, a third time
    assert Fact.PROMISE_NOT_KEPT not in third.intake.facts
    (link,) = links(third)
    assert (link.raised_repeatedly, link.promise_not_kept) == (True, True)
    assert {Fact.PROMISE_NOT_KEPT, Fact.RAISED_REPEATEDLY} <= third.state.facts
    assert third.state.grade is Grade.MAJOR
    fourth = receive(desk, OWNER, 4)  # past the threshold: inherits it as well
    assert fourth.state.grade is Grade.MAJOR
    assert desk.get(second.id).state.grade is Grade.MAJOR  # marked with the matter's promise


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("DL-5")
def test_a_promise_broken_after_the_matter_was_raised_repeatedly_reaches_the_next_raising(
    desk: Desk,
) -> None:
    """Three raisings, then the agreed time passes; the fourth raising is major, and
    so are the earlier open raisings it tells (they were raised repeatedly before the
    promise broke, so only the one it broke in knew)."""
    first = receive(desk, OWNER, 0)
    agreed = T0 + timedelta(days=4)  # Fri 7 Nov 09:30
    desk.act(first.id, Promise(actor="SR-201", due=agreed), now=T0 + timedelta(minutes=10))
    second, third = receive(desk, OWNER, 1), receive(desk, OWNER, 2)
    assert third.state.grade is Grade.MINOR  # raised repeatedly, the promise still kept
    desk.sweep(agreed + timedelta(hours=1))
    assert desk.get(first.id).state.grade is Grade.MAJOR  # its own promise, broken
    assert desk.get(second.id).state.grade is Grade.MINOR  # not told yet
    fourth = receive(desk, OWNER, 5)
    assert fourth.state.grade is Grade.MAJOR
    for earlier in (second, third):
        stored = desk.get(earlier.id)
        assert links(stored)[-1].repeated_by == fourth.id
        assert stored.state.grade is Grade.MAJOR, earlier.id
    fifth = receive(desk, OWNER, 6)
    assert fifth.state.grade is Grade.MAJOR
    assert [e.repeated_by for e in links(desk.get(second.id))][1:] == [third.id, fourth.id]


@pytest.mark.procedure("GRD-2")
def test_earlier_raisings_inherit_a_broken_promise_the_third_one_reports(desk: Desk) -> None:
    """The receiver of the third raising records that the promise was not carried
    out: the earlier raisings, still open, are of the same matter and major too."""
    first, second = receive(desk, OWNER, 0), receive(desk, OWNER, 10)
    third = receive(desk, OWNER, 20, facts=[Fact.PROMISE_NOT_KEPT])
    assert third.state.grade is Grade.MAJOR
    for earlier in (first, second):
        stored = desk.get(earlier.id)
        mark = links(stored)[-1]
        assert (mark.repeated_by, mark.promise_not_kept) == (third.id, True)
        assert stored.state.grade is Grade.MAJOR, earlier.id


@pytest.mark.procedure("GRD-2")
def test_a_kept_promise_in_an_earlier_raising_is_not_inherited(desk: Desk) -> None:
    first = receive(desk, OWNER, 0)
    soon = T0 + timedelta(hours=3)
    desk.act(first.id, Promise(actor="SR-201", due=soon), now=T0 + timedelta(minutes=10))
    desk.act(first.id, Reply(actor="SR-201", message="已修好", final=True),
             now=soon - timedelta(minutes=30))  # fmt: skip
    receive(desk, OWNER, 1)
    third = receive(desk, OWNER, 2)
    (link,) = links(third)
    assert (link.raised_repeatedly, link.promise_not_kept) == (True, False)
    assert third.state.grade is Grade.MINOR


@pytest.mark.procedure("GRD-2")
def test_bulk_intake_inherits_the_promise_as_one_by_one_does(tmp_path: Path) -> None:
    """In one batch, the raising that reports the broken promise is a draft (not
    stored yet) when the later ones link to it."""
    intakes = [
        intake(OWNER, T0),
        intake(OWNER, T0 + timedelta(days=3), facts=[Fact.PROMISE_NOT_KEPT]),
        intake(SPOUSE, T0 + timedelta(days=6)),
        intake(OWNER, T0 + timedelta(days=9)),
    ]
    now = T0 + timedelta(days=10)
    one, singly, many, batched = one_by_one_and_bulk(tmp_path, intakes, now, batch=4)
    grades = [many.get(c.id).state.grade for c in batched]
    assert grades == [one.get(c.id).state.grade for c in singly]
    assert grades == [Grade.MAJOR] * 4  # one matter, raised four times, a promise not kept
    one.close()
    many.close()


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize(
    ("fields", "path", "reason"),
    [
        ({"same_complainant": None}, "same_complainant", "wrong type NoneType"),
        ({"same_room": 5}, "same_room", "wrong type int"),
        ({"same_matter": True}, "same_matter", "wrong type bool"),
        ({"same_matter": ["C-20251103-0001"]}, "same_matter", "wrong type list"),
        ({"same_room": ("C-20251103-0001", 7)}, "same_room[1]", "wrong type int"),
        ({"repeated_by": ["C-20251103-0001"]}, "repeated_by", "wrong type list"),
        ({"repeated_by": None}, "repeated_by", "wrong type NoneType"),
    ],
)
def test_a_link_of_the_wrong_shape_is_refused_naming_the_field(
    desk: Desk, fields: dict[str, object], path: str, reason: str
) -> None:
    """Review s31C F01: the desk looked each linked id up before the types were
    checked, and a list, None or a number escaped as a bare TypeError."""
    first = receive(desk, OWNER, 0)
    with pytest.raises(InvalidInputError) as info:
        desk.act(first.id, Link(actor="SR-201", **fields), now=T0 + timedelta(days=1))  # type: ignore[arg-type]
    assert (info.value.path, info.value.reason) == (path, reason)
    assert desk.get(first.id).version == first.version  # nothing written


@pytest.mark.procedure("IMP-3")
def test_a_link_by_hand_names_stored_complaints_only(desk: Desk) -> None:
    """A typo in a handler's link would be counted as a repeat for good."""
    first = receive(desk, OWNER, 0)
    second = receive(desk, NEIGHBOUR, 1)
    at = T0 + timedelta(days=2)
    for command, path in (
        (Link(actor="SR-201", same_complainant=("C-20251001-typo",)), "same_complainant[0]"),
        (Link(actor="SR-201", same_matter=(first.id, "13812345678")), "same_matter[1]"),
        (Link(actor="SR-201", repeated_by="C-nonexistent"), "repeated_by"),
    ):
        with pytest.raises(InvalidInputError) as info:
            desk.act(second.id, command, now=at)
        assert info.value.path == path
        assert "13812345678" not in str(info.value)
    assert desk.get(second.id).version == second.version  # nothing written
    linked = desk.act(second.id, Link(actor="SR-201", same_matter=(first.id,)), now=at)
    assert links(linked)[-1].same_matter == (first.id,)
    # linked at intake and again by hand: one complaint linked, counted once
    assert len(links(linked)) == 2
    report = desk.monthly_report(2025, 11, now=at)
    assert (report.links.linked, report.links.same_matter, report.links.repeated) == (1, 1, 0)


@pytest.mark.procedure("IMP-3")
def test_the_monthly_report_counts_repeats_over_the_packs_window(desk: Desk) -> None:
    """IMP-3 (000: "reduce the number of repeated complaints"): the report's repeat
    section reads the window the pack links over at intake (cn-property ``[repeats]
    window = "90d"``), not a fixed 30 days, so it agrees with the report's own links
    figure.  Review s24A F04: one owner complains of a leak on Thu 15 Jan 2026 and
    again on Tue 31 Mar 2026, 75 days later (16 + 28 + 31 days)."""
    eight = Complainant("业主8", "13900000008", "3-1-801", "3", "sunrise")
    first = desk.receive(
        intake(eight, datetime(2026, 1, 15, 10, 0, tzinfo=SH), summary="卫生间漏水"),
        now=datetime(2026, 1, 15, 10, 0, tzinfo=SH),
        validity="valid",
    )
    again = desk.receive(
        intake(eight, datetime(2026, 3, 31, 10, 0, tzinfo=SH), summary="卫生间又漏水"),
        now=datetime(2026, 3, 31, 10, 0, tzinfo=SH),
        validity="valid",
    )
    assert [e.same_complainant for e in links(again)] == [(first.id,)]
    march = desk.monthly_report(2026, 3, now=datetime(2026, 4, 2, 9, 0, tzinfo=SH))
    assert march.links.repeated == 1
    assert march.repeats.lookback_days == 90
    assert [g.ids for g in march.repeats.groups] == [(first.id, again.id)]
    assert (march.repeats.complaints, march.repeats.repeated) == (2, 1)
    # the pure report over every complaint reads the same window
    pure = monthly_report(
        desk.store.complaints(),
        desk.pack,
        desk.calendar,
        year=2026,
        month=3,
        now=datetime(2026, 4, 2, 9, 0, tzinfo=SH),
    )
    assert pure.repeats == march.repeats


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize("store_kind", ["memory", "sqlite"])
def test_a_complaint_received_early_in_1970_is_linked_not_refused(
    store_kind: str, tmp_path: Path
) -> None:
    """Review s31C F07: the 90-day look-back of a complaint received on 2 January 1970
    starts in 1969; it was refused naming ``since``, a field nobody gave.  With a
    calendar that reaches 1970 the second complaint of the same owner and flat is
    received and linked to the first, one by one and in bulk."""
    from complaintcore.adapters.calendars import calendar_for_spec
    from complaintcore.adapters.staff import load_sample_staff
    from complaintcore.rules import load_pack

    shipped = load_pack("cn-property")
    the_pack = attrs.evolve(shipped, calendar=attrs.evolve(shipped.calendar, first_year=1970))

    def a_desk(name: str) -> Desk:
        store = MemoryStore() if store_kind == "memory" else SqliteStore(tmp_path / name)
        return Desk(
            pack=the_pack,
            store=store,
            directory=load_sample_staff(pack=the_pack),
            calendar=calendar_for_spec(the_pack.calendar),
        )

    # 00:30 on 1 January 1970 in Shanghai is still 1969 in UTC
    first_at, second_at = (
        datetime(1970, 1, 1, 0, 30, tzinfo=SH),
        datetime(1970, 1, 2, 10, tzinfo=SH),
    )
    with a_desk("one.db") as one:
        first = one.receive(intake(OWNER, first_at), now=second_at, validity="valid")
        second = one.receive(intake(OWNER, second_at), now=second_at, validity="valid")
        (link,) = links(second)
        assert (link.same_complainant, link.same_room) == ((first.id,), (first.id,))
        assert link.raisings == 2
    with a_desk("many.db") as many:
        batch = [intake(OWNER, first_at), intake(OWNER, second_at)]
        a, b = many.receive_many(batch, now=second_at, validity="valid", batch=2)
        assert isinstance(a, Complaint), a
        assert isinstance(b, Complaint), b
        (link,) = links(b)
        assert (link.same_complainant, link.same_room) == ((a.id,), (a.id,))


# --------------------------------------------------------------------------- out of time order


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize("store_kind", ["memory", "sqlite"])
@pytest.mark.parametrize("bulk", [False, True], ids=["receive", "receive_many"])
@pytest.mark.parametrize("order", list(itertools.permutations((0, 1, 2))))
def test_three_raisings_count_three_in_whatever_order_they_arrive(
    tmp_path: Path, store_kind: str, bulk: bool, order: tuple[int, int, int]
) -> None:
    """The owner raised the leak on 3, 4 and 5 Nov; the desk receives the three in
    any order (another process's later intake got the lock first, a bulk file is
    sorted newest first).  The matter is raised three times: the 5 Nov raising is
    the third (the packs' reading of 多次), raised repeatedly and linked to both
    earlier ones, the two earlier ones are marked so, and customer service is
    told once (review s45A F01)."""
    notes = RecordingNotifier()
    store = MemoryStore() if store_kind == "memory" else SqliteStore(tmp_path / "d.db")
    days = [T0 + timedelta(days=d) for d in range(3)]
    now = T0 + timedelta(days=3)
    with make_desk(store=store, notifiers=[notes]) as desk:
        arriving = [intake(OWNER, days[i]) for i in order]
        if bulk:
            got = list(desk.receive_many(arriving, now=now, validity="valid"))
        else:
            got = [desk.receive(i, now=now, validity="valid") for i in arriving]
        assert all(isinstance(c, Complaint) for c in got), got
        by_day = sorted(
            (desk.get(c.id) for c in got if isinstance(c, Complaint)),
            key=lambda c: c.intake.received_at,
        )
        first, second, third = by_day
        assert third.state.raisings == 3
        own = [e for e in links(third) if not e.repeated_by]
        assert (own[-1].raisings, own[-1].raised_repeatedly) == (3, True)
        assert {*own[-1].same_complainant} == {first.id, second.id}
        assert second.state.raisings >= 2  # its own count at least: the first before it
        for c in by_day:
            assert Fact.RAISED_REPEATEDLY in c.state.facts, c.id
        for earlier in (first, second):
            assert any(e.repeated_by == third.id for e in links(earlier)), earlier.id
        desk.deliver(now)
        told = [n.complaint_id for n, _ in notes.sent if n.topic == "raised_repeatedly"]
        assert told == [third.id]
        assert desk.verify(now).ok


@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize("bulk", [False, True], ids=["receive", "receive_many"])
def test_five_raisings_newest_first_tell_customer_service_the_whole_count(
    tmp_path: Path, bulk: bool
) -> None:
    """Review s45H F01: the owner raised the leak on five days and the desk got them
    newest first.  In time order customer service is told three times (the third,
    fourth and fifth raising), the last time "raised: 5" naming the four earlier
    complaints.  Newest first it was told once, "raised: 3", naming two: the first
    raisings were never named to it.  Now the latest raising tells each new count."""
    notes = RecordingNotifier()
    days = [T0 + timedelta(days=d) for d in range(5)]
    now = T0 + timedelta(days=5)
    with make_desk(store=SqliteStore(tmp_path / "d.db"), notifiers=[notes]) as desk:
        arriving = [intake(OWNER, day) for day in reversed(days)]
        if bulk:
            got = list(desk.receive_many(arriving, now=now, validity="valid"))
        else:
            got = [desk.receive(i, now=now, validity="valid") for i in arriving]
        by_day = sorted(
            (desk.get(c.id) for c in got if isinstance(c, Complaint)),
            key=lambda c: c.intake.received_at,
        )
        assert [c.state.raisings for c in by_day][2:] == [3, 4, 5]
        desk.deliver(now)
        told = [n for n, _ in notes.sent if n.topic == "raised_repeatedly"]
        assert len(told) == 3
        last = told[-1]
        assert last.complaint_id == by_day[-1].id
        assert "raised: 5" in last.body
        assert all(c.id in last.body for c in by_day[:4])
        assert desk.verify(now).ok


# --------------------------------------------------------------- other matters, out of order

LETTER_AT = datetime(2025, 11, 30, 18, 0, tzinfo=SH)  # posted Sun 30 Nov, a leak
CALL_AT = datetime(2025, 12, 1, 9, 0, tzinfo=SH)  # phoned Mon 1 Dec, the stairwell cleaning
TYPED_AT = datetime(2025, 12, 2, 10, 0, tzinfo=SH)  # the letter is typed in on Tue 2 Dec
DECEMBER_AT = datetime(2025, 12, 5, 9, 0, tzinfo=SH)


def letter_and_call(
    desk: Desk, caller: Complainant, *, in_time_order: bool, bulk: bool
) -> tuple[Complaint, Complaint]:
    """The owner's letter of 30 Nov (a leak) and ``caller``'s phone call of 1 Dec
    about the same flat (the stairwell cleaning, another category), received in
    time order or the call first; as stored after intake."""
    letter = attrs.evolve(intake(OWNER, LETTER_AT), channel="written")
    call = intake(caller, CALL_AT, summary="楼道保洁不到位")
    arriving = [letter, call] if in_time_order else [call, letter]
    if bulk:
        got = list(desk.receive_many(arriving, now=TYPED_AT, validity="valid"))
    else:
        got = [
            desk.receive(i, now=i.received_at if i is call else TYPED_AT, validity="valid")
            for i in arriving
        ]
    assert all(isinstance(c, Complaint) for c in got), got
    first, second = (desk.get(c.id) for c in got if isinstance(c, Complaint))
    return (first, second) if in_time_order else (second, first)


def told_raised_repeatedly(desk: Desk, notes: RecordingNotifier, now: datetime) -> list[str]:
    """Delivers what intake queued; the complaints customer service was told were
    raised repeatedly (GRD-2), one a message."""
    desk.deliver(now)
    return [n.complaint_id for n, _ in notes.sent if n.topic == "raised_repeatedly"]


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize("store_kind", ["memory", "sqlite"])
@pytest.mark.parametrize("bulk", [False, True], ids=["receive", "receive_many"])
@pytest.mark.parametrize("in_time_order", [True, False], ids=["in_order", "call_first"])
def test_a_repeat_by_the_same_complainant_in_another_category_is_linked_in_any_order(
    tmp_path: Path, store_kind: str, bulk: bool, in_time_order: bool
) -> None:
    """Review s46A F01: the owner's letter of 30 Nov (a leak) is typed in on 2 Dec,
    after his call of 1 Dec about the stairwell cleaning.  IMP-3: the call repeats
    the letter by the same complainant (and the same flat), so the call is linked
    to it whichever was stored first; as no leak is raised twice, the count stays
    1 and customer service is not told.  December's report (as at 5 Dec) counts
    one valid complaint linked, a repeat by the same complainant and the same
    room, no same-matter link (another category), none raised repeatedly -- the
    letter is November's."""
    notes = RecordingNotifier()
    store = MemoryStore() if store_kind == "memory" else SqliteStore(tmp_path / "d.db")
    with make_desk(store=store, notifiers=[notes]) as desk:
        letter, call = letter_and_call(desk, OWNER, in_time_order=in_time_order, bulk=bulk)
        assert links(letter) == []
        (link,) = links(call)
        assert (link.same_complainant, link.same_room, link.same_matter) == (
            (letter.id,),
            (letter.id,),
            (),
        )
        assert (link.raisings, link.raised_repeatedly, link.repeated_by) == (1, False, "")
        assert call.state.raisings == 1
        assert Fact.RAISED_REPEATEDLY not in call.state.facts
        report = desk.monthly_report(2025, 12, now=DECEMBER_AT)
        assert report.links == LinkFigures(
            linked=1, repeated=1, same_complainant=1, same_room=1, same_matter=0
        )
        assert [g.ids for g in report.repeats.groups] == [(letter.id, call.id)]
        assert told_raised_repeatedly(desk, notes, DECEMBER_AT) == []
        assert desk.verify(DECEMBER_AT).ok


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize("bulk", [False, True], ids=["receive", "receive_many"])
def test_a_repeat_about_the_same_room_in_another_category_is_linked_call_first(
    tmp_path: Path, bulk: bool
) -> None:
    """Review s46A F01, the same room: the owner's wife (another phone) calls on
    1 Dec about the stairwell cleaning; the owner's letter of 30 Nov about a leak
    in their flat is typed in on 2 Dec.  The call repeats the letter about the same
    room (IMP-3), not by the same complainant; December counts one repeat, by the
    same room."""
    with make_desk(store=SqliteStore(tmp_path / "d.db")) as desk:
        letter, call = letter_and_call(desk, SPOUSE, in_time_order=False, bulk=bulk)
        (link,) = links(call)
        assert (link.same_complainant, link.same_room, link.same_matter) == (
            (),
            (letter.id,),
            (),
        )
        assert link.raisings == 1
        report = desk.monthly_report(2025, 12, now=DECEMBER_AT)
        assert report.links == LinkFigures(linked=1, repeated=1, same_room=1)


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize("bulk", [False, True], ids=["receive", "receive_many"])
def test_an_earlier_complaint_of_another_matter_typed_in_late_adds_links_not_raisings(
    tmp_path: Path, bulk: bool
) -> None:
    """Review s46A F01: the owner raised a leak on 3, 4 and 5 Nov (received in time
    order: the third is raised repeatedly and customer service told once, "raised:
    3"), and his fee complaint of 2 Nov is typed in on 6 Nov.  Each leak repeats it
    by the same complainant and room, so each is linked to it, but the leak is
    still raised three times: nobody is told again and no count changes.  November
    (as at 6 Nov) counts what time order counts: 3 linked, 3 repeats by the same
    complainant and room, 2 by the same matter (4 and 5 Nov link the earlier leaks;
    the fee complaint is another category), 3 raised repeatedly."""
    notes = RecordingNotifier()
    now = T0 + timedelta(days=3)  # Thu 6 Nov
    fees_at = T0 - timedelta(days=1)  # Sun 2 Nov
    with make_desk(store=SqliteStore(tmp_path / "d.db"), notifiers=[notes]) as desk:
        leaks = [receive(desk, OWNER, d) for d in (0, 1, 2)]
        assert told_raised_repeatedly(desk, notes, now) == [leaks[2].id]
        (message,) = (n for n, _ in notes.sent if n.topic == "raised_repeatedly")
        assert "raised: 3" in message.body
        fee = intake(OWNER, fees_at, summary="物业费账单多收了")
        if bulk:
            (got,) = desk.receive_many([fee], now=now, validity="valid")
            assert isinstance(got, Complaint), got
            fees = got
        else:
            fees = desk.receive(fee, now=now, validity="valid")
        assert told_raised_repeatedly(desk, notes, now) == [leaks[2].id]  # not told again
        for leak in leaks:
            stored = desk.get(leak.id)
            own = [e for e in links(stored) if not e.repeated_by]
            assert fees.id in own[-1].same_complainant, leak.id
            assert fees.id in own[-1].same_room, leak.id
            assert fees.id not in own[-1].same_matter, leak.id
            assert own[-1].raised_repeatedly is False, leak.id  # nothing new to tell
        assert [c.state.raisings for c in map(desk.get, [x.id for x in leaks])] == [3, 3, 3]
        report = desk.monthly_report(2025, 11, now=now)
        assert report.links == LinkFigures(
            linked=3, repeated=3, same_complainant=3, same_room=3, same_matter=2,
            raised_repeatedly=3,
        )  # fmt: skip
        assert desk.verify(now).ok


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize("store_kind", ["memory", "sqlite"])
@pytest.mark.parametrize("bulk", [False, True], ids=["receive", "receive_many"])
@pytest.mark.parametrize(
    "summary", ["楼道保洁不到位", "卫生间又漏水"], ids=["another_matter", "same_matter"]
)
def test_a_closed_later_complaint_is_linked_to_an_earlier_one_stored_after_it(
    tmp_path: Path, store_kind: str, bulk: bool, summary: str
) -> None:
    """Review s46A F01: the owner's call of 1 Dec is handled and closed the same day;
    his letter of 30 Nov (a leak) is typed in on 2 Dec.  The closed call repeats the
    letter by the same complainant and room (IMP-3) and is linked to it, so December
    counts one repeat; being closed it is otherwise left as it was (GRD-2): its own
    count (1), its facts, its grade and its status stay, and nobody is told."""
    notes = RecordingNotifier()
    store = MemoryStore() if store_kind == "memory" else SqliteStore(tmp_path / "d.db")
    with make_desk(store=store, notifiers=[notes]) as desk:
        call = desk.receive(intake(OWNER, CALL_AT, summary=summary), now=CALL_AT,
                            validity="valid")  # fmt: skip
        at = CALL_AT
        for command in (
            Reply(actor="SR-201", message="已处理", final=True),
            Visit(actor="SR-102", satisfied=True),
            RecordCause(actor="SR-201", cause="巡查不到位", corrective="加强巡查"),
            Close(actor="SR-201", result="已处理"),
        ):
            at += timedelta(minutes=10)
            desk.act(call.id, command, now=at)
        closed = desk.get(call.id)
        letter = attrs.evolve(intake(OWNER, LETTER_AT), channel="written")
        if bulk:
            (got,) = desk.receive_many([letter], now=TYPED_AT, validity="valid")
            assert isinstance(got, Complaint), got
        else:
            got = desk.receive(letter, now=TYPED_AT, validity="valid")
        after = desk.get(call.id)
        (link,) = links(after)
        assert (link.same_complainant, link.same_room) == ((got.id,), (got.id,))
        assert (link.raisings, link.raised_repeatedly, link.promise_not_kept) == (1, False, False)
        assert after.status.value == "closed"
        assert (after.state.raisings, after.state.facts, after.state.grade) == (
            1,
            closed.state.facts,
            closed.state.grade,
        )
        report = desk.monthly_report(2025, 12, now=DECEMBER_AT)
        assert (report.links.linked, report.links.repeated) == (1, 1)
        assert (report.links.same_complainant, report.links.same_room) == (1, 1)
        assert report.links.raised_repeatedly == 0
        assert told_raised_repeatedly(desk, notes, DECEMBER_AT) == []
        assert desk.verify(DECEMBER_AT).ok


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize("batch", [1, 2])
def test_one_batch_in_the_hour_the_clocks_go_back_links_the_later_to_the_earlier(
    tmp_path: Path, batch: int
) -> None:
    """On a desk in Europe/London, 25 October 2026: the owner calls at 01:50 BST
    (00:50 UTC), then again at 01:10 GMT (``fold=1``, 01:10 UTC), twenty minutes
    later though it reads earlier.  Received in one batch, the second is linked to
    the first (a raising of the same matter), never the first to the second
    (review s48B: the batch's receipts are compared as instants)."""
    from zoneinfo import ZoneInfo

    from complaintcore.adapters.calendars import calendar_for_spec
    from complaintcore.rules import load_pack
    from complaintcore.testing import load_sample_staff

    london = ZoneInfo("Europe/London")
    cn = load_pack("cn-property")
    pack = attrs.evolve(cn, calendar=attrs.evolve(cn.calendar, timezone="Europe/London"))
    desk = Desk(
        pack=pack,
        store=SqliteStore(tmp_path / "d.db"),
        directory=load_sample_staff(pack=pack),
        calendar=calendar_for_spec(pack.calendar),
    )
    first_call = datetime(2026, 10, 25, 1, 50, tzinfo=london)  # 00:50 UTC
    second_call = datetime(2026, 10, 25, 1, 10, tzinfo=london, fold=1)  # 01:10 UTC
    now = datetime(2026, 10, 25, 1, 20, tzinfo=london, fold=1)
    with desk:
        first, second = desk.receive_many(
            [intake(OWNER, first_call), intake(OWNER, second_call)],
            now=now,
            validity="valid",
            batch=batch,
        )
        assert isinstance(first, Complaint)
        assert isinstance(second, Complaint)
        assert links(desk.get(first.id)) == []
        (link,) = links(desk.get(second.id))
        assert link.same_complainant == (first.id,)
        assert link.raisings == 2
