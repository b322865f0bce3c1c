"""HDL-1: the call that acknowledges a written complaint, owed as a duty (002 A.b).

002 A.b: for a complaint in writing, customer service "致电业主表明我们已收到其投诉资料，
正着手安排解决，并表示歉意，请求谅解".  002 gives no time; its 处理制度 asks to contact
owners promptly (及时), which cn-property reads as by the end of the next working
day.  Expected times are worked out by hand from the pack's working day
(Monday-Friday 09:00-12:00 and 13:00-18:00, Asia/Shanghai) and the State Council's
2026 arrangement (国办发明电〔2025〕7号): National Day 1-7 October 2026 off, Thursday
8 October the first working day after it.  30 September 2026 is a Wednesday.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.chain import canonical_json, event_hash
from complaintcore.core.deadlines import ClockState, DutyStatus, compute_duties
from complaintcore.core.errors import IllegalTransitionError, InvalidInputError
from complaintcore.core.models import Acknowledged, Complaint, Status
from complaintcore.core.workflow import Acknowledge, Close, Reply, allowed_commands
from complaintcore.event_versions import event_version
from complaintcore.serialization import event_from_dict, event_to_dict
from tests.helpers import SH, Runner, intake, pack

PACK = pack()
CAL = calendar_for_spec(PACK.calendar)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


RECEIVED = at(2026, 9, 30, 10, 0)  # Wednesday, the last working day before National Day
CALLED = Acknowledge(
    actor="SR-102",
    apology="给您带来不便，深表歉意，请您谅解",
    definition="来信反映楼上漏水，天花板渗水",
)


def letter(channel: str = "written") -> Runner:
    r = Runner(PACK, intake(received_at=RECEIVED, channel=channel))
    r.register()
    return r


def duty(c: Complaint, now: datetime) -> DutyStatus:
    found = compute_duties(c, PACK, CAL, now)
    return next(d for d in found if d.name == "written_acknowledgement")


def step(r: Runner, when: datetime, command: Acknowledge | Reply | Close) -> Complaint:
    return r(command, after=when - r.now)


@pytest.mark.procedure("HDL-1")
def test_a_written_complaint_owes_the_call_by_the_first_working_day_after_national_day() -> None:
    c = letter().complaint
    owed = duty(c, RECEIVED)
    assert (owed.rule, owed.state, owed.owed) == ("HDL-1", ClockState.RUNNING, True)
    assert owed.clock.started_at == RECEIVED
    # the next working day after Wednesday 30 September is Thursday 8 October
    assert owed.due == at(2026, 10, 8, 18, 0)
    # 80 % of the 15 working hours (30 Sep 10-12 and 13-18: 7 h; 8 Oct 9-12 and
    # 13-18: 8 h) is 12 h: 7 h on 30 September, 9-12 on 8 October, then 13:00 + 2 h
    assert owed.clock.at_risk_from == at(2026, 10, 8, 15, 0)
    assert (
        owed.duty.command,
        owed.duty.owner_department,
        owed.duty.owner_rung,
        owed.duty.records,
    ) == ("acknowledge", "customer_service", "complaint_handler", ("apology",))
    assert duty(c, at(2026, 10, 5, 10, 0)).state is ClockState.RUNNING  # the holiday
    assert duty(c, at(2026, 10, 8, 18, 1)).state is ClockState.BREACHED


@pytest.mark.procedure("HDL-1")
def test_a_telephone_complaint_owes_no_call_and_its_acknowledgement_needs_no_apology() -> None:
    """002 B: a telephone complaint is apologised for before the call ends."""
    r = letter("phone")
    none = duty(r.complaint, at(2026, 10, 9, 9, 0))
    assert (none.state, none.owed) == (ClockState.NOT_STARTED, False)
    assert none.clock.derivation == ("not owed: only for these channels: in writing",)
    c = step(r, at(2026, 9, 30, 10, 30), Acknowledge(actor="SR-102"))
    assert isinstance(c.events[-1], Acknowledged)
    assert c.events[-1].apology == ""


@pytest.mark.procedure("HDL-1")
def test_the_call_with_the_apology_discharges_the_duty() -> None:
    r = letter()
    c = step(r, at(2026, 10, 8, 11, 0), CALLED)
    event = c.events[-1]
    assert isinstance(event, Acknowledged)
    assert (event.stage, event.apology, event.actor) == ("", CALLED.apology, "SR-102")
    assert event.tags() == ("acknowledged",)  # no stage: no "acknowledged:" tag
    assert c.state.acknowledged
    assert c.state.status is Status.REGISTERED  # told of receipt: handling not started by it
    met = duty(c, at(2026, 10, 9, 9, 0))
    assert (met.state, met.owed) == (ClockState.MET, False)


@pytest.mark.procedure("HDL-1")
@pytest.mark.parametrize("apology", ["", "  "])
def test_the_call_without_an_apology_is_refused_while_it_is_owed(apology: str) -> None:
    r = letter()
    with pytest.raises(InvalidInputError) as info:
        step(r, at(2026, 9, 30, 11, 0), Acknowledge(actor="SR-102", apology=apology))
    assert info.value.path == "apology"
    assert info.value.reason == "duty written_acknowledgement needs it recorded (HDL-1)"
    assert len(r.complaint.events) == 1  # only the registration


@pytest.mark.procedure("HDL-1")
@pytest.mark.parametrize("channel", ["written", "phone"])
def test_a_second_acknowledgement_is_refused(channel: str) -> None:
    r = letter(channel)
    step(r, at(2026, 9, 30, 11, 0), CALLED)
    with pytest.raises(IllegalTransitionError) as info:
        step(r, at(2026, 9, 30, 14, 0), CALLED)
    assert info.value.reason == "its receipt is already acknowledged to the complainant"
    assert info.value.command == "acknowledge"
    assert sum(isinstance(e, Acknowledged) for e in r.complaint.events) == 1


@pytest.mark.procedure("HDL-1")
def test_a_complaint_closed_before_the_call_still_owes_it_and_takes_it() -> None:
    """A duty outlives closure; the late call is recorded and counted missed."""
    r = letter()
    step(r, at(2026, 9, 30, 15, 0), Reply(actor="h-1", message="已修好", final=True))
    closing = Close(actor="h-1", result="已修好", confirmed_by_complainant=True)
    c = step(r, at(2026, 9, 30, 16, 0), closing)
    assert c.state.status is Status.CLOSED
    assert "acknowledge" in allowed_commands(c, PACK)
    assert duty(c, at(2026, 10, 8, 18, 1)).state is ClockState.BREACHED
    c = step(r, at(2026, 10, 9, 9, 30), CALLED)
    assert duty(c, at(2026, 10, 9, 10, 0)).state is ClockState.MISSED


@pytest.mark.procedure("HDL-1")
def test_an_acknowledgement_stored_before_apology_existed_reads_back_and_hashes_alike() -> None:
    """A staged pack's acknowledgement stored by an earlier version has no ``apology``:
    it reads back without one and encodes to the very text stored, so its hash (and
    every later one in the chain) is unchanged; the schema version stays 1."""
    old = {
        "type": "acknowledged",
        "at": "2025-03-07T11:00:00+00:00",
        "actor": "RP-101",
        "stage": "stage_1",
        "definition": "Mould; wants it treated",
        "remedy_sought": "",
    }
    event = event_from_dict(old)
    assert isinstance(event, Acknowledged)
    assert (event.stage, event.apology) == ("stage_1", "")
    assert event.tags() == ("acknowledged", "acknowledged:stage_1")
    assert event_to_dict(event) == old
    assert event_version("acknowledged") == 1
    stored = canonical_json(old)
    prev = "0" * 64
    assert event_hash(prev, "C-1", 2, canonical_json(event_to_dict(event))) == event_hash(
        prev, "C-1", 2, stored
    )
    called = event_from_dict({**old, "stage": "", "apology": "深表歉意"})
    assert isinstance(called, Acknowledged)
    assert event_to_dict(called) == {**old, "stage": "", "apology": "深表歉意"}
