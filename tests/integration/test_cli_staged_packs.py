"""The command-line tour on the staged packs, end to end, on a real SQLite desk.

Due dates below are worked out by hand from the codes' text (docs/rule-packs.md):
a complaint received on Monday 3 March 2025 in England, acknowledged on Friday
7 March, is due an answer 10 working days later, on Friday 21 March at 17:00;
extended by 5 working days, on Friday 28 March.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.cli import main
from complaintcore.desk.config import load_config

UK = "uk-housing-ombudsman-2024"


def run(*args: str, now: str, lang: str = "en") -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--lang", lang, *args], env={"COMPLAINTCORE_NOW": now})
    return result.exit_code, result.stdout, result.stderr


def clocks(cid: str, now: str) -> dict[str, dict[str, object]]:
    shown = json.loads(ok("show", cid, "--json", now=now))
    return {c["name"]: c for c in shown["clocks"]}


def ok(*args: str, now: str, lang: str = "en") -> str:
    code, out, err = run(*args, now=now, lang=lang)
    assert code == 0, err
    return out


@pytest.fixture
def uk_desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    out = ok("init", ".", "--pack", UK, now="2025-03-03T09:00")
    assert "initialised" in out
    return tmp_path


def _receive(now: str, *extra: str) -> dict[str, object]:
    out = ok(
        "receive",
        "--name",
        "Alex Smith",
        "--phone",
        "07700 900123",
        "--room",
        "Flat 4",
        "--site",
        "elm-court",
        "--summary",
        "Black mould in the bedroom again",
        "--receiver",
        "CS-001",
        *extra,
        "--json",
        now=now,
    )
    data: dict[str, object] = json.loads(out)
    return data


def test_packs_lists_the_new_packs() -> None:
    out = ok("packs", "list", now="2025-03-03T09:00")
    for name in (UK, "scotland-spso", "iso-10002"):
        assert name in out
    listed = json.loads(ok("packs", "list", "--json", now="2025-03-03T09:00"))
    assert {p["name"] for p in listed} >= {UK, "scotland-spso", "iso-10002"}
    out = ok("packs", "show", UK, now="2025-03-03T09:00")
    assert "HOC 6.3" in out
    assert "time limit: the issue arose more than 12 months before receipt" in out
    shown = json.loads(ok("packs", "show", UK, "--json", now="2025-03-03T09:00"))
    assert [s["code"] for s in shown["stages"]] == ["stage_1", "stage_2"]
    assert shown["clocks"][1]["extension"]["cap"] == "10d"
    out = ok("packs", "show", "iso-10002", now="2025-03-03T09:00")
    assert "extension_cap" in out


def test_the_tour_on_the_housing_ombudsman_pack(uk_desk: Path) -> None:
    # received on Monday 3 March 2025; the issue arose in January 2024: flagged (HOC 2.2)
    got = _receive("2025-03-03T10:00", "--occurred-at", "2024-01-10")
    cid = str(got["id"])
    assert (got["stage"], got["time_barred"], got["handler"]) == ("stage_1", True, "RP-101")

    rows = json.loads(ok("list", "--json", now="2025-03-03T10:05"))
    assert [r["id"] for r in rows] == [cid]
    due = clocks(cid, "2025-03-03T10:05")
    # 5 working days after Monday 3 March: Monday 10 March, 17:00 (HOC 6.2)
    assert due["stage_1_acknowledge"]["due"] == "2025-03-10T17:00:00+00:00"

    shown = ok("show", cid, now="2025-03-03T10:05")
    assert "stage 1: not yet acknowledged" in shown
    assert "flagged: the issue arose more than 12 months before receipt (HOC 2.2)" in shown

    ok(
        "act",
        cid,
        "acknowledge",
        "--actor",
        "RP-101",
        "--definition",
        "Mould; wants it treated",
        now="2025-03-07T11:00",
    )
    due = clocks(cid, "2025-03-07T11:00")
    assert due["stage_1_acknowledge"]["state"] == "met"
    # 10 working days from the acknowledgement on Friday 7 March (HOC 6.3)
    assert due["stage_1_response"]["due"] == "2025-03-21T17:00:00+00:00"

    # an extension needs the reasons and the Ombudsman's details (HOC 6.4-6.5) …
    code, _, err = run(
        "act",
        cid,
        "extend",
        "--actor",
        "RP-101",
        "--clock",
        "stage_1_response",
        "--by",
        "5d",
        "--reason",
        "damp survey booked",
        now="2025-03-18T11:00",
    )
    assert code == 1
    assert "details" in err
    ok(
        "act",
        cid,
        "extend",
        "--actor",
        "RP-101",
        "--clock",
        "stage_1_response",
        "--by",
        "5d",
        "--reason",
        "damp survey booked",
        "--details",
        "Housing Ombudsman 0300 111 3000",
        now="2025-03-18T11:00",
    )
    # … and past 10 working days in all only with good reason: who accepted it (6.4)
    code, _, err = run(
        "act",
        cid,
        "extend",
        "--actor",
        "RP-101",
        "--clock",
        "stage_1_response",
        "--by",
        "6d",
        "--reason",
        "more",
        "--details",
        "HOS",
        now="2025-03-18T11:00",
    )
    assert code == 1
    # the clock by its label, as errors name a pack's codes (review s27E F02)
    assert "agreed_by: extensions of stage 1 response past 10 days need it recorded" in err
    due = clocks(cid, "2025-03-18T11:00")
    assert due["stage_1_response"]["due"] == "2025-03-28T17:00:00+00:00"

    # upheld in part: the remedy is recorded (HOC 7.1-7.4), and stage 1 closes
    code, _, err = run(
        "act",
        cid,
        "respond",
        "--actor",
        "RP-101",
        "--outcome",
        "partly_upheld",
        "--message",
        "A gutter was leaking",
        now="2025-03-25T15:00",
    )
    assert code == 1
    assert "remedies" in err
    done = json.loads(
        ok(
            "act",
            cid,
            "respond",
            "--actor",
            "RP-101",
            "--outcome",
            "partly_upheld",
            "--message",
            "A gutter was leaking",
            "--remedy",
            "gutter repaired",
            "--remedy",
            "mould wash",
            "--json",
            now="2025-03-25T15:00",
        )
    )
    assert (done["status"], done["outcome"]) == ("closed", "partly_upheld")

    # not reopened at stage 1: the resident goes on to stage 2 (HOC section 6; s27P f02)
    args = ("act", cid, "reopen", "--actor", "CS-001", "--reason", "mould is back")
    code, _, err = run(*args, now="2025-03-31T09:00")
    assert code == 1
    assert "asks for stage 2 with request escalation" in err
    assert err.rstrip().endswith("(HOC 6.11-6.16)")
    code, _, err = run(*args, now="2025-03-31T09:00", lang="zh")
    assert code == 1
    assert "分阶段程序下已结案的投诉不重新打开" in err

    # the resident asks for stage 2: reopened there, routed to someone else (HOC 6.11, 6.13)
    got = json.loads(
        ok("act", cid, "request-escalation", "--actor", "CS-001", "--json", now="2025-04-01T09:30")
    )
    assert (got["status"], got["stage"]) == ("in_handling", "stage_2")
    assert got["handler"] not in ("", "RP-101")
    code, _, err = run(
        "act",
        cid,
        "assign",
        "--actor",
        "CM-301",
        "--handler",
        "RP-101",
        "--rung",
        "complaints_officer",
        now="2025-04-01T09:35",
    )
    assert code == 4
    assert "different person" in err
    handler = str(got["handler"])
    ok(
        "act",
        cid,
        "acknowledge",
        "--actor",
        handler,
        "--definition",
        "Wants compensation",
        now="2025-04-02T10:00",
    )
    due = clocks(cid, "2025-04-02T10:00")
    # 5 working days after Tuesday 1 April: Tuesday 8 April; 20 after Wednesday 2 April,
    # with Good Friday 18 April and Easter Monday 21 April off: Friday 2 May
    assert due["stage_2_acknowledge"]["due"] == "2025-04-08T17:00:00+01:00"
    assert due["stage_2_response"]["due"] == "2025-05-02T17:00:00+01:00"
    done = json.loads(
        ok(
            "act",
            cid,
            "respond",
            "--actor",
            handler,
            "--outcome",
            "upheld",
            "--message",
            "Carpet replaced",
            "--remedy",
            "£250",
            "--json",
            now="2025-04-22T10:00",
        )
    )
    assert (done["status"], done["stage"], done["outcome"]) == ("closed", "stage_2", "upheld")

    ok("sweep", now="2025-04-22T10:05")
    assert "verified" in ok("verify", now="2025-04-22T10:05")

    # the annual performance figures in the Code's terms
    report = json.loads(ok("report", "--period", "2025", "--json", now="2025-12-31T12:00"))
    figures = {i["code"]: i for i in report["indicators"]}
    assert figures["stage_1_received"]["count"] == 1
    assert figures["stage_2_received"]["count"] == 1
    assert (figures["stage_1_in_time"]["count"], figures["stage_1_in_time"]["of"]) == (1, 1)
    assert (figures["stage_1_extended"]["count"], figures["stage_1_extended"]["of"]) == (1, 1)
    # receipt Monday 3 March to response Tuesday 25 March: 16 working days
    assert figures["stage_1_average_days"]["value"] == 16.0
    # escalation Tuesday 1 April to response Tuesday 22 April: 2-4, 7-11, 14-17 and 22
    # April, 13 working days (Good Friday and Easter Monday off)
    assert figures["stage_2_average_days"]["value"] == 13.0
    assert figures["stage_2_upheld"]["value"] == 1.0
    assert figures["time_barred"]["count"] == 1
    table = ok("report", "--period", "2025", now="2025-12-31T12:00")
    assert "stage 1 responses extended" in table
    assert "16.0 working days" in table
    csv_text = ok("report", "--period", "2025-Q1", "--format", "csv", now="2025-12-31T12:00")
    # UTF-8 with the byte-order mark Excel needs to read it as UTF-8 (review s27D F02)
    assert csv_text.splitlines()[0].startswith("\ufeffperiod,code,kind,stage")
    html_path = uk_desk / "annual.html"
    ok(
        "report",
        "--period",
        "2025",
        "--format",
        "html",
        "--output",
        str(html_path),
        now="2025-12-31T12:00",
    )
    page = html_path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "Alex" not in page
    assert "<script" not in page
    zh = ok("report", "--period", "2025", now="2025-12-31T12:00", lang="zh")
    assert "第一阶段平均答复工作日" in zh

    with SqliteStore(uk_desk / "complaints.sqlite3") as store:
        assert store.verify().ok


def test_report_period_usage_errors(uk_desk: Path) -> None:
    code, _, err = run("report", "--period", "2025-Q5", now="2025-12-31T12:00")
    assert code == 2
    assert "2025-Q1" in err
    code, _, err = run("report", "--period", "2025", "--month", "2025-11", now="2025-12-31T12:00")
    assert code == 2


def test_spso_refuses_a_late_complaint_and_a_late_escalation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    ok("init", ".", "--pack", "scotland-spso", now="2025-06-02T09:00")
    args = [
        "receive",
        "--name",
        "Morag Reid",
        "--phone",
        "0131 496 0000",
        "--room",
        "2F1",
        "--site",
        "harbour",
        "--summary",
        "Bins not collected for three weeks",
        "--receiver",
        "FS-001",
    ]
    code, _, err = run(*args, "--occurred-at", "2024-11-01", now="2025-06-02T09:00")
    assert code == 1  # more than 6 months after the event
    assert "6 months" in err
    got = json.loads(ok(*args, "--occurred-at", "2025-05-20", "--json", now="2025-06-02T09:00"))
    cid = str(got["id"])
    ok(
        "act",
        cid,
        "respond",
        "--actor",
        "EN-101",
        "--outcome",
        "upheld",
        "--message",
        "Collected; crew briefed",
        "--remedy",
        "extra collection",
        now="2025-06-04T12:00",
    )
    # 2 months after the stage 1 response, and 6 after the event, have both passed
    code, _, err = run(
        "act", cid, "request-escalation", "--actor", "FS-001", now="2025-12-01T10:00"
    )
    assert code == 1
    assert "time limit" in err
    got = json.loads(
        ok("act", cid, "request-escalation", "--actor", "FS-001", "--json", now="2025-07-01T10:00")
    )
    assert got["stage"] == "stage_2"
    figures = json.loads(ok("report", "--period", "2025-Q2", "--json", now="2025-07-01T10:05"))
    by_code = {i["code"]: i for i in figures["indicators"]}
    assert (by_code["stage_1_closed"]["count"], by_code["stage_1_share_closed"]["value"]) == (
        1,
        1.0,
    )
    # received Monday 2 June, answered Wednesday 4 June: 2 working days
    assert by_code["stage_1_average_days"]["value"] == 2.0


def test_iso_template_takes_the_organisations_targets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = json.loads(
        ok(
            "init",
            ".",
            "--pack",
            "iso-10002",
            "--param",
            "respond=15d",
            "--param",
            "country=GB-ENG",
            "--param",
            "timezone=Europe/London",
            "--json",
            now="2025-03-03T09:00",
        )
    )
    assert out["pack_parameters"] == {
        "respond": "15d",
        "country": "GB-ENG",
        "timezone": "Europe/London",
    }
    assert "[pack_parameters]" in (tmp_path / "complaintcore.toml").read_text(encoding="utf-8")
    got = json.loads(
        ok(
            "receive",
            "--name",
            "Sam Lee",
            "--phone",
            "+44 7700 900123",
            "--room",
            "1",
            "--site",
            "main",
            "--summary",
            "Invoice charged twice",
            "--receiver",
            "CS-102",
            "--json",
            now="2025-03-03T10:00",
        )
    )
    shown = json.loads(ok("show", str(got["id"]), "--json", now="2025-03-03T10:00"))
    due = {c["name"]: c for c in shown["clocks"]}
    # 15 working days after Monday 3 March 2025, England: Monday 24 March at 18:00
    assert due["response"]["due"] == "2025-03-24T18:00:00+00:00"
    code, _, err = run(
        "init", "again", "--pack", "iso-10002", "--param", "respnd=15d", now="2025-03-03T09:00"
    )
    assert code == 1
    assert "respnd" in err
    code, _, _ = run(
        "init", "again", "--pack", "iso-10002", "--param", "respond", now="2025-03-03T09:00"
    )
    assert code == 2


def test_a_bulk_file_carries_when_the_issue_arose(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    ok("init", ".", "--pack", "scotland-spso", now="2025-06-02T09:00")
    rows = [
        "name,phone,room,site,summary,receiver,channel,received_at,occurred_at",
        "Mo Reid,0131 496 0000,2F1,harbour,Bins not collected,FS-001,phone,"
        "2025-06-02T09:00,2025-05-20",
        "Iain Reid,0131 496 0001,2F2,harbour,Bins not collected,FS-001,phone,"
        "2025-06-02T09:00,2024-11-01",
        "Ann Reid,0131 496 0002,2F3,harbour,Bins not collected,FS-001,phone,"
        "2025-06-02T09:00,yesterday",
        "Ian Reid,0131 496 0003,2F4,harbour,Bins not collected,FS-001,phone,"
        "2025-06-02T09:00,2999-01-01",
    ]
    (tmp_path / "calls.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out, _ = run("receive", "--file", "calls.csv", "--json", now="2025-06-02T10:00")
    assert code == 1
    result = json.loads(out)
    assert result["received"] == 1
    reasons = {r["row"]: r["reason"] for r in result["rejected"]}
    assert set(reasons) == {3, 4, 5}
    assert "6 months" in reasons[3]  # refused: the issue arose more than 6 months before
    assert "occurred_at" in reasons[4]  # not a date
    # after it was received: it would hold the "6 months after the event" windows open
    assert reasons[5] == "occurred_at: is later than the time the complaint was received"


def test_an_issue_that_arose_after_the_complaint_is_refused_naming_the_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    ok("init", ".", "--pack", "scotland-spso", now="2026-01-05T10:00")
    receive = ["receive", "--name", "Alex Smith", "--phone", "07700 900123", "--room", "Flat 4"]
    receive += ["--summary", "Repairs", "--receiver", "FS-001", "--site", "harbour"]
    for lang, said in (("en", "is later than the time"), ("zh", "晚于投诉的受理时间")):
        code, _, err = run(
            *receive, "--occurred-at", "2999-01-01T00:00", now="2026-01-05T10:00", lang=lang
        )
        assert code == 1
        assert err.strip().splitlines() == [err.strip()]
        assert "occurred_at" in err
        assert said in err
        assert "2999" not in err  # the value is not echoed
    with SqliteStore(tmp_path / "complaints.sqlite3") as store:
        assert store.rows() == []
    ok(*receive, "--occurred-at", "2026-01-05T10:00", now="2026-01-05T10:00")  # as received


SPSO_BARRED = (
    "occurred_at: the issue arose more than 6 months before the complaint was received"
    " (SPSO MCHP time limits)"
)
"""The SPSO's time bar as a refusal at intake (review s42A F02): the field, no id."""


def test_a_time_barred_intake_names_the_field_and_no_complaint_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/cli.md: a refused intake stored nothing, so no complaint id is named,
    and the reason names the field; alone, from a file, in English and Chinese."""
    monkeypatch.chdir(tmp_path)
    ok("init", ".", "--pack", "scotland-spso", now="2025-11-14T12:00")
    receive = ["receive", "--name", "Al Bo", "--phone", "07700 900124", "--room", "Flat 5"]
    receive += ["--site", "harbour", "--summary", "Leak", "--receiver", "FS-001"]
    code, _, err = run(*receive, "--occurred-at", "2025-01-01", now="2025-11-14T12:00")
    assert (code, err.strip()) == (1, f"error: {SPSO_BARRED}")
    code, out, _ = run(*receive, "--occurred-at", "2025-01-01", "--json", now="2025-11-14T12:00")
    error = json.loads(out)["error"]
    assert (code, error["path"], error["message"]) == (1, "occurred_at", SPSO_BARRED)
    code, _, err = run(*receive, "--occurred-at", "2025-01-01", now="2025-11-14T12:00", lang="zh")
    assert code == 1
    assert err.startswith("错误：occurred_at：问题发生于投诉受理前 6 个月")
    assert "C-" not in err
    (tmp_path / "old.csv").write_text(
        "name,phone,room,site,summary,receiver,received_at,channel,occurred_at\n"
        "Al Bo,07700 900124,Flat 5,harbour,Leak,FS-001,2025-11-14T09:00,phone,2025-01-01\n",
        encoding="utf-8",
    )
    code, out, _ = run("receive", "--file", "old.csv", now="2025-11-14T12:00")
    assert code == 1
    assert out.splitlines()[0] == f"line 2: rejected: {SPSO_BARRED}"
    with SqliteStore(tmp_path / "complaints.sqlite3") as store:
        assert store.rows() == []


_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


@pytest.mark.parametrize(
    ("args", "pack", "languages"),
    [
        (("--lang", "en"), UK, ["en"]),
        ((), "scotland-spso", ["en"]),
        (("--lang", "zh"), UK, ["zh", "en"]),
        ((), "cn-property", ["zh", "en"]),
        (("--lang", "en"), "cn-property", ["en", "zh"]),
    ],
)
def test_init_writes_the_languages_notifications_are_written_in(
    tmp_path: Path, args: tuple[str, ...], pack: str, languages: list[str]
) -> None:
    """The pack's own languages (English for the UK and Scottish codes; else Chinese,
    then English), with an explicit ``--lang`` first."""
    result = CliRunner().invoke(
        main, [*args, "init", str(tmp_path), "--pack", pack, "--json"], env={"LANG": "C"}
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["languages"] == languages
    assert load_config(tmp_path / "complaintcore.toml").languages == tuple(languages)


def test_english_output_of_a_housing_ombudsman_desk_has_no_chinese(uk_desk: Path) -> None:
    """``show`` names the category in English only (the classification line read
    ``→ damp and mould (潮湿与霉菌)``), and ``list`` calls its time column what it is:
    when the sweep next acts, not a deadline (received Friday 23 October 2026, 16:30
    BST: the acknowledgement is due Friday 30 October 17:00 GMT, at risk from
    Thursday 29 October 16:54 GMT)."""
    got = _receive("2026-10-23T15:30:00Z", "--received-at", "2026-10-23T15:30:00Z")
    cid = str(got["id"])
    shown = ok("show", cid, now="2026-10-23T16:00:00Z")
    assert "→ damp and mould;" in shown
    assert not _CJK.search(shown)

    def listed(lang: str) -> str:
        env = {"COMPLAINTCORE_NOW": "2026-10-23T16:00:00Z", "COLUMNS": "250"}
        return CliRunner().invoke(main, ["--lang", lang, "list"], env=env).stdout

    table = listed("en")
    assert "next sweep" in table
    assert "next due" not in table
    assert "2026-10-29T16:54" in table
    assert not _CJK.search(table)
    assert "下次巡检" in listed("zh")
    assert clocks(cid, "2026-10-23T16:00:00Z")["stage_1_acknowledge"]["due"] == (
        "2026-10-30T17:00:00+00:00"
    )


def test_report_period_counts_complaints_only_and_refuses_a_far_end(uk_desk: Path) -> None:
    """Review s42E F04, F05: an item assessed not valid (HOC 2.2, legal proceedings
    started) is not a stage 1 complaint received; the one answered 2 working days
    after receipt is, and in time.  A range ending in the year 3000 is refused as a
    usage error, as one starting there is."""
    kept = str(_receive("2025-03-03T10:00")["id"])
    excluded = str(_receive("2025-03-03T10:30")["id"])
    ok("act", excluded, "assess", "--actor", "RP-101", "--validity", "invalid",
       now="2025-03-04T10:00")  # fmt: skip
    ok("act", kept, "respond", "--actor", "RP-101", "--outcome", "not_upheld", "--message",
       "Treated", now="2025-03-05T10:00")  # fmt: skip
    report = json.loads(ok("report", "--period", "2025-Q1", "--json", now="2025-12-31T12:00"))
    figures = {i["code"]: i for i in report["indicators"]}
    assert figures["stage_1_received"]["count"] == 1
    assert (figures["stage_1_in_time"]["count"], figures["stage_1_in_time"]["of"]) == (1, 1)
    for far in ("2999-12..3000-01", "3000-01"):
        code, _, err = run("report", "--period", far, now="2025-12-31T12:00")
        assert code == 2, far
        assert "2025-04..2026-03" in err
