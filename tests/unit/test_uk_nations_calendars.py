"""A UK calendar names its nation (review s26A F04).

``GB`` is the United Kingdom's ISO 3166 code, but the UK keeps no bank-holiday
list of its own: England and Wales, Scotland and Northern Ireland each have
theirs, and ``holidays`` answers ``GB`` with only the days all share (no Easter
Monday, no August holiday, no 2 January, no St Andrew's Day). A pack or a
``--param country=GB`` is refused, naming the key and the nations' codes.

Hand computation for the positive case (gov.uk bank holidays 2025, England and
Wales: Monday 25 August is the summer bank holiday): iso-10002's ``respond`` is
10 working days, the day of receipt not counted, window 13:00-18:00 on the
pack's weekdays. Received Thursday 21 August 2025 10:00 BST, the working days are
22, 26, 27, 28, 29 August, 1, 2, 3, 4, 5 September: due Friday 5 September 18:00.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from complaintcore import load_pack
from complaintcore.adapters.calendars import calendar_for_spec, calendar_from_holidays
from complaintcore.core.errors import InvalidInputError, RulePackError

pytest.importorskip("holidays")

LONDON = ZoneInfo("Europe/London")
NATIONS = "GB-ENG, GB-WLS, GB-SCT or GB-NIR"


@pytest.mark.procedure("DL-1")
@pytest.mark.parametrize("country", ["GB", "UK"])
def test_a_pack_parameter_for_the_whole_uk_is_refused_naming_the_nations(country: str) -> None:
    with pytest.raises(RulePackError) as info:
        load_pack("iso-10002", parameters={"country": country, "timezone": "Europe/London"})
    found = {p.path: p.reason for p in info.value.problems}
    assert list(found) == ["calendar.country"]
    assert NATIONS in found["calendar.country"]
    assert "bank holidays" in found["calendar.country"]


@pytest.mark.procedure("DL-1")
def test_a_calendar_for_the_whole_uk_is_refused_one_for_a_nation_is_built() -> None:
    with pytest.raises(InvalidInputError) as info:
        calendar_from_holidays("GB", tz=LONDON, years=(2025, 2025))
    assert info.value.path == "country"
    assert NATIONS in str(info.value)
    scotland = calendar_from_holidays("GB", subdiv="SCT", tz=LONDON, years=(2025, 2025))
    assert not scotland.is_working_day(date(2025, 12, 1))  # St Andrew's Day, substitute
    assert not scotland.is_working_day(date(2025, 1, 2))


@pytest.mark.procedure("DL-1")
def test_with_england_the_august_bank_holiday_is_kept() -> None:
    pack = load_pack("iso-10002", parameters={"country": "GB-ENG", "timezone": "Europe/London"})
    calendar = calendar_for_spec(pack.calendar)
    received = datetime(2025, 8, 21, 10, 0, tzinfo=LONDON)
    assert calendar.add_days(received, 10) == datetime(2025, 9, 5, 18, 0, tzinfo=LONDON)
