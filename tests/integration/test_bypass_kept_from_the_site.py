"""A complaint made straight to head office never reaches the site through another path.

IN-6: a bypass complaint is registered at head office and goes to the site only
"with the complainant's consent"; until then the site hears nothing of it -- not
through a repeat of the same matter at the site (IMP-3, GRD-2), nor through a
measure owned by its staff (IMP-1).  cn-property counts a matter raised 3 times
within 90 days as raised repeatedly (GRD-2).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from complaintcore import AddMeasure, Assess, Complainant, Forward, Intake
from complaintcore.core.errors import InvalidInputError
from complaintcore.core.models import Fact
from complaintcore.desk import Desk
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH


def _at(day: int, hour: int) -> datetime:
    return datetime(2025, 11, day, hour, 0, tzinfo=SH)


OWNER = Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise")


def _raise(desk: Desk, day: int, summary: str, *, via_head_office: bool) -> str:
    """王小明 raises the leak on ``day`` at 09:00, at the site or straight to head office."""
    intake = Intake(
        OWNER,
        "phone",
        _at(day, 9),
        "HQ-002" if via_head_office else "SR-103",
        summary,
        site="sunrise",
        receiver_unit="head_office" if via_head_office else "",
        via_head_office=via_head_office,
    )
    return desk.receive(intake, now=_at(day, 9)).id


def _site(desk: Desk) -> set[str]:
    return {m.staff_id for m in desk.directory.members() if m.site == "sunrise"}


@pytest.mark.procedure("IN-6")
@pytest.mark.procedure("GRD-2")
def test_a_matter_raised_repeatedly_at_the_site_never_names_the_bypass_raising() -> None:
    """First to head office (10 Nov), then twice at the site: the third raising is
    raised repeatedly, and the site's customer service hears of the site's earlier
    raising only (s27N F01), once."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    bypass = _raise(desk, 10, "楼上漏水，管理处不理", via_head_office=True)
    first = _raise(desk, 11, "卫生间漏水", via_head_office=False)
    third = _raise(desk, 12, "厨房水管漏水", via_head_office=False)
    desk.deliver(_at(12, 10))
    assert Fact.RAISED_REPEATEDLY in desk.get(third).state.facts
    [(told, _)] = [(n, to) for n, to in notes.sent if n.topic == "raised_repeatedly"]
    assert told.recipient in _site(desk)
    assert bypass not in told.body
    assert bypass not in told.subject
    assert told.body.count(first) == 2  # once in each language's "earlier complaints"
    assert "此前投诉：" + first + "\n" in told.body
    # the site's view of the third raising links to the first only; head office's to both
    linked = [
        e
        for e in desk.view(third, "SR-102", now=_at(12, 10), purpose="核对")["events"]
        if e["type"] == "linked"
    ]
    assert linked
    assert bypass not in repr(linked)
    assert linked[0]["same_complainant"] == [first]
    at_head_office = desk.view(third, "HQ-002", now=_at(12, 10), purpose="跟踪")
    assert bypass in repr(at_head_office["events"])


@pytest.mark.procedure("IN-6")
@pytest.mark.procedure("GRD-2")
def test_site_raisings_marked_by_a_bypass_raising_do_not_show_it_to_the_site() -> None:
    """Twice at the site, then to head office: both site raisings are marked raised
    repeatedly by the bypass one, and their site views do not name it until the
    complainant consents (s27N F01)."""
    desk = make_desk()
    ones = [_raise(desk, day, "漏水", via_head_office=False) for day in (10, 11)]
    bypass = _raise(desk, 12, "楼上漏水，管理处不理", via_head_office=True)
    for cid in ones:
        assert Fact.RAISED_REPEATEDLY in desk.get(cid).state.facts
        assert bypass in repr(desk.get(cid).events)  # recorded
        assert bypass not in repr(
            desk.view(cid, "SR-102", now=_at(12, 10), purpose="核对")
        )  # not shown to the site
    desk.act(
        bypass,
        Forward(actor="HQ-001", to_unit="customer_service", consent=True),
        now=_at(12, 10),
    )
    assert bypass in repr(desk.view(ones[0], "SR-102", now=_at(12, 10), purpose="核对")["events"])


@pytest.mark.procedure("IN-6")
@pytest.mark.procedure("IMP-1")
def test_a_measure_on_a_waiting_bypass_complaint_is_not_owned_by_site_staff() -> None:
    """Owned by the site's technician it would tell him of the complaint at once
    (s27N F02): refused, naming the owner; head office's own is taken, and once the
    complainant consents the site's is too."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    bypass = _raise(desk, 24, "管理处不理睬，直接向总部投诉楼道水管漏水", via_head_office=True)
    desk.act(bypass, Assess(actor="HQ-002", validity="valid"), now=_at(24, 10))

    def measure(owner: str) -> AddMeasure:
        return AddMeasure(
            actor="HQ-002", kind="corrective", action="更换楼道水管", owner=owner, due=_at(28, 18)
        )

    with pytest.raises(InvalidInputError) as refused:
        desk.act(bypass, measure("SR-202"), now=_at(24, 11))
    assert refused.value.path == "owner"
    assert "(IN-6)" in refused.value.reason
    desk.act(bypass, measure("HQ-001"), now=_at(24, 11))
    desk.sweep(_at(28, 19))  # after its due time: measure_overdue
    desk.deliver(_at(28, 19))
    assert not {n.recipient for n, _ in notes.sent if n.complaint_id == bypass} & _site(desk)
    assert ("HQ-001", "measure_owed") in {(n.recipient, n.topic) for n, _ in notes.sent}
    desk.act(
        bypass,
        Forward(actor="HQ-001", to_unit="customer_service", consent=True),
        now=_at(28, 20),
    )
    later = AddMeasure(
        actor="HQ-002", kind="corrective", action="复查水管", owner="SR-202", due=_at(30, 18)
    )
    desk.act(bypass, later, now=_at(28, 21))
