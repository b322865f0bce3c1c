"""One instant, any offset: routing, clocks and statistics are judged in the pack's zone.

A host may pass ``datetime.now(UTC)`` or a Beijing time; 10:00+08:00 and
02:00+00:00 are the same moment and must route to the same person, give the
same deadlines and fall in the same month (12.3).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.staff import parse_duty
from complaintcore.core.deadlines import ClockStatus, compute_clocks
from complaintcore.core.grading import age_upgrade_at
from complaintcore.core.models import Complaint, Validity
from complaintcore.core.stats import monthly_report
from complaintcore.core.workflow import (
    Assess,
    Close,
    Command,
    Pause,
    Register,
    Reply,
    Resume,
    decide,
    evolve,
    new_complaint,
)
from complaintcore.desk.access import pick_handler, recipients
from complaintcore.desk.ports import StaffMember
from tests.helpers import SH, intake, pack

PACK = pack()
CAL = calendar_for_spec(PACK.calendar)

ZONES: list[tzinfo] = [
    UTC,
    SH,
    ZoneInfo("America/New_York"),
    ZoneInfo("Europe/London"),
    ZoneInfo("Asia/Kolkata"),
    ZoneInfo("Pacific/Chatham"),
    ZoneInfo("Pacific/Kiritimati"),
    ZoneInfo("America/St_Johns"),
    timezone(timedelta(hours=-11)),
    timezone(timedelta(hours=13, minutes=45)),
]
zones = st.sampled_from(ZONES)

DAY = StaffMember(
    staff_id="h-day",
    name="白天班",
    role="head",
    rung="senior_management",
    department="customer_service",
    site="sunrise",
    duty=parse_duty("Mon-Sun 09:00-18:00"),
)
NIGHT = StaffMember(
    staff_id="h-night",
    name="夜班",
    role="head",
    rung="senior_management",
    department="customer_service",
    site="sunrise",
    duty=parse_duty("Mon-Sun 18:00-09:00"),
)
HEADS = [DAY, NIGHT]


def _registered(at: datetime) -> Complaint:
    c = new_complaint("C-1", intake(received_at=at))
    return evolve(c, decide(c, Register(actor="s-front"), PACK, at))


@pytest.mark.procedure("ESC-1")
def test_ten_in_beijing_routes_to_the_day_shift_however_it_is_written() -> None:
    beijing = datetime(2025, 11, 14, 10, 0, tzinfo=SH)
    utc = datetime(2025, 11, 14, 2, 0, tzinfo=UTC)
    assert beijing == utc
    for at in (beijing, utc):
        c = _registered(at)
        chosen = pick_handler(c, HEADS, PACK, at)
        assert chosen is not None
        assert chosen.staff_id == "h-day"
        on_duty = recipients(HEADS, site="sunrise", rung="senior_management", at=at, tz=SH)
        assert [m.staff_id for m in on_duty] == ["h-day"]
    night = datetime(2025, 11, 14, 14, 0, tzinfo=UTC)  # 22:00 in Beijing
    chosen = pick_handler(_registered(night), HEADS, PACK, night)
    assert chosen is not None
    assert chosen.staff_id == "h-night"


instants = st.datetimes(
    min_value=datetime(2025, 1, 2), max_value=datetime(2026, 11, 30), timezones=st.just(UTC)
)


@settings(max_examples=150, deadline=None)
@given(at=instants, z1=zones, z2=zones)
def test_the_same_instant_routes_to_the_same_people(at: datetime, z1: tzinfo, z2: tzinfo) -> None:
    def routing(zone: tzinfo) -> tuple[str | None, list[str]]:
        local = at.astimezone(zone)
        chosen = pick_handler(_registered(local), HEADS, PACK, local)
        told = recipients(HEADS, site="sunrise", rung="senior_management", at=local, tz=SH)
        return (chosen.staff_id if chosen else None), [m.staff_id for m in told]

    assert routing(z1) == routing(z2)


# --------------------------------------------------------------------------- clocks

STEP = st.sampled_from(["assess_valid", "assess_invalid", "explain", "pause", "resume", "close"])


def _command(step: str) -> Command:
    return {
        "assess_valid": Assess(actor="s-cs", validity=Validity.VALID),
        "assess_invalid": Assess(actor="s-cs", validity=Validity.INVALID),
        "explain": Reply(actor="s-cs", message="说明", explanation=True),
        "pause": Pause(actor="s-cs", reason="等待业主提供资料"),
        "resume": Resume(actor="s-cs"),
        "close": Close(actor="s-cs", result="已处理", confirmed_by_complainant=True),
    }[step]


def _later(t: datetime, minutes: int, zone: tzinfo) -> datetime:
    """Elapsed minutes later (aware + timedelta would add wall-clock time across DST)."""
    return (t.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(zone)


def _history(
    start: datetime, script: list[tuple[str, int]], zone: tzinfo
) -> tuple[Complaint, datetime]:
    """Register at ``start`` and run the script, every time written in ``zone``."""
    now = start.astimezone(zone)
    c = _registered(now)
    for step, minutes in script:
        now = _later(now, minutes, zone)
        try:
            events = decide(c, _command(step), PACK, now)
        except Exception:  # not allowed in this state: the same refusal in every zone
            continue
        c = evolve(c, events)
    return c, now


def _instant(t: datetime | None) -> datetime | None:
    # Compared in UTC: Python never finds a time in a zone's repeated hour (fold)
    # equal to the same instant written in another zone (PEP 495).
    return None if t is None else t.astimezone(UTC)


def _facts(statuses: tuple[ClockStatus, ...]) -> list[tuple[object, ...]]:
    """Everything but the derivation text (which quotes times as they were written)."""
    return [
        (s.name, s.state, _instant(s.started_at), _instant(s.due), _instant(s.at_risk_from),
         s.used, s.left, s.budget, _instant(s.stopped_at), s.run)
        for s in statuses
    ]  # fmt: skip


@settings(max_examples=120, deadline=None)
@given(
    start=instants,
    script=st.lists(st.tuples(STEP, st.integers(min_value=1, max_value=60 * 30)), max_size=6),
    later=st.integers(min_value=0, max_value=60 * 24 * 45),
    z1=zones,
    z2=zones,
)
@example(  # a month clock due in St John's repeated hour (DST ends 2 November 2025)
    start=datetime(2025, 10, 2, 4, 0, tzinfo=UTC),
    script=[],
    later=0,
    z1=UTC,
    z2=ZoneInfo("America/St_Johns"),
)
def test_the_same_history_gives_the_same_clocks_in_any_zone(
    start: datetime, script: list[tuple[str, int]], later: int, z1: tzinfo, z2: tzinfo
) -> None:
    def clocks(zone: tzinfo) -> list[tuple[object, ...]]:
        c, last = _history(start, script, zone)
        now = _later(last, later, zone)
        return _facts(compute_clocks(c, PACK, CAL, now))

    assert clocks(z1) == clocks(z2)


@pytest.mark.procedure("DL-6")
def test_the_month_of_the_grade_upgrade_is_counted_in_beijing() -> None:
    # 01:00 on 31 January in Beijing is still 30 January in UTC; one month on is
    # the last day of February in Beijing, whichever way the time was written.
    beijing = datetime(2025, 1, 31, 1, 0, tzinfo=SH)
    expected = datetime(2025, 2, 28, 1, 0, tzinfo=SH)
    for at in (beijing, beijing.astimezone(UTC), beijing.astimezone(ZoneInfo("America/Denver"))):
        assert age_upgrade_at(_registered(at), PACK) == expected
        (months,) = [
            s for s in compute_clocks(_registered(at), PACK, CAL, at) if s.name == "major_by_age"
        ]
        assert months.due == expected


@pytest.mark.procedure("DL-2")
def test_the_same_day_is_the_beijing_day() -> None:
    # Wednesday 2025-11-12 17:00 Beijing = 09:00 UTC: explained by 18:00 Beijing that day.
    assessed = datetime(2025, 11, 12, 17, 0, tzinfo=SH)
    for zone in (SH, UTC, ZoneInfo("America/Los_Angeles")):
        c, _ = _history(assessed, [("assess_invalid", 0)], zone)
        (same_day,) = [
            s for s in compute_clocks(c, PACK, CAL, assessed) if s.name == "invalid_explained"
        ]
        assert same_day.due == datetime(2025, 11, 12, 18, 0, tzinfo=SH)


# --------------------------------------------------------------------------- statistics


@settings(max_examples=60, deadline=None)
@given(
    offsets=st.lists(st.integers(min_value=-36, max_value=36), min_size=1, max_size=6),
    steps=st.lists(STEP, max_size=3),
    z1=zones,
    z2=zones,
)
def test_the_same_complaints_give_the_same_monthly_statistics_in_any_zone(
    offsets: list[int], steps: list[str], z1: tzinfo, z2: tzinfo
) -> None:
    # Received within a day and a half of midnight at the turn of November in Beijing.
    turn = datetime(2025, 12, 1, 0, 0, tzinfo=SH)

    def report(zone: tzinfo, month: int) -> object:
        complaints = []
        for n, hours in enumerate(offsets):
            c, _ = _history(turn + timedelta(hours=hours), [(s, 30) for s in steps], zone)
            complaints.append(evolve(new_complaint(f"C-{n}", c.intake), c.events))
        now = (turn + timedelta(days=3)).astimezone(zone)
        return monthly_report(complaints, PACK, CAL, year=2025, month=month, now=now)

    for month in (11, 12):
        assert report(z1, month) == report(z2, month)


def test_a_complaint_late_on_the_last_evening_of_november_counts_in_november() -> None:
    late = datetime(2025, 11, 30, 23, 30, tzinfo=SH)  # 15:30 UTC
    for zone in (SH, UTC, ZoneInfo("America/New_York")):
        c = _registered(late.astimezone(zone))
        now = datetime(2025, 12, 2, tzinfo=UTC).astimezone(zone)
        nov = monthly_report([c], PACK, CAL, year=2025, month=11, now=now)
        dec = monthly_report([c], PACK, CAL, year=2025, month=12, now=now)
        assert (nov.totals.received, dec.totals.received) == (1, 0)
    assert date(2025, 11, 30) == late.date()
