"""A desk a host drops without :meth:`Desk.close` (one per job or request, closing
only its store) leaves neither itself nor its sending threads behind: a finished
send's thread no longer holds the desk through the send it ran, and a thread idle
for ``IDLE_SECONDS`` ends.  Before, each such desk kept four idle threads and all
its caches for the life of the process."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from datetime import datetime
from pathlib import Path

import pytest

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.models import Complainant, Intake
from complaintcore.desk import Desk, delivery
from complaintcore.rules import load_pack
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH


def _used_desk(tmp_path: Path, notes: RecordingNotifier) -> Desk:
    staff = list(load_sample_staff(pack=load_pack("cn-property")).members())
    desk = make_desk(staff=staff, notifiers=[notes], store=SqliteStore(tmp_path / "d.sqlite3"))
    _receive(desk, 1)
    return desk


def _receive(desk: Desk, n: int) -> None:
    now = datetime(2025, 11, 3, 10, n, tzinfo=SH)
    owner = Complainant(f"业主{n}", f"1380000{n:04d}", f"2-1-{n}01", "2", "sunrise")
    desk.receive(
        Intake(
            complainant=owner,
            channel="phone",
            received_at=now,
            receiver="SR-103",
            summary="楼上漏水",
            site="sunrise",
        ),
        now=now,
    )
    desk.deliver(now)


def _senders() -> set[threading.Thread]:
    """The sending threads alive now (another test's may still be ending, so a test
    compares sets of threads, not counts)."""
    return {t for t in threading.enumerate() if t.name == "complaintcore-send" and t.is_alive()}


def test_a_desk_dropped_without_close_is_collected(tmp_path: Path) -> None:
    notes = RecordingNotifier()
    desk = _used_desk(tmp_path, notes)
    assert notes.sent  # its messages went through the sending threads
    desk.store.close()
    gone = weakref.ref(desk)
    del desk
    gc.collect()
    assert gone() is None


def test_idle_sending_threads_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delivery, "IDLE_SECONDS", 0.2)
    before = _senders()
    notes = RecordingNotifier()
    desk = _used_desk(tmp_path, notes)
    assert notes.sent
    started = _senders() - before
    assert started
    deadline = time.monotonic() + 10
    while started & _senders() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not started & _senders()
    sent = len(notes.sent)
    _receive(desk, 2)  # the desk still sends once they ended: new ones start
    assert len(notes.sent) > sent
    desk.close()
