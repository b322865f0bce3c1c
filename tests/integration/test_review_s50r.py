"""Review s50R: ``report --output`` writes where every Unix tool writes.

F01: a device, a FIFO and ``/dev/stdout`` (a pipe, or a file opened with ``>>``)
are opened and written, never replaced by a regular file.  F02: a single-file
bind mount (rename gives EBUSY) and a writable file in a folder the user may not
write are written in place.  F03: a replaced report keeps its owner (as root) and
its group, as ``verify --checkpoint`` does.

Device nodes and FIFOs are made in the test's own folder: never the real
``/dev/null``.
"""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import complaintcore
from tests.integration.test_review_s47h import _another_group
from tests.integration.test_review_s50p import desk_dir as desk_dir  # the fixture
from tests.integration.test_review_s50p import report_to

ROOT = getattr(os, "geteuid", lambda: 1)() == 0
SRC = str(Path(complaintcore.__file__).resolve().parents[1])
REPORT = ["report", "--month", "2025-11", "--format", "csv"]


def the_report(desk_dir: Path) -> bytes:
    """The CSV as ``--output`` writes it to a new regular file."""
    assert report_to(str(desk_dir / "plain.csv")).exit_code == 0
    data = (desk_dir / "plain.csv").read_bytes()
    assert data.startswith("\ufeff".encode())
    return data


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "complaintcore", "--lang", "en", *args]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": SRC}


# --------------------------------------------------------------------------- F01


@pytest.mark.skipif(not ROOT or not hasattr(os, "mknod"), reason="mknod needs root")
def test_a_report_to_a_character_device_leaves_the_device(desk_dir: Path) -> None:
    """A copy of /dev/null's node (1, 3) made in the test's folder: written and
    discarded, still a character device afterwards (not a 1,884-byte file)."""
    null = desk_dir.parent / "mynull"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    result = report_to(str(null))
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert os.major(os.lstat(null).st_rdev) == 1
    assert not [p for p in desk_dir.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_report_to_a_fifo_reaches_its_reader(desk_dir: Path) -> None:
    expected = the_report(desk_dir)
    fifo = desk_dir.parent / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = report_to(str(fifo))
    reader.join(timeout=20)
    assert result.exit_code == 0, result.output
    assert got == [expected]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.skipif(not Path("/dev/stdout").exists(), reason="no /dev/stdout")
def test_a_report_to_dev_stdout_in_a_pipe_is_the_report(desk_dir: Path) -> None:
    """``--output /dev/stdout | wc -c``: the report's bytes, exit 0 (it was "no such
    file or directory", exit 3)."""
    expected = the_report(desk_dir)
    ran = subprocess.run(
        command(*REPORT, "--output", "/dev/stdout"),
        capture_output=True, env=env(), timeout=120, check=False,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == expected


@pytest.mark.skipif(not Path("/dev/stdout").exists(), reason="no /dev/stdout")
def test_a_report_to_dev_stdout_appended_to_a_file_keeps_what_it_held(
    desk_dir: Path,
) -> None:
    """``--output /dev/stdout >> log``: appended after what the file held, the file
    neither replaced nor emptied."""
    expected = the_report(desk_dir)
    log = desk_dir.parent / "log.csv"
    log.write_bytes(b"earlier\n")
    inode = log.stat().st_ino
    with log.open("ab") as out:
        ran = subprocess.run(
            command(*REPORT, "--output", "/dev/stdout"),
            stdout=out, stderr=subprocess.PIPE, env=env(), timeout=120, check=False,
        )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert log.read_bytes() == b"earlier\n" + expected
    assert log.stat().st_ino == inode


# --------------------------------------------------------------------------- F02


@pytest.mark.skipif(not ROOT or shutil.which("mount") is None, reason="mount needs root")
def test_a_report_to_a_bind_mounted_file_is_written_into_it(desk_dir: Path) -> None:
    """``docker -v ./report.csv:/out/report.csv``: rename onto a mount point is
    EBUSY; the mounted file gets the report (it was an error, nothing written)."""
    expected = the_report(desk_dir)
    source, mounted = desk_dir.parent / "src.csv", desk_dir.parent / "dst.csv"
    source.write_bytes(b"x\n")
    mounted.write_bytes(b"")
    if subprocess.run(["mount", "--bind", str(source), str(mounted)], check=False).returncode:
        pytest.skip("bind mounts are not allowed here")
    try:
        result = report_to(str(mounted))
        assert result.exit_code == 0, result.output
        assert source.read_bytes() == expected
    finally:
        subprocess.run(["umount", str(mounted)], check=True)
    assert not [p for p in desk_dir.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.skipif(not ROOT or shutil.which("capsh") is None, reason="needs root and capsh")
def test_a_writable_report_in_a_folder_the_user_may_not_write_is_written(
    desk_dir: Path,
) -> None:
    """Root without CAP_DAC_OVERRIDE, a folder of another user's (0755) holding a
    file of root's (0644): written in place (it was "permission denied", exit 4)."""
    expected = the_report(desk_dir)
    folder = desk_dir.parent / "ro"
    folder.mkdir()
    target = folder / "rep.csv"
    target.write_bytes(b"old\n")
    target.chmod(0o644)
    os.chown(folder, 65534, 65534)
    folder.chmod(0o755)
    line = shlex.join(command(*REPORT, "--output", str(target)))
    drop = "--drop=cap_dac_override,cap_dac_read_search,cap_fowner"
    ran = subprocess.run(
        ["capsh", drop, "--", "-c", line],
        capture_output=True, env=env(), timeout=120, check=False,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert target.read_bytes() == expected
    assert target.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in folder.iterdir()) == ["rep.csv"]


# --------------------------------------------------------------------------- F03


def test_a_replaced_report_keeps_its_owner_group_and_mode(desk_dir: Path) -> None:
    """``nobody:operator 0640`` stays so (it became ``root:root``): the group that
    read the report through 0640 still reads it."""
    old = desk_dir / "shared.csv"
    old.write_bytes(b"old\n")
    group = _another_group()
    owner = 65534 if ROOT else os.geteuid()  # root keeps another owner too: nobody
    os.chown(old, owner, group)
    old.chmod(0o640)
    result = report_to(str(old))
    assert result.exit_code == 0, result.output
    assert (old.stat().st_uid, old.stat().st_gid) == (owner, group)
    assert old.stat().st_mode & 0o777 == 0o640
    assert old.read_bytes().startswith("\ufeff".encode())
    assert result.stderr == ""


def test_a_report_whose_group_cannot_be_kept_says_so(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = desk_dir / "shared.csv"
    old.write_bytes(b"old\n")
    os.chown(old, -1, _another_group())
    old.chmod(0o640)

    def refused(fd: int, uid: int, gid: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "fchown", refused)  # a user not in the file's group
    result = report_to("shared.csv")
    assert result.exit_code == 0, result.output
    assert old.stat().st_gid == os.getegid()
    assert old.stat().st_mode & 0o777 == 0o640
    [line] = result.stderr.splitlines()
    assert line.startswith("warning: '--output' shared.csv: its group could not be kept")
