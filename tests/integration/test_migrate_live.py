"""Moving a desk that is still being written to, and a copy that fails its check.

``copy_desk`` reads the source in one snapshot and compares the copy with it
inside the target's transaction (review s36A F01): a desk another connection
keeps receiving complaints on is copied whole as of the snapshot, and a copy
found wrong is rolled back, leaving the target empty for the next try.  The
stores are real (SQLite files, the suite's PostgreSQL); the writer is a thread
with a desk and a connection of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from complaintcore.adapters import transfer
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.transfer import HistoryStore, copy_desk
from complaintcore.cli import main
from complaintcore.core.errors import StoreError
from complaintcore.core.models import Complainant
from complaintcore.desk.ports import AccessRecord
from complaintcore.testing import make_desk
from tests.helpers import T0, intake
from tests.integration.test_cli import NOW as CLI_NOW
from tests.integration.test_cli import receive_one, run

NOW = T0 + timedelta(days=1)
ALREADY = 300  # more than one batch (256): the copy reports progress half way


def _intake(i: int) -> Any:
    return intake(
        complainant=Complainant(f"业主{i}", f"139{i:08d}", f"{i % 40}-1-{i}", "", "sunrise"),
        received_at=T0 + timedelta(seconds=i),
        receiver="SR-103",
    )


class _Opener:
    """Opens stores on one database of a kind: a SQLite file, or a schema of the
    suite's PostgreSQL dropped at the end."""

    def __init__(self, request: pytest.FixtureRequest, tmp_path: Path, stack: ExitStack) -> None:
        self._request, self._tmp, self._stack = request, tmp_path, stack

    def database(self, kind: str, name: str) -> str:
        if kind == "sqlite":
            return str(self._tmp / f"{name}.sqlite3")
        server = self._request.getfixturevalue("postgres_server")
        schema = server.new_schema()
        self._stack.callback(server.drop_schema, schema)
        return f"{server.dsn}?schema={schema}"

    def store(self, database: str) -> HistoryStore:
        if "://" in database:
            from complaintcore.adapters.postgres_store import PostgresStore

            opened: HistoryStore = PostgresStore(database)
        else:
            opened = SqliteStore(database)
        self._stack.callback(opened.close)
        return opened


@pytest.fixture
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[_Opener]:
    with ExitStack() as stack:
        yield _Opener(request, tmp_path, stack)


class _Writer(threading.Thread):
    """Receives one complaint after another on a desk of its own until stopped."""

    def __init__(self, store: HistoryStore) -> None:
        super().__init__(daemon=True)
        self.desk = make_desk(store=store)
        self.received = 0
        self.stop = threading.Event()
        self.failed: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self.desk.receive(_intake(10_000 + self.received), now=NOW)
                self.received += 1
        except BaseException as exc:  # the test reports it
            self.failed = exc

    def wait_for(self, count: int) -> None:
        for _ in range(600):
            if self.received >= count or self.failed is not None:
                break
            self.stop.wait(0.05)
        assert self.failed is None, self.failed
        assert self.received >= count, "the writer did not commit in time"


@pytest.mark.parametrize(
    ("source_kind", "target_kind"),
    [("sqlite", "sqlite"), ("sqlite", "postgres"), ("postgres", "sqlite")],
)
def test_a_desk_being_written_to_is_copied_whole_as_of_one_moment(
    opener: _Opener, source_kind: str, target_kind: str
) -> None:
    source_db = opener.database(source_kind, "source")
    source = opener.store(source_db)
    desk = make_desk(store=source)  # the store is closed by the opener
    assert all(
        not isinstance(c, Exception)
        for c in desk.receive_many((_intake(i) for i in range(ALREADY)), now=NOW)
    )
    writer = _Writer(opener.store(source_db))
    writer.start()
    target = opener.store(opener.database(target_kind, "target"))
    during: list[int] = []

    def progress(done: int, total: int) -> None:
        if done < total and not during:  # half way: others commit to the source now
            during.append(writer.received)
            writer.wait_for(writer.received + 3)

    try:
        writer.wait_for(2)  # already writing when the copy starts
        report = copy_desk(source, target, progress=progress)
    finally:
        writer.stop.set()
        writer.join(30)
    assert writer.failed is None, writer.failed
    assert during, "the copy reported no progress half way"

    copied = {h.complaint_id: h for h in target.export_histories()}
    kept = {h.complaint_id: h for h in source.export_histories()}
    assert report.complaints == len(copied) >= ALREADY + 2
    assert len(copied) < len(kept)  # what was committed during the copy is not in it
    assert all(kept[cid] == h for cid, h in copied.items())
    checked = target.verify()
    assert checked.ok, checked.problems
    # the copy's ledger is the source's as it was at one moment: its head is on it
    assert checked.head is not None
    assert source.verify(expect=checked.head).ok
    assert target.desk_size() == (len(copied), report.outbox_items)


def _wrong_digest(histories: Any) -> tuple[int, int, str]:
    """Failure injection: the target's chains read back as not the source's."""
    return -1, -1, "not the source's"


@pytest.mark.parametrize("target_kind", ["sqlite", "postgres"])
def test_a_copy_that_fails_its_check_leaves_the_target_empty(
    opener: _Opener, target_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = opener.store(opener.database("sqlite", "source"))
    desk = make_desk(store=source)
    first = desk.receive(_intake(1), now=NOW)
    desk.receive(_intake(2), now=NOW)
    source.record_access(AccessRecord(NOW, "SR-103", first.id, "a call back", "desk.view"))
    target = opener.store(opener.database(target_kind, "target"))
    with monkeypatch.context() as patched:
        patched.setattr(transfer, "chain_digest", _wrong_digest)
        with pytest.raises(StoreError, match="does not match the source") as err:
            copy_desk(source, target)
    assert target.desk_size() == (0, 0)
    assert list(target.export_ledger()) == []
    assert list(target.export_access()) == []
    assert "rolled back" in str(err.value)
    # and the next try copies it
    report = copy_desk(source, target)
    assert (report.complaints, target.desk_size()[0]) == (2, 2)
    assert target.verify().ok


@pytest.mark.parametrize("target_kind", ["sqlite", "postgres"])
def test_migrate_again_after_a_failed_check(
    opener: _Opener,
    target_kind: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COMPLAINTCORE_NOW", CLI_NOW)
    assert run("init", ".")[0] == 0
    receive_one()
    to = opener.database(target_kind, "moved")
    with monkeypatch.context() as patched:
        patched.setattr(transfer, "chain_digest", _wrong_digest)
        code, out, err = run("migrate", "--to", to)
        assert (code, out) == (5, "")
        assert "does not match the source" in err
        said = CliRunner().invoke(main, ["--lang", "zh_CN", "migrate", "--to", to])
        assert (said.exit_code, said.stdout) == (5, "")
        assert "副本与源不一致" in said.stderr
    assert opener.store(to).desk_size() == (0, 0)
    code, out, err = run("migrate", "--to", to)
    assert code == 0, err
    assert "copied 1 complaints" in out
