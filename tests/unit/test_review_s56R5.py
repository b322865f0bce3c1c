"""Review s56R5: what the complainant and outsiders are told (PRV-1, HDL-5).

F01: a masked notification about a member of a concentrated issue showed another
member's name written in the summary (``楼上王小明家水管爆了``) whenever the
message's details were only codes, labels or times (``help_requested``,
``late_department``, a group post): the other members were read only for a detail
written as text.  The masked view of the same complaint masks them.

F02: ``explain-all`` recorded, with no warning, a unified explanation naming one
owner's name, phone and room as the reply to every other owner of the issue.

Expected behaviour from /work/shared/procedures.md (PRV-1: messages show personal
data only to those who need it; HDL-5: one unified explanation for the issue).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from complaintcore import Complainant, Intake, InvalidInputError, translator
from complaintcore.cli.errors import one_line
from complaintcore.core.models import Replied
from complaintcore.core.workflow import Classify
from complaintcore.desk import Desk
from complaintcore.desk.ports import Notification, StaffMember
from complaintcore.testing import RecordingNotifier, make_desk

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 11, 10, 9, 0, tzinfo=SH)  # Mon 10 Nov 2025, sunrise

OWNERS = (
    ("王小明", "13812345671", "5-1-801", "8楼水管爆管，家里漏水"),
    ("李雪梅", "13912345672", "5-1-802", "8楼水管爆管，楼上王小明家水管爆了，水漏到我家"),
    ("张伟", "13712345673", "5-1-803", "8楼水管爆管，家里漏水"),
)


class GroupRobot(RecordingNotifier):
    """A group chat's robot: one post for everyone told, masked for every reader."""

    group = True


def _burst_pipe(*notifiers: RecordingNotifier) -> tuple[Desk, list[str]]:
    """Three owners of building 5 report a burst pipe within 20 minutes (HDL-5: one
    concentrated issue); 李雪梅's summary names her upstairs neighbour 王小明."""
    desk = make_desk(notifiers=list(notifiers))
    ids = []
    for i, (name, phone, room, summary) in enumerate(OWNERS):
        at = T0 + timedelta(minutes=10 * i)
        owner = Complainant(name=name, phone=phone, room=room, building="5", site="sunrise")
        intake = Intake(
            complainant=owner,
            channel="phone",
            received_at=at,
            receiver="SR-103",
            summary=summary,
            site="sunrise",
        )
        ids.append(desk.receive(intake, now=at).id)
    assert desk.get(ids[1]).state.issue
    return desk, ids


def _ask_security(desk: Desk, cid: str) -> None:
    """HDL-4: the handler asks security to help; its head SR-301 need not see
    personal data."""
    handler = desk.get(cid).state.handler
    helped = Classify(actor=handler, category="repairs", helpers=("security",))
    desk.act(cid, helped, now=T0 + timedelta(hours=1))


def _sent(
    notes: RecordingNotifier, cid: str, topic: str
) -> list[tuple[Notification, StaffMember | None]]:
    return [(n, r) for n, r in notes.sent if n.complaint_id == cid and n.topic == topic]


# ------------------------------------------- F01: the summary names another member


@pytest.mark.procedure("PRV-1")
def test_a_masked_help_request_masks_another_member_named_in_the_summary() -> None:
    notes = RecordingNotifier()
    desk, ids = _burst_pipe(notes)
    _ask_security(desk, ids[1])
    desk.deliver(T0 + timedelta(hours=1))
    [(note, who)] = _sent(notes, ids[1], "help_requested")
    assert who is not None
    assert who.staff_id == "SR-301"
    assert not note.data  # masked
    assert "王小明" not in note.body
    assert "王小明" not in note.subject
    assert "楼上王**家水管爆了" in note.body
    # as the masked view of the same complaint shows it
    assert "楼上王**家" in desk.view(ids[1], "SR-301")["intake"]["summary"]


@pytest.mark.procedure("PRV-1")
def test_a_masked_late_department_report_masks_another_member_named_in_the_summary() -> None:
    notes = RecordingNotifier()
    desk, ids = _burst_pipe(notes)
    _ask_security(desk, ids[1])
    for day in range(1, 8):  # ESC-6: the department misses its deadline, HR is told
        desk.sweep(T0 + timedelta(days=day))
    desk.deliver(T0 + timedelta(days=8))
    late = _sent(notes, ids[1], "late_department")
    assert late
    for note, _who in late:
        assert not note.data  # HR need not see personal data
        assert "王小明" not in note.body
        assert "楼上王**家" in note.body


@pytest.mark.procedure("PRV-1")
def test_a_group_post_masks_another_member_named_in_the_summary() -> None:
    robot = GroupRobot("robot")
    desk, ids = _burst_pipe(robot)
    _ask_security(desk, ids[1])
    desk.deliver(T0 + timedelta(hours=1))
    [(post, _who)] = _sent(robot, ids[1], "help_requested")
    assert "王小明" not in post.body
    assert "楼上王**家水管爆了" in post.body


@pytest.mark.procedure("PRV-1")
def test_the_handler_still_reads_the_summary_as_written() -> None:
    notes = RecordingNotifier()
    desk, ids = _burst_pipe(notes)
    desk.deliver(T0 + timedelta(hours=1))
    handler = desk.get(ids[1]).state.handler
    told = [n for n, r in _sent(notes, ids[1], "assigned") if r and r.staff_id == handler]
    assert told
    assert all("楼上王小明家水管爆了" in n.body for n in told)


@pytest.mark.procedure("PRV-1")
def test_no_masked_message_of_the_issue_names_another_member() -> None:
    """Every kind that takes the same path (escalations, clocks at risk or
    breached, duties, late departments, help): checked in each masked message."""
    notes, robot = RecordingNotifier(), GroupRobot("robot")
    desk, ids = _burst_pipe(notes, robot)
    desk.deliver(T0 + timedelta(minutes=30))  # queued before the issue formed: not known
    notes.sent.clear()
    robot.sent.clear()
    _ask_security(desk, ids[1])
    for day in range(1, 13):
        desk.sweep(T0 + timedelta(days=day))
    desk.deliver(T0 + timedelta(days=13))
    masked = [n for n, _r in [*notes.sent, *robot.sent] if not n.data]
    assert {"help_requested", "late_department"} <= {n.topic for n in masked}
    for note in masked:
        for name, phone, room, _summary in OWNERS:
            for value in (name, phone, room):
                assert value not in note.body, (note.topic, value)


# ------------------------------------ F02: an explanation naming one owner to all


def _refused(desk: Desk, ids: list[str], message: str) -> InvalidInputError:
    issue = desk.get(ids[0]).state.issue
    versions = [desk.get(cid).version for cid in ids]
    with pytest.raises(InvalidInputError) as caught:
        desk.explain_all(issue, actor="SR-201", message=message, now=T0 + timedelta(hours=2))
    assert [desk.get(cid).version for cid in ids] == versions  # nothing stored
    return caught.value


@pytest.mark.procedure("PRV-1")
@pytest.mark.procedure("HDL-5")
def test_an_explanation_naming_a_members_name_phone_and_room_is_refused() -> None:
    desk, ids = _burst_pipe()
    message = "5-1-801王小明家主管爆裂已关阀，业主王小明电话13812345671，有事可直接联系他"
    exc = _refused(desk, ids, message)
    assert exc.path == "message"
    assert f"the name, phone and room of complaint {ids[0]}'s complainant" in exc.reason
    assert "PRV-1" in exc.reason
    zh = one_line(exc, translator("zh"))
    assert f"投诉 {ids[0]} 的投诉人的姓名、电话、房号" in zh
    assert "PRV-1" in zh
    for shown in (str(exc), zh, one_line(exc, translator("en"))):
        for value in ("王小明", "13812345671", "5-1-801"):
            assert value not in shown


@pytest.mark.procedure("PRV-1")
def test_a_members_phone_written_another_way_is_refused_naming_the_phone() -> None:
    desk, ids = _burst_pipe()
    exc = _refused(desk, ids, "关阀后请联系 +86 138-1234-5671 了解进度")
    assert exc.reason.startswith(f"holds the phone of complaint {ids[0]}'s complainant,")


@pytest.mark.procedure("PRV-1")
def test_two_members_named_are_both_listed() -> None:
    desk, ids = _burst_pipe()
    exc = _refused(desk, ids, "5-1-802和张伟家均已恢复供水")
    assert f"the room of complaint {ids[1]}'s complainant" in exc.reason
    assert f"the name of complaint {ids[2]}'s complainant" in exc.reason
    assert "；" in one_line(exc, translator("zh"))


@pytest.mark.procedure("HDL-5")
def test_an_explanation_naming_no_member_is_given_to_every_member() -> None:
    desk, ids = _burst_pipe()
    issue = desk.get(ids[0]).state.issue
    message = "8楼主管爆裂已关阀，今天18点前恢复供水，物业电话0571-88886666"
    report = desk.explain_all(issue, actor="SR-201", message=message, now=T0 + timedelta(hours=2))
    assert sorted(report.done) == sorted(ids)
    for cid in ids:
        assert isinstance(desk.get(cid).events[-1], Replied)
