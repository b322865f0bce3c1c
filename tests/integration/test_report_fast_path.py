"""The monthly report read from the month's own rows equals the report recounted
from every complaint's raw events (issue 10).

``Desk.monthly_report`` reads the month's complaints, those of the repeat window
and counts of the baseline months from the store; ``stats.monthly_report`` over
``store.complaints()`` folds every stored event.  On a desk whose complaints
were received over five months -- several sites, buildings and categories,
repeat complainants across month ends (linked at intake), some assessed
invalid, some reclassified or reassessed weeks later, causes, measures and
sanctions recorded later still, and one building's rise in the last month --
the two agree for every month, as things stand after the last event and at
moments before later events (where the rows are not as at ``now`` and the desk
reads every complaint instead).  The per-staff table (``Desk.staff_report``)
agrees with the one counted from every complaint the same way.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core import stats
from complaintcore.core.errors import ComplaintCoreError
from complaintcore.core.models import Complainant, Intake, Linked
from complaintcore.core.staff_report import staff_report
from complaintcore.core.workflow import (
    AddMeasure,
    Assess,
    Classify,
    RecordCause,
    RecordSanction,
    Reply,
    Visit,
)
from complaintcore.desk import Desk
from complaintcore.desk.ports import ReportStore, VisitStore
from complaintcore.testing import make_desk
from tests.helpers import about, desk_on
from tests.helpers import intake as leak

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2025, 1, 1, 8, tzinfo=SH)
SUMMARIES = (
    "楼上漏水，天花板渗水",
    "电梯坏了",
    "物业费收费不合理，账单有误",
    "晚上装修噪音太大",
    "垃圾没人清理，楼道有异味",
)
PHONES = [f"1381234{i:04d}" for i in range(40)]
# front-line staff of each site in the sample staff file (a target must be in the directory)
COLLEAGUES = {
    "sunrise": ("SR-202", "SR-302", "SR-402"),
    "riverside": ("RS-202", "RS-302", "RS-401"),
}


def _intakes(rng: random.Random) -> Iterator[Intake]:
    at = START
    for i in range(220):
        rise = i >= 180  # the last weeks: building 9 of sunrise rises from nothing
        at += timedelta(minutes=rng.randrange(200, 1300))
        site = "sunrise" if rise and i % 2 else rng.choice(("sunrise", "riverside"))
        building = "9" if rise and i % 2 else str(1 + rng.randrange(4))
        target = rng.random() < 0.4
        yield Intake(
            complainant=Complainant(
                "王小明",
                rng.choice(PHONES),
                f"{building}-1-{rng.randrange(3, 9)}01",
                building,
                site,
            ),
            channel=rng.choice(("phone", "web", "in_person")),
            received_at=at,
            # a complaint about a colleague is taken by a complaint handler (ESC-3)
            receiver=("SR-" if site == "sunrise" else "RS-") + ("102" if target else "103"),
            summary=rng.choice(SUMMARIES),
            site=site,
            idempotency_key=f"k-{i}",
            target=about(rng.choice(COLLEAGUES[site]), "front_line") if target else None,
        )


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desk]:
    with desk_on(request.param, request, tmp_path) as desk:
        yield desk


def _fill(desk: Desk) -> datetime:
    """Five months of complaints, and changes to some of them weeks later."""
    rng = random.Random(10)
    kinds = random.Random(11)  # apart, so the rest of the desk is as it was
    later_kinds: list[tuple[str, Assess, datetime]] = []
    last = START
    for intake in _intakes(rng):
        validity = rng.choice(("valid", "valid", "valid", "invalid", None))
        c = desk.receive(intake, now=intake.received_at, validity=validity)
        last = max(last, intake.received_at)
        if kinds.random() < 0.1 and c.state.handler:
            # VAL-4: found days later to be an enquiry or a service request, once
            # later complaints were linked to it: those links stop counting
            kind = kinds.choice(("enquiry", "request"))
            found = intake.received_at + timedelta(days=kinds.randrange(1, 10))
            assessed = Assess(actor=c.state.handler, validity="valid", kind=kind)
            later_kinds.append((c.id, assessed, found))
        if rng.random() < 0.3 and c.state.handler:
            later = intake.received_at + timedelta(days=rng.randrange(1, 40))
            actor = c.state.handler
            command = rng.choice(
                (
                    Classify(actor=actor, category="cleaning", department="cleaning"),
                    Assess(actor=actor, validity="invalid"),
                    Reply(actor=actor, message="正在处理"),
                    RecordCause(actor=actor, cause="management", corrective="加强巡查"),
                    AddMeasure(
                        actor=actor,
                        kind="corrective",
                        action="更换电梯部件",
                        owner=actor,
                        due=later + timedelta(days=rng.randrange(1, 20)),
                    ),
                    RecordSanction(actor="HQ-001"),
                )
            )
            try:
                desk.act(c.id, command, now=later)
            except ComplaintCoreError:  # a step this complaint's state does not take
                continue
            last = max(last, later)
    for cid, assessed, found in later_kinds:
        try:
            desk.act(cid, assessed, now=found)
        except ComplaintCoreError:  # an event after `found` already (the store keeps order)
            continue
        last = max(last, found)
    return last


def _staff_recount(desk: Desk, month: int, now: datetime) -> object:
    return staff_report(desk.store.complaints(), desk.pack, year=2025, month=month, now=now)


def _recount(
    desk: Desk, year: int, month: int, now: datetime, rule: stats.RepeatRule | None = None
) -> stats.MonthlyReport:
    """The statistics from every complaint's events, as the report used to read them."""
    return stats.monthly_report(
        desk.store.complaints(),
        desk.pack,
        desk.calendar,
        year=year,
        month=month,
        now=now,
        repeat_rule=rule,
    )


def test_the_fast_report_equals_the_recount_for_every_month(desk: Desk) -> None:
    last = _fill(desk)
    assert isinstance(desk.store, ReportStore)
    now = last + timedelta(hours=1)
    # after the last event the report never reads every complaint
    everything = desk.store.complaints
    desk.store.complaints = lambda: pytest.fail("read every complaint")  # type: ignore[method-assign]
    fast = {m: desk.monthly_report(2025, m, now=now) for m in range(1, 8)}
    staff = {m: desk.staff_report(2025, m, now=now) for m in range(1, 8)}
    desk.store.complaints = everything  # type: ignore[method-assign]
    for m, report in fast.items():
        assert report == _recount(desk, 2025, m, now), m
        assert staff[m] == _staff_recount(desk, m, now), m
    assert sum(r.totals.received for r in fast.values()) == 220
    busy = fast[3]
    assert busy.repeats.groups  # repeats across the month's start were linked
    assert any(c.count for c in busy.by_category)
    months = [h.received for h in busy.history]  # twelve months back, then January to March
    assert months == [0] * 10 + [fast[m].totals.received for m in (1, 2, 3)]
    # what the report carries besides counts: IMP-1, links made at intake, IMP-4, PEN
    assert sum(r.improvement.opened for r in fast.values()) > 0
    assert sum(r.improvement.analysed for r in fast.values()) > 0
    assert sum(r.links.linked for r in fast.values()) > 0
    # ... and links made to records assessed since as enquiries or requests (VAL-4)
    apart = {c.id for c in everything() if c.state.complaint_kind.value != "complaint"}
    named = {i for c in everything() for e in c.events if isinstance(e, Linked)
             for i in (*e.same_complainant, *e.same_room, *e.same_matter)}  # fmt: skip
    assert apart & named
    assert any(w.dimension == "building" for r in fast.values() for w in r.warnings)
    assert any(row.sanction_count for t in staff.values() for row in t.rows)


def test_a_shorter_look_back_reads_the_packs_link_windows_still(desk: Desk) -> None:
    """IMP-3, VAL-4: with a look-back of 20 days the repeat groups reach 20 days back,
    but a link made at intake (over the pack's 90 days) counts only when the complaint
    it names is a valid complaint, so the fast report reads the 90 days all the same
    and equals the recount (review s25D F01, F04)."""
    last = _fill(desk)
    now = last + timedelta(hours=1)
    short = stats.RepeatRule(lookback_days=20)
    for m in range(1, 6):
        fast = desk.monthly_report(2025, m, now=now, repeat_rule=short)
        assert fast == _recount(desk, 2025, m, now, short), m
        assert fast.repeats.lookback_days == 20
        assert fast.links == desk.monthly_report(2025, m, now=now).links, m


def test_at_an_earlier_moment_the_report_is_the_recount_too(desk: Desk) -> None:
    _fill(desk)
    for now in (datetime(2025, 3, 10, tzinfo=SH), datetime(2025, 4, 20, 12, tzinfo=SH)):
        for m in (1, 2, 3, 4):
            assert desk.monthly_report(2025, m, now=now) == _recount(desk, 2025, m, now)
            assert desk.staff_report(2025, m, now=now) == _staff_recount(desk, m, now)


def test_an_empty_month_reads_no_complaint(desk: Desk) -> None:
    _fill(desk)
    now = datetime(2026, 1, 1, tzinfo=SH)
    read: list[tuple[datetime, datetime]] = []
    store = desk.store
    assert isinstance(store, ReportStore)
    real = store.complaints_received

    def counting(
        since: datetime, until: datetime, *, updated_since: datetime | None = None
    ) -> Iterator[object]:
        read.append((since, until, updated_since))
        return real(since, until, updated_since=updated_since)

    store.complaints_received = counting  # type: ignore[method-assign,assignment]
    assert isinstance(store, VisitStore)
    visited = store.visited_between
    asked: list[tuple[datetime, datetime, datetime]] = []

    def visits(since: datetime, until: datetime, *, received_before: datetime) -> Iterator[object]:
        asked.append((since, until, received_before))
        return visited(since, until, received_before=received_before)

    store.visited_between = visits  # type: ignore[method-assign,assignment]
    report = desk.monthly_report(2025, 12, now=now)
    assert report == _recount(desk, 2025, 12, now)
    assert report.totals.received == 0
    # the month, then (VIS-4) only the earlier records visited in it, none here: no
    # repeat window without complaints in it (review s56L2 F01, s56R3 F04)
    start, end = datetime(2025, 12, 1, tzinfo=SH), datetime(2026, 1, 1, tzinfo=SH)
    assert [r[2] for r in read] == [None]
    assert asked == [(start, end, start)]
    assert list(visited(start, end, received_before=start)) == []


def _act(desk: Desk, cid: str, command: Any, at: datetime) -> None:
    desk.act(cid, command, now=at)


def _visited_later(
    desk: Desk, received: datetime, replied: datetime, visits: list[datetime]
) -> str:
    """A valid leak received at ``received``, its final reply at ``replied`` and
    satisfied return visits at ``visits``, each raising a major issue."""
    c = desk.receive(leak(received_at=received, receiver="SR-103"), now=received)
    _act(desk, c.id, Assess(actor="SR-201", validity="valid"), received + timedelta(hours=1))
    cause = RecordCause(actor="SR-201", cause="管道老化", corrective="更换管道")
    _act(desk, c.id, cause, received + timedelta(hours=2))
    _act(desk, c.id, Reply(actor="SR-201", message="已更换水管", final=True), replied)
    for at in visits:
        visit = Visit(actor="SR-102", satisfied=True, major_issue=True, problem="整栋楼水管老化")
        _act(desk, c.id, visit, at)
    return c.id


@pytest.mark.procedure("VIS-4")
def test_major_issues_raised_after_the_month_of_receipt_are_the_recounts(desk: Desk) -> None:
    """VIS-4: a month's major issues are those its visits raised, on records received
    in any month before (review s56L2 F01).  The fast report finds them -- from the
    repeat window, and before it from the rows touched since the month began -- and
    equals the recount; it never reads every complaint."""
    at = lambda *a: datetime(*a, tzinfo=SH)  # noqa: E731
    old = _visited_later(
        desk, at(2025, 9, 10, 10), at(2025, 9, 12, 10), [at(2025, 12, 5, 10), at(2026, 1, 6, 10)]
    )
    near = _visited_later(desk, at(2025, 11, 28, 10), at(2025, 12, 2, 15), [at(2025, 12, 3, 10)])
    desk.receive(
        leak(received_at=at(2025, 12, 10, 10), receiver="SR-103"), now=at(2025, 12, 10, 10)
    )
    now = at(2026, 2, 1, 9)
    everything = desk.store.complaints
    desk.store.complaints = lambda: pytest.fail("read every complaint")  # type: ignore[method-assign]
    fast = {(y, m): desk.monthly_report(y, m, now=now) for y, m in
            ((2025, 9), (2025, 10), (2025, 11), (2025, 12), (2026, 1), (2026, 2))}  # fmt: skip
    desk.store.complaints = everything  # type: ignore[method-assign]
    for (y, m), report in fast.items():
        assert report == _recount(desk, y, m, now), (y, m)
    listed = {k: [(i.complaint_id, i.at) for i in r.major_issues] for k, r in fast.items()}
    assert listed == {
        (2025, 9): [],
        (2025, 10): [],
        (2025, 11): [],
        (2025, 12): [(near, at(2025, 12, 3, 10)), (old, at(2025, 12, 5, 10))],
        (2026, 1): [(old, at(2026, 1, 6, 10))],
        (2026, 2): [],
    }


@pytest.mark.procedure("VIS-4")
def test_the_earlier_records_touched_but_not_visited_are_not_decoded(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review s56R3 F04: a record received months before and only assessed in the
    month (as a sweep's escalation or a note touches the open backlog) has nothing
    for the month's agenda: the report decodes the one visited in the month, not
    it, and still equals the recount."""
    at = lambda *a: datetime(*a, tzinfo=SH)  # noqa: E731
    visited = _visited_later(desk, at(2025, 8, 4, 10), at(2025, 8, 6, 10), [at(2025, 12, 9, 10)])
    backlog = [
        desk.receive(leak(received_at=when, receiver="SR-103"), now=when).id
        for when in (at(2025, 8, 5, 10), at(2025, 9, 5, 10))
    ]
    for cid in backlog:
        _act(desk, cid, Assess(actor="SR-201", validity="valid"), at(2025, 12, 2, 10))
    real = stats.monthly_report
    decoded: list[str] = []

    def counting(complaints: Any, *a: Any, **kw: Any) -> stats.MonthlyReport:
        def each() -> Iterator[Any]:
            for c in complaints:
                decoded.append(c.id)
                yield c

        return real(each(), *a, **kw)

    monkeypatch.setattr(stats, "monthly_report", counting)
    now = at(2026, 1, 2, 9)
    report = desk.monthly_report(2025, 12, now=now)
    assert decoded == [visited]
    assert [m.complaint_id for m in report.major_issues] == [visited]
    assert report == real(
        desk.store.complaints(), desk.pack, desk.calendar, year=2025, month=12, now=now
    )


@pytest.mark.parametrize(
    ("year", "month", "now"),
    [
        (1970, 2, datetime(1970, 3, 5, tzinfo=UTC)),  # a baseline reaching before 1970
        (2999, 11, datetime(2999, 12, 31, 23, 59, 30, tzinfo=UTC)),  # now in the last minute
        (2999, 12, datetime(2999, 12, 31, 23, 59, 30, tzinfo=UTC)),  # the last month taken
    ],
)
def test_months_at_the_ends_of_the_years_taken_are_reported(
    tmp_path: Path, year: int, month: int, now: datetime
) -> None:
    with make_desk(store=SqliteStore(tmp_path / "d.sqlite3")) as desk:
        assert desk.monthly_report(year, month, now=now) == _recount(desk, year, month, now)
        assert desk.staff_report(year, month, now=now).rows == ()


@pytest.mark.procedure("PEN-1")
def test_the_staff_report_reads_the_touched_rows_or_walks_the_period_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review s27A F02: SQLite reads the complaints touched since the month began by
    ``projection_updated`` when they are few, by the period's walk when many; both
    give the table of a pass over every complaint, and the same complaints."""
    from complaintcore.adapters import sqlite_store

    with make_desk(store=SqliteStore(tmp_path / "d.sqlite3")) as desk:
        last = _fill(desk)
        now = last + timedelta(hours=1)
        store = desk.store
        assert isinstance(store, SqliteStore)
        start, end = datetime(2025, 3, 1, tzinfo=SH), datetime(2025, 4, 1, tzinfo=SH)
        by_id = [c.id for c in store.complaints_received(START, end, updated_since=start)]
        assert store._touched("", "9", "2025-03") is not None  # few: read by id
        few = {m: desk.staff_report(2025, m, now=now) for m in range(1, 6)}
        monkeypatch.setattr(sqlite_store, "_TOUCHED_AT_ONCE", 3)
        assert store._touched("", "9", "2025-03") is None  # many: the period's walk
        walked = [c.id for c in store.complaints_received(START, end, updated_since=start)]
        assert walked == by_id
        assert len(by_id) > 3
        for m in range(1, 6):
            assert desk.staff_report(2025, m, now=now) == few[m] == _staff_recount(desk, m, now)


@pytest.mark.procedure("PEN-1")
def test_postgres_reads_the_touched_rows_or_walks_the_period_alike(
    postgres_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review s27M F01: PostgreSQL reads the complaints touched since the month began
    by ``projection_updated`` (schema 7) when they are few, by the period's walk
    when many, as SQLite does; both give the same complaints and the table of a
    pass over every complaint."""
    from complaintcore.adapters import postgres_store

    schema = postgres_server.new_schema()
    try:
        store = postgres_store.PostgresStore(postgres_server.dsn, schema=schema)
        with make_desk(store=store) as desk:
            last = _fill(desk)
            now = last + timedelta(hours=1)
            start, end = datetime(2025, 3, 1, tzinfo=SH), datetime(2025, 4, 1, tzinfo=SH)
            early = datetime(2000, 1, 1, tzinfo=UTC)
            by_id = [c.id for c in store.complaints_received(START, end, updated_since=start)]
            assert store._touched(early, end, start) is not None  # few: read by id
            few = {m: desk.staff_report(2025, m, now=now) for m in range(1, 6)}
            monkeypatch.setattr(postgres_store, "_TOUCHED_AT_ONCE", 3)
            assert store._touched(early, end, start) is None  # many: the period's walk
            walked = [c.id for c in store.complaints_received(START, end, updated_since=start)]
            assert walked == by_id
            assert len(by_id) > 3
            for m in range(1, 6):
                assert desk.staff_report(2025, m, now=now) == few[m] == _staff_recount(desk, m, now)
    finally:
        postgres_server.drop_schema(schema)
