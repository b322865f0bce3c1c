"""A pack author's slips the loader refuses, each naming its key path (review s26G).

Every pack here is written the way docs/rule-packs.md "Writing your own pack"
says, with one slip in it; the expected figures are worked by hand from the
pack's own calendar (09:00-17:30, Monday to Friday: 8.5 h a day, 42.5 h a week).
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from complaintcore import (
    AccessDeniedError,
    Assign,
    Complainant,
    Intake,
    Register,
    calendar_for_spec,
    compute_clocks,
    decide,
    evolve,
    new_complaint,
)
from complaintcore.core.errors import (
    ComplaintCoreError,
    InvalidInputError,
    NoWorkingTimeError,
    RulePackError,
)
from complaintcore.core.escalation import required_rung_index
from complaintcore.core.grading import add_months
from complaintcore.core.models import TargetPerson
from complaintcore.core.rulepack import BarAction, Duration, TargetHandler, TimeBar
from complaintcore.core.stages import limit_end, time_barred
from complaintcore.rules import load_pack_data, load_pack_text

LONDON = ZoneInfo("Europe/London")

PACK = """
name = "acme"
title_zh = "艾克美"
title_en = "Acme"
default_category = "general"
customer_service = "front_office"
head_office_unit = ""
phone_regions = ["GB"]

[[ladder]]
code = "officer"
zh = "专员"
en = "officer"

[[ladder]]
code = "supervisor"
zh = "主管"
en = "supervisor"

[[ladder]]
code = "director"
zh = "总监"
en = "director"

[[departments]]
code = "front_office"
zh = "前台"
en = "front office"

[[categories]]
code = "general"
zh = "一般"
en = "general"
cause = "software"
department = "front_office"

[[clocks]]
name = "reply"
zh = "答复"
en = "reply"
start = ["registered"]
stop = ["replied:final"]
mode = "working_days"
duration = "3d"

[calendar]
country = ""
timezone = "Europe/London"
windows = [["09:00", "17:30"]]
"""


def _data(**changes: Any) -> dict[str, Any]:
    """The pack as parsed TOML, with top-level tables or clock keys changed."""
    data = tomllib.loads(PACK)
    clock = changes.pop("clock", {})
    data["clocks"][0].update(clock)
    calendar = changes.pop("calendar", {})
    data["calendar"].update(calendar)
    data.update(changes)
    return data


def _problems(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(RulePackError) as info:
        load_pack_data(data, "acme.toml")
    assert info.value.source == "acme.toml"
    return {p.path: p.reason for p in info.value.problems}


def test_the_base_pack_is_valid() -> None:
    assert load_pack_data(_data(), "acme.toml").name == "acme"


# --------------------------------------------------------------------------- F01


@pytest.mark.parametrize("key", ["holidays", "workdays"])
def test_a_calendar_date_outside_the_years_is_refused_at_load(key: str) -> None:
    """docs/calendar.md: dates outside ``years`` are refused, not ignored; the pack's
    key names it, before ``init`` writes a desk that could register nothing."""
    kept = date(2025, 12, 25) if key == "holidays" else date(2025, 12, 27)  # a Saturday
    found = _problems(_data(calendar={key: [date(2023, 12, 25), kept]}))
    assert found == {f"calendar.{key}[0]": "outside the calendar's years 2024-2040"}


def test_a_date_in_the_last_year_or_with_moved_years_is_kept() -> None:
    load_pack_data(_data(calendar={"holidays": [date(2040, 12, 25)]}), "acme.toml")
    moved = {"holidays": [date(2023, 12, 25)], "first_year": 2023, "last_year": 2030}
    load_pack_data(_data(calendar=moved), "acme.toml")
    found = _problems(_data(calendar={"holidays": [date(2041, 1, 1)]}))
    assert found == {"calendar.holidays[0]": "outside the calendar's years 2024-2040"}


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("DL-7")
def test_working_time_is_measured_as_the_calendar_time_it_takes() -> None:
    """800d of working time is 800 x 24 = 19,200 working hours: at 42.5 h a week,
    451.8 weeks or about 8.7 years, past the five-year limit though 800 days is not."""
    found = _problems(_data(clock={"mode": "working_time", "duration": "800d"}))
    assert found == {
        "clocks[0].duration": "19200 working hours take about 8.7 years of this calendar"
        " (42.5 working hours a week): no deadline is longer than five years"
    }


@pytest.mark.procedure("DL-7")
@pytest.mark.parametrize(
    ("mode", "fits", "too_long"),
    [
        # five years = 1830 days = 1830/7 weeks; 42.5 h x 1830 / 7 = 11,110.7 h
        ("working_time", "11110h", "11111h"),
        # 5 working days x 1830 / 7 = 1307.1 working days
        ("working_days", "1307d", "1308d"),
    ],
)
def test_the_five_year_limit_in_calendar_time(mode: str, fits: str, too_long: str) -> None:
    load_pack_data(_data(clock={"mode": mode, "duration": fits}), "acme.toml")
    found = _problems(_data(clock={"mode": mode, "duration": too_long}))
    assert "no deadline is longer than five years" in found["clocks[0].duration"]


@pytest.mark.procedure("DL-7")
def test_a_working_day_clock_longer_than_the_calendars_years_is_refused() -> None:
    """A calendar of 2025 alone has 53 weeks at most, 265 working days: 300 cannot fit."""
    one_year = {"first_year": 2025, "last_year": 2025}
    found = _problems(_data(clock={"duration": "300d"}, calendar=one_year))
    assert found == {
        "clocks[0].duration": "300 working days are more than the calendar's years 2025-2025"
        " hold (5 working days a week): raise calendar.last_year"
    }
    load_pack_data(_data(clock={"duration": "3d"}, calendar=one_year), "acme.toml")


@pytest.mark.procedure("DL-7")
def test_a_duty_too_long_for_the_calendar_is_refused() -> None:
    duty = {
        "name": "call_back",
        "zh": "回电",
        "en": "call back",
        "start": ["registered"],
        "stop": ["called_back"],
        "mode": "working_time",
        "duration": "12000h",
        "owner_handler": True,
    }
    found = _problems(_data(duties=[duty]))
    # 12000 h / 42.5 h = 282.4 weeks = 1976.5 days: about 5.4 years
    assert found == {
        "duties[0].duration": "12000 working hours take about 5.4 years of this calendar"
        " (42.5 working hours a week): no deadline is longer than five years"
    }


@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("IN-2")
def test_a_deadline_past_the_calendars_end_names_the_clock_and_the_end() -> None:
    """Received on Friday 28 December 2040, a 3-working-day reply needs 31 December
    and two days of 2041: the refusal says which clock and where the calendar ends."""
    pack = load_pack_text(PACK, "acme.toml")
    received = datetime(2040, 12, 28, 10, 0, tzinfo=LONDON)
    c = new_complaint("C-1", _intake(received))
    c = evolve(c, decide(c, Register(actor="FO-1"), pack, received))
    with pytest.raises(NoWorkingTimeError) as info:
        compute_clocks(c, pack, calendar_for_spec(pack.calendar), received)
    message = str(info.value)
    assert message.startswith("clock reply: ")
    assert message.endswith(
        "; the calendar ends on 2040-12-31 (calendar.last_year of the rule pack)"
    )
    assert "Dana" not in message
    assert "07700" not in message


# --------------------------------------------------------------------------- F03


@pytest.mark.parametrize(
    ("after", "reason"),
    [
        ("99999mo", "longer than five years (60 months): no time limit is that long"),
        ("1831d", "longer than five years (1830 days): no time limit is that long"),
    ],
)
def test_a_huge_time_bar_is_refused_at_load(after: str, reason: str) -> None:
    found = _problems(_data(time_bar={"after": after, "action": "flag"}))
    assert found == {"time_bar.after": reason}
    load_pack_data(_data(time_bar={"after": "60mo", "action": "flag"}), "acme.toml")


def test_a_huge_request_limit_is_refused_at_load() -> None:
    stages = [
        {"code": "stage_1", "zh": "第一阶段", "en": "stage 1"},
        {
            "code": "stage_2",
            "zh": "第二阶段",
            "en": "stage 2",
            "request_limit": {"after_response": "2mo", "after_event": "9999999d"},
        },
    ]
    found = _problems(_data(stages=stages))
    assert found == {
        "stages[1].request_limit.after_event": "longer than five years (1830 days):"
        " no time limit is that long"
    }


def test_date_arithmetic_past_the_year_9999_is_a_library_error() -> None:
    """2020-01 plus 99,999 months is the year 10353 (hand count: 2020 + 8333 years and
    3 months); no bare ValueError or OverflowError reaches a caller."""
    with pytest.raises(InvalidInputError) as info:
        add_months(date(2020, 1, 1), 99_999)
    assert info.value.path == "months"
    assert "past the year 9999" in info.value.reason
    start = datetime(2020, 1, 1, 10, 0, tzinfo=LONDON)
    for length in (Duration(months=99_999), Duration(days=9_999_999), Duration(days=10**10)):
        with pytest.raises(InvalidInputError) as info:
            limit_end(start, length, LONDON, "time_bar.after")
        assert info.value.path == "time_bar.after"
        assert isinstance(info.value, ComplaintCoreError)


def test_a_pack_built_in_code_with_a_huge_time_bar_refuses_intake_by_its_path() -> None:
    """A pack a plugin builds in code skips the loader: intake still raises a library
    error naming the limit (one line at the command line, never a traceback)."""
    pack = load_pack_text(PACK, "acme.toml")
    pack = attrs.evolve(pack, time_bar=TimeBar(Duration(months=99_999), BarAction.FLAG))
    received = datetime(2025, 3, 3, 10, 0, tzinfo=LONDON)
    intake = _intake(received, occurred=datetime(2020, 1, 1, 10, 0, tzinfo=LONDON))
    with pytest.raises(InvalidInputError) as info:
        time_barred(intake, pack)
    assert info.value.path == "time_bar.after"
    c = new_complaint("C-1", intake)
    with pytest.raises(InvalidInputError):
        decide(c, Register(actor="FO-1"), pack, received)


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("ESC-4")
def test_a_target_handler_below_the_top_rung_is_refused() -> None:
    slip = [{"rung": "director", "handler_rung": "officer"}]
    found = _problems(_data(target_handlers=slip))
    assert found == {
        "target_handlers[0].handler_rung": "is below the rung of the person complained"
        " about (ESC-4)"
    }
    top = [{"rung": "director", "handler_rung": "director"}]  # nothing is above the top
    load_pack_data(_data(target_handlers=top), "acme.toml")
    level = [{"rung": "officer", "handler_rung": "officer"}]
    assert (
        "must be above"
        in _problems(_data(target_handlers=level))["target_handlers[0].handler_rung"]
    )


@pytest.mark.procedure("ESC-4")
def test_a_pack_built_in_code_cannot_lower_the_floor_below_the_person() -> None:
    """A pack the loader never saw still keeps a complaint about the director at the
    top rung: the entry naming the officer is no lower floor."""
    pack = load_pack_text(PACK, "acme.toml")
    pack = attrs.evolve(pack, target_handlers=(TargetHandler("director", "officer"),))
    received = datetime(2025, 3, 3, 10, 0, tzinfo=LONDON)
    c = new_complaint("C-1", _intake(received, target=TargetPerson("DIR-1", "director")))
    c = evolve(c, decide(c, Register(actor="FO-1"), pack, received))
    assert required_rung_index(c, pack) == 2  # director, the top rung
    with pytest.raises(AccessDeniedError, match="below director"):
        decide(c, Assign(actor="FO-1", handler="OFF-9", rung="officer"), pack, received)
    # an entry above the one-rung default still raises the floor
    raised = attrs.evolve(pack, target_handlers=(TargetHandler("officer", "director"),))
    about_officer = new_complaint("C-2", _intake(received, target=TargetPerson("OFF-1", "officer")))
    assert required_rung_index(about_officer, raised) == 2


# --------------------------------------------------------------------------- F05


def test_a_reference_without_a_parameters_table_is_an_unknown_parameter() -> None:
    """Clocks copied from iso-10002 without its [[parameters]] table."""
    found = _problems(_data(clock={"zh": "${reply_label}", "duration": "${respond}"}))
    assert found == {
        "clocks[0].zh": "unknown parameter 'reply_label'",
        "clocks[0].duration": "unknown parameter 'respond'",
    }


# --------------------------------------------------------------------------- F08


PAUSABLE = {"mode": "working_time", "duration": "2h", "pausable": True}


@pytest.mark.procedure("DL-8")
@pytest.mark.procedure("DL-7")
def test_a_resume_tag_that_also_pauses_is_refused() -> None:
    found = _problems(_data(clock={**PAUSABLE, "pause": ["paused"], "resume": ["paused"]}))
    assert found == {
        "clocks[0].resume[0]": "'paused' is also a pause tag: once paused the clock would"
        " never run again (DL-8)"
    }


@pytest.mark.procedure("DL-8")
@pytest.mark.parametrize("key", ["pause", "resume"])
def test_a_pause_or_resume_tag_that_stops_the_clock_is_refused(key: str) -> None:
    tags = {"pause": ["paused"], "resume": ["resumed"], key: ["replied:final"]}
    found = _problems(_data(clock={**PAUSABLE, **tags}))
    assert list(found) == [f"clocks[0].{key}[0]"]
    assert found[f"clocks[0].{key}[0]"].startswith("'replied:final' is also a stop tag: ")


@pytest.mark.procedure("DL-8")
def test_a_duty_whose_resume_tag_pauses_is_refused() -> None:
    duty = {
        "name": "call_back",
        "zh": "回电",
        "en": "call back",
        "start": ["registered"],
        "stop": ["called_back"],
        "mode": "working_time",
        "duration": "4h",
        "owner_handler": True,
        "pausable": True,
        "pause": ["paused"],
        "resume": ["paused", "resumed"],
    }
    assert list(_problems(_data(duties=[duty]))) == ["duties[0].resume[0]"]


def test_a_clock_that_is_not_pausable_ignores_its_pause_tags() -> None:
    still = {"pausable": False, "pause": ["paused"], "resume": ["paused"]}
    load_pack_data(_data(clock=still), "acme.toml")


# --------------------------------------------------------------------------- helpers


def _intake(
    received: datetime,
    occurred: datetime | None = None,
    target: TargetPerson | None = None,
) -> Intake:
    return Intake(
        complainant=Complainant("Dana Resident", "07700 900123", "Flat 4", site="elm"),
        channel="phone",
        received_at=received,
        receiver="FO-1",
        summary="Bins not collected",
        site="elm",
        occurred_at=occurred,
        target=target,
    )


# --------------------------------------------------------------------------- s42B F03


HUGE = ("1000000000d", "9999999999999999999999999d", "99999999999999999999999m")
"""Lengths no ``timedelta`` holds: refused by key like any length over five years."""


@pytest.mark.parametrize("huge", HUGE)
@pytest.mark.parametrize("key", ["window", "matter_window"])
def test_a_huge_repeat_window_is_refused_by_its_key(key: str, huge: str) -> None:
    found = _problems(_data(repeats={key: huge}))
    assert found == {f"repeats.{key}": "longer than five years"}


@pytest.mark.parametrize("huge", HUGE)
@pytest.mark.parametrize("key", ["window", "group_window"])
def test_a_huge_concentration_window_is_refused_by_its_key(key: str, huge: str) -> None:
    windows = {"window": "72h", "group_window": "24h", key: huge}
    found = _problems(_data(concentration={**windows, "min_complainants": 3}))
    assert found == {f"concentration.{key}": "longer than five years"}


def test_a_huge_extension_cap_is_refused_by_its_key() -> None:
    found = _problems(_data(clock={"extension": {"cap": "1000000000d"}}))
    assert set(found) == {"clocks[0].extension.cap"}
    assert "longer than five years" in found["clocks[0].extension.cap"]
    load_pack_data(_data(clock={"extension": {"cap": "5d"}}), "acme.toml")


# --------------------------------------------------------------------------- s43C F04


def _urgent(category: dict[str, Any]) -> dict[str, Any]:
    return {**category, "urgent": True}


@pytest.mark.procedure("HDL-6")
def test_an_urgent_category_without_a_group_report_rung_is_refused_by_its_key() -> None:
    """docs/rule-packs.md: an urgent category is reported to ``group_report_rung`` at
    once (HDL-6); with none, "urgent" would do nothing, so the pack is refused as a
    group incident without one is."""
    data = _data()
    data["categories"] = [_urgent(data["categories"][0])]
    assert _problems(data) == {"categories[0].urgent": "needs group_report_rung (HDL-6)"}
    data["group_report_rung"] = "supervisor"
    assert load_pack_data(data, "acme.toml").categories[0].urgent
