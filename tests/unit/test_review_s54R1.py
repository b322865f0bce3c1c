"""Review s54R1, the year's turn (2026-12 -> 2027): a typed year that leaves out a
statutory holiday is refused (F01); a refusing desk's sweep names the fix that works
from 1 January (F02); the calendar-end errors read in the chosen language, name no
internal argument and give times in the calendar's zone (F03).  2027's statutory
days are the review's list, written out by hand (tests/helpers.py)."""

from __future__ import annotations

import warnings
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from complaintcore import HolidayDataWarning, translator
from complaintcore.adapters.calendars import calendar_for_spec, calendar_problems
from complaintcore.cli import main
from complaintcore.core.errors import InvalidInputError, NoWorkingTimeError
from complaintcore.rules import load_pack
from complaintcore.rules.loader import load_pack_data
from complaintcore.serialization import to_dict
from tests.helpers import SH, STATUTORY_2027

# --------------------------------------------------------------------------- F01

FIRST_LINES = [
    *("2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"),
    *("2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"),
]
"""The review's 2027 notice as a host typed its first lines: New Year's Day and the
Spring Festival's eight days, nothing after February."""

LEFT_OUT = (
    "2027-04-05 (Tomb-Sweeping Day), 2027-06-09 (Dragon Boat Festival),"
    " 2027-09-15 (Mid-Autumn Festival), 2027-10-01 (National Day)"
)
"""The statutory days left out that would be worked: Labour Day (Sat 1, Sun 2 May)
and National Day's Sat 2 and Sun 3 October are off anyway (review s54R10 F02)."""


def _pack(typed: list[str], **calendar: Any) -> Any:
    data = to_dict(load_pack("cn-property"))
    entry = {"year": 2027, "holidays": typed, "workdays": ["2027-01-30", "2027-02-20"]}
    data["calendar"] = {**data["calendar"], "by_year": [entry], **calendar}
    return load_pack_data(data, "test")


def _quiet_calendar(pack: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HolidayDataWarning)  # 2028-2040 stay guessed
        return calendar_for_spec(pack.calendar)


@pytest.mark.procedure("DL-1")
def test_a_typed_year_without_its_statutory_holidays_is_refused_naming_them() -> None:
    """Typed as far as the Spring Festival, 2027 lost Qingming, Labour Day, Dragon
    Boat, Mid-Autumn and National Day: 1 October a working day, and the reply to a
    complaint of Thu 30 September due three days early.  Refused, naming the
    entry's holidays and each date left out with its name."""
    pack = _pack(FIRST_LINES)
    (problem,) = calendar_problems(pack.calendar)  # packs validate
    assert problem.path == "calendar.by_year[0].holidays"
    assert f"for 2027: {LEFT_OUT};" in problem.reason
    assert "statutory holidays (法定节假日)" in problem.reason
    with pytest.raises(InvalidInputError) as err:  # the desk building its calendar
        calendar_for_spec(pack.calendar)
    assert err.value.path == "calendar.by_year[0].holidays"
    assert err.value.reason == problem.reason


@pytest.mark.procedure("DL-1")
def test_one_statutory_day_left_out_is_enough_to_refuse() -> None:
    holidays = [d for d in (*FIRST_LINES, *STATUTORY_2027) if d != "2027-10-01"]
    (problem,) = calendar_problems(_pack(sorted(set(holidays))).calendar)
    assert problem.path == "calendar.by_year[0].holidays"
    assert "for 2027: 2027-10-01 (National Day);" in problem.reason


@pytest.mark.procedure("DL-1")
def test_a_typed_year_with_every_statutory_holiday_is_taken() -> None:
    """Procedures §7 (DL-1, 3 working days, the day of receipt not counted): with the
    whole notice typed, National Day and the other statutory days stay off.  A
    complaint of Thu 30 September 10:00, the notice giving Fri 1 to Thu 7 October
    off: its working days are Fri 8, Mon 11 and Tue 12 (Sat 9 and Sun 10 are no
    typed make-up days), so the reply is due Tue 12 October 18:00."""
    week = ["2027-10-04", "2027-10-05", "2027-10-06", "2027-10-07"]
    pack = _pack(sorted({*FIRST_LINES, *STATUTORY_2027, *week}))
    assert calendar_problems(pack.calendar) == []
    calendar = _quiet_calendar(pack)
    for day in ("2027-04-05", "2027-06-09", "2027-09-15", "2027-10-01"):
        assert not calendar.is_working_day(date.fromisoformat(day)), day
    assert calendar.is_working_day(date(2027, 1, 30))  # a make-up Saturday, typed
    received = datetime(2027, 9, 30, 10, 0, tzinfo=SH)
    assert calendar.add_days(received, 3) == datetime(2027, 10, 12, 18, 0, tzinfo=SH)


def test_a_statutory_day_in_the_packs_own_holidays_counts_as_typed() -> None:
    """The pack's top-level ``holidays`` are days off too: a statutory day there is
    not left out."""
    rest = [d for d in STATUTORY_2027 if d != "2027-10-01"]
    pack = _pack(sorted({*FIRST_LINES, *rest}), holidays=["2027-10-01"])
    assert calendar_problems(pack.calendar) == []


def _pack_file(tmp_path: Path, holidays: list[str]) -> Path:
    text = (
        Path(__file__).resolve().parents[2] / "src/complaintcore/rules/cn-property.toml"
    ).read_text(encoding="utf-8")
    days = ", ".join(holidays)
    text += (
        f"\n[[calendar.by_year]]\nyear = 2027\nholidays = [{days}]\n"
        "workdays = [2027-01-30, 2027-02-20]\n"
    )
    path = tmp_path / "pack-2027.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.procedure("DL-1")
def test_packs_validate_and_init_refuse_the_partial_year(tmp_path: Path) -> None:
    path = _pack_file(tmp_path, FIRST_LINES)
    runner = CliRunner()
    validated = runner.invoke(main, ["--lang", "en", "packs", "validate", str(path)])
    assert validated.exit_code != 0
    assert "calendar.by_year[0].holidays: leaves out 4 of the statutory" in validated.stderr
    assert "2027-10-01 (National Day)" in validated.stderr
    made = runner.invoke(
        main, ["--lang", "en", "init", str(tmp_path / "desk"), "--pack", str(path)]
    )
    assert made.exit_code != 0
    assert "calendar.by_year[0].holidays" in made.stderr
    whole = _pack_file(tmp_path, sorted({*FIRST_LINES, *STATUTORY_2027}))
    assert runner.invoke(main, ["packs", "validate", str(whole)]).exit_code == 0


# --------------------------------------------------------------------------- F02, F03

REFUSED_YEARS = (
    "2024-2026 in Asia/Shanghai; 2027-2040 refused: the holiday source has no"
    " make-up-day (调休) data there and the rule pack refuses such deadlines"
)
TYPE_2027 = (
    "the calendar ends on 2026-12-31 until 2027's days are typed into"
    " [[calendar.by_year]] of the rule pack"
)


def _refusing_desk() -> Any:
    from complaintcore.adapters.memory_store import MemoryStore
    from complaintcore.adapters.staff import load_sample_staff
    from complaintcore.desk import Desk

    data = to_dict(load_pack("cn-property"))
    data["calendar"] = {**data["calendar"], "uncovered_years": "refuse"}
    pack = load_pack_data(data, "test")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HolidayDataWarning)
        calendar = calendar_for_spec(pack.calendar)
    return Desk(
        pack=pack,
        store=MemoryStore(),
        directory=load_sample_staff(pack=pack),
        calendar=calendar,
    )


@pytest.mark.procedure("DL-7")
def test_a_refusing_desks_sweep_from_1_january_says_to_type_the_year_in() -> None:
    """The pack's last_year is 2040; its table ends in 2026 because 2027 is refused:
    raising last_year changes nothing, typing 2027 into by_year does."""
    desk = _refusing_desk()
    with pytest.raises(InvalidInputError) as err:
        desk.sweep(datetime(2027, 1, 4, 9, 0, tzinfo=SH))
    assert err.value.path == "now"
    assert err.value.reason == f"outside the calendar's years ({REFUSED_YEARS}); {TYPE_2027}"
    assert "last_year" not in err.value.reason
    zh = translator("zh").error(err.value)
    assert zh == (
        "now：不在日历的年份内（2024-2026 年，Asia/Shanghai 时区；2027-2040 年被拒绝："
        "节假日数据源没有这些年份的调休数据，规则包拒绝计算延伸到其中的时限）；"
        "在规则包的 [[calendar.by_year]] 填入 2027 年的放假安排之前，日历止于 2026-12-31"
    )


@pytest.mark.procedure("DL-7")
def test_a_desk_past_its_last_year_still_says_to_extend_it() -> None:
    from complaintcore.testing import make_desk

    desk = make_desk()
    with pytest.raises(InvalidInputError) as err:
        desk.sweep(datetime(2041, 1, 4, 9, 0, tzinfo=SH))
    assert err.value.reason == (
        "outside the calendar's years (2024-2040 in Asia/Shanghai);"
        " extend the rule pack's [calendar] last_year"
    )
    assert translator("zh").error(err.value) == (
        "now：不在日历的年份内（2024-2040 年，Asia/Shanghai 时区）；"
        "请延长规则包 [calendar] 的 last_year"
    )


@pytest.mark.procedure("DL-1")
@pytest.mark.procedure("DL-7")
def test_the_calendar_end_errors_of_intake_and_show_read_in_chinese() -> None:
    """Received Mon 28 December 2026 10:00 on a refusing desk; on Wed 30 December a
    department's result needs three working days after it, past 2026 (refused at
    intake); on Mon 4 January 2027 09:00 ``show`` cannot measure a clock up to then.
    Neither names the calendar's argument (``b``), and the time is Shanghai's."""
    from tests.helpers import intake

    desk = _refusing_desk()
    received = datetime(2026, 12, 28, 10, 0, tzinfo=SH)
    cid = desk.receive(intake(received_at=received, receiver="SR-102"), now=received).id
    late = datetime(2026, 12, 30, 10, 0, tzinfo=SH)
    with pytest.raises(NoWorkingTimeError) as intake_err:
        desk.receive(intake(received_at=late, receiver="SR-102"), now=late)
    message = str(intake_err.value)
    assert message.endswith(
        f": fewer than 3 working days after 2026-12-30 in a calendar covering"
        f" {REFUSED_YEARS}; {TYPE_2027}"
    )
    assert translator("zh").error(intake_err.value, desk.pack) == (
        "时限“部门处理结果转客服部”：2026-12-30 之后不足 3 个工作日，"
        "日历只涵盖 2024-2026 年，Asia/Shanghai 时区；"
        "2027-2040 年被拒绝：节假日数据源没有这些年份的调休数据，规则包拒绝计算延伸到其中的时限；"
        "在规则包的 [[calendar.by_year]] 填入 2027 年的放假安排之前，日历止于 2026-12-31"
    )
    with pytest.raises(NoWorkingTimeError) as show_err:
        desk.clocks(cid, datetime(2027, 1, 4, 9, 0, tzinfo=SH))
    shown = str(show_err.value)
    assert ": b:" not in shown
    assert "+00:00" not in shown
    assert shown.endswith(
        f": 2027-01-04T09:00:00+08:00 is outside the calendar ({REFUSED_YEARS}); {TYPE_2027}"
    )
    zh = translator("zh").error(show_err.value, desk.pack)
    assert zh.endswith(
        "：2027-01-04T09:00:00+08:00 在日历之外（2024-2026 年，Asia/Shanghai 时区；2027-2040 年"
        "被拒绝：节假日数据源没有这些年份的调休数据，规则包拒绝计算延伸到其中的时限）；"
        "在规则包的 [[calendar.by_year]] 填入 2027 年的放假安排之前，日历止于 2026-12-31"
    )
    assert zh.startswith("时限“")  # the clock by its label (review s54R10 F04)
