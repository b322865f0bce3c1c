"""Re-review s58RR2: this round's clock and statistics fixes (s58R3, s58R5).

F01 (DL-7): a stage 1 acknowledgement already breached while the record was a
complaint, then assessed a service request and raised as a complaint again, lost
its breach at the raise: the run owed by nobody "until then" was dropped though it
was late before it was waived.  Now only a run not late when waived is dropped;
one late before keeps its breach (missed) and is handed on, so the sweep that
escalated it does not again.

Dates are counted by hand: England has Christmas Day (Fri 25 Dec 2026) and the
Boxing Day substitute (Mon 28 Dec) off.  A working-day deadline ends at 17:00 on
the n-th working day after the day it counts from.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from complaintcore import (
    Acknowledge,
    Assign,
    Complainant,
    Intake,
    Register,
    calendar_for_spec,
    compute_clocks,
    decide,
    evolve,
    load_pack,
    new_complaint,
)
from complaintcore.core.deadlines import ClockState, ClockStatus
from complaintcore.core.errors import InvalidInputError
from complaintcore.core.models import Assessed, Complaint, Kind, Validity
from complaintcore.core.rulepack import RulePack
from complaintcore.core.stats import _count_runs
from complaintcore.core.workflow import Assess, Command

LONDON = ZoneInfo("Europe/London")
UK = "uk-housing-ombudsman-2024"


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def _apply(c: Complaint, pack: RulePack, command: Command, at: datetime) -> Complaint:
    return evolve(c, decide(c, command, pack, at))


def _clocks(c: Complaint, pack: RulePack, now: datetime) -> dict[str, ClockStatus]:
    return {s.name: s for s in compute_clocks(c, pack, calendar_for_spec(pack.calendar), now)}


def _received(pack: RulePack, handler: str = "OF-1", rung: str = "complaints_officer") -> Complaint:
    """Received Mon 7 Dec 2026 10:00, valid at intake: a complaint from then."""
    received = london(2026, 12, 7, 10)
    intake = Intake(
        complainant=Complainant("Alex Smith", "07700 900123", "Flat 4", site="s"),
        channel="phone",
        received_at=received,
        receiver="CS-001",
        summary="The kitchen tap still leaks",
        site="s",
    )
    c = _apply(new_complaint("W-1", intake), pack, Register(actor="CS-001"), received)
    return _apply(c, pack, Assign(actor="CS-001", handler=handler, rung=rung), received)


# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("DL-7")
def test_f01_a_breach_before_the_request_stands_when_raised_again() -> None:
    """HOC 6.2 from Mon 7 Dec: five working days (8, 9, 10, 11, 14) end Mon 14 Dec
    17:00, passed with nothing done: breached.  Assessed a request Wed 16 Dec, a
    complaint again Fri 18 Dec: the new run's five working days (21, 22, 23, 24,
    29) end Tue 29 Dec 17:00; acknowledged Mon 21 Dec, met.  The first run stays
    missed: its breach (14 Dec 17:00) is kept and handed on, counted missed."""
    pack = load_pack(UK)
    c = _received(pack)
    assert _clocks(c, pack, london(2026, 12, 15, 10))["stage_1_acknowledge"].is_breached
    c = _apply(
        c, pack, Assess(actor="OF-1", validity="valid", kind="request"), london(2026, 12, 16, 10)
    )
    c = _apply(
        c, pack, Assess(actor="OF-1", validity="valid", kind="complaint"), london(2026, 12, 18, 10)
    )
    c = _apply(c, pack, Acknowledge(actor="OF-1", definition="tap"), london(2026, 12, 21, 10))
    ack = _clocks(c, pack, london(2026, 12, 21, 11))["stage_1_acknowledge"]
    assert (ack.state, ack.due, ack.run) == (ClockState.MET, london(2026, 12, 29, 17), 2)
    assert ack.breaches == (london(2026, 12, 14, 17),)
    assert ack.handed_on == ((london(2026, 12, 14, 17), 1),)
    states: Counter[ClockState] = Counter()
    _count_runs(states, ack)
    assert states == Counter({ClockState.MET: 1, ClockState.MISSED: 1})


@pytest.mark.procedure("DL-7")
def test_f01_a_run_waived_in_time_is_still_dropped_on_the_raise() -> None:
    """Assessed a request Thu 10 Dec, before 14 Dec: that run was in time when
    waived and is dropped; raised Wed 16 Dec, due Wed 23 Dec 17:00, no breach."""
    pack = load_pack(UK)
    c = _received(pack)
    c = _apply(
        c, pack, Assess(actor="OF-1", validity="valid", kind="request"), london(2026, 12, 10, 10)
    )
    c = _apply(
        c, pack, Assess(actor="OF-1", validity="valid", kind="complaint"), london(2026, 12, 16, 10)
    )
    ack = _clocks(c, pack, london(2026, 12, 16, 11))["stage_1_acknowledge"]
    assert (ack.state, ack.due, ack.breaches, ack.handed_on) == (
        ClockState.RUNNING,
        london(2026, 12, 23, 17),
        (),
        (),
    )
    states: Counter[ClockState] = Counter()
    _count_runs(states, ack)  # the dropped run neither met nor missed
    assert +states == Counter({ClockState.RUNNING: 1})


# --------------------------------------------------------------------------- F05


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("typo", ["5 working days", "5D", "1.5d", "five days", "Alex Smith"])
def test_f05_a_pack_authors_duration_typo_is_quoted(typo: str) -> None:
    """A rule pack is its author's configuration, never a resident's data: a bad
    ``duration`` is quoted back under its key path, whatever it looks like."""
    from complaintcore.core.errors import RulePackError
    from complaintcore.rules.loader import load_pack_text

    path = Path(__file__).parents[2] / "src/complaintcore/rules" / f"{UK}.toml"
    text = path.read_text(encoding="utf-8").replace('duration = "5d"', f'duration = "{typo}"', 1)
    with pytest.raises(RulePackError) as caught:
        load_pack_text(text, "typo.toml")
    shown = str(caught.value)
    assert f"got {typo!r}" in shown
    assert "not shown" not in shown


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("typed", "quoted"),
    [
        ("5D", True),
        ("1.5d", True),
        ("3天", True),
        ("3 days", True),
        ("2 weeks", True),
        ("12 smith", False),
        ("4 alex", False),
        ("Alex Smith 07700 900123", False),
        ("0700 900123", False),
        ("王伟 3天", False),
    ],
)
def test_f05_by_quotes_a_length_with_a_unit_word_only(typed: str, quoted: bool) -> None:
    """``--by`` may hold what a resident said: quoted only when a short number with
    a known unit word (any case, English or Chinese); a house number and a name is
    withheld, as is a phone."""
    from complaintcore.core.errors import InvalidInputError
    from complaintcore.core.rulepack import Duration

    with pytest.raises(InvalidInputError) as caught:
        Duration.parse(typed, "by")
    shown = str(caught.value)
    assert caught.value.path == "by"
    assert (f"got {typed!r}" in shown) is quoted
    assert ("not shown: it may be personal data" in shown) is not quoted


# --------------------------------------------------------------------------- F06


@pytest.mark.procedure("IMP-2")
def test_f06_a_raise_after_the_response_does_not_retime_it() -> None:
    """Received Mon 7 Dec, a request 8 Dec, raised a complaint Thu 10 Dec,
    acknowledged 11 Dec, answered Mon 14 Dec: 2 working days (11, 14).  A request
    again 15 Dec and a complaint again 16 Dec change neither: still 2, not 0.
    (The record was a complaint by then: the second assessment corrects a
    relabelling and raises nothing, review s58RR5 F04/F05.)"""
    from complaintcore import Respond, indicator_report

    pack = load_pack(UK)
    c = _received(pack)

    def assess(kind: str, day: int) -> Complaint:
        verdict = Assess(actor="OF-1", validity="valid", kind=kind)
        return _apply(c, pack, verdict, london(2026, 12, day, 10))

    c = assess("request", 8)
    c = assess("complaint", 10)
    c = _apply(c, pack, Acknowledge(actor="OF-1", definition="tap"), london(2026, 12, 11, 10))
    answer = Respond(actor="OF-1", outcome="upheld", message="m", remedies=("tap fixed",))
    c = _apply(c, pack, answer, london(2026, 12, 14, 10))
    c = assess("request", 15)
    c = assess("complaint", 16)  # a relabelling corrected: accepted (s58RR5 F05)
    report = indicator_report(
        [c], pack, calendar_for_spec(pack.calendar), period="2026", now=london(2027, 1, 10)
    )
    got = {v.code: (v.count, v.value) for v in report.values}
    assert got["stage_1_average_days"] == (1, 2.0)


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("VAL-4")
@pytest.mark.parametrize(("name", "handler", "rung", "clock"), [
    (UK, "OF-1", "complaints_officer", "stage_1_acknowledge"),
    ("scotland-spso", "IO-201", "investigating_officer", "stage_1_response"),
])  # fmt: skip
def test_f04_a_closed_request_is_not_raised_and_its_closure_met_nothing(
    name: str, handler: str, rung: str, clock: str
) -> None:
    """A service request (8 Dec) closed with the repair done (9 Dec) and assessed a
    complaint on 16 Dec: refused naming ``kind`` (a new complaint is registered
    instead: this record, closed, could take no stage 1 step).  A history stored
    before the refusal does not read the request's closure as the complaint's
    acknowledgement met: it lapsed, counted neither met nor missed."""
    from complaintcore import Close, translator

    pack = load_pack(name)
    c = _received(pack, handler, rung)
    request = Assess(actor=handler, validity="valid", kind="request")
    c = _apply(c, pack, request, london(2026, 12, 8, 10))
    done = Close(actor=handler, result="tap replaced", confirmed_by_complainant=True)
    c = _apply(c, pack, done, london(2026, 12, 9, 10))
    raised = Assess(actor=handler, validity="valid", kind="complaint")
    with pytest.raises(InvalidInputError) as caught:
        _apply(c, pack, raised, london(2026, 12, 16, 10))
    assert caught.value.path == "kind"
    assert "new complaint" in str(caught.value)
    assert "新投诉" in translator("zh").error(caught.value, pack)
    stored = Assessed(
        at=london(2026, 12, 16, 10),
        actor=handler,
        validity=Validity.VALID,
        complaint_kind=Kind.COMPLAINT,
    )
    status = _clocks(evolve(c, (stored,)), pack, london(2026, 12, 16, 11))[clock]
    assert status.state is ClockState.WAIVED
    states: Counter[ClockState] = Counter()
    _count_runs(states, status)
    assert +states == Counter()


# --------------------------------------------------------------------------- s58RR5


@pytest.mark.procedure("DL-7")
@pytest.mark.parametrize("kind", ["request", "enquiry"])
def test_rr5_f04_a_complaint_relabelled_and_back_keeps_its_stage_1_deadline(kind: str) -> None:
    """Received Mon 7 Dec 2026 10:00 and acknowledged the same hour: HOC 6.3's ten
    working days (8, 9, 10, 11, 14, 15, 16, 17, 18, 21) end Mon 21 Dec 17:00.  At
    16:00 that day the handler assesses it a request and at 16:01 a complaint: it
    was a complaint all along, so the response stays due Mon 21 Dec 17:00 and is
    breached the next morning (review s58RR5 F04: the relabelling gave ten more
    working days with no extension recorded)."""
    pack = load_pack(UK)
    c = _received(pack)
    c = _apply(c, pack, Acknowledge(actor="OF-1", definition="tap"), london(2026, 12, 7, 11))
    c = _apply(c, pack, Assess(actor="OF-1", validity="valid", kind=kind), london(2026, 12, 21, 16))
    c = _apply(
        c,
        pack,
        Assess(actor="OF-1", validity="valid", kind="complaint"),
        london(2026, 12, 21, 16, 1),
    )
    response = _clocks(c, pack, london(2026, 12, 22, 9))["stage_1_response"]
    assert response.due == london(2026, 12, 21, 17)
    assert response.is_breached


@pytest.mark.procedure("VAL-4")
def test_rr5_f05_a_closed_complaint_wrongly_found_a_request_is_corrected() -> None:
    """A complaint answered at stage 1 (closed) and then assessed a request by
    mistake is assessed a complaint again: a correction, not a new complaint."""
    from complaintcore import Respond

    pack = load_pack(UK)
    c = _received(pack)
    c = _apply(c, pack, Acknowledge(actor="OF-1", definition="tap"), london(2026, 12, 7, 11))
    answer = Respond(actor="OF-1", outcome="upheld", message="m", remedies=("tap fixed",))
    c = _apply(c, pack, answer, london(2026, 12, 9, 10))
    c = _apply(
        c, pack, Assess(actor="OF-1", validity="valid", kind="request"), london(2026, 12, 10, 10)
    )
    c = _apply(
        c, pack, Assess(actor="OF-1", validity="valid", kind="complaint"), london(2026, 12, 10, 11)
    )
    assert c.state.complaint_kind is Kind.COMPLAINT


@pytest.mark.procedure("VAL-4")
@pytest.mark.parametrize(("name", "handler", "rung"), [
    (UK, "OF-1", "complaints_officer"),
    ("scotland-spso", "IO-201", "investigating_officer"),
])  # fmt: skip
def test_rr5_f01_a_service_request_is_not_escalated_to_stage_2(
    name: str, handler: str, rung: str
) -> None:
    """A service request had no stage 1: a request for stage 2 is refused naming
    ``kind``, open or closed (it would enter the procedure at stage 2 and then be
    assessed a complaint there: review s58RR5 F01)."""
    from complaintcore import Close, RequestEscalation

    pack = load_pack(name)
    c = _received(pack, handler, rung)
    c = _apply(
        c, pack, Assess(actor=handler, validity="valid", kind="request"), london(2026, 12, 8, 10)
    )
    ask = RequestEscalation(actor=handler, reason="resident unhappy")
    with pytest.raises(InvalidInputError) as caught:
        _apply(c, pack, ask, london(2026, 12, 8, 11))
    assert caught.value.path == "kind"
    done = Close(actor=handler, result="tap replaced", confirmed_by_complainant=True)
    c = _apply(c, pack, done, london(2026, 12, 9, 10))
    with pytest.raises(InvalidInputError) as caught:
        _apply(c, pack, ask, london(2026, 12, 10, 10))
    assert caught.value.path == "kind"
