"""Review s53R13: re-review of the s53R9 and s53R10 fixes.

F01: a SQLite file whose name has ``:`` and then ``@`` in one segment
(``backup 10:30@estate.sqlite3``) was shown as "(unreadable connection string)",
also in the line of ``migrate --to`` saying what to put in complaintcore.toml.

F02: while the desk closed, a delivery worker ended quietly (DEBUG only) on any
``StoreError``: a send that got through whose "delivered" write the store refused
for good (read-only, disk full) was logged nowhere and sent again silently.

F03: the closing WARNING "closing with N send outcome(s) not recorded" counted the
kept writes (an attempt plus its dead-letter marks), not the messages.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.stores import describe_database, setting_without_password
from complaintcore.core.errors import StoreError
from complaintcore.desk.ports import Notification, StaffMember
from tests.integration.test_cli_zh_reader import desk
from tests.integration.test_delivery_off_intake import T0, intakes
from tests.integration.test_delivery_review_s39b import desk_of
from tests.integration.test_review_s52r6 import en
from tests.integration.test_review_s53r10 import Failing, join, rows

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

__all__ = ["desk"]  # the fixture: a desk set up in the test's own directory

UNREADABLE = "(unreadable connection string)"
SECRET = "Zq9secret"


class Slow:
    """A channel whose send gets through after ``seconds``; ``began`` is set as it begins."""

    name = "rec"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.keys: list[str] = []
        self.began = threading.Event()

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        self.keys.append(notification.key)
        self.began.set()
        time.sleep(self.seconds)


# --------------------------------------------------------------------------- F02


def _read_only(store: SqliteStore) -> None:
    """The store's own connection refuses writes: a real SQLITE_READONLY."""
    store._conn().execute("PRAGMA query_only = 1")


def _disk_full(store: SqliteStore) -> None:
    raise StoreError(store.path, "is full: the disk has no room left (SQLITE_FULL)")


@pytest.mark.parametrize("refusal", [_read_only, _disk_full], ids=["read-only", "disk-full"])
@pytest.mark.parametrize("timeout", [None, 5.0], ids=["close", "close-timeout"])
def test_a_delivered_write_refused_for_good_while_the_desk_closes_is_an_error(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    refusal: Callable[[SqliteStore], None],
    timeout: float | None,
) -> None:
    """The review's close_store_error.py: a worker's pass is sending (1 s) when
    ``close()`` is called; the send gets through and the store refuses its
    "delivered" write for good (not a lock).  Before: nothing at INFO or above
    (a DEBUG line only) and the message silently sent again.  Now the ERROR
    "delivering notifications failed" with the StoreError, as before s53R10."""
    path = tmp_path / "desk.sqlite3"
    store = SqliteStore(path, timeout=2)
    channel = Slow(1.0)
    desk = desk_of([channel], store=store, send_timeout=3)
    desk.receive(next(intakes(1, T0)), now=T0)
    real = store.mark_delivered

    def mark_delivered(item_id: int, at: datetime) -> None:
        refusal(store)
        real(item_id, at)

    store.mark_delivered = mark_delivered  # type: ignore[method-assign]
    with caplog.at_level(logging.INFO, logger="complaintcore"):
        worker = desk.start_delivery(clock=lambda: T0, interval=1)
        assert channel.began.wait(10)
        desk.close(timeout=timeout)
        join(worker._thread)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == ["delivering notifications failed"]
    assert errors[0].exc_info is not None
    refused = errors[0].exc_info[1]
    assert isinstance(refused, StoreError)
    assert not refused.transient
    assert rows(path) == [(0, None)]  # not recorded: sent again, and the log says why


# --------------------------------------------------------------------------- F03


@pytest.mark.parametrize("complaints", [1, 2])
def test_the_closing_warning_counts_messages_not_kept_writes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, complaints: int
) -> None:
    """The review's count_outcomes.py: each message fails hopelessly with
    ``max_attempts=5``; a lock refuses its failed-attempt writes (one attempt and
    its dead-letter marks, kept), still when ``close(timeout=0.5)`` runs.  Before:
    "closing with 5 send outcome(s) not recorded" for one message (10 for two).
    Now one per message: 1 and 2."""
    path = tmp_path / "desk.sqlite3"
    store = SqliteStore(path, timeout=2)
    channel = Failing(0.0, hopeless=True)  # HTTP 400: no retry can mend it
    desk = desk_of([channel], store=store, max_attempts=5)
    for intake in intakes(complaints, T0):
        desk.receive(intake, now=T0)

    def refused(*args: object, **kwargs: object) -> None:
        raise StoreError(store.path, "is locked by another writer", transient=True)

    store.mark_failed = refused  # type: ignore[method-assign]
    store.mark_failed_held = refused  # type: ignore[method-assign]
    desk.deliver(T0)
    assert len(channel.keys) == complaints  # one message each: the handler's
    with caplog.at_level(logging.INFO, logger="complaintcore"):
        desk.close(timeout=0.5)
    closing = [r.getMessage() for r in caplog.records if "closing with" in r.getMessage()]
    assert closing == [
        f"closing with {complaints} send outcome(s) not recorded (StoreError): their"
        " messages are sent again, with the same key, once their claim lapses"
    ]


# --------------------------------------------------------------------------- F01


@pytest.mark.parametrize(
    "name",
    [
        "backup 10:30@estate.sqlite3",
        "/srv/backup 10:30@estate.sqlite3",
        "/srv/2026-12-05 10:30@site/desk.sqlite3",
        "C:\\backups\\backup 10:30@estate.sqlite3",
        "desks/sunrise at 10:30@estate.sqlite3",
        "/srv/desk@2/complaints.sqlite3",
        "user:pw.sqlite3",
        "C:desk.sqlite3",
    ],
)
def test_a_sqlite_file_name_with_a_colon_then_an_at_sign_is_shown_as_written(name: str) -> None:
    """A colon then an "@" in one segment of a file name, not at its start, is
    not userinfo: the name is shown (and to be written) as it is."""
    assert describe_database(name) == name
    assert setting_without_password(name) == name


@pytest.mark.parametrize(
    "database",
    [
        # what reads as a URL whose "//" went missing, or as userinfo at the start
        # of the text or of a path segment (a relative setting joined to the
        # configuration's directory): still hidden
        f"postgres:bob:{SECRET}@127.0.0.1/desk",
        f"postgresql:/bob:{SECRET}@127.0.0.1/desk",
        f"bob:{SECRET}@db/desk",
        f"  bob:{SECRET}@db/desk",
        f"/srv/desk/bob:{SECRET}@db/desk",
        f"/srv/desk/postgres:bob:{SECRET}@127.0.0.1/desk",
        f"bob%3A{SECRET}@db/desk",
        # a password setting anywhere in a file name
        f"backup 10:30@estate?password={SECRET}",
        f"/srv/desk/notes PASSWORD = {SECRET}",
        # URLs and libpq strings as before
        f"mysql://bob:{SECRET}@db/desk?x=a:b@c",
        f"host=db dbname=x:{SECRET}@y password={SECRET}",
    ],
)
def test_what_reads_as_a_connection_text_with_a_secret_is_still_hidden(database: str) -> None:
    shown = describe_database(database)
    assert SECRET not in shown
    assert "bob" not in shown


def test_the_userinfo_of_a_libpq_string_is_hidden_anywhere() -> None:
    assert describe_database(f"host=db dbname=x:{SECRET}@y") == UNREADABLE
    assert describe_database(f"/srv/desk/host=db dbname=x:{SECRET}@y") == UNREADABLE


def test_migrate_to_a_file_with_a_time_in_its_name_says_what_to_write(desk: Path) -> None:
    """The review's migrate_to.sh: the copy succeeded, and the lines naming the
    target said "(unreadable connection string)"."""
    name = "backup 10:30@estate.sqlite3"
    result = en("migrate", "--to", name)
    assert result.exit_code == 0, result.output
    assert (desk / name).is_file()
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"copied 0 complaints, 0 events and 0 messages to {name}; hash chains verified"
    )
    assert lines[-1] == f"when ready, set database in complaintcore.toml to {name}"
    assert UNREADABLE not in result.stdout + result.stderr
    again = en("migrate", "--to", "again 10:30@estate.sqlite3", "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["to"] == "again 10:30@estate.sqlite3"


def test_a_missing_file_with_a_time_in_its_name_is_named_in_the_error(desk: Path) -> None:
    config = desk / "complaintcore.toml"
    lines = config.read_text(encoding="utf-8").splitlines()
    setting = 'database = "backup 10:30@estate.sqlite3"'
    kept = [setting if line.startswith("database") else line for line in lines]
    config.write_text("\n".join(kept) + "\n", encoding="utf-8")
    result = en("list")
    assert result.exit_code != 0
    assert "backup 10:30@estate.sqlite3" in result.stdout + result.stderr
    assert UNREADABLE not in result.stdout + result.stderr
