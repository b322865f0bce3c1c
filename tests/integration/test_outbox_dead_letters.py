"""Dead letters: messages no longer tried are listed, retried or dropped, and warned
about until then (issue 13, defect 8).

0.1.0 stopped trying a message after ``max_attempts`` and said nothing: it sat
in the outbox for ever, no command listed it and nothing could send it again.
Now ``Desk.dead_letters`` / ``complaintcore outbox list`` show them, ``retry``
counts their attempts afresh, ``drop`` gives them up for good with a reason
kept beside them, and every sweep warns while any wait.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintcore import InvalidInputError, Notification, StaffMember
from complaintcore.cli import main
from complaintcore.desk.config import RetryPolicy
from complaintcore.testing import RecordingNotifier, make_desk
from tests.integration.test_cli_delivery_and_identity import RECEIVE, _unreachable, invoke
from tests.integration.test_delivery_off_intake import T0, intakes


class Down(RecordingNotifier):
    """A channel that refuses until it is fixed."""

    def __init__(self) -> None:
        super().__init__("sms")
        self.up = False

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        if not self.up:
            raise OSError("gateway down")
        super().send(notification, recipient)


def test_the_desk_lists_retries_and_drops_dead_letters() -> None:
    sms = Down()
    desk = make_desk(notifiers=[sms])
    desk.retry = RetryPolicy(max_attempts=2, first_delay_seconds=60)
    received = list(desk.receive_many(list(intakes(3, T0)), now=T0))
    assert desk.deliver(T0).failed == 3
    assert desk.dead_letters() == []  # one attempt of two: still tried
    last = desk.deliver(T0 + timedelta(minutes=2))  # the last attempt: given up, not kept
    assert (last.failed, last.newly_given_up, last.given_up) == (0, 3, 3)
    dead = desk.dead_letters()
    assert [i.notification.complaint_id for i in dead] == [c.id for c in received]
    assert {(i.attempts, i.last_error) for i in dead} == {(2, "OSError: gateway down")}
    later = T0 + timedelta(days=1)
    assert desk.deliver(later).failed == 0  # no longer tried ...
    assert desk.sweep(later).dead_letters == 3  # ... and the sweep says so

    sms.up = True
    desk.retry_message(dead[0].id, later)  # attempts counted afresh
    desk.drop_message(dead[1].id, later, "the owner moved out")
    assert [i.id for i in desk.dead_letters()] == [dead[2].id]
    assert desk.deliver(later).sent == 1
    assert [n.complaint_id for n, _ in sms.sent] == [received[0].id]
    assert desk.sweep(later).dead_letters == 1
    desk.retry_message(dead[2].id, later)
    assert desk.deliver(later).sent == 1
    assert desk.sweep(later).dead_letters == 0
    assert desk.deliver(later + timedelta(days=30)).sent == 0  # the dropped one never goes
    with pytest.raises(InvalidInputError):
        desk.retry_message(dead[1].id, later)  # dropped stays dropped
    with pytest.raises(InvalidInputError):
        desk.drop_message(dead[0].id, later, "too late")  # delivered stays delivered
    assert desk.verify(later).ok  # bookkeeping, not tampering


# --------------------------------------------------------------------------- the command line


@pytest.fixture
def dead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A desk whose webhook is down, with one message given up after one attempt."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    _unreachable(tmp_path, attempts=1)
    assert invoke(*RECEIVE).exit_code == 0
    items = json.loads(invoke("outbox", "list", "--json").stdout)
    assert len(items) == 1
    return [items[0]["id"]]


def test_outbox_list_shows_dead_letters_without_personal_data(dead: list[int]) -> None:
    [item] = json.loads(invoke("outbox", "list", "--json").stdout)
    assert item["notifier"] == "webhook"
    assert item["attempts"] == 1
    assert "cannot reach" in item["last_error"]
    assert item["key"].startswith(item["complaint_id"] + ":")
    table = invoke("outbox", "list")
    assert table.exit_code == 0
    assert str(dead[0]) in table.stdout
    for secret in ("王小明", "13812345678", "1201"):
        assert secret not in table.stdout
    # --pending lists every message not delivered or dropped: the dead letter too
    [waiting] = json.loads(invoke("outbox", "list", "--pending", "--json").stdout)
    assert (waiting["id"], waiting["state"]) == (dead[0], "dead")


def test_outbox_retry_sends_again_and_the_warning_clears_after_drop(dead: list[int]) -> None:
    assert "no longer tried" in invoke("sweep", now="2025-11-14T17:40").stderr
    retried = invoke("outbox", "retry", str(dead[0]), now="2025-11-14T17:41")
    assert retried.exit_code == 0
    assert retried.stdout.strip() == "1 message to be sent again"
    # tried again at once, still down: a dead letter again after its one attempt
    assert [i["id"] for i in json.loads(invoke("outbox", "list", "--json").stdout)] == dead
    dropped = invoke("outbox", "drop", "--all-dead", "--reason", "the webhook is retired")
    assert dropped.exit_code == 0
    assert dropped.stdout.strip() == "1 message dropped"
    assert json.loads(invoke("outbox", "list", "--json").stdout) == []
    swept = invoke("sweep", "--json", now="2025-11-14T18:00")
    assert json.loads(swept.stdout)["dead_letters"] == 0
    assert "no longer tried" not in swept.stderr
    assert json.loads(invoke("deliver", "--json", now="2025-11-20T09:00").stdout)["failed"] == 0
    assert invoke("verify").exit_code == 0


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["outbox", "retry"], 2),  # which?
        (["outbox", "retry", "1", "--all-dead"], 2),  # both
        (["outbox", "drop", "1"], 2),  # no reason
        (["outbox", "drop", "1", "--reason", "  "], 1),  # an empty one
        (["outbox", "retry", "0"], 2),
        (["outbox", "retry", "99999999999999999999"], 2),
        (["outbox", "retry", "424242"], 1),  # no such message
        (["outbox", "drop", "424242", "--reason", "x"], 1),
    ],
)
def test_outbox_refuses_what_it_cannot_do(dead: list[int], args: list[str], code: int) -> None:
    result = invoke(*args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert [i["id"] for i in json.loads(invoke("outbox", "list", "--json").stdout)] == dead


def test_a_dropped_message_is_neither_retried_nor_dropped_again(dead: list[int]) -> None:
    assert invoke("outbox", "drop", str(dead[0]), "--reason", "retired").exit_code == 0
    assert invoke("outbox", "retry", str(dead[0])).exit_code == 1
    assert invoke("outbox", "drop", str(dead[0]), "--reason", "again").exit_code == 1


@pytest.mark.procedure("REC-5")
def test_outbox_drop_keeps_who_dropped_it_and_verify_finds_a_forged_drop(
    dead: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    assert invoke("outbox", "drop", "1", "--reason", "x", "--actor", "NOBODY-9").exit_code == 1
    dropped = invoke(
        "outbox", "drop", str(dead[0]), "--reason", "retired", "--actor", "sr-103", user="liwei"
    )
    assert dropped.exit_code == 0, dropped.output
    with sqlite3.connect(tmp_path / "complaints.sqlite3") as db:
        found = db.execute(
            "SELECT dropped_by, dropped_os_user FROM outbox WHERE id = ?", (dead[0],)
        ).fetchall()
    assert found == [("SR-103", "liwei")]
    assert invoke("verify").exit_code == 0
    with sqlite3.connect(tmp_path / "complaints.sqlite3") as db:
        db.execute("UPDATE outbox SET dropped_by = 'HQ-001' WHERE id = ?", (dead[0],))
    checked = invoke("verify", "--json")
    assert checked.exit_code == 5
    assert json.loads(checked.stdout)["problems"] == [
        f"outbox item {dead[0]}: marked dropped, but not by the library"
    ]


class Leaky(RecordingNotifier):
    """A host's SMS-like channel whose gateway quotes the number and the text refused."""

    def __init__(self) -> None:
        super().__init__("webhook")

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        raise RuntimeError(
            # the owner's record it looked up, as its client quoted it in the URL
            "GET /owners/%E7%8E%8B%E5%B0%8F%E6%98%8E?room=3-2-1201: 404; "
            "gateway 40017: SMS to 13900001111 refused, sensitive words in: "
            + " ".join(notification.body.splitlines()[:8])
            + " 王小明 3-2-1201"
        )


@pytest.mark.procedure("PRV-1")
def test_a_channels_error_text_is_stored_and_listed_masked(dead: list[int], tmp_path: Path) -> None:
    from complaintcore.adapters.sqlite_store import SqliteStore

    with SqliteStore(tmp_path / "complaints.sqlite3") as store:
        desk = make_desk(store=store, notifiers=[Leaky()])
        desk.retry_message(dead[0], T0 + timedelta(days=1))
        assert desk.deliver(T0 + timedelta(days=1)).failed == 1
    [item] = json.loads(invoke("outbox", "list", "--json").stdout)
    assert item["last_error"].startswith("RuntimeError: GET /owners/")
    assert "gateway 40017: SMS to " in item["last_error"]
    for args in (("outbox", "list"), ("outbox", "list", "--json")):
        listed = invoke(*args)
        for secret in ("13900001111", "13812345678", "王小明", "3-2-1201", "%E7%8E%8B%E5%B0"):
            assert secret not in listed.stdout, (args, secret)


def test_outbox_list_pending_shows_a_message_waiting_for_its_retry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/cli.md: ``--pending`` lists every message still waiting.  The webhook
    refused at 17:30 and is retried after 60 s: at 17:30:05 the message is not due,
    yet it waits, and the list says until when (s25H F05)."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    _unreachable(tmp_path, attempts=5)  # first_delay_seconds = 60
    assert invoke(*RECEIVE).exit_code == 0  # tried once at 17:30, refused
    listed = invoke("outbox", "list", "--pending", "--json", now="2025-11-14T17:30:05")
    [item] = json.loads(listed.stdout)
    assert (item["notifier"], item["topic"], item["recipient"]) == ("webhook", "assigned", "SR-201")
    assert (item["attempts"], item["state"]) == (1, "waiting")
    assert item["next_attempt_at"] == "2025-11-14T17:31:00+08:00"
    table = invoke("outbox", "list", "--pending", now="2025-11-14T17:30:05")
    assert "no messages" not in table.stdout
    assert "next try" in table.stdout
    due = invoke("outbox", "list", "--pending", "--json", now="2025-11-14T17:31")
    assert [i["state"] for i in json.loads(due.stdout)] == ["due"]
    assert json.loads(invoke("outbox", "list", "--json").stdout) == []  # not a dead letter


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_message_another_deliver_is_sending_is_neither_retried_nor_dropped(
    dead: list[int], tmp_path: Path, lang: str
) -> None:
    """The message is claimed at 17:42 by a sender whose send is still under way (a
    slow robot): `outbox retry` would send a copy and `outbox drop` would not stop
    it, so both are refused, naming when the claim lapses (five minutes on the
    store's clock: this machine's, whatever ``--now`` says), in the run's language
    (s31E F01, F02; review s46C F01).  Once the claim has lapsed (the sender died,
    its lease run out) the message may be dropped."""
    import sqlite3

    from complaintcore.adapters.sqlite_store import SqliteStore

    path = tmp_path / "complaints.sqlite3"
    with SqliteStore(path) as store:
        [claimed] = store.claim(T0.replace(day=14, hour=17, minute=42), lease=timedelta(minutes=5))
    assert claimed.id == dead[0]
    with sqlite3.connect(path) as conn:  # when the claim lapses, as stored
        (until,) = conn.execute(
            "SELECT claimed_until FROM outbox WHERE id = ?", (claimed.id,)
        ).fetchone()
    shown = f"{datetime.fromisoformat(until):%Y-%m-%d %H:%M:%S}"
    reason = {
        # the message's own id, not the field (review s51R1 F01: one of several ids)
        "en": f"{dead[0]}: is being sent (claimed until {shown} UTC): retry or drop it"
        " once that send has settled",
        "zh": f"{dead[0]}：正在发送（发送方占用至 UTC {shown}）：请待该次发送结束后再重试或放弃",
    }[lang]
    env = {"COMPLAINTCORE_NOW": "2025-11-14T17:48"}  # past the lease counted from 17:42
    for args in (
        ["outbox", "retry", str(dead[0])],
        ["outbox", "drop", str(dead[0]), "--reason", "x"],
    ):
        refused = CliRunner().invoke(main, ["--lang", lang, *args], env=env)
        assert refused.exit_code == 1, refused.output
        assert any(line.endswith(reason) for line in refused.output.splitlines()), refused.output
    with SqliteStore(path) as store:  # the sender died; another's lease ran out at once
        store.release(claimed.id, T0)
        [again] = store.claim(T0.replace(day=14, hour=17, minute=42), lease=timedelta(0))
    assert again.id == dead[0]
    dropped = invoke("outbox", "drop", str(dead[0]), "--reason", "stale", now="2025-11-14T17:47")
    assert dropped.exit_code == 0, dropped.output
