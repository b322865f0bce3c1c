"""Review s54R10, a re-review of the year's turn (s54R1): a statutory day the pack
works on purpose through its top-level ``workdays`` is not "left out" (F01); one on
a weekend, off anyway, is not either (F02); a host typing a year in through
``calendar_from_holidays(covered_years=…)`` is refused the same way (F03); the
calendar-end errors name a clock or duty by its label (F04); a damaged cache file
is asked again (F05); past the pack's last_year with refused years before it, the
sweep names both (F06).  2027's statutory days are review s54R1's hand-written
list (tests/helpers.py): 2027 is a year the installed ``holidays`` only guesses."""

from __future__ import annotations

import json
import warnings
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from complaintcore import HolidayDataWarning, translator
from complaintcore.adapters import calendars
from complaintcore.adapters.calendars import (
    calendar_for_spec,
    calendar_from_holidays,
    calendar_problems,
)
from complaintcore.core.errors import InvalidInputError, NoWorkingTimeError
from complaintcore.rules import load_pack
from complaintcore.rules.loader import load_pack_data
from complaintcore.serialization import to_dict
from tests.helpers import SH, STATUTORY_2027

NOTICE_2027 = sorted(
    {
        *STATUTORY_2027,
        *("2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"),  # Spring Festival week
        *("2027-05-03", "2027-05-04", "2027-05-05"),  # Labour Day week
        *("2027-10-04", "2027-10-05", "2027-10-06", "2027-10-07"),  # National Day week
    }
)
"""Every day off of a whole 2027 notice: the statutory days and the days the
notice adds to them (procedures §7: a typed year lists the notice's days off)."""

MAKEUP_2027 = ["2027-01-30", "2027-02-20"]

WEEKEND_STATUTORY_2027 = ("2027-02-06", "2027-02-07", "2027-05-01", "2027-05-02")
WEEKEND_STATUTORY_2027 += ("2027-10-02", "2027-10-03")
"""The statutory days of 2027 on a Saturday or Sunday (off by the weekly hours)."""


def _pack(typed: list[str], **calendar: Any) -> Any:
    data = to_dict(load_pack("cn-property"))
    entry = {"year": 2027, "holidays": typed, "workdays": MAKEUP_2027}
    data["calendar"] = {**data["calendar"], "by_year": [entry], **calendar}
    return load_pack_data(data, "test")


def _quiet(build: Any, *args: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HolidayDataWarning)  # 2028-2040 stay guessed
        return build(*args, **kwargs)


def _dates(days: list[str] | tuple[str, ...]) -> list[date]:
    return [date.fromisoformat(d) for d in days]


# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("DL-1")
def test_a_statutory_day_the_pack_works_through_its_own_workdays_is_not_left_out() -> None:
    """The pack's top-level ``workdays`` win over the source (rule-packs.md): an
    office that works National Day types the rest of 2027's notice and lists
    1 October there.  Taken, and 1 October is a working day."""
    rest = [d for d in NOTICE_2027 if d != "2027-10-01"]
    pack = _pack(rest, workdays=["2027-10-01"])
    assert calendar_problems(pack.calendar) == []
    calendar = _quiet(calendar_for_spec, pack.calendar)
    assert calendar.is_working_day(date(2027, 10, 1))
    assert not calendar.is_working_day(date(2027, 10, 4))


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("DL-1")
def test_a_year_typed_as_its_weekdays_off_is_taken_and_gives_the_same_calendar() -> None:
    """A statutory day on a Saturday or Sunday is off by the weekly hours: a notice
    typed as the weekdays it gives off leaves nothing out, and the calendar is the
    one of the whole notice on every date of 2027."""
    weekdays_only = [d for d in NOTICE_2027 if d not in WEEKEND_STATUTORY_2027]
    assert all(date.fromisoformat(d).weekday() < 5 for d in weekdays_only)
    short, whole = _pack(weekdays_only), _pack(NOTICE_2027)
    assert calendar_problems(short.calendar) == []
    a = _quiet(calendar_for_spec, short.calendar)
    b = _quiet(calendar_for_spec, whole.calendar)
    day = date(2027, 1, 1)
    while day.year == 2027:
        assert a.is_working_day(day) == b.is_working_day(day), day
        day = date.fromordinal(day.toordinal() + 1)


@pytest.mark.procedure("DL-1")
def test_only_the_statutory_days_that_would_be_worked_are_named() -> None:
    """Typed as far as the Spring Festival: of the statutory days left out, those on
    a weekday would be worked and are named; those on a weekend are not."""
    first_lines = [d for d in NOTICE_2027 if d < "2027-02-13"]
    (problem,) = calendar_problems(_pack(first_lines).calendar)
    assert problem.path == "calendar.by_year[0].holidays"
    assert (
        "leaves out 4 of the statutory holidays (法定节假日) the holiday source names for"
        " 2027: 2027-04-05 (Tomb-Sweeping Day), 2027-06-09 (Dragon Boat Festival),"
        " 2027-09-15 (Mid-Autumn Festival), 2027-10-01 (National Day);"
    ) in problem.reason
    for day in WEEKEND_STATUTORY_2027:
        assert day not in problem.reason


# --------------------------------------------------------------------------- F03


def _host_calendar(holidays: list[str], workdays: list[str] = MAKEUP_2027, **kw: Any) -> Any:
    return _quiet(
        calendar_from_holidays,
        "CN",
        tz="Asia/Shanghai",
        years=(2024, 2040),
        extra_holidays=_dates(holidays),
        extra_workdays=_dates(workdays),
        covered_years=(2027,),
        **kw,
    )


@pytest.mark.procedure("DL-1")
def test_a_host_covering_a_year_without_its_statutory_days_is_refused() -> None:
    """The s54R1 review's host hook: 2027 typed up to the Spring Festival and handed
    in with ``covered_years=(2027,)``.  National Day would be worked and the reply
    to a complaint of Thu 30 September due three days early: refused, naming
    ``extra_holidays``, the dates left out and their names."""
    first_lines = [d for d in NOTICE_2027 if d < "2027-02-13"]
    with pytest.raises(InvalidInputError) as err:
        _host_calendar(first_lines)
    assert err.value.path == "extra_holidays"
    assert (
        "leaves out 4 of the statutory holidays (法定节假日) the holiday source names for"
        " 2027 of covered_years: 2027-04-05 (Tomb-Sweeping Day), 2027-06-09 (Dragon Boat"
        " Festival), 2027-09-15 (Mid-Autumn Festival), 2027-10-01 (National Day);"
    ) in err.value.reason


@pytest.mark.procedure("DL-1")
def test_a_host_covering_the_whole_notice_gets_its_calendar() -> None:
    """Procedures §7 (DL-1, 3 working days, the day of receipt not counted): the
    whole notice typed in, a complaint of Thu 30 September 10:00 is due after Fri 8,
    Mon 11 and Tue 12 October: Tue 12 October 18:00.  A statutory day the host works
    on purpose (``extra_workdays``) is not left out either."""
    calendar = _host_calendar(NOTICE_2027)
    assert 2027 not in calendar.uncovered_years
    received = datetime(2027, 9, 30, 10, 0, tzinfo=SH)
    assert calendar.add_days(received, 3) == datetime(2027, 10, 12, 18, 0, tzinfo=SH)
    rest = [d for d in NOTICE_2027 if d != "2027-10-01"]
    worked = _host_calendar(rest, [*MAKEUP_2027, "2027-10-01"])
    assert worked.is_working_day(date(2027, 10, 1))


# --------------------------------------------------------------------------- F04, F06


def _refusing_desk(**calendar: Any) -> Any:
    from complaintcore.adapters.memory_store import MemoryStore
    from complaintcore.adapters.staff import load_sample_staff
    from complaintcore.desk import Desk

    data = to_dict(load_pack("cn-property"))
    data["calendar"] = {**data["calendar"], "uncovered_years": "refuse", **calendar}
    pack = load_pack_data(data, "test")
    return Desk(
        pack=pack,
        store=MemoryStore(),
        directory=load_sample_staff(pack=pack),
        calendar=_quiet(calendar_for_spec, pack.calendar),
    )


@pytest.mark.procedure("DL-1")
def test_the_chinese_calendar_end_error_names_the_clock_by_its_label() -> None:
    """A refusing desk on Wed 30 December 2026: the department's result needs three
    working days past 2026.  The Chinese refusal names the clock as the pack labels
    it, like every other translated reason, not by its code."""
    from tests.helpers import intake

    desk = _refusing_desk()
    late = datetime(2026, 12, 30, 10, 0, tzinfo=SH)
    with pytest.raises(NoWorkingTimeError) as err:
        desk.receive(intake(received_at=late, receiver="SR-102"), now=late)
    zh = translator("zh").error(err.value, desk.pack)
    assert zh.startswith("时限“部门处理结果转客服部”：2026-12-30 之后不足 3 个工作日")
    assert "department_result" not in zh


@pytest.mark.procedure("DL-7")
def test_a_sweep_past_last_year_names_the_refused_years_and_both_fixes() -> None:
    """last_year 2027, 2027 refused (the source only guesses it): the table ends in
    2026.  A sweep in 2028 needs 2027 typed in and last_year raised: both said."""
    desk = _refusing_desk(last_year=2027)
    with pytest.raises(InvalidInputError) as err:
        desk.sweep(datetime(2028, 1, 3, 9, 0, tzinfo=SH))
    assert err.value.path == "now"
    assert err.value.reason == (
        "outside the calendar's years (2024-2026 in Asia/Shanghai; 2027 refused: the holiday"
        " source has no make-up-day (调休) data there and the rule pack refuses such"
        " deadlines); the calendar ends on 2026-12-31 until 2027's days are typed into"
        " [[calendar.by_year]] of the rule pack and its [calendar] last_year extended to 2028"
    )
    assert translator("zh").error(err.value) == (
        "now：不在日历的年份内（2024-2026 年，Asia/Shanghai 时区；2027 年被拒绝："
        "节假日数据源没有这些年份的调休数据，规则包拒绝计算延伸到其中的时限）；"
        "在规则包的 [[calendar.by_year]] 填入 2027 年的放假安排、并将 [calendar] 的"
        " last_year 延长至 2028 之前，日历止于 2026-12-31"
    )


# --------------------------------------------------------------------------- F05


def test_a_cache_file_with_an_ordinal_too_large_for_a_date_is_asked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(calendars.CACHE_ENV, str(tmp_path))
    build = (calendar_from_holidays, "CN")
    first = _quiet(*build, tz="Asia/Shanghai", years=(2024, 2030))
    (path,) = tmp_path.glob("holidays-CN-*.json")
    for key in ("hols", "statutory"):
        data = json.loads(path.read_text(encoding="utf-8"))
        data[key].insert(0, 10**20 if key == "hols" else [10**20, "National Day"])
        path.write_text(json.dumps(data), encoding="utf-8")
        assert _quiet(*build, tz="Asia/Shanghai", years=(2024, 2030)) == first
        assert 10**20 not in json.loads(path.read_text(encoding="utf-8"))["hols"]
