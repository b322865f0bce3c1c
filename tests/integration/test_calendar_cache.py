"""The holiday tables a calendar is built from are cached between runs (issue 10):
a desk opens without importing ``holidays``, and the calendar is the same."""

from __future__ import annotations

import warnings
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from complaintcore.adapters import calendars
from complaintcore.adapters.calendars import calendar_from_holidays
from complaintcore.core.errors import HolidayDataWarning


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv(calendars.CACHE_ENV, str(where))
    return where


def build(years: tuple[int, int] = (2024, 2026)) -> calendars.WorkingCalendar:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HolidayDataWarning)
        return calendar_from_holidays("CN", tz="Asia/Shanghai", years=years)


def refuse_to_ask(*args: object) -> calendars._SourceDays:
    raise AssertionError("holidays was asked although the answer was cached")


def test_a_second_build_reads_the_cache_and_gives_the_same_calendar(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = build()
    assert len(list(cache.glob("holidays-CN-*.json"))) == 1
    monkeypatch.setattr(calendars, "_ask_holidays", refuse_to_ask)
    again = build()
    assert again == first
    assert again.holidays == first.holidays
    assert again.workdays == first.workdays
    start = datetime(2025, 9, 26, 17, tzinfo=ZoneInfo("Asia/Shanghai"))  # before 调休 Sunday
    assert again.add_days(start, 3) == first.add_days(start, 3)


def test_the_coverage_warning_is_the_same_from_the_cache(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.warns(HolidayDataWarning) as fresh:
        calendar_from_holidays("CN", tz="Asia/Shanghai", years=(2024, 2030))
    monkeypatch.setattr(calendars, "_ask_holidays", refuse_to_ask)
    with pytest.warns(HolidayDataWarning) as cached:
        calendar_from_holidays("CN", tz="Asia/Shanghai", years=(2024, 2030))
    assert [str(w.message) for w in cached] == [str(w.message) for w in fresh]


def test_a_damaged_cache_file_is_asked_again_and_rewritten(cache: Path) -> None:
    first = build()
    (path,) = cache.glob("holidays-CN-*.json")
    path.write_text("{not json", encoding="utf-8")
    assert build() == first
    assert path.read_text(encoding="utf-8").startswith("{")
    assert build() == first


def test_another_holidays_version_is_another_file(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build()
    monkeypatch.setattr(calendars, "_holidays_version", lambda: "999.0")
    build()
    assert len(list(cache.glob("holidays-CN-*.json"))) == 2


def test_an_empty_setting_turns_the_cache_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(calendars.CACHE_ENV, "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert calendars.cache_dir() is None
    build()
    assert not (tmp_path / "xdg").exists()


def test_an_unwritable_cache_is_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv(calendars.CACHE_ENV, str(blocker / "cache"))  # under a plain file
    assert build() == build()


def test_the_default_place_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(calendars.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert calendars.cache_dir() == tmp_path / "complaintcore"
