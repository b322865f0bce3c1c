"""``init --pack NAME`` and the command-line tour, on every shipped pack, on a real SQLite desk.

The desk is made with the pack's own sample staff; a complaint of one of the
pack's categories goes through the steps the pack has (stage steps where it has
stages), then sweep, verify and report.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import StaffList, load_sample_staff
from complaintcore.cli import main
from complaintcore.core.rulepack import Category, RulePack
from complaintcore.rules import available_packs, load_pack

RECEIVED = "2025-03-03T10:00"  # a Monday
LATER = "2025-03-04T11:00"
MONTH_END = "2025-03-31T12:00"


def run(*args: str, now: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--lang", "en", *args], env={"COMPLAINTCORE_NOW": now})
    return result.exit_code, result.stdout, result.stderr


def ok(*args: str, now: str) -> str:
    code, out, err = run(*args, now=now)
    assert code == 0, (args, err or out)
    return out


def acted(cid: str, *step: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(ok("act", cid, *step, "--json", now=LATER))
    return data


def received_about(staff_id: str, summary: str, *extra: str) -> dict[str, object]:
    """A complaint about one member of the sales office's staff, as ``receive --json`` tells it."""
    owner = [
        "--name",
        "钱先生",
        "--phone",
        "13600001111",
        "--room",
        "8-1-1801",
        "--site",
        "sunrise",
    ]
    about = ["--summary", summary, "--receiver", "SR-103", "--target-staff-id", staff_id]
    got: dict[str, object] = json.loads(
        ok("receive", *owner, *about, *extra, "--json", now=RECEIVED)
    )
    return got


def tour_category(pack: RulePack) -> Category:
    """The first category that is neither urgent (escalated at once) nor the default."""
    return next(
        c
        for c in pack.categories
        if c.keywords and not c.urgent and c.code != pack.default_category
    )


def receiver(pack: RulePack, staff: StaffList, site: str) -> str:
    """Someone on the front line of customer service at the site: who takes calls."""
    front = pack.ladder[0].code
    return next(
        m.staff_id
        for m in staff.at_site(site)
        if m.rung == front and m.department == pack.customer_service
    )


@pytest.mark.parametrize("name", available_packs())
def test_init_then_the_tour_on_every_pack(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert "initialised" in ok("init", "desk", "--pack", name, now=RECEIVED)
    monkeypatch.chdir(tmp_path / "desk")
    pack = load_pack(name)
    staff = load_sample_staff(pack=pack)
    site = next((s for s in staff.sites() if s != "*"), "main")
    category = tour_category(pack)
    phone = "07700 900123" if "GB" in pack.phone_regions else "13812345678"
    taker = receiver(pack, staff, site)
    got = json.loads(
        ok(
            "receive",
            "--name",
            "A. Owner",
            "--phone",
            phone,
            "--room",
            "1-101",
            "--site",
            site,
            "--summary",
            " ".join(category.keywords[:2]),
            "--receiver",
            taker,
            "--json",
            now=RECEIVED,
        )
    )
    cid, handler = str(got["id"]), str(got["handler"])
    assert got["category"] == category.code
    assert staff.get(handler) is not None

    rows = json.loads(ok("list", "--json", now=RECEIVED))
    assert [r["id"] for r in rows] == [cid]
    shown = json.loads(ok("show", cid, "--json", now=RECEIVED))
    assert (shown["id"], shown["state"]["status"]) == (cid, "in_handling")
    assert shown["clocks"]
    assert cid in ok("show", cid, now=RECEIVED)

    if pack.stages:
        acknowledge = ["--definition", "wants it put right", "--remedy-sought", "a repair"]
        acted(cid, "acknowledge", "--actor", handler, *acknowledge)
        acted(cid, "assess", "--actor", handler, "--validity", "valid")
        answer = ["--outcome", "not_upheld", "--message", "inspected: no fault found"]
        done = acted(cid, "respond", "--actor", handler, *answer)
        assert done["outcome"] == "not_upheld"
    else:
        acted(cid, "assess", "--actor", handler, "--validity", "valid")
        done = acted(cid, "reply", "--actor", handler, "--message", "fixed", "--final")
        assert done["status"] == "awaiting_visit"
    if done["status"] == "awaiting_visit":
        acted(cid, "visit", "--actor", taker, "--satisfied", "--opinion", "fine now")
    if pack.improvement.require_cause and done["status"] != "closed":  # IMP-1 before closing
        why = ["--cause", "worn seal", "--corrective", "seal replaced", "--preventive", "checks"]
        acted(cid, "cause", "--actor", handler, *why)
    if done["status"] != "closed":  # the complainant accepts (a response that does not close)
        done = acted(cid, "close", "--actor", handler, "--result", "fixed", "--confirmed")
    assert done["status"] == "closed"

    ok("sweep", now=MONTH_END)
    assert "verified" in ok("verify", now=MONTH_END)
    report = json.loads(ok("report", "--month", "2025-03", "--json", now=MONTH_END))
    assert report["pack"] == name
    totals = {t["key"]: t["count"] for t in report["totals"]}
    assert totals["received"] == 1
    assert "2025-03" in ok("report", "--month", "2025-03", now=MONTH_END)
    with SqliteStore(tmp_path / "desk" / "complaints.sqlite3") as store:
        assert store.verify().ok


@pytest.mark.procedure("ESC-4")
def test_a_complaint_about_a_sales_consultant_goes_to_sales_management_from_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """004 篇2 §2.3: 销管部 handles complaints about sales staff (售楼员)."""
    monkeypatch.chdir(tmp_path)
    ok("init", ".", "--pack", "cn-sales-office", now=RECEIVED)
    staff = load_sample_staff(pack=load_pack("cn-sales-office"))
    consultant = next(m for m in staff.at_site("sunrise") if m.rung == "sales_consultant")
    got = received_about(
        consultant.staff_id, "置业顾问介绍错误，超范围承诺", "--target-rung", "sales_consultant"
    )
    assert (got["department"], got["rung"]) == ("customer_service", "sales_management")
    handler = staff.get(str(got["handler"]))
    assert handler is not None
    assert (handler.department, handler.rung) == ("customer_service", "sales_management")


def test_a_staff_file_for_another_ladder_is_one_short_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cn-property sample on a sales-office desk: every row's rung is wrong, said
    in one line by the first command that needs the staff (a listing does not)."""
    monkeypatch.chdir(tmp_path)
    ok("init", ".", "--pack", "cn-property", now=RECEIVED)
    config = tmp_path / "complaintcore.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('"cn-property"', '"cn-sales-office"'), encoding="utf-8")
    code, out, err = run(
        "receive", "--name", "A. Owner", "--phone", "13812345678", "--room", "1-101",
        "--summary", "电梯坏了", "--receiver", "SR-103", now=RECEIVED,
    )  # fmt: skip
    assert code == 1
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: cannot load staff.toml: staff[0].rung: ")
    assert " more" in lines[0]
    assert len(lines[0]) < 1000
    # the rungs with their labels once, not again for each row of the same mistake
    assert lines[0].count("'sales_consultant' (sales consultant)") == 1
    assert "; staff[1].rung: the same; staff[2].rung: the same;" in lines[0]
    code, out, _ = run(
        "receive", "--name", "A. Owner", "--phone", "13812345678", "--room", "1-101",
        "--summary", "电梯坏了", "--receiver", "SR-103", "--json", now=RECEIVED,
    )  # fmt: skip
    assert code == 1
    error = json.loads(out)["error"]
    rows = len(load_sample_staff())
    # the document keeps every problem: each row's rung, some rows' departments too
    assert len(error["problems"]) > rows
    assert {f"staff[{i}].rung" for i in range(rows)} <= {p["path"] for p in error["problems"]}


@pytest.mark.procedure("PEN-2")
@pytest.mark.parametrize("role", ["sales consultant", "置业顾问/售楼员", "sales_consultant"])
def test_sanction_takes_the_rung_complained_about_by_its_label(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, role: str
) -> None:
    """Review s46B F01: ``--role`` names a rung as ``--rung`` does, by code or label
    (docs/cli.md, Conventions).  004 篇1 §三.4: a 置业顾问 complained about loses points
    in that month's evaluation; here the complaint is about the 售楼主管, and the
    role given says the person acted as a consultant."""
    monkeypatch.chdir(tmp_path)
    ok("init", ".", "--pack", "cn-sales-office", now=RECEIVED)
    got = received_about("SR-101", "售楼主管态度差")
    cid = str(got["id"])
    acted(cid, "assess", "--actor", "HQ-101", "--validity", "valid")
    acted(cid, "sanction", "--actor", "HQ-101", "--role", role)
    shown = json.loads(ok("show", cid, "--json", now=LATER))
    [sanction] = [e for e in shown["events"] if e["type"] == "sanction_recorded"]
    assert sanction["staff_id"] == "SR-101"
    assert sanction["points_deducted"] > 0  # a consultant's, not a supervisor's (none)
    code, out, err = run("act", cid, "sanction", "--actor", "HQ-101", "--role", "顾问", now=LATER)
    assert code == 1, out
    assert err.startswith("error: --role: unknown rung in rule pack cn-sales-office"), err
    assert "'sales_consultant' (" in err
