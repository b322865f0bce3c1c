"""Closing a desk while its delivery thread sends (a command line's last step, a
host shutting down): nothing crashes, what was not sent waits in the outbox
without a counted attempt, and the store is not closed under the thread."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import attrs

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.errors import InvalidInputError
from complaintcore.desk.ports import Notification, StaffMember
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import T0, intake


class SlowNotifier(RecordingNotifier):
    """Takes a while per message, as a mail server far away does."""

    def __init__(self) -> None:
        super().__init__("slow")
        self.started = threading.Event()

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        self.started.set()
        time.sleep(0.2)
        super().send(notification, recipient)


def _outbox(db: Path) -> list[tuple[int, str, str | None]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT attempts, last_error, delivered_at FROM outbox").fetchall()


def test_closing_mid_delivery_keeps_the_rest_queued_without_an_attempt(tmp_path: Path) -> None:
    db = tmp_path / "d.sqlite3"
    slow = SlowNotifier()
    desk = make_desk(store=SqliteStore(db), notifiers=[slow])
    for i in range(6):
        desk.receive(attrs.evolve(intake(), summary=f"楼上漏水 {i}", receiver="SR-103"), now=T0)
    queued = len(_outbox(db))
    assert queued > 3  # more than the thread can send before the close
    desk.start_delivery(clock=lambda: T0 + timedelta(minutes=1))
    assert slow.started.wait(5)
    desk.close()
    assert not [t for t in threading.enumerate() if t.name == "complaintcore-delivery"]
    rows = _outbox(db)
    delivered = [r for r in rows if r[2] is not None]
    waiting = [r for r in rows if r[2] is None]
    assert len(delivered) == len(slow.sent) >= 1
    assert waiting  # closed before the backlog was through …
    assert all(attempts == 0 and error == "" for attempts, error, _ in waiting)  # … not failed


def test_what_a_closed_desk_claimed_and_never_sent_the_next_deliver_sends_at_once(
    tmp_path: Path,
) -> None:
    """A command exits while its delivery thread sends (docs/cli.md: "what is left
    waits for `deliver` or the next command"): the messages its pass had claimed
    and not begun are handed back, so a `deliver` a minute later, well within the
    five-minute claim, sends every one of them; the one in flight was sent."""
    db = tmp_path / "d.sqlite3"
    slow = SlowNotifier()
    desk = make_desk(store=SqliteStore(db), notifiers=[slow])
    for i in range(6):
        desk.receive(attrs.evolve(intake(), summary=f"楼上漏水 {i}", receiver="SR-103"), now=T0)
    claimed_at = T0 + timedelta(minutes=1)
    desk.start_delivery(clock=lambda: claimed_at)
    assert slow.started.wait(5)
    desk.close()
    waiting = [r for r in _outbox(db) if r[2] is None]
    assert waiting
    assert len(slow.sent) >= 1
    later = RecordingNotifier("slow")
    with make_desk(store=SqliteStore(db), notifiers=[later]) as next_command:
        report = next_command.deliver(claimed_at + timedelta(minutes=1))
    assert (report.sent, report.failed) == (len(waiting), 0)
    assert not set(later.keys) & set(slow.keys)  # none sent twice
    assert all(delivered is not None for _, _, delivered in _outbox(db))


def test_closing_the_store_leaves_another_threads_connection_alone(tmp_path: Path) -> None:
    """Closing a connection under a statement another thread runs crashes the
    process; the store leaves it to that thread, which is refused on its next call."""
    store = SqliteStore(tmp_path / "d.sqlite3")
    store.rows()  # this thread's connection
    opened, go_on = threading.Event(), threading.Event()
    seen: list[object] = []

    def other() -> None:
        cursor = store._conn().execute("SELECT 1 UNION ALL SELECT 2")  # a statement under way
        cursor.fetchone()
        opened.set()
        go_on.wait(5)
        try:
            seen.append(cursor.fetchone())
            store.rows()
        except (InvalidInputError, sqlite3.ProgrammingError) as exc:
            seen.append(exc)

    thread = threading.Thread(target=other)
    thread.start()
    assert opened.wait(5)
    store.close()
    go_on.set()
    thread.join(5)
    assert seen[0] == (2,)  # its statement ran on
    assert isinstance(seen[1], InvalidInputError)  # the next call: closed
    assert "closed" in str(seen[1])


class Clock:
    """A clock the notifier moves on: each send takes nine seconds of it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def test_a_long_pass_keeps_its_later_batches_from_another_worker(tmp_path: Path) -> None:
    """A worker whose sends are slow claims each batch when it reaches it: another
    process delivering more than five minutes into the pass finds nothing of this
    worker's to send again (a lease counted from the pass's start had expired)."""
    db = tmp_path / "d.sqlite3"
    began = T0 + timedelta(minutes=1)
    clock = Clock(began)
    others: list[str] = []

    class Slow(RecordingNotifier):
        def send(self, notification: Notification, recipient: StaffMember | None) -> None:
            super().send(notification, recipient)
            clock.now += timedelta(seconds=9)  # under the send timeout (10 s)
            if not others and clock.now > began + timedelta(minutes=5, seconds=30):
                # another process's pass, once, well into this one
                other = RecordingNotifier("slow")
                with make_desk(store=SqliteStore(db), notifiers=[other]) as rival:
                    rival.deliver(clock.now)
                others.extend(other.keys or ["(nothing)"])

    slow = Slow("slow")
    desk = make_desk(store=SqliteStore(db), notifiers=[slow])
    for i in range(30):
        desk.receive(attrs.evolve(intake(), summary=f"楼上漏水 {i}", receiver="SR-103"), now=T0)
    assert len(_outbox(db)) * 9 > 7 * 60  # the pass outlasts a five-minute lease
    desk.deliver(clock.now, clock=clock)
    desk.close()
    assert others  # the rival came (and took what nobody had claimed yet) …
    sent_twice = set(slow.keys) & set(others)
    assert not sent_twice  # … but nothing this worker had claimed
    assert len(set(slow.keys) | set(others) - {"(nothing)"}) == len(_outbox(db))


def test_a_hung_channel_does_not_starve_the_others(tmp_path: Path) -> None:
    """notifications.md: a channel that is down loses nothing and holds back only
    its own messages.  One that never returns keeps the threads it took; once it
    holds as many as the desk sends at once, its items wait (no attempt spent)."""
    from complaintcore.adapters.calendars import calendar_for_spec
    from complaintcore.adapters.staff import load_sample_staff
    from complaintcore.desk import Desk
    from complaintcore.rules import load_pack

    release = threading.Event()

    class Hung(RecordingNotifier):
        def send(self, notification: Notification, recipient: StaffMember | None) -> None:
            release.wait(30)

    ok = RecordingNotifier("ok")
    pack = load_pack("cn-property")
    db = tmp_path / "d.sqlite3"
    desk = Desk(
        pack=pack,
        store=SqliteStore(db),
        directory=load_sample_staff(pack=pack),
        calendar=calendar_for_spec(pack.calendar),
        notifiers=[Hung("hung"), ok],
        send_timeout=0.2,
        send_threads=1,
    )
    try:
        for i in range(6):
            desk.receive(attrs.evolve(intake(), summary=f"楼上漏水 {i}", receiver="SR-103"), now=T0)
        for hours in (1, 3, 5):
            desk.deliver(T0 + timedelta(hours=hours))
        with sqlite3.connect(db) as conn:
            rows = conn.execute(
                "SELECT notifier, attempts, delivered_at FROM outbox ORDER BY id"
            ).fetchall()
        mine = [r for r in rows if r[0] == "ok"]
        assert mine
        assert all(delivered is not None for _, _, delivered in mine)  # every one sent
        assert len(ok.sent) == len(mine)
        spent = sum(attempts for name, attempts, _ in rows if name == "hung")
        assert spent == 1  # the one send that took the only thread; the rest wait
    finally:
        release.set()
        desk.close()
