"""Review s54R6 F01: a never-tried message put off by an insider, its wait columns edited.

A message never tried since its queueing or its retry by hand (``attempts`` 0) moved
to 2099 was named by ``verify`` only while ``waits_from`` (the time its wait counts
from) and ``waits_at`` (the attempts kept with it) were as the library wrote them:
blanking ``waits_from``, setting ``waits_at`` to 1, or moving ``waits_from`` as far
ahead hid it, and the message was never sent nor became a dead letter.  Those columns
are covered by no seal or ledger.  Now such a message is judged from the later of its
queueing (``created_at``, fixed by the ledger) and the check's ``now``, whatever they
say: a retry by hand makes a message due at that retry's ``now``, never later.  On
SQLite and PostgreSQL (guard triggers off) and the memory store.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from complaintcore import Desk
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.desk.service import _overlong_retries
from complaintcore.testing import FailingNotifier, make_desk
from tests.integration.test_delivery_off_intake import T0, intakes
from tests.integration.test_review_s51c import DUE_TOO_LATE, waiting
from tests.integration.test_review_s51c import down as down  # the fixture
from tests.integration.test_tamper_evidence import Attacker
from tests.integration.test_tamper_evidence import attacker as attacker  # the fixture

PUT_OFF = "2099-01-01T00:00:00.000000+00:00"
LATER = T0 + timedelta(days=7)


def put_off(attacker: Attacker, item_id: int, also: str) -> None:
    attacker.run(
        f"UPDATE {{s}}.outbox SET next_attempt_at = ?, {also} WHERE tenant = ? AND id = ?",
        PUT_OFF,
        "default",
        item_id,
    )


@pytest.mark.parametrize(
    "also",
    [
        "waits_from = NULL",  # the wait's start blanked
        "waits_at = 1",  # the attempts kept with it changed, attempts left at 0
        "waits_from = next_attempt_at",  # looks like a retry by hand at 2099
        "waits_from = next_attempt_at, waits_at = NULL",
    ],
)
def test_a_never_tried_message_put_off_is_named_whatever_its_wait_columns_say(
    down: tuple[Desk, FailingNotifier], attacker: Attacker, also: str
) -> None:
    desk, _hook = down
    assert desk.verify(LATER).ok
    item_id, attempts, _due = waiting(desk)[0]
    assert attempts == 0
    put_off(attacker, item_id, also)
    problem = f"outbox item {item_id}: {DUE_TOO_LATE}"
    assert desk.verify(LATER).problems == (problem,)
    head = desk.store.verify().head
    assert desk.verify(LATER, expect=head).problems == (problem,)
    desk.retry_message(item_id, LATER)  # what 'outbox retry' calls
    assert desk.verify(LATER).ok


def test_a_message_retried_by_hand_long_after_its_queueing_is_no_problem(
    down: tuple[Desk, FailingNotifier],
) -> None:
    """A dead letter retried days after its queueing is due at that retry's ``now``:
    later than its queueing plus the longest wait, not later than the check's time."""
    desk, _hook = down
    desk.deliver(T0)  # fails: a worker's backoff (attempts 1)
    desk.deliver(T0 + timedelta(hours=2))  # and again
    assert all(a >= 1 for _, a, _ in waiting(desk))
    assert desk.verify(T0 + timedelta(hours=2)).ok  # a worker's normal backoff
    item_id = waiting(desk)[0][0]
    desk.retry_message(item_id, LATER)
    assert (item_id, 0, LATER) in waiting(desk)
    assert desk.verify(LATER).ok
    assert desk.verify(LATER + timedelta(days=30)).ok


def test_a_retry_of_a_catch_up_far_ahead_of_the_stores_clock_is_no_problem(
    down: tuple[Desk, FailingNotifier],
) -> None:
    """Judged from the check's ``now``, not the store's clock (years behind it)."""
    desk, _hook = down
    ahead = T0 + timedelta(days=3650)
    item_id = waiting(desk)[0][0]
    desk.retry_message(item_id, ahead)
    assert desk.verify(ahead).ok


def test_a_message_retried_under_an_earlier_schema_is_no_problem(
    down: tuple[Desk, FailingNotifier], attacker: Attacker
) -> None:
    """Retried by hand before SQLite 27 / PostgreSQL 26: attempts 0, due at that
    retry, no wait start kept (the upgrade gave one only to those neither tried nor
    retried); a message queued then and never tried has no retry time at all."""
    desk, _hook = down
    [(item_id, _, _)] = waiting(desk)
    attacker.run(
        "UPDATE {s}.outbox SET waits_from = NULL, waits_at = NULL WHERE tenant = ? AND id = ?",
        "default",
        item_id,
    )
    assert desk.verify(LATER).ok  # queued then, never tried: no retry time
    attacker.run(
        "UPDATE {s}.outbox SET next_attempt_at = ? WHERE tenant = ? AND id = ?",
        (T0 + timedelta(days=1)).isoformat(),
        "default",
        item_id,
    )
    assert desk.verify(LATER).ok


def test_the_memory_store_names_it_too() -> None:
    store = MemoryStore()
    desk = make_desk(store=store, notifiers=[FailingNotifier("hostapi")])
    list(desk.receive_many(list(intakes(1, T0)), now=T0))
    item_id = waiting(desk)[0][0]
    desk.retry_message(item_id, LATER)
    assert desk.verify(LATER).ok
    item = store._outbox[item_id]
    item.next_attempt_at = item.waits_from = PUT_OFF
    assert desk.verify(LATER).problems == (f"outbox item {item_id}: {DUE_TOO_LATE}",)


def test_a_hosts_store_without_now_is_asked_as_documented() -> None:
    """``overlong_retries(longest)``, the documented signature: no ``now`` passed."""

    class Host:
        def overlong_retries(self, longest: timedelta) -> list[int]:
            return [7] if longest else []

    class Keyword:
        def overlong_retries(self, longest: timedelta, *, now: datetime | None = None) -> list[int]:
            return [8] if now == LATER else []

    assert _overlong_retries(Host(), timedelta(hours=1), LATER) == [7]  # type: ignore[arg-type]
    assert _overlong_retries(Keyword(), timedelta(hours=1), LATER) == [8]  # type: ignore[arg-type]
