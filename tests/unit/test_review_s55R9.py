"""Re-review s55R9: s55R1's VIS-3 check after a settled closure (F02) and the
send-time check's loads (F03); F01 (major issues filed by the record's month) is
documented behaviour and left.

Expected values come from /work/shared/procedures.md:
VIS-3 "A complaint is closed only with the complainant's confirmation (闭环), or,
failing satisfaction, after escalation to the top rung decides";
VAL-4 "Only a valid complaint enters grading, penalties and the complaint
statistics; an enquiry or a service request is recorded but counted apart";
PRV-1 "Customer data is confidential".
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from complaintcore import Assign, Complainant, Intake
from complaintcore.core.errors import IllegalTransitionError, InvalidInputError
from complaintcore.core.models import Complaint, Kind, Status, Validity
from complaintcore.core.workflow import (
    Assess,
    Close,
    Escalate,
    RecordCause,
    Reopen,
    Reply,
    Visit,
)
from complaintcore.desk import Desk
from complaintcore.testing import RecordingNotifier
from tests.helpers import SH, Runner, intake, pack

PROPERTY = pack("cn-property")
T0 = datetime(2025, 11, 14, 17, 30, tzinfo=SH)


def confirmed_after_an_unsatisfied_visit() -> Runner:
    """The reviewer's sequence: a valid leak, an unsatisfied visit, a second final
    reply, a closure the complainant confirmed, then a reopening."""
    r = Runner(PROPERTY, intake())
    r.register()
    r(Assess(actor="h-1", validity="valid"))
    r(RecordCause(actor="h-1", cause="管道老化", corrective="更换管道"))
    r(Reply(actor="h-1", message="已更换水管", final=True))
    r(Visit(actor="v-1", satisfied=False, opinion="仍在渗水"), after=timedelta(days=1))
    r(Reply(actor="h-1", message="再次维修", final=True))
    r(Close(actor="h-1", result="业主电话确认已修好", confirmed_by_complainant=True))
    r(Reopen(actor="h-1", reason="业主来电：这次是隔壁施工漏水"), after=timedelta(days=7))
    return r


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("VIS-3")
@pytest.mark.procedure("VAL-4")
@pytest.mark.parametrize(
    ("assess", "validity", "kind"),
    [
        (Assess(actor="h-1", validity="invalid"), Validity.INVALID, Kind.COMPLAINT),
        (Assess(actor="h-1", validity="valid", kind="enquiry"), Validity.VALID, Kind.ENQUIRY),
        (Assess(actor="h-1", validity="valid", kind="request"), Validity.VALID, Kind.REQUEST),
    ],
)
def test_a_confirmed_closure_settles_the_unsatisfied_visit_before_it(
    assess: Assess, validity: Validity, kind: Kind
) -> None:
    r = confirmed_after_an_unsatisfied_visit()
    after = r(assess)
    assert (after.state.validity, after.state.complaint_kind) == (validity, kind)


@pytest.mark.procedure("VIS-3")
@pytest.mark.procedure("VAL-4")
def test_a_request_found_after_a_confirmed_closure_closes_once_answered() -> None:
    r = confirmed_after_an_unsatisfied_visit()
    r(Assess(actor="h-1", validity="valid", kind="request"))
    r(Reply(actor="h-1", message="已转告隔壁施工方", final=True))
    assert r(Close(actor="h-1", result="已答复")).state.status is Status.CLOSED


@pytest.mark.procedure("VIS-3")
@pytest.mark.procedure("VAL-4")
def test_an_unsatisfied_visit_after_the_reopening_still_holds_the_record() -> None:
    """The settled closure clears only what came before it."""
    r = confirmed_after_an_unsatisfied_visit()
    r(Reply(actor="h-1", message="再次维修", final=True))
    r(Visit(actor="v-1", satisfied=False, opinion="还是漏"), after=timedelta(days=1))
    with pytest.raises(InvalidInputError) as info:
        r(Assess(actor="h-1", validity="valid", kind="request"))
    assert info.value.path == "kind"
    assert "VIS-3" in info.value.reason


@pytest.mark.procedure("VIS-3")
def test_after_an_escalation_for_dissatisfaction_the_confirmed_closure_settles_it() -> None:
    """The same after an escalation because the complainant was not satisfied: the
    request is closed only with them; once they confirmed, the reopened request
    closes on its answer."""
    r = Runner(PROPERTY, intake())
    r.register()
    r(Reply(actor="h-1", message="已处理", final=True))
    r(Escalate(actor="v-1", trigger="dissatisfied"), after=timedelta(days=1))
    r(Assess(actor="h-1", validity="valid", kind="request"))
    r(Reply(actor="h-1", message="已答复", final=True))
    with pytest.raises(IllegalTransitionError) as info:
        r(Close(actor="h-1", result="已答复"))
    assert "VIS-3" in str(info.value)
    r(Close(actor="h-1", result="业主确认", confirmed_by_complainant=True))
    r(Reopen(actor="h-1", reason="业主又来电咨询"), after=timedelta(days=2))
    r(Reply(actor="h-1", message="已再次答复", final=True))
    assert r(Close(actor="h-1", result="已答复")).state.status is Status.CLOSED


@pytest.mark.procedure("VIS-3")
@pytest.mark.procedure("VAL-4")
def test_a_closure_the_top_rung_decided_settles_the_failure_before_it() -> None:
    r = Runner(PROPERTY, intake())
    r.register()
    r(Assess(actor="h-1", validity="valid"))
    r(RecordCause(actor="h-1", cause="管道老化", corrective="更换管道"))
    r(Reply(actor="h-1", message="已修好", final=True))
    r(Escalate(actor="h-1", trigger="cannot_handle", to_rung="senior_management"))
    r(Reply(actor="gm", message="维持", final=True))
    r(Visit(actor="v-1", satisfied=False, opinion="不满意"), after=timedelta(days=1))
    r(Reply(actor="gm", message="维持", final=True))
    r(Close(actor="gm", result="总部决定结案", decided_by_top_rung=True))
    r(Reopen(actor="gm", reason="业主来电：这次是隔壁施工漏水"), after=timedelta(days=7))
    assert r(Assess(actor="gm", validity="invalid")).state.validity is Validity.INVALID


# --------------------------------------------------------------------------- F03


def leak(room: str, phone: str) -> Intake:
    owner = Complainant("王小明", phone, room, "3", "sunrise")
    return Intake(owner, "phone", T0, "SR-103", "楼上漏水，天花板渗水", site="sunrise")


@pytest.mark.procedure("PRV-1")
def test_the_send_time_check_loads_each_complaint_once_a_pass(
    cn_sqlite_desk: tuple[Desk, RecordingNotifier, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every message written unmasked is still checked against its complaint as
    it is now, but a complaint with several such messages is loaded once for the
    pass, and loaded again in the next pass, not kept."""
    desk, inbox, _staff = cn_sqlite_desk
    first = desk.receive(leak("3-2-1201", "13812345678"), now=T0)
    second = desk.receive(leak("3-2-1202", "13812345679"), now=T0)
    desk.act(first.id, Assign(actor="SR-001", handler="SR-301", rung="department_head"), now=T0)
    loads: Counter[str] = Counter()
    load = desk.store.load

    def counted(complaint_id: str) -> Complaint:
        loads[complaint_id] += 1
        return load(complaint_id)

    monkeypatch.setattr(desk.store, "load", counted)
    desk.deliver(T0)
    carried = Counter(n.complaint_id for n, _ in inbox.sent if n.data)
    assert carried[first.id] >= 2  # several messages written unmasked, all sent
    assert dict(loads) == {first.id: 1, second.id: 1}
    assert desk.dead_letters() == []
    desk.act(first.id, Assign(actor="SR-001", handler="SR-201", rung="department_head"), now=T0)
    loads.clear()
    desk.deliver(T0)
    assert dict(loads) == {first.id: 1}  # the next pass reads it afresh
