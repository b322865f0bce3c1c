"""Review s49I: every REC-1 reason names its field and the rule; a revised verdict
owes ``to_department`` from receipt, as the packs now say.

F01: docs/classification-and-validity.md (Mandatory fields) promises "Reasons name
the field in both languages and the rule, and never quote the value (PRV-1)".
The expected reasons are written out by hand from that page and REC-1's field
names in procedures.md (房号, 姓名, 联系电话, 诉求内容摘要; 受理时间 for the time).

F03: DL-3 (004 篇3): customer service forwards a complaint to the responsible
department within 24 h.  Worked by hand: registered by customer service Mon
10 Nov 2025 10:00, so due Tue 11 Nov 10:00 (24 wall-clock hours); judged invalid
at 11:00, valid again Thu 13 Nov 10:00: at 10:05 the forward is 2 days 5 minutes
late, breached, not due Fri 14 Nov 10:00.
"""

from __future__ import annotations

import re
from datetime import datetime
from importlib.resources import files
from zoneinfo import ZoneInfo

import pytest

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.core.deadlines import ClockState, breached_clocks, compute_clock
from complaintcore.core.errors import IncompleteRecordError
from complaintcore.core.models import Channel, Complainant, Intake
from complaintcore.core.validity import check_record
from complaintcore.core.workflow import Assess
from complaintcore.i18n import translator
from tests.helpers import Runner, intake, pack

SH = ZoneInfo("Asia/Shanghai")
RECEIVED = datetime(2025, 11, 14, 9, 0, tzinfo=SH)

# --------------------------------------------------------------------------- F01


def _intake(name: str = "王小明", phone: str = "13812345678", room: str = "3-2-1201") -> Intake:
    return Intake(
        complainant=Complainant(name, phone, room, site="sunrise"),
        channel=Channel.PHONE,
        received_at=RECEIVED,
        receiver="SR-103",
        summary="楼上漏水",
        site="sunrise",
    )


ROOM_CHARS = (
    "room number (房号) may contain only letters, digits, Chinese characters, "
    "'-', '#', '/' and spaces (REC-1)"
)
DEFAULT_PHONES = (
    "mainland mobile, landline with area code, or 400/800 number; "
    "or +852/+853/+886 in international form"
)


@pytest.mark.procedure("REC-1")
@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("changes", "path", "reason"),
    [
        ({"room": "12.01"}, "complainant.room", ROOM_CHARS),
        ({"room": "A栋"}, "complainant.room", "room number (房号) must contain a digit (REC-1)"),
        (
            {"room": "1" * 33},
            "complainant.room",
            "room number (房号) is too long (at most 32 characters) (REC-1)",
        ),
        (
            {"name": "12345"},
            "complainant.name",
            "complainant name (姓名) must contain a letter or Chinese character (REC-1)",
        ),
        (
            {"name": "王" * 65},
            "complainant.name",
            "complainant name (姓名) is too long (at most 64 characters) (REC-1)",
        ),
        (
            {"phone": "13912345"},
            "complainant.phone",
            f"contact phone (联系电话) is not a recognised number ({DEFAULT_PHONES}) (REC-1)",
        ),
    ],
    ids=["room-characters", "room-digit", "room-length", "name-letter", "name-length", "phone"],
)
def test_a_malformed_field_is_named_in_both_languages_with_the_rule(
    changes: dict[str, str], path: str, reason: str
) -> None:
    report = check_record(_intake(**changes))
    assert report.malformed == (path,)
    assert [(p.path, p.reason) for p in report.problems] == [(path, reason)]
    (value,) = changes.values()
    assert value not in reason


@pytest.mark.procedure("REC-1")
def test_malformed_summary_text_and_time_name_the_field_and_the_rule() -> None:
    bad = _intake()
    object.__setattr__(bad, "summary", "漏水\x7f")
    object.__setattr__(bad.complainant, "name", 5)  # bypassing the model, as a host might
    object.__setattr__(bad, "received_at", datetime(2025, 11, 14, 9, 0))  # naive
    assert [(p.path, p.reason) for p in check_record(bad).problems] == [
        ("complainant.name", "complainant name (姓名) must be text (REC-1)"),
        ("received_at", "date and time received (受理时间) must be timezone-aware (REC-1)"),
        ("summary", "summary of the complaint (诉求内容摘要) contains control characters (REC-1)"),
    ]
    object.__setattr__(bad, "summary", "漏" * 2001)
    object.__setattr__(bad, "received_at", "2025-11-14 09:00")
    assert [p.reason for p in check_record(bad).problems][1:] == [
        "date and time received (受理时间) must be a datetime (REC-1)",
        "summary of the complaint (诉求内容摘要) is too long (at most 2000 characters) (REC-1)",
    ]


@pytest.mark.procedure("REC-1")
def test_the_reasons_read_in_chinese_with_the_rule() -> None:
    """What the command line shows a Chinese reader (it words them with the translator)."""
    report = check_record(_intake(name="12345", phone="13912345", room="12.01"))
    zh = translator("zh")
    assert zh.error(IncompleteRecordError(report.problems)) == (
        "记录无法登记："
        "complainant.room：房号只能包含字母、数字、汉字、'-'、'#'、'/' 和空格（REC-1）；"
        "complainant.name：姓名须含有字母或汉字（REC-1）；"
        "complainant.phone：联系电话不是可识别的号码"
        "（大陆手机号、带区号的固定电话或 400/800 号码；或国际格式的 +852/+853/+886）（REC-1）"
    )
    shown = [zh.reason(p.reason) for p in check_record(_intake(room="A栋")).problems]
    assert shown == ["房号必须包含数字（REC-1）"]
    shown = [zh.reason(p.reason) for p in check_record(_intake(room="1" * 33)).problems]
    assert shown == ["房号过长（最多 32 个字符）（REC-1）"]


# --------------------------------------------------------------------------- F03


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 11, day, hour, minute, tzinfo=SH)


@pytest.mark.procedure("DL-3")
@pytest.mark.parametrize("name", ["cn-property", "cn-sales-office"])
def test_a_forward_owed_again_counts_from_receipt_as_the_pack_says(name: str) -> None:
    shipped = pack(name)
    r = Runner(shipped, intake(received_at=_at(10, 10)))
    r.register()
    r(Assess(actor="h-2", validity="invalid"), after=_at(10, 11) - r.now)
    r(Assess(actor="h-2", validity="valid"), after=_at(13, 10) - r.now)
    spec = shipped.clock("to_department")
    calendar = calendar_for_spec(shipped.calendar)
    status = compute_clock(r.complaint, spec, calendar, _at(13, 10, 5))
    assert (status.state, status.due) == (ClockState.BREACHED, _at(11, 10))
    late = breached_clocks(r.complaint, shipped, calendar, _at(13, 10, 5))
    assert "to_department" in {s.name for s in late}  # a sweep escalates it (ESC-2)

    text = (files("complaintcore.rules") / f"{name}.toml").read_text(encoding="utf-8")
    block = text[text.index('name = "to_department"') :]
    comment = " ".join(re.findall(r"^# ?(.*)$", block[: block.index("unwaive")], re.M))
    assert "from then" not in comment
    assert "as if never waived (from receipt)" in comment
    assert "already late is breached at once" in comment
