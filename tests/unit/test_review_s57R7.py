"""Review s57R7: the entry points the desk's instant ``now`` (s57R5 F01) left out.

F01: ``monthly_report`` given a host's local clock in the hour its zone repeats
(01:30 GMT after 01:30 BST) added a microsecond on the wall clock and said two
complaints it counted were "received after now (left out)".
F02: ``deliver(now, clock=...)``: a host ``clock()`` in that hour made a failed
message's retry due an hour before the attempt, skipping the backoff.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from complaintcore import Complainant, Desk, Intake, calendar_for_spec, load_pack
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff

LONDON = ZoneInfo("Europe/London")
SECOND_0130 = datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON)  # 01:30 GMT = 01:30Z


class _Failing:
    name = "inbox"

    def send(self, notification: object, recipient: object) -> None:
        raise ConnectionError("smtp down")


def _desk(store: object, **kw: object) -> Desk:
    pack = load_pack("cn-property")
    return Desk(
        pack=pack,
        store=store,  # type: ignore[arg-type]
        directory=load_sample_staff(pack=pack),
        calendar=calendar_for_spec(pack.calendar),
        **kw,  # type: ignore[arg-type]
    )


def _received(desk: Desk, i: int, at: datetime) -> None:
    who = Complainant(f"王{i}", f"138{i:08d}", f"3-2-{1200 + i}", "3", "sunrise")
    desk.receive(Intake(who, "phone", at, "SR-102", f"门禁坏了 {i}", site="sunrise"), now=at)


@pytest.mark.procedure("IMP-2")
@pytest.mark.parametrize("kind", ["sqlite", "memory"])
def test_f01_a_report_at_the_second_0130_leaves_nothing_out(kind: str, tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "r.sqlite3", create=True) if kind == "sqlite" else MemoryStore()
    desk = _desk(store)
    # October in Beijing; the last two in the hour London repeats (00:00Z-01:00Z is BST's
    # 01:xx, 01:00Z-02:00Z GMT's), all before 01:30Z
    for i, at in enumerate(
        [
            datetime(2026, 10, 20, 2, 0, tzinfo=UTC),
            datetime(2026, 10, 25, 0, 45, tzinfo=UTC),
            datetime(2026, 10, 25, 1, 15, tzinfo=UTC),
        ]
    ):
        _received(desk, i, at)
    local = desk.monthly_report(2026, 10, now=SECOND_0130)
    utc = desk.monthly_report(2026, 10, now=datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    for report in (local, utc):
        assert report.totals.received == 3
        assert report.excluded_after_now == 0
    # the first 01:30 (BST, 00:30Z) is before the last two
    first = desk.monthly_report(2026, 10, now=SECOND_0130.replace(fold=0))
    assert first.totals.received == 1
    assert first.excluded_after_now == 2


def test_f02_a_host_clock_in_the_repeated_hour_keeps_the_backoff(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite3"
    desk = _desk(SqliteStore(path, create=True), notifiers=[_Failing()])
    _received(desk, 1, datetime(2026, 10, 25, 1, 20, tzinfo=UTC))
    now = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    host = (now + timedelta(seconds=2)).astimezone(LONDON)  # 01:30:02 GMT, fold=1
    assert host.fold == 1
    assert desk.deliver(now.astimezone(LONDON), clock=lambda: host).failed >= 1
    with sqlite3.connect(path) as db:
        rows = db.execute("select next_attempt_at from outbox").fetchall()
    due = [datetime.fromisoformat(t) for (t,) in rows]
    assert due
    assert all(t > now for t in due)  # after the attempt, never an hour before it
    later = (now + timedelta(seconds=5)).astimezone(LONDON)
    assert desk.deliver(later, clock=lambda: later).failed == 0  # still backing off
