"""Review s56R7: what every member of a concentrated issue is told (PRV-1, HDL-5).

F01: ``act_on_issue`` refused a reply naming one member's name, phone or room to
the whole issue (review s56R5 F02), but gave an apology (DL-5: apology, the
specific reason, a remedy) or an acknowledgement's apology naming one to every
member's complainant without a check.

Expected behaviour from /work/shared/procedures.md (PRV-1: messages show personal
data only to those who need it; HDL-5: one unified explanation for the issue;
DL-5: a broken promise is apologised for, with the specific reason and a remedy).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from complaintcore import (
    Acknowledge,
    Apologise,
    Complainant,
    Intake,
    InvalidInputError,
    Reply,
    translator,
)
from complaintcore.cli.errors import one_line
from complaintcore.core.models import Apologised
from complaintcore.core.workflow import COMMAND_TYPES
from complaintcore.desk import Desk
from complaintcore.desk.masking import ISSUE_TEXTS
from complaintcore.testing import make_desk

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
