"""Review s56L2: the month's major issues are those raised in the month (F01); the
close refusal names the closure it looks back to (F01b).

Expected values come from /work/shared/procedures.md:
VIS-4 "A major problem found during a visit is put on the agenda of the regular
meeting"; VIS-3 "A complaint is closed only with the complainant's confirmation
(闭环), or, failing satisfaction, after escalation to the top rung decides".
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from complaintcore import translator
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.core.errors import IllegalTransitionError
from complaintcore.core.models import Complaint
from complaintcore.core.stats import MonthlyReport, monthly_report
from complaintcore.core.workflow import Assess, Close, RecordCause, Reply, Visit
from tests.helpers import SH, Runner, intake, pack

PROPERTY = pack("cn-property")


# --------------------------------------------------------------------------- F01


def visited_in_december() -> Runner:
    """The reviewer's leak: received 2025-11-28, its final reply 12-02, visited 12-03
    10:00 Beijing time with a major issue."""
    r = Runner(PROPERTY, intake(received_at=datetime(2025, 11, 28, 10, 0, tzinfo=SH)))
    r.register()
    r(Assess(actor="h-1", validity="valid"))
    r(RecordCause(actor="h-1", cause="管道老化", corrective="更换管道"))
    r.now = datetime(2025, 12, 2, 14, 55, tzinfo=SH)
    r(Reply(actor="h-1", message="已更换水管", final=True))
    r.now = datetime(2025, 12, 3, 9, 55, tzinfo=SH)
    r(Visit(actor="v-1", satisfied=True, major_issue=True, problem="整栋楼水管老化，需列入大修"))
    assert r.now == datetime(2025, 12, 3, 10, 0, tzinfo=SH)
    return r


def month(complaints: list[Complaint], year: int, mon: int, now: datetime) -> MonthlyReport:
    calendar = calendar_for_spec(PROPERTY.calendar)
    return monthly_report(complaints, PROPERTY, calendar, year=year, month=mon, now=now)


@pytest.mark.procedure("VIS-4")
def test_a_major_issue_is_on_the_report_of_the_month_it_was_raised_in() -> None:
    """The December meeting takes up what December's visits raised, whatever month
    the record was received in; November's report has it neither when November
    ends nor later (it is no November item)."""
    c = visited_in_december().complaint
    visit = datetime(2025, 12, 3, 10, 0, tzinfo=SH)
    december = month([c], 2025, 12, datetime(2026, 1, 1, 9, 0, tzinfo=SH))
    assert [(m.complaint_id, m.at, m.actor) for m in december.major_issues] == [
        ("C-1", visit, "v-1")
    ]
    assert december.totals.received == 0  # received in November: counted there only
    for now in (datetime(2025, 12, 1, 9, 0, tzinfo=SH), datetime(2026, 1, 1, 9, 0, tzinfo=SH)):
        assert month([c], 2025, 11, now).major_issues == ()
    # as at a moment before the visit, December has none yet
    assert month([c], 2025, 12, visit - timedelta(minutes=1)).major_issues == ()


@pytest.mark.procedure("VIS-4")
def test_the_months_bounds_are_read_in_the_packs_zone() -> None:
    """A visit at 2025-12-31 23:30 Beijing time (15:30 UTC) is December's; one at
    2026-01-01 00:00 Beijing time is January's."""
    late = visited_in_december()
    late.now = datetime(2025, 12, 31, 23, 25, tzinfo=SH)
    late(Visit(actor="v-2", satisfied=True, major_issue=True, problem="外墙渗水"))
    ids = [m.actor for m in month([late.complaint], 2025, 12, late.now).major_issues]
    assert ids == ["v-1", "v-2"]
    late.now = datetime(2025, 12, 31, 23, 55, tzinfo=SH)
    late(Visit(actor="v-3", satisfied=True, major_issue=True, problem="屋面防水老化"))
    now = datetime(2026, 2, 1, tzinfo=SH)
    assert [m.actor for m in month([late.complaint], 2026, 1, now).major_issues] == ["v-3"]
    assert [m.actor for m in month([late.complaint], 2025, 12, now).major_issues] == [
        "v-1",
        "v-2",
    ]


# --------------------------------------------------------------------------- F01b


@pytest.mark.procedure("VIS-3")
def test_the_close_refusal_names_the_confirmed_or_top_rung_closure_it_looks_back_to() -> None:
    """A request the complainant was found unsatisfied with is closed only with them;
    the refusal says since which closure: the last one they confirmed or the top rung
    decided (an answered request's own closure does not settle it), in both languages."""
    r = Runner(PROPERTY, intake())
    r.register()
    r(Assess(actor="h-1", validity="valid", kind="request"))
    r(Reply(actor="h-1", message="已安排维修", final=True))
    r(Visit(actor="v-1", satisfied=False, opinion="没人来修"), after=timedelta(days=1))
    r(Reply(actor="h-1", message="再次安排", final=True))
    with pytest.raises(IllegalTransitionError) as info:
        r(Close(actor="h-1", result="已答复"))
    assert "since the last closure they confirmed or the top rung decided" in str(info.value)
    zh = translator("zh").error(info.value, PROPERTY)
    assert "自上次经投诉人确认或最高层级决定的关闭以来投诉人不满意" in zh
    assert "closure" not in zh
