"""The texts every store writes: canonical JSON of intakes and events, UTC times.

The stores encode through fast paths (a once-built encoder, cached converter
hooks, checks inlined); these laws hold them to the plain definitions, so the
texts hashed into the chain cannot drift from what 0.1.0 wrote.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintcore.adapters.chain import encode_event, encode_intake, to_utc_text
from complaintcore.core.errors import InvalidInputError, NaiveDatetimeError
from complaintcore.core.models import Event, Intake, Registered
from complaintcore.serialization import event_to_dict, intake_to_dict, to_dict
from tests.strategies import aware_datetimes, events, intakes

SH = ZoneInfo("Asia/Shanghai")


def canonical(data: object) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@given(events())
def test_an_event_is_stored_as_the_canonical_json_of_its_dict(event: Event) -> None:
    text = encode_event(event)
    assert text == canonical(event_to_dict(event))
    assert text == canonical(to_dict(event))  # the converter's own dispatch agrees
    assert json.loads(text)["type"] == event.kind


@given(intakes())
def test_an_intake_is_stored_as_the_canonical_json_of_its_dict(intake: Intake) -> None:
    text = encode_intake(intake)
    assert text == canonical(intake_to_dict(intake))
    assert text == canonical(to_dict(intake))


def test_a_lone_surrogate_is_refused_naming_the_event_kind_not_the_text() -> None:
    event = Registered(at=datetime(2025, 1, 1, tzinfo=UTC), actor="cs-\ud800", unit="cs")
    with pytest.raises(InvalidInputError) as caught:
        encode_event(event)
    assert caught.value.path == "events.registered"
    assert "cs-" not in str(caught.value)


@given(
    st.datetimes(
        min_value=datetime(1970, 1, 2),
        max_value=datetime(2999, 12, 30),
        timezones=st.sampled_from([UTC, SH, ZoneInfo("America/New_York")]),
    )
)
def test_a_time_is_stored_as_fixed_width_utc_text(value: datetime) -> None:
    text = to_utc_text(value, "at")
    assert len(text) == len("2025-01-01T00:00:00.000000+00:00")
    assert text.endswith("+00:00")
    # the same instant (a difference, not ==: an ambiguous local time at the end of
    # summer time compares unequal to every other zone's, by Python's rule)
    assert datetime.fromisoformat(text) - value == timedelta(0)


@given(aware_datetimes(), aware_datetimes())
def test_utc_text_order_is_time_order(a: datetime, b: datetime) -> None:
    assert (to_utc_text(a, "a") < to_utc_text(b, "b")) == (a < b)


class _NoOffset(tzinfo):
    """A time zone that does not know its offset: the time is as good as naive."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None


class _Stamp(datetime):
    """A datetime subclass, as some hosts' libraries hand out."""


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (datetime(2025, 1, 1, 9), NaiveDatetimeError),
        (datetime(2025, 1, 1, 9, tzinfo=_NoOffset()), NaiveDatetimeError),
        (datetime(1969, 12, 31, tzinfo=UTC), InvalidInputError),
        (datetime(3000, 1, 1, tzinfo=UTC), InvalidInputError),
        (date(2025, 1, 1), InvalidInputError),
        ("2025-01-01T09:00:00+08:00", InvalidInputError),
    ],
)
def test_a_time_that_cannot_be_stored_is_refused_by_name(value: object, error: type) -> None:
    with pytest.raises(error) as caught:
        to_utc_text(value, "row.next_due")  # type: ignore[arg-type]
    assert caught.value.path == "row.next_due"


def test_a_datetime_subclass_is_stored_like_a_datetime() -> None:
    value = _Stamp(2025, 1, 1, 9, 30, tzinfo=SH)
    assert to_utc_text(value, "at") == "2025-01-01T01:30:00.000000+00:00"


@given(st.lists(aware_datetimes(), min_size=1, max_size=6), st.lists(st.integers(0, 17)))
def test_times_written_again_read_as_when_first_written(
    times: list[datetime], order: list[int]
) -> None:
    """The writers keep the last time's text (one ``now`` stamps a whole batch):
    whatever the order and repeats, each time reads as its own."""
    # the same instants in other zones: equal datetimes, other texts
    times = [x for t in times for x in (t, t.astimezone(UTC), t.astimezone(SH))]
    for i in [*range(len(times)), *(k % len(times) for k in order)]:
        t = times[i]
        assert to_utc_text(t, "at") == t.astimezone(UTC).isoformat(timespec="microseconds")
        assert to_dict(t) == t.isoformat()
