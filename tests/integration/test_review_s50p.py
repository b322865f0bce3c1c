"""Review s50P (an attacker with a foothold): the parts that need a server, a
database file or the command line.

F02: a webhook's token in its URL's path is kept out of its errors, and so out of
the outbox's stored error, ``outbox list`` and the log.

F01: ``report --output`` refuses the desk's database under another name (a hard
link) and replaces a file by renaming a new one over it.  F04: a symbolic link to
nothing, or one planted in a shared folder by another user, is not followed by
``verify --checkpoint`` or ``report --output``.

F03: an outbox message claimed far ahead by hand (``claimed_until`` 2999) is named
by ``verify``, sent by the next delivery pass and may be retried or dropped; a
claim a sender took still holds.  On SQLite and PostgreSQL, guard triggers off.

F05: a new database, its -wal and -shm, a migrate copy, the staff file and the
configuration are made 0600 (0660 in a set-group-ID folder), whatever the umask.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest
from click.testing import CliRunner, Result

from complaintcore import Desk, OutboxStore
from complaintcore.adapters.notify import NotificationError, WebhookNotifier
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import write_sample_staff
from complaintcore.cli import main
from complaintcore.core.errors import InvalidInputError
from complaintcore.desk.ports import Notification, StaffMember
from complaintcore.testing import FailingNotifier, make_desk
from tests.integration.servers import HttpTestServer, http_server_fixture  # noqa: F401
from tests.integration.test_delivery_off_intake import T0 as T0_DELIVERY
from tests.integration.test_delivery_off_intake import intakes
from tests.integration.test_tamper_evidence import Attacker
from tests.integration.test_tamper_evidence import attacker as attacker  # the fixture

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


# --------------------------------------------------------------------------- F01, F04: files

NOW = "2025-11-14T17:30"
OWN = "Invalid value for '--output': is one of the desk's own files; choose another file"
DANGLING = "is a symbolic link to a file that does not exist; give the file itself"
FOREIGN = "is a symbolic link another user made in a shared folder; give the file itself"


@pytest.fixture
def desk_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    desk = tmp_path / "desk"
    desk.mkdir()
    monkeypatch.chdir(desk)
    monkeypatch.setenv("COMPLAINTCORE_NOW", NOW)
    assert invoke("init", ".").exit_code == 0
    result = invoke(
        "receive", "--name", "王小明", "--phone", "13812345678", "--room", "3-2-1201",
        "--site", "sunrise", "--summary", "电梯坏了", "--receiver", "SR-103",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return desk


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["--lang", "en", *args])


def report_to(output: str) -> Result:
    return invoke("report", "--month", "2025-11", "--format", "csv", "--output", output)


@pytest.mark.parametrize("own", ["complaints.sqlite3", "staff.toml", "complaintcore.toml"])
def test_a_report_over_a_hard_link_of_the_desks_own_file_is_refused(
    desk_dir: Path, own: str
) -> None:
    """A second name of the database (an rsnapshot or ``cp -al`` tree) is the
    database: refused as its own name is (exit 2), nothing written."""
    link = desk_dir.parent / "snapshot-link"
    os.link(desk_dir / own, link)
    kept = (desk_dir / own).read_bytes()
    result = report_to(str(link))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {OWN}")
    assert (desk_dir / own).read_bytes() == kept
    assert invoke("list").exit_code == 0


def test_a_report_replaces_its_file_and_leaves_another_name_of_it_as_it_was(
    desk_dir: Path,
) -> None:
    """Written as a new file renamed into place: an older report's hard link keeps
    the older report, and the file keeps its permissions."""
    old = desk_dir / "old.csv"
    old.write_bytes(b"older report")
    old.chmod(0o640)
    os.link(old, desk_dir / "old-copy.csv")
    result = report_to("old.csv")
    assert result.exit_code == 0, result.output
    assert (desk_dir / "old-copy.csv").read_bytes() == b"older report"
    assert old.read_bytes().startswith("\ufeff".encode())  # the CSV's byte-order mark
    assert old.stat().st_mode & 0o777 == 0o640
    assert not [p for p in desk_dir.iterdir() if p.name.endswith(".tmp")]


def test_a_new_report_has_the_umasks_permissions(desk_dir: Path) -> None:
    old = os.umask(0o027)
    try:
        assert report_to("new.csv").exit_code == 0
    finally:
        os.umask(old)
    assert (desk_dir / "new.csv").stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("command", ["verify", "report"])
def test_a_link_to_a_file_that_does_not_exist_is_refused(desk_dir: Path, command: str) -> None:
    """Not followed to create a file wherever it points (exit 2, naming the option)."""
    elsewhere = desk_dir.parent / "rootonly"
    elsewhere.mkdir(mode=0o700)
    (desk_dir / "planted").symlink_to(elsewhere / "nologin")
    if command == "verify":
        result, option = invoke("verify", "--checkpoint", "planted"), "--checkpoint"
    else:
        result, option = report_to("planted"), "--output"
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: Invalid value for '{option}': {DANGLING}")
    assert list(elsewhere.iterdir()) == []


@pytest.mark.skipif(getattr(os, "geteuid", lambda: 1)() != 0, reason="gives a link to nobody")
@pytest.mark.parametrize("command", ["verify", "report"])
def test_a_link_another_user_planted_in_a_shared_folder_is_refused(
    desk_dir: Path, command: str
) -> None:
    """As Linux's protected_symlinks refuses it to open(): a link in a sticky
    world-writable folder owned by neither this user nor the folder's owner."""
    shared = desk_dir.parent / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    target = desk_dir.parent / "root.head"
    target.write_text(invoke("verify", "--head").stdout, encoding="utf-8")
    kept = target.read_bytes()
    link = shared / "planted"
    link.symlink_to(target)
    os.lchown(link, 65534, 65534)
    if command == "verify":
        result, option = invoke("verify", "--checkpoint", str(link)), "--checkpoint"
    else:
        result, option = report_to(str(link)), "--output"
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: Invalid value for '{option}': {FOREIGN}")
    assert target.read_bytes() == kept
    os.lchown(link, os.geteuid(), -1)  # the user's own link there is followed
    assert invoke("verify", "--checkpoint", str(link)).exit_code == 0


# --------------------------------------------------------------------------- F03: claims

SILENCED = "2999-01-01T00:00:00.000000+00:00"
AFTER = T0_DELIVERY + timedelta(days=7)
CLAIMED_TOO_LONG = (
    "claimed until later than any send or hold of this desk keeps it (claimed_until"
    " edited, or the [retry] or [delivery] settings or a channel's timeout shortened"
    " since); 'complaintcore deliver' and 'outbox retry' or 'outbox drop' take it as"
    " unclaimed"
)


@pytest.fixture
def silenced(attacker: Attacker) -> Iterator[tuple[Desk, FailingNotifier, int]]:
    """A desk whose one channel is down, one message of the intake waiting for a
    retry, then claimed until the year 2999 by hand."""
    hook = FailingNotifier("hostapi")
    store = attacker.open()
    desk = make_desk(store=store, notifiers=[hook])
    try:
        list(desk.receive_many(list(intakes(1, T0_DELIVERY)), now=T0_DELIVERY))
        desk.deliver(T0_DELIVERY)  # fails: kept for a retry
        assert isinstance(store, OutboxStore)
        waiting = store.waiting()
        assert waiting
        assert all(i.attempts == 1 for i in waiting)
        item_id = waiting[0].id
        assert desk.verify(T0_DELIVERY).ok
        attacker.run(
            "UPDATE {s}.outbox SET claimed_until = ? WHERE tenant = ? AND id = ?",
            SILENCED,
            "default",
            item_id,
        )
        yield desk, hook, item_id
    finally:
        desk.close()


def test_a_message_claimed_far_ahead_by_hand_is_reported_and_sent(
    silenced: tuple[Desk, FailingNotifier, int],
) -> None:
    """It was never sent again, could not be retried or dropped, and verify passed."""
    desk, hook, item_id = silenced
    assert isinstance(desk.store, OutboxStore)
    [key] = [i.notification.key for i in desk.store.waiting() if i.id == item_id]
    assert desk.verify(AFTER).problems == (f"outbox item {item_id}: {CLAIMED_TOO_LONG}",)
    hook.down = False
    desk.deliver(AFTER)
    assert isinstance(desk.store, OutboxStore)
    assert desk.store.waiting() == []  # the silenced message went out with the others
    assert key in hook.keys  # sent, its attempt a week later the second
    assert hook.attempts == 2 * len(hook.keys)  # each failed once, then got through
    assert desk.verify(AFTER).ok


@pytest.mark.parametrize("by_hand", ["retry", "drop"])
def test_a_message_claimed_far_ahead_by_hand_may_be_retried_or_dropped(
    silenced: tuple[Desk, FailingNotifier, int], by_hand: str
) -> None:
    desk, _hook, item_id = silenced
    if by_hand == "retry":
        desk.retry_message(item_id, AFTER)
        assert isinstance(desk.store, OutboxStore)
        [item] = [i for i in desk.store.waiting() if i.id == item_id]
        assert (item.attempts, item.next_attempt_at) == (0, AFTER)
    else:
        desk.drop_message(item_id, AFTER, "a copy was sent by hand", actor="SR-103")
        assert isinstance(desk.store, OutboxStore)
        assert item_id not in [i.id for i in desk.store.waiting()]
    assert desk.verify(AFTER).ok


def test_a_claim_a_sender_took_still_holds_off_a_retry_by_hand(
    silenced: tuple[Desk, FailingNotifier, int],
) -> None:
    """Only a claim longer than any the desk takes is taken as lapsed: one a sender
    holds (its send may still get through) still refuses a retry or a drop."""
    desk, _hook, item_id = silenced
    desk.retry_message(item_id, AFTER)
    claimed = desk.store.claim(AFTER, 10, lease=timedelta(minutes=5))
    assert item_id in [i.id for i in claimed]
    with pytest.raises(InvalidInputError, match="is being sent"):
        desk.retry_message(item_id, AFTER)
    with pytest.raises(InvalidInputError, match="is being sent"):
        desk.drop_message(item_id, AFTER, "stale")
    assert desk.verify(AFTER).ok


# --------------------------------------------------------------------------- F05: modes


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)  # the usual one, under which a default file is world-readable
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.usefixtures("umask_022")
def test_a_new_desks_files_are_readable_by_their_owner_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under umask 022 the database (its -wal and -shm too, while a store has it open),
    the staff file, the configuration and a ``migrate`` copy were 0644: every
    complainant's name, phone and room readable by any local account."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COMPLAINTCORE_NOW", NOW)
    assert invoke("init", "desk").exit_code == 0
    desk = tmp_path / "desk"
    store = SqliteStore(desk / "complaints.sqlite3")
    try:
        store.ledger_head()  # open: its -wal and -shm exist
        names = ["complaints.sqlite3", "complaints.sqlite3-wal", "complaints.sqlite3-shm"]
        names += ["staff.toml", "complaintcore.toml"]
        modes = {n: (desk / n).stat().st_mode & 0o777 for n in names}
    finally:
        store.close()
    assert modes == dict.fromkeys(names, 0o600)
    monkeypatch.chdir(desk)
    assert invoke("migrate", "--to", "../copy.sqlite3").exit_code == 0
    assert (tmp_path / "copy.sqlite3").stat().st_mode & 0o777 == 0o600


@pytest.mark.usefixtures("umask_022")
def test_a_desk_in_a_shared_group_folder_is_readable_by_the_group(tmp_path: Path) -> None:
    """A set-group-ID folder is how a team shares a desk: its files are made 0660,
    less the umask (022 takes the group's writing; a team's umask 002 keeps it),
    never readable by others."""
    shared = tmp_path / "team"
    shared.mkdir()
    shared.chmod(0o2770)
    SqliteStore(shared / "d.sqlite3").close()
    write_sample_staff(shared / "staff.toml")
    assert (shared / "d.sqlite3").stat().st_mode & 0o777 == 0o640
    assert (shared / "staff.toml").stat().st_mode & 0o777 == 0o640
    os.umask(0o002)
    SqliteStore(shared / "e.sqlite3").close()
    assert (shared / "e.sqlite3").stat().st_mode & 0o777 == 0o660


@pytest.mark.usefixtures("umask_022")
def test_an_existing_database_keeps_its_permissions(tmp_path: Path) -> None:
    """The operator's own choice for a file already there is not changed."""
    path = tmp_path / "d.sqlite3"
    SqliteStore(path).close()
    path.chmod(0o640)
    SqliteStore(path).close()
    assert path.stat().st_mode & 0o777 == 0o640
