"""DL-1, DL-7: a year's days typed in under open complaints.

The State Council announces a year's make-up working days (调休) late in the
year before; the operator types them into ``[[calendar.by_year]]`` and runs
``verify --reproject`` once, as docs/calendar.md says.  Far-future years keep
the test true whatever the installed ``holidays`` knows.
"""

from __future__ import annotations

import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from complaintcore import HolidayDataWarning
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.desk import Desk
from complaintcore.rules import load_pack
from complaintcore.rules.loader import load_pack_data
from complaintcore.serialization import to_dict
from tests.helpers import SH, intake


def _pack(**calendar: Any) -> Any:
    data = to_dict(load_pack("cn-property"))
    data["calendar"] = {**data["calendar"], "first_year": 2088, "last_year": 2090, **calendar}
    return load_pack_data(data, "test")


def _desk(pack: Any, path: Path) -> Desk:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HolidayDataWarning)  # 2089-2090 are not typed in
        calendar = calendar_for_spec(pack.calendar)
    return Desk(
        pack=pack,
        store=SqliteStore(path),
        directory=load_sample_staff(pack=pack),
        calendar=calendar,
    )


def _reply_due(desk: Desk, cid: str, now: datetime) -> datetime | None:
    (reply,) = [c for c in desk.clocks(cid, now) if c.name == "reply"]
    return reply.due


@pytest.mark.procedure("DL-1")
@pytest.mark.procedure("DL-7")
def test_a_make_up_saturday_typed_in_brings_the_sweep_forward_after_reproject(
    tmp_path: Path,
) -> None:
    """Received Thu 18 March 2088 10:00: three working days are Fri 19, Mon 22 and
    Tue 23 (reply due Tue 23 18:00); with Sat 20 March typed in as a make-up working
    day they are Fri 19, Sat 20 and Mon 22, so the reply is due Mon 22 18:00 and a
    sweep at 19:00 that day escalates its breach (DL-7 → ESC-2)."""
    path = tmp_path / "desk.sqlite3"
    received = datetime(2088, 3, 18, 10, 0, tzinfo=SH)
    before = _desk(_pack(), path)
    cid = before.receive(intake(received_at=received, receiver="SR-103"), now=received).id
    assert _reply_due(before, cid, received) == datetime(2088, 3, 23, 18, 0, tzinfo=SH)
    before.close()

    notice = _pack(by_year=[{"year": 2088, "workdays": ["2088-03-20"]}])
    after = _desk(notice, path)
    assert _reply_due(after, cid, received) == datetime(2088, 3, 22, 18, 0, tzinfo=SH)
    checked = after.verify(received)
    assert f"complaint {cid}: projection row differs from its history (next_due)" in (
        checked.problems
    )
    assert after.reproject(received) == [cid]
    assert after.verify(received).ok
    swept = after.sweep(datetime(2088, 3, 22, 19, 0, tzinfo=SH))
    assert (cid, "reply") in swept.escalated
    after.close()
