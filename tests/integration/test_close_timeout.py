"""``Desk.close(timeout=...)``: a service's shutdown grace period bounds the wait
for sends the desk gave up on; what is still under way is retried later."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from complaintcore import InvalidInputError, Notification, StaffMember
from complaintcore.testing import FixedClock
from tests.integration.test_delivery_off_intake import T0, intakes
from tests.integration.test_delivery_review_s39b import desk_of

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


class Hangs:
    """Gets through after 3 s; the desk waits 0.3 s for it, and would wait 10 s on close."""

    name = "hangs"
    longest_send = 10

    def __init__(self) -> None:
        self.arrived: list[str] = []

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        time.sleep(3)
        self.arrived.append(notification.key)


def test_a_bounded_close_leaves_the_send_under_way_to_be_retried(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    channel = Hangs()
    path = tmp_path / "desk.sqlite3"
    clock = FixedClock(T0)  # the claims' clock: an hour on is moved on it, not by ``now``
    desk = desk_of([channel], store_path=path, store_clock=clock)
    desk.receive(next(intakes(1, T0)), now=T0)
    assert desk.deliver(T0, limit=1).failed == 1  # given up on after 0.3 s; still sending
    began = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="complaintcore"):
        desk.close(timeout=0.2)
    took = time.monotonic() - began
    assert took < 2.0  # not the 3 s the send takes, let alone its longest_send of 10 s
    assert "closing with sends still under way" in caplog.text
    assert channel.arrived == []
    again = desk_of([channel], store_path=path, store_clock=clock)
    try:
        later = clock.advance(hours=1)
        assert len(again.store.pending(later, 10)) == 1  # left to be retried, not lost
        time.sleep(3.5)  # the send gets through after the close: unrecorded, so sent again
        assert len(channel.arrived) == 1
        assert len(again.store.pending(later, 10)) == 1
    finally:
        again.close()


@pytest.mark.parametrize(
    ("timeout", "reason"),
    [
        (-1, "0 or more"),
        (float("nan"), "finite"),
        (float("inf"), "finite"),
        ("5", "got str"),
        (True, "got bool"),
    ],
)
def test_close_refuses_a_timeout_that_is_not_seconds(timeout: object, reason: str) -> None:
    desk = desk_of([])
    try:
        with pytest.raises(InvalidInputError) as caught:
            desk.close(timeout=timeout)  # type: ignore[arg-type]
        assert caught.value.path == "timeout"
        assert reason in str(caught.value)
    finally:
        desk.close()
