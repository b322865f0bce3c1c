"""Review s49D: the top rung's decision on a staged complaint the complainant does not
accept (F01), and a request for the next stage never moving a complaint down the
ladder (F02).

Expected values come from procedures.md and docs/rule-packs.md: VIS-3 ("closed only
with the complainant's confirmation, or, failing satisfaction, after escalation to
the top rung decides"), iso-10002's 8.9 ("closing when the complainant accepts, or by
top management's decision; a complainant who does not accept it may ask for the
complaint to be reviewed"), ESC-5 ("escalation never moves a complaint down the
ladder").  The rungs are the packs' ladders as written in their files:
iso-10002 complaints_officer < complaints_manager < top_management; the UK pack
complaints_officer < complaints_manager < head_of_service < director; the SPSO's
frontline_staff < investigating_officer < senior_manager < chief_executive.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from complaintcore import Complainant, Intake, Register, decide, evolve, load_pack, new_complaint
from complaintcore.core.errors import EscalationError, IllegalTransitionError
from complaintcore.core.models import Assigned, Closed, Complaint, Escalated, Status
from complaintcore.core.rulepack import RulePack
from complaintcore.core.workflow import (
    Acknowledge,
    Assign,
    Close,
    Command,
    Escalate,
    RequestEscalation,
    Respond,
)

LONDON = ZoneInfo("Europe/London")
ISO = "iso-10002"
UK = "uk-housing-ombudsman-2024"
SPSO = "scotland-spso"


def lon(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=LONDON)


def _pack(name: str) -> RulePack:
    if name == ISO:
        return load_pack(ISO, parameters={"country": "GB-ENG", "timezone": "Europe/London"})
    return load_pack(name)


def _step(c: Complaint, pack: RulePack, command: Command, at: datetime) -> Complaint:
    return evolve(c, decide(c, command, pack, at))


def _steps(c: Complaint, pack: RulePack, *steps: tuple[Command, datetime]) -> Complaint:
    for command, at in steps:
        c = _step(c, pack, command, at)
    return c


def _decided_by(pack: RulePack, handler: str, rung: str) -> Complaint:
    """An iso-10002 complaint received Wednesday 2 December 2026, 09:00, held by
    ``handler`` at ``rung``, who acknowledged it and decided it "not upheld"."""
    return _steps(
        _received(pack, lon(12, 2, 9)),
        pack,
        (Assign(actor="CS-102", handler=handler, rung=rung), lon(12, 2, 9)),
        (Acknowledge(actor=handler, remedy_sought="a repair"), lon(12, 2, 11)),
        (Respond(actor=handler, outcome="not_upheld", message="m"), lon(12, 3)),
    )


def _received(pack: RulePack, at: datetime) -> Complaint:
    intake = Intake(
        complainant=Complainant("Mia Wong", "+44 7700 900013", "Flat 13", site="main"),
        channel="phone",
        received_at=at,
        receiver="CS-102",
        summary="Heater is faulty",
        site="main",
    )
    return _step(new_complaint("C-1", intake), pack, Register(actor="CS-102"), at)


def _iso_decided_at_the_manager(pack: RulePack) -> Complaint:
    """C02 of the review: decided by the officer after a missed deadline moved the
    complaint up to the complaints manager (CM-201), who held it."""
    c = _received(pack, lon(12, 1, 16))
    c = _step(
        c,
        pack,
        Assign(actor="CS-102", handler="OP-101", rung="complaints_officer"),
        c.intake.received_at,
    )
    c = _step(c, pack, Acknowledge(actor="OP-101", remedy_sought="a new visit"), lon(12, 2))
    c = _step(c, pack, Escalate(actor="system", trigger="deadline_missed"), lon(12, 15, 18))
    c = _step(
        c,
        pack,
        Assign(actor="system", handler="CM-201", rung="complaints_manager"),
        lon(12, 15, 18),
    )
    c = _step(c, pack, Respond(actor="OP-101", outcome="not_upheld", message="m"), lon(12, 16))
    assert (c.state.rung, c.state.handler) == ("complaints_manager", "CM-201")
    return c


# ------------------------------------------------------------------------------ F01


@pytest.mark.procedure("VIS-3")
def test_iso_top_management_closes_a_review_the_complainant_does_not_accept() -> None:
    """F01: C13 of the review.  Decided "not upheld" by the quality officer, the review
    requested, the review's deadline missed so it went to top management, who
    answered it; the complainant still does not accept: top management decides the
    closure (8.9), without a confirmation the complainant never gave."""
    pack = _pack(ISO)
    c = _steps(
        _decided_by(pack, "QA-101", "complaints_officer"),
        pack,
        (RequestEscalation(actor="CS-102", reason="does not accept"), lon(12, 7)),
        (Assign(actor="CS-102", handler="QA-201", rung="complaints_manager"), lon(12, 7)),
        (Escalate(actor="system", trigger="deadline_missed"), lon(12, 21, 18)),
        (Assign(actor="system", handler="TM-301", rung="top_management"), lon(12, 21, 18)),
        (Respond(actor="TM-301", outcome="not_upheld", message="Reviewed"), lon(12, 28)),
    )
    assert (c.state.stage, c.state.rung, c.status) == (
        "review",
        "top_management",
        Status.IN_HANDLING,
    )
    top = Close(actor="TM-301", result="Top management decided", decided_by_top_rung=True)
    c = _step(c, pack, top, lon(12, 29))
    assert c.status is Status.CLOSED
    assert [
        (e.decided_by_top_rung, e.confirmed_by_complainant)
        for e in c.events[-1:]
        if isinstance(e, Closed)
    ] == [(True, False)]


@pytest.mark.procedure("VIS-3")
def test_iso_a_decision_at_the_top_not_yet_disputed_is_not_closed_by_the_top() -> None:
    """F01's limit: a decision top management gave at the first stage, which the
    complainant has neither accepted nor disputed (no review asked for), has not
    failed satisfaction: the refusal says what would let the top rung decide."""
    pack = _pack(ISO)
    c = _decided_by(pack, "TM-301", "top_management")
    top = Close(actor="TM-301", result="decided", decided_by_top_rung=True)
    with pytest.raises(IllegalTransitionError) as refused:
        _step(c, pack, top, lon(12, 4))
    assert refused.value.reason == (
        "the top rung decides a closure only when satisfaction failed: record the "
        "unsatisfied return visit, visits not reaching the complainant (3 since the last "
        "closure), the escalation for dissatisfaction or a refused new time, or the "
        "complainant's request for the next stage, first (VIS-3)"
    )
    c = _step(c, pack, RequestEscalation(actor="CS-102"), lon(12, 7))
    c = _step(c, pack, top, lon(12, 8))
    assert c.status is Status.CLOSED


@pytest.mark.procedure("VIS-3")
def test_a_request_for_the_next_stage_below_the_top_leaves_the_top_rung_rule_as_it_was() -> None:
    """F01 does not weaken VIS-3's "after escalation to the top rung": a review asked for
    and answered at the complaints manager is not closed by a top-rung decision until
    it reaches the top rung."""
    pack = _pack(ISO)
    c = _iso_decided_at_the_manager(pack)
    c = _step(c, pack, RequestEscalation(actor="CS-102"), lon(12, 17))
    c = _step(
        c, pack, Assign(actor="CS-102", handler="QA-201", rung="complaints_manager"), lon(12, 17)
    )
    c = _step(c, pack, Respond(actor="QA-201", outcome="not_upheld", message="m"), lon(12, 18))
    with pytest.raises(
        IllegalTransitionError, match=r"escalate it to the top rung \(top_management\)"
    ):
        _step(
            c, pack, Close(actor="TM-301", result="decided", decided_by_top_rung=True), lon(12, 21)
        )


# ------------------------------------------------------------------------------ F02


@pytest.mark.procedure("ESC-5")
def test_a_review_request_keeps_the_rung_the_complaint_reached() -> None:
    """F02: C02 of the review.  Held by the complaints manager when the review is asked
    for, the complaint stays at complaints_manager with nobody holding it; handing the
    review to an officer is refused (never down the ladder), to a manager who handled
    neither stage is allowed, and to top management it is taken on there without an
    escalation (a new stage is routed as at intake)."""
    pack = _pack(ISO)
    c = _step(
        _iso_decided_at_the_manager(pack), pack, RequestEscalation(actor="CS-102"), lon(12, 17)
    )
    assert (c.state.stage, c.state.rung, c.state.handler) == ("review", "complaints_manager", "")
    with pytest.raises(
        EscalationError,
        match=r"complaints_officer is below the current rung complaints_manager \(ESC-5\)",
    ):
        _step(
            c,
            pack,
            Assign(actor="CS-102", handler="CS-101", rung="complaints_officer"),
            lon(12, 17),
        )
    held = _step(
        c, pack, Assign(actor="CS-102", handler="QA-201", rung="complaints_manager"), lon(12, 17)
    )
    assert (held.state.rung, held.state.handler) == ("complaints_manager", "QA-201")
    up = decide(
        c, Assign(actor="CS-102", handler="TM-301", rung="top_management"), pack, lon(12, 17)
    )
    assert [type(e) for e in up] == [Assigned]
    assert evolve(c, up).state.rung == "top_management"


@pytest.mark.procedure("ESC-5")
def test_a_uk_stage_2_request_keeps_the_rung_stage_1_reached() -> None:
    """F02 under the Housing Ombudsman's code: stage 1 moved up to head_of_service by
    missed deadlines; stage 2 (a different person, HOC 6.13) is not handed down to a
    complaints officer or manager, and once taken on a deadline missed at stage 2
    moves it on up from there, to the director."""
    pack = _pack(UK)
    c = _received(pack, lon(3, 2))
    c = _step(
        c, pack, Assign(actor="CS-001", handler="RP-101", rung="complaints_officer"), lon(3, 2)
    )
    c = _step(
        c,
        pack,
        Escalate(actor="system", trigger="deadline_missed", to_rung="head_of_service"),
        lon(3, 10),
    )
    c = _step(c, pack, Assign(actor="system", handler="HS-401", rung="head_of_service"), lon(3, 10))
    c = _step(c, pack, Acknowledge(actor="HS-401", definition="Mould"), lon(3, 10, 11))
    c = _step(c, pack, Respond(actor="HS-401", outcome="not_upheld", message="m"), lon(3, 11))
    assert c.status is Status.CLOSED  # stage 1 closes with its response
    c = _step(c, pack, RequestEscalation(actor="CS-001"), lon(3, 16))
    assert (c.state.stage, c.state.rung, c.state.handler) == ("stage_2", "head_of_service", "")
    for handler, rung in (("CM-301", "complaints_manager"), ("CO-101", "complaints_officer")):
        with pytest.raises(EscalationError, match=r"\(ESC-5\)"):
            _step(c, pack, Assign(actor="CS-001", handler=handler, rung=rung), lon(3, 16))
    c = _step(c, pack, Assign(actor="CS-001", handler="DR-501", rung="director"), lon(3, 16))
    assert (c.state.rung, c.state.handler) == ("director", "DR-501")
    assert not any(isinstance(e, Escalated) for e in c.events[-1:])


@pytest.mark.procedure("ESC-5")
def test_an_spso_stage_2_from_the_senior_manager_stays_there() -> None:
    """F02 under the SPSO's procedure: stage 2 is for an investigating officer or
    above (handler_rung); a stage 1 a senior manager held when it was answered keeps
    stage 2 at senior_manager, not at the investigating officer the stage's own
    floor would allow."""
    pack = _pack(SPSO)
    c = _received(pack, lon(3, 2))
    c = _step(c, pack, Assign(actor="FS-001", handler="FS-001", rung="frontline_staff"), lon(3, 2))
    c = _step(
        c,
        pack,
        Escalate(actor="FS-001", trigger="cannot_handle", to_rung="senior_manager"),
        lon(3, 3),
    )
    c = _step(c, pack, Assign(actor="FS-001", handler="SM-301", rung="senior_manager"), lon(3, 3))
    c = _step(c, pack, Respond(actor="SM-301", outcome="not_upheld", message="m"), lon(3, 4))
    c = _step(c, pack, RequestEscalation(actor="FS-001"), lon(3, 9))
    assert (c.state.stage, c.state.rung) == ("stage_2", "senior_manager")
    with pytest.raises(EscalationError, match=r"\(ESC-5\)"):
        _step(
            c,
            pack,
            Assign(actor="FS-001", handler="IO-201", rung="investigating_officer"),
            lon(3, 9),
        )


@pytest.mark.procedure("ESC-3")
def test_a_new_stage_from_the_front_line_is_taken_on_at_the_stages_rung_without_an_escalation() -> (
    None
):
    """The stage's own rung still applies above the rung reached: an SPSO stage 1 held
    by the front line goes to an investigating officer at stage 2, by an assignment
    alone (a new stage, not an escalation: the month's escalations do not count it);
    once held, moving it up is an escalation again."""
    pack = _pack(SPSO)
    c = _received(pack, lon(3, 2))
    c = _step(c, pack, Assign(actor="FS-001", handler="FS-001", rung="frontline_staff"), lon(3, 2))
    c = _step(c, pack, Respond(actor="FS-001", outcome="not_upheld", message="m"), lon(3, 4))
    c = _step(c, pack, RequestEscalation(actor="FS-001"), lon(3, 9))
    assert (c.state.stage, c.state.rung) == ("stage_2", "frontline_staff")
    events = decide(
        c, Assign(actor="FS-001", handler="IO-201", rung="investigating_officer"), pack, lon(3, 9)
    )
    assert [type(e) for e in events] == [Assigned]
    c = evolve(c, events)
    assert (c.state.rung, c.state.handler, c.state.escalations) == (
        "investigating_officer",
        "IO-201",
        0,
    )
    # once held, moving up is an escalation again (ESC-5: an event with its trigger)
    with pytest.raises(EscalationError, match="needs an escalation"):
        _step(c, pack, Assign(actor="IO-201", handler="SM-301", rung="senior_manager"), lon(3, 10))
