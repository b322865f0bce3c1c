"""Times on the night a pack's zone puts its clocks back, compared as instants.

Python compares two datetimes that share a ``tzinfo`` object by wall time, and
``ZoneInfo("Europe/London")`` is one cached object: 01:10 after the change
(``fold=1``, GMT) read as earlier than 01:50 before it (BST) although it comes
20 minutes later (review s41D).  On 25 October 2026 the UK's clocks went back
at 02:00 BST, which is 01:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import attrs
import pytest

from complaintcore import (
    Assess,
    Classify,
    Complainant,
    DutyWindow,
    Intake,
    InvalidInputError,
    NaiveDatetimeError,
    Pause,
    Promise,
    Register,
    decide,
    evolve,
    load_pack,
    new_complaint,
)
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.cli.timeline import event_time
from complaintcore.core.deadlines import ClockState, compute_clocks, counted_from
from complaintcore.core.grading import age_upgrade_due, assess_grade, broken_promise_at
from complaintcore.core.models import Complaint, Grade, Handled, Promised, Registered
from complaintcore.core.rulepack import RulePack
from complaintcore.testing import make_desk
from tests.helpers import intake

LONDON = ZoneInfo("Europe/London")
BST_0150 = datetime(2026, 10, 25, 1, 50, tzinfo=LONDON)  # 00:50 UTC
GMT_0110 = datetime(2026, 10, 25, 1, 10, tzinfo=LONDON, fold=1)  # 01:10 UTC, 20 min later
UK = load_pack("uk-housing-ombudsman-2024")


def _registered(at: datetime) -> Complaint:
    c = new_complaint(
        "C-1",
        Intake(
            complainant=Complainant(
                "Margaret Thompson", "07700900123", "Flat 12B", site="elm-court"
            ),
            channel="phone",
            received_at=at,
            receiver="CS-001",
            summary="Damp in bedroom",
            site="elm-court",
        ),
    )
    return evolve(c, decide(c, Register(actor="CS-001"), UK, at))


@pytest.mark.procedure("REC-5")
def test_a_command_twenty_minutes_after_the_last_event_is_taken() -> None:
    c = _registered(BST_0150)
    [paused] = decide(c, Pause(actor="CS-001", reason="waiting for photos"), UK, GMT_0110)
    assert paused.at.astimezone(UTC) == datetime(2026, 10, 25, 1, 10, tzinfo=UTC)


@pytest.mark.procedure("REC-5")
def test_a_command_before_the_last_event_is_refused_so_the_history_reads_forwards() -> None:
    c = _registered(GMT_0110)
    with pytest.raises(InvalidInputError) as caught:
        decide(c, Pause(actor="CS-001", reason="waiting for photos"), UK, BST_0150)
    assert caught.value.path == "now"


@pytest.mark.procedure("DL-5")
def test_a_promised_time_in_the_repeated_hour_that_has_passed_is_refused() -> None:
    c = _registered(datetime(2026, 10, 25, 0, 40, tzinfo=UTC))
    passed = datetime(2026, 10, 25, 1, 30, tzinfo=LONDON)  # 01:30 BST = 00:30 UTC
    with pytest.raises(InvalidInputError) as caught:
        decide(c, Promise(actor="CS-001", due=passed), UK, GMT_0110)
    assert caught.value.path == "due"


def _london_cn_pack() -> RulePack:
    """cn-property's month rule (DL-6) on a calendar with summer time."""
    pack = load_pack("cn-property")
    return attrs.evolve(pack, calendar=attrs.evolve(pack.calendar, timezone="Europe/London"))


def _valid_since(received: datetime, pack: RulePack) -> Complaint:
    c = new_complaint("C-2", intake(received_at=received, receiver="SR-103"))
    t = received
    for cmd in (
        Register(actor="SR-103"),
        Classify(actor="SR-102"),
        Assess(actor="SR-102", validity="valid"),
    ):
        t += timedelta(minutes=1)
        c = evolve(c, decide(c, cmd, pack, t))
    return c


@pytest.mark.procedure("DL-6")
@pytest.mark.parametrize("zone", [LONDON, UTC])
def test_the_month_makes_a_complaint_major_at_one_instant_whatever_zone_now_is_in(
    zone: tzinfo,
) -> None:
    # received 01:30 BST on 25 September (00:30 UTC): its month ends 01:30 BST on
    # 25 October, 00:30 UTC, before that night's change back to GMT
    pack = _london_cn_pack()
    c = _valid_since(datetime(2026, 9, 25, 1, 30, tzinfo=LONDON), pack)
    before = datetime(2026, 10, 25, 0, 20, tzinfo=UTC).astimezone(zone)
    after = datetime(2026, 10, 25, 1, 10, tzinfo=UTC).astimezone(zone)
    assert not age_upgrade_due(c, pack, before)
    assert age_upgrade_due(c, pack, after)
    assessed = assess_grade(c, pack, after)
    assert assessed is not None
    assert assessed.grade is Grade.MAJOR


def test_the_timeline_gives_the_offset_in_the_repeated_hour_only() -> None:
    assert event_time("2026-10-25T00:50:00+00:00", LONDON) == "2026-10-25T01:50+01:00"
    assert event_time("2026-10-25T01:10:00+00:00", LONDON) == "2026-10-25T01:10+00:00"
    assert event_time("2026-10-25T02:10:00+00:00", LONDON) == "2026-10-25T02:10"
    assert event_time("2026-10-24T12:00:00+00:00", LONDON) == "2026-10-24T13:00"


def test_a_duty_window_refuses_a_naive_time() -> None:
    window = DutyWindow((0, 1, 2, 3, 4), time(9, 0), time(18, 0))
    with pytest.raises(NaiveDatetimeError):
        window.covers(datetime(2026, 3, 2, 10, 0), ZoneInfo("Asia/Shanghai"))
    with pytest.raises(NaiveDatetimeError):
        window.covers(datetime(2026, 3, 2, 10, 0))
    assert window.covers(datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))


# review s41G: the same wall-time comparisons at the sites next to those above


@pytest.mark.procedure("REC-5")
def test_the_desk_takes_a_receipt_before_now_and_refuses_one_after_it() -> None:
    desk = make_desk(pack="uk-housing-ombudsman-2024")
    c = desk.receive(_uk_intake(BST_0150), now=GMT_0110)  # received 20 min before now
    assert c.intake.received_at == BST_0150
    with pytest.raises(InvalidInputError) as caught:
        desk.receive(_uk_intake(GMT_0110), now=BST_0150)  # 20 min after now
    assert caught.value.path == "received_at"


@pytest.mark.procedure("DL-7")
def test_clocks_started_by_an_event_before_now_run_whatever_zone_now_is_in() -> None:
    c = _registered(BST_0150)
    calendar = calendar_for_spec(UK.calendar)
    for now in (GMT_0110, GMT_0110.astimezone(UTC)):
        states = {s.name: s.state for s in compute_clocks(c, UK, calendar, now)}
        assert states["stage_1_acknowledge"] is ClockState.RUNNING, now


@pytest.mark.procedure("DL-6")
def test_clocks_count_from_a_receipt_that_came_before_the_registration() -> None:
    c = new_complaint("C-3", _uk_intake(BST_0150))
    c = evolve(c, decide(c, Register(actor="CS-001"), UK, GMT_0110))
    [registered] = [e for e in c.events if isinstance(e, Registered)]
    assert counted_from(registered, BST_0150).astimezone(UTC) == datetime(
        2026, 10, 25, 0, 50, tzinfo=UTC
    )


@pytest.mark.procedure("GRD-2")
def test_a_promise_handled_after_its_time_in_the_repeated_hour_is_broken() -> None:
    pack = _london_cn_pack()
    t0 = datetime(2026, 10, 25, 0, 30, tzinfo=LONDON)
    due = datetime(2026, 10, 25, 1, 50, tzinfo=LONDON)  # 01:50 BST, 00:50 UTC
    c = new_complaint("C-4", intake(received_at=t0, receiver="SR-103"))
    c = evolve(c, decide(c, Register(actor="SR-103"), pack, t0))
    c = evolve(
        c,
        (
            Promised(at=t0, actor="SR-103", due=due),
            Handled(at=GMT_0110, actor="SR-201", department="engineering", result="repaired"),
        ),
    )
    assert broken_promise_at(c, pack, datetime(2026, 10, 25, 3, 0, tzinfo=UTC)) == due


def _uk_intake(at: datetime) -> Intake:
    return Intake(
        complainant=Complainant("Margaret Thompson", "07700900123", "Flat 12B", site="elm-court"),
        channel="phone",
        received_at=at,
        receiver="CS-001",
        summary="Damp in bedroom",
        site="elm-court",
    )
