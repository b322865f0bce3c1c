"""Duties around National Day 2026 on a SQLite desk (review s37A F01, F04, F09).

cn-property, the packaged sample staff and the real CN calendar: Fri 25 Sep and
1-7 Oct 2026 are days off, Sat 10 Oct a make-up working day; working hours
09:00-12:00 and 13:00-18:00.  At site sunrise SR-001 is the project manager,
SR-101 customer service's supervisor (主管), SR-102 customer service, SR-201 the
engineering supervisor; HQ-001 senior management (every site).

* REC-6, IMP-2 (F01): a sign-off ended by a reopening was never given.  In time,
  it lapses: neither met nor missed, nor started in the month's figures; after its
  due time the breach stands (missed), as for any clock late before it stopped
  being owed (DL-7).
* REC-6 (F04): the pack's ``written_sign_off`` duty asks its owners at closure
  (``duty_owed``); no second ``sign_off`` request goes to another supervisor.  A
  pack without such a duty keeps the ``sign_off`` message.
* DL-5 (F09): a sweep that tells an owner a duty is overdue does not also tell
  them it is owed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import attrs
import pytest

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core import stats
from complaintcore.core.deadlines import ClockState, DutyStatus
from complaintcore.core.models import Complainant, Intake
from complaintcore.core.workflow import (
    Assess,
    Close,
    Handle,
    Promise,
    RecordCause,
    Reopen,
    Reply,
    SignOff,
    Visit,
)
from complaintcore.desk import Desk
from complaintcore.rules import load_pack
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH, store_on


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


@pytest.fixture
def notes() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture(params=["sqlite", "postgres"])
def desk(
    request: pytest.FixtureRequest, tmp_path: Path, notes: RecordingNotifier
) -> Iterator[Desk]:
    with make_desk(store=store_on(request.param, request, tmp_path), notifiers=[notes]) as d:
        yield d


def letter(n: int, summary: str = "楼上漏水，天花板渗水") -> Intake:
    """Owner ``n`` of building 3 writes to customer service on Mon 28 Sep."""
    return Intake(
        complainant=Complainant(f"业主{n}", f"1390000{n:04d}", f"3-1-{n:02d}01", "3", "sunrise"),
        channel="written",
        received_at=at(9, 28, 10),
        receiver="SR-103",
        summary=summary,
        site="sunrise",
    )


def handled_and_closed(desk: Desk, cid: str, closed: datetime) -> None:
    """Assessed, cause recorded (IMP-1), handled, replied, visited and closed."""
    h = desk.get(cid).state.handler
    desk.act(cid, Assess(actor=h, validity="valid"), now=at(9, 28, 11))
    desk.act(cid, RecordCause(actor=h, cause="管道老化", corrective="更换管道"), now=at(9, 29, 10))
    desk.act(cid, Handle(actor=h, result="已更换"), now=at(9, 29, 11))
    # HDL-4: a helping department's part is not these tests' matter
    reply = Reply(actor=h, message="已修复", final=True, without_helpers=True)
    desk.act(cid, reply, now=at(9, 29, 12))
    desk.act(cid, Visit(actor="SR-102", satisfied=True, opinion="满意"), now=at(9, 30, 10))
    desk.act(cid, Close(actor=h, result="修复，业主确认"), now=closed)


def closed_again(desk: Desk, cid: str, reopened: datetime, closed: datetime) -> None:
    """Reopened, handled once more and closed again on Fri 9 Oct."""
    h = desk.get(cid).state.handler
    desk.act(cid, Reopen(actor="SR-102", reason="又漏了"), now=reopened)
    desk.act(cid, Handle(actor=h, result="再次修复"), now=at(10, 9, 13))
    desk.act(cid, Reply(actor=h, message="已再次修复", final=True), now=at(10, 9, 13, 30))
    desk.act(cid, Visit(actor="SR-102", satisfied=True, opinion="满意"), now=at(10, 9, 14))
    desk.act(cid, Close(actor=h, result="再次修复，业主确认"), now=closed)


def sign_off(desk: Desk, cid: str, now: datetime) -> DutyStatus:
    return next(d for d in desk.duties(cid, now) if d.name == "written_sign_off")


def asked_to_sign(notes: RecordingNotifier, cid: str) -> list[tuple[str, str]]:
    """(topic, recipient) of every REC-6 request about ``cid``: the old ``sign_off``
    message, and the sign-off duty's ``duty_owed`` notice (its body names REC-6)."""
    return sorted(
        (n.topic, n.recipient)
        for n, _ in notes.sent
        if n.complaint_id == cid
        and (n.topic == "sign_off" or (n.topic == "duty_owed" and "REC-6" in n.body))
    )


# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("REC-6")
@pytest.mark.procedure("IMP-2")
def test_a_sign_off_ended_by_a_reopening_is_never_counted_as_done(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """Two letters closed Wed 30 Sep 17:30: their sign-off is due at the end of the
    next working day, Thu 8 Oct 18:00 (1-7 Oct are off).  Neither is signed.  One is
    reopened on 8 Oct 09:30, in time: that sign-off lapses, neither met nor missed.
    The other is reopened on Fri 9 Oct 09:30, after its due time: missed, the breach
    stands.  Both are closed again on 9 Oct 15:00 and signed on the make-up Saturday
    10 Oct 11:00, in time (due 10 Oct 18:00).  The month's figures hold one met
    sign-off per signature and one missed for the late lapse, and the desk's report
    read from its rows says the same as the recount from every event."""
    early, late = (desk.receive(letter(n), now=at(9, 28, 10)).id for n in (1, 2))
    for cid in (early, late):
        handled_and_closed(desk, cid, at(9, 30, 17, 30))
        assert sign_off(desk, cid, at(9, 30, 17, 30)).due == at(10, 8, 18)
    closed_again(desk, early, reopened=at(10, 8, 9, 30), closed=at(10, 9, 15))

    # between the reopening and the next closure the lapsed sign-off is owed by nobody
    waiting = sign_off(desk, early, at(10, 9, 9))
    assert (waiting.state, waiting.owed) == (ClockState.WAIVED, False)
    report = desk.sweep(at(10, 9, 9))
    assert (early, "written_sign_off") not in report.duties_overdue
    assert (late, "written_sign_off") in report.duties_overdue  # still unsigned, late

    closed_again(desk, late, reopened=at(10, 9, 9, 30), closed=at(10, 9, 15))
    assert sign_off(desk, late, at(10, 9, 12)).state is ClockState.MISSED
    for cid in (early, late):
        again = sign_off(desk, cid, at(10, 9, 15))
        assert (again.clock.run, again.due) == (2, at(10, 10, 18))
        desk.act(cid, SignOff(actor="SR-101"), now=at(10, 10, 11))
    signed = [sum(e.kind == "signed_off" for e in desk.get(c).events) for c in (early, late)]
    assert signed == [1, 1]
    done = sign_off(desk, early, at(10, 31, 12))
    assert (done.state, done.clock.run, done.clock.lapsed) == (ClockState.MET, 2, 1)
    assert sign_off(desk, late, at(10, 31, 12)).clock.lapsed == 0  # it lapsed late: missed

    now = at(10, 31, 12)
    report = desk.monthly_report(2026, 9, now=now)
    figures = next(d for d in report.duties if d.name == "written_sign_off")
    assert (figures.rule, figures.started, figures.met, figures.missed) == ("REC-6", 3, 2, 1)
    assert figures.on_time_rate == pytest.approx(2 / 3)
    recount = stats.monthly_report(
        desk.store.complaints(), desk.pack, desk.calendar, year=2026, month=9, now=now
    )
    assert report == recount


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("REC-6")
def test_closing_a_written_complaint_asks_the_sign_off_duty_owners_once(
    desk: Desk, notes: RecordingNotifier, tmp_path: Path
) -> None:
    """A leak handled by engineering (SR-201) and a complaint about the front desk
    handled by customer service (SR-101): closing each asks customer service's
    supervisor SR-101, the owner of cn-property's ``written_sign_off``, once, and
    nobody else.  Under the same pack without that duty, the ``sign_off`` message
    goes to one supervisor of the complaint's department, as before."""
    leak = desk.receive(letter(1), now=at(9, 28, 10))
    rude = desk.receive(letter(2, "前台接待员态度差，不耐烦"), now=at(9, 28, 10))
    assert (leak.state.handler, rude.state.handler) == ("SR-201", "SR-101")
    for c in (leak, rude):
        handled_and_closed(desk, c.id, at(9, 30, 17, 30))
    desk.deliver(at(9, 30, 17, 30))
    assert asked_to_sign(notes, leak.id) == [("duty_owed", "SR-101")]
    assert asked_to_sign(notes, rude.id) == [("duty_owed", "SR-101")]

    pack = load_pack("cn-property")
    without = attrs.evolve(pack, duties=tuple(d for d in pack.duties if d.command != "sign_off"))
    old_notes = RecordingNotifier()
    with Desk(
        pack=without,
        store=SqliteStore(tmp_path / "without.sqlite3"),
        directory=load_sample_staff(pack=without),
        calendar=calendar_for_spec(without.calendar),
        notifiers=[old_notes],
    ) as old:
        c = old.receive(letter(1), now=at(9, 28, 10))
        handled_and_closed(old, c.id, at(9, 30, 17, 30))
        old.deliver(at(9, 30, 17, 30))
        assert asked_to_sign(old_notes, c.id) == [("sign_off", "SR-201")]


# --------------------------------------------------------------------------- F09


@pytest.mark.procedure("DL-5")
def test_an_overdue_apology_is_told_overdue_not_also_owed(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """SR-201 promised the repair by Wed 30 Sep 17:00, the eve of National Day.  The
    17:10 sweep escalates the broken promise to the project manager SR-001, who owes
    the apology by 19:00 (2 hours on the clock).  The 19:05 sweep escalates the
    overdue apology to senior management: SR-001, who let it lapse, and HQ-001, who
    holds it now, are each told it is overdue, once; HQ-001 is not also told it is
    owed."""
    c = desk.receive(attrs.evolve(letter(1), channel="phone"), now=at(9, 29, 10))
    desk.act(c.id, Assess(actor="SR-201", validity="valid"), now=at(9, 29, 11))
    desk.act(c.id, Promise(actor="SR-201", due=at(9, 30, 17), note="节前修好"), now=at(9, 29, 12))

    def told(now: datetime) -> list[tuple[str, str]]:
        before = len(notes.sent)
        desk.sweep(now)
        desk.deliver(now)
        duty_topics = ("duty_owed", "duty_at_risk", "duty_overdue")
        return sorted((n.topic, n.recipient) for n, _ in notes.sent[before:]
                      if n.topic in duty_topics)  # fmt: skip

    assert told(at(9, 30, 17, 10)) == [("duty_owed", "SR-001")]
    assert told(at(9, 30, 18, 5)) == [("duty_at_risk", "SR-001")]  # 50 % of the 2 hours
    assert told(at(9, 30, 19, 5)) == [("duty_overdue", "HQ-001"), ("duty_overdue", "SR-001")]
    assert desk.get(c.id).state.handler == "HQ-001"
    assert told(at(10, 1, 9)) == []  # once per run
