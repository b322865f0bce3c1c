"""Tables at the common terminal widths, in Chinese and English (review s34D F03-F05).

rich wraps a cell only at spaces, so at 80 columns Chinese was cut with "…" where
English wrapped: ``show``'s timeline lost the department and the linked
complaint's id, ``list`` was 126 cells wide with its times cut to the day,
``audit`` cut the complaint id and ``packs show`` the clocks' names, and the
report's Chinese headings read 按时完… in a table 85 cells wide.  Each output is
read back here, cell by cell or label by label, and compared with what the
command's ``--json`` (or the pack) holds: nothing cut, no line wider than the
terminal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.cells import cell_len

from complaintcore.cli import main
from complaintcore.cli.report_terminal import CLOCK_HEAD, DUTY_HEAD
from complaintcore.cli.timeline import event_detail, event_time
from complaintcore.core.models import Grade, Status
from complaintcore.i18n import Translator, translator
from complaintcore.rules import load_pack
from tests.helpers import SH

WIDTHS = (80, 100, 120)
SEPT = "2026-09-16T09:30"
"""When the desk is looked at: the complaints are a few days old."""


def squeeze(text: str) -> str:
    """``text`` without its spaces: a line may break at a space, which it then drops."""
    return "".join(text.split())


def fits(output: str, width: int) -> None:
    too_wide = [line for line in output.splitlines() if cell_len(line.rstrip()) > width]
    assert not too_wide, (width, too_wide)


def table_rows(lines: Sequence[str], key: int) -> list[list[str]]:
    """The body rows of a boxed table, each cell's lines joined by a space; a row
    starts where column ``key`` (one that never wraps) has text."""
    rows: list[list[list[str]]] = []
    for line in lines:
        if not line.startswith("│"):
            continue
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if cells[key]:
            rows.append([[c] if c else [] for c in cells])
        else:
            for parts, cell in zip(rows[-1], cells, strict=True):
                if cell:
                    parts.append(cell)
    return [[" ".join(parts) for parts in row] for row in rows]


def table_headings(lines: Sequence[str]) -> list[str]:
    heads: list[list[str]] = []
    for line in lines:
        if line.startswith("┃"):
            cells = [c.strip() for c in line.split("┃")[1:-1]]
            heads = heads or [[] for _ in cells]
            for parts, cell in zip(heads, cells, strict=True):
                if cell:
                    parts.append(cell)
    return [" ".join(parts) for parts in heads]


def read_listing(output: str, headings: Sequence[str]) -> tuple[str, dict[str, dict[str, str]]]:
    """The layout ("table" or "blocks") and each row's shown values by heading,
    keyed by the first cell; values squeezed, "-" left out."""
    lines = output.splitlines()
    shown: dict[str, dict[str, str]] = {}
    if any(line.startswith("┃") for line in lines):
        heads = [squeeze(h) for h in table_headings(lines)]
        for row in table_rows(lines, key=0):
            values = dict(zip(heads[1:], (squeeze(c) for c in row[1:]), strict=True))
            shown[row[0]] = {h: v for h, v in values.items() if v != "-"}
        by_heading = {squeeze(h): h for h in headings}
        return "table", {k: {by_heading[h]: v for h, v in r.items()} for k, r in shown.items()}
    row: dict[str, str] = {}
    for line in lines:
        if not line.strip():
            continue
        if not line.startswith(" "):  # column 0 starts a row: its first cell, two spaces
            first, _, line = line.partition("  ")
            row = shown.setdefault(first, {})
        for item in line.strip().split(" · "):
            heading = next(h for h in headings[1:] if item.startswith(h + " "))
            row[heading] = squeeze(item.removeprefix(heading + " "))
    return "blocks", shown


def local(value: str) -> str:
    """A ``--json`` time to the minute in the desk's zone, whatever its offset."""
    return datetime.fromisoformat(value).astimezone(SH).isoformat(timespec="minutes")[:16]


def time_forms(value: str | None) -> set[str]:
    """A time as the listing may write it in the desk's zone: whole with its
    offset, or to the minute (the compact table names the zone above it)."""
    if value is None:
        return {"-"}
    at = datetime.fromisoformat(value).astimezone(SH)
    forms = ("%m-%d%H:%M", "%Y-%m-%d%H:%M")
    return {at.isoformat(timespec="minutes"), *(at.strftime(f) for f in forms)}


# --------------------------------------------------------------------------- the desk


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cn-property desk on SQLite, all through the command line: a complaint and
    the same owner's second one (linked: same complainant, room and matter), three
    neighbours' leaks in 9号楼 (a concentrated issue, HDL-5), a noise complaint at
    riverside; the first one answered, and viewed with personal data."""
    where = tmp_path_factory.mktemp("desk")
    assert (
        CliRunner().invoke(main, ["init", str(where)], env={"COMPLAINTCORE_NOW": SEPT}).exit_code
        == 0
    )

    def ok(now: str, *args: str) -> str:
        result = CliRunner().invoke(
            main,
            ["--lang", "en", "--config", str(where / "complaintcore.toml"), *args, "--json"],
            env={"COMPLAINTCORE_NOW": now},
        )
        assert result.exit_code == 0, (args, result.output)
        return str(json.loads(result.stdout).get("id", ""))

    def receive(now: str, name: str, room: str, building: str, summary: str, *more: str) -> str:
        phone = f"139{int(room.replace('-', '')):08d}"  # one owner, one phone
        return ok(now, "receive", "--name", name, "--phone", phone, "--room", room,
                  "--building", building, "--summary", summary, *more)  # fmt: skip

    sunrise = ("--site", "sunrise", "--receiver", "SR-103")
    leak = "卫生间天花板漏水"
    first = receive("2026-09-14T09:05", "张伟", "3-2-1201", "3号楼", leak, *sunrise)
    ok("2026-09-14T10:00", "act", first, "assess", "--actor", "SR-201", "--validity", "valid")
    receive("2026-09-14T10:20", "张伟", "3-2-1201", "3号楼", "卫生间天花板还在漏水，没人来修",
            "--site", "sunrise", "--receiver", "SR-102")  # fmt: skip
    ok("2026-09-14T16:00", "act", first, "handle", "--actor", "SR-201", "--result", "已修复")
    ok("2026-09-14T16:30", "act", first, "reply", "--actor", "SR-101", "--message", "已修复",
       "--final")  # fmt: skip
    roof = "9号楼屋顶漏水，雨天渗水严重"
    for i in range(3):
        receive(f"2026-09-15T09:0{i}", f"业主{i}", f"9-1-10{i}", "9号楼", roof, *sunrise)
    ok("2026-09-15T09:10", "show", first, "--as", "SR-102", "--purpose", "回访")
    receive("2026-09-15T11:00", "韩梅", "2-1-301", "2号楼", "楼下装修噪音太大，晚上十点还在施工",
            "--site", "riverside", "--receiver", "RS-103")  # fmt: skip
    return where


def cli(desk: Path, lang: str, width: int, *args: str, now: str = SEPT) -> str:
    result = CliRunner().invoke(
        main,
        ["--lang", lang, "--config", str(desk / "complaintcore.toml"), *args],
        env={"COMPLAINTCORE_NOW": now, "COLUMNS": str(width)},
    )
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def as_json(desk: Path, *args: str) -> object:
    return json.loads(cli(desk, "en", 200, *args, "--json"))


# --------------------------------------------------------------------------- show


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_timeline_wraps_every_detail_whole(desk: Path, lang: str) -> None:
    """F03: each event's detail reads whole, wrapped within the terminal: the linked
    complaint's id three times, never cut with "…" (it was at 80 and 100 columns)."""
    t = translator(lang)
    pack = load_pack("cn-property")
    listed = as_json(desk, "list")
    assert isinstance(listed, list)
    first, second = (next(r["id"] for r in listed if local(r["received_at"]) == at)
                     for at in ("2026-09-14T09:05", "2026-09-14T10:20"))  # fmt: skip
    record = as_json(desk, "show", second)
    assert isinstance(record, dict)
    expected = [
        [event_time(e["at"], SH), t.event(e["type"]),
         t.pgettext("actor", "system") if e["actor"] == "system" else e["actor"],
         event_detail(e, t, pack, zone=SH)]
        for e in record["events"]
    ]  # fmt: skip
    assert any(row[3].count(first) == 3 for row in expected)  # what was cut in Chinese
    title = t("timeline ({zone})", zone="Asia/Shanghai")
    for width in WIDTHS:
        output = cli(desk, lang, width, "show", second)
        lines = output.splitlines()
        start = lines.index(title)
        end = next(i for i in range(start, len(lines)) if lines[i].startswith("└"))
        timeline = lines[start : end + 1]
        fits("\n".join(timeline), width)
        assert "…" not in "\n".join(timeline)
        shown = table_rows(timeline, key=0)
        assert [[squeeze(c) for c in row] for row in shown] == [
            [squeeze(c) for c in row] for row in expected
        ], width
        assert sum(line.count(first) for line in timeline) == 3  # the id whole, on one line


# --------------------------------------------------------------------------- list


def expected_rows(t: Translator, rows: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    """What ``list`` must show of each row, by heading: labels in ``t``'s language,
    times as the set of forms they may take."""
    pack = load_pack("cn-property")
    out: dict[str, dict[str, object]] = {}
    for r in rows:
        values: dict[str, object] = {
            t("status"): t.label(Status(r["status"])),
            t("grade"): t.label(Grade(r["grade"])) if r["grade"] else "-",
            t("category"): t.category(str(r["category"]), pack),
            t("department"): t.department(str(r["department"]), pack),
            t("site"): r["site"],
            t("handler"): r["handler"],
            t("received"): time_forms(str(r["received_at"])),
            t("next sweep"): time_forms(r["next_due"] and str(r["next_due"])),
            t("issue"): r["issue"] or "-",
        }
        out[str(r["id"])] = {
            h: v if isinstance(v, set) else squeeze(str(v))
            for h, v in values.items()
            if v not in ("-", {"-"})
        }
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_list_fits_the_terminal_with_every_value_whole(desk: Path, lang: str) -> None:
    """F04: at 80, 100 and 120 columns every id, label and time (with its hour)
    whole and no line wider than the terminal: the table where it fits, a compact
    one (times to the minute in the desk's zone, empty columns left out), or one
    block per complaint."""
    t = translator(lang)
    headings = [t(h) for h in ("id", "status", "grade", "category", "department", "site",
                               "handler", "received", "next sweep", "issue")]  # fmt: skip
    layouts = set()
    for args in (["list"], ["list", "--site", "riverside"]):
        rows = as_json(desk, *args)
        assert isinstance(rows, list)
        expected = expected_rows(t, rows)
        assert len(expected) in (6, 1)
        for width in (*WIDTHS, 200):
            output = cli(desk, lang, width, *args)
            fits(output, width)
            assert "…" not in output
            layout, shown = read_listing(output, headings)
            layouts.add(layout)
            assert shown.keys() == expected.keys(), (width, output)
            for cid, values in expected.items():
                got = shown[cid]
                assert got.keys() == values.keys(), (width, cid, output)
                for heading, want in values.items():
                    if isinstance(want, set):
                        assert got[heading] in want, (width, heading, output)
                    else:
                        assert got[heading] == want, (width, heading, output)
    assert layouts == {"table", "blocks"}


# --------------------------------------------------------------------------- audit


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_audit_keeps_the_time_and_the_complaint_id_whole(desk: Path, lang: str) -> None:
    """F04: the access log is read for who saw which complaint when; at 80 columns
    the id and the time were cut (``C-20260914-1f2f6…``, ``2026-09-14T09:10…``)."""
    t = translator(lang)
    [view] = as_json(desk, "audit")  # type: ignore[misc]
    when = datetime.fromisoformat(view["at"]).astimezone(SH).isoformat(timespec="minutes")
    headings = [t(h) for h in ("when", "actor", "complaint", "purpose", "how", "system user")]
    expected = {
        t("actor"): view["actor"],
        t("complaint"): view["complaint_id"],
        t("purpose"): squeeze(view["purpose"]),
        t("how"): squeeze(view["via"]),
        t("system user"): squeeze(view["os_user"]),
    }
    for width in WIDTHS:
        output = cli(desk, lang, width, "audit")
        fits(output, width)
        assert "…" not in output
        _layout, shown = read_listing(output, headings)
        assert shown == {when: expected}, (width, output)


# --------------------------------------------------------------------------- packs show


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_packs_show_wraps_the_clocks_names_and_events(desk: Path, lang: str) -> None:
    """F04: the clocks' names and their start and stop events whole (at 80 and 100
    columns they were cut: 部门处理结果转客 …, 已登记（客服部） …)."""
    t = translator(lang)
    pack = load_pack("cn-property")
    expected = [
        [t.clock(k.name, pack), k.rule, t.label(k.mode),
         " / ".join(t.tag(tag, pack) for tag in k.start),
         " / ".join(t.tag(tag, pack) for tag in k.stop)]
        for k in pack.clocks
    ]  # fmt: skip
    categories = [
        [c.code, t.category(c.code, pack), t.label(c.cause), t.department(c.department, pack)]
        for c in pack.categories
    ]
    ladder = " → ".join(t.rung(r.code, pack) for r in pack.ladder)
    for width in WIDTHS:
        output = cli(desk, lang, width, "packs", "show", "cn-property")
        fits(output, width)
        assert "…" not in output
        lines = output.splitlines()
        tops = [i for i, line in enumerate(lines) if line.startswith("┏")]
        assert squeeze(" ".join(lines[1 : tops[0]])) == squeeze(ladder)
        shown = table_rows(lines[tops[0] : tops[1]], key=0)
        assert [[squeeze(c) for c in r] for r in shown] == [
            [squeeze(c) for c in r] for r in categories
        ]
        clocks = table_rows(lines[tops[1] :], key=1)
        assert [[squeeze(c) for i, c in enumerate(r) if i != 3] for r in clocks] == [
            [squeeze(c) for c in r] for r in expected
        ], width


# --------------------------------------------------------------------------- report


def heading_columns(lines: Sequence[str]) -> list[str]:
    """A dashboard table's headings, read by column: the runs of text on the
    heading lines (a single space keeps a run together) grouped by the cell they
    end at, figures being right-aligned, top to bottom."""
    by_end: dict[int, list[str]] = {}
    for line in lines:
        for match in re.finditer(r"\S+(?: \S+)*", line):
            end = cell_len(line[: match.end()])
            by_end.setdefault(end, []).append(match.group())
    return [" ".join(by_end[end]) for end in sorted(by_end)]


@pytest.mark.procedure("IMP-2")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_dashboard_fits_with_its_headings_whole(desk: Path, lang: str) -> None:
    """F05: widths counted in terminal cells: at 80 columns the Chinese deadline and
    duty tables were 85 and 83 cells wide with 按时完…, 超时完… and 已超时未完…;
    now each heading reads whole (split over two lines: 按时 / 完成), every figure
    is there, and no line is wider than the terminal."""
    t = translator(lang)
    for width in WIDTHS:
        output = cli(desk, lang, width, "report", "--month", "2026-09", now="2026-09-30T18:00")
        fits(output, width)
        lines = output.splitlines()
        for title, head in (
            (t("Deadlines (every record of the month)"), CLOCK_HEAD),
            (t("Duties and measures"), DUTY_HEAD),
        ):
            start = lines.index(title) + 1
            rule = next(i for i in range(start, len(lines)) if set(lines[i]) == {"─"})
            assert "…" not in "\n".join(lines[start:rule])
            assert [squeeze(h) for h in heading_columns(lines[start:rule])] == [
                squeeze(t(h)) for h in head
            ], (width, "\n".join(lines[start:rule]))
            body = lines[rule + 1 : lines.index("", rule)]
            assert body
            for row in body:  # the rule and six figures whole after the label
                rule_id, *figures, rate = row.split()[-7:]
                assert re.fullmatch(r"[A-Z]+-\d", rule_id), row
                assert all(f.isdigit() for f in figures), row
                assert re.fullmatch(r"\d+\.\d%|—", rate), row
        warnings = lines[lines.index(t("Warnings")) + 1 :]
        assert "…" not in "\n".join(warnings)
