"""Review s50P (an attacker with a foothold): the parts that need a server, a
database file or the command line.

F02: a webhook's token in its URL's path is kept out of its errors, and so out of
the outbox's stored error, ``outbox list`` and the log.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import attrs
import pytest

from complaintcore.adapters.notify import NotificationError, WebhookNotifier
from complaintcore.desk.ports import Notification, StaffMember
from tests.integration.servers import HttpTestServer, http_server_fixture  # noqa: F401

SH = ZoneInfo("Asia/Shanghai")
T = datetime(2025, 11, 14, 9, 30, tzinfo=SH)
NOTE = Notification(
    key="C-20251114-0001:assigned:SR-103",
    complaint_id="C-20251114-0001",
    topic="assigned",
    recipient="SR-103",
    subject="投诉 C-20251114-0001 已分派给您",
    body="请今日 18:00 前回复。",
    created_at=T,
)
MEMBER = StaffMember("SR-103", "王五", "handler", "front_line", "service")


@pytest.mark.parametrize("own", [False, True], ids=["channel url", "recipient's webhook"])
def test_an_unreachable_webhooks_error_shows_no_token_from_its_path(
    http_server: HttpTestServer, own: bool
) -> None:
    url = http_server.url("/hooks/T0000/B0000/PATHTOKENSECRET", key="QUERYTOKEN")
    port = url.split(":")[2].split("/")[0]
    http_server.stop()
    member = attrs.evolve(MEMBER, webhook=url) if own else MEMBER
    notifier = WebhookNotifier(None if own else url, proxies={}, clock=lambda: T)
    with pytest.raises(NotificationError) as caught:
        notifier.send(NOTE, member)
    said = str(caught.value)
    assert "PATHTOKENSECRET" not in said
    assert "QUERYTOKEN" not in said
    assert f"cannot reach http://127.0.0.1:{port}/…: " in said
    assert "PATHTOKENSECRET" not in repr(notifier)
