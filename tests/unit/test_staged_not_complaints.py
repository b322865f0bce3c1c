"""The staged packs owe nothing for what is not a complaint, and a closed staged
complaint goes on to its next stage instead of reopening (review s27P f01, f02).

Dates are counted by hand: England and Scotland have no bank holiday between the
spring bank holiday (26 May 2025) and August; London is on BST.  A working-day
deadline ends at 17:00 (the packs' hours) on the n-th working day after the day
it counts from: Monday 2 June + 5 working days is Monday 9 June; Monday 9 June +
10 working days is Monday 23 June.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from complaintcore import (
    Close,
    Complainant,
    Intake,
    Register,
    Reopen,
    Status,
    allowed_commands,
    calendar_for_spec,
    compute_clocks,
    decide,
    evolve,
    load_pack,
    new_complaint,
    translator,
)
from complaintcore.core.deadlines import ClockState, ClockStatus
from complaintcore.core.errors import IllegalTransitionError
from complaintcore.core.models import Complaint
from complaintcore.core.rulepack import RulePack
from complaintcore.core.workflow import (
    Acknowledge,
    Assess,
    Command,
    RequestEscalation,
    Respond,
)

LONDON = ZoneInfo("Europe/London")
UK = "uk-housing-ombudsman-2024"
SPSO = "scotland-spso"


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


RECEIVED = london(2025, 6, 2, 10)  # a Monday
ASSESSED = london(2025, 6, 2, 11)
LATER = london(2025, 6, 20, 10)  # past every stage 1 deadline


def _apply(c: Complaint, pack: RulePack, command: Command, at: datetime) -> Complaint:
    return evolve(c, decide(c, command, pack, at))


def _registered(
    pack: RulePack, summary: str = "Boiler broken", phone: str = "07700 900123"
) -> Complaint:
    intake = Intake(
        complainant=Complainant("Alex Smith", phone, "Flat 4", site="elm-court"),
        channel="phone",
        received_at=RECEIVED,
        receiver="CS-001",
        summary=summary,
        site="elm-court",
    )
    return _apply(new_complaint("C-1", intake), pack, Register(actor="CS-001"), RECEIVED)


def _clocks(c: Complaint, pack: RulePack, now: datetime) -> dict[str, ClockStatus]:
    return {s.name: s for s in compute_clocks(c, pack, calendar_for_spec(pack.calendar), now)}


# --------------------------------------------------------------------------- f01


@pytest.mark.procedure("VAL-4")
@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("ESC-2")
@pytest.mark.parametrize(
    "verdict",
    [
        {"validity": "valid", "kind": "request", "note": "first-time service request"},
        {"validity": "valid", "kind": "enquiry", "note": "asks when the bins go"},
        {"validity": "invalid", "note": "legal proceedings started"},
    ],
    ids=["request", "enquiry", "excluded"],
)
def test_hoc_owes_no_stage_deadline_for_what_is_not_a_complaint(verdict: dict[str, str]) -> None:
    """HOC 1.4-1.5: a service request is not a complaint; HOC 2.2: an exclusion is
    assessed not valid.  Neither is acknowledged or answered as a complaint: no
    breach, so nothing for the sweep to escalate (ESC-2)."""
    pack = load_pack(UK)
    c = _apply(_registered(pack), pack, Assess(actor="CM-301", **verdict), ASSESSED)
    clocks = _clocks(c, pack, LATER)
    assert clocks["stage_1_acknowledge"].state is ClockState.WAIVED
    assert not clocks["stage_1_acknowledge"].is_breached
    # the response would start from the acknowledgement's breach (9 June 17:00): none
    assert clocks["stage_1_response"].state in (ClockState.NOT_STARTED, ClockState.WAIVED)
    assert not any(s.is_breached for s in clocks.values())


@pytest.mark.procedure("VAL-4")
@pytest.mark.procedure("DL-7")
def test_hoc_a_request_assessed_again_as_a_complaint_is_timed_from_then() -> None:
    """HOC 1.5: a resident unhappy with how the request was handled has made a
    complaint then (Friday 20 June 10:00, assessed again as one): its 6.2 deadline
    is five working days later (Friday 27 June 17:00), nothing is breached, and
    6.3's ten working days run from the acknowledgement, or with none from that
    deadline (Friday 11 July 17:00; review s58R3 F04)."""
    pack = load_pack(UK)
    c = _apply(
        _registered(pack), pack, Assess(actor="CM-301", validity="valid", kind="request"), ASSESSED
    )
    c = _apply(c, pack, Assess(actor="CM-301", validity="valid", kind="complaint"), LATER)
    clocks = _clocks(c, pack, LATER)
    ack, response = clocks["stage_1_acknowledge"], clocks["stage_1_response"]
    assert (ack.state, ack.due) == (ClockState.RUNNING, london(2025, 6, 27, 17))
    assert response.state is ClockState.NOT_STARTED
    assert not any(s.is_breached for s in clocks.values())
    response = _clocks(c, pack, london(2025, 6, 30, 10))["stage_1_response"]
    assert response.due == london(2025, 7, 11, 17)


@pytest.mark.procedure("VAL-4")
@pytest.mark.procedure("DL-7")
def test_hoc_an_exclusion_assessed_valid_again_was_owed_from_receipt() -> None:
    """A mistake corrected: an item assessed not valid (HOC 2.2) and then valid was
    a complaint all along; its 6.2 deadline counts from receipt as if never waived
    (due Monday 9 June 17:00, so breached on 20 June) and 6.3's ten working days
    from that deadline (Monday 23 June 17:00)."""
    pack = load_pack(UK)
    c = _apply(_registered(pack), pack, Assess(actor="CM-301", validity="invalid"), ASSESSED)
    c = _apply(c, pack, Assess(actor="CM-301", validity="valid", kind="complaint"), LATER)
    clocks = _clocks(c, pack, LATER)
    ack, response = clocks["stage_1_acknowledge"], clocks["stage_1_response"]
    assert (ack.state, ack.due) == (ClockState.BREACHED, london(2025, 6, 9, 17))
    assert response.due == london(2025, 6, 23, 17)
    assert response.state in (ClockState.RUNNING, ClockState.AT_RISK)


@pytest.mark.procedure("VAL-4")
@pytest.mark.procedure("DL-7")
@pytest.mark.parametrize("kind", ["request", "enquiry"])
def test_hoc_stage_2_owes_nothing_once_found_not_a_complaint(kind: str) -> None:
    """An item taken to stage 2 (request on Tuesday 3 June, acknowledged by
    Tuesday 10 June 17:00 under HOC 6.11) and then assessed a request or an
    enquiry owes neither stage 2 clock."""
    pack = load_pack(UK)
    c = _registered(pack)
    c = _apply(c, pack, RequestEscalation(actor="CS-001"), london(2025, 6, 3, 9))
    before = _clocks(c, pack, london(2025, 6, 3, 9))["stage_2_acknowledge"]
    assert before.due == london(2025, 6, 10, 17)
    c = _apply(c, pack, Assess(actor="CM-301", validity="valid", kind=kind), london(2025, 6, 3, 10))
    clocks = _clocks(c, pack, LATER)
    assert clocks["stage_2_acknowledge"].state is ClockState.WAIVED
    assert clocks["stage_2_response"].state in (ClockState.NOT_STARTED, ClockState.WAIVED)
    assert not any(s.is_breached for s in clocks.values())


@pytest.mark.procedure("VAL-4")
@pytest.mark.procedure("DL-7")
@pytest.mark.parametrize(
    "verdict",
    [
        {"validity": "valid", "kind": "request", "note": "first-time service request"},
        {"validity": "invalid", "note": "court matter"},
        {"validity": "invalid", "note": "compensation claim"},
    ],
    ids=["request", "court", "compensation"],
)
def test_spso_owes_no_stage_1_response_for_what_is_not_a_complaint(
    verdict: dict[str, str],
) -> None:
    """The SPSO pack's exclusions: a first-time service request, a compensation
    claim or a court matter is not a complaint.  Its stage 1 response (5 working
    days: Monday 9 June 17:00) is owed by nobody.  A claim or court matter assessed
    valid again was owed all along and is breached; a service request the customer
    is then unhappy with is a complaint made then (Friday 20 June 10:00: due Friday
    27 June 17:00, review s58R3 F04)."""
    pack = load_pack(SPSO)
    c = _apply(_registered(pack), pack, Assess(actor="SM-301", **verdict), ASSESSED)
    response = _clocks(c, pack, LATER)["stage_1_response"]
    assert response.state is ClockState.WAIVED
    assert not response.is_breached
    c = _apply(c, pack, Assess(actor="SM-301", validity="valid", kind="complaint"), LATER)
    response = _clocks(c, pack, LATER)["stage_1_response"]
    if verdict.get("kind") == "request":
        assert (response.state, response.due) == (ClockState.RUNNING, london(2025, 6, 27, 17))
        assert not response.is_breached
    else:
        assert (response.state, response.due) == (ClockState.BREACHED, london(2025, 6, 9, 17))


@pytest.mark.procedure("VAL-4")
@pytest.mark.procedure("DL-7")
def test_iso_10002_owes_no_response_to_an_enquiry() -> None:
    """ISO 10002 3.2, 8.5: the initial assessment finds an enquiry, not a
    complaint; neither the acknowledgement nor the decision is owed."""
    pack = load_pack(
        "iso-10002",
        parameters={"country": "GB-ENG", "timezone": "Europe/London"},
    )
    c = _registered(pack, phone="+44 7700 900123")
    c = _apply(c, pack, Assess(actor="CS-001", validity="valid", kind="enquiry"), ASSESSED)
    clocks = _clocks(c, pack, LATER)
    assert clocks["acknowledge"].state is ClockState.WAIVED
    assert clocks["response"].state is ClockState.WAIVED
    assert clocks["initial_assessment"].state is ClockState.MET
    assert not any(s.is_breached for s in clocks.values())


# --------------------------------------------------------------------------- f02


def _answered_uk() -> tuple[Complaint, RulePack]:
    """Received Monday 2 June, acknowledged 3 June, stage 1 answered 4 June:
    closed with its response (HOC 5.2-5.3)."""
    pack = load_pack(UK)
    c = _registered(pack, "Black mould in the bedroom again")
    c = _apply(c, pack, Acknowledge(actor="RP-101", definition="mould"), london(2025, 6, 3, 10))
    answer = Respond(actor="RP-101", outcome="not_upheld", message="no fault found")
    c = _apply(c, pack, answer, london(2025, 6, 4, 10))
    assert c.state.status is Status.CLOSED
    return c, pack


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("VIS-3")
def test_hoc_a_closed_stage_is_not_reopened_the_resident_goes_to_stage_2() -> None:
    """HOC section 6: a resident dissatisfied after the stage 1 response goes on
    to stage 2, a new issue is a new complaint; reopening is refused naming the
    command, stage 2 and its rule, and stores nothing."""
    c, pack = _answered_uk()
    with pytest.raises(IllegalTransitionError) as refused:
        decide(c, Reopen(actor="CM-301", reason="new evidence"), pack, london(2025, 6, 6, 10))
    err = refused.value
    assert (err.command, err.state) == ("reopen", "closed")
    assert str(err).endswith(
        "a closed complaint is not reopened under a staged procedure: a complainant still "
        "dissatisfied asks for stage_2 with request_escalation; a new issue is a new "
        "complaint (HOC 6.11-6.16)"
    )
    assert "reopen" not in allowed_commands(c, pack)
    assert "request_escalation" in allowed_commands(c, pack)
    # the closed stage was answered: acknowledging it is no step (HDL-1's is unstaged)
    assert "acknowledge" not in allowed_commands(c, pack)
    with pytest.raises(IllegalTransitionError, match="allowed now"):
        decide(c, Acknowledge(actor="CM-301"), pack, london(2025, 6, 6, 10))
    zh = translator("zh").error(err, pack)
    assert "分阶段程序下已结案的投诉不重新打开" in zh
    assert "(HOC 6.11-6.16)" in zh
    # the way on: stage 2, acknowledged within 5 working days of the request
    # (Friday 6 June 10:00 + 5 working days: Friday 13 June 17:00, HOC 6.11)
    c = _apply(c, pack, RequestEscalation(actor="CS-001"), london(2025, 6, 6, 10))
    assert (c.state.stage, c.state.status) == ("stage_2", Status.IN_HANDLING)
    ack = _clocks(c, pack, london(2025, 6, 6, 10))["stage_2_acknowledge"]
    assert ack.due == london(2025, 6, 13, 17)


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("VIS-3")
def test_after_the_last_stage_reopening_is_refused_as_complete() -> None:
    """HOC: stage 2 is the landlord's final response; SPSO: after stage 2
    the complainant goes to the SPSO.  Reopening names the last stage."""
    c, pack = _answered_uk()
    c = _apply(c, pack, RequestEscalation(actor="CS-001"), london(2025, 6, 6, 10))
    handler = c.state.handler or "CM-301"
    c = _apply(c, pack, Acknowledge(actor=handler, definition="mould"), london(2025, 6, 9, 10))
    answer = Respond(actor=handler, outcome="not_upheld", message="no fault found")
    c = _apply(c, pack, answer, london(2025, 6, 20, 10))
    assert c.state.status is Status.CLOSED
    with pytest.raises(IllegalTransitionError) as refused:
        decide(c, Reopen(actor="CM-301", reason="still mouldy"), pack, london(2025, 6, 23, 10))
    assert str(refused.value).endswith(
        "a closed complaint is not reopened under a staged procedure: stage_2 is the last "
        "stage and the procedure is complete; a new issue is a new complaint (HOC 6.11-6.16)"
    )


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("VIS-3")
def test_spso_a_closed_stage_1_is_not_reopened() -> None:
    """SPSO MCHP: a customer dissatisfied with the stage 1 response asks for stage
    2 (within 2 months of it), not for stage 1 again."""
    pack = load_pack(SPSO)
    c = _registered(pack, "Bins not collected")
    answer = Respond(actor="FS-001", outcome="not_upheld", message="collected")
    c = _apply(c, pack, answer, london(2025, 6, 4, 10))
    assert c.state.status is Status.CLOSED
    with pytest.raises(IllegalTransitionError) as refused:
        decide(c, Reopen(actor="SM-301", reason="new evidence"), pack, london(2025, 6, 6, 10))
    assert str(refused.value).endswith(
        "asks for stage_2 with request_escalation; a new issue is a new complaint "
        "(SPSO MCHP stage 2)"
    )


@pytest.mark.procedure("VIS-3")
def test_a_pack_without_stages_still_reopens() -> None:
    """The Chinese packs reopen a closed complaint as before (VIS-1, VIS-3)."""
    pack = load_pack("cn-property")
    c = _registered(pack, "楼上漏水", phone="13812345678")
    close = Close(actor="CS-001", result="修好了", confirmed_by_complainant=True)
    c = evolve(c, decide(c, close, pack, london(2025, 6, 3, 10)))
    assert c.state.status is Status.CLOSED
    assert "reopen" in allowed_commands(c, pack)
    c = _apply(c, pack, Reopen(actor="CS-001", reason="漏水又出现"), london(2025, 6, 4, 10))
    assert c.state.status is Status.IN_HANDLING
