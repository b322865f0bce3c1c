"""The command line, through click's runner: every subcommand, good and bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.cli import main

NOW = "2025-11-14T17:30"


@pytest.fixture
def desk_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COMPLAINTCORE_NOW", NOW)
    result = CliRunner().invoke(main, ["--lang", "en", "init", "."])
    assert result.exit_code == 0, result.output
    return tmp_path


def run(*args: str, now: str | None = None) -> tuple[int, str, str]:
    env = {"COMPLAINTCORE_NOW": now} if now else {}
    result = CliRunner().invoke(main, ["--lang", "en", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def receive_args(summary: str = "楼上漏水，天花板渗水") -> tuple[str, ...]:
    """``complaintcore receive`` of one owner's complaint at sunrise."""
    return (
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
        summary,
        "--receiver",
        "SR-103",
        "--received-at",
        NOW,
    )


def receive_one(summary: str = "楼上漏水，天花板渗水") -> str:
    code, out, err = run(*receive_args(summary))
    assert code == 0, err
    return out.split()[1].rstrip(":")


def events_in(db: Path) -> int:
    with SqliteStore(db) as store:
        return store.verify().events


def test_init_writes_config_staff_and_database(desk_dir: Path) -> None:
    assert (desk_dir / "complaintcore.toml").exists()
    assert (desk_dir / "staff.toml").exists()
    assert (desk_dir / "complaints.sqlite3").exists()
    code, _, err = run("init", ".")
    assert code == 1
    assert "exists" in err
    assert len(err.strip().splitlines()) == 1


def test_init_finds_a_pack_file_from_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``init DIR --pack rel/pack.toml`` reads the file where the shell says it is, and
    the configuration it writes finds it from DIR (relative inside DIR, else by its
    full path)."""
    from complaintcore import rules

    monkeypatch.chdir(tmp_path)
    shipped = Path(rules.__file__).parent / "cn-sales-office.toml"
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "mine.toml").write_text(shipped.read_text(encoding="utf-8"), "utf-8")
    code, _, err = run("init", "desk-a", "--pack", "packs/mine.toml")
    assert (code, err) == (0, "")
    config = (tmp_path / "desk-a" / "complaintcore.toml").read_text(encoding="utf-8")
    assert f'pack = "{(tmp_path / "packs" / "mine.toml").resolve()}"' in config
    monkeypatch.chdir(tmp_path / "desk-a")
    assert run("list")[0] == 0  # the desk opens on the pack from its own directory
    monkeypatch.chdir(tmp_path)
    (tmp_path / "desk-b").mkdir()
    (tmp_path / "desk-b" / "pack.toml").write_text(shipped.read_text(encoding="utf-8"), "utf-8")
    code, _, err = run("init", "desk-b", "--pack", "desk-b/pack.toml")
    assert (code, err) == (0, "")
    config = (tmp_path / "desk-b" / "complaintcore.toml").read_text(encoding="utf-8")
    assert 'pack = "pack.toml"' in config
    moved = tmp_path / "moved"
    (tmp_path / "desk-b").rename(moved)
    monkeypatch.chdir(moved)
    assert run("list")[0] == 0
    # a link inside the directory stays the link: re-pointing it changes the desk's pack
    monkeypatch.chdir(tmp_path)
    (tmp_path / "desk-c").mkdir()
    (tmp_path / "desk-c" / "current.toml").symlink_to(tmp_path / "packs" / "mine.toml")
    code, _, err = run("init", "desk-c", "--pack", "desk-c/current.toml")
    assert (code, err) == (0, "")
    config = (tmp_path / "desk-c" / "complaintcore.toml").read_text(encoding="utf-8")
    assert 'pack = "current.toml"' in config
    # ".." after a linked directory goes where the system goes: the file init read
    (tmp_path / "desk-d").mkdir()
    (tmp_path / "desk-d" / "shared").symlink_to(tmp_path / "packs" / "inner", True)
    (tmp_path / "packs" / "inner").mkdir()
    (tmp_path / "desk-d" / "mine.toml").write_text("not the pack", "utf-8")  # a decoy
    code, _, err = run("init", "desk-d", "--pack", "desk-d/shared/../mine.toml")
    assert (code, err) == (0, "")
    config = (tmp_path / "desk-d" / "complaintcore.toml").read_text(encoding="utf-8")
    assert f'pack = "{(tmp_path / "packs" / "mine.toml").resolve()}"' in config


def test_receive_list_show(desk_dir: Path) -> None:
    cid = receive_one()
    code, out, _ = run("list", "--json")
    rows = json.loads(out)
    assert code == 0
    assert [r["id"] for r in rows] == [cid]
    assert rows[0]["department"] == "engineering"
    code, out, _ = run("show", cid)
    assert code == 0
    assert "reply with the result or a reasoned explanation (DL-1)" in out  # the clock's label
    assert "13812345678" not in out
    code, out, _ = run("show", cid, "--json")
    data = json.loads(out)
    assert {c["name"] for c in data["clocks"]} >= {"reply", "to_customer_service"}
    code, out, _ = run("list", "--status", "closed")
    assert code == 0
    assert "no complaints" in out


@pytest.mark.procedure("PRV-1")
def test_list_json_leaves_out_the_matching_keys(desk_dir: Path) -> None:
    """The room and complainant keys are short digests for matching repeats: an
    estate's rooms are few enough to try them all, so they are never shown."""
    receive_one()
    (row,) = json.loads(run("list", "--json")[1])
    assert "room_key" not in row
    assert "complainant_key" not in row
    assert row["site"] == "sunrise"  # the rest of the row is there


def test_act_through_a_whole_life(desk_dir: Path) -> None:
    cid = receive_one()
    steps = [
        ["assess", cid, "--actor", "SR-201", "--validity", "valid", "--fact", "staff_fault"],
        ["reply", cid, "--actor", "SR-001", "--message", "已更换水管", "--final"],
        ["visit", cid, "--actor", "SR-102", "--satisfied", "--opinion", "满意"],
        ["cause", cid, "--actor", "SR-001", "--cause", "管道老化", "--corrective", "更换"],
        ["close", cid, "--actor", "SR-001", "--result", "修复"],
    ]
    for step in steps:
        code, out, err = run("act", *step, now="2025-11-17T10:00")
        assert code == 0, (step, err)
    code, out, _ = run("show", cid, "--json")
    assert json.loads(out)["state"]["status"] == "closed"


@pytest.mark.parametrize(
    "command",
    [
        ["forward", "--to", "security"],
        ["classify"],
        ["promise", "--due", "2025-11-20T10:00"],
        ["handle", "--result", "done"],
        ["escalate", "--trigger", "cannot_handle"],
        ["pause", "--reason", "等照片"],
        ["evidence", "--reference", "photo.jpg"],
        ["assign", "--handler", "SR-201", "--rung", "department_head"],
    ],
)
def test_every_act_subcommand_runs(desk_dir: Path, command: list[str]) -> None:
    cid = receive_one()
    code, _, err = run(
        "act", command[0], cid, "--actor", "SR-101", *command[1:], now="2025-11-17T10:00"
    )
    assert code == 0, err


@pytest.mark.procedure("GRD-6")
def test_grade_after_assessment_and_never_down(desk_dir: Path) -> None:
    cid = receive_one()
    later = "2025-11-17T10:00"
    assert run("act", "assess", cid, "--actor", "SR-101", "--validity", "valid", now=later)[0] == 0
    assert run("act", "grade", cid, "--actor", "SR-001", "--grade", "important", now=later)[0] == 0
    code, _, err = run("act", "grade", cid, "--actor", "SR-001", "--grade", "minor", now=later)
    assert code == 1
    assert "GRD-6" in err


def test_act_takes_the_id_before_or_after_the_command(desk_dir: Path) -> None:
    cid = receive_one()
    later = "2025-11-17T10:00"
    assert run("act", cid, "pause", "--actor", "SR-101", "--reason", "等照片", now=later)[0] == 0
    assert run("act", "resume", cid, "--actor", "SR-101", now=later)[0] == 0
    _, out, _ = run("show", cid, "--json")
    assert [e["type"] for e in json.loads(out)["events"]][-2:] == ["paused", "resumed"]


def test_illegal_command_for_the_state_is_one_line_and_writes_nothing(desk_dir: Path) -> None:
    cid = receive_one()
    before = events_in(desk_dir / "complaints.sqlite3")
    code, _, err = run("act", "visit", cid, "--actor", "SR-102", "--satisfied")
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert "cannot visit" in err
    assert events_in(desk_dir / "complaints.sqlite3") == before


def test_unknown_complaint_id(desk_dir: Path) -> None:
    code, _, err = run("show", "C-20251114-0bad")  # the desk's shape: quoted
    assert code == 3
    assert "'C-20251114-0bad'" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.procedure("REC-1")
def test_bulk_csv_reports_each_rejected_row_and_keeps_good_ones(desk_dir: Path) -> None:
    (desk_dir / "in.csv").write_text(
        "name,phone,room,site,summary,receiver,channel,received_at\n"
        "张三,13900001111,1-1-101,sunrise,垃圾没人清理,SR-103,phone,2025-11-14T09:00\n"
        "李四,12,1-1-102,sunrise,噪音扰民,SR-103,phone,2025-11-14T09:05\n"
        ",13900002222,1-1-103,sunrise,,SR-103,phone,2025-11-14T09:10\n",
        encoding="utf-8",
    )
    code, out, err = run("receive", "--file", "in.csv")
    assert code == 1
    assert err == ""
    lines = out.strip().splitlines()
    assert len(lines) == 4  # one line per row, then the counts
    assert lines[0].startswith("line 2: stored C-")
    assert lines[1].startswith("line 3: rejected: ")
    assert "complainant.phone" in lines[1]
    assert "12," not in lines[1]
    assert lines[2].startswith("line 4: rejected: ")
    assert "complainant.name" in lines[2]
    assert "summary" in lines[2]
    assert lines[3] == "imported: 1 stored, 0 duplicated, 2 rejected (3 rows, encoding utf-8)"
    assert len(json.loads(run("list", "--json")[1])) == 1


@pytest.mark.procedure("REC-2")
def test_receive_records_where_it_happened_and_the_complainants_own_account(
    desk_dir: Path,
) -> None:
    where = "5号楼2单元电梯轿厢"
    told = "业主说电梯本周第三次困人，按了警铃十分钟没人应答"
    code, out, err = run(
        *("receive", "--name", "王小明", "--phone", "13812345678", "--room", "3-2-1201"),
        *("--site", "sunrise", "--summary", "电梯困人", "--receiver", "SR-103"),
        *("--location", where, "--account", told, "--json"),
    )
    assert code == 0, err
    cid = json.loads(out)["id"]
    with SqliteStore(desk_dir / "complaints.sqlite3") as store:
        intake = store.load(cid).intake
    assert (intake.location, intake.account) == (where, told)
    # a single receipt keeps its documented defaults: received now, by phone
    assert (intake.received_at.isoformat(timespec="minutes")[:16], intake.channel.value) == (
        NOW,
        "phone",
    )


def test_bulk_jsonl_malformed_line(desk_dir: Path) -> None:
    good = {
        "name": "Ann Lee",
        "phone": "13900001111",
        "room": "2-1-301",
        "site": "sunrise",
        "summary": "lift broken again",
        "receiver": "SR-103",
        "channel": "web",
        "received_at": "2025-11-14T08:05",
        "idempotency_key": "k1",
    }
    (desk_dir / "in.jsonl").write_text(
        json.dumps(good) + "\n{not json\n" + json.dumps({**good, "colour": "red"}) + "\n",
        encoding="utf-8",
    )
    code, out, _err = run("receive", "--file", "in.jsonl")
    assert code == 1
    assert "line 2: rejected: line: not JSON" in out
    # a key that is no field is not quoted: it may be a name (review s47D F03)
    assert "line 3: rejected: (a key that is not a field name): unknown key" in out
    # importing again is idempotent on the key: no duplicate
    code, out, _err = run("receive", "--file", "in.jsonl")
    assert "line 1: duplicate of C-" in out
    assert "imported: 0 stored, 1 duplicated, 2 rejected (3 rows, encoding utf-8)" in out
    assert len(json.loads(run("list", "--json")[1])) == 1


def test_sweep_escalates_once_and_exits_zero(desk_dir: Path) -> None:
    receive_one()
    code, out, _ = run("sweep", "--json", now="2025-11-25T10:00")
    assert code == 0
    assert json.loads(out)["escalated"]
    code, out, _ = run("sweep", "--json", now="2025-11-25T10:05")
    assert code == 0
    assert json.loads(out)["escalated"] == []


def test_verify_detects_tampering(desk_dir: Path) -> None:
    import sqlite3

    receive_one()
    assert run("verify")[0] == 0
    db = sqlite3.connect(desk_dir / "complaints.sqlite3")
    db.execute("DROP TRIGGER IF EXISTS events_no_update")
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
        db.execute(f"DROP TRIGGER {name}")
    db.execute("UPDATE events SET actor = 'someone-else' WHERE seq = 1")
    db.commit()
    db.close()
    code, _, err = run("verify")
    assert code == 5
    assert "verification failed" in err


@pytest.mark.procedure("DL-7")
def test_verify_reproject_rewrites_a_row_whose_next_sweep_time_is_too_late(
    desk_dir: Path,
) -> None:
    """As a row written under an older pack would be: its deadline comes sooner now."""
    import sqlite3

    cid = receive_one()
    db = sqlite3.connect(desk_dir / "complaints.sqlite3")
    db.execute(
        "UPDATE projection SET next_due = '2099-01-01T00:00:00.000000+00:00' WHERE id = ?", (cid,)
    )
    db.commit()
    db.close()
    code, _, err = run("verify")
    assert code == 5
    assert "next_due" in err
    code, out, err = run("verify", "--reproject", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert (doc["ok"], doc["reprojected"]) == (True, [cid])
    code, out, _ = run("verify", "--reproject")
    assert code == 0
    assert "projection rows rewritten: 0" in out


def rows_out_of_date(db: Path) -> None:
    """As after a pack upgrade: another digest kept, and every row's next sweep time
    later than its history gives (2099)."""
    import sqlite3

    with SqliteStore(db) as store:
        store.keep_projection_basis("the digest of an older pack")
    conn = sqlite3.connect(db)
    conn.execute("UPDATE projection SET next_due = '2099-01-01T00:00:00.000000+00:00'")
    conn.commit()
    conn.close()


@pytest.mark.procedure("DL-7")
def test_sweep_says_which_rows_it_rewrote_first(desk_dir: Path) -> None:
    """docs/cli.md: ``"reprojected": [id…]`` in ``sweep --json``; docs/calendar.md:
    ``complaintcore sweep`` says how many, in the user's language."""
    ids = [receive_one(), receive_one("电梯停运，困在里面")]
    assert run("sweep")[0] == 0
    db = desk_dir / "complaints.sqlite3"
    rows_out_of_date(db)
    code, out, err = run("sweep", "--json")
    assert code == 0, err
    assert sorted(json.loads(out)["reprojected"]) == sorted(ids)
    code, out, _ = run("sweep", "--json")
    assert json.loads(out)["reprojected"] == []  # the basis kept: nothing out of date
    rows_out_of_date(db)
    code, out, err = run("sweep")
    assert code == 0, err
    assert (
        "the rule pack, the calendar or complaintcore changed: 2 complaints'"
        " next sweep times rewritten first"
    ) in out.splitlines()
    code, out, _ = run("sweep")
    assert "rewritten first" not in out
    rows_out_of_date(db)
    result = CliRunner().invoke(main, ["--lang", "zh", "sweep"])
    assert result.exit_code == 0, result.stderr
    # the zh_CN catalog's wording
    assert "规则包、工作日历或 complaintcore 已变更：先重算了 2 件投诉的下次巡检时间" in (
        result.stdout.splitlines()
    )


@pytest.mark.procedure("IMP-2")
@pytest.mark.parametrize("fmt", ["table", "json", "csv", "html"])
def test_report_formats(desk_dir: Path, fmt: str) -> None:
    receive_one()
    code, out, err = run("report", "--month", "2025-11", "--format", fmt, now="2025-11-20T10:00")
    assert code == 0, err
    if fmt == "json":
        assert json.loads(out)["period"]["key"] == "2025-11"
    if fmt == "csv":  # UTF-8 with the byte-order mark Excel needs (review s27D F02)
        assert out.splitlines()[0].startswith("\ufeffperiod,")
    if fmt == "html":
        assert out.lstrip().lower().startswith("<!doctype html")
    assert "13812345678" not in out


@pytest.mark.procedure("IMP-2")
def test_a_csv_report_file_opens_in_excel_on_a_chinese_windows(desk_dir: Path) -> None:
    """Without a byte-order mark Excel reads a CSV as the system's code page (GBK in
    China) and shows 收到 as 鏀跺埌 (review s27D F02): the mark says UTF-8."""
    receive_one()
    code, _, err = run(
        "report",
        "--month",
        "2025-11",
        "--format",
        "csv",
        "--output",
        "r.csv",
        now="2025-11-20T10:00",
    )
    assert code == 0, err
    data = (desk_dir / "r.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfperiod,section,")  # one mark, then the header
    totals = next(line for line in data.decode("utf-8").splitlines() if ",totals,received," in line)
    assert totals.startswith("2025-11,totals,received,收到,")


@pytest.mark.parametrize("output", ["out/", "", "  "])
def test_an_output_that_names_no_file_is_a_usage_error(desk_dir: Path, output: str) -> None:
    """``out/`` names a folder and ``""`` nothing: refused naming ``--output`` as an
    existing folder is (exit 2), nothing written (review s41B F05)."""
    before = set(desk_dir.iterdir())
    code, out, err = run("report", "--month", "2025-11", "--format", "csv", "--output", output)
    assert code == 2
    assert out == ""
    assert err.startswith("error: Invalid value for '--output': expected a file name")
    assert len(err.strip().splitlines()) == 1
    assert set(desk_dir.iterdir()) == before


@pytest.mark.parametrize(
    "output",
    ["complaints.sqlite3", "complaints.sqlite3-wal", "./complaintcore.toml", "staff.toml"],
)
def test_a_report_is_never_written_over_the_desks_own_files(desk_dir: Path, output: str) -> None:
    """A report written over the database left a desk no command opened again."""
    cid = receive_one()
    kept = {p.name: p.read_bytes() for p in desk_dir.iterdir() if p.is_file()}
    result = CliRunner().invoke(
        main, ["--lang", "en", "report", "--month", "2025-11", "--json", "--output", output]
    )
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert (error["param"], error["message"]) == (
        "output",
        "Invalid value for '--output': is one of the desk's own files; choose another file",
    )
    assert {p.name: p.read_bytes() for p in desk_dir.iterdir() if p.is_file()} == kept
    assert run("show", cid)[0] == 0


@pytest.mark.parametrize("output", ["complaints.sqlite3.locks", "complaints.sqlite3.locks/r.html"])
def test_a_report_is_never_written_into_the_desks_lock_directory(
    desk_dir: Path, output: str
) -> None:
    """``<database>.locks`` is the desk's too: a report written as it (before any
    intake made it) left every intake after it unlocked (review s45A F05)."""
    result = CliRunner().invoke(
        main, ["--lang", "en", "report", "--month", "2025-11", "--json", "--output", output]
    )
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["message"] == (
        "Invalid value for '--output': is one of the desk's own files; choose another file"
    )
    assert not (desk_dir / "complaints.sqlite3.locks").is_file()
    code, _out, err = run(*receive_args("卫生间天花板漏水"))
    assert code == 0, err
    assert "not locked" not in err
    assert (desk_dir / "complaints.sqlite3.locks").is_dir()


def test_only_a_csv_gets_the_mark_and_only_one() -> None:
    """Every report is written in UTF-8 (a GBK console too: review s41B F03); the
    mark is for CSV only, and a text that has one gets no second."""
    from complaintcore.cli.report_indicators import excel_csv

    assert excel_csv("period,收到\r\n", "csv") == "\ufeffperiod,收到\r\n"
    assert excel_csv("\ufeffperiod\r\n", "csv") == "\ufeffperiod\r\n"
    assert excel_csv('{"a": 1}', "json") == '{"a": 1}'
    assert excel_csv("<!DOCTYPE html>", "html") == "<!DOCTYPE html>"


def _as_on_windows(self: Path, data: str, encoding: str | None = None, *_: object) -> int:
    """``Path.write_text`` as on Windows: each ``\n`` written becomes ``os.linesep``."""
    with open(self, "w", encoding=encoding, newline="\r\n") as f:
        return f.write(data)


@pytest.mark.procedure("IMP-2")
def test_a_csv_report_file_ends_its_rows_as_the_csv_writer_did_on_windows_too(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """csv writes ``\r\n`` rows; a file opened in text mode on Windows made each
    ``\r\r\n``, a blank row after every row in Excel (review s41B F06)."""
    monkeypatch.setattr(Path, "write_text", _as_on_windows)
    receive_one()
    args = ("report", "--month", "2025-11", "--format", "csv", "--output", "r.csv")
    code, _, err = run(*args, now="2025-11-20T10:00")
    assert code == 0, err
    data = (desk_dir / "r.csv").read_bytes()
    assert b"\r\r" not in data
    assert data.count(b"\r\n") == data.count(b"\n") > 1


@pytest.mark.procedure("IMP-2")
@pytest.mark.parametrize("now", ["2025-11-30T16:30:00Z", "2025-12-01T00:30:00+08:00"])
def test_report_defaults_to_the_month_of_now_in_the_packs_time_zone(
    desk_dir: Path, now: str
) -> None:
    """16:30 UTC on 30 November is 00:30 on 1 December in Beijing (cn-property's
    zone): the current month is December however ``--now`` is written (review s25D F05)."""
    code, out, err = run("report", "--json", now=now)
    assert code == 0, err
    assert json.loads(out)["period"]["key"] == "2025-12"


def test_report_bad_month(desk_dir: Path) -> None:
    code, _, err = run("report", "--month", "2025-13")
    assert code == 2
    assert "--month" in err


def test_packs_list_show_validate(desk_dir: Path, tmp_path: Path) -> None:
    code, out, _ = run("packs", "list")
    assert code == 0
    assert "cn-property" in out
    assert "cn-sales-office" in out
    code, out, _ = run("packs", "show", "cn-sales-office")
    assert code == 0
    assert "deputy" in out.lower()
    (tmp_path / "bad.toml").write_text('name = "x"\nsurprise = 1\n', encoding="utf-8")
    code, _, err = run("packs", "validate", str(tmp_path / "bad.toml"))
    assert code == 1
    assert "bad.toml" in err
    assert "surprise" in err
    shipped = Path(__import__("complaintcore.rules", fromlist=["x"]).__file__).parent
    code, out, _ = run("packs", "validate", str(shipped / "cn-property.toml"))
    assert code == 0
    assert "valid" in out


@pytest.mark.parametrize(
    ("old", "new", "path", "reason"),
    [
        ('country = "CN"', 'country = "ZZ"', "calendar.country", "does not know the calendar 'ZZ'"),
        ('country = "CN"', 'country = "GB-XXX"', "calendar.country", "GB-XXX"),
        ("last_year = 2040", "last_year = 9999", "calendar.last_year", "1900 to 9000"),
        ("first_year = 2024", "first_year = 1800", "calendar.first_year", "1900 to 9000"),
        ('name = "cn-property"', 'name = "x\\n\\u001b[31mRED"', "name", "control characters"),
    ],
)
def test_packs_validate_refuses_what_the_desk_would(
    tmp_path: Path, old: str, new: str, path: str, reason: str
) -> None:
    """A pack that passes ``packs validate`` is one the desk opens."""
    shipped = Path(__import__("complaintcore.rules", fromlist=["x"]).__file__).parent
    text = (shipped / "cn-property.toml").read_text(encoding="utf-8")
    assert old in text
    pack = tmp_path / "mine.toml"
    pack.write_text(text.replace(old, new, 1), encoding="utf-8")
    code, out, err = run("packs", "validate", str(pack))
    assert code == 1, out
    assert f"{path}: " in err
    assert reason in err
    assert "\x1b" not in out + err
    code, out, _ = run("packs", "validate", str(pack), "--json")
    assert code == 1
    assert path in out


def test_packs_validate_passes_a_wide_calendar_the_desk_opens(tmp_path: Path) -> None:
    shipped = Path(__import__("complaintcore.rules", fromlist=["x"]).__file__).parent
    text = (shipped / "cn-property.toml").read_text(encoding="utf-8")
    pack = tmp_path / "wide.toml"
    pack.write_text(text.replace("first_year = 2024", "first_year = 1990", 1), encoding="utf-8")
    assert run("packs", "validate", str(pack))[0] == 0


def test_missing_config_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("list")
    assert code == 3
    assert "complaintcore init" in err


def test_chinese_output(desk_dir: Path) -> None:
    result = CliRunner().invoke(main, ["--lang", "zh", "verify"])
    assert result.exit_code == 0
    assert "哈希链校验通过" in result.stdout


@pytest.mark.procedure("IMP-2")
def test_demo_prints_a_report_whose_figures_match_the_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`complaintcore demo`: recount the printed report from the raw events in SQLite."""
    import sqlite3
    from collections import Counter
    from datetime import datetime
    from zoneinfo import ZoneInfo

    monkeypatch.chdir(tmp_path)
    code, out, err = run("demo", "demo", "--complaints", "150", "--format", "json")
    assert code == 0, err
    report = json.loads(out[: out.rindex("}") + 1])
    period = report["period"]
    zone = ZoneInfo(period["timezone"])
    totals = {t["key"]: t["count"] for t in report["totals"]}

    db = sqlite3.connect(tmp_path / "demo" / "complaints.sqlite3")
    month_ids = []
    for cid, intake_json in db.execute("SELECT id, intake_json FROM complaints"):
        received = datetime.fromisoformat(json.loads(intake_json)["received_at"]).astimezone(zone)
        if (received.year, received.month) == (period["year"], period["month"]):
            month_ids.append(cid)
    assert totals["received"] == len(month_ids)

    valid: dict[str, str] = {}  # complaint id -> category, for valid complaints
    for cid in month_ids:
        validity, kind, category = "unverified", "complaint", ""
        for (body,) in db.execute(
            "SELECT body_json FROM events WHERE complaint_id = ? ORDER BY seq", (cid,)
        ):
            event = json.loads(body)
            if event["type"] == "assessed":
                validity, kind = event["validity"], event["complaint_kind"]
            elif event["type"] == "classified":
                category = event["category"]
        if validity == "valid" and kind == "complaint":
            valid[cid] = category
    assert len(valid) > 20  # a real month, not an empty one
    assert totals["valid_complaints"] == len(valid)
    by_category = {c["key"]: c["count"] for c in report["by_category"] if c["count"]}
    assert by_category == dict(Counter(valid.values()))


def test_demo_force_never_replaces_a_real_desk(desk_dir: Path) -> None:
    code, _, err = run("demo", ".", "--complaints", "20", "--force")
    assert code == 1
    assert "not a demo" in err
    assert (desk_dir / "complaints.sqlite3").exists()


def test_a_demo_marker_left_behind_does_not_make_a_real_desk_a_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Try the demo, clear it with ``rm desk/*`` (the glob leaves the hidden marker),
    set up the real desk there: ``demo --force`` refuses it as not a demo and keeps
    its complaints (docs/demo.md, ``overwrite``; review s41B F02)."""
    monkeypatch.chdir(tmp_path)
    code, _, err = run("demo", "desk", "--complaints", "20")
    assert code == 0, err
    for path in Path("desk").iterdir():
        if not path.name.startswith(".") and not path.is_dir():  # rm leaves the .locks folder
            path.unlink()
    assert Path("desk", ".complaintcore-demo").exists()
    assert run("init", "desk")[0] == 0
    monkeypatch.setenv("COMPLAINTCORE_CONFIG", "desk/complaintcore.toml")
    cid = receive_one()
    for force in ((), ("--force",)):
        code, _, err = run("demo", "desk", "--complaints", "20", *force)
        assert code == 1
        assert err.strip() == (
            f"error: {Path('desk', 'complaintcore.toml')}: exists and is not a demo:"
            " choose another directory"
        )
    assert run("show", cid)[0] == 0


def test_demo_over_a_desk_says_why_in_the_readers_language(desk_dir: Path) -> None:
    """In Chinese, the refusal reads in Chinese; a real desk is not offered --force,
    an earlier demo is (s25N F04)."""
    refused = CliRunner().invoke(main, ["--lang", "zh", "demo", ".", "--complaints", "20"])
    assert refused.exit_code == 1
    assert refused.stderr.strip() == ("错误：complaintcore.toml：已存在且不是演示：请另选目录")
    code, _, err = run("demo", "demo", "--complaints", "20")
    assert code == 0, err
    again = CliRunner().invoke(
        main, ["--lang", "zh", "demo", "demo", "--complaints", "20", "--json"]
    )
    assert again.exit_code == 1
    error = json.loads(again.stdout)["error"]
    assert error["type"] == "DemoExistsError"
    assert error["message"] == (
        f"{Path('demo', 'complaintcore.toml')}：此处已有先前的演示：用 --force 替换，或另选目录"
    )


def test_future_receipt_and_bad_files_are_one_line_errors(desk_dir: Path) -> None:
    code, _, err = run(
        "receive",
        "--name",
        "王小明",
        "--phone",
        "13812345678",
        "--room",
        "1-1",
        "--site",
        "sunrise",
        "--summary",
        "漏水",
        "--receiver",
        "SR-103",
        "--received-at",
        "2025-11-20T10:00",
    )
    assert code == 1
    assert "received_at" in err
    assert len(err.strip().splitlines()) == 1
    (desk_dir / "gbk.csv").write_bytes("name,phone\n王小明,13812345678\n".encode("gbk"))
    code, out, _ = run("receive", "--file", "gbk.csv", "--encoding", "utf-8")
    assert code == 1
    assert "line 2: rejected: line: is not utf-8 text" in out
    code, out, _ = run("receive", "--file", "gbk.csv")  # detected as GB18030: read, REC-1 checked
    assert code == 1
    assert "encoding gb18030" in out
    assert "is not" not in out
    (desk_dir / "complaints.sqlite3").write_bytes(b"not a database at all" * 100)
    code, _, err = run("list")
    assert code == 5
    assert len(err.strip().splitlines()) == 1


@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("ESC-2")
def test_sweep_names_a_damaged_complaint_and_still_sweeps_the_others(desk_dir: Path) -> None:
    import sqlite3

    damaged, other = receive_one(), receive_one("电梯坏了三天")
    db = sqlite3.connect(desk_dir / "complaints.sqlite3")
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
        db.execute(f"DROP TRIGGER {name}")
    db.execute("UPDATE events SET body_json = '{' WHERE complaint_id = ? AND seq = 1", (damaged,))
    db.commit()
    db.close()
    code, out, err = run("sweep", "--json", now="2025-11-25T10:00")
    assert code == 1, err
    doc = json.loads(out)
    assert [f["id"] for f in doc["failed"]] == [damaged]
    assert doc["failed"][0]["type"] == "DamagedRecordError"
    assert doc["error"]["type"] == "ComplaintsNotSwept"
    assert doc["error"]["message"] == "1 complaint could not be swept; the others were"
    assert {e[0] for e in doc["escalated"]} == {other}
    assert "王小明" not in out
    assert "13812345678" not in out
    # its claim lapsed, it alone is due again: no "others" were swept (review s42A F03)
    code, out, err = run("sweep", now="2025-11-25T10:10")
    assert code == 1
    assert out.splitlines()[0].startswith("examined 1;")
    assert damaged in out
    assert err.strip().splitlines() == ["error: 1 complaint could not be swept"]


@pytest.mark.parametrize(
    ("cwd", "target", "advised"),
    [
        ("", "moved.sqlite3", "{tmp}/moved.sqlite3"),  # beside the desk's folder: full path
        ("", "mydesk/moved.sqlite3", "moved.sqlite3"),  # into the desk's folder: relative to it
        ("mydesk", "moved.sqlite3", "moved.sqlite3"),  # from the desk's folder, as before
        ("mydesk", "../moved.sqlite3", "{tmp}/moved.sqlite3"),
    ],
)
def test_migrate_names_the_target_as_the_configuration_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cwd: str, target: str, advised: str
) -> None:
    """``--to`` finds a file from the current directory, the configuration from its own:
    the advice printed last must open the copy when followed (review s34B F01)."""
    monkeypatch.setenv("COMPLAINTCORE_NOW", NOW)
    monkeypatch.chdir(tmp_path)
    assert run("init", "mydesk")[0] == 0
    config = tmp_path / "mydesk" / "complaintcore.toml"
    monkeypatch.chdir(tmp_path / cwd)
    on_desk = ("--config", os.path.relpath(config, tmp_path / cwd))
    monkeypatch.chdir(tmp_path / "mydesk")
    cid = receive_one()
    monkeypatch.chdir(tmp_path / cwd)
    code, out, err = run(*on_desk, "migrate", "--to", target)
    assert code == 0, err
    setting = advised.format(tmp=tmp_path.resolve())
    assert out.splitlines()[-1] == f"when ready, set database in complaintcore.toml to {setting}"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace('database = "complaints.sqlite3"', f"database = {json.dumps(setting)}"),
        encoding="utf-8",
    )
    assert f"database = {json.dumps(setting)}" in config.read_text(encoding="utf-8")
    for old in (tmp_path / "mydesk").glob("complaints.sqlite3*"):
        if not old.is_dir():  # rm leaves the group lock's .locks folder
            old.unlink()  # the copy opens, not the old file
    code, out, err = run(*on_desk, "list", "--json")
    assert code == 0, err
    assert [r["id"] for r in json.loads(out)] == [cid]
