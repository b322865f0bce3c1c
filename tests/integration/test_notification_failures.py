"""Notification channels that fail: nothing lost, nothing sent twice, no state change undone.

The mail and webhook servers are real (aiosmtpd, ``http.server``) and go down
during a burst of complaints -- stopped (connections refused) or failing
(SMTP 451, HTTP 500).  The complaints are all registered meanwhile; once the
servers are back, ``Desk.deliver`` on a clock moved past the retry delays gets
every message through exactly once, which the servers' own records show
(distinct Message-IDs and Idempotency-Keys, and the total count).  Intake only
queues; the delivery passes here stand in for the worker or the cron job.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.notify import NotificationError, message_id
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff, write_sample_staff
from complaintcore.core.errors import InvalidInputError
from complaintcore.core.models import Complainant, Intake, Status
from complaintcore.core.workflow import Assess, Pause, Reply
from complaintcore.desk import Desk
from complaintcore.desk.config import DeskConfig, RetryPolicy
from complaintcore.desk.ports import Notification, Notifier, StaffMember
from complaintcore.rules import load_pack
from complaintcore.testing import FailingNotifier, FixedClock, RecordingNotifier
from tests.helpers import SH
from tests.integration.servers import HttpTestServer, SmtpTestServer

T0 = datetime(2025, 11, 10, 9, 30, tzinfo=SH)  # a working Monday
SENDER = "complaints@sunrise.example.com"
SUMMARIES = (
    "楼上漏水，天花板渗水",  # engineering: one handler
    "十几户业主集体投诉，聚集在物业中心闹事",  # group incident: PM at once, security helps
    "物业费收费太高，要求退费",  # finance, customer service helps
    "楼道垃圾没人打扫，有异味",  # cleaning: its head has no e-mail address
)
BURST = 30


def _intake(i: int, at: datetime) -> Intake:
    return Intake(
        complainant=Complainant(
            "业主" + "甲乙丙丁戊己庚辛"[i % 8], f"137{i:08d}", f"3-2-{i:04d}", "3", "sunrise"
        ),
        channel="phone",
        received_at=at,
        receiver="SR-103",
        summary=SUMMARIES[i % len(SUMMARIES)],
        site="sunrise",
    )


def _outbox(database: Path) -> list[tuple[str, str, str, int, str | None]]:
    """(notifier, key, recipient, attempts, delivered_at) for every outbox row."""
    with sqlite3.connect(database) as conn:
        rows = conn.execute(
            "SELECT notifier, dedupe_key, body_json, attempts, delivered_at FROM outbox ORDER BY id"
        ).fetchall()
    return [(n, k, json.loads(b)["recipient"], a, d) for n, k, b, a, d in rows]


def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The webhook table has no ``proxies`` key: keep environment proxies off 127.0.0.1."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@dataclass
class Setup:
    desk: Desk
    database: Path
    staff: dict[str, StaffMember]


@pytest.fixture
def setup(
    tmp_path: Path,
    smtp_server: SmtpTestServer,
    http_server: HttpTestServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Setup]:
    _no_proxy(monkeypatch)
    staff_file = write_sample_staff(tmp_path / "staff.toml")
    database = tmp_path / "complaints.sqlite3"
    desk = Desk.from_config(
        DeskConfig(
            database=str(database),
            staff_file=str(staff_file),
            notifiers={
                "email": {
                    "host": smtp_server.host,
                    "port": smtp_server.port,
                    "sender": SENDER,
                    "timeout": 2,
                },
                "webhooks": [{"url": http_server.url("/hook"), "timeout": 2}],
            },
        )
    )
    try:
        yield Setup(desk, database, {m.staff_id: m for m in desk.directory.members()})
    finally:
        desk.close()


def _down(mode: str, smtp: SmtpTestServer, http: HttpTestServer) -> None:
    if mode == "stopped":
        smtp.stop()
        http.stop()
    else:
        smtp.fail()  # 451 on DATA: temporary failure
        http.fail(500)


@pytest.mark.procedure("REC-5")
@pytest.mark.parametrize("mode", ["stopped", "failing"])
def test_a_burst_while_servers_are_down_is_delivered_exactly_once_when_they_are_back(
    setup: Setup,
    smtp_server: SmtpTestServer,
    http_server: HttpTestServer,
    mode: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="complaintcore")
    desk, smtp, http = setup.desk, smtp_server, http_server
    clock = FixedClock(T0)
    _down(mode, smtp, http)

    ids: list[str] = []
    for i in range(BURST):
        now = clock.advance(minutes=2)
        if i == BURST // 2:  # the webhook flaps: up for one receipt, then down again
            http.start() if mode == "stopped" else http.recover()
        c = desk.receive(_intake(i, now), now=now)
        desk.deliver(now)
        if i == BURST // 2:
            _down(mode, smtp, http)
        ids.append(c.id)
        if i % 3 == 0:  # work goes on while the channels are down
            handler = c.state.handler
            desk.act(c.id, Reply(actor="SR-102", message="已收到，正在处理"), now=now)
            desk.act(c.id, Assess(actor=handler, validity="valid"), now=now)
            desk.deliver(now)
    flap_posts = {r.header("Idempotency-Key") for r in http.delivered}
    assert smtp.messages == []
    assert flap_posts  # the one receipt while it was up went out at once

    # Every state change was kept while the servers were down.
    for i, cid in enumerate(ids):
        c = desk.get(cid)
        assert c.status is Status.IN_HANDLING
        kinds = [e.kind for e in c.events]
        assert kinds[:2] == ["registered", "classified"]
        assert "assigned" in kinds
        assert ("assessed" in kinds) == (i % 3 == 0)
        assert ("replied" in kinds) == (i % 3 == 0)
    assert desk.verify().ok
    waiting = [r for r in _outbox(setup.database) if r[4] is None]
    assert waiting
    assert {r[0] for r in waiting} == {"email", "webhook"}
    assert all(r[3] >= 1 for r in waiting)  # each tried, kept for a retry
    assert [r for r in _outbox(setup.database) if r[0] == "log" and r[4] is None] == []
    # The failures are logged by key, never with personal data.
    failures = [r.getMessage() for r in caplog.records if r.name == "complaintcore.desk"]
    phones = [_intake(i, T0).complainant.phone for i in range(BURST)]
    assert failures
    assert not any(phone in m for m in failures for phone in phones)

    # The webhook comes back first, the mail server later.
    http.start() if mode == "stopped" else http.recover()
    rounds = 0
    while desk.deliver(clock.advance(hours=1)).sent:
        rounds += 1
        assert rounds < 10
    assert smtp.messages == []
    assert not [r for r in _outbox(setup.database) if r[0] == "webhook" and r[4] is None]
    smtp.start() if mode == "stopped" else smtp.recover()
    while desk.deliver(clock.advance(hours=1)).sent:
        rounds += 1
        assert rounds < 20
    final = desk.deliver(clock.advance(days=1))
    assert (final.sent, final.failed, final.given_up) == (0, 0, 0)

    outbox = _outbox(setup.database)
    assert all(delivered is not None for *_, delivered in outbox), "nothing is lost"
    email_keys = [k for n, k, *_ in outbox if n == "email"]
    hook_keys = [k for n, k, *_ in outbox if n == "webhook"]
    assert len(set(email_keys)) == len(email_keys) == len(hook_keys) == len(set(hook_keys))

    # SMTP: one message per notification for a recipient with an address; none twice.
    mail_ids = Counter(m.message["Message-ID"] for m in smtp.messages)
    assert max(mail_ids.values()) == 1
    expected = {message_id(k) for n, k, r, *_ in outbox if n == "email" and setup.staff[r].email}
    assert set(mail_ids) == expected
    assert len(smtp.messages) == len(expected)
    # Webhook: one accepted POST per notification, whatever was refused before.
    posts = Counter(r.header("Idempotency-Key") for r in http.delivered)
    assert max(posts.values()) == 1
    assert set(posts) == set(hook_keys)
    assert sum(posts.values()) == len(hook_keys)
    if mode == "failing":  # the refused attempts did reach the server, with the same keys
        refused = {r.header("Idempotency-Key") for r in http.requests if not r.delivered}
        assert refused
        assert refused <= set(hook_keys)


# --------------------------------------------------------------------------- raising notifiers


class _Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("cannot even describe myself")


class Raising:
    """A channel that raises a different exception each time while ``down``."""

    def __init__(self, name: str = "flaky") -> None:
        self.name = name
        self.down = True
        self.calls = 0
        self.sent: list[str] = []
        self.errors: list[Exception] = [
            RuntimeError("boom"),
            ValueError("bad value"),
            NotificationError("flaky", "k", "HTTP 503"),
            OSError(111, "Connection refused"),
            KeyError("missing"),
            _Unprintable(),
        ]

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        self.calls += 1
        if self.down:
            raise self.errors[self.calls % len(self.errors)]
        self.sent.append(notification.key)


def _desk(
    tmp_path: Path,
    notifiers: list[Notifier],
    store_clock: Callable[[], datetime] | None = None,
    **kw: object,
) -> Desk:
    """A desk on a SQLite file; ``store_clock``: the clock its outbox claims are kept on."""
    pack = load_pack("cn-property")
    return Desk(
        pack=pack,
        store=SqliteStore(tmp_path / "complaints.sqlite3", clock=store_clock),
        directory=load_sample_staff(pack=pack),
        calendar=calendar_for_spec(pack.calendar),
        notifiers=notifiers,
        **kw,  # type: ignore[arg-type]
    )


def test_a_notifier_raising_inside_deliver_never_breaks_act(tmp_path: Path) -> None:
    flaky, good = Raising(), RecordingNotifier("good")
    clock = FixedClock(T0)
    with _desk(tmp_path, [flaky, good]) as desk:
        ids = []
        for i in range(len(flaky.errors) + 2):
            c = desk.receive(_intake(i, clock()), now=clock())  # must not raise
            c = desk.act(
                c.id, Pause(actor="SR-102", reason="等业主提供照片"), now=clock.advance(minutes=1)
            )
            desk.deliver(clock())  # must not raise either
            assert c.state.paused
            ids.append(c.id)
        assert flaky.calls >= len(flaky.errors)
        assert flaky.sent == []
        for cid in ids:  # every change committed
            assert [e.kind for e in desk.get(cid).events][-1] == "paused"
        assert desk.verify().ok
        # The working channel was not held up by the failing one.
        assert len(good.keys) == len(set(good.keys)) > 0
        flaky.down = False
        while desk.deliver(clock.advance(hours=2)).sent:
            pass
        assert sorted(flaky.sent) == sorted(good.keys)  # every message, once each


def test_a_coroutine_send_is_refused_when_the_desk_is_built(tmp_path: Path) -> None:
    """Called in a thread without an event loop, it would never run, and the message
    would be recorded as sent."""

    class Push:
        name = "push"

        async def send(self, notification: Notification, recipient: StaffMember | None) -> None:
            raise AssertionError("never called")

    with pytest.raises(InvalidInputError, match="push: send is a coroutine function") as info:
        _desk(tmp_path, [Push()])  # type: ignore[list-item]
    assert info.value.path == "notifiers"


def test_a_send_that_hands_back_an_awaitable_is_a_failure_retried(tmp_path: Path) -> None:
    """A plain send returning a coroutine sent nothing: not delivered, tried again."""
    pushed: list[str] = []

    class Push:
        name = "push"
        pending = True

        def send(self, notification: Notification, recipient: StaffMember | None) -> object:
            if self.pending:
                return asyncio.sleep(0)  # scheduled on a loop the desk does not run
            pushed.append(notification.key)
            return None

    push = Push()
    clock = FixedClock(T0)
    with _desk(tmp_path, [push]) as desk:  # type: ignore[list-item]
        desk.receive(_intake(0, clock()), now=clock())
        first = desk.deliver(clock())
        assert first.sent == 0
        assert first.failed > 0
        assert pushed == []
        push.pending = False
        assert desk.deliver(clock.advance(hours=2)).sent == first.failed
    assert len(pushed) == first.failed


def test_a_failure_while_delivering_never_reaches_the_command_or_stops_the_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The change is committed and the command has returned before anything is sent:
    whatever goes wrong in delivery (here the outbox bookkeeping itself: a locked
    database) is logged by the worker, which keeps going, and never makes the
    caller believe the command failed and run it again."""
    flaky = FailingNotifier("flaky")
    clock = FixedClock(T0)
    with _desk(tmp_path, [flaky], clock) as desk:  # the claims' clock is the test's

        def locked(*args: object, **kwargs: object) -> None:
            raise sqlite3.OperationalError("database is locked")

        monkeypatch.setattr(desk.store, "mark_failed", locked)
        worker = desk.start_delivery(clock=clock, interval=60)
        c = desk.receive(_intake(1, clock()), now=clock())  # must not raise
        c = desk.act(c.id, Pause(actor="SR-102", reason="等业主回复"), now=clock.advance(minutes=1))
        assert worker.wait_idle(10)
        assert desk.get(c.id).events == c.events
        assert any("delivering notifications failed" in r.getMessage() for r in caplog.records)
        monkeypatch.undo()
        flaky.down = False
        clock.advance(minutes=10)  # past the claims' lease
        assert worker.wait_idle(10)
        # urgent, help, assigned, and the site visit a serious complaint owes (004 篇4 §3.6)
        assert sum(r.sent for r in worker.reports) == 4
        assert len(set(flaky.keys)) == len(flaky.keys) == 4


def test_messages_for_a_channel_this_desk_lacks_do_not_hold_back_its_own(
    tmp_path: Path,
) -> None:
    """The outbox is read oldest first: what a desk passes over must not block it.

    Another process (a web front end with a pager channel) and this one (a job
    with an SMS channel) share the file.  ``limit`` is small here so that a few
    foreign items would fill the window if they were read.
    """
    clock = FixedClock(T0)
    with _desk(tmp_path, [FailingNotifier("pager")]) as other:
        for i in range(4):  # group incidents: three recipients each
            other.receive(_intake(1 + 4 * i, clock.advance(minutes=1)), now=clock())
    sms = FailingNotifier("sms")
    with _desk(tmp_path, [sms]) as desk:
        c = desk.receive(_intake(0, clock.advance(minutes=1)), now=clock())
        desk.deliver(clock())
        assert sms.sent == []
        assert sms.attempts == 1
        sms.down = False
        for _ in range(3):
            desk.deliver(clock.advance(hours=1), limit=5)
        assert [n.complaint_id for n, _ in sms.sent] == [c.id]


def test_messages_for_a_channel_no_desk_has_are_counted_and_named_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The host renamed its channel ``wecom`` to ``wecom-robot``: what was queued for
    ``wecom`` waits for a process that has it, and none has.  Every sweep and
    delivery counts it, the log names the channel once (and nothing of the
    messages), and the messages are kept for a process that has the channel."""
    clock = FixedClock(T0)
    database = tmp_path / "complaints.sqlite3"
    with _desk(tmp_path, [RecordingNotifier("wecom")]) as old:
        old.receive(_intake(1, clock()), now=clock())
    queued = [row for row in _outbox(database) if row[0] == "wecom"]
    assert queued
    caplog.set_level(logging.WARNING, logger="complaintcore.desk")
    later = clock.advance(days=30)
    robot = RecordingNotifier("wecom-robot")
    with _desk(tmp_path, [robot]) as desk:
        assert desk.sweep(later).for_other_channels == len(queued)
        report = desk.deliver(later)
        assert report.sent == len(robot.sent) > 0  # the sweep's escalations went out
        assert report.for_other_channels == len(queued)
        assert desk.sweep(later + timedelta(hours=1)).for_other_channels == len(queued)
    with _desk(tmp_path, []) as reports_only:  # a desk without channels sends nothing
        assert reports_only.sweep(later + timedelta(hours=2)).for_other_channels == 0
    named = [r.getMessage() for r in caplog.records if "channel 'wecom'" in r.getMessage()]
    assert len(named) == 1
    assert named[0].startswith(f"{len(queued)} notification(s) wait for channel 'wecom'")
    intake = _intake(1, T0)
    for secret in (intake.complainant.name, intake.complainant.phone, intake.summary):
        assert secret not in named[0]
    assert [row for row in _outbox(database) if row[0] == "wecom"] == queued  # kept, untried
    wecom = RecordingNotifier("wecom")
    with _desk(tmp_path, [wecom]) as back:  # a process with the channel sends them
        assert back.deliver(later).sent == len(queued) == len(wecom.sent)
        assert back.sweep(later).for_other_channels == 0


def test_given_up_messages_do_not_hold_back_newer_ones(tmp_path: Path) -> None:
    """Items past ``retry.max_attempts`` stay in the outbox for a person to look at,
    but the ones behind them still go out."""
    clock = FixedClock(T0)
    pager = FailingNotifier("pager")
    with _desk(tmp_path, [pager], retry=RetryPolicy(max_attempts=2)) as desk:
        # Group incidents: urgent, help, assigned and the site visit owed, four messages
        # each; the third owner in building 3 makes a concentrated issue, which the four
        # customer-service staff of the site hear of (HDL-5).  One attempt so far.
        for i in range(4):
            desk.receive(_intake(1 + 4 * i, clock()), now=clock())
        assert desk.deliver(clock()).failed == 4 * 4 + 4
        last = desk.deliver(clock.advance(hours=1))  # second and last: given up (review s48L F03)
        assert (last.failed, last.newly_given_up) == (0, 4 * 4 + 4)
        c = desk.receive(_intake(0, clock.advance(minutes=1)), now=clock())
        assert desk.deliver(clock()).failed >= 1  # still down
        pager.down = False
        reports = [desk.deliver(clock.advance(hours=1), limit=5) for _ in range(3)]
        assert reports[0].given_up >= 5
        assert [n.complaint_id for n, _ in pager.sent] == [c.id]
        assert sum(r.sent for r in reports) == 1
