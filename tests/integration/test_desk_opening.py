"""Opening a desk does only what the command needs (issue 10): the staff file is
read the first time someone is looked up, the calendar built the first time a
deadline needs it, and a channel's client library loaded only when configured."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from complaintcore.adapters.builtin import StaffFile
from complaintcore.adapters.staff import write_sample_staff
from complaintcore.core.calendar import WorkingCalendar
from complaintcore.core.errors import InvalidInputError, SerializationError
from complaintcore.desk import Desk
from complaintcore.desk.config import DeskConfig
from complaintcore.desk.hookspecs import hookimpl
from complaintcore.desk.plugins import make_plugin_manager
from tests.helpers import intake

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 11, 14, 10, tzinfo=SH)


def config(tmp_path: Path, staff: str = "staff.toml") -> dict[str, object]:
    return {
        "database": str(tmp_path / "desk.sqlite3"),
        "staff_file": str(tmp_path / staff),
        "notifiers": {"log": True},
    }


def test_the_staff_file_is_read_at_the_first_lookup(tmp_path: Path) -> None:
    (tmp_path / "staff.toml").write_text("[[staff]]\nstaff_id = 1\n", encoding="utf-8")
    with Desk.from_config(config(tmp_path)) as desk:
        assert isinstance(desk.directory, StaffFile)
        assert desk.rows(limit=10) == []  # a listing needs nobody
        assert "not read yet" in repr(desk.directory)
        with pytest.raises(SerializationError, match=r"staff\.toml"):
            desk.directory.get("SR-103")


def test_a_missing_staff_file_is_refused_when_the_desk_is_built(tmp_path: Path) -> None:
    """Not by the first complaint, as a raw FileNotFoundError a host's ``except
    ComplaintCoreError`` misses (review s25B F04): a library error naming the
    setting and where it looked, relative paths resolved against the config's folder."""
    with pytest.raises(InvalidInputError) as err:
        Desk.from_config(config(tmp_path, staff="no-such-staff.toml"))
    assert err.value.path == "staff_file"
    assert err.value.reason == f"no file at {tmp_path / 'no-such-staff.toml'}"
    (tmp_path / "conf").mkdir()
    with pytest.raises(InvalidInputError) as err:
        Desk.from_config(
            DeskConfig.from_mapping(
                {"database": ":memory:", "staff_file": "staff.toml"},
                base_dir=str(tmp_path / "conf"),
            )
        )
    assert err.value.reason == f"no file at {tmp_path / 'conf' / 'staff.toml'}"


def test_a_staff_file_once_read_answers_like_the_list(tmp_path: Path) -> None:
    write_sample_staff(tmp_path / "staff.toml")
    with Desk.from_config(config(tmp_path)) as desk:
        staff = desk.directory
        assert isinstance(staff, StaffFile)
        member = staff.get("SR-103")
        assert member is not None
        assert member.site == "sunrise"
        assert list(staff.members()) == list(staff.staff.members())
        assert "SR-103" in staff
        assert len(staff) == len(staff.staff)
        assert [m.staff_id for m in staff] == [m.staff_id for m in staff.staff]
        assert staff.at_site("sunrise") == staff.staff.at_site("sunrise")  # a StaffList helper
        assert repr(staff) == f"StaffFile({len(staff)} members)"
        stored = desk.receive(intake(received_at=NOW, receiver="SR-103"), now=NOW)
        assert stored.state.handler  # routed with the file's staff


def test_the_calendar_is_built_when_a_deadline_first_needs_it(tmp_path: Path) -> None:
    asked: list[str] = []

    class Counting:
        @hookimpl
        def complaintcore_get_calendar(self, name: str) -> WorkingCalendar:
            asked.append(name)
            return WorkingCalendar.monday_to_friday(tz="Asia/Shanghai", years=(2025, 2026))

    write_sample_staff(tmp_path / "staff.toml")
    pm = make_plugin_manager([Counting()], load_entry_points=False)
    with Desk.from_config(config(tmp_path), plugin_manager=pm) as desk:
        desk.rows(limit=10)
        assert asked == []
        stored = desk.receive(intake(received_at=NOW, receiver="SR-103"), now=NOW)
        assert asked == ["CN"]
        assert desk.clocks(stored.id, NOW)
        assert asked == ["CN"]  # built once


def test_a_desk_takes_a_calendar_or_a_function_making_one(tmp_path: Path) -> None:
    cal = WorkingCalendar.monday_to_friday(tz="Asia/Shanghai", years=(2025, 2026))
    with Desk.from_config({"database": ":memory:"}) as desk:
        other = Desk(
            pack=desk.pack, store=desk.store, directory=desk.directory, calendar=lambda: cal
        )
        assert other.calendar is cal
        with pytest.raises(InvalidInputError, match="calendar"):
            Desk(pack=desk.pack, store=desk.store, directory=desk.directory, calendar=None)  # type: ignore[arg-type]


def test_a_log_channel_loads_no_mail_or_http_client(tmp_path: Path) -> None:
    # In a fresh interpreter: what opening a desk and listing imports.
    write_sample_staff(tmp_path / "staff.toml")
    code = (
        "import sys\n"
        "from complaintcore.desk import Desk\n"
        f"desk = Desk.from_config({config(tmp_path)!r})\n"
        "desk.rows(limit=5)\n"
        "heavy = ('smtplib', 'ssl', 'http.client', 'holidays')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
