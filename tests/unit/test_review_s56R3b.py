"""Review s56R3 (F04, F05): the month report decodes only the earlier records
visited in the month (F04); a calendar given to the desk is not blamed on a hook
(F05).

Expected values come from /work/shared/procedures.md:
VIS-4 "A major problem found during a visit is put on the agenda of the regular
meeting" (the meeting of the month the visit raised it in).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core import stats
from complaintcore.core.models import Complaint
from complaintcore.core.workflow import Assess, RecordCause, Reply, Visit
from complaintcore.desk import Desk
from complaintcore.desk.ports import ComplaintStore, VisitStore
from complaintcore.testing import make_desk
from tests.helpers import SH, intake

# --------------------------------------------------------------------------- F04


def at(*a: int) -> datetime:
    return datetime(*a, tzinfo=SH)  # type: ignore[misc]


def _received(desk: Desk, when: datetime) -> str:
    return desk.receive(intake(received_at=when, receiver="SR-103"), now=when).id


def _replied(desk: Desk, cid: str, when: datetime, replied: datetime) -> None:
    desk.act(cid, Assess(actor="SR-201", validity="valid"), now=when + timedelta(hours=1))
    cause = RecordCause(actor="SR-201", cause="管道老化", corrective="更换管道")
    desk.act(cid, cause, now=when + timedelta(hours=2))
    desk.act(cid, Reply(actor="SR-201", message="已更换水管", final=True), now=replied)


def _visit(desk: Desk, cid: str, when: datetime, problem: str) -> None:
    visit = Visit(actor="SR-102", satisfied=True, major_issue=True, problem=problem)
    desk.act(cid, visit, now=when)


def _store(kind: str, tmp_path: Path) -> ComplaintStore:
    return MemoryStore() if kind == "memory" else SqliteStore(tmp_path / "d.sqlite3")


@pytest.mark.procedure("VIS-4")
@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_the_month_report_decodes_only_the_earlier_records_visited_in_it(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four records received in September: one visited in December with a major
    issue (December's agenda), one visited at 23:59:59.999999 on November 30
    Beijing time (November's, not December's), one only assessed in December (no
    visit: nothing for the agenda) and one untouched.  December's report lists the
    December visit and decodes that record alone; November's lists the other."""
    with make_desk(store=_store(kind, tmp_path)) as desk:
        assert isinstance(desk.store, VisitStore)
        visited = _received(desk, at(2025, 9, 1, 10))
        _replied(desk, visited, at(2025, 9, 1, 10), at(2025, 9, 3, 10))
        _visit(desk, visited, at(2025, 12, 1, 0, 0), "整栋楼水管老化")
        edge = _received(desk, at(2025, 9, 2, 10))
        _replied(desk, edge, at(2025, 9, 2, 10), at(2025, 9, 4, 10))
        _visit(desk, edge, at(2025, 11, 30, 23, 59, 59) + timedelta(microseconds=999999), "外墙")
        touched = _received(desk, at(2025, 9, 3, 10))
        desk.act(touched, Assess(actor="SR-201", validity="valid"), now=at(2025, 12, 2, 10))
        _received(desk, at(2025, 9, 4, 10))
        real = stats.monthly_report
        decoded: list[str] = []

        def counting(complaints: Iterable[Complaint], *a: Any, **kw: Any) -> Any:
            def each() -> Iterator[Complaint]:
                for c in complaints:
                    decoded.append(c.id)
                    yield c

            return real(each(), *a, **kw)

        monkeypatch.setattr(stats, "monthly_report", counting)
        now = at(2026, 1, 5, 9)
        december = desk.monthly_report(2025, 12, now=now)
        assert decoded == [visited]
        assert [(m.complaint_id, m.at) for m in december.major_issues] == [
            (visited, at(2025, 12, 1, 0, 0))
        ]
        decoded.clear()
        november = desk.monthly_report(2025, 11, now=now)
        assert [m.complaint_id for m in november.major_issues] == [edge]
        assert touched not in decoded
        assert (
            december.major_issues
            == real(
                desk.store.complaints(), desk.pack, desk.calendar, year=2025, month=12, now=now
            ).major_issues
        )


class _HostStore(MemoryStore):
    """A host's store that answers the report's reads but has no visited_between."""

    visited_between = None  # type: ignore[assignment]


@pytest.mark.procedure("VIS-4")
def test_a_store_without_visited_between_reads_the_rows_touched_since() -> None:
    """The report falls back to the records touched since the month began: the same
    major issues, the touched record decoded as well."""
    store = _HostStore()
    assert not isinstance(store, VisitStore)
    with make_desk(store=store) as desk:
        visited = _received(desk, at(2025, 9, 1, 10))
        _replied(desk, visited, at(2025, 9, 1, 10), at(2025, 9, 3, 10))
        _visit(desk, visited, at(2025, 12, 4, 10), "整栋楼水管老化")
        touched = _received(desk, at(2025, 9, 3, 10))
        desk.act(touched, Assess(actor="SR-201", validity="valid"), now=at(2025, 12, 2, 10))
        now = at(2026, 1, 5, 9)
        december = desk.monthly_report(2025, 12, now=now)
        assert [m.complaint_id for m in december.major_issues] == [visited]
        assert december == stats.monthly_report(
            desk.store.complaints(), desk.pack, desk.calendar, year=2025, month=12, now=now
        )


# --------------------------------------------------------------------------- F05

LATE = at(2025, 12, 30, 10)  # cn-property's department_result runs 3 working days on
GIVEN_END = (
    "; the calendar ends on 2025-12-31, not at the rule pack's [calendar] last_year 2040:"
    " extend the years of the calendar given to the desk"
)
GIVEN_NOW = (
    "outside the calendar's years (2025-2025 in Asia/Shanghai); the calendar given to the"
    " desk ends on 2025-12-31: extend its years"
)


def _given_desk() -> Desk:
    """The reviewer's desk: cn-property ([calendar] 2024-2040), a calendar of 2025
    alone given to the constructor, no plugin."""
    from complaintcore import WorkingCalendar
    from complaintcore.adapters.staff import load_sample_staff
    from complaintcore.rules import load_pack

    pack = load_pack("cn-property")
    short = WorkingCalendar.build(
        tz="Asia/Shanghai", weekly={d: [("09:00", "18:00")] for d in range(5)}, years=(2025, 2025)
    )
    return Desk(
        pack=pack, store=MemoryStore(), directory=load_sample_staff(pack=pack), calendar=short
    )


def test_f05_a_calendar_given_to_the_desk_is_not_blamed_on_the_hook() -> None:
    """A clock past its end and a sweep after it give the same advice: extend the
    calendar given to the desk; neither names complaintcore_get_calendar (no plugin
    gave it) nor the pack's last_year (2040 already)."""
    from complaintcore.core.errors import InvalidInputError, NoWorkingTimeError
    from complaintcore.i18n import translator

    zh = translator("zh")
    with _given_desk() as desk:
        with pytest.raises(NoWorkingTimeError) as clock:
            desk.receive(intake(received_at=LATE, receiver="SR-103"), now=LATE)
        assert str(clock.value).startswith("clock ")
        assert str(clock.value).endswith(GIVEN_END)
        with pytest.raises(InvalidInputError) as sweep:
            desk.sweep(at(2026, 1, 2, 10))
        assert (sweep.value.path, sweep.value.reason) == ("now", GIVEN_NOW)
        note = desk.calendar_warnings_at(at(2025, 11, 14, 10))[-1]
        assert note.endswith("; extend the years of the calendar given to the desk")
        old = intake(received_at=at(2024, 12, 2, 10), receiver="SR-103")
        with pytest.raises(InvalidInputError) as early:
            desk.receive(old, now=at(2025, 1, 6, 10))
        assert early.value.path == "received_at"
        assert early.value.reason.endswith("; extend the years of the calendar given to the desk")
    for err in (clock.value, sweep.value, early.value):
        assert "complaintcore_get_calendar" not in str(err)
        assert "last_year" not in str(err).split(":")[-1]
    assert zh.error(clock.value).endswith(
        "；日历止于 2025-12-31，而非规则包 [calendar] 的 last_year 2040："
        "请延长交给投诉台的日历的年份"
    )
    assert zh.reason(sweep.value.reason) == (
        "不在日历的年份内（2025-2025 年，Asia/Shanghai 时区）；交给投诉台的日历止于 2025-12-31："
        "请延长它的年份"
    )
    assert zh.reason(early.value.reason).endswith("；请延长交给投诉台的日历的年份")
    assert zh.reason(note).endswith("；请延长交给投诉台的日历的年份")
