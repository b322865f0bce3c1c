"""WorkingCalendar: known cases, laws and DST (pure: no `holidays`, no wall clock).

China's 2025 schedule is written out by hand below (State Council notice for
2025): the core must not depend on the holiday package.
"""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from complaintcore.core.calendar import DEFAULT_WINDOWS, Window, WorkingCalendar
from complaintcore.core.errors import (
    CalendarError,
    InvalidInputError,
    NaiveDatetimeError,
    NoWorkingTimeError,
)

SH = ZoneInfo("Asia/Shanghai")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
H = timedelta(hours=1)


def _days(first: date, n: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(n)]


# 2025 public holidays (the full holiday blocks, weekends included) and 调休 make-up days.
CN_2025_HOLIDAYS = [
    date(2025, 1, 1),
    *_days(date(2025, 1, 28), 8),  # Spring Festival 01-28 .. 02-04
    *_days(date(2025, 4, 4), 3),  # Qingming 04-04 .. 04-06
    *_days(date(2025, 5, 1), 5),  # Labour Day 05-01 .. 05-05
    *_days(date(2025, 5, 31), 3),  # Dragon Boat 05-31 .. 06-02
    *_days(date(2025, 10, 1), 8),  # National Day + Mid-Autumn 10-01 .. 10-08
]
CN_2025_WORKDAYS = [
    date(2025, 1, 26),
    date(2025, 2, 8),
    date(2025, 4, 27),
    date(2025, 9, 28),
    date(2025, 10, 11),
]

CN = WorkingCalendar.monday_to_friday(
    tz="Asia/Shanghai", years=(2024, 2026), holidays=CN_2025_HOLIDAYS, workdays=CN_2025_WORKDAYS
)

# Windows at 00:30-02:30 span London's gap (2025-03-30 01:00 GMT -> 02:00 BST)
# and overlap (2025-10-26 02:00 BST -> 01:00 GMT); 09-17 is an ordinary day.
LDN = WorkingCalendar.build(
    tz="Europe/London",
    weekly={d: [("00:30", "02:30"), ("09:00", "17:00")] for d in range(7)},
    years=(2025, 2025),
)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


def ldn(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=LONDON, fold=fold)  # type: ignore[misc]


def elapsed(a: datetime, b: datetime) -> timedelta:
    return b.astimezone(UTC) - a.astimezone(UTC)


def u(t: datetime) -> datetime:
    """Compare instants in UTC: same-zone comparisons use wall time and ignore fold."""
    return t.astimezone(UTC)


# --------------------------------------------------------------------------- known cases


def test_cn_makeup_days_are_working_days() -> None:
    assert CN.is_working_day(date(2025, 9, 28))  # Sunday
    assert CN.is_working_day(date(2025, 10, 11))  # Saturday
    for d in _days(date(2025, 10, 1), 8):
        assert not CN.is_working_day(d), d
    assert CN.is_working_day(date(2025, 10, 9))
    assert not CN.is_working_day(date(2025, 10, 12))  # ordinary Sunday


def test_makeup_day_uses_monday_windows() -> None:
    got = CN.intervals_on(date(2025, 9, 28))
    assert got == (
        (sh(2025, 9, 28, 9), sh(2025, 9, 28, 12)),
        (sh(2025, 9, 28, 13), sh(2025, 9, 28, 18)),
    )


def test_table_matches_the_rules_for_every_day_of_2025() -> None:
    """Oracle: the intervals of each date follow the documented precedence."""
    hols, works = set(CN_2025_HOLIDAYS), set(CN_2025_WORKDAYS)
    for d in _days(date(2025, 1, 1), 365):
        working = d in works or (d.weekday() < 5 and d not in hols)
        expected = (
            tuple(
                (datetime.combine(d, time(a), SH), datetime.combine(d, time(b), SH))
                for a, b in ((9, 12), (13, 18))
            )
            if working
            else ()
        )
        assert CN.intervals_on(d) == expected, d
        assert CN.is_working_day(d) is working


@pytest.mark.procedure("DL-4")
def test_friday_evening_six_working_hours_with_lunch_break() -> None:
    # 2025-11-14 is an ordinary Friday, 2025-11-17 an ordinary Monday.
    # 17:30-18:00 (0.5 h) + 09:00-12:00 (3 h) + 13:00-15:30 (2.5 h) = 6 h.
    assert CN.add(sh(2025, 11, 14, 17, 30), 6 * H) == sh(2025, 11, 17, 15, 30)
    # With an 08:00 opening the same clock is due at 14:30: 0.5 + 4 + 1.5 h.
    early = WorkingCalendar.monday_to_friday(
        tz=SH, years=(2025, 2025), windows=[("08:00", "12:00"), ("13:00", "18:00")]
    )
    assert early.add(sh(2025, 11, 14, 17, 30), 6 * H) == sh(2025, 11, 17, 14, 30)


@pytest.mark.procedure("DL-4")
def test_result_lands_on_closing_time_when_the_duration_ends_there() -> None:
    assert CN.add(sh(2025, 11, 14, 9), 8 * H) == sh(2025, 11, 14, 18)
    assert CN.add(sh(2025, 11, 14, 9), 3 * H) == sh(2025, 11, 14, 12)
    assert CN.add(sh(2025, 11, 14, 9), 8 * H + timedelta(microseconds=1)) == sh(
        2025, 11, 17, 9, 0, 0, 1
    )


def test_start_outside_working_hours_counts_from_next_opening() -> None:
    assert CN.add(sh(2025, 11, 14, 12, 30), H) == sh(2025, 11, 14, 14)
    assert CN.add(sh(2025, 11, 15, 3), H) == sh(2025, 11, 17, 10)  # Saturday night
    assert CN.add(sh(2025, 9, 30, 18), 2 * H) == sh(2025, 10, 9, 11)  # into the holiday
    # zero duration: the next opening itself (never before the start)
    assert CN.add(sh(2025, 11, 14, 18), timedelta(0)) == sh(2025, 11, 17, 9)
    assert CN.add(sh(2025, 11, 14, 10), timedelta(0)) == sh(2025, 11, 14, 10)


@pytest.mark.procedure("DL-1")
def test_add_days_three_working_days() -> None:
    # Received on an ordinary Friday, or on the Saturday after it: due Wednesday 18:00.
    assert CN.add_days(sh(2025, 11, 14, 10), 3) == sh(2025, 11, 19, 18)
    assert CN.add_days(sh(2025, 11, 15, 10), 3) == sh(2025, 11, 19, 18)
    # The day of receipt never counts, even before opening time.
    assert CN.add_days(sh(2025, 11, 14, 0, 5), 3) == sh(2025, 11, 19, 18)
    # Across National Day: 10-09 (Thu), 10-10 (Fri), 10-11 (make-up Saturday).
    assert CN.add_days(sh(2025, 9, 30, 10), 3) == sh(2025, 10, 11, 18)
    assert CN.working_day_after(date(2025, 9, 30), 3) == date(2025, 10, 11)
    assert CN.working_day_after(date(2025, 10, 3), 0) == date(2025, 10, 9)
    assert CN.working_day_after(date(2025, 10, 9), 0) == date(2025, 10, 9)


@pytest.mark.procedure("DL-2")
def test_same_day_is_closing_time_of_the_day_or_the_next_working_day() -> None:
    assert CN.end_of_working_day(sh(2025, 11, 14, 10)) == sh(2025, 11, 14, 18)
    assert CN.end_of_working_day(sh(2025, 11, 15, 10)) == sh(2025, 11, 17, 18)
    assert CN.end_of_working_day(sh(2025, 10, 1, 10)) == sh(2025, 10, 9, 18)
    # By date only: after closing on a working day it is still that day's closing time.
    assert CN.end_of_working_day(sh(2025, 11, 14, 20)) == sh(2025, 11, 14, 18)
    assert CN.add_days(sh(2025, 11, 14, 20), 0) == sh(2025, 11, 14, 18)


@pytest.mark.procedure("DL-7")
def test_between_counts_working_time_only_and_is_signed() -> None:
    assert CN.between(sh(2025, 11, 14, 11), sh(2025, 11, 14, 14)) == 2 * H
    assert CN.between(sh(2025, 11, 14, 17), sh(2025, 11, 17, 10)) == 2 * H
    assert CN.between(sh(2025, 9, 30, 17), sh(2025, 10, 9, 10)) == 2 * H
    assert CN.between(sh(2025, 11, 14, 14), sh(2025, 11, 14, 11)) == -2 * H
    assert CN.between(sh(2025, 11, 15), sh(2025, 11, 16)) == timedelta(0)


def test_next_open_and_is_open() -> None:
    assert CN.next_open(sh(2025, 11, 14, 10)) == sh(2025, 11, 14, 10)
    assert CN.next_open(sh(2025, 11, 14, 12, 30)) == sh(2025, 11, 14, 13)
    assert CN.next_open(sh(2025, 9, 30, 18)) == sh(2025, 10, 9, 9)
    assert CN.is_open(sh(2025, 11, 14, 9))
    assert not CN.is_open(sh(2025, 11, 14, 12))  # closing time is closed
    assert CN.is_open(sh(2025, 11, 14, 11, 59, 59, 999_999))
    assert not CN.is_open(sh(2025, 10, 3, 10))


def test_microseconds_are_exact() -> None:
    t = sh(2025, 11, 14, 11, 59, 59, 999_999)
    assert CN.add(t, timedelta(microseconds=1)) == sh(2025, 11, 14, 12)
    assert CN.add(t, timedelta(microseconds=2)) == sh(2025, 11, 14, 13, 0, 0, 1)
    assert CN.between(t, sh(2025, 11, 14, 13, 0, 0, 1)) == timedelta(microseconds=2)
    # a closed start drops its microseconds: counting starts at the opening
    assert CN.add(sh(2025, 11, 14, 12, 0, 0, 5), timedelta(seconds=1)) == sh(2025, 11, 14, 13, 0, 1)


def test_results_are_in_the_calendar_zone_whatever_the_input_zone() -> None:
    t = datetime(2025, 11, 14, 9, 30, tzinfo=UTC)  # 17:30 in Shanghai
    got = CN.add(t, 6 * H)
    assert got.tzinfo is SH
    assert got == sh(2025, 11, 17, 15, 30)
    assert CN.add_days(t, 3).tzinfo is SH
    assert CN.next_open(t).tzinfo is SH


@pytest.mark.procedure("DL-3")
def test_add_elapsed_is_wall_clock_in_utc() -> None:
    t = sh(2025, 9, 30, 17)
    assert CN.add_elapsed(t, 24 * H) == sh(2025, 10, 1, 17)  # holidays do not matter
    assert CN.add_elapsed(t, 24 * H).tzinfo is SH


def test_windows_until_midnight_and_adjacent_days_merge() -> None:
    always = WorkingCalendar.build(
        tz=SH, weekly={d: [("00:00", "24:00")] for d in range(7)}, years=(2025, 2025)
    )
    t = sh(2025, 3, 1, 23)
    assert always.add(t, 2 * H) == sh(2025, 3, 2, 1)
    assert always.between(sh(2025, 3, 1), sh(2025, 3, 8)) == timedelta(days=7)
    assert always.add_days(t, 1) == sh(2025, 3, 3)  # closes at midnight ending 03-02


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda t: CN.add(t, H), "start"),
        (lambda t: CN.add_days(t, 3), "start"),
        (lambda t: CN.end_of_working_day(t), "t"),
        (lambda t: CN.between(t, sh(2025, 1, 2)), "a"),
        (lambda t: CN.between(sh(2025, 1, 2), t), "b"),
        (lambda t: CN.next_open(t), "t"),
        (lambda t: CN.is_open(t), "t"),
        (lambda t: CN.add_elapsed(t, H), "start"),
    ],
)
def test_naive_datetimes_are_refused_naming_the_argument(call, name) -> None:  # type: ignore[no-untyped-def]
    naive = datetime(2025, 11, 14, 10)
    with pytest.raises(NaiveDatetimeError) as info:
        call(naive)
    assert info.value.path == name


def test_bad_arguments_name_the_argument() -> None:
    t = sh(2025, 11, 14, 10)
    with pytest.raises(InvalidInputError, match="duration") as info:
        CN.add(t, -H)
    assert info.value.path == "duration"
    with pytest.raises(InvalidInputError) as info:
        CN.add(t, 6)  # type: ignore[arg-type]
    assert info.value.path == "duration"
    with pytest.raises(InvalidInputError) as info:
        CN.add_days(t, -1)
    assert info.value.path == "n"
    with pytest.raises(InvalidInputError) as info:
        CN.add_days(t, 1.5)  # type: ignore[arg-type]
    assert info.value.path == "n"
    with pytest.raises(InvalidInputError) as info:
        CN.add(date(2025, 11, 14), H)  # type: ignore[arg-type]
    assert info.value.path == "start"
    with pytest.raises(InvalidInputError) as info:
        CN.is_working_day(t)
    assert info.value.path == "d"


def test_outside_the_table_or_past_its_working_time_raises() -> None:
    with pytest.raises(NoWorkingTimeError):
        CN.add(sh(2023, 12, 31, 10), H)
    with pytest.raises(NoWorkingTimeError):
        CN.add(sh(2027, 1, 4, 10), H)
    with pytest.raises(NoWorkingTimeError):
        CN.add(sh(2026, 12, 31, 17), 2 * H)  # would need 2027
    with pytest.raises(NoWorkingTimeError):
        CN.add_days(sh(2026, 12, 30, 10), 2)
    with pytest.raises(NoWorkingTimeError):
        CN.next_open(sh(2026, 12, 31, 18))
    with pytest.raises(NoWorkingTimeError):
        CN.is_working_day(date(2027, 1, 4))
    with pytest.raises(NoWorkingTimeError):
        CN.between(sh(2023, 12, 31), sh(2024, 1, 2))
    # the last closing time itself is still inside
    assert CN.add(sh(2026, 12, 31, 17), H) == sh(2026, 12, 31, 18)


def test_calendars_without_working_time_are_refused() -> None:
    with pytest.raises(NoWorkingTimeError):
        WorkingCalendar.build(tz=SH, weekly={}, years=(2025, 2025))
    with pytest.raises(NoWorkingTimeError):
        WorkingCalendar.build(tz=SH, weekly={0: [], 6: ()}, years=(2025, 2025))
    mondays = [d for d in _days(date(2025, 1, 1), 365) if d.weekday() == 0]
    with pytest.raises(NoWorkingTimeError):
        WorkingCalendar.build(
            tz=SH, weekly={0: DEFAULT_WINDOWS}, holidays=mondays, years=(2025, 2025)
        )
    assert issubclass(NoWorkingTimeError, CalendarError)


def test_a_calendar_with_one_working_day_never_returns_the_start() -> None:
    one = WorkingCalendar.build(
        tz=SH, weekly={}, overrides={date(2025, 6, 2): [("09:00", "10:00")]}, years=(2025, 2025)
    )
    assert one.add(sh(2025, 1, 1), 30 * timedelta(minutes=1)) == sh(2025, 6, 2, 9, 30)
    for start in (sh(2025, 6, 2, 10), sh(2025, 6, 2, 9, 30)):
        with pytest.raises(NoWorkingTimeError):
            one.add(start, H)
    with pytest.raises(NoWorkingTimeError):
        one.add_days(sh(2025, 6, 2, 8), 1)


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"weekly": {0: [("09:00", "12:00"), ("11:00", "13:00")]}}, "weekly[0]"),
        ({"weekly": {0: [("12:00", "09:00")]}}, "weekly[0][0]"),
        ({"weekly": {0: [("09:00", "09:00")]}}, "weekly[0][0]"),
        ({"weekly": {0: [("9am", "12:00")]}}, "weekly[0][0].start"),
        ({"weekly": {0: [("24:00", "24:00")]}}, "weekly[0][0].start"),
        ({"weekly": {0: [("09:00", "25:00")]}}, "weekly[0][0].end"),
        ({"weekly": {0: [(time(9, tzinfo=UTC), "12:00")]}}, "weekly[0][0].start"),
        ({"weekly": {7: [("09:00", "12:00")]}}, "weekly[7]"),
        ({"weekly": {0: "09:00-12:00"}}, "weekly[0]"),
        ({"weekly": [("09:00", "12:00")]}, "weekly"),
        ({"tz": "Mars/Olympus"}, "tz"),
        ({"years": (2026, 2025)}, "years"),
        ({"years": (2025,)}, "years"),
        ({"holidays": [date(2030, 1, 1)]}, "holidays[2030-01-01]"),
        ({"holidays": [datetime(2025, 1, 1, tzinfo=UTC)]}, "holidays"),
        ({"holidays": [date(2025, 1, 4)], "workdays": [date(2025, 1, 4)]}, "workdays[2025-01-04]"),
        ({"workdays": [date(2025, 1, 4)], "weekly": {1: DEFAULT_WINDOWS}}, "workdays[2025-01-04]"),
        ({"overrides": {date(2025, 1, 4): [("18:00", "17:00")]}}, "overrides[2025-01-04][0]"),
        ({"makeup_weekday": 9}, "makeup_weekday"),
    ],
)
def test_construction_validates_and_names_the_field(kwargs, path) -> None:  # type: ignore[no-untyped-def]
    args = {"tz": SH, "weekly": {0: DEFAULT_WINDOWS}, "years": (2025, 2025)} | kwargs
    with pytest.raises(InvalidInputError) as info:
        WorkingCalendar.build(**args)
    assert info.value.path == path


def test_windows_accept_times_strings_and_window_objects() -> None:
    a = WorkingCalendar.build(tz=SH, weekly={0: [(time(9), time(12))]}, years=(2025, 2025))
    b = WorkingCalendar.build(
        tz="Asia/Shanghai", weekly={0: [("09:00:00", "12:00")]}, years=(2025, 2025)
    )
    c = WorkingCalendar.build(
        tz=SH, weekly={0: [Window.parse("09:00", "12:00")]}, years=(2025, 2025)
    )
    assert a == b == c
    assert hash(a) == hash(b)
    assert str(Window.parse("09:00", "24:00")) == "09:00-24:00"


def test_calendars_are_immutable_and_picklable() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        CN.tz = UTC  # type: ignore[misc]
    copy = pickle.loads(pickle.dumps(CN))
    assert copy == CN
    assert copy.add(sh(2025, 11, 14, 17, 30), 6 * H) == sh(2025, 11, 17, 15, 30)
    assert "Asia/Shanghai" in repr(CN)


# --------------------------------------------------------------------------- DST (Europe/London)


def test_dst_gap_day_has_one_hour_in_the_night_window() -> None:
    (night, day) = LDN.intervals_on(date(2025, 3, 30))
    assert night == (ldn(2025, 3, 30, 0, 30), ldn(2025, 3, 30, 2, 30))
    assert elapsed(*night) == H
    assert elapsed(*day) == 8 * H
    assert LDN.between(ldn(2025, 3, 30), ldn(2025, 3, 31)) == 9 * H
    assert LDN.between(ldn(2025, 3, 29), ldn(2025, 3, 30)) == 10 * H
    # 00:45 GMT + 30 min of work = 01:15 UTC = 02:15 BST
    assert LDN.add(ldn(2025, 3, 30, 0, 45), 30 * timedelta(minutes=1)) == ldn(2025, 3, 30, 2, 15)


def test_dst_overlap_day_has_three_hours_in_the_night_window() -> None:
    (night, _) = LDN.intervals_on(date(2025, 10, 26))
    assert night == (ldn(2025, 10, 26, 0, 30), ldn(2025, 10, 26, 2, 30))
    assert elapsed(*night) == 3 * H
    assert LDN.between(ldn(2025, 10, 26), ldn(2025, 10, 27)) == 11 * H
    # 01:30 happens twice; both are open, an hour apart in working time
    first, second = ldn(2025, 10, 26, 1, 30), ldn(2025, 10, 26, 1, 30, fold=1)
    assert LDN.is_open(first)
    assert LDN.is_open(second)
    assert LDN.between(first, second) == H
    got = LDN.add(first, H)
    assert got.fold == 1
    assert elapsed(first, got) == H


def test_window_edges_in_the_gap_or_overlap_are_read_with_fold_0() -> None:
    weekly = {d: [("01:30", "03:00")] for d in range(7)}
    cal = WorkingCalendar.build(tz=LONDON, weekly=weekly, years=(2025, 2025))
    # 01:30 does not exist on 03-30: read with the old offset, i.e. 02:30 BST.
    assert cal.intervals_on(date(2025, 3, 30)) == ((ldn(2025, 3, 30, 2, 30), ldn(2025, 3, 30, 3)),)
    # 01:30 happens twice on 10-26: the first (BST) occurrence opens.
    ((op, cl),) = cal.intervals_on(date(2025, 10, 26))
    assert op == ldn(2025, 10, 26, 1, 30)
    assert op.fold == 0
    assert elapsed(op, cl) == timedelta(hours=2, minutes=30)
    # A window that comes out empty is dropped and the day is not a working day.
    empty = WorkingCalendar.build(
        tz=LONDON, weekly={d: [("01:30", "02:15")] for d in range(7)}, years=(2025, 2025)
    )
    assert empty.intervals_on(date(2025, 3, 30)) == ()
    assert not empty.is_working_day(date(2025, 3, 30))


@pytest.mark.procedure("DL-3")
def test_add_elapsed_24h_across_dst_is_86400_seconds() -> None:
    spring = ldn(2025, 3, 29, 12)
    got = LDN.add_elapsed(spring, 24 * H)
    assert got == ldn(2025, 3, 30, 13)  # the local clock jumped an hour
    assert elapsed(spring, got) == timedelta(seconds=86_400)
    autumn = ldn(2025, 10, 25, 12)
    got = LDN.add_elapsed(autumn, 24 * H)
    assert got == ldn(2025, 10, 26, 11)
    assert elapsed(autumn, got) == timedelta(seconds=86_400)
    # outside the table's years it still works (no table involved)
    assert LDN.add_elapsed(ldn(2030, 1, 1), H) == ldn(2030, 1, 1, 1)


# --------------------------------------------------------------------------- laws

ZONES = st.sampled_from([SH, UTC, LONDON, NEW_YORK])
CN_INSTANTS = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2026, 9, 30), timezones=ZONES
)
LDN_INSTANTS = st.one_of(
    st.datetimes(min_value=datetime(2025, 3, 27), max_value=datetime(2025, 4, 2), timezones=ZONES),
    st.datetimes(
        min_value=datetime(2025, 10, 23), max_value=datetime(2025, 10, 29), timezones=ZONES
    ),
)
DURATIONS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=300))
SHORT = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=40))
CASES = st.one_of(
    st.tuples(st.just(CN), CN_INSTANTS, DURATIONS),
    st.tuples(st.just(LDN), LDN_INSTANTS, SHORT),
)


@pytest.mark.procedure("DL-4")
@given(CASES)
def test_law_between_of_add_is_the_duration(
    case: tuple[WorkingCalendar, datetime, timedelta],
) -> None:
    cal, s, d = case
    end = cal.add(s, d)
    assert cal.between(s, end) == d
    assert cal.between(cal.next_open(s), end) == d
    assert u(end) >= u(s)
    assert end.tzinfo is cal.tz


@given(CASES, SHORT)
def test_law_add_is_monotone_in_the_duration(
    case: tuple[WorkingCalendar, datetime, timedelta], e: timedelta
) -> None:
    cal, s, d = case
    assert u(cal.add(s, d)) <= u(cal.add(s, d + e))
    if e:
        assert u(cal.add(s, d)) < u(cal.add(s, d + e))


@given(CASES, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)))
def test_law_add_is_monotone_in_the_start(
    case: tuple[WorkingCalendar, datetime, timedelta], shift: timedelta
) -> None:
    cal, s, d = case
    later = (s.astimezone(UTC) + shift).astimezone(s.tzinfo)
    assert u(cal.add(s, d)) <= u(cal.add(later, d))


@given(st.one_of(st.tuples(st.just(CN), CN_INSTANTS), st.tuples(st.just(LDN), LDN_INSTANTS)))
def test_law_next_open_is_open_and_not_before(case: tuple[WorkingCalendar, datetime]) -> None:
    cal, t = case
    o = cal.next_open(t)
    assert u(o) >= u(t)
    assert cal.is_open(o)
    assert cal.is_open(t) == (u(o) == u(t))
    assert cal.between(t, o) == timedelta(0)


@pytest.mark.procedure("DL-1")
@given(CN_INSTANTS, st.integers(min_value=0, max_value=20))
def test_law_add_days_lands_on_the_close_of_a_working_day(t: datetime, n: int) -> None:
    got = CN.add_days(t, n)
    day = got.date()
    assert CN.is_working_day(day)
    assert got == CN.intervals_on(day)[-1][1]
    local = t.astimezone(SH).date()
    assert CN.working_day_after(local, n) == day
    if n:
        assert day > local
        working_between = [
            d for d in _days(local + timedelta(days=1), (day - local).days) if CN.is_working_day(d)
        ]
        assert len(working_between) == n
    else:
        assert got == CN.end_of_working_day(t)


@given(CASES, st.timedeltas(min_value=-timedelta(days=4), max_value=timedelta(days=4)))
def test_law_between_is_additive_and_antisymmetric(
    case: tuple[WorkingCalendar, datetime, timedelta], shift: timedelta
) -> None:
    cal, a, d = case
    b = (a.astimezone(UTC) + shift).astimezone(UTC)
    c = (a.astimezone(UTC) + d).astimezone(LONDON)
    assume(cal.years[0] <= b.year <= cal.years[1] and cal.years[0] <= c.year <= cal.years[1])
    assert cal.between(a, b) == -cal.between(b, a)
    assert cal.between(a, b) + cal.between(b, c) == cal.between(a, c)


@given(CASES)
def test_law_between_matches_a_day_by_day_oracle(
    case: tuple[WorkingCalendar, datetime, timedelta],
) -> None:
    cal, a, d = case
    d = min(d, timedelta(days=5))
    b = a.astimezone(UTC) + d
    assume(b.year <= cal.years[1])
    total = timedelta(0)
    first = a.astimezone(cal.tz).date() - timedelta(days=1)
    for day in _days(first, (b.astimezone(cal.tz).date() - first).days + 2):
        if not cal.years[0] <= day.year <= cal.years[1]:
            continue
        for op, cl in cal.intervals_on(day):
            lo, hi = max(u(op), u(a)), min(u(cl), b)
            if lo < hi:
                total += elapsed(lo, hi)
    assert cal.between(a, b) == total


@given(CASES)
def test_law_the_input_zone_does_not_matter(
    case: tuple[WorkingCalendar, datetime, timedelta],
) -> None:
    cal, s, d = case
    answers = {
        (u(cal.add(z, d)), cal.is_open(z), u(cal.next_open(z)), u(cal.add_days(z, 2)))
        for z in (
            s,
            s.astimezone(UTC),
            s.astimezone(SH),
            s.astimezone(LONDON),
            s.astimezone(NEW_YORK),
        )
    }
    assert len(answers) == 1
