"""Staff-directory adapters: StaffList, duty hours, TOML/CSV staff files, the sample."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from complaintcore.adapters.staff import (
    CSV_COLUMNS,
    StaffList,
    load_sample_staff,
    load_staff_file,
    parse_duty,
    staff_from_csv,
    staff_from_records,
    staff_from_toml,
    write_sample_staff,
)
from complaintcore.core.errors import InvalidInputError, NaiveDatetimeError, SerializationError
from complaintcore.desk.ports import DutyWindow, StaffDirectory, StaffMember
from complaintcore.rules import load_pack

SH = ZoneInfo("Asia/Shanghai")
# 2025-11-10 is a Monday.
MON, TUE, WED, THU, FRI, SAT, SUN = range(10, 17)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A fixed aware instant in the week of Monday 2025-11-10 (never the wall clock)."""
    return datetime(2025, 11, day, hour, minute, tzinfo=SH)


def member(staff_id: str = "S1", **kw: object) -> StaffMember:
    fields: dict[str, object] = {
        "name": "王芳",
        "role": "客服专员",
        "rung": "complaint_handler",
        "department": "customer_service",
        "site": "sunrise",
    }
    fields.update(kw)
    return StaffMember(staff_id=staff_id, **fields)  # type: ignore[arg-type]


HEADER = ",".join(CSV_COLUMNS)
ROW_OK = (
    "S001,王芳,客服专员,complaint_handler,customer_service,sunrise,"
    "wang.fang@example.com,13800138112,,Mon-Fri 09:00-18:00,yes,"
)

TOML_OK = """\
[[staff]]
staff_id = "S001"
name = "王芳"
role = "客服专员"
rung = "complaint_handler"
department = "customer_service"
site = "sunrise"
email = "wang.fang@example.com"
phone = "13800138112"
duty = "Mon-Fri 09:00-18:00; Sat 09:00-12:00"
sees_personal_data = true

[[staff]]
staff_id = "S002"
name = "马超"
role = "保安(夜班)"
rung = "front_line"
department = "security"
duty = ["daily 20:00-08:00"]
"""


def paths(err: pytest.ExceptionInfo[SerializationError]) -> set[str]:
    return set(err.value.paths)


def reasons(err: pytest.ExceptionInfo[SerializationError], path: str) -> list[str]:
    return [p.reason for p in err.value.problems if p.path == path]


# --------------------------------------------------------------------------- StaffList


def test_staff_list_is_a_staff_directory() -> None:
    staff = StaffList([member("S1"), member("S2", rung="front_line")])
    assert isinstance(staff, StaffDirectory)
    assert staff.get("S2") == member("S2", rung="front_line")
    assert staff.get("nobody") is None
    assert [m.staff_id for m in staff.members()] == ["S1", "S2"]
    assert len(staff) == 2
    assert "S1" in staff
    assert "S9" not in staff
    assert [m.staff_id for m in staff] == ["S1", "S2"]
    assert staff == StaffList([member("S1"), member("S2", rung="front_line")])
    assert hash(staff) == hash(StaffList([member("S1"), member("S2", rung="front_line")]))


def test_staff_list_rejects_duplicate_ids() -> None:
    with pytest.raises(InvalidInputError) as err:
        StaffList([member("S1"), member("S2"), member("S1", name="马超")])
    assert err.value.path == "members[2].staff_id"
    assert "members[0]" in err.value.reason
    assert "马超" not in str(err.value)


def test_staff_list_rejects_non_members() -> None:
    with pytest.raises(InvalidInputError) as err:
        StaffList([member("S1"), "S2"])  # type: ignore[list-item]
    assert err.value.path == "members[1]"


def test_staff_list_helpers() -> None:
    staff = StaffList(
        [
            member("HQ", site="*", rung="senior_management", department="head_office"),
            member("A1", site="sunrise", rung="front_line", department="security"),
            member("B1", site="riverside", rung="front_line", department="cleaning"),
            member("B2", site="riverside", rung="department_head", department="cleaning"),
        ]
    )
    assert [m.staff_id for m in staff.by_rung("front_line")] == ["A1", "B1"]
    assert [m.staff_id for m in staff.at_site("riverside")] == ["HQ", "B1", "B2"]
    assert [m.staff_id for m in staff.in_department("cleaning")] == ["B1", "B2"]
    assert staff.by_rung("project_manager") == ()
    assert staff.sites() == ("*", "riverside", "sunrise")


@pytest.mark.procedure("PRV-1")
def test_staff_list_repr_hides_names() -> None:
    staff = StaffList([member("S1", phone="13800138112")])
    assert repr(staff) == "StaffList(1 members)"


def test_staff_list_on_duty_needs_an_aware_datetime() -> None:
    guard = member("G", duty=parse_duty("daily 20:00-08:00"))
    always = member("A")
    staff = StaffList([guard, always])
    assert staff.on_duty(at(WED, 23)) == (guard, always)
    assert staff.on_duty(at(WED, 12)) == (always,)
    with pytest.raises(NaiveDatetimeError):
        staff.on_duty(datetime(2025, 11, 12, 12, 0))


# --------------------------------------------------------------------------- duty hours


WEEKDAYS = (0, 1, 2, 3, 4)
ALL = (0, 1, 2, 3, 4, 5, 6)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ()),
        ("  ;  ", ()),
        ("Mon-Fri 09:00-18:00", (DutyWindow(WEEKDAYS, time(9), time(18)),)),
        ("mon - fri 9:00 - 18:00", (DutyWindow(WEEKDAYS, time(9), time(18)),)),
        ("Monday-Friday 09:00~18:00", (DutyWindow(WEEKDAYS, time(9), time(18)),)),
        ("weekdays 09:00-18:00", (DutyWindow(WEEKDAYS, time(9), time(18)),)),
        ("09:00-18:00", (DutyWindow(ALL, time(9), time(18)),)),
        ("every day 06:30-15:00", (DutyWindow(ALL, time(6, 30), time(15)),)),
        (
            "Mon-Fri 09:00-18:00; Sat 09:00-12:00",
            (DutyWindow(WEEKDAYS, time(9), time(18)), DutyWindow((5,), time(9), time(12))),
        ),
        (
            "Mon-Fri 09:00-12:00, 13:00-18:00",
            (DutyWindow(WEEKDAYS, time(9), time(12)), DutyWindow(WEEKDAYS, time(13), time(18))),
        ),
        (
            "Mon-Fri 09:00-12:00 13:00-18:00",
            (DutyWindow(WEEKDAYS, time(9), time(12)), DutyWindow(WEEKDAYS, time(13), time(18))),
        ),
        ("Mon, Wed Fri 10:00-11:00", (DutyWindow((0, 2, 4), time(10), time(11)),)),
        ("Fri-Mon 10:00-11:00", (DutyWindow((0, 4, 5, 6), time(10), time(11)),)),
        ("weekends 10:00-16:00", (DutyWindow((5, 6), time(10), time(16)),)),
        ("Sat 18:00-24:00", (DutyWindow((5,), time(18), time(0)),)),
        ("Sun 00:00-24:00", (DutyWindow((6,), time(0), time.max),)),
        ("daily 20:00-08:00", (DutyWindow(ALL, time(20), time(8)),)),
        ("daily 20:00-00:00", (DutyWindow(ALL, time(20), time(0)),)),
        (
            "Fri 20:00-08:00",
            (DutyWindow((4,), time(20), time(0)), DutyWindow((5,), time(0), time(8))),
        ),
        (
            "Sun 22:00-06:00",
            (DutyWindow((6,), time(22), time(0)), DutyWindow((0,), time(0), time(6))),
        ),
    ],
)
def test_parse_duty_english(text: str, expected: tuple[DutyWindow, ...]) -> None:
    assert parse_duty(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("周一至周五 08:30-17:30", (DutyWindow(WEEKDAYS, time(8, 30), time(17, 30)),)),
        ("周一至周五08:30-17:30", (DutyWindow(WEEKDAYS, time(8, 30), time(17, 30)),)),
        ("星期一到星期五 09:00至18:00", (DutyWindow(WEEKDAYS, time(9), time(18)),)),
        ("每天 20:00-08:00", (DutyWindow(ALL, time(20), time(8)),)),
        ("周六、周日 09:00-17:00", (DutyWindow((5, 6), time(9), time(17)),)),
        ("周末 09:00-17:00", (DutyWindow((5, 6), time(9), time(17)),)),
        ("周天 09:00-12:00", (DutyWindow((6,), time(9), time(12)),)),
        # Full-width punctuation, as a Chinese input method types it.
        (
            "周一至周五 ０９：００－１２：００；周六 ０９：００－１２：００",
            (DutyWindow(WEEKDAYS, time(9), time(12)), DutyWindow((5,), time(9), time(12))),
        ),
        (
            "周一至周五 09:00-12:00，13:00-18:00",
            (DutyWindow(WEEKDAYS, time(9), time(12)), DutyWindow(WEEKDAYS, time(13), time(18))),
        ),
    ],
)
def test_parse_duty_chinese(text: str, expected: tuple[DutyWindow, ...]) -> None:
    assert parse_duty(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Mon-Fry 09:00-18:00", "unknown weekday"),
        ("Funday 09:00-18:00", "unknown weekday"),
        ("Mon-Fri 25:00-26:00", "time out of range"),
        ("Mon-Fri 09:60-18:00", "time out of range"),
        ("Mon-Fri 24:00-08:00", "time out of range"),
        ("Mon-Fri 09:00-09:00", "start and end are equal"),
        ("Mon-Fri 09:00", "expected hours"),
        ("Mon-Fri 9am-6pm", "expected hours"),
        ("Mon-Fri 09:00-12:00 and 13:00-18:00", "between hour ranges"),
        ("09:00-18:00 Mon-Fri", "after the hours"),
        ("Mon-Fri 09:00-18:00; Sat", "have no hours"),
    ],
)
def test_parse_duty_errors(text: str, reason: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        parse_duty(text, "staff[0].duty")
    assert err.value.path == "staff[0].duty"
    assert reason in err.value.reason


def test_parse_duty_error_names_the_part() -> None:
    with pytest.raises(InvalidInputError) as err:
        parse_duty("Mon-Fri 09:00-18:00; Sat 09:00-31:00")
    assert err.value.reason.startswith("part 2: ")


def test_parse_duty_refuses_non_strings() -> None:
    with pytest.raises(InvalidInputError):
        parse_duty(9)  # type: ignore[arg-type]


def test_day_shift_on_duty() -> None:
    clerk = member(duty=parse_duty("Mon-Fri 09:00-12:00, 13:00-18:00; Sat 09:00-12:00"))
    assert clerk.on_duty(at(MON, 9))
    assert clerk.on_duty(at(FRI, 17, 59))
    assert not clerk.on_duty(at(FRI, 18))
    assert not clerk.on_duty(at(WED, 12, 30))  # lunch
    assert clerk.on_duty(at(SAT, 11))
    assert not clerk.on_duty(at(SAT, 13))
    assert not clerk.on_duty(at(SUN, 10))
    assert not clerk.on_duty(at(MON, 8, 59))


def test_daily_night_shift_on_duty() -> None:
    guard = member(duty=parse_duty("daily 20:00-08:00"))
    assert guard.on_duty(at(WED, 20))
    assert guard.on_duty(at(WED, 23, 30))
    assert guard.on_duty(at(THU, 0))
    assert guard.on_duty(at(THU, 7, 59))
    assert not guard.on_duty(at(THU, 8))
    assert not guard.on_duty(at(THU, 12))
    assert not guard.on_duty(at(THU, 19, 59))
    assert guard.on_duty(at(SUN, 3))


def test_night_shift_belongs_to_the_day_it_starts() -> None:
    # "Fri 20:00-08:00": Friday evening and Saturday morning, not Friday morning.
    guard = member(duty=parse_duty("Fri 20:00-08:00"))
    assert guard.on_duty(at(FRI, 22))
    assert guard.on_duty(at(SAT, 3))
    assert not guard.on_duty(at(SAT, 8))
    assert not guard.on_duty(at(FRI, 3))
    assert not guard.on_duty(at(SAT, 22))


def test_weekend_night_shift_wraps_into_monday() -> None:
    oncall = member(duty=parse_duty("Sat-Sun 20:00-08:00"))
    assert oncall.on_duty(at(SAT, 21))
    assert oncall.on_duty(at(SUN, 2))
    assert oncall.on_duty(at(SUN, 21))
    assert oncall.on_duty(at(MON, 2))
    assert not oncall.on_duty(at(MON, 21))
    assert not oncall.on_duty(at(SAT, 2))


def test_on_duty_is_local_to_the_instant_asked_about() -> None:
    # 13:00 UTC on Wednesday is 21:00 in Shanghai: the night guard is on duty.
    guard = member(duty=parse_duty("daily 20:00-08:00"))
    utc = datetime(2025, 11, 12, 13, 0, tzinfo=ZoneInfo("UTC"))
    assert guard.on_duty(utc.astimezone(SH))


def test_whole_day_and_evening_to_midnight() -> None:
    sunday = member(duty=parse_duty("Sun 00:00-24:00"))
    assert sunday.on_duty(at(SUN, 0))
    assert sunday.on_duty(at(SUN, 23, 59))
    assert not sunday.on_duty(at(MON, 0))
    evening = member(duty=parse_duty("Sat 18:00-24:00"))
    assert evening.on_duty(at(SAT, 23, 59))
    assert not evening.on_duty(at(SUN, 0))
    assert not evening.on_duty(at(SAT, 17, 59))


# --------------------------------------------------------------------------- TOML


def test_load_toml_file(tmp_path: Path) -> None:
    f = tmp_path / "staff.toml"
    f.write_text(TOML_OK, encoding="utf-8")
    staff = load_staff_file(f, pack=load_pack("cn-property"))
    handler = staff.get("S001")
    assert handler is not None
    assert handler.name == "王芳"
    assert handler.sees_personal_data
    assert handler.duty == (
        DutyWindow(WEEKDAYS, time(9), time(18)),
        DutyWindow((5,), time(9), time(12)),
    )
    guard = staff.get("S002")
    assert guard is not None
    assert guard.site == "*"
    assert guard.email == ""
    assert not guard.sees_personal_data
    assert guard.on_duty(at(TUE, 2))


def test_load_toml_file_with_bom(tmp_path: Path) -> None:
    f = tmp_path / "staff.TOML"
    f.write_bytes(b"\xef\xbb\xbf" + TOML_OK.encode())
    assert len(load_staff_file(str(f))) == 2


def test_toml_collects_every_problem(tmp_path: Path) -> None:
    f = tmp_path / "staff.toml"
    f.write_text(
        """\
[[staff]]
staff_id = "S001"
name = "王芳"
role = "客服专员"
rung = "complaint_handler"
department = "customer_service"

[[staff]]
staff_id = "S001"
name = ""
role = "保安"
department = "security"
phone = 13800138000
sees_personal_data = "yes"
duty = "Mon-Fry 20:00-08:00"
shift = "night"

[[staff]]
staff_id = "S 3"
name = "李静"
role = "财务"
rung = "front_line"
department = "finance"
email = "li.jing-at-example.com"
phone = "call me"
webhook = "ftp://example.com"
duty = 8
""",
        encoding="utf-8",
    )
    with pytest.raises(SerializationError) as err:
        load_staff_file(f)
    assert err.value.what == str(f)
    assert paths(err) == {
        "staff[1].staff_id",
        "staff[1].name",
        "staff[1].rung",
        "staff[1].phone",
        "staff[1].sees_personal_data",
        "staff[1].duty",
        "staff[1].shift",
        "staff[2].staff_id",
        "staff[2].email",
        "staff[2].phone",
        "staff[2].webhook",
        "staff[2].duty",
    }
    assert reasons(err, "staff[1].staff_id") == ["duplicate staff id 'S001' (first at staff[0])"]
    assert reasons(err, "staff[1].rung") == ["required; missing or empty"]
    assert reasons(err, "staff[1].phone") == ["expected a string (quote phone numbers and ids)"]
    assert reasons(err, "staff[1].sees_personal_data") == ["expected true or false"]
    assert reasons(err, "staff[1].shift") == ["unknown key"]
    assert "unknown weekday" in reasons(err, "staff[1].duty")[0]
    assert reasons(err, "staff[2].staff_id") == ["must not contain spaces"]
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize(
    ("text", "path", "reason"),
    [
        ("", "staff", "missing"),
        ("staff = []", "staff", "no staff members"),
        ("[staff]\nstaff_id = 'S1'", "staff", "expected an array of tables"),
        ("staff = [1]", "staff[0]", "expected a table"),
        ("title = 'x'\n[[staff]]\nstaff_id='S1'", "title", "unknown key"),
        ("[[staff]\n", "file", "not valid TOML"),
    ],
)
def test_toml_document_problems(text: str, path: str, reason: str) -> None:
    with pytest.raises(SerializationError) as err:
        staff_from_toml(text, source="x.toml")
    assert path in paths(err)
    assert any(reason in r for r in reasons(err, path))
    assert err.value.what == "x.toml"


def test_staff_from_records() -> None:
    records = [
        {
            "staff_id": "S1",
            "name": "王芳",
            "role": "r",
            "rung": "front_line",
            "department": "cleaning",
            "duty": ["Mon 08:00-12:00", "Tue 08:00-12:00"],
        }
    ]
    staff = staff_from_records(records)
    assert staff.members()[0].duty == (
        DutyWindow((0,), time(8), time(12)),
        DutyWindow((1,), time(8), time(12)),
    )


# --------------------------------------------------------------------------- CSV


def test_load_csv_file(tmp_path: Path) -> None:
    f = tmp_path / "staff.csv"
    f.write_text(
        "\n".join(
            [
                HEADER,
                ROW_OK,
                "S002,马超,保安(夜班),front_line,security,,,13900139132,,daily 20:00-08:00,,",
                "",
                ",,,,,,,,,,",
                "S003,李静,财务,department_head,finance,*,,,https://hooks.example.com/x,"
                '"Mon-Fri 09:00-12:00, 13:00-18:00",否,',
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    staff = load_staff_file(f, pack=load_pack("cn-property"))
    assert [m.staff_id for m in staff] == ["S001", "S002", "S003"]
    s1, s2, s3 = staff
    assert s1.sees_personal_data
    assert s1.email == "wang.fang@example.com"
    assert s2.site == "*"
    assert not s2.sees_personal_data
    assert s2.on_duty(at(SUN, 23))
    assert s3.webhook == "https://hooks.example.com/x"
    assert len(s3.duty) == 2
    assert not s3.sees_personal_data


def test_load_csv_with_excel_bom_and_crlf(tmp_path: Path) -> None:
    f = tmp_path / "staff.CSV"
    f.write_bytes(("\ufeff" + HEADER + "\r\n" + ROW_OK + "\r\n").encode("utf-8"))
    staff = load_staff_file(f)
    assert staff.get("S001") is not None


def test_csv_columns_in_any_order_optional_ones_left_out() -> None:
    staff = staff_from_csv(
        "department,rung,role,name,staff_id\ncleaning,front_line,保洁员,梁桂兰,S9\n"
    )
    m = staff.get("S9")
    assert m is not None
    assert (m.department, m.rung, m.site, m.duty) == ("cleaning", "front_line", "*", ())


def test_csv_chinese_headers() -> None:
    staff = staff_from_csv(
        "工号,姓名,岗位,层级,部门,项目,邮箱,手机,值班时间,可见个人信息\n"
        "S1,陈雪,前台接待员,front_line,customer_service,sunrise,"
        "chen.xue@example.com,13900139113,周一至周五 08:30-17:30,是\n"
    )
    m = staff.get("S1")
    assert m is not None
    assert m.phone == "13900139113"
    assert m.sees_personal_data
    assert m.duty == (DutyWindow(WEEKDAYS, time(8, 30), time(17, 30)),)


def test_csv_collects_every_problem_with_row_and_column() -> None:
    text = "\n".join(
        [
            HEADER,
            ROW_OK,  # row 2
            "S001,马超,保安,front_line,security,,,,,,maybe,",  # row 3
            ",,保安,,security,,,,,daily 25:00-08:00,,",  # row 4
            "S004,李静,财务,department_head,finance,,,,,,,,surplus",  # row 5
            "S005,孙敏,人事,department_head,hr_admin,,not-an-email,12,,,,",  # row 6
        ]
    )
    with pytest.raises(SerializationError) as err:
        staff_from_csv(text, source="staff.csv")
    assert paths(err) == {
        "row 3, column staff_id",
        "row 3, column sees_personal_data",
        "row 4, column staff_id",
        "row 4, column name",
        "row 4, column rung",
        "row 4, column duty",
        "row 5",
        "row 6, column email",
        "row 6, column phone",
    }
    assert reasons(err, "row 3, column staff_id") == ["duplicate staff id 'S001' (first at row 2)"]
    assert reasons(err, "row 5") == ["13 cells but the header has 12"]
    assert "cannot load staff.csv: " in str(err.value)


@pytest.mark.parametrize(
    ("text", "path", "reason"),
    [
        ("", "file", "empty"),
        ("\n\n", "file", "empty"),
        (HEADER + "\n", "file", "no staff rows"),
        (
            "staff_id,name,role\nS1,王芳,客服\n",
            "row 1",
            "lacks required column(s) rung, department",
        ),
        (HEADER + ",shift\n", "row 1, column 13", "unknown column"),
        (HEADER + ",rung\n", "row 1, column 13", "repeats column rung"),
        (HEADER + '\n"S1,王芳\n', "row 2", "malformed CSV"),  # an unterminated quote
    ],
)
def test_csv_document_problems(text: str, path: str, reason: str) -> None:
    with pytest.raises(SerializationError) as err:
        staff_from_csv(text)
    assert path in paths(err), err.value.problems
    assert any(reason in r for r in reasons(err, path))


def test_non_utf8_csv_gets_an_excel_hint(tmp_path: Path) -> None:
    f = tmp_path / "staff.csv"
    f.write_bytes((HEADER + "\n" + ROW_OK + "\n").encode("gbk"))
    with pytest.raises(SerializationError) as err:
        load_staff_file(f)
    assert err.value.paths == ("file",)
    assert "CSV UTF-8" in err.value.problems[0].reason


def test_unsupported_extension(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as err:
        load_staff_file(tmp_path / "staff.xlsx")
    assert err.value.path == "path"


def test_a_file_that_cannot_be_read_is_a_library_error(tmp_path: Path) -> None:
    """security.md "Only library errors": a missing file, or a folder, is refused as a
    SerializationError naming the file, as a rule pack's file is (review s25B F04)."""
    missing = tmp_path / "nope.toml"
    with pytest.raises(SerializationError) as err:
        load_staff_file(missing)
    assert err.value.what == str(missing)
    assert err.value.paths == ("file",)
    assert err.value.problems[0].reason == "cannot read the file: No such file or directory"
    folder = tmp_path / "staff.csv"
    folder.mkdir()
    with pytest.raises(SerializationError) as err:
        load_staff_file(folder)
    assert err.value.paths == ("file",)
    assert err.value.problems[0].reason.startswith("cannot read the file: ")


# --------------------------------------------------------------------------- against a pack


@pytest.mark.procedure("ESC-1")
def test_rungs_must_be_on_the_packs_ladder() -> None:
    text = "\n".join(
        [
            HEADER,
            "S1,王芳,客服,supervisor,customer_service,,,,,,,",
            "S2,马超,保安,front_line,security,,,,,,,",
        ]
    )
    pack = load_pack("cn-property")
    with pytest.raises(SerializationError) as err:
        staff_from_csv(text, pack=pack)
    assert err.value.paths == ("row 2, column rung",)
    reason = err.value.problems[0].reason
    assert "cn-property" in reason
    assert all(r.code in reason for r in pack.ladder)
    # Without a pack, any rung is taken as written.
    assert staff_from_csv(text).get("S1") is not None


@pytest.mark.procedure("ESC-1")
def test_rungs_follow_the_chosen_pack() -> None:
    records = [
        {
            "staff_id": "S1",
            "name": "n",
            "role": "r",
            "rung": "project_manager",
            "department": "customer_service",
        }
    ]
    assert staff_from_records(records, pack=load_pack("cn-property"))
    # The sales-office ladder has no project manager (sales_consultant … deputy_gm).
    with pytest.raises(SerializationError) as err:
        staff_from_records(records, pack=load_pack("cn-sales-office"))
    assert err.value.paths == ("staff[0].rung",)
    assert "deputy_gm" in err.value.problems[0].reason


def test_departments_must_be_in_the_pack() -> None:
    records = [
        {"staff_id": "S1", "name": "n", "role": "r", "rung": "front_line", "department": "kitchen"}
    ]
    with pytest.raises(SerializationError) as err:
        staff_from_records(records, pack=load_pack("cn-property"))
    assert err.value.paths == ("staff[0].department",)
    assert "customer_service" in err.value.problems[0].reason


# --------------------------------------------------------------------------- PRV-1


@pytest.mark.procedure("PRV-1")
def test_errors_never_quote_names_or_phones() -> None:
    # A row shifted one column left (no staff id): the name lands in staff_id,
    # the phone in webhook, and so on.  The error names places, not values.
    name, phone = "欧阳娜娜", "13912345678"
    text = "\n".join(
        [
            HEADER,
            f"{name},客服,complaint_handler,customer_service,sunrise,"
            f"x@example.com,{phone},{phone},Mon-Fri 09:00-18:00,true,{name}",
            f"S2,{name},客服,{name},{phone},sunrise,{name},{name},{name},{name} {phone},{phone}",
        ]
    )
    with pytest.raises(SerializationError) as err:
        staff_from_csv(text, pack=load_pack("cn-property"))
    message = str(err.value)
    assert err.value.problems
    assert name not in message
    assert phone not in message
    assert all(name not in repr(p) and phone not in repr(p) for p in err.value.problems)


@pytest.mark.procedure("PRV-1")
def test_headerless_csv_does_not_echo_the_first_row() -> None:
    name, phone = "欧阳娜娜", "13912345678"
    text = f"S1,{name},客服,front_line,customer_service,sunrise,,{phone},,,\n"
    with pytest.raises(SerializationError) as err:
        staff_from_csv(text)
    assert err.value.paths == ("row 1",)
    assert "not a header row" in err.value.problems[0].reason
    assert name not in str(err.value)
    assert phone not in str(err.value)


@pytest.mark.procedure("PRV-1")
def test_duplicate_ids_that_look_like_names_are_not_quoted() -> None:
    name = "欧阳娜娜"
    text = "\n".join(
        [
            HEADER,
            f"{name},客服,complaint_handler,customer_service,sunrise,,,,,,,",
            f"{name},客服,complaint_handler,customer_service,sunrise,,,,,,,",
        ]
    )
    with pytest.raises(SerializationError) as err:
        staff_from_csv(text)
    assert reasons(err, "row 3, column staff_id") == ["duplicate staff id (first at row 2)"]
    assert name not in str(err.value)


@pytest.mark.procedure("PRV-1")
def test_toml_errors_never_quote_names_or_phones() -> None:
    name, phone = "欧阳娜娜", "13912345678"
    text = f"""\
[[staff]]
staff_id = "S1"
name = "{name}"
role = "{phone}"
rung = "{name}"
department = "{phone}"
email = "{name}"
phone = "{name}"
webhook = "{phone}"
duty = "{name} {phone}"
"""
    with pytest.raises(SerializationError) as err:
        staff_from_toml(text, pack=load_pack("cn-property"))
    assert len(err.value.problems) == 6
    assert name not in str(err.value)
    assert phone not in str(err.value)


# --------------------------------------------------------------------------- the sample


@pytest.mark.procedure("ESC-1")
def test_sample_staff_validates_against_cn_property() -> None:
    pack = load_pack("cn-property")
    staff = load_sample_staff(pack=pack)
    assert 20 <= len(staff) <= 35
    assert {m.rung for m in staff} == {r.code for r in pack.ladder}
    assert {
        "customer_service",
        "engineering",
        "security",
        "cleaning",
        "greening",
        "finance",
        "hr_admin",
    } <= {m.department for m in staff}
    assert {"sunrise", "riverside", "*"} <= set(staff.sites())
    for site in ("sunrise", "riverside"):
        here = StaffList(staff.at_site(site))
        assert {m.rung for m in here} == {r.code for r in pack.ladder}, site
        assert here.in_department(pack.customer_service)
    assert all(m.email.endswith("@example.com") for m in staff if m.email)
    assert all(m.phone[:3] in ("138", "139") and len(m.phone) == 11 for m in staff)


def test_sample_has_a_night_shift_on_duty_at_3am() -> None:
    staff = load_sample_staff()
    night = [
        m
        for m in staff.at_site("sunrise")
        if m.department == "security" and m.duty and m.on_duty(at(WED, 3))
    ]
    assert night
    assert all(not m.on_duty(at(WED, 12)) for m in night)


def test_write_sample_staff(tmp_path: Path) -> None:
    target = tmp_path / "staff.toml"
    assert write_sample_staff(target) == target
    assert load_staff_file(target, pack=load_pack("cn-property")) == load_sample_staff()
    with pytest.raises(FileExistsError):
        write_sample_staff(target)
    target.write_text("changed", encoding="utf-8")
    write_sample_staff(target, overwrite=True)
    assert len(load_staff_file(target)) == len(load_sample_staff())
