"""A hung channel in a delivery pass (review s45B F02).

An SMTP server that accepts connections and never answers, beside a working
webhook, on a SQLite file: the webhook's messages wait for at most one send
timeout a pass, not one for each e-mail claimed before them.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from complaintcore.adapters.notify import SmtpNotifier, WebhookNotifier
from complaintcore.testing import FixedClock
from tests.integration.servers import HttpTestServer
from tests.integration.test_delivery_off_intake import T0, intakes
from tests.integration.test_delivery_review_s39b import desk_of

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

SEND_TIMEOUT = 1.0


class SilentServer:
    """Accepts every connection and never says a word (no SMTP greeting)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)

    def close(self) -> None:
        """Close the listener and every connection: the hung sends end."""
        self.sock.close()
        for conn in self.connections:
            conn.close()


def test_a_hung_channel_holds_the_others_back_one_timeout_a_pass(tmp_path: Path) -> None:
    """Before, each e-mail claimed waited its SEND_TIMEOUT in turn until the channel
    held all four threads, and the webhooks behind them waited about 4 s."""
    silent = SilentServer()
    mail = SmtpNotifier(
        "127.0.0.1", silent.port, sender="desk@example.com", timeout=60, total_timeout=60
    )
    with HttpTestServer() as hook:
        hooks = WebhookNotifier(hook.url(), proxies={})
        clock = FixedClock(T0)  # the clock the outbox claims are kept on
        desk = desk_of(
            [mail, hooks],
            store_path=tmp_path / "desk.db",
            send_timeout=SEND_TIMEOUT,
            threads=4,
            store_clock=clock,
        )
        try:
            list(desk.receive_many(intakes(5, T0), now=T0))
            queued = desk.store.pending(T0, 1000)
            webhook_keys = sorted(i.notification.key for i in queued if i.notifier == "webhook")
            email_keys = sorted(i.notification.key for i in queued if i.notifier == "email")
            assert len(webhook_keys) == len(email_keys) >= 5

            start = time.monotonic()
            report = desk.deliver(T0)

            arrived = hook.wait_for(len(webhook_keys))
            assert max(r.at for r in arrived) - start < SEND_TIMEOUT + 0.8
            assert sorted(str(r.header("Idempotency-Key")) for r in arrived) == webhook_keys
            assert (report.sent, report.failed) == (len(webhook_keys), 1)
            # the e-mails stay due, with no attempt spent, but the one that timed out
            due = desk.store.pending(T0, 1000)
            assert {i.notifier for i in due} == {"email"}
            assert len(due) == len(email_keys) - 1
            assert {i.attempts for i in due} == {0}
            later = desk.store.pending(clock.advance(hours=1), 1000)  # the hung send's hold over
            assert sorted(i.notification.key for i in later) == email_keys
            assert sorted(i.attempts for i in later) == [0] * (len(email_keys) - 1) + [1]
            assert len(silent.connections) == 1  # one e-mail was handed to the channel
        finally:
            silent.close()
            desk.close()
        assert len(hook.requests) == len(webhook_keys)  # none sent twice
