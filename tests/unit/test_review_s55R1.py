"""Review s55R1: closing after an unsatisfied visit (F01), major issues from visits
(F02, F03); F04 (closing a complaint never assessed) was left out.

Expected values come from /work/shared/procedures.md:
VIS-3 "A complaint is closed only with the complainant's confirmation (闭环), or,
failing satisfaction, after escalation to the top rung decides";
VIS-4 "A major problem found during a visit is put on the agenda of the regular
meeting"; VAL-1 "the outcome is valid, invalid, or not yet verified";
IMP-1 "Every valid complaint gets a cause analysis and corrective and preventive
measures"; VAL-4 "Only a valid complaint enters ... the complaint statistics".
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.core.errors import IllegalTransitionError, InvalidInputError
from complaintcore.core.models import Status, Validity, Visited
from complaintcore.core.stats import monthly_report, to_json_dict
from complaintcore.core.workflow import Assess, Close, RecordCause, Reply, Visit
from complaintcore.serialization import event_from_dict, event_to_dict
from tests.helpers import SH, Runner, intake, pack

PROPERTY = pack("cn-property")


def unsatisfied() -> Runner:
    """A valid leak, its cause, its final reply, then a visit: not satisfied."""
    r = Runner(PROPERTY, intake())
    r.register()
    r(Assess(actor="h-1", validity="valid"))
    r(RecordCause(actor="h-1", cause="管道老化", corrective="更换管道"))
    r(Reply(actor="h-1", message="已更换水管", final=True))
    r(Visit(actor="v-1", satisfied=False, opinion="仍在渗水"), after=timedelta(days=1))
    assert r.complaint.state.status is Status.IN_HANDLING
    return r


# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("VIS-3")
@pytest.mark.procedure("VAL-4")
@pytest.mark.parametrize(
    ("assess", "field"),
    [
        (Assess(actor="h-1", validity="valid", kind="request"), "kind"),
        (Assess(actor="h-1", validity="valid", kind="enquiry"), "kind"),
        (Assess(actor="h-1", validity="invalid"), "validity"),
        (Assess(actor="h-1", validity="unverified"), "validity"),
    ],
)
def test_an_unsatisfied_valid_complaint_is_not_relabelled_out_of_the_figures(
    assess: Assess, field: str
) -> None:
    r = unsatisfied()
    with pytest.raises(InvalidInputError) as info:
        r(assess)
    assert info.value.path == field
    assert "VIS-3" in info.value.reason
    r(Assess(actor="h-1", validity="valid"))  # finding it valid again is no relabelling
    assert r.complaint.state.validity is Validity.VALID


@pytest.mark.procedure("VIS-3")
def test_a_request_the_complainant_was_unsatisfied_with_needs_their_confirmation() -> None:
    """A record assessed a service request before its visit found the complainant
    unsatisfied is not closed on its answer alone any more."""
    r = Runner(PROPERTY, intake())
    r.register()
    r(Assess(actor="h-1", validity="valid", kind="request"))
    r(Reply(actor="h-1", message="已安排维修", final=True))
    r(Visit(actor="v-1", satisfied=False, opinion="没人来修"), after=timedelta(days=1))
    r(Reply(actor="h-1", message="再次安排", final=True))
    with pytest.raises(IllegalTransitionError) as info:
        r(Close(actor="h-1", result="已答复"))
    assert "VIS-3" in str(info.value)
    closed = r(Close(actor="h-1", result="已修好", confirmed_by_complainant=True))
    assert closed.state.status is Status.CLOSED


@pytest.mark.procedure("VIS-3")
def test_a_request_never_found_unsatisfied_still_closes_once_answered() -> None:
    r = Runner(PROPERTY, intake())
    r.register()
    r(Assess(actor="h-1", validity="valid", kind="request"))
    r(Reply(actor="h-1", message="已安排维修", final=True))
    assert r(Close(actor="h-1", result="已答复")).state.status is Status.CLOSED


# --------------------------------------------------------------------------- F02


def replied() -> Runner:
    r = Runner(PROPERTY, intake())
    r.register()
    r(Assess(actor="h-1", validity="valid"))
    r(Reply(actor="h-1", message="已更换水管", final=True))
    return r


@pytest.mark.procedure("VIS-4")
def test_a_major_issue_is_found_only_at_a_visit_that_reached_the_complainant() -> None:
    r = replied()
    with pytest.raises(InvalidInputError) as info:
        r(Visit(actor="v-1", reached=False, major_issue=True, problem="整栋楼水管老化"))
    assert info.value.path == "major_issue"


@pytest.mark.procedure("VIS-4")
def test_a_major_issue_says_what_the_problem_is() -> None:
    r = replied()
    with pytest.raises(InvalidInputError) as info:
        r(Visit(actor="v-1", satisfied=True, major_issue=True))
    assert info.value.path == "problem"
    with pytest.raises(InvalidInputError) as info:
        r(Visit(actor="v-1", satisfied=True, problem="整栋楼水管老化"))
    assert info.value.path == "problem"
    after = r(Visit(actor="v-1", satisfied=True, major_issue=True, problem=" 整栋楼水管老化 "))
    visit = after.events[-1]
    assert isinstance(visit, Visited)
    assert (visit.major_issue, visit.problem) == (True, "整栋楼水管老化")
    assert event_from_dict(event_to_dict(visit)) == visit


@pytest.mark.procedure("VIS-4")
def test_a_visit_with_no_problem_encodes_as_before_so_stored_hashes_hold() -> None:
    """``problem`` is left out of the stored body while empty: a visit stored before
    it existed encodes to the very text stored."""
    old = {
        "type": "visited",
        "at": "2025-09-30T10:00:00+08:00",
        "actor": "SR-102",
        "satisfied": True,
        "opinion": "满意",
        "reply_due": None,
        "major_issue": True,
    }
    event = event_from_dict(old)
    assert isinstance(event, Visited)
    assert event.problem == ""
    assert event_to_dict(event) == old


# --------------------------------------------------------------------------- F03


@pytest.mark.procedure("VIS-4")
def test_the_month_report_lists_the_major_issues_from_visits() -> None:
    r = replied()
    r(Visit(actor="v-1", reached=False), after=timedelta(days=1))
    r(Visit(actor="v-2", satisfied=True, major_issue=True, problem="整栋楼水管老化"))
    visit_at = r.now
    now = datetime(2025, 12, 2, 9, 0, tzinfo=SH)
    report = monthly_report(
        [r.complaint], PROPERTY, calendar_for_spec(PROPERTY.calendar), year=2025, month=11, now=now
    )
    assert [(m.complaint_id, m.at, m.actor) for m in report.major_issues] == [
        ("C-1", visit_at, "v-2")
    ]
    listed = to_json_dict(report)["major_issues"]
    assert listed == [{"complaint_id": "C-1", "at": visit_at.isoformat(), "actor": "v-2"}]
    assert "整栋楼" not in str(listed)  # the problem itself stays in the complaint
