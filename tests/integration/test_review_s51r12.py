"""Review s51R12.

F01: a delivery process of the previous release (SQLite schema 26, PostgreSQL 25) still
running after the upgrade fails messages without moving ``waits_from``: its failed
attempt bumps ``attempts`` and ``next_attempt_at`` only.  ``verify`` named such a
message "due later than any retry of this desk puts it" (an alarm of tampering for a
message nobody edited).  Now the store keeps the attempt count ``waits_from`` was set
at, and judges a message only while its count is still that one.

F02: a duty run waived from its start, made owed by the step that lifts the waiver
(told then, its first message) and owed throughout to a reopening (``resume``), was
told a second time at the reopening with the same due time.

F03: a host store subclassing a built-in store and overriding ``mark_failed`` with the
documented ``ComplaintStore`` signature crashed every failed delivery (``TypeError``:
the desk passed ``attempted_at``).  Now the desk records a failed attempt through the
separately named ``RetryHealthStore.mark_failed_at``, and the built-in stores call
such an override.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
import pytest

from complaintcore import Desk, RetryHealthStore
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.rulepack import ReopenPolicy
from complaintcore.desk.delivery import SendTimeoutError
from complaintcore.desk.ports import Notification, StaffMember
from complaintcore.testing import FailingNotifier, make_desk
from tests.integration.test_delivery_off_intake import T0, intakes
from tests.integration.test_review_s51c import (
    FIRST_DUE,
    closed_then_reopened,
    resolve_duty,
    told,
    waiting,
)
from tests.integration.test_review_s51c import down as down  # the fixture
from tests.integration.test_tamper_evidence import Attacker
from tests.integration.test_tamper_evidence import attacker as attacker  # the fixture

AFTER = T0 + timedelta(days=7)


# --------------------------------------------------------------------------- F01


OLD_FAILURE = (
    "UPDATE {s}.outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,"
    " claimed_until = NULL, claim_offset = NULL WHERE tenant = ? AND id = ?"
)
"""A failed attempt as the previous release's ``mark_failed`` records it: no
``waits_from`` (the column is not known to it)."""


def test_failures_by_a_process_of_the_previous_release_are_not_reported(
    down: tuple[Desk, FailingNotifier], attacker: Attacker
) -> None:
    """Queued at ``T0`` by this release, then failed ten times about an hour apart by a
    worker of the previous one (the last due ten hours after ``T0``, far past the
    hour and five minutes counted from the queueing): nobody edited it."""
    desk, _hook = down
    item_id = waiting(desk)[0][0]
    for n in range(1, 11):
        attacker.run(
            OLD_FAILURE, "ConnectionError: down", T0 + timedelta(hours=n), "default", item_id
        )
    assert waiting(desk)[0][:2] == (item_id, 10)
    assert desk.verify(T0 + timedelta(hours=9, minutes=30)).ok


def test_a_failure_of_this_release_after_the_previous_ones_is_judged_again(
    down: tuple[Desk, FailingNotifier], attacker: Attacker
) -> None:
    """The old worker's failures, then one of this release: the wait counts from that
    attempt again, and a retry time then moved by hand is named."""
    desk, _hook = down
    item_id = waiting(desk)[0][0]
    for n in range(1, 4):
        attacker.run(
            OLD_FAILURE, "ConnectionError: down", T0 + timedelta(hours=n), "default", item_id
        )
    desk.deliver(T0 + timedelta(hours=3))  # this release fails it: attempts 4
    assert waiting(desk)[0][:2] == (item_id, 4)
    assert desk.verify(AFTER).ok
    attacker.run(
        "UPDATE {s}.outbox SET next_attempt_at = ? WHERE tenant = ? AND id = ?",
        "2999-01-01T00:00:00.000000+00:00",
        "default",
        item_id,
    )
    [problem] = desk.verify(AFTER).problems
    assert problem.startswith(f"outbox item {item_id}: due later than any retry")


# --------------------------------------------------------------------------- F02


def test_a_run_first_told_when_its_waiver_was_lifted_is_not_told_again_at_a_reopening() -> None:
    """Waived from its start (the registering unit's tag: nobody told at
    registration), owed from the valid assessment (Thu 18 June 09:30: told then), not
    discharged by closing (``stop = reported``), resumed at the reopening (Mon 22 June
    10:30): owed throughout from the assessment, so told once."""
    duty = attrs.evolve(
        resolve_duty(ReopenPolicy.RESUME, stop="reported"),
        waive=("registered:customer_service",),
        unwaive=("assessed:valid",),
    )
    desk, notes, cid = closed_then_reopened(duty)
    with desk:
        [status] = [
            d
            for d in desk.duties(cid, datetime.fromisoformat("2026-06-22T11:00+08:00"))
            if d.name == "resolve"
        ]
        assert status.owed
        assert told(desk, notes, cid) == [("SR-101", FIRST_DUE)]


# --------------------------------------------------------------------------- F03


class LoggingSqliteStore(SqliteStore):
    """A host's store: the built-in one, logging each failure through an override with
    the documented ``ComplaintStore.mark_failed(item_id, error, retry_at)``."""

    failed: list[int]

    def mark_failed(self, item_id: int, error: str, retry_at: datetime) -> None:
        self.failed.append(item_id)
        super().mark_failed(item_id, error, retry_at)


class LoggingMemoryStore(MemoryStore):
    """The same on the in-memory store, logging held failures too."""

    failed: list[int]

    def mark_failed(self, item_id: int, error: str, retry_at: datetime) -> None:
        self.failed.append(item_id)
        super().mark_failed(item_id, error, retry_at)

    def mark_failed_held(self, item_id: int, error: str, retry_at: datetime) -> None:
        self.failed.append(-item_id)
        super().mark_failed_held(item_id, error, retry_at)


@pytest.mark.parametrize("kind", ["sqlite", "memory"])
def test_a_host_store_overriding_mark_failed_keeps_working(kind: str, tmp_path: object) -> None:
    """A failed send is recorded through the host's override, as a failed attempt due
    again later; the next pass, the channel up, delivers it; verify is clean."""
    from pathlib import Path

    store: LoggingSqliteStore | LoggingMemoryStore
    store = (
        LoggingSqliteStore(Path(str(tmp_path)) / "a.db")
        if kind == "sqlite"
        else LoggingMemoryStore()
    )
    store.failed = []
    hook = FailingNotifier("hostapi")
    desk = make_desk(store=store, notifiers=[hook])
    with desk:
        list(desk.receive_many(list(intakes(1, T0)), now=T0))
        assert desk.deliver(T0).failed == 1
        [(item_id, attempts, due)] = waiting(desk)
        assert (attempts, store.failed) == (1, [item_id])
        assert due is not None
        assert due > T0
        assert isinstance(store, RetryHealthStore)
        assert desk.verify(T0 + timedelta(minutes=1)).ok
        hook.down = False
        desk.deliver(AFTER)
        assert waiting(desk) == []


class TimingOut(FailingNotifier):
    """A channel whose sends time out (the desk stopped waiting; it may get through)."""

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        raise SendTimeoutError(10)


def test_a_host_store_overriding_mark_failed_held_is_called_for_a_timed_out_send() -> None:
    """A send that timed out is held (it may still get through) through the host's
    ``mark_failed_held`` override."""
    store = LoggingMemoryStore()
    store.failed = []
    hook = TimingOut("hostapi")
    desk = make_desk(store=store, notifiers=[hook])
    with desk:
        list(desk.receive_many(list(intakes(1, T0)), now=T0))
        desk.deliver(T0)
        [(item_id, attempts, _due)] = waiting(desk)
        assert (attempts, store.failed) == (1, [-item_id])


def test_the_test_plugins_store_keeps_working_on_a_failed_delivery(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The repo's own test plugin (``tests/plugin_dist``): ``PluginStore(MemoryStore)``
    without overrides, a ``RetryHealthStore`` by inheritance: its failures keep the
    desk's time, and verify is clean."""
    import importlib
    import sys
    from pathlib import Path

    from complaintcore.desk.config import DeskConfig

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "plugin_dist" / "src"))
    monkeypatch.delitem(sys.modules, "complaintcore_testplugin", raising=False)
    plugin = importlib.import_module("complaintcore_testplugin")
    store = plugin.PluginStore(DeskConfig())
    assert isinstance(store, RetryHealthStore)
    desk = make_desk(store=store, notifiers=[FailingNotifier("hostapi")])
    with desk:
        list(desk.receive_many(list(intakes(1, T0)), now=T0))
        ahead = T0 + timedelta(days=3650)  # a catch-up pass: counted from its ``now``
        assert desk.deliver(ahead).failed == 1
        assert [a for _, a, _ in waiting(desk)] == [1]
        assert desk.verify(ahead).ok
    monkeypatch.delitem(sys.modules, "complaintcore_testplugin", raising=False)
