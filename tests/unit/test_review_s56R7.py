"""Review s56R7: what every member of a concentrated issue is told (PRV-1, HDL-5).

F01: ``act_on_issue`` refused a reply naming one member's name, phone or room to
the whole issue (review s56R5 F02), but gave an apology (DL-5: apology, the
specific reason, a remedy) or an acknowledgement's apology naming one to every
member's complainant without a check.

Expected behaviour from /work/shared/procedures.md (PRV-1: messages show personal
data only to those who need it; HDL-5: one unified explanation for the issue;
DL-5: a broken promise is apologised for, with the specific reason and a remedy).

F02: a complaint joining an issue queued its receipt's messages (``assigned``)
before it was grouped, so a group post showed the neighbour its summary names,
a member stored already; a burst imported in one file masked no draft of the
batch in another's messages.

F03: an explanation holding an ordinary word equal to a member's name
(``用水高峰`` for a member 高峰) was refused with no way through: a person who has
checked the text gives it as checked (``member_data_checked=True``,
``explain-all --checked-names``), and the refusal says so.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from complaintcore import (
    Acknowledge,
    Apologise,
    Complainant,
    Intake,
    InvalidInputError,
    Reply,
    load_config,
    translator,
)
from complaintcore.cli import main
from complaintcore.cli.errors import one_line
from complaintcore.core.models import Apologised, Replied
from complaintcore.core.workflow import COMMAND_TYPES
from complaintcore.desk import Desk
from complaintcore.desk.masking import ISSUE_TEXTS
from complaintcore.desk.ports import Notification
from complaintcore.testing import RecordingNotifier, make_desk

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 11, 10, 9, 0, tzinfo=SH)  # Mon 10 Nov 2025, sunrise

OWNERS = (
    ("王小明", "13812340021", "8-1-801"),
    ("李雪梅", "13912340022", "8-1-802"),
    ("张伟", "13712340023", "8-1-803"),
)
NAMING = "8-1-801王小明家拒绝入户，电话13812340021无人接听"


def _burst_pipe(desk: Desk) -> list[str]:
    """Three owners of building 8 report a burst pipe within 20 minutes (HDL-5)."""
    ids = []
    for i, (name, phone, room) in enumerate(OWNERS):
        at = T0 + timedelta(minutes=10 * i)
        owner = Complainant(name=name, phone=phone, room=room, building="8", site="sunrise")
        intake = Intake(
            complainant=owner,
            channel="phone",
            received_at=at,
            receiver="SR-103",
            summary="水管爆管，家里漏水",
            site="sunrise",
        )
        ids.append(desk.receive(intake, now=at).id)
    assert desk.get(ids[0]).state.issue
    return ids


def _versions(desk: Desk, ids: list[str]) -> list[int]:
    return [desk.get(cid).version for cid in ids]


# ------------------------------- F01: every text the whole issue is told is checked


@pytest.mark.procedure("PRV-1")
@pytest.mark.procedure("DL-5")
def test_an_apology_whose_reason_names_a_member_is_refused_naming_the_field() -> None:
    desk = make_desk()
    ids = _burst_pipe(desk)
    issue = desk.get(ids[0]).state.issue
    at = T0 + timedelta(hours=2)
    promised = Reply(
        actor="SR-201",
        message="正在抢修",
        unanswerable_reason="待供应商送材料",
        agreed_due=at + timedelta(days=1),
        issue=issue,
    )
    assert sorted(desk.act_on_issue(issue, promised, now=at).done) == sorted(ids)
    later = at + timedelta(days=3)  # DL-5: the promise is broken
    versions = _versions(desk, ids)
    apology = Apologise(
        actor="SR-201", apology="抱歉未能按约定时间修复", reason=NAMING, remedy="减免本月物业费"
    )
    with pytest.raises(InvalidInputError) as caught:
        desk.act_on_issue(issue, apology, now=later)
    exc = caught.value
    assert exc.path == "reason"
    assert f"the name, phone and room of complaint {ids[0]}'s complainant" in exc.reason
    assert "PRV-1" in exc.reason
    assert _versions(desk, ids) == versions  # nothing stored
    zh = one_line(exc, translator("zh"))
    assert "reason" in zh
    assert f"投诉 {ids[0]} 的投诉人的姓名、电话、房号" in zh
    for shown in (str(exc), zh):
        for value in OWNERS[0]:
            assert value not in shown
    # the remedy is checked as well
    remedy = Apologise(actor="SR-201", apology="抱歉", reason="材料未到", remedy="张伟家减免物业费")
    with pytest.raises(InvalidInputError) as caught:
        desk.act_on_issue(issue, remedy, now=later)
    assert caught.value.path == "remedy"
    assert f"the name of complaint {ids[2]}'s complainant" in caught.value.reason
    # naming no member: given to every member
    fine = Apologise(actor="SR-201", apology="抱歉", reason="材料未到", remedy="减免本月物业费")
    assert sorted(desk.act_on_issue(issue, fine, now=later).done) == sorted(ids)
    assert all(isinstance(desk.get(cid).events[-1], Apologised) for cid in ids)


@pytest.mark.procedure("PRV-1")
def test_an_acknowledgement_whose_apology_names_a_member_is_refused() -> None:
    desk = make_desk()
    ids = _burst_pipe(desk)
    issue = desk.get(ids[0]).state.issue
    versions = _versions(desk, ids)
    ack = Acknowledge(actor="SR-201", apology="给8-1-802李雪梅家带来不便，深表歉意")
    with pytest.raises(InvalidInputError) as caught:
        desk.act_on_issue(issue, ack, now=T0 + timedelta(hours=1))
    assert caught.value.path == "apology"
    assert f"the name and room of complaint {ids[1]}'s complainant" in caught.value.reason
    assert _versions(desk, ids) == versions


def test_every_field_the_issue_is_told_is_a_text_field_of_its_command() -> None:
    """The table of told fields names real commands and their text fields."""
    commands = {c.name: c for c in COMMAND_TYPES}
    for name, fields in ISSUE_TEXTS.items():
        known = {f.name for f in commands[name].__attrs_attrs__}
        assert set(fields) <= known, name


# ------------------------- F02: a receipt's messages mask the issue it joins


class GroupRobot(RecordingNotifier):
    """A group chat's robot: one post for everyone told, masked for every reader."""

    group = True


BURST = (  # building 9: from the second on, each names the one before (PRV-1)
    ("赵建国", "13812345600", "9-1-301", "9号楼水管爆管，家里漏水"),
    ("钱秀英", "13812345601", "9-1-401", "9号楼水管爆管，楼上赵建国家漏下来"),
    ("孙志强", "13812345602", "9-1-501", "9号楼水管爆管，9-1-401室漏下来"),
    ("李丽娟", "13812345603", "9-1-601", "9号楼水管爆管，邻居电话13812345602没人接"),
    ("周海涛", "13812345604", "9-1-701", "9号楼水管爆管，楼上李丽娟家漏下来"),
)


def _intakes() -> list[Intake]:
    return [
        Intake(
            complainant=Complainant(name=n, phone=p, room=r, building="9", site="sunrise"),
            channel="phone",
            received_at=T0 + timedelta(minutes=3 * i),
            receiver="SR-103",
            summary=summary,
            site="sunrise",
            idempotency_key=f"burst-{i}",
        )
        for i, (n, p, r, summary) in enumerate(BURST)
    ]


def _posts(robot: RecordingNotifier, cid: str, topic: str) -> list[Notification]:
    return [n for n, _r in robot.sent if n.complaint_id == cid and n.topic == topic]


def _neighbours_shown(post: Notification, row: int) -> list[str]:
    return [v for i, owner in enumerate(BURST) if i != row for v in owner[:3] if v in post.body]


@pytest.mark.procedure("PRV-1")
@pytest.mark.procedure("HDL-5")
def test_the_receipt_post_of_a_complaint_joining_an_issue_masks_its_members() -> None:
    robot = GroupRobot("robot")
    desk = make_desk(notifiers=[robot])
    now = T0 + timedelta(hours=1)
    ids = [desk.receive(intake, now=now).id for intake in _intakes()]
    desk.deliver(now)
    issue = desk.get(ids[0]).state.issue
    assert issue
    assert all(desk.get(cid).state.issue == issue for cid in ids)
    for row in (2, 3, 4):  # grouped when received: the members are stored
        first = _posts(robot, ids[row], "assigned")[0]  # the receipt's
        assert _neighbours_shown(first, row) == [], row
    assert "楼上李**家漏下来" in _posts(robot, ids[4], "assigned")[0].body


@pytest.mark.procedure("PRV-1")
@pytest.mark.procedure("HDL-5")
def test_a_burst_imported_in_one_batch_masks_the_batchs_members_in_each_post() -> None:
    robot = GroupRobot("robot")
    desk = make_desk(notifiers=[robot])
    now = T0 + timedelta(hours=1)
    ids = [c.id for c in desk.receive_many(_intakes(), now=now)]
    desk.deliver(now)
    issue = desk.get(ids[0]).state.issue
    assert issue
    assert all(desk.get(cid).state.issue == issue for cid in ids)
    for row in (2, 3, 4):  # grouped when received: masked as one by one
        posts = [n for n, _r in robot.sent if n.complaint_id == ids[row]]
        assert posts
        for post in posts:
            assert _neighbours_shown(post, row) == [], (row, post.topic)
    assert "楼上李**家漏下来" in _posts(robot, ids[4], "assigned")[0].body


# ---------------------- F03: a word that matches a name, checked by a person


PEAK = (("高峰", "13812340011", "7-1-701"), ("李雪梅", "13912340012", "7-1-702"))
ADVICE = "请避开用水高峰期用水"  # peak water use: 高峰 is a word here


def _peak_issue(desk: Desk) -> tuple[str, list[str]]:
    ids = []
    for i, (name, phone, room) in enumerate((*PEAK, ("张伟", "13712340013", "7-1-703"))):
        at = T0 + timedelta(minutes=10 * i)
        owner = Complainant(name=name, phone=phone, room=room, building="7", site="sunrise")
        intake = Intake(
            complainant=owner,
            channel="phone",
            received_at=at,
            receiver="SR-103",
            summary="水管爆管，家里漏水",
            site="sunrise",
        )
        ids.append(desk.receive(intake, now=at).id)
    issue = desk.get(ids[0]).state.issue
    assert issue
    return issue, ids


@pytest.mark.procedure("PRV-1")
@pytest.mark.procedure("HDL-5")
def test_a_word_matching_a_members_name_is_given_once_a_person_checked_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    desk = make_desk()
    issue, ids = _peak_issue(desk)
    at = T0 + timedelta(hours=2)
    with pytest.raises(InvalidInputError) as caught:
        desk.explain_all(issue, actor="SR-201", message=ADVICE, now=at)
    exc = caught.value
    assert exc.path == "message"
    assert "member_data_checked=True" in exc.reason  # the way through
    assert "--checked-names" in exc.reason
    zh = one_line(exc, translator("zh"))
    assert "经人工核对" in zh
    assert "--checked-names" in zh
    for shown in (str(exc), zh):
        assert "高峰" not in shown
    with caplog.at_level(logging.INFO, logger="complaintcore"):
        report = desk.explain_all(
            issue, actor="SR-201", message=ADVICE, now=at, member_data_checked=True
        )
    assert sorted(report.done) == sorted(ids)
    for cid in ids:
        last = desk.get(cid).events[-1]
        assert isinstance(last, Replied)
        assert last.message == ADVICE  # recorded as written
    logged = [r.getMessage() for r in caplog.records if "member_data_checked" in r.getMessage()]
    assert len(logged) == 1
    assert f"the name of complaint {ids[0]}'s complainant" in logged[0]
    assert "SR-201" in logged[0]
    assert "高峰" not in logged[0]


@pytest.mark.procedure("PRV-1")
def test_explain_all_checked_names_gives_the_checked_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str, now: str) -> str:
        result = CliRunner().invoke(main, ["--lang", "en", "--now", now, *args])
        return f"{result.exit_code}|{result.output}"

    assert invoke("init", ".", now="2025-11-10T08:00+08:00").startswith("0|")
    for i, (name, phone, room) in enumerate((*PEAK, ("张伟", "13712340013", "7-1-703"))):
        out = invoke(
            "receive", "--receiver", "SR-103", "--name", name, "--phone", phone,
            "--room", room, "--building", "7", "--site", "sunrise",
            "--summary", "水管爆管，家里漏水", "--received-at", f"2025-11-10T09:{10 * i:02d}+08:00",
            now=f"2025-11-10T09:{10 * i + 1:02d}+08:00",
        )  # fmt: skip
        assert out.startswith("0|"), out
    with Desk.from_config(load_config("complaintcore.toml")) as desk:
        issue = next(iter(desk.store.complaints())).state.issue
    refused = invoke(
        "explain-all", issue, "--actor", "SR-101", "--message", ADVICE,
        now="2025-11-10T11:00+08:00",
    )  # fmt: skip
    assert refused.startswith("1|"), refused
    assert "--checked-names" in refused
    assert "高峰" not in refused
    given = invoke(
        "explain-all", issue, "--actor", "SR-101", "--message", ADVICE, "--checked-names",
        now="2025-11-10T11:00+08:00",
    )  # fmt: skip
    assert given.startswith("0|"), given
    assert "to 3 complaints" in given
