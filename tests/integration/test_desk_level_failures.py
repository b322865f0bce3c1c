"""A staff directory that cannot answer is the desk's failure, not each complaint's
(review s42A F03).

A staff file that does not load (another pack's sample, say) failed a sweep once per
due complaint, each reported on both streams, counted as examined and summed up as
"the others were" when none was swept; a delivery spent an attempt of every message
on it.  Now a sweep or a delivery fails once with the file's error, as ``act`` does,
and what it claimed is left for the next run.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from complaintcore import Complainant, Desk, DeskConfig, Intake
from complaintcore.adapters.staff import load_sample_staff, write_sample_staff
from complaintcore.cli import main
from complaintcore.core.errors import HookError, SerializationError
from complaintcore.desk.hookspecs import hookimpl
from complaintcore.desk.plugins import make_plugin_manager

SH = ZoneInfo("Asia/Shanghai")
RECEIVED = datetime(2026, 3, 2, 9, 0, tzinfo=SH)  # Monday
LATER = RECEIVED + timedelta(days=4)  # the 24-hour replies are long breached


def _intake(i: int) -> Intake:
    return Intake(
        complainant=Complainant("王小明", f"1381234567{i}", f"3-2-120{i}", site="sunrise"),
        channel="phone",
        received_at=RECEIVED,
        receiver="SR-103",
        summary="楼上漏水，天花板渗水",
        site="sunrise",
    )


def _config(tmp_path: Path) -> DeskConfig:
    return DeskConfig(
        database=str(tmp_path / "complaints.sqlite3"),
        staff_file=str(tmp_path / "staff.toml"),
        notifiers={"log": True},
    )


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """Three complaints received (their messages still queued), then the staff file
    swapped for the UK pack's sample: no member's rung is on the cn-property ladder."""
    write_sample_staff(tmp_path / "staff.toml")
    with Desk.from_config(_config(tmp_path)) as desk:
        for i in range(3):
            desk.receive(_intake(i), now=RECEIVED)
    write_sample_staff(tmp_path / "uk.toml", pack="uk-housing-ombudsman-2024")
    shutil.copy(tmp_path / "staff.toml", tmp_path / "good.toml")
    shutil.copy(tmp_path / "uk.toml", tmp_path / "staff.toml")
    return tmp_path


def test_a_sweep_fails_once_with_the_staff_file_and_claims_nothing(broken: Path) -> None:
    with Desk.from_config(_config(broken)) as desk:
        with pytest.raises(SerializationError) as err:
            desk.sweep(LATER)
        assert err.value.what.endswith("staff.toml")
        assert str(err.value).startswith(f"cannot load {err.value.what}: staff[0].rung: ")
    shutil.copy(broken / "good.toml", broken / "staff.toml")
    with Desk.from_config(_config(broken)) as desk:
        report = desk.sweep(LATER)  # the same instant: nothing was left claimed
        assert (report.examined, report.failed) == (3, ())
        assert len({cid for cid, _ in report.escalated}) == 3


def test_a_delivery_fails_once_and_spends_no_attempt(broken: Path) -> None:
    with Desk.from_config(_config(broken)) as desk:
        queued = desk.store.pending(LATER)
        assert queued
        with pytest.raises(SerializationError):
            desk.deliver(LATER)
        after = desk.store.pending(LATER)  # handed back at once, untried
        assert sorted((i.id, i.attempts) for i in after) == sorted((i.id, 0) for i in queued)
    shutil.copy(broken / "good.toml", broken / "staff.toml")
    with Desk.from_config(_config(broken)) as desk:
        report = desk.deliver(LATER)
        assert (report.sent, report.failed) == (len(queued), 0)


class _DownAfterFirstLook:
    """A host's HR directory that answers the sweep's first look, then is down."""

    def __init__(self) -> None:
        self.staff = load_sample_staff()
        self.looks = 0

    def members(self) -> object:
        self.looks += 1
        if self.looks > 1:
            raise ConnectionError("HR service down")
        return self.staff.members()

    def get(self, staff_id: str) -> object:
        if self.looks > 1:
            raise ConnectionError("HR service down")
        return self.staff.get(staff_id)


def test_a_directory_going_down_part_way_stops_the_sweep_once(tmp_path: Path) -> None:
    write_sample_staff(tmp_path / "staff.toml")
    with Desk.from_config(_config(tmp_path)) as desk:
        for i in range(3):
            desk.receive(_intake(i), now=RECEIVED)
    directory = _DownAfterFirstLook()

    class Hr:
        @hookimpl
        def complaintcore_get_staff_directory(self, config: object) -> object:
            return directory

    pm = make_plugin_manager([Hr()], load_entry_points=False)
    with Desk.from_config(_config(tmp_path), plugin_manager=pm) as desk:
        with pytest.raises(HookError) as err:
            desk.sweep(LATER)
        assert err.value.path == "complaintcore_get_staff_directory"


def _cli(*args: str, now: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--lang", "en", *args], env={"COMPLAINTCORE_NOW": now})
    return result.exit_code, result.stdout, result.stderr


def test_the_command_line_says_the_staff_file_error_once(
    broken: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/cli.md: an error is one line on standard error naming the file; exit 1, as
    for ``act``, never a line per complaint nor "the others were"."""
    monkeypatch.chdir(broken)
    (broken / "complaintcore.toml").write_text(
        'database = "complaints.sqlite3"\npack = "cn-property"\nstaff_file = "staff.toml"\n'
        "[notifiers]\nlog = true\n",
        encoding="utf-8",
    )
    with Desk.from_config(_config(broken)) as desk:
        first = desk.rows()[0].id
        queued = len(desk.store.pending(LATER))
    code, out, err = _cli("act", first, "assess", "--actor", "SR-201", "--validity", "valid",
                          now="2026-03-06T09:00")  # fmt: skip
    assert (code, out) == (1, "")
    said = err.strip()
    assert said.startswith("error: cannot load staff.toml: staff[0].rung: ")
    assert len(said.splitlines()) == 1
    for command in ("sweep", "deliver"):
        code, out, err = _cli(command, now="2026-03-06T09:00")
        assert (code, out, err.strip()) == (1, "", said), command
    code, out, _ = _cli("sweep", "--json", now="2026-03-06T09:00")
    assert code == 1
    error = json.loads(out)["error"]
    assert (error["type"], error["message"]) == ("SerializationError", said.removeprefix("error: "))
    with Desk.from_config(_config(broken)) as desk:  # no message spent an attempt on it
        assert [i.attempts for i in desk.store.pending(LATER)] == [0] * queued


def test_a_file_import_says_the_staff_file_error_once(
    broken: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``receive --file`` on a desk whose staff file does not load: one error line,
    exit 1, not the same error as every row's rejection."""
    monkeypatch.chdir(broken)
    (broken / "complaintcore.toml").write_text(
        'database = "complaints.sqlite3"\npack = "cn-property"\nstaff_file = "staff.toml"\n',
        encoding="utf-8",
    )
    (broken / "rows.csv").write_text(
        "name,phone,room,site,summary,receiver,channel,received_at\n"
        + "".join(
            f"王小明,1391234567{i},3-2-130{i},sunrise,漏水,SR-103,phone,2026-03-02T08:00\n"
            for i in range(3)
        ),
        encoding="utf-8",
    )
    code, out, err = _cli("receive", "--file", "rows.csv", now="2026-03-02T09:00")
    assert (code, out) == (1, "")
    assert err.strip().startswith("error: cannot load staff.toml: staff[0].rung: ")
    assert len(err.strip().splitlines()) == 1
    with Desk.from_config(_config(broken)) as desk:
        assert len(desk.rows()) == 3  # the fixture's three, none of the file's
