"""Years whose make-up days (调休) the holiday source lacks: said once, and the pack decides.

China's arrangement for a year is announced late in the year before, so any
installed ``holidays`` lacks the years after its release.  The far-future years
below (2088-2090) are unknown to every release, which keeps these tests true
as the package is updated.
"""

from __future__ import annotations

import warnings
from datetime import date, datetime, timedelta
from typing import Any

import attrs
import pytest

from complaintcore import HolidayDataWarning
from complaintcore.adapters.calendars import (
    calendar_for_spec,
    calendar_from_holidays,
    calendar_problems,
    makeup_day_years,
)
from complaintcore.core.calendar import WorkingCalendar
from complaintcore.core.deadlines import compute_clocks
from complaintcore.core.errors import (
    CalendarError,
    InvalidInputError,
    NoWorkingTimeError,
    RulePackError,
)
from complaintcore.core.rulepack import CalendarSpec, UncoveredYears, YearDays
from complaintcore.core.workflow import Register, decide, evolve, new_complaint
from complaintcore.rules import load_pack
from complaintcore.rules.loader import load_pack_data
from complaintcore.serialization import to_dict
from complaintcore.testing import make_desk
from tests.helpers import SH, STATUTORY_2027, STATUTORY_2088, intake

FAR = CalendarSpec(first_year=2088, last_year=2090)


def test_the_installed_package_knows_china_up_to_2026() -> None:
    # pyproject's floor (holidays>=0.85) is the first release with 2026's 调休.
    assert makeup_day_years("CN", (2024, 2026)) == ()
    missing = makeup_day_years("CN", (2024, 2030))
    assert missing == tuple(range(missing[0], 2031)) if missing else True
    assert makeup_day_years("CN", (2088, 2090)) == (2088, 2089, 2090)


def test_a_country_without_make_up_days_lacks_none() -> None:
    assert makeup_day_years("GB", (2024, 2090)) == ()
    assert makeup_day_years("US", (2088, 2090)) == ()


def test_a_calendar_past_the_data_says_so_once_naming_the_years() -> None:
    spec = attrs.evolve(FAR, holidays=(date(2088, 3, 1),))  # a spec of its own: not cached yet
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cal = calendar_for_spec(spec)
        assert calendar_for_spec(spec) is cal
    said = [w for w in caught if issubclass(w.category, HolidayDataWarning)]
    assert len(said) == 1
    text = str(said[0].message)
    assert "2088-2090" in text
    assert "调休" in text
    assert "days off" in text  # what it means for deadlines
    assert "\n" not in text
    assert cal.uncovered_years == {2088, 2089, 2090}
    assert cal.years == (2088, 2090)  # computed anyway: the default is "warn"


def test_warn_computes_deadlines_in_uncovered_years() -> None:
    with pytest.warns(HolidayDataWarning, match="2088-2090"):
        cal = calendar_from_holidays("CN", tz="Asia/Shanghai", years=(2088, 2090))
    start = datetime(2089, 6, 1, 10, tzinfo=SH)  # a Wednesday
    assert cal.add_days(start, 3) == datetime(2089, 6, 6, 18, tzinfo=SH)
    assert cal.coverage_warning().startswith("the holiday source has no make-up-day")


def test_refuse_ends_the_calendar_before_the_first_uncovered_year() -> None:
    with pytest.warns(HolidayDataWarning, match="refused"):
        cal = calendar_from_holidays(
            "CN",
            tz="Asia/Shanghai",
            years=(2088, 2090),
            covered_years=[2088],
            uncovered="refuse",
            extra_holidays=[date.fromisoformat(d) for d in STATUTORY_2088],  # review s54R10 F03
        )
    assert cal.years == (2088, 2088)
    assert cal.uncovered_years == {2089, 2090}
    assert cal.add_days(datetime(2088, 6, 1, 10, tzinfo=SH), 3).year == 2088
    with pytest.raises(NoWorkingTimeError) as err:
        cal.add_days(datetime(2088, 12, 29, 10, tzinfo=SH), 5)
    assert "2089-2090 refused" in str(err.value)
    assert isinstance(err.value, CalendarError)


def test_refuse_with_no_covered_year_is_an_error_at_once() -> None:
    with pytest.raises(CalendarError, match="any year of 2088-2090"):
        calendar_from_holidays("CN", tz="Asia/Shanghai", years=(2088, 2090), uncovered="refuse")


def _pack(**calendar: Any) -> Any:
    data = to_dict(load_pack("cn-property"))
    data["calendar"] = {**data["calendar"], **calendar}
    return load_pack_data(data, "test")


def test_a_year_typed_in_by_hand_is_covered_and_its_days_count() -> None:
    pack = _pack(
        first_year=2088,
        last_year=2090,
        by_year=[
            {"year": 2088, "holidays": ["2088-01-05", *STATUTORY_2088], "workdays": ["2088-01-10"]}
        ],
    )
    assert pack.calendar.by_year[0].workdays == (date(2088, 1, 10),)
    assert date(2088, 1, 5) in pack.calendar.by_year[0].holidays
    with pytest.warns(HolidayDataWarning, match="2089-2090") as said:
        cal = calendar_for_spec(pack.calendar)
    assert "2088" not in str(said[0].message).replace("2089-2090", "")
    assert cal.uncovered_years == {2089, 2090}
    assert not cal.is_working_day(date(2088, 1, 5))  # a Monday, off by hand
    assert cal.is_working_day(date(2088, 1, 10))  # a Saturday, worked by hand


@pytest.mark.procedure("DL-1")
def test_a_refusing_pack_refuses_a_clock_that_reaches_an_uncovered_year() -> None:
    pack = _pack(
        first_year=2088,
        last_year=2090,
        by_year=[{"year": 2088, "holidays": ["2088-01-05", *STATUTORY_2088]}],
        uncovered_years="refuse",
    )
    assert pack.calendar.uncovered_years is UncoveredYears.REFUSE
    with pytest.warns(HolidayDataWarning):
        cal = calendar_for_spec(pack.calendar)
    early = datetime(2088, 6, 1, 10, tzinfo=SH)
    c = new_complaint("C-1", intake(received_at=early))
    c = evolve(c, decide(c, Register(actor="s-front"), pack, early))
    assert compute_clocks(c, pack, cal, early + timedelta(hours=1))  # all within 2088
    late = datetime(2088, 12, 29, 10, tzinfo=SH)
    c = new_complaint("C-2", intake(received_at=late))
    c = evolve(c, decide(c, Register(actor="s-front"), pack, late))
    with pytest.raises(CalendarError, match="2089-2090 refused") as refused:
        compute_clocks(c, pack, cal, late + timedelta(hours=1))
    # what to do: type 2089 in (its last_year, 2090, is no remedy)
    assert "until 2089's days are typed into [[calendar.by_year]]" in str(refused.value)
    assert "last_year" not in str(refused.value)


@pytest.mark.procedure("DL-1")
def test_a_refusing_desk_in_its_last_year_names_by_year_not_last_year() -> None:
    """With "refuse" the table ends where the data ends: in that year the desk says
    to type the next year in, never to raise ``last_year`` (which changes nothing)."""
    pack = _pack(
        first_year=2088,
        last_year=2090,
        by_year=[{"year": 2088, "holidays": ["2088-01-05", *STATUTORY_2088]}],
        uncovered_years="refuse",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HolidayDataWarning)  # said once per calendar
        desk = make_desk_on(pack)
    notes = desk.calendar_warnings_at(datetime(2088, 12, 1, 10, tzinfo=SH))
    assert notes
    assert all("last_year" not in n for n in notes)
    assert any("[[calendar.by_year]]" in n and "2089-2090" in n for n in notes)


def make_desk_on(pack: Any) -> Any:
    from complaintcore.adapters.memory_store import MemoryStore
    from complaintcore.adapters.staff import load_sample_staff
    from complaintcore.desk import Desk

    return Desk(
        pack=pack,
        store=MemoryStore(),
        directory=load_sample_staff(pack=pack),
        calendar=calendar_for_spec(pack.calendar),
    )


def test_the_uncovered_years_warning_reads_in_chinese() -> None:
    """docs/i18n.md: everything the command line says comes from the catalogs; the
    warning a Chinese desk sees from November to the State Council's notice too."""
    from complaintcore.i18n import translator

    with pytest.warns(HolidayDataWarning):
        guessed = calendar_from_holidays("CN", tz="Asia/Shanghai", years=(2088, 2090))
    with pytest.warns(HolidayDataWarning):
        refused = calendar_from_holidays(
            "CN", tz="Asia/Shanghai", years=(2088, 2090), covered_years=[2088],
            uncovered="refuse",
            extra_holidays=[date(2088, 1, 5), *map(date.fromisoformat, STATUTORY_2088)],
        )  # fmt: skip
    # a host's table may guess some years and refuse later ones: one sentence still
    both = WorkingCalendar.build(
        tz="Asia/Shanghai",
        weekly=dict.fromkeys(range(5), (("09:00", "18:00"),)),
        years=(2088, 2089),
        uncovered_years=[2089, 2090],
    )
    zh = translator("zh")
    shown = zh.reason(f"calendar: {both.coverage_warning()}")
    assert "2089" in shown
    assert "2090" in shown
    assert "deadlines" not in shown  # no English left in the middle
    for cal in (guessed, refused):
        shown = zh.reason(f"calendar: {cal.coverage_warning()}")
        assert shown.startswith("日历：")
        assert "调休" in shown
        assert "2090" in shown
        assert "holiday source" not in shown  # no English left
        assert "[[calendar.by_year]]" in shown


def test_the_desk_keeps_the_warning_for_show_and_sweep() -> None:
    desk = make_desk()
    expected = makeup_day_years("CN", (2024, 2030))
    if expected:
        (text,) = desk.calendar_warnings
        assert text.startswith("calendar: the holiday source has no make-up-day (调休) data")
        assert str(expected[0]) in text
    else:
        assert desk.calendar_warnings == ()
    service = make_desk(pack="cn-service-centre", staff=())  # no holidays: nothing to lack
    assert service.calendar_warnings == ()


def test_the_shipped_cn_packs_warn_rather_than_refuse() -> None:
    for name in ("cn-property", "cn-sales-office", "cn-service-centre"):
        assert load_pack(name).calendar.uncovered_years is UncoveredYears.WARN


@pytest.mark.parametrize(
    ("by_year", "path"),
    [
        ([{"year": 2023}], "calendar.by_year[0].year"),
        ([{"year": 2027, "holidays": ["2028-01-01"]}], "calendar.by_year[0].holidays[0]"),
        ([{"year": 2027}, {"year": 2027}], "calendar.by_year[1].year"),
        (
            [{"year": 2027, "holidays": ["2027-02-06"], "workdays": ["2027-02-06"]}],
            "calendar.by_year[0].workdays[0]",
        ),
        ([{"year": 2027, "days": []}], "calendar.by_year[0].days"),
        # review s25M: a year with no days silenced the warning; a make-up day on a
        # Monday (meant: Saturday 2027-02-20) changed nothing and was lost
        ([{"year": 2027}], "calendar.by_year[0]"),
        ([{"year": 2027, "workdays": ["2027-02-22"]}], "calendar.by_year[0].workdays[0]"),
    ],
)
def test_bad_by_year_entries_name_their_path(by_year: list[dict[str, Any]], path: str) -> None:
    with pytest.raises(RulePackError) as err:
        _pack(by_year=by_year)
    assert path in err.value.paths


def test_an_unknown_policy_is_refused() -> None:
    with pytest.raises(RulePackError) as err:
        _pack(uncovered_years="ignore")
    assert err.value.paths == ("calendar.uncovered_years",)


def test_a_make_up_day_typed_on_a_public_holiday_is_refused() -> None:
    """正月初一 2027 (Saturday 6 February) is a statutory day off; typed in as a make-up
    working day it made Spring Festival's first day a working day and brought every
    deadline across it a day early, without a word (review s25M F01)."""
    pack = _pack(
        by_year=[
            {
                "year": 2027,
                "holidays": [d for d in STATUTORY_2027 if d != "2027-02-06"],
                "workdays": ["2027-02-06"],
            }
        ]
    )
    assert "public holiday" in _refused_at(pack, "calendar.by_year[0].workdays[0]").reason
    weekend = _pack(
        by_year=[{"year": 2027, "holidays": [*STATUTORY_2027], "workdays": ["2027-02-20"]}]
    )
    assert calendar_problems(weekend.calendar) == []


@pytest.mark.procedure("DL-1")
def test_a_year_typed_in_replaces_the_sources_guess_of_it() -> None:
    """For a year whose arrangement is not announced, the holiday source guesses:
    the statutory days and "observed" weekdays after one on a weekend (for 2088: Mon
    5 April after Qingming on Sunday 4 April).  The notice typed in is the law: a
    weekday it does not give off is worked (review s30B F01: the typed notice was
    silently overruled).  Received Fri 2 April 2088 10:00, the reply's three working
    days are Mon 5, Tue 6 and Wed 7 April: due Wed 7 April 18:00, not Thu 8."""
    notice = _pack(
        first_year=2088,
        last_year=2090,
        by_year=[{"year": 2088, "holidays": [*STATUTORY_2088]}],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HolidayDataWarning)  # 2089-2090 are not typed in
        calendar = calendar_for_spec(notice.calendar)
        desk = make_desk_on(notice)
    assert calendar.is_working_day(date(2088, 4, 5))
    assert calendar.is_working_day(date(2088, 1, 27))  # guessed off for Spring Festival
    assert not calendar.is_working_day(date(2088, 4, 4))  # typed in (a Sunday anyway)
    assert not calendar.is_working_day(date(2088, 1, 1))  # typed in
    received = datetime(2088, 4, 2, 10, 0, tzinfo=SH)
    cid = desk.receive(intake(received_at=received, receiver="SR-103"), now=received).id
    (reply,) = [c for c in desk.clocks(cid, received) if c.name == "reply"]
    assert reply.due == datetime(2088, 4, 7, 18, 0, tzinfo=SH)


def test_a_year_the_source_knows_keeps_its_days_under_a_typed_one() -> None:
    """A year the holiday source has announced data for (its make-up days) is not
    a guess: days typed in for it add to the source's."""
    spec = attrs.evolve(
        CalendarSpec(first_year=2025, last_year=2026),
        by_year=(YearDays(2025, holidays=(date(2025, 3, 3),)),),
    )
    calendar = calendar_for_spec(spec)
    assert not calendar.is_working_day(date(2025, 3, 3))  # typed in
    assert not calendar.is_working_day(date(2025, 10, 1))  # National Day, from the source
    assert calendar.is_working_day(date(2025, 9, 28))  # a Sunday worked (调休), from the source


def test_a_guessed_year_typed_in_without_days_off_is_refused() -> None:
    """The typed year replaces the guess: typed with its make-up days alone, it would
    have no holidays at all, and every deadline across them would come days early."""
    pack = _pack(
        first_year=2088, last_year=2090, by_year=[{"year": 2088, "workdays": ["2088-01-31"]}]
    )
    assert "replaces the guess" in _refused_at(pack, "calendar.by_year[0].holidays").reason


def _refused_at(pack: Any, path: str) -> InvalidInputError:
    """The one problem ``packs validate`` names, and the desk's refusal of the calendar."""
    assert [p.path for p in calendar_problems(pack.calendar)] == [path]
    with pytest.raises(InvalidInputError) as err:
        calendar_for_spec(pack.calendar)
    assert err.value.path == path
    return err.value


@pytest.mark.procedure("DL-1")
def test_a_covered_year_typed_in_with_make_up_days_alone_adds_them() -> None:
    """2026 is covered by the installed ``holidays`` (its 调休 announced): an entry
    for it listing only an extra make-up working day, Sat 7 March 2026 (a weekend
    day, no public holiday), is accepted and adds to the source's days
    (docs/rule-packs.md: "by_year adds to the source's days and takes none away");
    only a year the source guesses must list its days off.  It was refused as if
    2026 were guessed (review s32G F07).  Received Fri 6 March 2026 10:00, the
    reply's three working days are Sat 7, Mon 9 and Tue 10 March: due Tue 10 March
    18:00, not Wed 11; National Day (Thu 1 October 2026) stays off."""
    pack = _pack(by_year=[{"year": 2026, "workdays": ["2026-03-07"]}])
    assert calendar_problems(pack.calendar) == []
    calendar = calendar_for_spec(pack.calendar)
    assert calendar.is_working_day(date(2026, 3, 7))  # typed in
    assert not calendar.is_working_day(date(2026, 3, 8))  # the Sunday after it
    assert not calendar.is_working_day(date(2026, 10, 1))  # the source's
    desk = make_desk_on(pack)
    received = datetime(2026, 3, 6, 10, 0, tzinfo=SH)
    cid = desk.receive(intake(received_at=received, receiver="SR-103"), now=received).id
    (reply,) = [c for c in desk.clocks(cid, received) if c.name == "reply"]
    assert reply.due == datetime(2026, 3, 10, 18, 0, tzinfo=SH)
