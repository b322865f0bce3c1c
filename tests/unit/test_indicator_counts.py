"""Reporting periods: both ends of a range are years 1970 to 2999 (review s42E F05)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from complaintcore import ReportingPeriod
from complaintcore.core.errors import InvalidInputError

LONDON = ZoneInfo("Europe/London")


# --------------------------------------------------- F05: both ends of a range


@pytest.mark.parametrize("text", ["2999-12..3000-01", "2025-01..9999-12", "1970-01..3000-12"])
def test_a_range_ending_past_2999_is_refused_naming_period(text: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        ReportingPeriod.parse(text, "Europe/London")
    assert info.value.path == "period"
    assert "1970 to 2999" in info.value.reason


def test_a_range_ending_in_2999_is_read() -> None:
    period = ReportingPeriod.parse("2999-11..2999-12", "Europe/London")
    assert period.end == datetime(3000, 1, 1, tzinfo=LONDON)
