"""Review s51R3: ``report --output`` and the desk's database reached through a
symbolic link (F02), ``--output -`` (F03), a socket (F04).  The claim order (F01)
is the store contract's (``test_a_claim_with_a_retry_limit_takes_the_due_messages_
by_due_time``, ``test_a_retry_due_is_claimed_while_more_new_messages_come_than_a_
claim_takes``), run on every store."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from complaintcore.adapters.sqlite_store import SqliteStore
from tests.integration.test_review_s50p import OWN, invoke, report_to
from tests.integration.test_review_s50p import desk_dir as desk_dir  # the fixture

SOCKET = "Invalid value for '--output': is a socket; give a file, a FIFO or a device"


@pytest.fixture
def linked(desk_dir: Path) -> Iterator[Path]:
    """The desk's database moved to a data volume and reached through a symbolic
    link (``complaints.sqlite3 -> ../volume/real.sqlite3``); a service keeps it
    open meanwhile, so its ``-wal`` and ``-shm`` exist.  Yields the real file."""
    volume = desk_dir.parent / "volume"
    volume.mkdir()
    real = volume / "real.sqlite3"
    (desk_dir / "complaints.sqlite3").rename(real)
    (desk_dir / "complaints.sqlite3").symlink_to(Path("..") / "volume" / "real.sqlite3")
    with SqliteStore(desk_dir / "complaints.sqlite3") as service:
        service.pending_counts()  # a reader: SQLite opens the -wal and -shm beside the real file
        yield real


@pytest.mark.parametrize("side", ["-wal", "-shm", "-journal"])
def test_the_side_files_of_a_database_reached_by_a_link_are_refused(
    linked: Path, side: str
) -> None:
    """SQLite names them after the file the link leads to (``real.sqlite3-wal``),
    not after the link: a report written over the live ``-wal`` lost a committed
    complaint with no alarm (review s51R3 F02).  Refused (exit 2), nothing
    written, whether the side file exists or not, by its name, through a second
    path to its folder, and (the ones that exist) as a hard link elsewhere."""
    target = linked.parent / f"real.sqlite3{side}"
    before = target.read_bytes() if target.exists() else None
    alias = linked.parent.parent / "mnt"
    alias.symlink_to(linked.parent)
    names = [str(target), os.path.relpath(target), str(alias / target.name)]
    if before is not None:
        os.link(target, linked.parent.parent / "elsewhere")
        names.append(str(linked.parent.parent / "elsewhere"))
    for name in names:
        result = report_to(name)
        assert result.exit_code == 2, (name, result.output)
        assert result.stderr.startswith(f"error: {OWN}")
    if before is None:
        assert not target.exists()
    else:
        assert target.read_bytes() == before
    assert "1 complaint" in invoke("verify").stdout


def test_a_desk_whose_database_is_a_link_writes_its_report_beside_it(linked: Path) -> None:
    """Only the desk's own names are refused: another file in the volume is written."""
    result = report_to(str(linked.parent / "real.sqlite3-report.csv"))
    assert result.exit_code == 0, result.output
    assert (linked.parent / "real.sqlite3-report.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_output_dash_is_standard_output(desk_dir: Path) -> None:
    """``--output -`` wrote a file named ``-`` and said "wrote -" on standard output
    (a cron job's ``| mail`` got that line only; review s51R3 F03).  It is standard
    output, the same bytes as without ``--output``, with no "wrote" line."""
    plain = invoke("report", "--month", "2025-11", "--format", "csv")
    dash = report_to("-")
    assert dash.exit_code == 0, dash.output
    assert dash.stdout_bytes == plain.stdout_bytes
    assert dash.stdout.startswith("\ufeff")
    assert "wrote" not in dash.stdout
    assert not (desk_dir / "-").exists()
    assert report_to("./-").exit_code == 0  # a file named '-', named as a path
    assert (desk_dir / "-").read_bytes() == plain.stdout_bytes


def test_a_socket_is_refused_naming_the_option(desk_dir: Path) -> None:
    """No program can open a socket to write it (ENXIO): the docs promised it was
    written; it failed with exit 1 (review s51R3 F04).  Refused (exit 2), naming
    the option, as a folder is."""
    path = Path("/tmp") / f"f51r3-{os.getpid()}.sock"  # short: a socket's path is limited
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(str(path))
        listener.listen(1)
        result = report_to(str(path))
        assert result.exit_code == 2
        assert result.stderr.startswith(f"error: {SOCKET}")
    finally:
        listener.close()
        path.unlink(missing_ok=True)
