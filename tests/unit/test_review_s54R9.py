"""Review s54R9: a host's type checker and the library's warnings.

F01 (typed enum and table fields) is checked by mypy in test_public_typing.py.
F02: the ``HolidayDataWarning`` of a calendar built through ``calendar_for_spec``
(as hooks.md's ``complaintcore_get_calendar`` does) points at the host's call,
not at a line of complaintcore, so the host can filter it by its module and
``-W error`` shows its own line.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

from complaintcore import HolidayDataWarning, calendar_for_spec, load_pack
from complaintcore.adapters import calendars


def _built(make: Callable[[], object]) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        make()
    found = [w for w in caught if issubclass(w.category, HolidayDataWarning)]
    assert found, "the calendar should warn of years without make-up-day data"
    return found


def test_the_warning_of_calendar_for_spec_points_at_the_host_call() -> None:
    spec = load_pack("cn-property").calendar
    calendars._calendar_for_spec.cache_clear()  # built once per spec: warn here
    found = _built(lambda: calendar_for_spec(spec))
    assert [w.filename for w in found] == [__file__]


def test_the_warning_of_calendar_from_holidays_points_at_the_host_call() -> None:
    found = _built(
        lambda: calendars.calendar_from_holidays("CN", tz="Asia/Shanghai", years=(2025, 2040))
    )
    assert [w.filename for w in found] == [__file__]


def test_a_host_can_filter_it_by_its_own_module() -> None:
    spec = load_pack("cn-property").calendar
    calendars._calendar_for_spec.cache_clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=HolidayDataWarning, module=__name__)
        calendar_for_spec(spec)
    assert [w for w in caught if issubclass(w.category, HolidayDataWarning)] == []
