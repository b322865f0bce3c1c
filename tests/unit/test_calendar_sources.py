"""Calendars built from the `holidays` package (adapters.calendars)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from complaintcore.adapters.calendars import calendar_from_holidays
from complaintcore.core.errors import CalendarError, InvalidInputError

holidays = pytest.importorskip("holidays")

SH = ZoneInfo("Asia/Shanghai")


def _every_day(first: int, last: int) -> list[date]:
    d, out = date(first, 1, 1), []
    while d.year <= last:
        out.append(d)
        d += timedelta(days=1)
    return out


@pytest.fixture(scope="module")
def cn() -> object:
    return calendar_from_holidays("CN", tz="Asia/Shanghai", years=(2024, 2026))


@pytest.mark.procedure("DL-1")
def test_cn_agrees_with_holidays_china_on_every_date_2024_2026(cn) -> None:  # type: ignore[no-untyped-def]
    oracle = holidays.China(years=range(2024, 2027))
    disagreements = [
        d for d in _every_day(2024, 2026) if cn.is_working_day(d) != oracle.is_working_day(d)
    ]
    assert disagreements == []
    assert len(cn.workdays) >= 15  # the 调休 make-up days are there, not just holidays


def test_cn_known_2025_days(cn) -> None:  # type: ignore[no-untyped-def]
    assert cn.is_working_day(date(2025, 9, 28))  # Sunday, make-up day
    assert cn.is_working_day(date(2025, 10, 11))  # Saturday, make-up day
    for day in range(1, 9):
        assert not cn.is_working_day(date(2025, 10, day))
    due = cn.add_days(datetime(2025, 9, 30, 10, tzinfo=SH), 3)
    assert due == datetime(2025, 10, 11, 18, tzinfo=SH)


@pytest.mark.parametrize("country", ["CN", "GB-ENG", "GB-SCT", "US", "JP", "SA", "IL"])
def test_default_weekly_agrees_with_holidays_is_working_day(country: str) -> None:
    cal = calendar_from_holidays(country, tz="UTC", years=(2025, 2025))
    code, _, sub = country.partition("-")
    oracle = holidays.country_holidays(code, subdiv=sub or None, years=range(2024, 2027))
    assert [
        d for d in _every_day(2025, 2025) if cal.is_working_day(d) != oracle.is_working_day(d)
    ] == []


def test_gb_subdivisions() -> None:
    eng = calendar_from_holidays("GB-ENG", tz="Europe/London", years=(2025, 2025))
    sct = calendar_from_holidays("GB", subdiv="SCT", tz="Europe/London", years=(2025, 2025))
    assert not eng.is_working_day(date(2025, 8, 25))  # Late Summer Bank Holiday (England)
    assert sct.is_working_day(date(2025, 8, 25))
    assert not sct.is_working_day(date(2025, 8, 4))  # Summer Bank Holiday (Scotland)
    assert eng.is_working_day(date(2025, 8, 4))
    assert not eng.is_working_day(date(2025, 12, 25))
    assert eng == calendar_from_holidays("GB", subdiv="ENG", tz="Europe/London", years=(2025, 2025))


def test_unknown_country_or_subdivision_is_a_calendar_error() -> None:
    with pytest.raises(CalendarError, match="'XX'"):
        calendar_from_holidays("XX", tz="UTC", years=(2025, 2025))
    with pytest.raises(CalendarError, match="'GB-XYZ'"):
        calendar_from_holidays("GB-XYZ", tz="UTC", years=(2025, 2025))
    with pytest.raises(CalendarError):
        calendar_from_holidays("CN", tz="UTC", years=(2025, 2025), categories=("nonsense",))
    with pytest.raises(InvalidInputError) as info:
        calendar_from_holidays("GB-ENG", subdiv="SCT", tz="UTC", years=(2025, 2025))
    assert info.value.path == "subdiv"


def test_explicit_lists_and_overrides_win() -> None:
    cal = calendar_from_holidays(
        "CN",
        tz=SH,
        years=(2025, 2025),
        extra_holidays=[date(2025, 11, 14), date(2025, 9, 28)],  # an ordinary Friday; a make-up day
        extra_workdays=[date(2025, 10, 8), date(2025, 11, 15)],  # a holiday; an ordinary Saturday
        overrides={date(2025, 11, 17): [("09:00", "10:00")], date(2025, 10, 11): []},
    )
    assert not cal.is_working_day(date(2025, 11, 14))
    assert not cal.is_working_day(date(2025, 9, 28))
    assert cal.is_working_day(date(2025, 10, 8))
    assert cal.is_working_day(date(2025, 11, 15))
    assert cal.intervals_on(date(2025, 11, 15))[0][0] == datetime(2025, 11, 15, 9, tzinfo=SH)
    assert not cal.is_working_day(date(2025, 10, 11))
    ((op, cl),) = cal.intervals_on(date(2025, 11, 17))
    assert (op.hour, cl.hour) == (9, 10)


def test_custom_weekly_still_takes_holidays_and_makeup_days() -> None:
    six_days = {d: [("08:30", "17:30")] for d in range(6)}  # Monday to Saturday
    cal = calendar_from_holidays("CN", tz=SH, years=(2026, 2026), weekly=six_days)
    assert cal.is_working_day(date(2026, 3, 7))  # an ordinary Saturday
    assert not cal.is_working_day(date(2026, 10, 3))  # Saturday in National Day
    assert cal.is_working_day(date(2026, 10, 10))  # make-up Saturday
    assert not cal.is_working_day(date(2026, 3, 8))  # Sunday


def test_bad_arguments_name_the_field() -> None:
    with pytest.raises(InvalidInputError) as info:
        calendar_from_holidays("CN", tz=SH, years=(2025, 2025), extra_holidays=[date(2030, 1, 1)])
    assert info.value.path == "extra_holidays[2030-01-01]"
    with pytest.raises(InvalidInputError) as info:
        calendar_from_holidays(
            "CN",
            tz=SH,
            years=(2025, 2025),
            extra_holidays=[date(2025, 3, 3)],
            extra_workdays=[date(2025, 3, 3)],
        )
    assert info.value.path == "extra_workdays[2025-03-03]"
    with pytest.raises(InvalidInputError) as info:
        calendar_from_holidays("", tz=SH, years=(2025, 2025))
    assert info.value.path == "country"
    with pytest.raises(InvalidInputError) as info:
        calendar_from_holidays("CN", tz=SH, years=2025)  # type: ignore[arg-type]
    assert info.value.path == "years"


def test_importing_the_adapter_does_not_import_holidays() -> None:
    code = (
        "import sys, complaintcore.core.calendar, complaintcore.adapters.calendars; "
        "print('holidays' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


HK_GENERAL_HOLIDAYS_EASTER_2025 = (date(2025, 4, 18), date(2025, 4, 19), date(2025, 4, 21))
"""Good Friday, the day following it and Easter Monday: Hong Kong general holidays
(General Holidays Ordinance, Cap. 149), not statutory (labour) holidays."""


@pytest.mark.procedure("DL-1")
def test_a_pack_chooses_the_sources_holiday_lists() -> None:
    """A Hong Kong office closes on the general holidays: with ``categories =
    ["public", "optional"]`` one working day from Thursday 17 April 2025 is
    Tuesday 22 April (18, 19, 21 April are general holidays, 20 April a
    Sunday); with the statutory list alone it would be Good Friday."""
    from complaintcore.adapters.calendars import calendar_for_spec, calendar_problems
    from complaintcore.core.rulepack import CalendarSpec

    hk = ZoneInfo("Asia/Hong_Kong")
    general = CalendarSpec(
        country="HK", timezone="Asia/Hong_Kong", categories=("public", "optional")
    )
    statutory = CalendarSpec(country="HK", timezone="Asia/Hong_Kong")
    received = datetime(2025, 4, 17, 10, 0, tzinfo=hk)
    cal = calendar_for_spec(general)
    assert cal.add_days(received, 1).date() == date(2025, 4, 22)
    assert not any(cal.is_working_day(d) for d in HK_GENERAL_HOLIDAYS_EASTER_2025)
    assert calendar_for_spec(statutory).add_days(received, 1).date() == date(2025, 4, 18)
    assert calendar_problems(general) == []
    (problem,) = calendar_problems(CalendarSpec(categories=("public", "optional")))
    assert problem.path == "calendar.categories[1]"
    assert "'optional'" in problem.reason
