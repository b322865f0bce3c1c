"""A pack author's slips at the command line: refused by ``packs validate`` and
``init`` before a desk is written, and a deadline past the calendar named by its
clock (review s26G).  Expected values are worked by hand from the pack: 09:00-17:30
Monday to Friday in London, calendar 2024-2040 (docs/rule-packs.md defaults).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintcore.adapters.staff import load_staff_file
from complaintcore.cli import main
from complaintcore.cli.errors import ExitCode
from complaintcore.core.errors import StoreError
from complaintcore.i18n import SHIPPED_DIR
from complaintcore.rules import load_pack

DATA = Path(__file__).parent.parent / "data"

PACK = """
name = "acme"
title_zh = "艾克美"
title_en = "Acme"
default_category = "general"
customer_service = "front_office"
head_office_unit = ""
phone_regions = ["GB"]
{top}
[[ladder]]
code = "officer"
zh = "专员"
en = "officer"

[[departments]]
code = "front_office"
zh = "前台"
en = "front office"

[[categories]]
code = "general"
zh = "一般"
en = "general"
cause = "software"
department = "front_office"

[[clocks]]
name = "reply"
zh = "答复"
en = "reply"
start = ["registered"]
stop = ["replied:final"]
mode = "working_days"
duration = "3d"

[[clocks]]
name = "acknowledge"
zh = "确认"
en = "acknowledge"
start = ["registered"]
stop = ["replied"]
mode = "working_time"
duration = "{acknowledge}"
{extension}

[calendar]
country = ""
timezone = "Europe/London"
windows = [["09:00", "17:30"]]
{calendar}
"""

STAFF = """
[[staff]]
staff_id = "FO-1"
name = "Ann Officer"
role = "officer"
rung = "officer"
department = "front_office"
site = "elm"
"""


def _pack(
    folder: Path,
    *,
    top: str = "",
    calendar: str = "",
    acknowledge: str = "1d",
    extension: str = "",
) -> Path:
    path = folder / "pack.toml"
    text = PACK.format(top=top, calendar=calendar, acknowledge=acknowledge, extension=extension)
    path.write_text(text, encoding="utf-8")
    return path


def cli(
    *args: str, lang: str = "en", now: str = "2025-03-03T10:00", **env: str
) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main,
        ["--lang", lang, *args],
        env={"COMPLAINTCORE_NOW": now, "COLUMNS": "200", **env},
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _staff(folder: Path) -> None:
    """The pack's own staff file: the packaged samples are for other ladders."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "staff.toml").write_text(STAFF, encoding="utf-8")


def _left(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "pack.toml")


# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("IN-2")
def test_a_holiday_outside_the_years_is_refused_before_a_desk_is_written(here: Path) -> None:
    """Last year's day off kept in the list: refused by its key, so no desk is opened
    that then refuses every ``receive`` and ``sweep``."""
    _pack(here, calendar="holidays = [2023-12-25, 2025-12-25]")
    code, _, err = cli("packs", "validate", "pack.toml")
    assert code == 1
    assert "  calendar.holidays[0]: outside the calendar's years 2024-2040" in err.splitlines()
    code, _, err = cli("init", ".", "--pack", "pack.toml")
    assert code == 1
    assert "calendar.holidays[0]" in err
    assert _left(here) == []


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("DL-7")
def test_packs_validate_measures_working_time_on_the_calendar(here: Path) -> None:
    _pack(here, acknowledge="800d")
    code, _, err = cli("packs", "validate", "pack.toml")
    assert code == 1
    assert (
        "  clocks[1].duration: 19200 working hours take about 8.7 years of this calendar"
        " (42.5 working hours a week): no deadline is longer than five years"
    ) in err.splitlines()


@pytest.mark.procedure("IN-2")
@pytest.mark.procedure("DL-7")
def test_receive_past_the_calendars_end_names_the_clock_and_the_end(here: Path) -> None:
    """Friday 28 December 2040 10:00: 3 working days need 31 December, 1 and 2 January
    2041; the refusal is one line naming the clock and the calendar's last day."""
    _pack(here, acknowledge="4h")
    _staff(here)
    code, _, err = cli("init", ".", "--pack", "pack.toml", now="2040-12-28T10:00")
    assert code == 0, err
    code, _, err = cli(
        "receive",
        "--name",
        "Dana Resident",
        "--phone",
        "07700 900123",
        "--room",
        "Flat 4",
        "--site",
        "elm",
        "--summary",
        "Bins not collected",
        "--receiver",
        "FO-1",
        now="2040-12-28T10:00",
    )
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("error: clock reply: ")
    assert "the calendar ends on 2040-12-31 (calendar.last_year of the rule pack)" in err
    for personal in ("Dana", "07700", "Flat 4"):
        assert personal not in err


# --------------------------------------------------------------------------- F06


def test_a_language_without_a_catalog_is_refused_by_validate_and_init(here: Path) -> None:
    _pack(here, top='languages = ["fr"]')
    code, _, err = cli("packs", "validate", "pack.toml")
    assert code == 1
    assert "  languages[0]: no catalog; expected one of zh, en" in err.splitlines()
    code, _, err = cli("init", ".", "--pack", "pack.toml")
    assert code == 1
    assert "pack.toml" in err
    assert "languages[0]" in err
    assert _left(here) == []


def test_a_language_a_host_supplies_a_catalog_for_passes(here: Path) -> None:
    """The catalogs are the environment's: a host's own (COMPLAINTCORE_LOCALE_PATH) count."""
    own = here / "locale"
    shutil.copytree(SHIPPED_DIR / "en", own / "fr")
    _pack(here, top='languages = ["fr"]')
    code, out, err = cli("packs", "validate", "pack.toml", COMPLAINTCORE_LOCALE_PATH=str(own))
    assert code == 0, err
    assert out.strip() == "rule pack is valid: acme"


def test_init_that_fails_half_way_leaves_nothing_behind(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever stops ``init`` after it began writing, the folder is as it was: a new
    one is gone, and a re-initialised desk's config and staff file are put back."""
    from complaintcore.desk import Desk

    def broken(*args: object, **kwargs: object) -> None:
        raise StoreError("complaints.sqlite3", "could not be written: the disk is full")

    _pack(here)
    monkeypatch.setattr(Desk, "from_config", broken)
    code, _, err = cli("init", "new/desk", "--pack", "cn-property")  # its sample is written
    assert code == ExitCode.STORE, err
    assert "disk is full" in err
    assert not (here / "new").exists()
    monkeypatch.undo()
    monkeypatch.chdir(here)
    _staff(here)
    assert cli("init", ".", "--pack", "pack.toml")[0] == 0
    before = {name: (here / name).read_bytes() for name in ("complaintcore.toml", "staff.toml")}
    monkeypatch.setattr(Desk, "from_config", broken)
    code, _, _ = cli("init", ".", "--pack", "pack.toml", "--force", "--database", "other.db")
    assert code == ExitCode.STORE
    assert {name: (here / name).read_bytes() for name in before} == before
    assert not (here / "other.db").exists()
    assert (here / "complaints.sqlite3").exists()  # the desk's own database is kept


def test_init_that_fails_half_way_keeps_a_database_named_through_its_new_directory(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``init bravo --database ../shared.db`` names a file beside ``bravo``; before
    ``bravo`` is made the path leads nowhere, yet the file is there: it is not one
    ``init`` made, so a failure leaves it, and the desk in it, alone."""
    from complaintcore.desk import Desk

    def broken(*args: object, **kwargs: object) -> None:
        raise StoreError("shared.db", "could not be written: the disk is full")

    _pack(here)
    _staff(here / "acme")
    assert cli("init", "acme", "--pack", "pack.toml", "--database", "../shared.db")[0] == 0
    monkeypatch.setattr(Desk, "from_config", broken)
    code, _, err = cli("init", "bravo", "--pack", "cn-property", "--database", "../shared.db")
    assert code == ExitCode.STORE, err
    assert (here / "shared.db").exists()
    assert not (here / "bravo").exists()
    monkeypatch.undo()
    monkeypatch.chdir(here / "acme")
    assert cli("verify")[0] == 0


def test_init_that_fails_half_way_on_a_shared_file_unregisters_its_new_tenant(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A SQLite file that keeps other tenants' desks is kept, without the tenant the
    failed ``init`` registered in it; the tenant it found there stays."""
    from complaintcore.desk import Desk

    def broken(*args: object, **kwargs: object) -> None:
        raise StoreError("shared.db", "could not be written: the disk is full")

    def tenants() -> list[str]:
        with sqlite3.connect(here / "shared.db") as conn:
            return [t for (t,) in conn.execute("SELECT tenant FROM tenants ORDER BY tenant")]

    _pack(here)
    _staff(here / "acme")
    assert cli("init", "acme", "--pack", "pack.toml", "--database", "../shared.db")[0] == 0
    monkeypatch.setattr(Desk, "from_config", broken)
    code, _, err = cli(
        "init", "bravo", "--pack", "cn-property", "--database", "../shared.db", "--tenant", "b"
    )
    assert code == ExitCode.STORE, err
    assert err.count("\n") == 1  # its error alone: nothing else to say
    assert tenants() == ["default"]
    assert not (here / "bravo").exists()
    code, _, _ = cli("init", "acme", "--pack", "pack.toml", "--database", "../shared.db", "--force")
    assert code == ExitCode.STORE
    assert tenants() == ["default"]  # there before this run: kept
    monkeypatch.undo()
    monkeypatch.chdir(here)
    _staff(here / "bravo")
    assert (
        cli("init", "bravo", "--pack", "pack.toml", "--database", "../shared.db", "--tenant", "b")[
            0
        ]
        == 0
    )
    assert tenants() == ["b", "default"]


def test_init_that_fails_half_way_on_a_memory_store_reports_its_own_error(here: Path) -> None:
    """The in-memory store registers nothing a failure could take back: ``init``'s own
    error, a staff file that is a directory, is what is reported, not a traceback of
    the undoing (review s34C F09)."""
    (here / "desk" / "staff.toml").mkdir(parents=True)
    result = CliRunner().invoke(
        main,
        ["--lang", "en", "init", "desk", "--database", ":memory:"],
        env={"COMPLAINTCORE_NOW": "2025-03-03T10:00", "COLUMNS": "200"},
    )
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == ExitCode.REFUSED
    assert result.stderr.splitlines()[-1] == "error: desk/staff.toml: is a directory"
    assert sorted(p.name for p in (here / "desk").iterdir()) == ["staff.toml"]


# --------------------------------------------------------------------------- F07


@pytest.mark.parametrize(
    ("lang", "acknowledge", "reply"),
    [("en", "24h of working time", "3 days"), ("zh", "工作时间 24小时", "3 天")],
)
def test_packs_show_gives_working_time_in_hours(
    here: Path, lang: str, acknowledge: str, reply: str
) -> None:
    """``1d`` of working time is 24 working hours (docs/clocks.md): Monday 10:00 is
    due Wednesday 17:00 (7.5 + 8.5 + 8 h), nearly three working days, not "1 day"."""
    _pack(here)
    code, out, err = cli("packs", "show", "pack.toml", lang=lang)
    assert code == 0, err
    rows = {
        cells[0]: cells
        for line in out.splitlines()
        if "│" in line
        for cells in [[c.strip() for c in line.strip("│ ").split("│")]]
    }
    assert rows["确认" if lang == "zh" else "acknowledge"][3] == acknowledge
    assert rows["答复" if lang == "zh" else "reply"][3] == reply


def test_packs_show_gives_the_iso_template_targets_in_working_hours() -> None:
    """iso-10002: acknowledge 4 working hours, the initial assessment 8 (its defaults)."""
    code, out, _ = cli("packs", "show", "iso-10002")
    assert code == 0
    assert "4h of working time" in out
    assert "8h of working time" in out


def test_packs_show_gives_a_working_time_extension_cap_in_hours(here: Path) -> None:
    _pack(here, extension='extension = { cap = "1d", records = ["reason"] }')
    code, out, err = cli("packs", "show", "pack.toml")
    assert code == 0, err
    assert "extension of acknowledge: at most 24h of working time" in out


# --------------------------------------------------------------------------- s42B F03


def test_a_window_no_timedelta_holds_is_a_refusal_not_a_traceback(here: Path) -> None:
    """A billion days overflowed Python's timedelta inside the loader's own check."""
    _pack(here, calendar='\n[repeats]\nwindow = "1000000000d"')
    for args in (("packs", "validate", "pack.toml"), ("init", ".", "--pack", "pack.toml")):
        code, _, err = cli(*args)
        assert code == 1, err
        assert "repeats.window: longer than five years" in err
        assert "Traceback" not in err
        assert "OverflowError" not in err
    assert _left(here) == []


# --------------------------------------------------------------------------- review s42B F06

HOST_PACK = DATA / "host-pack.toml"  # ladder officer < manager; front_office, maintenance
HOST_STAFF = """
[[staff]]
staff_id = "FO-1"
name = "Ann Officer"
role = "officer"
rung = "officer"
department = "front_office"
site = "sunrise"

[[staff]]
staff_id = "MT-1"
name = "Max Manager"
role = "manager"
rung = "manager"
department = "maintenance"
site = "sunrise"
"""


def _receive(receiver: str) -> tuple[int, str, str]:
    return cli(
        "receive",
        "--name",
        "王小明",
        "--phone",
        "13812345678",
        "--room",
        "3-2-1201",
        "--site",
        "sunrise",
        "--summary",
        "leak in kitchen",
        "--receiver",
        receiver,
        "--received-at",
        "2025-11-10T10:00",
        now="2025-11-10T10:05",
    )


def test_init_with_a_ladder_no_sample_fits_is_refused_and_writes_nothing(here: Path) -> None:
    """cn-property's sample names rungs and departments acme-estates lacks: the desk
    could not read it, so ``init`` writes none and says what the file needs."""
    shutil.copy(HOST_PACK, here / "acme.toml")
    code, out, err = cli("init", ".", "--pack", "acme.toml")
    assert (code, out) == (ExitCode.REFUSED, "")
    assert err.splitlines() == [
        "error: staff_file: no sample staff file fits pack acme-estates: write staff.toml"
        " for its rungs (officer, manager) and departments (front_office, maintenance)"
        " first, then run init again (docs/staff-directory.md)"
    ]
    assert sorted(p.name for p in here.iterdir()) == ["acme.toml"]
    code, _, err = cli("init", ".", "--pack", "acme.toml", lang="zh")
    assert code == ExitCode.REFUSED
    assert "officer, manager" in err
    assert "staff.toml" in err
    assert "no sample" not in err  # in the reader's language


def test_init_keeps_the_packs_own_staff_file_and_the_desk_opens(here: Path) -> None:
    shutil.copy(HOST_PACK, here / "acme.toml")
    (here / "staff.toml").write_text(HOST_STAFF, encoding="utf-8")
    code, out, err = cli("init", ".", "--pack", "acme.toml")
    assert (code, err) == (0, "")
    assert out.strip() == "initialised complaintcore.toml"
    assert (here / "staff.toml").read_text(encoding="utf-8") == HOST_STAFF
    code, out, err = _receive("FO-1")
    assert code == 0, err
    # --force rewrites the config; with no sample that fits, the staff file stays
    assert cli("init", ".", "--pack", "acme.toml", "--force")[0] == 0
    assert (here / "staff.toml").read_text(encoding="utf-8") == HOST_STAFF


def test_init_refuses_a_kept_staff_file_the_pack_cannot_read(here: Path) -> None:
    """A staff file already there is what the desk will read: one for another ladder
    is refused with its problems, and nothing else is written."""
    shutil.copy(HOST_PACK, here / "acme.toml")
    (here / "staff.toml").write_text(STAFF.replace("officer", "clerk"), encoding="utf-8")
    code, _, err = cli("init", ".", "--pack", "acme.toml")
    assert code == ExitCode.REFUSED
    assert len(err.strip().splitlines()) == 1
    assert "staff.toml" in err
    assert "staff[0].rung: not a rung of the acme-estates ladder" in err
    assert "Ann" not in err
    assert sorted(p.name for p in here.iterdir()) == ["acme.toml", "staff.toml"]


def test_a_pack_file_named_as_a_shipped_pack_gets_that_packs_sample(here: Path) -> None:
    """A copy of cn-sales-office (its ladder and departments) gets the sales office's
    sample staff, which it reads; a copy renamed has a ladder no sample fits."""
    from complaintcore import rules

    shipped = (Path(rules.__file__).parent / "cn-sales-office.toml").read_text(encoding="utf-8")
    (here / "mine.toml").write_text(shipped, encoding="utf-8")
    assert cli("init", "copy", "--pack", "mine.toml")[0] == 0
    staff = load_staff_file(here / "copy" / "staff.toml", pack=load_pack("cn-sales-office"))
    assert len(staff) > 0
    renamed = shipped.replace('name = "cn-sales-office"', 'name = "acme-sales"', 1)
    assert renamed != shipped
    (here / "mine.toml").write_text(renamed, encoding="utf-8")
    code, _, err = cli("init", "renamed", "--pack", "mine.toml")
    assert code == ExitCode.REFUSED
    assert "no sample staff file fits pack acme-sales" in err
    assert not (here / "renamed").exists()


def test_the_staff_file_is_read_against_a_pack_file_named_relative_to_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``pack = "acme.toml"`` is relative to the config file: the staff file was read
    against no pack when the command ran in another directory, so a rung the pack
    lacks went unnoticed until a command needed it."""
    from complaintcore import Desk
    from complaintcore.core.errors import ComplaintCoreError
    from complaintcore.desk.config import load_config

    desk_dir = tmp_path / "desk"
    desk_dir.mkdir()
    shutil.copy(HOST_PACK, desk_dir / "acme.toml")
    wrong = HOST_STAFF.replace('rung = "manager"', 'rung = "department_head"')
    (desk_dir / "staff.toml").write_text(wrong, encoding="utf-8")
    (desk_dir / "complaintcore.toml").write_text(
        'database = "complaints.sqlite3"\nstaff_file = "staff.toml"\npack = "acme.toml"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)  # not the desk's directory
    config = load_config(desk_dir / "complaintcore.toml")
    assert config.pack_source() == str(desk_dir / "acme.toml")
    with Desk.from_config(config) as desk, pytest.raises(ComplaintCoreError) as info:
        desk.directory.members()
    assert "staff[1].rung" in str(info.value)
