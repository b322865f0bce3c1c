"""Review s33D F02, F03: an extension given after a stage's response was due
(docs/rule-packs.md "Extensions": it "moves it on, but the clock still counts as
missed"; docs/desk.md: escalated "once per clock" run), and one that would end in
the past (refused, naming ``by``).

Dates counted by hand from the codes, not by the library:

- UK (HOC 6.3, 6.4), England's bank holidays Good Friday 18 Apr, Easter Monday
  21 Apr and Early May 5 May 2025: acknowledged Tue 8 Apr, the stage 1 response is
  due at the close (17:00) of the 10th working day after, 9-11, 14-17, 22-24 Apr:
  Thu 24 Apr.  Extended by 7 working days: 25, 28-30 Apr, 1-2, 6 May: Tue 6 May.
- SPSO stage 2 (20 working days from the request, no cap), Scotland's holidays
  Good Friday 18 Apr (Easter Monday is none there) and Early May 5 May 2025:
  requested Thu 27 Mar, due the close of 28, 31 Mar, 1-4, 7-11, 14-17, 21-25 Apr:
  Fri 25 Apr.  Extended by 11: 28-30 Apr, 1-2, 6-9, 12-13 May: Tue 13 May; by 12:
  Wed 14 May.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest

from complaintcore import Acknowledge, ClockState, Complainant, Extend, Intake, RequestEscalation
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.deadlines import ClockStatus
from complaintcore.core.errors import InvalidInputError
from complaintcore.core.models import Escalated
from complaintcore.core.workflow import Assess, Assign, Escalate, Respond
from complaintcore.desk import Desk
from complaintcore.i18n import translator
from complaintcore.rules import load_pack
from complaintcore.testing import RecordingNotifier, make_desk

LONDON = ZoneInfo("Europe/London")
UK = "uk-housing-ombudsman-2024"
SPSO = "scotland-spso"


def at(month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, second, tzinfo=LONDON)


DUE = at(4, 24, 17)  # HOC 6.3: 10 working days after Tue 8 Apr
EXTENDED_DUE = at(5, 6, 17)  # HOC 6.4: 7 more, past Easter and Early May


def desk_on(pack: str, tmp_path: Path) -> Desk:
    return make_desk(pack=pack, store=SqliteStore(str(tmp_path / "desk.sqlite3")))


def receive(desk: Desk, receiver: str, site: str, when: datetime) -> str:
    intake = Intake(
        complainant=Complainant("Alex Smith", "07700 900123", "Flat 4", site=site),
        channel="phone",
        received_at=when,
        receiver=receiver,
        summary="Black mould in the bedroom",
        site=site,
    )
    return desk.receive(intake, now=when).id


def clock(desk: Desk, cid: str, name: str, now: datetime) -> ClockStatus:
    return next(s for s in desk.clocks(cid, now) if s.name == name)


def escalations(desk: Desk, cid: str) -> list[datetime]:
    return [
        e.at
        for e in desk.get(cid).events
        if isinstance(e, Escalated) and "stage_1_response" in e.clock.split(",")
    ]


def uk_acknowledged(tmp_path: Path) -> tuple[Desk, str]:
    desk = desk_on(UK, tmp_path)
    cid = receive(desk, "CS-001", "elm-court", at(4, 7, 10))
    desk.act(cid, Acknowledge(actor="RP-101", definition="mould"), now=at(4, 8, 10))
    assert clock(desk, cid, "stage_1_response", at(4, 8, 11)).due == DUE
    return desk, cid


def extend_late(desk: Desk, cid: str) -> None:
    handler = desk.get(cid).state.handler
    extend = Extend(
        actor=handler,
        clock="stage_1_response",
        by="7d",
        reason="a damp survey",
        details="the Housing Ombudsman's details",
    )
    desk.act(cid, extend, now=at(4, 25, 10))


@pytest.mark.procedure("HOC 6.4-6.5")
@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("ESC-2")
def test_a_late_extension_keeps_the_breach_and_the_run_is_escalated_once(
    tmp_path: Path,
) -> None:
    desk, cid = uk_acknowledged(tmp_path)
    assert desk.sweep(at(4, 24, 17, 0, 1)).escalated == ((cid, "stage_1_response"),)
    extend_late(desk, cid)

    status = clock(desk, cid, "stage_1_response", at(4, 25, 11))
    assert status.state is ClockState.RUNNING  # due again, on the extended date
    assert status.due == EXTENDED_DUE
    assert status.breaches == (DUE,)  # the breach of 24 Apr stands
    assert status.late_since == DUE

    # the same run passes its extended due time: not escalated a second time
    assert desk.sweep(at(5, 6, 17, 0, 1)).escalated == ()
    assert escalations(desk, cid) == [at(4, 24, 17, 0, 1)]
    status = clock(desk, cid, "stage_1_response", at(5, 7, 9))
    assert (status.state, status.breaches) == (ClockState.BREACHED, (DUE,))
    assert desk.verify(at(5, 7, 9)).ok


@pytest.mark.procedure("HOC 6.4-6.5")
@pytest.mark.procedure("DL-7")
def test_answered_inside_the_extended_time_it_is_missed_at_the_first_due_time(
    tmp_path: Path,
) -> None:
    desk, cid = uk_acknowledged(tmp_path)
    extend_late(desk, cid)
    answered = at(5, 2, 11)
    handler = desk.get(cid).state.handler
    desk.act(cid, Respond(actor=handler, outcome="not_upheld", message="no fault"), now=answered)
    status = clock(desk, cid, "stage_1_response", answered)
    assert (status.state, status.breaches) == (ClockState.MISSED, (DUE,))


@pytest.mark.procedure("HOC 6.4-6.5")
@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("ESC-2")
def test_a_late_sweep_escalates_a_breach_extended_before_it_once(tmp_path: Path) -> None:
    """Missed on 24 Apr and extended the next morning before any sweep: the sweep
    after it takes the step a timely one would have, and none at the new due time."""
    desk, cid = uk_acknowledged(tmp_path)
    extend_late(desk, cid)
    assert desk.sweep(at(4, 25, 11)).escalated == ((cid, "stage_1_response"),)
    assert desk.sweep(at(5, 6, 17, 0, 1)).escalated == ()
    assert escalations(desk, cid) == [at(4, 25, 11)]
    assert desk.verify(at(5, 7, 9)).ok


@pytest.mark.procedure("HOC 6.4-6.5")
@pytest.mark.procedure("ESC-5")
@pytest.mark.procedure("DL-7")
def test_at_the_top_rung_the_holder_is_told_the_due_time_missed_once(tmp_path: Path) -> None:
    """With a director holding it, the sweep after the late extension tells the
    director the clock's deadline passed: the one it missed, not the new one."""
    notes = RecordingNotifier()
    desk = make_desk(pack=UK, store=SqliteStore(str(tmp_path / "desk.sqlite3")), notifiers=[notes])
    cid = receive(desk, "CS-001", "elm-court", at(4, 7, 10))
    desk.act(cid, Acknowledge(actor="RP-101", definition="mould"), now=at(4, 8, 10))
    up = Escalate(actor="RP-101", trigger="cannot_handle", to_rung="director")
    desk.act(cid, up, now=at(4, 8, 11))
    assert desk.get(cid).state.handler == "DR-501"
    extend_late(desk, cid)
    for when in (at(4, 25, 11), at(5, 6, 17, 0, 1)):
        assert desk.sweep(when).escalated == ()
    desk.deliver(at(5, 7, 9))
    told = [
        (n.recipient, n.body.split("\n")[-1])
        for n, _ in notes.sent
        if n.complaint_id == cid and n.topic == "breached"
    ]
    assert told == [("DR-501", "due: 2025-04-24T17:00+01:00")]


@pytest.mark.procedure("ESC-6")
@pytest.mark.procedure("DL-7")
def test_a_late_extended_run_is_reported_late_once(tmp_path: Path) -> None:
    """A host's copy of the UK pack that reports a late stage 1 response to housing
    management (ESC-6): the run extended after it was missed is reported by the
    sweep that escalates it, and not again when the new due time passes."""
    uk = load_pack(UK)
    clocks = tuple(
        attrs.evolve(c, report_to="housing") if c.name == "stage_1_response" else c
        for c in uk.clocks
    )
    pack = attrs.evolve(uk, clocks=clocks)
    notes = RecordingNotifier()
    desk = Desk(
        pack=pack,
        store=SqliteStore(str(tmp_path / "desk.sqlite3")),
        directory=load_sample_staff(pack=pack),
        calendar=calendar_for_spec(pack.calendar),
        notifiers=[notes],
    )
    cid = receive(desk, "CS-001", "elm-court", at(4, 7, 10))
    desk.act(cid, Acknowledge(actor="RP-101", definition="mould"), now=at(4, 8, 10))
    extend_late(desk, cid)
    assert desk.sweep(at(4, 25, 11)).escalated == ((cid, "stage_1_response"),)
    assert desk.sweep(at(5, 6, 17, 0, 1)).escalated == ()
    desk.deliver(at(5, 7, 9))
    reported = sorted(
        n.recipient for n, _ in notes.sent if n.complaint_id == cid and n.topic == "late_department"
    )
    assert reported == ["HM-101", "HM-201", "HS-401"]  # housing at elm-court, once each


def spso_at_stage_2(tmp_path: Path) -> tuple[Desk, str]:
    desk = desk_on(SPSO, tmp_path)
    cid = receive(desk, "FS-001", "city-centre", at(3, 27, 16, 30))
    desk.act(cid, RequestEscalation(actor="FN-101"), now=at(3, 27, 16, 37))
    assert clock(desk, cid, "stage_2_response", at(3, 28, 9)).due == at(4, 25, 17)
    return desk, cid


def extend_stage_2(by: str) -> Extend:
    # by an investigating officer: the front line may not extend stage 2 (review s47C F04)
    return Extend(
        actor="IO-201", clock="stage_2_response", by=by, reason="site survey", agreed_by="SM-301"
    )


@pytest.mark.procedure("SPSO MCHP extensions")
@pytest.mark.parametrize(
    ("when", "by"),
    [
        (at(5, 19, 21, 37), "11d"),  # would end Tue 13 May, six days before
        (at(5, 13, 17), "11d"),  # would end at this very moment: no time given
    ],
)
def test_an_extension_that_would_end_by_now_is_refused_naming_by(
    tmp_path: Path, when: datetime, by: str
) -> None:
    desk, cid = spso_at_stage_2(tmp_path)
    version = desk.get(cid).version
    with pytest.raises(InvalidInputError) as refused:
        desk.act(cid, extend_stage_2(by), now=when)
    assert refused.value.path == "by"
    assert "at or before now" in str(refused.value)
    # the refusal names the pack's extension rule, in either language (review s34C F10)
    assert str(refused.value).endswith("(SPSO MCHP extensions)")
    zh = translator("zh").error(refused.value)
    assert "延期" in zh
    assert zh.endswith("(SPSO MCHP extensions)")
    assert desk.get(cid).version == version  # nothing recorded
    status = clock(desk, cid, "stage_2_response", when)
    assert (status.state, status.due) == (ClockState.BREACHED, at(4, 25, 17))


@pytest.mark.procedure("SPSO MCHP extensions")
@pytest.mark.procedure("DL-7")
@pytest.mark.parametrize(
    ("when", "by", "due"),
    [
        (at(4, 28, 10), "11d", at(5, 13, 17)),
        (at(5, 13, 17), "12d", at(5, 14, 17)),
        (at(5, 13, 17) - timedelta(minutes=1), "11d", at(5, 13, 17)),
    ],
)
def test_a_late_extension_that_ends_after_now_moves_the_due_time(
    tmp_path: Path, when: datetime, by: str, due: datetime
) -> None:
    desk, cid = spso_at_stage_2(tmp_path)
    desk.act(cid, extend_stage_2(by), now=when)
    status = clock(desk, cid, "stage_2_response", when)
    assert status.due == due
    assert status.state is not ClockState.BREACHED
    assert status.breaches == (at(4, 25, 17),)


@pytest.mark.procedure("SPSO MCHP extensions")
@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("ESC-2")
def test_a_second_extension_of_a_run_extended_late_keeps_its_one_breach(tmp_path: Path) -> None:
    """Review s34C F06: the second extension comes before the new due time, so it
    is no breach; the run keeps the one it missed and is escalated for it once.
    Extended by 5 more from Tue 13 May: 14-16, 19-20 May: Tue 20 May."""
    desk, cid = spso_at_stage_2(tmp_path)
    assert "stage_2_response" in {k for _, k in desk.sweep(at(4, 25, 17, 0, 1)).escalated}
    desk.act(cid, extend_stage_2("11d"), now=at(4, 28, 10))
    desk.act(cid, extend_stage_2("5d"), now=at(5, 6, 10))
    status = clock(desk, cid, "stage_2_response", at(5, 6, 11))
    assert (status.state, status.due) == (ClockState.RUNNING, at(5, 20, 17))
    assert status.breaches == (at(4, 25, 17),)
    assert status.late_since == at(4, 25, 17)
    assert desk.sweep(at(5, 6, 11)).escalated == ()
    assert desk.sweep(at(5, 20, 17, 0, 1)).escalated == ()
    escalated = [
        e.at
        for e in desk.get(cid).events
        if isinstance(e, Escalated) and "stage_2_response" in e.clock.split(",")
    ]
    assert escalated == [at(4, 25, 17, 0, 1)]


@pytest.mark.procedure("SPSO MCHP stage 1")
@pytest.mark.procedure("DL-7")
def test_a_run_extended_late_then_waived_keeps_its_one_breach(tmp_path: Path) -> None:
    """Review s34C F06: SPSO stage 1, received Thu 27 Mar, due the close of the 5th
    working day, 28 Mar, 31 Mar, 1-3 Apr: Thu 3 Apr; extended on 4 Apr by 5 (4,
    7-10 Apr), then assessed not a complaint (the clock's waive tag): it stays
    missed for 3 Apr alone, the extension's time being no second breach."""
    desk = desk_on(SPSO, tmp_path)
    cid = receive(desk, "FS-001", "city-centre", at(3, 27, 16, 30))
    handler = desk.get(cid).state.handler
    extend = Extend(
        actor=handler, clock="stage_1_response", by="5d", reason="site survey", agreed_by="SM-301"
    )
    desk.act(cid, extend, now=at(4, 4, 10))
    status = clock(desk, cid, "stage_1_response", at(4, 4, 11))
    assert (status.due, status.breaches) == (at(4, 10, 17), (at(4, 3, 17),))
    handler = desk.get(cid).state.handler
    desk.act(cid, Assess(actor=handler, validity="invalid", note="not about us"), now=at(4, 7, 10))
    status = clock(desk, cid, "stage_1_response", at(4, 7, 11))
    assert (status.state, status.breaches) == (ClockState.MISSED, (at(4, 3, 17),))


@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("ESC-2")
def test_a_run_extended_late_then_restarted_is_escalated_once_and_the_new_run_too(
    tmp_path: Path,
) -> None:
    """Review s34C F02: a host's copy of the SPSO pack whose stage 1 clock restarts
    when the complaint changes department (DL-3). Missed Thu 3 Apr (above), extended
    late on 4 Apr, handed to property on Mon 7 Apr: the new run is due the close of
    the 5th working day after, 8-11, 14 Apr: Mon 14 Apr. The first department's
    breach is escalated once; the new department's own miss is listed and escalated.
    The bins complaint starts with the environment department."""
    spso = load_pack(SPSO)
    clocks = tuple(
        attrs.evolve(c, restart=("transferred",)) if c.name == "stage_1_response" else c
        for c in spso.clocks
    )
    pack = attrs.evolve(spso, clocks=clocks)
    desk = Desk(
        pack=pack,
        store=SqliteStore(str(tmp_path / "desk.sqlite3")),
        directory=load_sample_staff(pack=pack),
        calendar=calendar_for_spec(pack.calendar),
    )
    bins = Intake(
        complainant=Complainant("Alex Smith", "07700 900123", "Flat 4", site="city-centre"),
        channel="phone",
        received_at=at(3, 27, 16, 30),
        receiver="FS-001",
        summary="Bins not collected for three weeks",
        site="city-centre",
    )
    cid = desk.receive(bins, now=at(3, 27, 16, 30)).id
    assert desk.get(cid).state.department == "environment"
    assert desk.sweep(at(4, 4, 9)).escalated == ((cid, "stage_1_response"),)
    handler = desk.get(cid).state.handler
    extend = Extend(
        actor=handler, clock="stage_1_response", by="5d", reason="site survey", agreed_by="SM-301"
    )
    desk.act(cid, extend, now=at(4, 4, 10))
    to_property = Assign(
        actor="SM-301", handler="PR-201", rung="investigating_officer", department="property"
    )
    desk.act(cid, to_property, now=at(4, 7, 10))

    status = clock(desk, cid, "stage_1_response", at(4, 7, 11))
    assert (status.state, status.run, status.due) == (ClockState.RUNNING, 2, at(4, 14, 17))
    assert status.breaches == (at(4, 3, 17),)  # the first department's, once
    assert status.handed_on == ((at(4, 3, 17), 1),)
    assert desk.sweep(at(4, 7, 11)).escalated == ()

    status = clock(desk, cid, "stage_1_response", at(4, 16, 9))
    assert status.state is ClockState.BREACHED
    assert status.breaches == (at(4, 3, 17), at(4, 14, 17))  # property's own miss
    assert desk.sweep(at(4, 16, 9)).escalated == ((cid, "stage_1_response"),)
    assert escalations(desk, cid) == [at(4, 4, 9), at(4, 16, 9)]
