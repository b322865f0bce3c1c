"""DL-7: the digest a sweep compares to find rows written under other rules or days.

Equal for equal packs and calendars in any process (no ``hash()``), different
when anything a next sweep time is computed from differs: the pack, a day of the
calendar, its hours, or complaintcore's version.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, time

import attrs
import pytest

from complaintcore import WorkingCalendar, load_pack, projection_basis
from complaintcore.core.rulepack import Duration

PACK = load_pack("cn-property")


def _calendar(**changes: object) -> WorkingCalendar:
    args: dict[str, object] = {
        "tz": "Asia/Shanghai",
        "weekly": {d: [(time(9), time(18))] for d in range(5)},
        "years": (2088, 2089),
        "holidays": [date(2088, 10, 1), date(2088, 10, 2)],
        "workdays": [date(2088, 9, 25)],
    }
    return WorkingCalendar(**{**args, **changes})  # type: ignore[arg-type]


BASE = projection_basis(PACK, _calendar(), "1.0")


@pytest.mark.procedure("DL-7")
def test_equal_packs_and_calendars_give_one_digest() -> None:
    assert projection_basis(load_pack("cn-property"), _calendar(), "1.0") == BASE
    # the same days given in another order are the same calendar
    same = _calendar(holidays=[date(2088, 10, 2), date(2088, 10, 1)])
    assert projection_basis(PACK, same, "1.0") == BASE


@pytest.mark.procedure("DL-7")
@pytest.mark.parametrize(
    ("what", "calendar", "library"),
    [
        ("a holiday added", _calendar(holidays=[date(2088, 10, d) for d in (1, 2, 3)]), "1.0"),
        (
            "a make-up day typed in",
            _calendar(workdays=[date(2088, 9, 25), date(2088, 10, 8)]),
            "1.0",
        ),
        ("working hours", _calendar(weekly={d: [(time(9), time(17))] for d in range(5)}), "1.0"),
        # the same number of dates, one moved: Sat 25 Sep to Sat 9 Oct 2088 (a mistyped
        # make-up day corrected), Sat 2 Oct to Mon 4 Oct (a holiday moved onto a workday)
        ("a make-up day moved", _calendar(workdays=[date(2088, 10, 9)]), "1.0"),
        ("a holiday moved", _calendar(holidays=[date(2088, 10, 1), date(2088, 10, 4)]), "1.0"),
        # the same hours, Friday's worked on Saturday: the position in weekly is the day
        (
            "hours moved to another weekday",
            _calendar(weekly={d: [(time(9), time(18))] for d in (0, 1, 2, 3, 5)}),
            "1.0",
        ),
        ("the zone", _calendar(tz="Asia/Hong_Kong"), "1.0"),
        ("the years", _calendar(years=(2088, 2090)), "1.0"),
        ("complaintcore upgraded", _calendar(), "1.1"),
    ],
)
def test_what_moves_a_next_sweep_time_changes_the_digest(
    what: str, calendar: WorkingCalendar, library: str
) -> None:
    assert projection_basis(PACK, calendar, library) != BASE, what


@pytest.mark.procedure("DL-7")
def test_calendars_equal_under_their_own_equality_give_one_digest() -> None:
    """A calendar's region is not part of its equality (the days are): a web process
    whose hook builds the days from plain dates and a sweeper whose calendar names
    the holiday list agree, so neither's commits mark the rows for a full read."""
    from_dates, from_the_list = _calendar(), _calendar(region="CN")
    assert from_dates == from_the_list
    assert (from_dates.region, from_the_list.region) == ("", "CN")
    assert projection_basis(PACK, from_the_list, "1.0") == BASE


@pytest.mark.procedure("DL-7")
def test_a_pack_whose_clock_changed_gives_another_digest() -> None:
    reply = next(c for c in PACK.clocks if c.name == "reply")
    longer = attrs.evolve(reply, duration=Duration.parse("4d"))
    assert reply.duration != longer.duration
    changed = attrs.evolve(PACK, clocks=tuple(longer if c is reply else c for c in PACK.clocks))
    assert projection_basis(changed, _calendar(), "1.0") != BASE


@pytest.mark.procedure("DL-7")
def test_every_process_computes_the_same_digest() -> None:
    """Python's string hashes differ between processes; the digest must not."""
    code = (
        "from datetime import date, time\n"
        "from complaintcore import WorkingCalendar, load_pack, projection_basis\n"
        "cal = WorkingCalendar(tz='Asia/Shanghai',"
        " weekly={d: [(time(9), time(18))] for d in range(5)}, years=(2088, 2089),"
        " holidays=[date(2088, 10, 1), date(2088, 10, 2)], workdays=[date(2088, 9, 25)])\n"
        "print(projection_basis(load_pack('cn-property'), cal, '1.0'))\n"
    )
    found = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        found.add(out.stdout.strip())
    assert found == {BASE}
