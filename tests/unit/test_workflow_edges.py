"""Edge cases found in review, each pinned by the rule it protects."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

import complaintcore.rules
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.core.deadlines import ClockState, compute_clock
from complaintcore.core.errors import IllegalTransitionError, InvalidInputError, RulePackError
from complaintcore.core.models import Complainant, Intake, Kind, Status, TargetPerson
from complaintcore.core.workflow import (
    Assess,
    Classify,
    Close,
    Command,
    Forward,
    Pause,
    Promise,
    Reopen,
    Reply,
    Resume,
    Visit,
    decide,
)
from complaintcore.rules import load_pack_text
from tests.helpers import T0, Runner, intake, pack

RULES = Path(complaintcore.rules.__file__).parent


def started(**kw: object) -> Runner:
    r = Runner(pack(), intake(**kw))
    r.register()
    return r


@pytest.mark.procedure("VIS-3")
def test_a_satisfied_visit_before_a_reopening_is_no_confirmation() -> None:
    r = started()
    r(Assess(actor="h", validity="valid"))
    r(Reply(actor="h", message="done", final=True))
    r(Visit(actor="v", satisfied=True))
    r(Reopen(actor="h", reason="漏水复发"))
    with pytest.raises(IllegalTransitionError, match="VIS-3"):
        r(Close(actor="h", result="x"))


@pytest.mark.procedure("VAL-3")
def test_an_explanation_must_follow_the_latest_finding_of_invalidity() -> None:
    r = started()
    r(Reply(actor="h", message="先解释一下", explanation=True))
    r(Assess(actor="h", validity="invalid"))
    with pytest.raises(IllegalTransitionError, match="VAL-3"):
        r(Close(actor="h", result="invalid"))
    r(Reply(actor="h", message="经核实不属物业责任", explanation=True))
    assert r(Close(actor="h", result="invalid")).status is Status.CLOSED


@pytest.mark.procedure("DL-8")
def test_a_pause_can_be_ended_after_the_final_reply() -> None:
    r = started()
    r(Pause(actor="h", reason="等业主"))
    c = r(Reply(actor="h", message="done", final=True))
    assert c.status is Status.AWAITING_VISIT
    assert c.state.paused
    assert not r(Resume(actor="h")).state.paused


@pytest.mark.procedure("DL-4")
def test_a_promise_meets_the_service_centre_commitment_clock() -> None:
    sc = pack("cn-service-centre")
    r = Runner(sc, intake())
    r.register()
    c = r(Promise(actor="h", due=r.now + timedelta(hours=2)))
    status = compute_clock(
        c, sc.clock("commitment"), calendar_for_spec(sc.calendar), r.now + timedelta(minutes=20)
    )
    assert status.state is ClockState.MET


@pytest.mark.procedure("DL-5")
def test_a_pause_does_not_move_the_time_agreed_with_the_complainant() -> None:
    p = pack()
    r = started()
    due = r.now + timedelta(hours=2)
    r(Promise(actor="h", due=due))
    c = r(Pause(actor="h", reason="等业主"), after=timedelta(minutes=30))
    status = compute_clock(
        c, p.clock("promise"), calendar_for_spec(p.calendar), r.now + timedelta(hours=1)
    )
    assert status.due == due


@pytest.mark.procedure("VAL-4")
def test_a_valid_complaint_is_not_turned_into_an_enquiry_by_its_wording() -> None:
    r = started(summary="请问楼上漏水一周了为什么还没人修")
    c = r(Assess(actor="h", validity="valid", facts=["staff_fault"]))
    assert c.state.complaint_kind is Kind.COMPLAINT
    assert c.state.grade is not None


@pytest.mark.procedure("ESC-4")
def test_a_target_with_an_unknown_rung_is_refused_at_registration() -> None:
    r = Runner(pack(), intake(target=TargetPerson(staff_id="pm1", rung="projectmanager")))
    with pytest.raises(InvalidInputError) as info:
        r.register()
    assert info.value.path == "target.rung"


@pytest.mark.procedure("IN-5")
def test_forwarding_only_to_a_known_unit() -> None:
    r = started()
    with pytest.raises(InvalidInputError) as info:
        r(Forward(actor="h", to_unit="custmer_service"))
    assert info.value.path == "to_unit"


@pytest.mark.procedure("REC-4")
def test_a_blank_reason_is_no_reason() -> None:
    r = started()
    with pytest.raises(InvalidInputError) as info:
        r(Reply(actor="h", message="稍后答复", unanswerable_reason="   "))
    assert info.value.path == "unanswerable_reason"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("evidence", 123),
        ("facts", 5),
        ("target", "pm1"),
        ("via_head_office", "no"),
    ],
)
def test_intake_fields_of_the_wrong_type_are_named(field: str, value: object) -> None:
    base: dict[str, object] = {
        "complainant": Complainant("王小明", "13812345678", "3-2-1201"),
        "channel": "phone",
        "received_at": T0,
        "receiver": "s",
        "summary": "漏水",
        field: value,
    }
    with pytest.raises(InvalidInputError) as info:
        Intake(**base)  # type: ignore[arg-type]
    assert info.value.path == field


@pytest.mark.parametrize(
    ("command", "field", "got"),
    [
        (Classify(actor="h", category=5), "category", "int"),  # type: ignore[arg-type]
        (Classify(actor="h", department=b"x"), "department", "bytes"),  # type: ignore[arg-type]
        (Classify(actor="h", helpers=("ops", 1)), "helpers", "tuple"),  # type: ignore[arg-type]
        (Assess(actor="h", validity="valid", reasonable=1), "reasonable", "int"),  # type: ignore[arg-type]
        (Assess(actor="h", validity="valid", department=None), "department", "NoneType"),  # type: ignore[arg-type]
        (Forward(actor="h", to_unit="ops", consent="yes"), "consent", "str"),  # type: ignore[arg-type]
    ],
)
def test_command_fields_of_the_wrong_type_are_named(command: Command, field: str, got: str) -> None:
    r = started()
    with pytest.raises(InvalidInputError) as info:
        decide(r.complaint, command, r.pack, r.now)
    assert info.value.path == field
    assert str(info.value).endswith(f"wrong type {got}")


def test_optional_command_fields_take_nothing_or_their_type() -> None:
    r = started()
    r(Assess(actor="h", validity="valid", reasonable=None))
    r(Assess(actor="h", validity="valid", reasonable=False))
    assert r(Classify(actor="h", category=None, department=None)).state.category


def test_assessment_facts_of_the_wrong_type() -> None:
    with pytest.raises(InvalidInputError) as info:
        Assess(actor="h", validity="valid", facts=5)  # type: ignore[arg-type]
    assert info.value.path == "facts"


@pytest.mark.parametrize("duration", ["1000000000d", "99999999999h", "100000mo"])
def test_absurd_clock_lengths_are_refused_when_the_pack_loads(duration: str) -> None:
    from complaintcore.rules import load_pack

    shipped = (RULES / "cn-property.toml").read_text(encoding="utf-8")
    text = shipped.replace('duration = "24h"', f'duration = "{duration}"', 1)
    if "mo" in duration:
        text = shipped.replace('duration = "1mo"', f'duration = "{duration}"', 1)
    with pytest.raises(RulePackError) as info:
        load_pack_text(text, "big.toml")
    assert any(p.startswith("clocks[") for p in info.value.paths)
    assert load_pack("cn-property")  # the shipped pack itself is fine
