"""Public entry points refuse a bad value with a library error, naming the argument.

security.md promises that every public function refuses a bad value with an
error of the ``ComplaintCoreError`` family, never another exception; these
raised ``ValueError``, ``AttributeError`` or ``TypeError`` (review s34B F03).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from complaintcore import (
    DeskConfig,
    InvalidInputError,
    calendar_for_spec,
    load_config,
    load_pack,
    translator,
)
from complaintcore.adapters.notify import redact
from complaintcore.i18n import language_from_env, resolve_language
from complaintcore.testing import FixedClock

NOW = datetime(2025, 11, 14, 9, 30, tzinfo=UTC)
BAD: Any = 5  # a value of a type the signature does not allow


def refused(call: Callable[[], object]) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as caught:
        call()
    return caught.value


def test_a_fixed_clock_refuses_to_move_backwards() -> None:
    clock = FixedClock(NOW)
    error = refused(lambda: clock.set(NOW - timedelta(seconds=1)))
    assert error.path == "moment"
    assert "only moves forward" in error.reason
    error = refused(lambda: clock.advance(timedelta(hours=-1)))
    assert error.path == "delta"
    assert refused(lambda: clock.advance(minutes=-5)).path == "delta"
    assert clock() == NOW  # nothing moved
    assert clock.set(NOW) == NOW  # the same moment is not backwards
    assert clock.advance(hours=2) == NOW + timedelta(hours=2)


def test_a_fixed_clock_refuses_steps_that_are_not_time() -> None:
    clock = FixedClock(NOW)
    assert refused(lambda: clock.advance(BAD)).path == "delta"
    assert refused(lambda: clock.advance(fortnights=1)).path == "advance"
    assert refused(lambda: clock.advance(timedelta.max)).path == "delta"  # past 9999
    assert refused(lambda: clock.set(BAD)).path == "moment"
    assert clock() == NOW


def test_translator_and_language_lookups_refuse_what_is_not_a_language_tag() -> None:
    assert refused(lambda: translator(BAD)).path == "lang"
    assert refused(lambda: translator("zh", environ=BAD)).path == "environ"
    assert refused(lambda: translator("C", environ=BAD)).path == "environ"
    assert refused(lambda: resolve_language(BAD)).path == "tag"
    assert refused(lambda: resolve_language("en", environ=BAD)).path == "environ"
    assert refused(lambda: language_from_env(BAD)).path == "environ"
    assert translator("zh", environ={}).lang == "zh"  # a mapping is still taken


@pytest.mark.procedure("PRV-1")
def test_redact_refuses_what_is_not_text_without_quoting_it() -> None:
    error = refused(lambda: redact(BAD))
    assert (error.path, error.reason) == ("text", "expected a string, got int")
    for also in (BAD, [BAD], ["王小明", None], [b"13812345678"]):
        error = refused(lambda also=also: redact("王小明 13812345678", also=also))
        assert error.path == "also"
        assert "王小明" not in str(error)
        assert "13812345678" not in str(error)
    assert redact("王小明 13812345678", also=["王小明"]) == "王** *********78"


def test_calendar_for_spec_refuses_what_is_not_a_calendar_spec() -> None:
    for bad in (None, BAD, [], {"country": "CN"}):  # a list or a dict: unhashable too
        error = refused(lambda bad=bad: calendar_for_spec(bad))
        assert error.path == "spec"
        assert "CalendarSpec" in error.reason
    spec = load_pack("cn-property").calendar
    assert calendar_for_spec(spec) is calendar_for_spec(spec)  # still built once


def test_load_config_refuses_what_is_not_a_readable_file(tmp_path: Path) -> None:
    assert refused(lambda: load_config(BAD)).path == "path"
    error = refused(lambda: load_config(tmp_path))  # a directory
    assert error.path == "config"
    assert error.reason == f"{tmp_path}: cannot be read (Is a directory)"


def test_desk_config_from_mapping_refuses_what_is_not_a_mapping() -> None:
    for bad in ([], "database = 'x'", None):
        assert refused(lambda bad=bad: DeskConfig.from_mapping(bad)).path == "data"
    assert refused(lambda: DeskConfig.from_mapping({}, base_dir=BAD)).path == "base_dir"
    config = DeskConfig.from_mapping({}, base_dir=Path("desk"))  # a path object is a path
    assert config.resolve("x.sqlite3") == "desk/x.sqlite3"
