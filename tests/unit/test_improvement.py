"""IMP-1: cause analysis before a valid complaint closes; measures watched until done.

004 篇2 §3.5: "对客户提出的每宗投诉，主管部门负责人在投诉处理过程中或处理结束后应
组织责任部门进行原因分析，并根据分析结果提出防止问题再次出现的纠正措施…… 责任单位
及责任人应根据提出的措施和要求进行整改。"  Every valid complaint gets a cause analysis
and corrective measures; the responsible unit and person carry them out.
"""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.core.deadlines import ClockState
from complaintcore.core.errors import IllegalTransitionError, InvalidInputError
from complaintcore.core.improvement import compute_measures
from complaintcore.core.models import MeasureAdded, MeasureKind, Status
from complaintcore.core.rulepack import Improvement
from complaintcore.core.workflow import (
    AddMeasure,
    Assess,
    Close,
    CompleteMeasure,
    RecordCause,
    Reply,
    Visit,
)
from complaintcore.rules import available_packs, load_pack
from tests.helpers import T0, Runner, pack

PACK = pack()
CALENDAR = calendar_for_spec(PACK.calendar)


def _satisfied(r: Runner, validity: str = "valid") -> None:
    r.register()
    r(Assess(actor="h-1", validity=validity))
    r(Reply(actor="h-1", message="已修好", final=True))
    r(Visit(actor="v-1", satisfied=True))


CHINESE_PACKS = [name for name in available_packs() if name.startswith("cn-")]


@pytest.mark.procedure("IMP-1")
@pytest.mark.parametrize("name", CHINESE_PACKS)
def test_every_pack_of_the_documents_asks_for_the_cause_before_closing(name: str) -> None:
    """The packs of the Chinese practice guides (procedures.md): "每宗投诉 … 进行原因分析"."""
    assert len(CHINESE_PACKS) == 3
    assert load_pack(name).improvement.require_cause


@pytest.mark.procedure("IMP-1")
def test_a_valid_complaint_closes_only_after_its_cause_analysis() -> None:
    r = Runner(PACK)
    _satisfied(r)
    with pytest.raises(IllegalTransitionError, match="IMP-1"):
        r(Close(actor="h-1", result="修复，业主满意"))
    assert r.complaint.status is Status.AWAITING_VISIT  # refused: nothing recorded
    r(RecordCause(actor="h-1", cause="楼上管道老化", corrective="更换管道"))
    assert r(Close(actor="h-1", result="修复，业主满意")).status is Status.CLOSED


@pytest.mark.procedure("IMP-1")
def test_invalid_complaints_and_requests_close_without_one() -> None:
    r = Runner(PACK)
    r.register()
    r(Assess(actor="h-1", validity="invalid"))
    r(Reply(actor="h-1", message="不属物业责任", explanation=True))
    assert r(Close(actor="h-1", result="已解释")).status is Status.CLOSED
    r = Runner(PACK)
    r.register()
    r(Assess(actor="h-1", validity="valid", kind="request"))
    r(Reply(actor="h-1", message="已安排", final=True))
    assert r(Close(actor="h-1", result="已办理")).status is Status.CLOSED


@pytest.mark.procedure("IMP-1")
def test_a_pack_may_turn_the_rule_off() -> None:
    lax = attrs.evolve(PACK, improvement=Improvement(require_cause=False))
    r = Runner(lax)
    _satisfied(r)
    assert r(Close(actor="h-1", result="修复")).status is Status.CLOSED


def _measured(days: float = 10) -> Runner:
    r = Runner(PACK)
    _satisfied(r)
    r(RecordCause(actor="h-1", cause="管道老化", corrective="更换管道"))
    r(
        AddMeasure(
            actor="h-1",
            kind="corrective",
            action="更换同批次立管",
            owner="SR-201",
            department="engineering",
            due=r.now + timedelta(days=days),
        )
    )
    return r


@pytest.mark.procedure("IMP-1")
def test_a_measure_has_an_owner_and_a_due_date_and_is_numbered() -> None:
    r = _measured()
    wanted = r.now.replace(second=0) + timedelta(days=30, seconds=7)
    r(AddMeasure(actor="h-1", kind="preventive", action="年度排查", owner="SR-001", due=wanted))
    added = [e for e in r.complaint.events if isinstance(e, MeasureAdded)]
    assert [(m.measure, m.measure_kind, m.owner) for m in added] == [
        ("M1", MeasureKind.CORRECTIVE, "SR-201"),
        ("M2", MeasureKind.PREVENTIVE, "SR-001"),
    ]
    # due dates are whole minutes, rounded up
    assert added[1].due == wanted - timedelta(seconds=7) + timedelta(minutes=1)


@pytest.mark.procedure("IMP-1")
def test_a_measure_is_watched_until_marked_done_even_after_closing() -> None:
    r = _measured(days=10)
    added = r.complaint.events[-1]
    assert isinstance(added, MeasureAdded)
    r(Close(actor="h-1", result="修复，业主满意"))

    def state(after: timedelta) -> ClockState:
        (m,) = compute_measures(r.complaint, PACK, CALENDAR, added.at + after)
        return m.state

    assert state(timedelta(days=1)) is ClockState.RUNNING
    assert state(timedelta(days=8, hours=12)) is ClockState.AT_RISK  # past 80 % of 10 days
    assert state(timedelta(days=10, minutes=1)) is ClockState.BREACHED  # overdue
    r(CompleteMeasure(actor="SR-201", measure="M1", result="已更换"), after=timedelta(days=11))
    (m,) = compute_measures(r.complaint, PACK, CALENDAR, r.now + timedelta(days=30))
    assert m.state is ClockState.MISSED  # done, but late
    assert not m.owed
    assert m.done is not None
    assert m.done.result == "已更换"


@pytest.mark.procedure("IMP-1")
def test_a_measure_done_in_time_is_met_and_cannot_be_done_twice() -> None:
    r = _measured(days=10)
    r(CompleteMeasure(actor="SR-201", measure="M1", result="已更换"), after=timedelta(days=3))
    (m,) = compute_measures(r.complaint, PACK, CALENDAR, r.now + timedelta(days=60))
    assert m.state is ClockState.MET
    with pytest.raises(IllegalTransitionError, match="already done"):
        r(CompleteMeasure(actor="SR-201", measure="M1", result="again"))
    with pytest.raises(InvalidInputError, match="measure"):
        r(CompleteMeasure(actor="SR-201", measure="M9", result="?"))


@pytest.mark.procedure("IMP-1")
def test_a_measure_needs_what_who_and_a_future_due_date() -> None:
    r = Runner(PACK)
    r.register()
    for bad, field in (
        ({"action": " "}, "action"),
        ({"owner": ""}, "owner"),
        ({"due": T0 - timedelta(days=1)}, "due"),
        ({"department": "nowhere"}, "department"),
    ):
        args = {"action": "更换", "owner": "SR-201", "due": T0 + timedelta(days=5), **bad}
        with pytest.raises(InvalidInputError, match=field):
            r(AddMeasure(actor="h-1", kind="corrective", **args))  # type: ignore[arg-type]


@pytest.mark.procedure("IMP-1")
@given(st.integers(min_value=1, max_value=60 * 24 * 90), st.integers(0, 59))
def test_the_deadline_is_exactly_the_due_date(minutes: int, seconds: int) -> None:
    """Law: however odd the time it was recorded, a measure falls due on its due date."""
    r = Runner(PACK)
    r.register()
    due = r.now + timedelta(minutes=minutes, seconds=seconds)
    r(AddMeasure(actor="h-1", kind="corrective", action="更换", owner="SR-201", due=due),
      after=timedelta(seconds=seconds))  # recorded at an odd second too  # fmt: skip
    added = r.complaint.events[-1]
    assert isinstance(added, MeasureAdded)
    (m,) = compute_measures(r.complaint, PACK, CALENDAR, added.due)
    assert m.clock.due == added.due
    assert m.state is not ClockState.BREACHED
    (m,) = compute_measures(r.complaint, PACK, CALENDAR, added.due + timedelta(seconds=1))
    assert m.state is ClockState.BREACHED
