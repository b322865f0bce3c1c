"""Review s49W: the fix of review s49V's F02, against real local servers.

F02: on a per-recipient webhook channel, one staff member's endpoint that never
answers kept a sending thread busy per pass until the webhook's ``reply_timeout``;
after ``send_threads`` passes the channel counted as hung and no staff member's
message on it was sent.  Now a destination that still holds a send the desk gave
up on in an earlier pass is skipped (its messages set aside, no attempt spent),
so one dead address holds at most one thread and the others keep being sent.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

import pytest

from complaintcore import Desk
from complaintcore.testing import FixedClock
from tests.integration.servers import HttpTestServer
from tests.integration.test_delivery_off_intake import T0, intakes
from tests.integration.test_delivery_review_s45b import SilentServer
from tests.integration.test_review_s49h import no_proxy  # noqa: F401 (autouse: no proxies)
from tests.integration.test_review_s49s import _staff_desk

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _desk(tmp_path: Path, hooks: Mapping[str, str], clock: FixedClock) -> Desk:
    """The review's repro: the sample staff with the ``webhook`` of ``hooks``, one
    per-recipient channel whose reply may take 30 s, the desk waiting 0.3 s a send
    (the defaults' order: desk 10 s, ``reply_timeout`` 60 s), four threads."""
    return _staff_desk(tmp_path, hooks, send_timeout=0.3, clock=clock, reply_timeout=30)


def _stuck(desk: Desk) -> int:
    return desk._sender.stuck("staff-hooks")


def test_a_dead_staff_webhook_never_stops_the_others_however_many_passes(
    tmp_path: Path,
) -> None:
    """Seven passes within ``reply_timeout``, five intakes queued before each (four
    messages for SR-201, whose endpoint never answers, one for SR-401).  Before:
    SR-401 got nothing from pass 4 on, four connections held to SR-201's endpoint."""
    silent = SilentServer()
    clock = FixedClock(T0)
    with HttpTestServer() as working:
        desk = _desk(
            tmp_path,
            {"SR-201": f"http://127.0.0.1:{silent.port}/sr201", "SR-401": working.url("/sr401")},
            clock,
        )
        try:
            for n in range(1, 8):
                at = T0 + timedelta(minutes=n)
                clock.advance(minutes=1)
                list(desk.receive_many(intakes(5, at), now=at))
                report = desk.deliver(at)
                # SR-401's message of this pass, sent in it (one request per pass)
                assert len(working.wait_for(n)) == n, f"pass {n}"
                due = [
                    i for i in desk.store.pending(at, 1000) if i.notification.recipient == "SR-401"
                ]
                assert due == [], f"pass {n}"
                # only pass 1 tried SR-201's endpoint: one send given up on, one thread
                assert (report.failed, len(silent.connections), _stuck(desk)) == (
                    1 if n == 1 else 0,
                    1,
                    1,
                ), f"pass {n}"
            # nothing was sent twice
            keys = [r.header("Idempotency-Key") for r in working.requests]
            assert len(keys) == len(set(keys)) == 7
            # SR-201's messages queued since pass 1 were never handed to the channel:
            # 4 a pass, 7 passes, one of them tried (pass 1's first)
            sr201 = [
                i
                for i in desk.store.pending(T0 + timedelta(hours=1), 1000)
                if i.notification.recipient == "SR-201"
            ]
            assert sorted(i.attempts for i in sr201) == [0] * 27 + [1]
        finally:
            silent.close()
            desk.close(timeout=2)


def test_a_destination_is_sent_to_again_once_its_hung_send_ended(tmp_path: Path) -> None:
    """The skip lasts only while the earlier send holds its thread: SR-201's endpoint
    answers after 1.5 s (the desk waits 0.3 s); while that send runs, a pass makes
    no request there; once it ended (delivered late), the next pass sends the rest."""
    clock = FixedClock(T0)
    with HttpTestServer() as working, HttpTestServer() as slow:
        slow.respond(delay=1.5)
        desk = _desk(
            tmp_path, {"SR-201": slow.url("/sr201"), "SR-401": working.url("/sr401")}, clock
        )
        try:
            list(desk.receive_many(intakes(5, T0), now=T0))
            first = desk.deliver(T0)
            assert (first.sent, first.failed, _stuck(desk)) == (1, 1, 1)
            second = desk.deliver(T0)  # still running: SR-201 skipped, no request made
            assert (second.sent, second.failed, len(slow.arrived)) == (0, 0, 1)
            slow.recover()
            deadline = time.monotonic() + 5
            while _stuck(desk) and time.monotonic() < deadline:
                time.sleep(0.02)
            assert _stuck(desk) == 0
            third = desk.deliver(T0)  # SR-201's three untried, sent now
            assert (third.sent, third.failed, len(slow.arrived)) == (3, 0, 4)
            keys = [r.header("Idempotency-Key") for r in slow.requests]
            assert len(keys) == len(set(keys)) == 4  # the late one delivered, none twice
        finally:
            desk.close(timeout=3)
