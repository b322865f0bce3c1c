"""The command line in Chinese, and in a language a host added.

What must not show in Chinese output is read from the catalogs, not written
here: the English labels of event kinds and of the core's enums, and the
English wording of every message of the command line, the derivation steps and
the error frames.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from click.testing import CliRunner, Result

from complaintcore.cli import main
from complaintcore.i18n import SHIPPED_DIR

NOW = "2025-11-14T17:30"
LATER = "2025-11-17T10:00"
MUCH_LATER = "2025-12-20T10:00"
LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "COMPLAINTCORE_LANG")

with (SHIPPED_DIR / "complaintcore.pot").open("rb") as _fh:
    TEMPLATE: Catalog = read_po(_fh)

ENUM_CONTEXTS = {"Status", "Grade", "ClockState", "Trigger", "Validity", "Kind", "Cause"}


def labels(contexts: set[str]) -> list[str]:
    """English labels the catalogs translate, of these contexts."""
    return sorted({str(m.id) for m in TEMPLATE if m.id and m.context in contexts})


def english_phrases(where: tuple[str, ...]) -> list[str]:
    """The fixed wording of the messages written in these files, a few words at a time."""
    phrases = set()
    for m in TEMPLATE:
        if not m.id or m.context or not any(loc.endswith(where) for loc, _ in m.locations):
            continue
        for msgid in (m.id,) if isinstance(m.id, str) else m.id:
            for chunk in re.split(r"\{[^}]*\}|%\(\w+\)s|[\n;:()]", msgid):
                words = chunk.strip(" .,'“”→•")
                if len(words.split()) >= 2 and re.fullmatch(r"[A-Za-z ,'-]+", words):
                    phrases.add(words)
    return sorted(phrases)


EVENT_KINDS = labels({"event"})
ENUM_LABELS = labels(ENUM_CONTEXTS)
SHELL_PHRASES = english_phrases(("deadlines.py", "i18n.py", "messages.py")) + english_phrases(
    tuple(f"cli/{p.name}" for p in (SHIPPED_DIR.parent / "cli").glob("*.py"))
)
REPRS = ("['", "']", "{'", "('", "=[", "=(", "None", "True", "False", "\\n")


def invoke(*args: str, env: Mapping[str, str | None] | None = None) -> Result:
    clean: dict[str, str | None] = dict.fromkeys(LOCALE_VARS)
    clean.update(env or {})
    return CliRunner().invoke(main, list(args), env=clean)


def zh(*args: str, now: str = NOW) -> Result:
    return invoke("--lang", "zh", *args, env={"COMPLAINTCORE_NOW": now})


def english_in(text: str) -> list[str]:
    """English words of the catalogs that a Chinese screen shows."""
    found = [w for w in EVENT_KINDS + ENUM_LABELS if re.search(rf"(?<![\w'-]){w}(?![\w'-])", text)]
    found += [p for p in SHELL_PHRASES if p in text]
    found += [r for r in REPRS if r in text]
    return found


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[str]]]:
    """A desk with two complaints that went through most of the workflow."""
    root = tmp_path_factory.mktemp("desk")
    mp = pytest.MonkeyPatch()
    mp.chdir(root)
    assert zh("init", ".").exit_code == 0
    ids = []
    for summary in ("楼上漏水，天花板渗水", "电梯经常停运，维修不及时"):
        result = invoke(
            "--lang", "en", "receive", "--name", "王小明", "--phone", "13812345678",
            "--room", "3-2-1201", "--site", "sunrise", "--summary", summary,
            "--receiver", "SR-103", "--json", env={"COMPLAINTCORE_NOW": NOW},
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        ids.append(json.loads(result.stdout)["id"])
    first, second = ids
    steps = [
        (first, ["assess", "--actor", "SR-201", "--validity", "valid", "--fact", "staff_fault"]),
        (first, ["grade", "--actor", "SR-001"]),
        (first, ["reply", "--actor", "SR-001", "--message", "已更换水管", "--final"]),
        (first, ["visit", "--actor", "SR-102", "--satisfied", "--opinion", "满意"]),
        (first, ["cause", "--actor", "SR-001", "--cause", "管道老化", "--corrective", "更换"]),
        (first, ["close", "--actor", "SR-001", "--result", "修复"]),
        (second, ["evidence", "--actor", "SR-101", "--reference", "photo.jpg"]),
        (second, ["promise", "--actor", "SR-101", "--due", "2025-11-18T10:00"]),
        (second, ["pause", "--actor", "SR-101", "--reason", "等照片"]),
        (second, ["resume", "--actor", "SR-101"]),
        (second, ["forward", "--actor", "SR-101", "--to", "security"]),
    ]
    for cid, step in steps:
        result = zh("act", cid, *step, now=LATER)
        assert result.exit_code == 0, (step, result.output)
    yield root, ids
    mp.undo()


def test_show_in_chinese_has_no_english_and_no_reprs(desk: tuple[Path, list[str]]) -> None:
    _, ids = desk
    kinds_seen = 0
    for cid in ids:
        result = zh("show", cid, now=MUCH_LATER)
        assert result.exit_code == 0, result.output
        assert english_in(result.stdout) == []
        kinds_seen += sum(result.stdout.count(k) for k in ("已登记", "已核实", "已关闭", "已转交"))
    assert kinds_seen >= 5
    assert "因「已登记」开始计时" in zh("show", ids[1], now=MUCH_LATER).stdout
    duties = zh("show", ids[0], now=MUCH_LATER).stdout.split("\n职责\n")[1]  # REC-2 owed
    assert "处理结果报告部门领导" in duties
    assert "履行人：经办人 或 客服部；履行方式：报告" in duties


def test_list_sweep_and_report_in_chinese_have_no_english(desk: tuple[Path, list[str]]) -> None:
    for args in (["list"], ["list", "--overdue"], ["sweep"], ["report", "--month", "2025-11"]):
        result = zh(*args, now=MUCH_LATER)
        assert result.exit_code == 0, (args, result.output)
        assert result.stdout.strip()
        assert english_in(result.stdout) == [], args


def test_the_html_report_in_chinese_has_no_english(desk: tuple[Path, list[str]]) -> None:
    result = zh("report", "--month", "2025-11", "--format", "html", now=MUCH_LATER)
    assert result.exit_code == 0
    text = re.sub(r"<style>.*?</style>|<[^>]+>", " ", result.stdout, flags=re.DOTALL)
    assert english_in(text) == []


@pytest.mark.parametrize(
    "args",
    [
        ["show", "C-nope"],
        ["list", "--status", "closedd"],
        ["list", "--limit", "abc"],
        ["list", "--no-such-option"],
        ["report", "--month", "2025-13"],
        ["act", "{second}", "close", "--actor", "SR-001", "--result", "x"],
        ["act", "{second}", "assess", "--actor", "NOBODY", "--validity", "valid"],
        ["act", "{first}", "pause", "--actor", "SR-001", "--reason", "x"],
        ["act", "{second}", "reply", "--actor", "SR-101", "--message", ""],
        [
            "act",
            "{second}",
            "apologise",
            "--actor",
            "SR-101",
            "--apology",
            "抱歉",
            "--reason",
            "缺件",
            "--remedy",
            " ",
        ],
        ["explain-all", "I-nope", "--actor", "SR-101", "--message", "统一答复"],
        ["packs", "show", "no-such-pack"],
    ],
)
def test_errors_in_chinese_are_chinese_throughout(
    desk: tuple[Path, list[str]], args: list[str]
) -> None:
    first, second = desk[1]
    args = [a.format(first=first, second=second) for a in args]
    result = zh(*args, now=MUCH_LATER)
    assert result.exit_code in (1, 2, 3, 4)
    line = result.stderr.strip()
    assert line.startswith("错误："), line
    assert len(line.splitlines()) == 1
    assert [p for p in SHELL_PHRASES if p in line] == []
    assert [r for r in REPRS if r in line] == []


RECORD = ["--name", "王小明", "--room", "3-2-1201", "--summary", "楼上漏水", "--receiver", "SR-103"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ([*RECORD, "--phone", "13812345678", "--site", "nowhere"], "未知的项目；应为以下之一："),
        ([*RECORD, "--phone", "12345", "--site", "sunrise"], "联系电话不是可识别的号码（大陆"),
        (["report", "--period", "2025"], "规则包 cn-property 没有声明指标"),
        (["schema", "reply"], "没有这个 schema；是否指 'command:reply'？"),
        (["schema", "zzzzzz"], "没有这个 schema；可用的名称为"),
    ],
)
def test_an_office_s_everyday_mistakes_read_in_chinese(
    desk: tuple[Path, list[str]], args: list[str], said: str
) -> None:
    if args[0] == "--name":
        args = ["receive", *args]
    for run in (args, [*args, "--json"]):
        result = zh(*run)
        assert result.exit_code == 1, result.output
        shown = json.loads(result.stdout)["error"]["message"] if "--json" in run else result.stderr
        assert said in shown, shown
        for english in ("unknown", "expected", "recognised", "declares", "did you mean", "names"):
            assert english not in shown, shown


def test_rows_rejected_for_a_bad_channel_or_time_read_in_chinese(
    desk: tuple[Path, list[str]],
) -> None:
    root, _ = desk
    (root / "typos.csv").write_text(
        "name,phone,room,site,channel,summary,receiver,received_at\n"
        "王小明,13812345678,3-2-1201,sunrise,fax,楼上漏水,SR-103,2025-11-14T09:00\n"
        "王小明,13812345678,3-2-1201,sunrise,phone,楼上漏水,SR-103,2025-11-14T25:00\n",
        encoding="utf-8",
    )
    result = zh("receive", "--file", "typos.csv", "--json")
    assert result.exit_code == 1, result.output
    reasons = [row["reason"] for row in json.loads(result.stdout)["rejected"]]
    assert reasons == [
        # the codes with their labels, as --channel lists them (review s52R6 F06)
        "channel：未知的渠道；应为以下之一：'phone'（电话）、'in_person'（来访/现场）、"
        "'written'（书面/信函）、'hotline'（投诉热线）、'web'（网站/应用）、'forwarded'（转交/总部转办）",
        "received_at：应为年份在前的日期时间，例如 2025-11-14T17:30、2025-11-14 17:30 或"
        " 2025/11/14 17:30（日或月不可在前：11/12/2025 有歧义）",
    ]


def test_help_in_chinese_has_no_english_help_text(desk: tuple[Path, list[str]]) -> None:
    for args in (["--help"], ["list", "--help"], ["act", "--help"], ["act", "close", "--help"]):
        result = invoke(*args, env={"LANG": "zh_CN.UTF-8"})
        assert result.exit_code == 0
        assert "用法" in result.stdout
        assert [p for p in SHELL_PHRASES if p in result.stdout] == [], args
    english = invoke("list", "--help", env={"LANG": "en_US.UTF-8"}).stdout
    assert "List complaints" in english  # and nothing Chinese stuck from the run before
    assert "用法" not in english


def test_json_keeps_its_codes_in_chinese(desk: tuple[Path, list[str]]) -> None:
    _, ids = desk
    data = json.loads(zh("show", ids[0], "--json", now=MUCH_LATER).stdout)
    assert data["state"]["status"] == "closed"
    assert data["clocks"][0]["derivation"][0].split(" ", 1)[1].startswith("started by")


def _catalog(directory: Path, lang: str, messages: Mapping[str, str]) -> None:
    catalog = Catalog(locale=lang)
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr)
    mo = directory / lang / "LC_MESSAGES" / "complaintcore.mo"
    mo.parent.mkdir(parents=True)
    with mo.open("wb") as fh:
        write_mo(fh, catalog)


def test_a_language_added_by_a_catalog_is_picked_up_from_lang(
    desk: tuple[Path, list[str]], tmp_path: Path
) -> None:
    _catalog(
        tmp_path,
        "ja",
        {
            "no complaints match": "該当する苦情はありません",
            "List complaints (most urgent first with --overdue).": "苦情の一覧。",
            "error: {message}": "エラー: {message}",
        },
    )
    env = {"COMPLAINTCORE_LOCALE_PATH": str(tmp_path), "LANG": "ja_JP.UTF-8"}
    listed = invoke("list", "--status", "new", env=env)
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.strip() == "該当する苦情はありません"
    assert "苦情の一覧。" in invoke("list", "--help", env=env).stdout
    assert invoke("show", "C-nope", env=env).stderr.startswith("エラー: ")
    by_option = invoke(
        "--lang", "ja", "list", "--status", "new", env={"COMPLAINTCORE_LOCALE_PATH": str(tmp_path)}
    )
    assert by_option.stdout.strip() == "該当する苦情はありません"
    assert invoke("--lang", "ja", "list", "--status", "new").exit_code == 2  # no catalog, no ja


def test_the_checks_find_english_where_there_is_english(desk: tuple[Path, list[str]]) -> None:
    """The same checks on the English screens find the words (they can fail)."""
    _, ids = desk
    assert len(EVENT_KINDS) >= 19
    assert len(ENUM_LABELS) >= 30
    assert "started by" in SHELL_PHRASES
    assert "no complaints match" in SHELL_PHRASES
    shown = invoke("--lang", "en", "show", ids[1], env={"COMPLAINTCORE_NOW": MUCH_LATER}).stdout
    found = english_in(shown)
    assert {"registered", "forwarded", "started by"} <= set(found)
    assert english_in("explanation=['匹配 …', 'matched …']") == ["['", "']", "=["]


@pytest.mark.procedure("ESC-3")
@pytest.mark.procedure("ESC-5")
@pytest.mark.procedure("VAL-4")
def test_refusals_name_rungs_by_their_labels_and_read_in_chinese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review s27E F02, F03: the error is worded after the desk is closed, and still
    names the pack's rungs by their labels (ESC-1: 部门负责人(主管), 项目经理); the
    refusals to escalate past the top rung or to sanction an unassessed complaint
    are a supervisor's everyday mistakes, in Chinese too."""
    monkeypatch.chdir(tmp_path)
    assert zh("init", ".").exit_code == 0
    ids = []
    for _ in range(2):
        received = zh(
            "receive", "--name", "王小明", "--phone", "13812345678", "--room", "3-2-1201",
            "--site", "sunrise", "--summary", "楼上漏水，天花板渗水", "--receiver", "SR-103",
            "--json",
        )  # fmt: skip
        assert received.exit_code == 0, received.output
        ids.append(json.loads(received.stdout)["id"])
    first, second = ids
    assessed = zh(
        "act", first, "assess", "--actor", "SR-201", "--validity", "valid",
        "--fact", "staff_fault", now=LATER,
    )  # fmt: skip
    assert assessed.exit_code == 0, assessed.output
    promised = zh("act", first, "promise", "--actor", "SR-201", "--due", MUCH_LATER, now=LATER)
    assert promised.exit_code == 4, promised.output
    assert promised.stderr.strip() == (
        f"错误：投诉 {first}：SR-201 无权约定时间："
        "层级「部门负责人(主管)」低于此投诉要求的「项目经理」（ESC-3）"
    )

    serious = ["--actor", "SR-101", "--trigger", "serious"]
    assert zh("act", second, "escalate", *serious, now=LATER).exit_code == 0
    again = zh(
        "act", second, "escalate", "--actor", "HQ-001", "--trigger", "dissatisfied", now=LATER
    )
    assert again.exit_code == 1, again.output
    assert again.stderr.strip().endswith("时不能升级：已在最高层级（ESC-5）")
    sanction = zh("act", second, "sanction", "--actor", "HQ-001", now=LATER)
    assert sanction.exit_code == 1, sanction.output
    assert sanction.stderr.strip().endswith("时不能记录处罚：只有有效投诉才记录处罚（VAL-4）")


@pytest.mark.procedure("PEN-1")
@pytest.mark.procedure("PEN-2")
def test_a_grade_raised_after_the_sanction_is_sanctioned_again_in_chinese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review s45E F03: a guard's complaint sanctioned at minor (a warning) and raised to
    important by the project manager gets important's yellow card; the table counts
    the complaint once, at important.  A repeat names the sanction recorded for the
    grade, not the complaint's state."""
    monkeypatch.chdir(tmp_path)
    assert zh("init", ".").exit_code == 0
    received = zh(
        "receive", "--name", "李雪梅", "--phone", "13912345678", "--room", "3-2-1202",
        "--site", "sunrise", "--summary", "夜班保安态度恶劣", "--receiver", "SR-103",
        "--target-staff-id", "SR-302", "--json", now="2025-11-10T09:05",
    )  # fmt: skip
    assert received.exit_code == 0, received.output
    cid = json.loads(received.stdout)["id"]
    steps = [
        ["assess", "--actor", "SR-101", "--validity", "valid"],
        ["grade", "--actor", "SR-101"],
        ["sanction", "--actor", "SR-101"],
        ["grade", "--actor", "SR-001", "--grade", "重要", "--reason", "辱骂业主"],
        ["sanction", "--actor", "SR-001"],
    ]
    for step in steps:
        done = zh("act", cid, *step, now="2025-11-11T10:00")
        assert done.exit_code == 0, (step, done.output)
    again = zh("act", cid, "sanction", "--actor", "SR-001", now="2025-11-11T10:00")
    assert again.exit_code == 1, again.output
    assert again.stderr.strip() == (
        f"错误：投诉 {cid}：不能记录处罚："
        "已记录「重要」等级的处罚（黄牌、通报批评、书面检讨）；等级提高后才能再记录处罚（PEN-2）"
    )
    table = zh("report", "--month", "2025-11", "--staff", "--format", "json", now=MUCH_LATER)
    assert table.exit_code == 0, table.output
    (row,) = json.loads(table.stdout)["staff"]["rows"]
    assert (row["staff_id"], row["sanctions"], row["cards"]) == (
        "SR-302",
        {"important": 1},
        {"yellow_card": 1},
    )
    assert (row["warnings"], row["complaints"]) == (0, 1)


_KEPT = {"utf", "sig", "gb18030", "GB18030", "big5", "Big5", "cp1252", "CSV", "UTF", "Excel"}
_KEPT |= {"true", "false", "yes", "line", "row", "encoding", "file"}
_KEPT |= {"sees_personal_data", "staff_id", "duty", "staff", "csv"}  # paths, file names


def _english_words(line: str) -> set[str]:
    """Words of English left in a line, beyond the codes a Chinese line keeps."""
    return set(re.findall(r"[A-Za-z][A-Za-z0-9_]{2,}", line)) - _KEPT


def _zh_env(now: str = NOW) -> dict[str, str | None]:
    return {"COMPLAINTCORE_LANG": "zh", "COMPLAINTCORE_NOW": now}


_HEAD = "name,phone,room,site,channel,summary,received_at,receiver\r\n"
_ROW = "刘芳,13912345001,5-1-0302,sunrise,phone,{s},2025-11-14 09:05,SR-103\r\n"


@pytest.mark.parametrize(
    ("name", "content", "options", "said"),
    [
        (
            "mixed.csv",
            (_HEAD + _ROW.format(s="电梯停运")).encode() + _ROW.format(s="噪音").encode("gbk"),
            [],
            "不是 utf-8 文本（第 1 个字节）",
        ),
        (
            "big5.csv",
            (_HEAD + _ROW.format(s="電梯停運，困人半小時").replace("刘", "劉")).encode("big5"),
            [],
            "无法识别：文件既不是 UTF-8 也不是 GB18030 文本",
        ),
        (
            "unbalanced.csv",
            (
                _HEAD
                + '刘芳,13912345001,5-1-0302,sunrise,phone,"电梯停运,2025-11-14 09:05,SR-103\r\n'
                + _ROW.format(s="噪音")
            ).encode(),
            [],
            "带引号的单元格在下一行之前没有闭合",
        ),
        ("long.csv", (_HEAD + _ROW.format(s="长" * 400_000)).encode(), [], "超过 1048576 字节"),
        ("header.csv", ('"name,phone\r\n' + _ROW.format(s="x")).encode(), [], "第 1 行：表头行："),
        (
            "utf8.csv",
            (_HEAD + _ROW.format(s="漏水")).encode(),
            ["--encoding", "gb18030"],
            "是 gb18030 文件中的 utf-8 文本",
        ),
    ],
)
def test_a_file_refused_for_its_encoding_or_quotes_reads_in_chinese(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    content: bytes,
    options: list[str],
    said: str,
) -> None:
    """Review s45E F01: the encodings, quotes and long lines cli.md says the importer
    handles are refused in one Chinese line (i18n.md: every refusal a clerk meets in
    a file to import is translated)."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".", env=_zh_env()).exit_code == 0
    (tmp_path / name).write_bytes(content)
    result = invoke("receive", "--file", name, *options, env=_zh_env())
    refused = [
        line for line in result.output.splitlines() if "被拒绝" in line or line.startswith("错误")
    ]
    assert len(refused) == 1, result.output
    assert said in refused[0], refused[0]
    assert _english_words(refused[0]) == set(), refused[0]


def test_a_staff_file_from_excel_reads_in_chinese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review s45E F02: an IT person's staff.csv with Chinese headers, its mistakes and
    Excel's plain "CSV" (GB18030 on a Chinese system) are told in Chinese, with the
    hint staff-directory.md promises, counting bytes from 1 as the importer does."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".", env=_zh_env()).exit_code == 0
    config = tmp_path / "complaintcore.toml"
    text = re.sub(r"(?m)^staff_file = .*$", 'staff_file = "staff.csv"', config.read_text())
    config.write_text(text, encoding="utf-8")
    rows = [
        "工号,姓名,岗位,层级,部门,项目,电话,值班时间,可见个人信息",
        "SR-103,陈雪,前台接待员,front_line,customer_service,sunrise,13900139113,,是的",
        "SR-201,刘洋,工程主管,department_head,engineering,sunrise,13800138121,,否",
        "ＳＲ－２０１,刘洋二,工程主管,department_head,engineering,sunrise,13800138122,,否",
        "SR-101,郑晓燕,客服主管,department_head,customer_service,sunrise,13800138111,"
        "周一至周五 9点-18点,是",
        "SR-202,黄磊,维修工,front_line,engineering,sunrise,13900139122,周一至周五 09:00-09:00,否",
    ]
    table = "\r\n".join(rows) + "\r\n"
    receive = ["receive", "--name", "王小明", "--phone", "13812345678", "--room", "3-2-1201"]
    receive += ["--site", "sunrise", "--summary", "漏水", "--receiver", "SR-103"]
    (tmp_path / "staff.csv").write_bytes(table.encode("utf-8-sig"))
    result = invoke(*receive, env=_zh_env())
    assert result.exit_code == 1, result.output
    line = result.stderr.strip()
    for said in (
        "应为 true 或 false（也可写 yes/no、1/0、是/否）",
        "工号重复（首次出现在第 3 行）",
        "应为时间段，例如 09:00-18:00",
        "开始与结束时间相同（全天请写 00:00-24:00）",
    ):
        assert said in line, line
    assert _english_words(line) == set(), line
    (tmp_path / "staff.csv").write_bytes(table.encode("gb18030"))
    result = invoke(*receive, env=_zh_env())
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == (
        "错误：无法读取staff.csv：file：不是 UTF-8 文本（第 1 个字节）；"
        "请在 Excel 中用“另存为”选择“CSV UTF-8”"
    )


def test_packs_list_lines_up_its_titles_in_chinese() -> None:
    """Review s45E F04: the titles start in one column, whatever the name's length
    (a tab put them at 16, 24 or 32)."""
    from rich.cells import cell_len

    result = invoke("packs", "list", env=_zh_env())
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) >= 6
    assert "\t" not in result.stdout
    starts = set()
    for line in lines:
        name = line.split()[0]
        title = line[len(name) :].lstrip(" ")
        starts.add(cell_len(line) - cell_len(title))
        assert re.search(r"[\u4e00-\u9fff]", title), line
    assert len(starts) == 1, lines


def test_a_pack_without_parameters_says_so_in_chinese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review s45E F05: no English "none" in the Chinese refusal."""
    monkeypatch.chdir(tmp_path)
    result = invoke("init", "desk", "--param", "x=1", env=_zh_env())
    assert result.exit_code == 1, result.output
    line = result.stderr.strip()
    assert line.endswith("parameters.x：未知参数；该规则包未声明任何参数"), line
    assert "none" not in line


@pytest.mark.procedure("IN-1")
def test_the_front_desk_channel_is_taken_by_the_procedures_word(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review s45E F05: IN-1 names the in-person channel 前台/现场/来访; ``--channel
    前台`` records it, as 来访 and 现场 do."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".", env=_zh_env()).exit_code == 0
    for word in ("前台", "现场", "来访"):
        received = invoke(
            "receive", "--name", "李四", "--phone", "13812345679", "--room", "3-2-1202",
            "--site", "sunrise", "--channel", word, "--summary", f"保安态度差{word}",
            "--receiver", "SR-103", "--json", env=_zh_env(),
        )  # fmt: skip
        assert received.exit_code == 0, received.output
    listed = invoke("list", "--json", env=_zh_env())
    channels = [row["channel"] for row in json.loads(listed.stdout)]
    assert channels == ["in_person"] * 3


def test_a_reused_key_and_an_unnamed_json_key_read_in_chinese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review s46F F01: a corrected submission re-sent under its key, and a JSONL row
    with a key that is not a field name (here a name and a phone), are refused in
    Chinese like every other row refusal, the key itself never quoted (PRV-1)."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".", env=_zh_env()).exit_code == 0
    record = [
        "receive", "--receiver", "SR-103", "--name", "王小明", "--phone", "13812345678",
        "--room", "3-1202", "--site", "sunrise", "--key", "k1",
    ]  # fmt: skip
    first = invoke(*record, "--summary", "漏水", "--json", env=_zh_env())
    assert first.exit_code == 0, first.output
    cid = json.loads(first.stdout)["id"]
    said = f"idempotency_key：已用于投诉 {cid}，其内容与此不同"
    again = invoke(*record, "--summary", "不同的内容", env=_zh_env())
    assert again.exit_code == 1, again.output
    assert again.stderr.strip() == f"错误：{said}"
    again = invoke(*record, "--summary", "不同的内容", "--json", env=_zh_env())
    assert json.loads(again.stdout)["error"]["message"] == said
    (tmp_path / "k1.csv").write_text(
        "name,phone,room,site,channel,summary,received_at,receiver,idempotency_key\n"
        "王小明,13812345678,3-1202,sunrise,phone,又一个,2025-11-14T10:00,SR-103,k1\n",
        encoding="utf-8",
    )
    (tmp_path / "extra.jsonl").write_text(
        '{"name":"王小明","phone":"13812345678","room":"3-1202","site":"sunrise",'
        '"channel":"phone","summary":"x","received_at":"2025-11-14T10:00","receiver":"SR-103",'
        '"王小明13912345678":"x"}\n',
        encoding="utf-8",
    )
    for name, reason in (("k1.csv", said), ("extra.jsonl", "（非字段名的键）：未知的键")):
        result = invoke("receive", "--file", name, env=_zh_env())
        assert result.exit_code == 1, result.output
        line = 2 if name.endswith(".csv") else 1
        assert f"第 {line} 行：被拒绝：{reason}" in result.output.splitlines(), result.output
        rows = json.loads(invoke("receive", "--file", name, "--json", env=_zh_env()).stdout)
        assert [row["reason"] for row in rows["rejected"]] == [reason]
        assert "13912345678" not in result.output
