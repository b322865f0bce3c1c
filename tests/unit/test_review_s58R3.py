"""Review s58R3: the UK rule packs by hand (uk-housing-ombudsman-2024, scotland-spso).

F01 (REC-2): on the staged packs ``show`` said "the replies given" were not
captured after both stage responses: only ``reply`` counted.  A stage's response
(``Responded``) counts now.

F02: a request to escalate after the SPSO's time limit was refused "while
closed", the stage named by its code, with neither window nor the last day in
time.  Now the refusal names the stage by its label, each window with its date
and the last day, with ``path = "request_limit"``, in English and Chinese.

F03 (PRV-1): ``act extend --by`` repeated what was typed in its error (a
resident's name and phone pasted into the wrong field).  Now it is withheld
unless shaped like a length (a short number and a lower-case word).

F04 (VAL-4, DL-7): a service request the resident is later unhappy with is a
complaint raised then (HOC 1.5; the SPSO's first-time service request).  Its
stage 1 clocks were timed from the request's receipt "as if never waived", so the
new complaint was in breach before it existed and the sweep escalated it at once.
Now an assessment as a complaint after one as a request or enquiry carries
``assessed:raised``, the packs' stage 1 clocks restart on it, and the indicators
count the complaint received, and time its response, from then.

Dates are counted by hand: England has Christmas Day (Fri 25 Dec 2026) and the
Boxing Day substitute (Mon 28 Dec) and New Year's Day (Fri 1 Jan 2027) off;
Scotland also 2 Jan (substitute Mon 4 Jan 2027).  A working-day deadline ends at
17:00 on the n-th working day after the day it counts from.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from complaintcore import (
    Acknowledge,
    Assign,
    Complainant,
    Extend,
    Intake,
    Register,
    Respond,
    calendar_for_spec,
    compute_clocks,
    decide,
    evolve,
    indicator_report,
    load_pack,
    new_complaint,
    translator,
)
from complaintcore.core.deadlines import ClockState, ClockStatus
from complaintcore.core.errors import InvalidInputError, TimeBarredError
from complaintcore.core.models import Complaint
from complaintcore.core.rulepack import Duration, RulePack
from complaintcore.core.validity import five_clears
from complaintcore.core.workflow import Assess, Command, RequestEscalation

LONDON = ZoneInfo("Europe/London")
UK = "uk-housing-ombudsman-2024"
SPSO = "scotland-spso"


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


RECEIVED = london(2026, 12, 7, 10)  # Monday: "please arrange a repair to the kitchen tap"
AS_REQUEST = london(2026, 12, 8, 10)  # HOC 1.4: a service request, recorded
UNHAPPY = london(2026, 12, 16, 10)  # Wednesday: the repair was not done


def _apply(c: Complaint, pack: RulePack, command: Command, at: datetime) -> Complaint:
    return evolve(c, decide(c, command, pack, at))


def _request_then_complaint(
    pack: RulePack, handler: str, rung: str, *, raise_it: bool = True
) -> Complaint:
    intake = Intake(
        complainant=Complainant("Alex Smith", "07700 900123", "Flat 4", site="s"),
        channel="phone",
        received_at=RECEIVED,
        receiver="CS-001",
        summary="Please arrange a repair to the kitchen tap",
        site="s",
    )
    c = _apply(new_complaint("W-1", intake), pack, Register(actor="CS-001"), RECEIVED)
    c = _apply(c, pack, Assign(actor="CS-001", handler=handler, rung=rung), RECEIVED)
    c = _apply(c, pack, Assess(actor=handler, validity="valid", kind="request"), AS_REQUEST)
    if not raise_it:
        return c
    verdict = Assess(actor=handler, validity="valid", kind="complaint", note="repair not done")
    return _apply(c, pack, verdict, UNHAPPY)


def _clocks(c: Complaint, pack: RulePack, now: datetime) -> dict[str, ClockStatus]:
    return {s.name: s for s in compute_clocks(c, pack, calendar_for_spec(pack.calendar), now)}


@pytest.mark.procedure("VAL-4")
@pytest.mark.procedure("DL-7")
def test_f04_uk_request_raised_as_a_complaint_is_timed_from_the_dissatisfaction() -> None:
    """HOC 6.2: five working days from 16 Dec (17, 18, 21, 22, 23) end Wed 23 Dec
    17:00; nothing is breached on 16 Dec.  HOC 6.3 with no acknowledgement: ten
    working days from that deadline (24, 29, 30, 31 Dec, 4-8, 11 Jan) end Mon
    11 Jan 2027 17:00."""
    pack = load_pack(UK)
    c = _request_then_complaint(pack, "OF-1", "complaints_officer")
    clocks = _clocks(c, pack, london(2026, 12, 16, 10, 1))
    ack = clocks["stage_1_acknowledge"]
    assert (ack.state, ack.due) == (ClockState.RUNNING, london(2026, 12, 23, 17))
    assert not any(s.is_breached for s in clocks.values())
    response = _clocks(c, pack, london(2026, 12, 24, 10))["stage_1_response"]
    assert response.due == london(2027, 1, 11, 17)


@pytest.mark.procedure("VAL-4")
@pytest.mark.procedure("DL-7")
def test_f04_spso_request_raised_as_a_complaint_is_timed_from_the_dissatisfaction() -> None:
    """SPSO stage 1: five working days from 16 Dec end Wed 23 Dec 17:00."""
    pack = load_pack(SPSO)
    c = _request_then_complaint(pack, "IO-201", "investigating_officer")
    response = _clocks(c, pack, london(2026, 12, 16, 10, 1))["stage_1_response"]
    assert (response.state, response.due) == (ClockState.RUNNING, london(2026, 12, 23, 17))
    assert not response.is_breached


@pytest.mark.procedure("VAL-4")
def test_f04_uk_indicators_count_the_complaint_from_the_dissatisfaction() -> None:
    """Acknowledged Fri 18 Dec (2 working days after 16 Dec: in time under 6.2,
    though 9 after the request's receipt) and answered Tue 22 Dec: 4 working days
    from the complaint (17, 18, 21, 22 Dec)."""
    pack = load_pack(UK)
    c = _request_then_complaint(pack, "OF-1", "complaints_officer")
    c = _apply(c, pack, Acknowledge(actor="OF-1", definition="tap"), london(2026, 12, 18, 10))
    answer = Respond(actor="OF-1", outcome="upheld", message="m", remedies=("tap fixed",))
    c = _apply(c, pack, answer, london(2026, 12, 22, 10))
    report = indicator_report(
        [c], pack, calendar_for_spec(pack.calendar), period="2026", now=london(2027, 1, 10)
    )
    got = {v.code: (v.count, v.of, v.value) for v in report.values}
    assert got["stage_1_received"][0] == 1
    assert got["stage_1_acknowledged_in_time"][:2] == (1, 1)
    assert got["stage_1_in_time"][:2] == (1, 1)
    assert got["stage_1_average_days"][2] == 4.0


@pytest.mark.procedure("VAL-4")
@pytest.mark.procedure("DL-7")
@pytest.mark.parametrize(("name", "handler", "rung", "clock"), [
    (UK, "OF-1", "complaints_officer", "stage_1_acknowledge"),
    (SPSO, "IO-201", "investigating_officer", "stage_1_response"),
])  # fmt: skip
def test_f04_raised_then_found_excluded_counts_from_the_raise(
    name: str, handler: str, rung: str, clock: str
) -> None:
    """Re-review s58RR2 F03: a request (8 Dec) assessed a complaint but excluded on
    Thu 10 Dec, found valid on 16 Dec (a mistake corrected), was a complaint from
    10 Dec: five working days (11, 14, 15, 16, 17) end Thu 17 Dec 17:00, not
    breached on 16 Dec (the request's receipt would give 14 Dec)."""
    pack = load_pack(name)
    c = _request_then_complaint(pack, handler, rung, raise_it=False)
    excluded = Assess(actor=handler, validity="invalid", kind="complaint", note="claim")
    c = _apply(c, pack, excluded, london(2026, 12, 10, 10))
    assert _clocks(c, pack, london(2026, 12, 15, 10))[clock].state is ClockState.WAIVED
    valid = Assess(actor=handler, validity="valid", kind="complaint", note="no claim")
    c = _apply(c, pack, valid, UNHAPPY)
    status = _clocks(c, pack, london(2026, 12, 16, 10, 1))[clock]
    assert (status.state, status.due) == (ClockState.RUNNING, london(2026, 12, 17, 17))
    assert not status.is_breached


# --------------------------------------------------------------------------- F02


def _spso_answered_in_june() -> tuple[Complaint, RulePack]:
    """SPSO: the issue arose on Monday 1 June 2026, received 10 June, stage 1
    answered on 12 June 14:00 BST (closed with its response)."""
    pack = load_pack(SPSO)
    intake = Intake(
        complainant=Complainant("Iain Ross", "07700 900777", "Flat 1/1", site="harbour"),
        channel="web",
        received_at=london(2026, 6, 10, 10),
        occurred_at=london(2026, 6, 1, 9),
        receiver="FS-001",
        summary="Bins not collected",
        site="harbour",
    )
    c = _apply(new_complaint("S-1", intake), pack, Register(actor="FS-001"), intake.received_at)
    answer = Respond(actor="EN-101", outcome="not_upheld", message="done")
    return _apply(c, pack, answer, london(2026, 6, 12, 14)), pack


def test_f02_a_late_request_names_the_windows_and_the_last_day_not_the_status() -> None:
    """Two months from the 12 June response end on 12 August; six months from
    1 June on 1 December, the later: a request at the first moment of 2 December
    is late.  The refusal gives the stage's label, both windows and 1 December,
    a path, and not "while closed" (a closed stage 1 is what stage 2 takes on)."""
    c, pack = _spso_answered_in_june()
    with pytest.raises(TimeBarredError) as caught:
        decide(c, RequestEscalation(actor="FS-001"), pack, datetime(2026, 12, 2, tzinfo=UTC))
    exc = caught.value
    message = str(exc)
    assert exc.path == "request_limit"
    assert "while" not in message
    assert "stage_2" not in message
    assert "the time limit for stage 2: investigation ended at the end of 2026-12-01" in message
    assert "more than 2 months after the response at stage 1: frontline response on 2026-06-12" in (
        message
    )
    assert "more than 6 months after the issue arose on 2026-06-01" in message
    zh = translator("zh").error(exc, pack)
    assert "第二阶段:调查的时限已于 2026-12-01 当日结束" in zh
    assert "第一阶段:一线答复（答复于 2026-06-12）之后超过2 个月" in zh
    assert "问题发生（2026-06-01）后超过6 个月" in zh
    assert "the" not in zh.replace("(SPSO MCHP time limits)", "")
    # a minute earlier it is in time
    decide(c, RequestEscalation(actor="FS-001"), pack, datetime(2026, 12, 1, 23, 59, tzinfo=UTC))


# --------------------------------------------------------------------------- F03


@pytest.mark.procedure("PRV-1")
def test_f03_extend_by_does_not_repeat_a_name_and_phone_typed_into_it() -> None:
    """A name and phone pasted into ``--by`` is refused naming ``by`` without
    being shown, in English and Chinese; a slip shaped like a length still is."""
    pack = load_pack(UK)
    c = _request_then_complaint(pack, "OF-1", "complaints_officer")
    slip = Extend(
        actor="OF-1",
        clock="stage_1_response",
        by="Sam Lee 07700900124",
        reason="survey",
        details="HOS",
    )
    with pytest.raises(InvalidInputError) as caught:
        decide(c, slip, pack, london(2026, 12, 17, 10))
    exc = caught.value
    assert exc.path == "by"
    for shown in (str(exc), translator("zh").error(exc, pack), translator("en").error(exc)):
        assert "Sam" not in shown
        assert "900124" not in shown
    assert "not shown: it may be personal data" in str(exc)
    assert "不显示：可能是个人信息" in translator("zh").error(exc, pack)
    with pytest.raises(InvalidInputError, match="got '3 days'"):
        Duration.parse("3 days", "by")


# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("REC-2")
def test_f01_a_stage_response_is_the_reply_the_five_clears_look_for() -> None:
    """A staged pack answers with ``respond`` (the SPSO's stage 1 response): the
    record's replies given (复清楚) are captured, and so is its final result
    (记清楚: the response closes stage 1)."""
    pack = load_pack(SPSO)
    intake = Intake(
        complainant=Complainant("Iain Ross", "07700 900777", "Flat 1/1", site="harbour"),
        channel="web",
        received_at=london(2026, 6, 10, 10),
        occurred_at=london(2026, 6, 1, 9),
        receiver="FS-001",
        summary="Bins not collected",
        description="The bins were left for two weeks",
        location="Kelvin Way",
        account="I phoned twice and nobody came",
        site="harbour",
    )
    c = _apply(new_complaint("S-1", intake), pack, Register(actor="FS-001"), intake.received_at)
    assert not five_clears(c.intake, c.events).replied
    answer = Respond(actor="EN-101", outcome="partly_upheld", message="collected on 12 June")
    c = _apply(c, pack, answer, london(2026, 6, 12, 14))
    clears = five_clears(c.intake, c.events)
    assert clears.replied
    assert clears.recorded
