"""Review s48P: a new host engineer following README.md and docs/ literally.

F01: docs/hooks.md said a channel's ``send`` gets ``recipient=None`` for someone
no longer in the directory; the desk never calls it for them (review s48K F01),
the message is a dead letter.  F02: a message given up at once (a leaver, an
SMTP 5xx, an HTTP 4xx) was logged and listed as "failed 20 times": the attempts
actually made are now recorded, listed and logged.

cn-property and its packaged sample staff (docs/desk.md): a leak at sunrise is
routed to engineering's head, SR-201.  ``[retry] max_attempts`` is 20 by default
(notifications.md).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from complaintcore.adapters.notify import NotificationError
from complaintcore.desk import Desk
from complaintcore.desk.config import load_config
from complaintcore.desk.ports import Notification, StaffMember
from complaintcore.testing import RecordingNotifier
from tests.integration.servers import HttpTestServer
from tests.integration.test_review_s48k import (
    T0,
    hr_edit,
    leak,
    staff_file_config,
    webhook_desk,
    without,
)
from tests.integration.test_upgraded_desks_checked import invoke
from tests.unit.test_docs import HOOKS_MD, run_blocks

DEFAULT_MAX_ATTEMPTS = 20  # notifications.md: [retry] max_attempts, its default
UNKNOWN_RECIPIENT = "recipient not in the staff directory"  # notifications.md, Failures


@pytest.fixture
def file_desk(tmp_path: Path) -> Iterator[tuple[Desk, Path]]:
    """A host's desk over the built-in staff file (the packaged sample)."""
    with Desk.from_config(staff_file_config(tmp_path)) as desk:
        yield desk, tmp_path / "staff.toml"


# --------------------------------------------------------------------------- F01


def _notifier_section() -> str:
    text = HOOKS_MD.read_text(encoding="utf-8")
    start = text.index("### `complaintcore_get_notifiers(")
    return text[start : text.index("\n### ", start + 1)]


def test_hooks_md_says_a_leavers_message_is_a_dead_letter_not_a_send_with_no_recipient() -> None:
    section = _notifier_section()
    assert "`None` for someone no longer in the directory" not in section
    assert "left the company: nothing to push" not in section  # the sample's old comment
    assert "`recipient` is `None` only for a channel that posts into a group" in section
    assert "dead letter" in section
    assert "(notifications.md#failures)" in section


def test_the_hooks_page_app_push_is_not_called_for_a_leaver_and_the_message_is_dead(
    file_desk: tuple[Desk, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What hooks.md now says, with the page's own ``AppPush``."""
    monkeypatch.chdir(tmp_path)
    page = ModuleType("acme_complaints_s48p")
    monkeypatch.setitem(sys.modules, page.__name__, page)
    run_blocks(HOOKS_MD, vars(page))
    calls: list[tuple[str | None, StaffMember | None]] = []

    class Watched(page.AppPush):  # type: ignore[name-defined,misc]
        def send(self, notification: Notification, recipient: StaffMember | None) -> None:
            calls.append((notification.recipient, recipient))
            super().send(notification, recipient)

    desk, staff = file_desk
    push = Watched("sunrise")
    desk.notifiers = {"app": push}
    complaint = desk.receive(leak(), now=T0)
    assert complaint.state.handler == "SR-201"
    hr_edit(staff, lambda t: without(t, "SR-201"))
    report = desk.deliver(T0)
    assert [c for c in calls if c[0] == "SR-201"] == []  # never called, not with None
    dead = [d for d in desk.dead_letters() if d.notification.recipient == "SR-201"]
    assert [d.notification.complaint_id for d in dead] == [complaint.id]
    assert UNKNOWN_RECIPIENT in dead[0].last_error
    assert report.newly_given_up >= 1


# --------------------------------------------------------------------------- F02


def test_a_leavers_message_is_logged_and_kept_as_given_up_at_once_after_one_attempt(
    file_desk: tuple[Desk, Path], caplog: pytest.LogCaptureFixture
) -> None:
    desk, staff = file_desk
    inbox = RecordingNotifier("inbox")
    desk.notifiers = {"inbox": inbox}
    desk.receive(leak(), now=T0)
    hr_edit(staff, lambda t: without(t, "SR-201"))
    with caplog.at_level(logging.WARNING, logger="complaintcore"):
        desk.deliver(T0)
    [dead] = [d for d in desk.dead_letters() if d.notification.recipient == "SR-201"]
    assert dead.attempts_made == 1
    assert dead.attempts == DEFAULT_MAX_ATTEMPTS  # the store's dead-letter mark, kept
    assert dead.last_error.startswith("given up at once after 1 attempt: NotificationError: ")
    assert UNKNOWN_RECIPIENT in dead.last_error
    lines = [r.getMessage() for r in caplog.records if dead.notification.key in r.getMessage()]
    assert len(lines) == 1, lines
    assert "given up at once after 1 attempt " in lines[0]
    assert UNKNOWN_RECIPIENT in lines[0]
    assert "20 times" not in lines[0]


class Refusing(RecordingNotifier):
    """A channel answering first a retryable error, then one no retry can mend."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.tries = 0

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        self.tries += 1
        retryable = self.tries == 1
        raise NotificationError(
            self.name, notification.key, "550 mailbox unavailable", retryable=retryable
        )


def test_a_message_given_up_at_once_after_a_retry_counts_both_attempts_and_a_retry_starts_afresh(
    file_desk: tuple[Desk, Path],
) -> None:
    desk, _ = file_desk
    channel = Refusing("mail")
    desk.notifiers = {"mail": channel}
    desk.receive(leak(), now=T0)
    desk.deliver(T0)
    [waiting] = desk.store.pending(T0.replace(hour=23), 100)  # retry due within hours
    assert (waiting.attempts, waiting.attempts_made) == (1, 1)
    desk.deliver(T0.replace(hour=23))
    [dead] = desk.dead_letters()
    assert channel.tries == 2
    assert dead.attempts_made == 2
    assert dead.attempts == DEFAULT_MAX_ATTEMPTS
    assert dead.last_error.startswith("given up at once after 2 attempts: NotificationError: ")
    # retried by hand: attempts counted afresh, the old error no longer counts
    desk.retry_message(dead.id, T0.replace(hour=23))
    [again] = desk.store.pending(T0.replace(hour=23), 100)
    assert (again.attempts, again.attempts_made) == (0, 0)


@pytest.fixture
def hook_desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, http_server: HttpTestServer) -> Path:
    """An ``init`` desk whose SR-201 has a webhook of their own (a JSON endpoint)."""
    config = webhook_desk(tmp_path, monkeypatch, http_server) / "complaintcore.toml"
    with Desk.from_config(load_config(str(config))) as desk:
        assert desk.receive(leak(), now=T0).state.handler == "SR-201"
    return tmp_path


def test_outbox_list_shows_the_one_attempt_made_for_a_webhook_answering_404(
    hook_desk: Path, http_server: HttpTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    http_server.fail(404)
    with caplog.at_level(logging.WARNING, logger="complaintcore"):
        sent = invoke("deliver", now="2025-11-14T17:30")
    assert sent.exit_code == 0, sent.output
    assert len([r for r in http_server.requests if r.path == "/SR-201"]) == 1
    assert "via staff-hooks given up at once after 1 attempt " in caplog.text
    assert "20 times" not in caplog.text
    listed = invoke("outbox", "list", "--json")
    assert listed.exit_code == 0, listed.output
    [item] = [i for i in json.loads(listed.stdout) if i["notifier"] == "staff-hooks"]
    assert item["attempts"] == 1
    assert item["state"] == "dead"
    assert item["last_error"].startswith("given up at once after 1 attempt: NotificationError: ")
    table = invoke("outbox", "list")
    assert table.exit_code == 0, table.output
    assert "attempts 1\n" in table.stdout, table.stdout  # a block each, at 80 columns
    assert "given up at once after 1 attempt" in table.stdout


class Forging(RecordingNotifier):
    """A channel whose far side answers with text that reads as a log line of its own."""

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        raise NotificationError(
            self.name,
            notification.key,
            "400 bad request\nWARNING complaintcore.desk.service: notification C-X:assigned:0"
            " via sms given up at once\r\x1b[2K",
            status=400,
            retryable=False,
        )


def test_a_channels_error_text_is_logged_and_kept_on_one_line(
    file_desk: tuple[Desk, Path], caplog: pytest.LogCaptureFixture
) -> None:
    """The far side's line breaks and control characters do not make a log line or an
    ``outbox list`` line of their own (review s48Q F01)."""
    desk, _ = file_desk
    desk.notifiers = {"mail": Forging("mail")}
    desk.receive(leak(), now=T0)
    with caplog.at_level(logging.WARNING, logger="complaintcore"):
        desk.deliver(T0)
    given_up = [r.getMessage() for r in caplog.records if "given up at once" in r.getMessage()]
    assert given_up
    for line in given_up:
        assert "\n" not in line
        assert "\r" not in line
        assert "\x1b" not in line
    [dead] = desk.dead_letters()
    assert "\n" not in dead.last_error
    assert "400 bad request WARNING complaintcore.desk.service" in dead.last_error
