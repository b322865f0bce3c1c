"""as_instant keeps the instants of the last time objects it was asked about (intake
asks for one ``now`` dozens of times a complaint): a kept answer is the one it
computes afresh, for any aware time in any zone, in a fold or a gap, and however
full the memo is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintcore.core import models
from complaintcore.core.errors import NaiveDatetimeError
from complaintcore.core.models import as_instant

_ZONES = [ZoneInfo(k) for k in ("Europe/London", "Asia/Shanghai", "America/New_York")]


def _fresh(value: datetime) -> datetime:
    """The general path: as as_instant computes it when nothing is kept."""
    if type(value.tzinfo) is timezone:
        return value
    offset = value.utcoffset()
    assert offset is not None
    return value.astimezone(timezone(offset))


def _same(a: datetime, b: datetime) -> bool:
    """The same instant, wall time, fold and zone object, not only == (which ignores
    the fold and compares instants across zones)."""
    return (repr(a), a.fold, a.utcoffset(), a.tzinfo) == (repr(b), b.fold, b.utcoffset(), b.tzinfo)


_times = st.builds(
    lambda naive, zone, fold: naive.replace(tzinfo=zone, fold=fold),
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2998, 12, 31)),
    st.sampled_from([*_ZONES, UTC, timezone(timedelta(hours=8))]),
    st.sampled_from([0, 1]),
)


@given(st.lists(_times, min_size=1, max_size=600))
def test_kept_answers_equal_the_computed_ones(values: list[datetime]) -> None:
    for value in values:
        first = as_instant(value)
        assert _same(first, _fresh(value))
        assert _same(as_instant(value), first)  # kept, or computed again after a clear
    for value in values:  # asked again, once others filled (and cleared) the memo
        assert _same(as_instant(value), _fresh(value))
    assert len(models._INSTANTS) <= models._INSTANTS_KEPT


def test_a_fold_and_its_twin_are_two_instants() -> None:
    london = ZoneInfo("Europe/London")
    first = datetime(2024, 10, 27, 1, 30, tzinfo=london)
    second = first.replace(fold=1)
    assert as_instant(first) == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)
    assert as_instant(second) == datetime(2024, 10, 27, 1, 30, tzinfo=UTC)
    assert as_instant(first) < as_instant(second)


def test_a_naive_time_is_still_refused() -> None:
    naive = datetime(2024, 1, 1, 12)
    for _ in range(2):  # never kept
        with pytest.raises(NaiveDatetimeError):
            as_instant(naive)
