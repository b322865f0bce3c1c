"""The staged packs' timescales on hand-counted dates (review s25A).

Every expected date is counted by hand from the codes' text and the gov.uk bank
holiday lists: England and Wales 2026 has Good Friday 3 April and Easter Monday
6 April, and nothing in June or July after the spring bank holiday (25 May);
Scotland 2026 has St Andrew's Day on Monday 30 November.  A working-day deadline
ends at 17:00 (the packs' hours) on the n-th working day after the day it
counts from.  London is on GMT until 29 March and from 25 October 2026, on BST
between.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from complaintcore import (
    Complainant,
    Intake,
    Register,
    calendar_for_spec,
    compute_clocks,
    decide,
    indicator_report,
    load_pack,
    new_complaint,
)
from complaintcore.core.deadlines import ClockState, ClockStatus, compute_clock
from complaintcore.core.errors import InvalidInputError, TimeBarredError
from complaintcore.core.models import Assessed, Complaint, Grade, Validity
from complaintcore.core.rulepack import RulePack
from complaintcore.core.workflow import (
    Acknowledge,
    Assess,
    Extend,
    Pause,
    RequestEscalation,
    Respond,
)
from complaintcore.rules import load_pack_data
from complaintcore.serialization import to_dict
from tests.unit.test_staged_packs import _apply

LONDON = ZoneInfo("Europe/London")
UK = "uk-housing-ombudsman-2024"
SPSO = "scotland-spso"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def _intake(
    received: datetime, occurred: datetime | None = None, phone: str = "07700 900123"
) -> Intake:
    return Intake(
        complainant=Complainant("Alex Smith", phone, "Flat 4", site="elm-court"),
        channel="phone",
        received_at=received,
        receiver="CS-001",
        summary="Boiler broken",
        site="elm-court",
        occurred_at=occurred,
    )


def _registered(
    pack: RulePack, received: datetime, occurred: datetime | None = None, cid: str = "C-1"
) -> Complaint:
    c = new_complaint(cid, _intake(received, occurred))
    return _apply(c, pack, Register(actor="CS-001"), received)


def _clock(c: Complaint, pack: RulePack, name: str, now: datetime) -> ClockStatus:
    found = {s.name: s for s in compute_clocks(c, pack, calendar_for_spec(pack.calendar), now)}
    return found[name]


def _figures(complaints: list[Complaint], pack: RulePack, period: str) -> dict[str, Any]:
    report = indicator_report(
        complaints,
        pack,
        calendar_for_spec(pack.calendar),
        period=period,
        now=utc(2027, 3, 1, 12),
    )
    return {v.code: v for v in report.values}


def _answer(message: str = "fixed") -> Respond:
    return Respond(actor="RP-101", outcome="not_upheld", message=message)


# ------------------------------------------- F01: a response without an acknowledgement


def test_an_unacknowledged_stage_1_is_due_15_working_days_after_receipt() -> None:
    """HOC 6.2 + 6.3: received Monday 2 March 2026 and never acknowledged.  The
    acknowledgement was due Monday 9 March (3, 4, 5, 6, 9); the 10 working days of
    6.3 run from then: 10-13, 16-20 and 23 March, so the response is due Monday
    23 March 17:00 GMT, 15 working days after receipt, and is breached after it."""
    pack = load_pack(UK)
    c = _registered(pack, utc(2026, 3, 2, 10))
    before = _clock(c, pack, "stage_1_response", utc(2026, 3, 9, 16))
    assert before.state is ClockState.NOT_STARTED  # the acknowledgement is not late yet
    status = _clock(c, pack, "stage_1_response", utc(2026, 3, 24, 9))
    assert status.started_at == london(2026, 3, 9, 17)
    assert status.due == london(2026, 3, 23, 17)
    assert status.state is ClockState.BREACHED


def test_a_late_acknowledgement_does_not_move_the_response_deadline_on() -> None:
    """Acknowledged on Wednesday 11 March, two days late: the response is still due
    Monday 23 March (the 10 days ran from the 6.2 deadline), not Wednesday 25 March."""
    pack = load_pack(UK)
    c = _registered(pack, utc(2026, 3, 2, 10))
    c = _apply(c, pack, Acknowledge(actor="RP-101", definition="no heating"), utc(2026, 3, 11, 10))
    assert _clock(c, pack, "stage_1_response", utc(2026, 3, 11, 10)).due == london(2026, 3, 23, 17)
    assert _clock(c, pack, "stage_1_acknowledge", utc(2026, 3, 11, 10)).state is ClockState.MISSED


@pytest.mark.procedure("DL-7")
def test_a_response_never_acknowledged_counts_in_the_codes_timescale_figure() -> None:
    """The review's case: A, never acknowledged, answered Monday 20 April 2026 (33
    working days after receipt, Good Friday and Easter Monday off) is late; B,
    acknowledged on day 1 and answered on day 2, is in time; C, answered on day 2
    without an acknowledgement, is in time too.  Stage 1 in time: 2 of 3."""
    pack = load_pack(UK)
    a = _registered(pack, utc(2026, 3, 2, 10), cid="C-A")
    a = _apply(a, pack, _answer("late"), utc(2026, 4, 20, 10))
    b = _registered(pack, utc(2026, 3, 2, 10), cid="C-B")
    b = _apply(b, pack, Acknowledge(actor="RP-101", definition="x"), utc(2026, 3, 3, 10))
    b = _apply(b, pack, _answer(), utc(2026, 3, 4, 10))
    c = _registered(pack, utc(2026, 3, 2, 10), cid="C-C")
    c = _apply(c, pack, _answer(), utc(2026, 3, 4, 10))
    assert _clock(a, pack, "stage_1_response", utc(2026, 4, 20, 12)).state is ClockState.MISSED
    assert _clock(c, pack, "stage_1_response", utc(2026, 3, 4, 12)).state is ClockState.MET
    in_time = _figures([a, b, c], pack, "2026")["stage_1_in_time"]
    assert (in_time.count, in_time.of) == (2, 3)


def test_an_unacknowledged_stage_2_is_due_25_working_days_after_the_request() -> None:
    """HOC 6.11 + 6.14: stage 2 requested Monday 1 June 2026, never acknowledged: the
    acknowledgement was due Monday 8 June (2-5, 8), the final response 20 working
    days after that: 9-12, 15-19, 22-26, 29 June-3 July and 6 July, 17:00 BST."""
    pack = load_pack(UK)
    c = _registered(pack, london(2026, 6, 1, 9))
    c = _apply(c, pack, RequestEscalation(actor="CS-001"), london(2026, 6, 1, 10))
    status = _clock(c, pack, "stage_2_response", london(2026, 7, 7, 9))
    assert (status.started_at, status.due) == (london(2026, 6, 8, 17), london(2026, 7, 6, 17))
    assert status.state is ClockState.BREACHED


@pytest.mark.procedure("DL-8")
def test_spso_stage_2_asked_for_while_stage_1_is_paused_runs_from_the_request() -> None:
    """Review s45F F01: received Monday 2 February 2026, paused for mediation on the
    3rd, stage 2 asked for on Wednesday 4 February 10:00.  The pack: stage 2 is
    answered within 20 working days "counted from receipt at stage 2"; the pause
    was stage 1's.  By hand: 5-6, 9-13, 16-20, 23-27 February, 2-4 March (no
    Scottish bank holiday between), so due Wednesday 4 March 17:00 GMT, and
    breached the next morning: not paused until someone resumes it."""
    pack = load_pack(SPSO)
    c = _registered(pack, utc(2026, 2, 2, 10))
    c = _apply(c, pack, Pause(actor="CS-001", reason="mediation"), utc(2026, 2, 3, 10))
    assert c.state.paused
    c = _apply(c, pack, RequestEscalation(actor="CS-001"), utc(2026, 2, 4, 10))
    assert not c.state.paused
    running = _clock(c, pack, "stage_2_response", utc(2026, 2, 20, 12))
    assert (running.state, running.due) == (ClockState.RUNNING, utc(2026, 3, 4, 17))
    late = _clock(c, pack, "stage_2_response", utc(2026, 3, 5, 9))
    assert late.state is ClockState.BREACHED


def test_a_clock_started_by_another_clocks_breach_needs_its_pack() -> None:
    """compute_clock sees one clock: it cannot know when another fell due."""
    pack = load_pack(UK)
    c = _registered(pack, utc(2026, 3, 2, 10))
    with pytest.raises(InvalidInputError) as err:
        compute_clock(
            c, pack.clock("stage_1_response"), calendar_for_spec(pack.calendar), utc(2026, 3, 24)
        )
    assert err.value.path == "spec"


# ---------------------------------------------------------- F02, F03: extension caps


def _stage_2_acknowledged() -> tuple[RulePack, Complaint]:
    """Stage 2 requested Monday 1 June 2026, acknowledged Tuesday 2 June: the final
    response is due 20 working days later, 3-5, 8-12, 15-19, 22-26, 29-30 June:
    Tuesday 30 June 17:00 BST (HOC 6.14)."""
    pack = load_pack(UK)
    c = _registered(pack, london(2026, 6, 1, 9))
    c = _apply(c, pack, RequestEscalation(actor="CS-001"), london(2026, 6, 1, 10))
    c = _apply(c, pack, Acknowledge(actor="CM-301", definition="review"), london(2026, 6, 2, 10))
    assert _clock(c, pack, "stage_2_response", london(2026, 6, 2, 10)).due == london(
        2026, 6, 30, 17
    )
    return pack, c


def _extend_stage_2(days: int, agreed_by: str = "") -> Extend:
    return Extend(
        actor="CM-301",
        clock="stage_2_response",
        by=f"{days}d",
        reason="an independent surveyor's report",
        details="Housing Ombudsman 0300 111 3000",
        agreed_by=agreed_by,
    )


def test_hoc_stage_2_extensions_past_20_working_days_need_good_reason() -> None:
    """HOC 6.15: no more than 20 working days without good reason.  21 at once, with
    the reasons but nobody who accepted them as good, is refused naming agreed_by;
    20 are granted (due Tuesday 28 July: 1-3, 6-10, 13-17, 20-24, 27-28 July); one
    more needs agreed_by and is then granted (Wednesday 29 July)."""
    pack, c = _stage_2_acknowledged()
    spec = pack.clock("stage_2_response")
    assert (
        spec.rule,
        str(spec.extension.cap) if spec.extension and spec.extension.cap else "",
    ) == (
        "HOC 6.14",
        "20d",
    )
    at = london(2026, 6, 10, 10)
    with pytest.raises(InvalidInputError, match=r"past 20d need it recorded") as err:
        decide(c, _extend_stage_2(21), pack, at)
    assert err.value.path == "agreed_by"
    c = _apply(c, pack, _extend_stage_2(20), at)
    assert _clock(c, pack, "stage_2_response", at).due == london(2026, 7, 28, 17)
    with pytest.raises(InvalidInputError):
        decide(c, _extend_stage_2(1), pack, at)
    c = _apply(c, pack, _extend_stage_2(1, agreed_by="HS-401"), at)
    assert _clock(c, pack, "stage_2_response", at).due == london(2026, 7, 29, 17)


def test_spso_frontline_extension_stops_at_10_working_days_from_receipt() -> None:
    """SPSO MCHP stage 1: received Thursday 26 November 2026, due Friday 4 December
    (27 Nov, 1-4 Dec; St Andrew's Day, Monday 30 November, off).  An extension of no
    more than 5 working days: 5 are granted (Friday 11 December, 10 working days
    from receipt); a sixth, or 6 at once, is refused."""
    pack = load_pack(SPSO)
    received = utc(2026, 11, 26, 15)
    c = _registered(pack, received)
    assert _clock(c, pack, "stage_1_response", received).due == london(2026, 12, 4, 17)

    def extend(days: int) -> Extend:
        return Extend(
            actor="FS-001", clock="stage_1_response", by=f"{days}d", reason="crew", agreed_by="SM"
        )

    at = utc(2026, 11, 27, 10)
    with pytest.raises(InvalidInputError, match="5d at most, 0d used"):
        decide(c, extend(6), pack, at)
    c = _apply(c, pack, extend(5), at)
    assert _clock(c, pack, "stage_1_response", at).due == london(2026, 12, 11, 17)
    with pytest.raises(InvalidInputError, match="5d at most, 5d used"):
        decide(c, extend(1), pack, at)


# ------------------------------------------------- F04: time limits count in dates


def test_spso_escalation_is_in_time_all_of_the_last_day() -> None:
    """Stage 1 answered Wednesday 2 December 2026 at 14:00: two months run to Tuesday
    2 February 2027, all of it, whatever the hour of the answer; the first moment of
    Wednesday 3 February is late."""
    pack = load_pack(SPSO)
    c = _registered(pack, utc(2026, 11, 26, 10))
    c = _apply(c, pack, _answer(), utc(2026, 12, 2, 14))
    for at in (utc(2027, 2, 2, 15), utc(2027, 2, 2, 23, 59)):
        (event,) = decide(c, RequestEscalation(actor="FS-001"), pack, at)
        assert event.kind == "escalation_requested"
    with pytest.raises(TimeBarredError, match="time limit"):
        decide(c, RequestEscalation(actor="FS-001"), pack, utc(2027, 2, 3, 0, 0))


def test_spso_complaint_about_a_date_is_in_time_all_of_its_last_day() -> None:
    """An issue of 1 June 2026, entered as a date (midnight BST): six months run to
    Tuesday 1 December 2026, all of it; Wednesday 2 December is too late."""
    pack = load_pack(SPSO)
    occurred = london(2026, 6, 1)
    c = _registered(pack, utc(2026, 12, 1, 10), occurred)
    assert not c.state.time_barred
    _registered(pack, utc(2026, 12, 1, 23, 59), occurred)
    with pytest.raises(TimeBarredError, match="6 months"):
        _registered(pack, utc(2026, 12, 2, 0, 0), occurred)


def test_a_limit_from_a_months_last_day_ends_on_a_shorter_months_last_day() -> None:
    """31 August 2026 + 6 months: 28 February 2027 is the last day (a Sunday: still in
    time), 1 March is late."""
    pack = load_pack(SPSO)
    occurred = london(2026, 8, 31, 18)
    _registered(pack, utc(2027, 2, 28, 23, 30), occurred)
    with pytest.raises(TimeBarredError):
        _registered(pack, utc(2027, 3, 1, 0, 0), occurred)


def test_hoc_12_months_flag_counts_dates() -> None:
    """HOC 2.2: an issue of 1 June 2025 is not flagged all of 1 June 2026 (BST), and is
    from 2 June."""
    pack = load_pack(UK)
    occurred = london(2025, 6, 1)
    assert not _registered(pack, london(2026, 6, 1, 22), occurred).state.time_barred
    assert _registered(pack, london(2026, 6, 2, 0, 0), occurred).state.time_barred


# ---------------------------------------- F07: "within 5 working days" means 5 days


def _spso_extended(received: datetime, days: int, answered: datetime, cid: str) -> Complaint:
    pack = load_pack(SPSO)
    c = _registered(pack, received, cid=cid)
    extend = Extend(
        actor="FS-001",
        clock="stage_1_response",
        by=f"{days}d",
        reason="crew off sick",
        agreed_by="service manager",
    )
    c = _apply(c, pack, extend, received)
    return _apply(c, pack, Respond(actor="FS-001", outcome="upheld", message="done"), answered)


def test_spso_within_5_working_days_leaves_out_a_longer_extended_response() -> None:
    """Received Monday 2 November 2026 and extended by 4 working days: answered
    Thursday 12 November (3-6, 9-12: 8 working days) it is within its extension but
    not within 5 working days; answered Friday 6 November (4 working days) it is.
    Within 5 working days: 1 of 2; extended: 2 of 2."""
    pack = load_pack(SPSO)
    late = _spso_extended(utc(2026, 11, 2, 10), 4, utc(2026, 11, 12, 12), "C-1")
    quick = _spso_extended(utc(2026, 11, 2, 10), 4, utc(2026, 11, 6, 12), "C-2")
    figures = _figures([late, quick], pack, "2026-Q4")
    within = figures["stage_1_within_5_days"]
    assert (within.count, within.of) == (1, 2)
    assert within.en == "stage 1 responses within 5 working days"
    extended = figures["stage_1_extended"]
    assert (extended.count, extended.of) == (2, 2)
    assert figures["stage_1_average_days"].value == 6.0  # (8 + 4) / 2


def test_spso_within_20_working_days_leaves_out_a_longer_extended_response() -> None:
    """Sent straight to stage 2 on Monday 2 November 2026: 20 working days end Tuesday
    1 December (3-6, 9-13, 16-20, 23-27 November, 1 December; St Andrew's Day off).
    Extended by 5 and answered Thursday 3 December: within the extension, not within
    20 working days."""
    pack = load_pack(SPSO)
    c = _registered(pack, utc(2026, 11, 2, 10))
    c = _apply(c, pack, RequestEscalation(actor="FS-001"), utc(2026, 11, 2, 11))
    assert _clock(c, pack, "stage_2_response", utc(2026, 11, 2, 11)).due == london(2026, 12, 1, 17)
    extend = Extend(
        actor="IO-201", clock="stage_2_response", by="5d", reason="records", agreed_by="SM-301"
    )
    c = _apply(c, pack, extend, utc(2026, 11, 20, 10))
    c = _apply(
        c, pack, Respond(actor="IO-201", outcome="upheld", message="x"), utc(2026, 12, 3, 12)
    )
    assert _clock(c, pack, "stage_2_response", utc(2026, 12, 3, 12)).state is ClockState.MET
    within = _figures([c], pack, "2026-Q4")["stage_2_within_20_days"]
    assert (within.count, within.of) == (0, 1)


def test_the_housing_ombudsman_figure_still_counts_extensions() -> None:
    """HOC 6.3-6.5: "within the Code's timescale (with extensions)": acknowledged
    Tuesday 3 March 2026, due Tuesday 17 March, extended by 5 to Tuesday 24 March and
    answered Monday 23 March: in time."""
    pack = load_pack(UK)
    c = _registered(pack, utc(2026, 3, 2, 10))
    c = _apply(c, pack, Acknowledge(actor="RP-101", definition="x"), utc(2026, 3, 3, 10))
    extend = Extend(
        actor="RP-101", clock="stage_1_response", by="5d", reason="survey", details="HOS"
    )
    c = _apply(c, pack, extend, utc(2026, 3, 10, 10))
    assert _clock(c, pack, "stage_1_response", utc(2026, 3, 10, 10)).due == london(2026, 3, 24, 17)
    c = _apply(c, pack, _answer(), utc(2026, 3, 23, 12))
    in_time = _figures([c], pack, "2026")["stage_1_in_time"]
    assert (in_time.count, in_time.of) == (1, 1)


def test_with_extensions_is_only_for_within_target_indicators() -> None:
    data: dict[str, Any] = to_dict(load_pack(SPSO))
    received = next(i for i in data["indicators"] if i["code"] == "received")
    received["with_extensions"] = False
    with pytest.raises(ValueError, match="with_extensions"):
        load_pack_data(data)


# ------------------------------------------------ F09: no validity step, all valid


@pytest.mark.procedure("VAL-4")
@pytest.mark.parametrize("name", [UK, SPSO])
def test_a_code_without_a_validity_step_registers_complaints_as_valid(name: str) -> None:
    """HOC 1.2 (any expression of dissatisfaction is a complaint), and the SPSO's
    procedure alike: registration records the complaint as valid, graded minor;
    assessing it as a service request still takes it out of the complaints."""
    pack = load_pack(name)
    c = _registered(pack, utc(2026, 11, 2, 10))
    assert [type(e).__name__ for e in c.events] == ["Registered", "Assessed", "Graded"]
    assessed = c.events[1]
    assert isinstance(assessed, Assessed)
    assert assessed.validity is Validity.VALID
    assert (c.state.validity, c.state.grade) == (Validity.VALID, Grade.MINOR)
    c = _apply(
        c, pack, Assess(actor="CS-001", validity="valid", kind="request"), utc(2026, 11, 2, 11)
    )
    assert c.state.complaint_kind.value == "request"


@pytest.mark.procedure("VAL-1")
@pytest.mark.parametrize("name", ["cn-property", "iso-10002"])
def test_a_procedure_with_a_validity_step_leaves_it_to_the_handler(name: str) -> None:
    """VAL-1 (cn packs) and ISO 10002's initial assessment (8.5): not yet verified."""
    pack = load_pack(name)
    received = utc(2026, 11, 2, 10)
    c = new_complaint("C-1", _intake(received, phone="13812345678"))
    c = _apply(c, pack, Register(actor="CS-001"), received)
    assert [type(e).__name__ for e in c.events] == ["Registered"]
    assert c.state.validity is Validity.UNVERIFIED
