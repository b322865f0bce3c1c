"""DL-1, DL-7: a year's days typed in under open complaints.

The State Council announces a year's make-up working days (调休) late in the
year before; the operator types them into ``[[calendar.by_year]]``.  The next
sweep finds the days changed (the store keeps what the rows were written under)
and rewrites the rows out of date before it sweeps; ``verify --reproject`` does
the same at once, as docs/calendar.md says.  Far-future years keep the test
true whatever the installed ``holidays`` knows.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from complaintcore import Complainant, HolidayDataWarning, Promise, StoreError, WorkingCalendar
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.postgres_store import PostgresStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.models import Promised
from complaintcore.desk import Desk, service
from complaintcore.desk.ports import ComplaintStore
from complaintcore.rules import load_pack
from complaintcore.rules.loader import load_pack_data
from complaintcore.serialization import to_dict
from complaintcore.testing import RecordingNotifier
from tests.helpers import SH, STATUTORY_2088, intake
from tests.postgres_server import PgDatabase


def _pack(**calendar: Any) -> Any:
    data = to_dict(load_pack("cn-property"))
    data["calendar"] = {**data["calendar"], "first_year": 2088, "last_year": 2090, **calendar}
    return load_pack_data(data, "test")


def _reply_in(days: str) -> Any:
    """cn-property on the old days with DL-1's reply clock shortened to ``days``."""
    data = to_dict(load_pack("cn-property"))
    data["calendar"] = {**data["calendar"], "first_year": 2088, "last_year": 2090}
    data["clocks"] = [
        {**c, "duration": days} if c["name"] == "reply" else c for c in data["clocks"]
    ]
    return load_pack_data(data, "test")


def _calendar(pack: Any) -> WorkingCalendar:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HolidayDataWarning)  # 2089-2090 are not typed in
        return calendar_for_spec(pack.calendar)


NOTICE_2088 = {"year": 2088, "holidays": [*STATUTORY_2088], "workdays": ["2088-03-20"]}
"""A year's notice typed in: its days off (the statutory days alone, for the test) and
Sat 20 March as a make-up working day; none of its days off fall in March."""


def _desk(pack: Any, path: Path | ComplaintStore, *notifiers: RecordingNotifier) -> Desk:
    return Desk(
        pack=pack,
        store=SqliteStore(path) if isinstance(path, Path) else path,
        directory=load_sample_staff(pack=pack),
        calendar=_calendar(pack),
        notifiers=list(notifiers),
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

    notice = _pack(by_year=[NOTICE_2088])
    after = _desk(notice, path)
    assert _reply_due(after, cid, received) == datetime(2088, 3, 22, 18, 0, tzinfo=SH)
    checked = after.verify(received)
    # the reply's due time, brought forward: the next sweep and the breach list --overdue reads
    assert (
        f"complaint {cid}: projection row differs from its history (next_due, breach_due)"
        in checked.problems
    )
    assert after.reproject(received) == [cid]
    assert after.verify(received).ok
    swept = after.sweep(datetime(2088, 3, 22, 19, 0, tzinfo=SH))
    assert (cid, "reply") in swept.escalated
    after.close()


RECEIVED = datetime(2088, 3, 18, 10, 0, tzinfo=SH)
NOTICE = {"by_year": [NOTICE_2088]}
"""Sat 20 March 2088 typed in as a make-up working day (see the test above)."""
BREACHED = datetime(2088, 3, 22, 19, 0, tzinfo=SH)
"""An hour after the reply falls due on the new days (Mon 22 18:00), a day before
it fell due on the old ones (Tue 23 18:00)."""


@pytest.fixture(params=["sqlite", "postgresql"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], ComplaintStore]:
    """Opens a store on one database each call, as each process of a desk would."""
    if request.param == "sqlite":
        return lambda: SqliteStore(tmp_path / "desk.sqlite3")
    server: PgDatabase = request.getfixturevalue("postgres_server")
    schema = request.getfixturevalue("schema")
    return lambda: PostgresStore(server.dsn, schema=schema)


@pytest.mark.procedure("DL-1")
@pytest.mark.procedure("DL-7")
def test_the_next_sweep_finds_the_days_changed_and_escalates_on_the_new_day(
    open_store: Callable[[], ComplaintStore], caplog: pytest.LogCaptureFixture
) -> None:
    """No reproject run by hand: the sweep at Mon 22 19:00 rewrites the row first and
    escalates the reply breached at 18:00 on the new days (DL-7 → ESC-2)."""
    before = _desk(_pack(), open_store())
    cid = before.receive(intake(received_at=RECEIVED, receiver="SR-103"), now=RECEIVED).id
    assert before.sweep(RECEIVED).reprojected == ()  # a new desk: nothing out of date
    before.close()

    after = _desk(_pack(**NOTICE), open_store())
    with caplog.at_level(logging.INFO, logger="complaintcore"):
        swept = after.sweep(BREACHED)
    assert (cid, "reply") in swept.escalated
    assert swept.reprojected == (cid,)
    assert "reading every complaint once" in caplog.text
    assert after.verify(BREACHED).ok
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="complaintcore"):
        again = after.sweep(BREACHED)
    assert again.reprojected == ()  # kept: the next sweep reads no history for it
    assert "reading every complaint" not in caplog.text
    after.close()


@pytest.mark.procedure("DL-1")
@pytest.mark.procedure("DL-7")
def test_rows_a_process_on_the_old_days_writes_after_the_sweep_are_rewritten_by_the_next(
    open_store: Callable[[], ComplaintStore], caplog: pytest.LogCaptureFixture
) -> None:
    """A web process not restarted after the pack edit receives a complaint on the
    old days once the sweeper has brought the rows up to date under the new ones:
    its commit marks the rows mixed, and the next sweep rewrites the row and
    escalates on the new day (Mon 22 18:00, as above)."""
    sweeper = _desk(_pack(**NOTICE), open_store())
    assert sweeper.sweep(RECEIVED).reprojected == ()  # nothing stored yet
    old = _desk(_pack(), open_store())
    with caplog.at_level(logging.INFO, logger="complaintcore"):
        cid = old.receive(intake(received_at=RECEIVED, receiver="SR-103"), now=RECEIVED).id
    swept = sweeper.sweep(BREACHED)
    assert (cid, "reply") in swept.escalated
    assert swept.reprojected == (cid,)
    assert "the next sweep rewrites the rows out of date" in caplog.text
    assert sweeper.verify(BREACHED).ok
    old.close()
    sweeper.close()


@pytest.mark.procedure("DL-7")
def test_a_process_on_the_same_days_marks_nothing(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    sweeper = _desk(_pack(**NOTICE), path)
    sweeper.sweep(RECEIVED)
    other = _desk(_pack(**NOTICE), path)
    other.receive(intake(received_at=RECEIVED, receiver="SR-103"), now=RECEIVED)
    assert sweeper.sweep(BREACHED).reprojected == ()  # its row was right: nothing read again
    other.close()
    sweeper.close()


@pytest.mark.procedure("DL-7")
def test_a_desk_that_never_kept_its_basis_is_brought_up_to_date_by_its_first_sweep(
    tmp_path: Path,
) -> None:
    """A desk stored before the basis was kept (or never swept): its first sweep
    rewrites what is out of date (the receiving desk marked nothing: none was kept)."""
    path = tmp_path / "desk.sqlite3"
    before = _desk(_pack(), path)
    cid = before.receive(intake(received_at=RECEIVED, receiver="SR-103"), now=RECEIVED).id
    before.close()
    after = _desk(_pack(**NOTICE), path)
    swept = after.sweep(BREACHED)
    assert (cid, "reply") in swept.escalated
    assert swept.reprojected == (cid,)
    after.close()


def _received_and_swept_on_the_old_days(path: Path) -> str:
    """The complaint received Thu 18 March 10:00, swept then (the old basis kept)."""
    before = _desk(_pack(), path)
    cid = before.receive(intake(received_at=RECEIVED, receiver="SR-103"), now=RECEIVED).id
    before.sweep(RECEIVED)
    before.close()
    return cid


@pytest.mark.procedure("DL-7")
def test_reproject_by_hand_keeps_the_basis_so_the_sweep_reads_no_history(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "desk.sqlite3"
    cid = _received_and_swept_on_the_old_days(path)
    after = _desk(_pack(**NOTICE), path)
    assert after.reproject(RECEIVED) == [cid]
    with caplog.at_level(logging.INFO, logger="complaintcore"):
        swept = after.sweep(BREACHED)
    # nothing left to rewrite either way: only the absent full read shows the basis kept
    assert "reading every complaint" not in caplog.text
    assert swept.reprojected == ()
    assert (cid, "reply") in swept.escalated
    after.close()


@pytest.mark.procedure("DL-7")
def test_a_sweep_that_rewrites_rows_at_the_due_instant_still_warns_of_them(
    tmp_path: Path,
) -> None:
    """The daily 18:00 run after the notice: on the new days the reply is due Mon 22
    18:00 and at risk then, never warned on the old days (due Tue 23).  The sweep that
    rewrites the row at 18:00 warns (DL-7); 18:05 escalates (ESC-2)."""
    path = tmp_path / "desk.sqlite3"
    cid = _received_and_swept_on_the_old_days(path)
    after = _desk(_pack(**NOTICE), path)
    due = datetime(2088, 3, 22, 18, 0, tzinfo=SH)
    at_due = after.sweep(due)
    assert at_due.reprojected == (cid,)
    assert at_due.escalated == ()
    assert at_due.at_risk > 0
    assert (cid, "reply") in after.sweep(datetime(2088, 3, 22, 18, 5, tzinfo=SH)).escalated
    after.close()


OTHER_OWNER = Complainant("李四", "13900001111", "5-1-0301", "5", "sunrise")
"""A second owner, for a second complaint received beside the first."""


@pytest.mark.procedure("DL-1")
@pytest.mark.procedure("DL-7")
def test_a_sweep_that_rewrites_rows_at_the_due_instant_warns_of_every_one(
    tmp_path: Path,
) -> None:
    """Two owners' complaints received Thu 18 March 10:00 on the old days (reply and
    department result due Tue 23 18:00).  The notice brings both clocks of both to
    Mon 22 18:00 (Fri 19, Sat 20, Mon 22); the 18:00 sweep rewrites both rows and
    warns of both complaints' clocks, at risk before they are breached (DL-7), and
    18:05 escalates both replies (ESC-2)."""
    path = tmp_path / "desk.sqlite3"
    old = _desk(_pack(), path)
    first = old.receive(intake(received_at=RECEIVED, receiver="SR-103"), now=RECEIVED).id
    second = old.receive(
        intake("电梯停运", received_at=RECEIVED, receiver="SR-103", complainant=OTHER_OWNER),
        now=RECEIVED,
    ).id
    old.sweep(RECEIVED)
    old.close()
    told = RecordingNotifier()
    new = _desk(_pack(**NOTICE), path, told)
    due = datetime(2088, 3, 22, 18, 0, tzinfo=SH)
    at_due = new.sweep(due)
    assert sorted(at_due.reprojected) == sorted([first, second])
    assert at_due.escalated == ()
    new.deliver(due)
    for cid in (first, second):
        warned = "\n".join(
            n.body for n, _who in told.sent if n.topic == "at_risk" and n.complaint_id == cid
        )
        # the pack's names of DL-1's and DL-3's clocks (cn-property.toml)
        assert "clock: reply with the result or a reasoned explanation" in warned, cid
        assert "clock: department result to customer service" in warned, cid
    later = new.sweep(datetime(2088, 3, 22, 18, 5, tzinfo=SH))
    assert {(first, "reply"), (second, "reply")} <= set(later.escalated)
    new.close()


def _rolling_deploy(path: Path) -> tuple[Desk, Desk, str]:
    """A desk on the old days (the complaint received and swept, its basis kept) and
    one on the new days, on one file: two sweepers of a rolling deploy."""
    old = _desk(_pack(), path)
    cid = old.receive(intake(received_at=RECEIVED, receiver="SR-103"), now=RECEIVED).id
    old.sweep(RECEIVED)
    return old, _desk(_pack(**NOTICE), path), cid


def _new_sweep_once_old_claims(monkeypatch: pytest.MonkeyPatch, old: Desk, new: Desk) -> list[Any]:
    """Two sweeps interleaved: the new one runs whole while the old one holds its
    claim; its report lands in the list."""
    claim = old.store.claim_due
    overlapped: list[Any] = []

    def claim_then_the_new_sweep(now: datetime, limit: int) -> Any:
        claimed = claim(now, limit)
        if not overlapped:
            overlapped.append(new.sweep(now))
        return claimed

    monkeypatch.setattr(old.store, "claim_due", claim_then_the_new_sweep)
    return overlapped


@pytest.mark.procedure("DL-7")
def test_an_old_sweep_overlapping_the_first_new_one_marks_the_rows_it_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two sweepers in a rolling deploy: the old one has claimed the complaint when the
    new one runs whole.  The new one rewrites the row, whose breach came forward to
    Mon 22 18:00 on the new days (``breach_due``: ``list --overdue`` must see it), and
    a row written ends a claim, so it also escalates the reply, breached since then.
    The old one then writes the row on the old days (no escalation: at Tue 23 11:00
    nothing is breached on them).  It marks the rows after its run, so the next new
    sweep rewrites the row again, and the reply stays escalated once."""
    path = tmp_path / "desk.sqlite3"
    old, new, cid = _rolling_deploy(path)
    overlapped = _new_sweep_once_old_claims(monkeypatch, old, new)
    assert old.sweep(datetime(2088, 3, 23, 11, 0, tzinfo=SH)).escalated == ()
    assert overlapped[0].reprojected == (cid,)
    assert (cid, "reply") in overlapped[0].escalated
    swept = new.sweep(datetime(2088, 3, 23, 11, 5, tzinfo=SH))
    assert swept.reprojected == (cid,)
    assert swept.escalated == ()
    assert [e.kind for e in new.get(cid).events].count("escalated") == 1
    assert new.verify(datetime(2088, 3, 23, 11, 5, tzinfo=SH)).ok
    old.close()
    new.close()


@pytest.mark.procedure("DL-7")
def test_bulk_intake_reads_the_kept_basis_once_a_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = _desk(_pack(), tmp_path / "desk.sqlite3")
    desk.sweep(RECEIVED)  # a basis kept: each commit compares with it
    store = desk.store
    assert isinstance(store, SqliteStore)
    reads: list[int] = []
    read = store.projection_basis

    def counted() -> str | None:
        reads.append(1)
        return read()

    monkeypatch.setattr(store, "projection_basis", counted)
    batch = [
        intake(
            f"楼道灯坏了 {i} 号", received_at=RECEIVED, receiver="SR-103", idempotency_key=f"k-{i}"
        )
        for i in range(6)
    ]
    received = list(desk.receive_many(batch, now=RECEIVED, batch=10))
    assert len(received) == 6
    assert len(reads) == 1
    desk.close()


@pytest.mark.procedure("DL-7")
def test_a_deadline_the_notice_moves_onto_a_warned_one_is_warned_of_too(
    tmp_path: Path,
) -> None:
    """SR-201 promises Mon 22 18:00 (DL-5); the Mon 10:00 sweep on the old days warns of
    the promise only (reply and department result are due Tue 23 18:00 there).  The
    notice then brings both forward to Mon 22 18:00, at risk since 10:48: the row
    waits for 18:00 either way, and the sweep then must warn of them before they
    pass (DL-7)."""
    path = tmp_path / "desk.sqlite3"
    told = RecordingNotifier()
    old = _desk(_pack(), path, told)
    cid = old.receive(intake(received_at=RECEIVED, receiver="SR-103"), now=RECEIVED).id
    promised = datetime(2088, 3, 22, 18, 0, tzinfo=SH)
    old.act(
        cid,
        Promise(actor="SR-201", due=promised, note="周一下班前修好"),
        now=datetime(2088, 3, 18, 11, 0, tzinfo=SH),
    )
    assert old.sweep(datetime(2088, 3, 22, 10, 0, tzinfo=SH)).at_risk > 0
    old.close()
    new = _desk(_pack(**NOTICE), path, told)
    assert new.sweep(promised).escalated == ()
    new.deliver(promised)
    warned = "\n".join(n.body for n, _who in told.sent if n.topic == "at_risk")
    # the pack's names of DL-1's and DL-3's clocks (cn-property.toml)
    assert "clock: reply with the result or a reasoned explanation" in warned
    assert "clock: department result to customer service" in warned
    new.close()


@pytest.mark.procedure("DL-7")
def test_a_row_another_sweep_rewrote_meanwhile_is_not_reported_reprojected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first sweeps after an upgrade, two at once: while one reads every complaint,
    the other escalates the reply breached Mon 22 18:00 and writes its row.  The
    first finds the row up to date (nothing changed the days) and neither rewrites
    nor reports it."""
    path = tmp_path / "desk.sqlite3"
    cid = (
        _desk(_pack(**NOTICE), path)
        .receive(intake(received_at=RECEIVED, receiver="SR-103"), now=RECEIVED)
        .id
    )
    with SqliteStore(path) as store:  # the digest an earlier release kept
        store.keep_projection_basis("0" * 64)
    first, other = _desk(_pack(**NOTICE), path), _desk(_pack(**NOTICE), path)
    load = first.store.load
    meanwhile: list[Any] = []

    def load_after_the_other_sweep(complaint_id: str) -> Any:
        if not meanwhile:
            meanwhile.append(other.sweep(BREACHED))
        return load(complaint_id)

    monkeypatch.setattr(first.store, "load", load_after_the_other_sweep)
    swept = first.sweep(BREACHED)
    assert (cid, "reply") in meanwhile[0].escalated
    assert swept.reprojected == ()
    assert swept.escalated == ()  # escalated once, by the other
    assert first.verify(BREACHED).ok


SOON_AFTER = datetime(2088, 3, 18, 10, 5, tzinfo=SH)
"""Five minutes after the first complaint: a second one arrives, and a sweep runs."""


def _receives_once_rows_are_listed(
    monkeypatch: pytest.MonkeyPatch, sweeper: Desk, writer: Desk
) -> list[str]:
    """Two processes interleaved: ``writer`` receives complaint B right after
    ``sweeper``'s reproject has listed the rows it checks; B's id lands in the list."""
    listed = sweeper.store.rows
    received: list[str] = []

    def listed_then_received(**filters: Any) -> Any:
        rows = list(listed(**filters))
        if not received:
            b = intake(
                "电梯停运", received_at=SOON_AFTER, receiver="SR-103", complainant=OTHER_OWNER
            )
            received.append(writer.receive(b, now=SOON_AFTER).id)
        return iter(rows)

    monkeypatch.setattr(sweeper.store, "rows", listed_then_received)
    return received


@pytest.mark.procedure("DL-1")
@pytest.mark.procedure("DL-7")
def test_rows_an_old_process_marks_while_the_sweep_rewrites_them_are_rewritten_by_the_next(
    open_store: Callable[[], ComplaintStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first sweep on the new days has listed the rows it checks when a process
    still on the old days receives complaint B (reply due Tue 23 18:00 on them) and
    marks the rows mixed.  The sweep keeps its basis only in place of its own
    underway value (a compare-and-set), so the mark stands: the next sweep rewrites
    B's row and escalates B's reply, due Mon 22 18:00 on the new days (ESC-2)."""
    old = _desk(_pack(), open_store())
    a = old.receive(intake(received_at=RECEIVED, receiver="SR-103"), now=RECEIVED).id
    old.sweep(RECEIVED)  # the old days' basis kept
    new = _desk(_pack(**NOTICE), open_store())
    received = _receives_once_rows_are_listed(monkeypatch, new, old)
    assert new.sweep(SOON_AFTER).reprojected == (a,)
    monkeypatch.undo()
    (b,) = received
    swept = new.sweep(BREACHED)
    assert swept.reprojected == (b,)
    assert {(a, "reply"), (b, "reply")} <= set(swept.escalated)
    assert new.verify(BREACHED).ok
    old.close()
    new.close()


@pytest.mark.procedure("DL-7")
def test_a_process_on_the_new_days_committing_while_the_sweep_rewrites_marks_nothing(
    open_store: Callable[[], ComplaintStore],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A web process restarted on the new days receives a complaint while the first
    sweep on them rewrites the rows: it commits under the basis being brought in, so
    it marks nothing, the sweep keeps its basis and the next sweep reads no history
    (on a busy desk every rewrite meets such a commit)."""
    old = _desk(_pack(), open_store())
    old.receive(intake(received_at=RECEIVED, receiver="SR-103"), now=RECEIVED)
    old.sweep(RECEIVED)
    old.close()
    new, web = _desk(_pack(**NOTICE), open_store()), _desk(_pack(**NOTICE), open_store())
    received = _receives_once_rows_are_listed(monkeypatch, new, web)
    with caplog.at_level(logging.INFO, logger="complaintcore"):
        new.sweep(SOON_AFTER)
    assert received
    assert "reading every complaint once" in caplog.text  # the days changed: read once
    assert "the next sweep rewrites" not in caplog.text  # nothing marked, nothing kept back
    monkeypatch.undo()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="complaintcore"):
        again = new.sweep(datetime(2088, 3, 18, 10, 10, tzinfo=SH))
    assert again.reprojected == ()
    assert "reading every complaint" not in caplog.text
    web.close()
    new.close()


@pytest.mark.procedure("DL-1")
@pytest.mark.procedure("DL-7")
def test_a_calendar_set_on_a_live_desk_is_noticed_by_its_next_sweep(tmp_path: Path) -> None:
    """``desk.calendar = …`` with the notice's days, on the desk that swept under the old
    ones: its next sweep rewrites the row and escalates the reply on Mon 22, as a
    restarted process would."""
    desk = _desk(_pack(), tmp_path / "desk.sqlite3")
    cid = desk.receive(intake(received_at=RECEIVED, receiver="SR-103"), now=RECEIVED).id
    desk.sweep(RECEIVED)  # the old days' basis kept
    desk.calendar = _calendar(_pack(**NOTICE))
    swept = desk.sweep(BREACHED)
    assert swept.reprojected == (cid,)
    assert (cid, "reply") in swept.escalated
    desk.close()


@pytest.mark.procedure("DL-1")
@pytest.mark.procedure("DL-7")
def test_a_pack_set_on_a_live_desk_is_noticed_by_its_next_sweep(tmp_path: Path) -> None:
    """``desk.pack = …`` with the reply shortened to 2 working days, on the old days: from
    Thu 18 March 10:00 they are Fri 19 and Mon 22, so the reply is due Mon 22 18:00
    (not Tue 23) and the next sweep rewrites the row and escalates it at 19:00."""
    desk = _desk(_pack(), tmp_path / "desk.sqlite3")
    cid = desk.receive(intake(received_at=RECEIVED, receiver="SR-103"), now=RECEIVED).id
    desk.sweep(RECEIVED)  # the three-day pack's basis kept
    desk.pack = _reply_in("2d")
    assert _reply_due(desk, cid, RECEIVED) == datetime(2088, 3, 22, 18, 0, tzinfo=SH)
    swept = desk.sweep(BREACHED)
    assert swept.reprojected == (cid,)
    assert (cid, "reply") in swept.escalated
    desk.close()


@pytest.mark.procedure("DL-7")
def test_the_first_sweep_after_upgrading_complaintcore_reads_every_complaint_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A new release may compute clocks differently: its first sweep reads every
    complaint (here finding nothing to rewrite), keeps the new basis, and the sweep
    after it reads none."""
    path = tmp_path / "desk.sqlite3"
    before = _desk(_pack(), path)
    before.receive(intake(received_at=RECEIVED, receiver="SR-103"), now=RECEIVED)
    before.sweep(RECEIVED)
    assert isinstance(before.store, SqliteStore)
    kept = before.store.projection_basis()
    before.close()
    monkeypatch.setattr(service, "__version__", "99.0.0")  # the release the desk runs
    after = _desk(_pack(), path)
    with caplog.at_level(logging.INFO, logger="complaintcore"):
        swept = after.sweep(SOON_AFTER)
    assert "reading every complaint once" in caplog.text
    assert swept.reprojected == ()  # the same rules in this stand-in release
    assert isinstance(after.store, SqliteStore)
    assert after.store.projection_basis() not in (None, kept)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="complaintcore"):
        after.sweep(datetime(2088, 3, 18, 10, 10, tzinfo=SH))
    assert "reading every complaint" not in caplog.text
    after.close()


def _locked(path: Path) -> Callable[..., bool]:
    """A store whose kept basis cannot be written (another writer holds the database)."""

    def keep_projection_basis(basis: str, *, instead_of: str | None = None) -> bool:
        raise StoreError(str(path), "database is locked")

    return keep_projection_basis


MARK_FAILED = "could not mark the rows written under another basis"


@pytest.mark.procedure("DL-7")
def test_a_failed_mark_after_a_commit_leaves_receive_and_act_standing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A process on the old days commits after the sweeper brought the rows to the new
    ones, and cannot mark them: the commit stands, so ``receive`` and ``act`` return
    (a caller told of an error would file the owner's complaint twice), and the
    failure is logged without personal data (PRV-1)."""
    path = tmp_path / "desk.sqlite3"
    new = _desk(_pack(**NOTICE), path)
    new.sweep(RECEIVED)  # the new days' basis kept
    old = _desk(_pack(), path)  # not restarted
    monkeypatch.setattr(old.store, "keep_projection_basis", _locked(path))
    promised = datetime(2088, 3, 22, 18, 0, tzinfo=SH)
    with caplog.at_level(logging.INFO, logger="complaintcore"):
        cid = old.receive(intake(received_at=RECEIVED, receiver="SR-103"), now=RECEIVED).id
        old.act(cid, Promise(actor="SR-201", due=promised), now=SOON_AFTER)
    assert [row.id for row in new.store.rows()] == [cid]
    last = new.store.load(cid).events[-1]
    assert isinstance(last, Promised)
    assert last.due == promised
    failed = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [MARK_FAILED in r.getMessage() for r in failed] == [True, True]
    assert "database is locked" in failed[0].getMessage()
    for personal in ("王小明", "13812345678", "3-2-1201"):
        assert personal not in caplog.text
    old.close()
    new.close()


@pytest.mark.procedure("DL-7")
def test_a_failed_mark_after_a_sweep_leaves_the_sweep_standing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The old sweep of the rolling deploy above (it writes the row on the old days
    while the new one runs whole) cannot mark the rows after its run: what it swept
    stands, and it reports as usual."""
    path = tmp_path / "desk.sqlite3"
    old, new, _cid = _rolling_deploy(path)
    overlapped = _new_sweep_once_old_claims(monkeypatch, old, new)
    monkeypatch.setattr(old.store, "keep_projection_basis", _locked(path))
    with caplog.at_level(logging.INFO, logger="complaintcore"):
        swept = old.sweep(datetime(2088, 3, 23, 11, 0, tzinfo=SH))
    assert swept.examined == 1
    assert overlapped[0].reprojected  # the row it rewrote ended the old sweep's claim
    failed = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert [m.startswith(MARK_FAILED) for m in failed] == [True]
    old.close()
    new.close()


@pytest.mark.procedure("DL-7")
def test_a_store_failing_while_rows_are_rewritten_stops_the_reproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row out of date is read again before it is rewritten; the store failing then
    (a lost connection, a lock timeout) is the store's failure, not one complaint
    skipped: the reproject stops, keeps no basis, and the next sweep starts again."""
    path = tmp_path / "desk.sqlite3"
    cid = _received_and_swept_on_the_old_days(path)
    after = _desk(_pack(**NOTICE), path)
    kept = after.store.projection_basis()  # type: ignore[attr-defined]

    def failing(complaint_id: str) -> Any:
        raise StoreError(str(path), "is locked by another writer")

    monkeypatch.setattr(after.store, "row", failing)
    with pytest.raises(StoreError):
        after.sweep(BREACHED)
    monkeypatch.undo()
    assert after.store.projection_basis() != kept  # type: ignore[attr-defined]
    swept = after.sweep(BREACHED)
    assert swept.reprojected == (cid,)
    assert (cid, "reply") in swept.escalated
    after.close()
