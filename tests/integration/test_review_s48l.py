"""Review s48L: a leaver an HR snapshot still lists, gone after the desk first
looked at the site's staff (F01); ids in the hour the clocks go back (F02, in
tests/unit/test_ids.py); a message to a leaver counted as a dead letter, not as
kept for a retry (F03)."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest

from complaintcore import Escalate
from complaintcore.adapters.notify._common import NotificationError
from complaintcore.desk import Desk
from complaintcore.desk.config import load_config
from complaintcore.desk.ports import Notification, StaffMember
from complaintcore.testing import FailingNotifier, RecordingNotifier, make_desk
from tests.integration.test_review_s48k import (  # file_desk: the fixture, shared
    T0,
    file_desk,  # noqa: F401
    hr_edit,
    leak,
    snapshot_desk,
    without,
)
from tests.integration.test_upgraded_desks_checked import invoke

# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("PRV-1")
def test_a_leaver_gone_after_an_earlier_intake_at_the_site_hears_nothing_of_an_escalation(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hr, inbox, desk = snapshot_desk()
    desk.receive(leak(), now=T0)  # the desk looks at sunrise's staff while SR-102 is there
    desk.deliver(T0)
    hr.gone = {"SR-102"}  # SR-102 leaves; the snapshot still lists them
    inbox.sent.clear()
    c = desk.receive(leak(summary="物业费账单有疑问"), now=T0, route=False)
    with caplog.at_level(logging.WARNING, logger="complaintcore.desk"):
        c = desk.act(c.id, Escalate(actor="SR-103", trigger="cannot_handle"), now=T0)
    desk.deliver(T0)
    told = [(n.topic, n.recipient) for n, _ in inbox.sent if n.complaint_id == c.id]
    assert [r for _, r in told if r == "SR-102"] == []
    assert any(topic == "escalated" for topic, _ in told)  # someone hears it
    assert c.state.handler != "SR-102"
    # not even addressed to them: no dead letter to clean up
    assert [d for d in desk.dead_letters() if d.notification.recipient == "SR-102"] == []
    assert any(
        "SR-102" in r.getMessage() and "passed over" in r.getMessage() for r in caplog.records
    )


def test_a_handler_who_leaves_is_not_chosen_again_for_a_complaint_of_the_same_instant() -> None:
    hr, _, desk = snapshot_desk()
    first = desk.receive(leak(), now=T0)
    assert first.state.handler  # routed to someone at sunrise
    hr.gone = {first.state.handler}
    second = desk.receive(leak(summary="楼道灯坏了，晚上很黑"), now=T0)  # the same need, same now
    assert second.state.handler not in (None, first.state.handler)


# --------------------------------------------------------------------------- F03


class _Refusing(RecordingNotifier):
    """A channel that answers every send with a failure no retry can mend (a 4xx)."""

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        raise NotificationError(self.name, notification.key, "HTTP 400", retryable=False)


def test_a_message_to_a_leaver_is_given_up_not_counted_as_kept_for_a_retry(
    file_desk: tuple[Desk, RecordingNotifier, Path],  # noqa: F811
) -> None:
    desk, _, staff = file_desk
    desk.receive(leak(), now=T0)  # queued for SR-201 (engineering's head), not sent yet
    hr_edit(staff, lambda t: without(t, "SR-201"))
    report = desk.deliver(T0)
    dead = [d for d in desk.dead_letters() if d.notification.recipient == "SR-201"]
    assert len(dead) >= 1
    # notifications.md, Failures: a dead letter at once, counted in given_up
    assert report.failed == 0
    assert report.newly_given_up == len(dead)
    assert report.given_up == len(dead)
    again = desk.deliver(T0)  # nothing new this pass: still waiting for a person
    assert (again.failed, again.newly_given_up, again.given_up) == (0, 0, len(dead))


def test_a_failure_no_retry_can_mend_is_given_up_at_once_and_a_retryable_one_kept() -> None:
    desk = make_desk()
    refusing = _Refusing("refusing")
    desk.notifiers = {"refusing": refusing}
    desk.receive(leak(), now=T0)
    report = desk.deliver(T0)
    dead = desk.dead_letters()
    assert len(dead) >= 1
    assert (report.sent, report.failed, report.newly_given_up) == (0, 0, len(dead))
    down = FailingNotifier("down")
    desk.notifiers = {"down": down}
    desk.receive(leak(summary="厨房水管漏水"), now=T0)
    kept = desk.deliver(T0)
    assert kept.failed == down.attempts >= 1  # retryable: kept for a retry
    assert kept.newly_given_up == 0


def _desk_with_a_leavers_message(where: Path) -> int:
    """An ``init`` desk whose messages for SR-201 wait in the outbox (queued by a desk
    of its own, another process say) when HR takes SR-201 out of staff.toml; how
    many wait for them."""
    where.mkdir()
    assert invoke("init", str(where)).exit_code == 0
    with Desk.from_config(load_config(str(where / "complaintcore.toml"))) as desk:
        desk.receive(leak(), now=T0)
    hr_edit(where / "staff.toml", lambda t: without(t, "SR-201"))
    with sqlite3.connect(where / "complaints.sqlite3") as db:
        (count,) = db.execute(
            "SELECT count(*) FROM outbox WHERE json_extract(body_json, '$.recipient') = 'SR-201'"
        ).fetchone()
    return int(count)


def test_deliver_says_a_leavers_message_is_given_up_not_kept_for_a_retry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    waiting = _desk_with_a_leavers_message(tmp_path / "text")
    assert waiting >= 1
    monkeypatch.chdir(tmp_path / "text")
    result = invoke("deliver")
    assert result.exit_code == 0, result.output
    assert f"failed 0 (kept for a retry); given up {waiting} (dead letters now)" in result.stdout

    waiting = _desk_with_a_leavers_message(tmp_path / "json")
    monkeypatch.chdir(tmp_path / "json")
    result = invoke("deliver", "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert (found["failed"], found["given_up"], found["dead_letters"]) == (0, waiting, waiting)
