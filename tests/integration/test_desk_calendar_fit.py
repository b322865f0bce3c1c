"""The desk's calendar fits its pack and says before it ends (review s26A F02, F03).

A calendar counting working hours in another zone than the pack's is refused; one
built from another region's holidays is warned about; from the calendar's last
year on the desk warns that it ends; and one complaint whose deadline runs past
the calendar's end fails alone in a sweep, not the whole desk.

Expected deadlines are worked by hand (uk-housing-ombudsman-2024: Europe/London,
Monday to Friday 09:00-17:00, England and Wales bank holidays; HOC 6.2 five
working days and HOC 6.3 ten, the day of receipt not counted):

* received Thu 17 Apr 2025 12:00 BST: Good Friday 18 and Easter Monday 21 April
  are bank holidays, so 22, 23, 24, 25, 28 April: due Mon 28 Apr 2025 17:00 BST;
* received Fri 27 Dec 2030 10:00: 25, 26 Dec and 1 Jan 2031 are bank holidays,
  so 30, 31 Dec, 2, 3, 6 Jan: due Mon 6 Jan 2031 17:00 GMT;
* received Mon 2 Dec 2030 10:00: HOC 6.2 due Mon 9 Dec 17:00 (3, 4, 5, 6, 9);
  missed, HOC 6.3 runs 10, 11, 12, 13, 16, 17, 18, 19, 20, 23 Dec: due Mon
  23 Dec 17:00;
* received Fri 20 Dec 2030 10:00: HOC 6.2 due Tue 31 Dec 17:00 (23, 24, 27, 30,
  31); missed, HOC 6.3's ten working days run into January 2031.
"""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import attrs
import pytest

from complaintcore import Complainant, Desk, Intake, load_pack
from complaintcore.adapters.calendars import calendar_for_spec, calendar_from_holidays
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.calendar import WorkingCalendar
from complaintcore.core.errors import (
    CalendarError,
    InvalidInputError,
    NaiveDatetimeError,
    NoWorkingTimeError,
)
from complaintcore.core.models import Grouped, Linked
from complaintcore.core.rulepack import RulePack
from complaintcore.testing import make_desk

pytest.importorskip("holidays")

LONDON = ZoneInfo("Europe/London")
UK = "uk-housing-ombudsman-2024"
PERSON = ("Ann Example", "020 7946 0999", "Flat 3")


def _desk(pack: RulePack, calendar: WorkingCalendar | None = None) -> Desk:
    return Desk(
        pack=pack,
        store=MemoryStore(),
        directory=load_sample_staff(pack=pack),
        calendar=calendar if calendar is not None else calendar_for_spec(pack.calendar),
    )


def _receive(desk: Desk, at: datetime) -> str:
    name, phone, room = PERSON
    intake = Intake(
        complainant=Complainant(name, phone, room, site="elm-court"),
        channel="phone",
        received_at=at,
        receiver="CS-001",
        summary="black mould in the bedroom",
        site="elm-court",
    )
    return desk.receive(intake, now=at).id


def _due(desk: Desk, cid: str, clock: str, now: datetime) -> datetime | None:
    return {s.name: s for s in desk.clocks(cid, now)}[clock].due


def _ends_2030(pack: RulePack) -> RulePack:
    """A host's pack written when the shipped ones ended in 2030."""
    return attrs.evolve(pack, calendar=attrs.evolve(pack.calendar, last_year=2030))


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("DL-1")
def test_a_calendar_in_another_zone_is_refused_naming_both_zones() -> None:
    pack = load_pack(UK)
    shanghai = calendar_from_holidays("CN", tz="Asia/Shanghai", years=(2024, 2026))
    with pytest.raises(InvalidInputError) as info:
        _desk(pack, shanghai)
    assert info.value.path == "calendar"
    assert "Asia/Shanghai" in str(info.value)
    assert "Europe/London" in str(info.value)


@pytest.mark.procedure("DL-1")
def test_a_hook_calendar_in_another_zone_is_refused_when_first_needed() -> None:
    pack = load_pack(UK)
    desk = Desk(
        pack=pack,
        store=MemoryStore(),
        directory=load_sample_staff(pack=pack),
        calendar=lambda: WorkingCalendar.monday_to_friday(tz="UTC", years=(2024, 2030)),
    )
    with pytest.raises(InvalidInputError) as info:
        _receive(desk, datetime(2025, 4, 17, 12, 0, tzinfo=LONDON))
    assert info.value.path == "calendar"
    assert "UTC" in str(info.value)
    assert desk.rows(limit=5) == []  # nothing stored on a wrong calendar


@pytest.mark.procedure("DL-1")
def test_another_name_of_the_packs_zone_is_accepted() -> None:
    pack = load_pack(UK)
    spec = pack.calendar
    same = calendar_from_holidays(
        spec.country,
        tz="GB",  # the IANA alias of Europe/London
        years=(spec.first_year, spec.last_year),
        weekly=dict.fromkeys(spec.weekdays, spec.windows),
    )
    desk = _desk(pack, same)
    received = datetime(2025, 4, 17, 12, 0, tzinfo=LONDON)
    cid = _receive(desk, received)
    due = _due(desk, cid, "stage_1_acknowledge", received)
    assert due == datetime(2025, 4, 28, 17, 0, tzinfo=LONDON)
    assert desk.calendar_warnings == ()


@pytest.mark.procedure("DL-1")
def test_a_calendar_of_another_region_is_warned_about() -> None:
    pack = load_pack(UK)  # England and Wales bank holidays
    spec = pack.calendar
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scottish = calendar_from_holidays(
            "GB-SCT",
            tz="Europe/London",
            years=(spec.first_year, spec.last_year),
            weekly=dict.fromkeys(spec.weekdays, spec.windows),
        )
    desk = _desk(pack, scottish)
    (warning,) = desk.calendar_warnings
    assert "GB-SCT" in warning
    assert "GB-ENG" in warning
    assert desk.calendar_warnings_at(datetime(2025, 4, 17, 12, 0, tzinfo=LONDON)) == (warning,)
    assert calendar_for_spec(spec).region == "GB-ENG"
    assert _desk(pack).calendar_warnings == ()


# --------------------------------------------------------------------------- F03


@pytest.mark.procedure("DL-1")
@pytest.mark.parametrize("name", [UK, "scotland-spso", "iso-10002"])
def test_the_shipped_calendars_reach_well_past_2030(name: str) -> None:
    pack = load_pack(name)
    assert pack.calendar.last_year >= 2040


@pytest.mark.procedure("IN-2")
def test_a_complaint_received_in_the_last_days_of_2030_is_registered() -> None:
    desk = _desk(load_pack(UK))
    received = datetime(2030, 12, 27, 10, 0, tzinfo=LONDON)
    cid = _receive(desk, received)
    due = _due(desk, cid, "stage_1_acknowledge", received)
    assert due == datetime(2031, 1, 6, 17, 0, tzinfo=LONDON)


@pytest.mark.procedure("DL-7")
def test_the_desk_warns_in_its_calendars_last_year_that_it_ends() -> None:
    desk = _desk(_ends_2030(load_pack(UK)))
    assert desk.calendar_warnings_at(datetime(2029, 12, 31, 23, 59, tzinfo=LONDON)) == ()
    (warning,) = desk.calendar_warnings_at(datetime(2030, 1, 1, 0, 0, tzinfo=LONDON))
    assert "ends with 2030 (Europe/London)" in warning
    assert "last_year" in warning
    shipped = _desk(load_pack(UK))
    assert shipped.calendar_warnings_at(datetime(2030, 12, 31, 17, 30, tzinfo=LONDON)) == ()


@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("ESC-2")
def test_a_deadline_in_clock_time_after_the_calendars_end_waits_for_a_longer_calendar() -> None:
    """cn-service-centre, 23:50 on 31 Dec 2040, the shipped calendar's last day: the
    15-minute commitment and the 30-minute reply (DL-4) fall due at 00:05 and 00:20
    on 1 Jan 2041. Counted in clock time they need no table, so the complaint is
    registered (IN-1); no sweep runs after the end, and the warning says so (it
    promised a refusal, review s40D F01); once the pack's calendar is extended, the
    next sweep escalates both breaches (ESC-2)."""
    pack = load_pack("cn-service-centre")
    store = MemoryStore()

    def desk_of(p: RulePack) -> Desk:
        return Desk(
            pack=p,
            store=store,
            directory=load_sample_staff(pack=p),
            calendar=calendar_for_spec(p.calendar),
        )

    at = datetime(2040, 12, 31, 23, 50, tzinfo=SH)
    desk = desk_of(pack)
    c = desk.receive(
        Intake(
            complainant=Complainant("张三", "13912345678", "3-2-1201", "3", "sunrise"),
            channel="phone",
            received_at=at,
            receiver="CC-201",
            summary="电梯故障",
            site="sunrise",
        ),
        now=at,
    )
    (warning,) = desk.calendar_warnings_at(at)
    assert "from 1 January 2041 no sweep runs" in warning
    assert "clock time" in warning
    late = datetime(2041, 1, 1, 0, 30, tzinfo=SH)
    with pytest.raises(InvalidInputError) as refused:
        desk.sweep(late)
    assert refused.value.path == "now"
    assert "last_year" in str(refused.value)
    longer = attrs.evolve(pack, calendar=attrs.evolve(pack.calendar, last_year=2041))
    report = desk_of(longer).sweep(late)
    assert set(report.escalated) == {(c.id, "commitment"), (c.id, "general_closure")}


@pytest.mark.procedure("DL-7")
@pytest.mark.parametrize("at", ["now", "instants[1]"])
def test_the_calendar_warnings_refuse_a_naive_time(at: str) -> None:
    """Whether 22:00 on 31 December 2029 is in the calendar's last year depends on a
    zone a naive time does not say: the server's was read (review s32E F01)."""
    desk = _desk(_ends_2030(load_pack(UK)))
    aware = datetime(2029, 12, 31, 22, 0, tzinfo=LONDON)
    naive = datetime(2029, 12, 31, 22, 0)
    args = (naive, None, None) if at == "now" else (aware, None, naive)
    with pytest.raises(NaiveDatetimeError) as info:
        desk.calendar_warnings_at(*args)
    assert info.value.path == at


@pytest.mark.procedure("ESC-2")
def test_a_deadline_past_the_calendar_fails_one_complaint_not_the_sweep() -> None:
    desk = _desk(_ends_2030(load_pack(UK)))
    early = _receive(desk, datetime(2030, 12, 2, 10, 0, tzinfo=LONDON))
    late = _receive(desk, datetime(2030, 12, 20, 10, 0, tzinfo=LONDON))
    now = datetime(2030, 12, 31, 17, 30, tzinfo=LONDON)
    report = desk.sweep(now)
    assert report.examined == 2
    assert sorted(report.escalated) == [
        (early, "stage_1_acknowledge"),
        (early, "stage_1_response"),
    ]
    ((failed, error),) = report.failed
    assert failed == late
    assert isinstance(error, NoWorkingTimeError)
    for personal in PERSON:
        assert personal not in str(error)


def test_a_broken_calendar_still_stops_the_sweep(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a deadline past the calendar's end is one complaint's failure; a calendar
    that cannot answer at all fails every complaint, so the sweep stops and says so."""
    desk = _desk(load_pack(UK))
    _receive(desk, datetime(2025, 12, 1, 10, 0, tzinfo=LONDON))

    def broken(complaint_id: str, now: datetime) -> None:
        raise CalendarError("the host's calendar service is down")

    monkeypatch.setattr(desk._sweeper, "sweep_one", broken)
    with pytest.raises(CalendarError, match="calendar service is down"):
        desk.sweep(datetime(2025, 12, 31, 17, 30, tzinfo=LONDON))


# --------------------------------------------------------------------------- s33C F01


def _intakes(*received: datetime) -> list[Intake]:
    name, phone, room = PERSON
    return [
        Intake(
            complainant=Complainant(f"{name} {i}", phone[:-1] + str(i), room, site="elm-court"),
            channel="phone",
            received_at=at,
            receiver="CS-001",
            summary=f"black mould in bedroom {i}",
            site="elm-court",
        )
        for i, at in enumerate(received)
    ]


@pytest.mark.procedure("IN-2")
def test_a_bulk_intake_refuses_a_complaint_before_the_calendar_alone() -> None:
    """An imported history's row from before the calendar's first year is that row's
    refusal, naming received_at and the first year; the rows round it are stored
    (review s33C F01: the whole batch raised, its good rows lost)."""
    pack = load_pack(UK)
    pack = attrs.evolve(pack, calendar=attrs.evolve(pack.calendar, first_year=2025))
    desk = _desk(pack)
    now = datetime(2025, 12, 1, 10, 0, tzinfo=LONDON)
    rows = _intakes(
        datetime(2025, 11, 3, 10, 0, tzinfo=LONDON),
        datetime(2024, 11, 4, 10, 0, tzinfo=LONDON),
        datetime(2025, 11, 5, 10, 0, tzinfo=LONDON),
    )
    results = list(desk.receive_many(rows, now=now))
    first, refused, last = results
    assert isinstance(refused, InvalidInputError)
    assert refused.path == "received_at"
    assert "first year 2025" in str(refused)
    assert "first_year" in str(refused)
    for personal in PERSON:
        assert personal not in str(refused)
    stored = [r.id for r in (first, last) if not isinstance(r, Exception)]
    assert len(stored) == 2
    assert sorted(row.id for row in desk.rows(status=None)) == sorted(stored)
    with pytest.raises(InvalidInputError) as info:
        desk.receive(rows[1], now=now)
    assert info.value.path == "received_at"


@pytest.mark.procedure("IN-2")
def test_a_bulk_intake_refuses_a_deadline_past_the_calendar_alone() -> None:
    """A complaint whose first deadline runs past the calendar's end is refused by
    itself in a batch, as receive refuses it; the batch's other complaints are stored."""
    desk = _desk(_ends_2030(load_pack(UK)))
    now = datetime(2030, 12, 31, 10, 0, tzinfo=LONDON)
    rows = _intakes(
        datetime(2030, 12, 2, 10, 0, tzinfo=LONDON),
        datetime(2030, 12, 30, 10, 0, tzinfo=LONDON),
        datetime(2030, 12, 3, 10, 0, tzinfo=LONDON),
    )
    with pytest.raises(NoWorkingTimeError):
        desk.receive(rows[1], now=now)
    first, refused, last = desk.receive_many(rows, now=now)
    assert isinstance(refused, NoWorkingTimeError)
    assert "last_year" in str(refused)
    assert not isinstance(first, Exception)
    assert not isinstance(last, Exception)
    assert sorted(row.id for row in desk.rows(status=None)) == sorted([first.id, last.id])


# --------------------------------------------------------------------------- s33E F02, F03

SH = ZoneInfo("Asia/Shanghai")
END = datetime(2040, 12, 31, 10, 0, tzinfo=SH)  # the shipped cn-property calendar ends 2040


def _cn_row(day: int, who: int, room: str, unit: str, receiver: str, building: str = "3") -> Intake:
    return Intake(
        complainant=Complainant(f"业主{who}", f"1381234567{who}", room, building, "sunrise"),
        channel="phone",
        received_at=datetime(2040, 12, day, 9, who, tzinfo=SH),
        receiver=receiver,
        receiver_unit=unit,
        summary="楼上漏水，天花板渗水",
        site="sunrise",
    )


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("HDL-5")
@pytest.mark.parametrize("case", ["repeats", "group"])
def test_a_row_refused_for_the_calendars_end_is_never_counted_by_the_rows_stored(
    case: str,
) -> None:
    """A row whose first deadline (DL-1's reply, 3 working days) runs past 31 Dec 2040
    is refused before the batch is linked and grouped: the owner's two stored
    raisings are not "raised repeatedly" by a third that does not exist (IMP-3's
    threshold is 3), and two owners make no concentrated issue (HDL-5's minimum is
    3 complainants) (review s33E F02)."""
    desk = make_desk()
    guard, cs = ("security", "SR-302"), ("customer_service", "SR-103")
    if case == "repeats":
        rows = [
            _cn_row(3, 1, "3-2-1201", *guard),
            _cn_row(10, 1, "3-2-1201", *guard),
            _cn_row(28, 1, "3-2-1201", *cs),
        ]
    else:
        rows = [
            _cn_row(26, 1, "3-2-1201", *guard),
            _cn_row(26, 2, "3-2-1202", *guard),
            _cn_row(28, 3, "3-2-1203", *cs),
        ]
    *stored, refused = desk.receive_many(rows, now=END, route=False)
    assert isinstance(refused, NoWorkingTimeError)
    ids = {r.id for r in stored if not isinstance(r, Exception)}
    assert len(ids) == 2
    for cid in ids:
        c = desk.get(cid)
        assert c.state.facts == frozenset()
        assert c.state.issue == ""
        named: set[str] = set()
        for e in c.events:
            if isinstance(e, Linked):
                named |= {*e.same_complainant, *e.same_room, *e.same_matter, e.repeated_by}
                assert e.raisings < 3
            if isinstance(e, Grouped):
                named |= set(e.members)
        assert named - {""} <= ids


@pytest.mark.procedure("DL-7")
def test_a_row_past_the_calendars_end_is_refused_whatever_row_comes_before_it() -> None:
    """Refused in a batch as ``receive`` refuses it, also after a row of the same
    history received weeks before (already overdue): its own deadlines are computed,
    not the shared due time of the earlier one (review s33E F03)."""
    late = _cn_row(28, 2, "2-1-101", "customer_service", "SR-103", building="2")
    with pytest.raises(NoWorkingTimeError):
        make_desk().receive(late, now=END, route=False)
    early = _cn_row(3, 1, "1-1-101", "customer_service", "SR-103", building="1")
    desk = make_desk()
    first, second = desk.receive_many([early, late], now=END, route=False)
    assert not isinstance(first, Exception)
    assert isinstance(second, NoWorkingTimeError)
    assert [row.id for row in desk.rows(status=None)] == [first.id]


# --------------------------------------------------------------------------- s34C F01, F05


def _leak_at_building_9(n: int, *, via_head_office: bool = False) -> Intake:
    return Intake(
        complainant=Complainant(f"业主{n}", f"139000{n:05d}", f"9-1-{n}01", "9", "sunrise"),
        channel="phone",
        received_at=datetime(2040, 12, 25, 8 + n, 0, tzinfo=SH),
        receiver="HQ-002" if via_head_office else "SR-103",
        receiver_unit="head_office" if via_head_office else "customer_service",
        summary="楼道顶上漏水，墙面渗水",
        site="sunrise",
        via_head_office=via_head_office,
    )


@pytest.mark.procedure("IN-6")
@pytest.mark.procedure("HDL-5")
def test_a_duty_past_the_calendars_end_refuses_its_complaint_before_grouping() -> None:
    """Tue 25 Dec 2040: two owners of building 9 report a leak at the site, a third
    straight to head office (IN-6). Its reply (DL-1, 3 working days: 26-28 Dec)
    fits the calendar, but head office's tracking duty (5 working days: 26-28,
    31 Dec, then 2041) does not: that complaint is refused alone, before the batch
    is grouped, so the two stored make no concentrated issue (HDL-5 needs 3)
    (review s34C F01)."""
    rows = [
        _leak_at_building_9(1),
        _leak_at_building_9(2),
        _leak_at_building_9(3, via_head_office=True),
    ]
    with pytest.raises(NoWorkingTimeError, match="head_office_tracking"):
        make_desk().receive(rows[2], now=END, route=False)
    desk = make_desk()
    *stored, refused = desk.receive_many(rows, now=END, route=False)
    assert isinstance(refused, NoWorkingTimeError)
    assert "head_office_tracking" in str(refused)
    ids = {r.id for r in stored if not isinstance(r, Exception)}
    assert len(ids) == 2
    for cid in ids:
        c = desk.get(cid)
        assert c.state.issue == ""
        assert not [e for e in c.events if isinstance(e, Grouped)]


PLUS_14 = timezone(timedelta(hours=14))


@pytest.mark.procedure("IN-2")
@pytest.mark.parametrize(
    ("received", "registered"),
    [
        (datetime(2023, 12, 31, 15, 59, tzinfo=UTC), False),  # 23:59 on 31 Dec in Shanghai
        (datetime(2023, 12, 31, 16, 0, tzinfo=UTC), True),  # 00:00 on 1 Jan 2024 there
        (datetime(2023, 12, 31, 23, 30, tzinfo=UTC), True),  # 07:30 on 1 Jan 2024
        (datetime(2024, 1, 1, 1, 0, tzinfo=PLUS_14), False),  # 19:00 on 31 Dec 2023
        (datetime(2024, 1, 1, 14, 0, tzinfo=PLUS_14), True),  # 08:00 on 1 Jan 2024
    ],
)
def test_the_first_year_is_the_year_in_the_calendars_zone(
    received: datetime, registered: bool
) -> None:
    """cn-property's calendar starts with 2024 in Asia/Shanghai: a time sent in UTC or
    +14:00, as importers send them, is before it only if it is before 1 Jan 2024 in
    Shanghai (review s34C F05)."""
    intake = Intake(
        complainant=Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise"),
        channel="phone",
        received_at=received,
        receiver="SR-103",
        receiver_unit="customer_service",
        summary="楼上漏水，天花板渗水",
        site="sunrise",
    )
    desk = make_desk()
    now = datetime(2024, 1, 2, 10, 0, tzinfo=SH)
    if registered:
        assert desk.get(desk.receive(intake, now=now).id).intake.received_at == received
        return
    with pytest.raises(InvalidInputError) as info:
        desk.receive(intake, now=now)
    assert info.value.path == "received_at"
    assert "first year 2024 (Asia/Shanghai)" in str(info.value)
    assert desk.rows(status=None) == []
