"""A host may set a desk's parts after building it (a reloaded staff directory, new
channels, other message languages, another pack): every path uses the new one.
Since the desk's work was split into collaborators, each kept the part it was built
with (review s27H)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import attrs
import pytest

from complaintcore import Complainant, Intake
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.errors import InvalidInputError
from complaintcore.core.rulepack import Duration
from complaintcore.desk import Desk
from complaintcore.desk.messages import Messages
from complaintcore.rules import load_pack
from complaintcore.testing import RecordingNotifier, StaffList, make_desk
from tests.helpers import SH

MONDAY = datetime(2025, 11, 10, 9, 30, tzinfo=SH)  # SR-201's duty hours


def _leak(desk: Desk, room: str = "3-2-1201", at: datetime = MONDAY) -> str:
    owner = Complainant("王小明", "13812345678", room, "3", "sunrise")
    intake = Intake(owner, "phone", at, "SR-103", "楼上漏水，天花板渗水", site="sunrise")
    return desk.receive(intake, now=at).id


def test_a_directory_set_later_routes_and_notifies() -> None:
    """The engineering head SR-201 left; SR-209 took over: the leak is routed to
    SR-209 and SR-209 is told (ESC-3: the department's lowest allowed rung)."""
    members = [
        attrs.evolve(m, staff_id="SR-209", name="赵新") if m.staff_id == "SR-201" else m
        for m in load_sample_staff().members()
    ]
    inbox = RecordingNotifier("inbox")
    desk = make_desk(notifiers=[inbox])
    desk.directory = StaffList(members)
    cid = _leak(desk)
    desk.deliver(MONDAY)
    assert desk.get(cid).state.handler == "SR-209"
    assert {n.recipient for n, _ in inbox.sent if n.topic == "assigned"} == {"SR-209"}


def test_channels_set_later_get_the_messages() -> None:
    first, second = RecordingNotifier("first"), RecordingNotifier("second")
    desk = make_desk(notifiers=[first])
    desk.notifiers = {"second": second}
    _leak(desk)
    report = desk.deliver(MONDAY)
    assert first.sent == []
    assert [n.topic for n, _ in second.sent] == ["assigned"]
    assert report.for_other_channels == 0


def test_messages_set_later_write_in_their_languages() -> None:
    inbox = RecordingNotifier("inbox")
    desk = make_desk(notifiers=[inbox])
    desk.messages = Messages(("en",))
    _leak(desk)
    desk.deliver(MONDAY)
    [(note, _)] = inbox.sent
    assert note.subject.isascii()  # English only: no Chinese half


def test_a_pack_set_later_rules_the_deadlines() -> None:
    """A pack giving 5 working days to reply (DL-1 is 3 in cn-property), set later:
    received Monday 10 November 09:30, the reply is due at the end of the fifth
    working day after, Monday 17 November 18:00."""
    cn = load_pack("cn-property")
    slower = tuple(
        attrs.evolve(c, duration=Duration(days=5)) if c.name == "reply" else c for c in cn.clocks
    )
    desk = make_desk()
    desk.pack = attrs.evolve(cn, clocks=slower)
    cid = _leak(desk)
    [reply] = [c for c in desk.clocks(cid, MONDAY) if c.name == "reply"]
    assert reply.due == datetime(2025, 11, 17, 18, 0, tzinfo=SH)
    # the sweep judges by it too: on Friday evening (past 3 days, within 5) no
    # reply is late
    friday = datetime(2025, 11, 14, 18, 30, tzinfo=SH)
    assert (cid, "reply") not in desk.sweep(friday).escalated


def test_a_pack_in_another_zone_then_its_calendar() -> None:
    """A Shanghai desk set to a London pack, then a London calendar: a complaint
    received at 23:30 London time on 10 Nov is dated that day, not the 11th as in
    Shanghai (review s27L F03); before the calendar is set, a deadline is refused
    naming it."""
    uk = load_pack("uk-housing-ombudsman-2024")
    desk = make_desk()
    desk.pack = uk
    desk.directory = load_sample_staff(pack=uk)
    london = ZoneInfo("Europe/London")
    late = datetime(2025, 11, 10, 23, 30, tzinfo=london)
    with pytest.raises(InvalidInputError) as refused:
        desk.calendar_warnings_at(late)
    assert refused.value.path == "calendar"
    desk.calendar = calendar_for_spec(uk.calendar)
    assert desk.zone.key == "Europe/London"
    [member] = [m for m in desk.directory.members() if m.site not in ("*", "")][:1]
    owner = Complainant("Ann Smith", "07700900123", "Flat 2", "1", member.site)
    intake = Intake(owner, "phone", late, member.staff_id, "Damp in the bedroom", site=member.site)
    assert desk.receive(intake, now=late).id.startswith("C-20251110-")
