"""Review s49S: fixes of review s49P's findings, against real local servers.

F01: a per-recipient webhook channel (each staff member's own ``webhook``) whose
send to one recipient's endpoint timed out skips only that endpoint for the rest
of the pass, not the channel's other recipients; each endpoint that hangs costs
at most one timeout a pass.  F03: a webhook answering ``303 See Other`` to the
POST took the message (RFC 9110 15.4.4): it is delivered, POSTed once.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import attrs
import pytest

from complaintcore import Desk
from complaintcore.adapters.notify import WebhookNotifier
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import StaffList
from complaintcore.desk.config import RetryPolicy
from complaintcore.testing import FixedClock, make_desk
from tests.integration.servers import HttpTestServer
from tests.integration.test_delivery_off_intake import T0, intakes
from tests.integration.test_delivery_review_s39b import desk_of
from tests.integration.test_delivery_review_s45b import SilentServer
from tests.integration.test_review_s49h import no_proxy  # noqa: F401 (autouse: no proxies)

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


# --------------------------------------------------------------- F01 per-recipient


class FullBacklog:
    """A port whose accept queue is full: a connect gets no answer (a firewall's DROP)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(0)
        self.port = self.sock.getsockname()[1]
        self._fill: list[socket.socket] = []
        for _ in range(3):
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", self.port))
            self._fill.append(filler)

    def close(self) -> None:
        for filler in self._fill:
            filler.close()
        self.sock.close()


def _staff_desk(
    tmp_path: Path,
    hooks: Mapping[str, str],
    *,
    send_timeout: float,
    clock: FixedClock,
    reply_timeout: float = 0.5,
) -> Desk:
    """The sample staff, each with the ``webhook`` of ``hooks`` (none for the others);
    one per-recipient webhook channel (``timeout`` 0.5 s), on a SQLite file."""
    base = make_desk()
    staff = [attrs.evolve(m, webhook=hooks.get(m.staff_id, "")) for m in base.directory.members()]
    channel = WebhookNotifier(
        None, proxies={}, name="staff-hooks", timeout=0.5, reply_timeout=reply_timeout
    )
    return Desk(
        pack=base.pack,
        store=SqliteStore(tmp_path / "desk.sqlite3", clock=clock),
        directory=StaffList(staff),
        calendar=base.calendar,
        notifiers=[channel],
        send_timeout=send_timeout,
        send_threads=4,
        retry=RetryPolicy(first_delay_seconds=1, max_delay_seconds=1, max_attempts=20),
    )


def _queued(desk: Desk, complaints: int) -> dict[str, list[str]]:
    """Queue the messages of ``complaints`` intakes; their keys by recipient."""
    list(desk.receive_many(intakes(complaints, T0), now=T0))
    keys: dict[str, list[str]] = {}
    for item in desk.store.pending(T0, 1000):
        keys.setdefault(item.notification.recipient, []).append(item.notification.key)
    return keys


@attrs.frozen
class Dead:
    """An endpoint that never answers, the desk's send timeout, the connections it
    accepted and how many one pass may make (a full backlog accepts none)."""

    url: str
    send_timeout: float
    accepted: list[socket.socket]
    at_most: int


@pytest.fixture(params=["connect", "reply", "desk-timeout"])
def dead_endpoint(request: pytest.FixtureRequest) -> Iterator[Dead]:
    """A connect that times out (the channel's ``timeout``), a reply that never comes
    (its ``reply_timeout``), or the desk's own timeout (0.3 s) ending the wait first."""
    if request.param == "connect":
        backlog = FullBacklog()
        yield Dead(f"http://127.0.0.1:{backlog.port}/dead-sr201", 3.0, [], 0)
        backlog.close()
        return
    silent = SilentServer()
    send_timeout = 3.0 if request.param == "reply" else 0.3
    yield Dead(f"http://127.0.0.1:{silent.port}/dead-sr201", send_timeout, silent.connections, 1)
    silent.close()


def test_a_timed_out_staff_webhook_holds_back_only_its_own_destination(
    tmp_path: Path, dead_endpoint: Dead
) -> None:
    """SR-201's endpoint never answers; SR-401's does.  Before: the first SR-201
    send's timeout skipped the whole channel, SR-401's message handed back (review
    s49P F01: it waited for pass 10)."""
    clock = FixedClock(T0)
    with HttpTestServer() as working:
        desk = _staff_desk(
            tmp_path,
            {"SR-201": dead_endpoint.url, "SR-401": working.url("/sr401")},
            send_timeout=dead_endpoint.send_timeout,
            clock=clock,
        )
        try:
            keys = _queued(desk, 5)
            assert (len(keys["SR-201"]), len(keys["SR-401"])) == (4, 1)
            began = time.monotonic()
            report = desk.deliver(T0)
            took = time.monotonic() - began
            assert [r.header("Idempotency-Key") for r in working.wait_for(1)] == keys["SR-401"]
            assert (report.sent, report.failed) == (1, 1)
            assert took < 0.5 + 0.6  # one timeout of SR-201's endpoint, not one per message
            assert len(dead_endpoint.accepted) == dead_endpoint.at_most
            # SR-201's other three: handed back due at once, no attempt spent
            due = [i for i in desk.store.pending(T0, 100) if i.notification.recipient == "SR-201"]
            assert sorted(i.attempts for i in due) == [0, 0, 0]
            later = desk.store.pending(clock.advance(hours=1), 100)
            assert sorted(i.attempts for i in later) == [0, 0, 0, 1]
        finally:
            desk.close(timeout=2)


def test_each_hung_destination_costs_one_timeout_a_pass_however_many_messages(
    tmp_path: Path,
) -> None:
    """Two staff members' endpoints never answer; SR-201 has more messages than a
    claim batch (10).  One pass: one connection to each, two failed attempts, the
    rest handed back with no attempt spent, and the pass ends."""
    first, second = SilentServer(), SilentServer()
    clock = FixedClock(T0)
    desk = _staff_desk(
        tmp_path,
        {
            "SR-201": f"http://127.0.0.1:{first.port}/sr201",
            "SR-401": f"http://127.0.0.1:{second.port}/sr401",
        },
        send_timeout=3.0,
        clock=clock,
    )
    try:
        keys = _queued(desk, 20)
        assert len(keys["SR-201"]) > 10  # more than one claim batch
        assert len(keys["SR-401"]) >= 1
        queued = sum(len(k) for k in keys.values())
        began = time.monotonic()
        report = desk.deliver(T0)
        took = time.monotonic() - began
        assert (report.sent, report.failed) == (0, 2)
        assert took < 2 * 0.5 + 0.8
        assert (len(first.connections), len(second.connections)) == (1, 1)
        # the rest handed back (not left claimed), due at once, with no attempt spent
        untried = [i for i in desk.store.pending(T0, 1000) if i.attempts == 0]
        assert len(untried) == queued - 2
        due = desk.store.pending(clock.advance(hours=1), 1000)
        assert len(due) == queued
        assert sorted(i.attempts for i in due) == [0] * (queued - 2) + [1, 1]
        # the next pass tries each endpoint once more, no more
        again = desk.deliver(clock())
        assert (again.sent, again.failed) == (0, 2)
        assert (len(first.connections), len(second.connections)) == (2, 2)
    finally:
        first.close()
        second.close()
        desk.close(timeout=2)


# --------------------------------------------------------------- F03 303 See Other


def test_a_webhook_answering_303_gets_each_message_posted_once(
    http_server: HttpTestServer, tmp_path: Path
) -> None:
    """The review's repro: an endpoint doing Post/Redirect/Get.  Before: each message
    POSTed ``max_attempts`` times (4 in the repro), then a dead letter."""
    http_server.respond(303, {})
    clock = FixedClock(T0)
    desk = desk_of(
        [WebhookNotifier(http_server.url(), proxies={})],
        store_path=tmp_path / "desk.sqlite3",
        max_attempts=4,
        store_clock=clock,
    )
    try:
        desk.receive(next(intakes(1, T0)), now=T0)
        queued = len(desk.store.pending(T0, 100))
        first = desk.deliver(T0)
        assert (first.sent, first.failed, first.newly_given_up) == (0, 0, queued)
        for _ in range(4):  # later passes, past every retry delay (1 s in desk_of)
            desk.deliver(clock.advance(minutes=1))
        keys = [r.header("Idempotency-Key") for r in http_server.requests]
        assert len(keys) == len(set(keys)) == queued  # each message POSTed once
        (letter, *_) = desk.store.dead_letters(4, 100)
        assert "HTTP 303" in letter.last_error
        assert "See Other" in letter.last_error
        assert "taken by the endpoint" in letter.last_error
    finally:
        desk.close()
