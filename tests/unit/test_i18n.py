"""The run-time side of the catalogs: which language, and how values read in it."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.derivation import DerivationStep, Tag
from complaintcore.core.errors import (
    AccessDeniedError,
    FieldProblem,
    IdempotencyConflictError,
    IllegalTransitionError,
    IncompleteRecordError,
    InvalidInputError,
    NaiveDatetimeError,
    StoreError,
    UnknownComplaintError,
)
from complaintcore.core.models import Channel, Grade, Status, Trigger
from complaintcore.i18n import (
    UNNAMED_KEY,
    available_languages,
    catalog_dirs,
    language_from_env,
    resolve_language,
    translator,
)
from complaintcore.rules import load_pack

PACK = load_pack("cn-property")
SH = ZoneInfo("Asia/Shanghai")


def make_catalog(directory: Path, lang: str, entries: dict[tuple[str | None, str], str]) -> Path:
    """Compile a small catalog for ``lang`` into ``directory`` (as a host would)."""
    lines = ['msgid ""', 'msgstr "Content-Type: text/plain; charset=UTF-8\\n"', ""]
    for (context, msgid), msgstr in entries.items():
        if context:
            lines.append(f'msgctxt "{context}"')
        lines += [f'msgid "{msgid}"', f'msgstr "{msgstr}"', ""]
    po = directory / f"{lang}.po"
    po.write_text("\n".join(lines), encoding="utf-8")
    mo = directory / lang / "LC_MESSAGES" / "complaintcore.mo"
    mo.parent.mkdir(parents=True)
    with po.open("rb") as source, mo.open("wb") as out:
        write_mo(out, read_po(source, locale=lang.split("_")[0]))
    return mo


# --------------------------------------------------------------------------- which language


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("zh", "zh"),
        ("zh_CN", "zh"),
        ("zh_CN.UTF-8", "zh"),
        ("zh-CN", "zh"),
        ("zh_TW.UTF-8", "zh"),  # no Traditional catalog: the Chinese one
        ("en", "en"),
        ("en_GB.UTF-8", "en"),
        ("C", "en"),
        ("C.UTF-8", "en"),
        ("POSIX", "en"),
        ("fr_FR.UTF-8", None),
        ("", None),
        ("not a locale", None),
    ],
)
def test_locale_tags_resolve_to_a_language_with_a_catalog(tag: str, code: str | None) -> None:
    assert resolve_language(tag, {}) == code


@pytest.mark.parametrize(
    ("environ", "code"),
    [
        ({}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),  # LC_ALL wins
        ({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LANGUAGE": "fr:zh_CN:en", "LANG": "en_US.UTF-8"}, "zh"),  # the first with a catalog
        ({"LANGUAGE": "fr", "LANG": "zh_CN.UTF-8"}, "en"),  # gettext stops at the first set
        ({"COMPLAINTCORE_LANG": "zh", "LC_ALL": "en_US.UTF-8"}, "zh"),
        ({"COMPLAINTCORE_LANG": "fr", "LANG": "zh_CN.UTF-8"}, "en"),
    ],
)
def test_the_environment_decides_as_gettext_does(environ: dict[str, str], code: str) -> None:
    assert language_from_env(environ) == code


def test_a_host_catalog_adds_a_language(tmp_path: Path) -> None:
    make_catalog(tmp_path, "ja", {(None, "no complaints match"): "該当なし"})
    env = {"COMPLAINTCORE_LOCALE_PATH": str(tmp_path), "LANG": "ja_JP.UTF-8"}
    assert "ja" not in available_languages({})
    assert available_languages(env)[:2] == ("zh", "en")
    assert "ja" in available_languages(env)
    assert language_from_env(env) == "ja"
    ja = translator("ja_JP.UTF-8", env)
    assert ja.lang == "ja"
    assert ja("no complaints match") == "該当なし"
    assert ja("wrote {path}", path="x") == "wrote x"  # not in it: English
    assert ja.label(Status.CLOSED) == "closed"
    assert catalog_dirs(env)[0] == tmp_path.absolute()


def test_a_host_catalog_rewords_a_shipped_language_and_falls_back_to_it(tmp_path: Path) -> None:
    make_catalog(tmp_path, "zh_CN", {(None, "no complaints match"): "暂无投诉"})
    zh = translator("zh", {"COMPLAINTCORE_LOCALE_PATH": str(tmp_path)})
    assert zh("no complaints match") == "暂无投诉"
    assert zh("wrote {path}", path="a") == "已写入 a"  # the shipped catalog answers the rest
    assert translator("zh", {})("no complaints match") == "没有符合条件的投诉"


def test_the_runtime_imports_no_babel() -> None:
    code = (
        "import sys\n"
        "from complaintcore.i18n import translator\n"
        "translator('zh')('aborted')\n"
        "from complaintcore.desk import Desk\n"
        "print('babel' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- values


def test_labels_events_and_durations() -> None:
    zh, en = translator("zh"), translator("en")
    assert zh.label(Grade.MAJOR) == "重大"
    assert en.label(Grade.MAJOR) == "major"
    assert zh.label(Trigger.SERIOUS) == Trigger.SERIOUS.zh
    assert zh.event("registered") == "已登记"
    assert en.event("cause_analysed") == "cause analysed"
    assert zh.duration(timedelta(hours=31)) == "31小时"
    assert zh.duration(timedelta(hours=4, minutes=30)) == "4小时30分"
    assert en.duration(timedelta(hours=4, minutes=5)) == "4h05m"
    assert en.duration(timedelta(minutes=45)) == "45m"
    assert en.duration(-timedelta(hours=2)) == "-2h"
    assert zh.yes_no(True) == "是"
    assert zh.category("repairs", PACK) == "维修"
    assert zh.category("no_such_code", PACK) == "no_such_code"
    assert en.rung("department_head", PACK) == PACK.rung("department_head").en


@pytest.mark.parametrize(
    ("tag", "shown"),
    [
        ("registered", "已登记"),
        ("registered:customer_service", "已登记（客服部）"),
        ("assigned:customer_service", "已指派（客服部）"),  # review s27E F05
        ("replied:final", "已答复（最终答复）"),
        ("assessed:invalid", "已核实（无效）"),
        ("graded:major", "已定级（重大）"),
        ("escalated:deadline_missed", "已升级（超时未处理）"),
        ("visited:unsatisfied", "已回访（不满意）"),
    ],
)
def test_clock_tags_read_as_events_and_what_qualifies_them(tag: str, shown: str) -> None:
    assert translator("zh").tag(tag, PACK) == shown


def test_a_derivation_step_reads_in_each_language() -> None:
    at = datetime(2025, 11, 14, 10, 0, tzinfo=SH)
    budget = DerivationStep.counted(
        "{count} working day: until {end} if never paused",
        "{count} working days: until {end} if never paused",
        count=3,
        end=at + timedelta(days=5),
    )
    step = DerivationStep.of(
        "{at} started by {cause}; budget {budget}", at=at, cause=Tag("registered"), budget=budget
    )
    english = (
        "2025-11-14T10:00:00+08:00 started by registered; "
        "budget 3 working days: until 2025-11-19T10:00:00+08:00 if never paused"
    )
    assert str(step) == english
    assert translator("en").step(step, PACK) == english
    assert translator("zh").step(step, PACK) == (
        "2025-11-14T10:00:00+08:00 因「已登记」开始计时；"
        "时限 3 个工作日：不暂停则至 2025-11-19T10:00:00+08:00"
    )
    one = DerivationStep.counted("{count} working day: until {end} if never paused",
                                 "{count} working days: until {end} if never paused",
                                 count=1, end=at)  # fmt: skip
    assert str(one).startswith("1 working day:")


@pytest.mark.procedure("DL-1")
def test_working_hours_are_worded_apart_from_hours_on_the_clock() -> None:
    """Review s27E F01: received Wed 2026-09-30 16:00, National Day 1-7 Oct off, the
    make-up Saturday 10 Oct worked (09:00-12:00, 13:00-18:00).  By hand at Fri 9 Oct
    13:05: the 3-working-day reply has used 2h (30 Sep) + 8h (8 Oct) + 3h05 (9 Oct)
    = 13h05 of a 26h budget (2 + 8 + 8 + 8 to 10 Oct 18:00); the one-month clock
    has used 213h05 of 720h on the clock.  In Chinese the working hours say so."""
    from complaintcore import Complainant, Intake, Register, decide, evolve, new_complaint
    from complaintcore.adapters.calendars import calendar_for_spec
    from complaintcore.core.deadlines import compute_clocks

    received = datetime(2026, 9, 30, 16, 0, tzinfo=SH)
    intake = Intake(
        complainant=Complainant("王小明", "13812345678", "3-2-1201", site="sunrise"),
        channel="phone",
        received_at=received,
        receiver="SR-103",
        summary="楼上漏水，天花板渗水",
        site="sunrise",
    )
    c = new_complaint("C-20260930-0001", intake)
    c = evolve(c, decide(c, Register(actor="SR-103"), PACK, received))
    now = datetime(2026, 10, 9, 13, 5, tzinfo=SH)
    clocks = {s.name: s for s in compute_clocks(c, PACK, calendar_for_spec(PACK.calendar), now)}
    zh, en = translator("zh"), translator("en")
    reply, month = clocks["reply"].steps[-1], clocks["major_by_age"].steps[-1]
    assert zh.step(reply, PACK) == (
        "2026-10-09T13:05:00+08:00 计时中：已用 13工作小时5分，时限 26工作小时；"
        "到期 2026-10-10T18:00:00+08:00"
    )
    assert zh.step(month, PACK) == (
        "2026-10-09T13:05:00+08:00 计时中：已用 213小时5分，时限 720小时；"
        "到期 2026-10-30T16:00:00+08:00"
    )
    english = "2026-10-09T13:05:00+08:00 running: used 13h05m of 26h; due 2026-10-10T18:00:00+08:00"
    assert str(reply) == en.step(reply, PACK) == english
    assert zh.duration(timedelta(minutes=45), working=True) == "45工作分钟"


@pytest.mark.procedure("REC-6")
def test_a_duty_of_other_channels_names_them_in_the_readers_language() -> None:
    """A telephone complaint's written sign-off is not owed; the reason names the
    channel as each language labels it, not by its code (``written``)."""
    step = DerivationStep.of(
        "not owed: only for these channels: {channels}", channels=(Channel.WRITTEN,)
    )
    assert translator("zh").step(step, PACK) == "不适用：仅限以书面/信函方式收到的投诉"
    assert translator("en").step(step, PACK) == str(step)
    assert str(step) == "not owed: only for these channels: in writing"


def test_waiting_for_tags_reads_each_tag() -> None:
    step = DerivationStep.of(
        "not started: waiting for {tags}", tags=(Tag("replied:final"), Tag("closed"))
    )
    assert str(step) == "not started: waiting for replied:final / closed"
    assert translator("zh").step(step) == "未开始：等待已答复（最终答复） / 已关闭"


# --------------------------------------------------------------------------- errors


def test_errors_are_worded_from_their_fields() -> None:
    zh, en = translator("zh"), translator("en")
    unknown = UnknownComplaintError("C-20251114-0001")
    assert en.error(unknown) == str(unknown)
    assert zh.error(unknown) == "没有编号为 'C-20251114-0001' 的投诉"
    refused = IllegalTransitionError(
        "C-1", "in_handling", "close",
        "closure needs the complainant's confirmation or a top-rung decision (VIS-3)",
    )  # fmt: skip
    assert en.error(refused) == str(refused).replace("in_handling", "in handling")
    assert zh.error(refused) == (
        "投诉 C-1：状态为「处理中」时不能关闭：关闭须经投诉人确认或最高层级决定（VIS-3）"
    )
    denied = AccessDeniedError("C-1", "SR-9", "assess", "unknown actor: not in the staff directory")
    assert zh.error(denied) == "投诉 C-1：SR-9 无权核实：未知操作人：不在员工名录中"
    assert zh.error(NaiveDatetimeError("now")) == "now：时间须带时区（缺少 tzinfo）"


def test_reasons_with_values_keep_them_and_translate_the_words() -> None:
    zh = translator("zh")
    refused = IllegalTransitionError("C-1", "closed", "assign", "allowed now: reopen, sign_off")
    assert zh.error(refused, PACK) == "投诉 C-1：状态为「已关闭」时不能指派：当前允许：重开、签署"
    bad = InvalidInputError("department", "unknown department 'nowhere' in pack cn-property")
    assert zh.error(bad) == "department：规则包 cn-property 中没有部门 'nowhere'"
    record = IncompleteRecordError(
        [
            FieldProblem("complainant.room", "room number (房号) is missing (REC-1)"),
            FieldProblem("summary", "something only the library knows"),
        ]
    )
    assert zh.error(record) == (
        "记录无法登记：complainant.room：缺少房号（REC-1）；"
        "summary：something only the library knows"
    )


def test_a_reused_key_and_a_key_named_by_its_kind_read_in_chinese() -> None:
    """Review s46F F01: a host wording the desk's refusals gets them in Chinese too."""
    zh, en = translator("zh"), translator("en")
    reused = IdempotencyConflictError("C-20251114-0001")
    assert en.error(reused) == str(reused)
    assert zh.error(reused) == "idempotency_key：已用于投诉 C-20251114-0001，其内容与此不同"
    unnamed = InvalidInputError(UNNAMED_KEY, "unknown key")
    assert en.error(unnamed) == "(a key that is not a field name): unknown key"
    assert zh.error(unnamed) == "（非字段名的键）：未知的键"


def test_an_unknown_reason_stays_as_the_library_wrote_it() -> None:
    odd = InvalidInputError("x", "expected RulePack, got int")
    assert translator("zh").error(odd) == "x：expected RulePack, got int"
    assert translator("zh").error(ValueError("plain")) == "plain"


def test_a_stored_english_classification_shows_no_chinese_label() -> None:
    """A classification stored by an earlier release wrote the category's Chinese label
    in its English text ("→ damp and mould (潮湿与霉菌)"): ``show`` in English leaves
    the bracketed Chinese out; in Chinese it shows the Chinese text as stored."""
    from complaintcore.cli.timeline import event_detail

    event = {
        "type": "classified",
        "at": "2026-10-23T15:30:00+00:00",
        "actor": "CS-001",
        "category": "damp_mould",
        "explanation": [
            '匹配 "black mould" → 潮湿与霉菌 (damp and mould)；原因 硬件',
            'matched "black mould" → damp and mould (潮湿与霉菌); cause hardware',
        ],
    }
    pack = load_pack("uk-housing-ombudsman-2024")
    english = event_detail(event, translator("en"), pack)
    assert 'explanation: matched "black mould" → damp and mould; cause hardware' in english
    assert "category: damp and mould" in english
    assert "潮湿" not in english
    chinese = event_detail(event, translator("zh"), pack)
    assert "→ 潮湿与霉菌；原因 硬件" in chinese  # no English in Chinese (s27E F06)
    assert "damp and mould" not in chinese


def test_a_classification_reads_in_chinese_without_the_english_category() -> None:
    """Review s27E F06: the core's Chinese explanation keeps the category's English
    label in brackets; ``show`` in Chinese leaves it out, in English the Chinese."""
    from complaintcore.cli.timeline import event_detail

    event = {
        "type": "classified",
        "at": "2026-10-12T02:00:00+00:00",
        "actor": "SR-103",
        "category": "repairs",
        "explanation": [
            '匹配 "漏水"、"天花板"、"渗水" → 维修 (repairs and maintenance)；原因 硬件；'
            "责任部门 工程维修部",
            'matched "漏水", "天花板", "渗水" → repairs and maintenance; cause hardware; '
            "department engineering and maintenance",
        ],
    }
    chinese = event_detail(event, translator("zh"), PACK)
    assert '说明：匹配 "漏水"、"天花板"、"渗水" → 维修；原因 硬件；责任部门 工程维修部' in chinese
    assert "repairs and maintenance" not in chinese
    english = event_detail(event, translator("en"), PACK)
    assert "→ repairs and maintenance; cause hardware" in english


def test_a_transfer_names_both_departments_by_their_labels() -> None:
    """DL-3: an assignment that moved the complaint to another department shows the
    department it came from by its label too, in the reader's language."""
    from complaintcore.cli.timeline import event_detail

    event = {
        "type": "assigned",
        "at": "2026-11-04T08:05:00+00:00",
        "actor": "SR-101",
        "handler": "SR-301",
        "rung": "department_head",
        "department": "security",
        "previous_department": "engineering",
    }
    chinese = event_detail(event, translator("zh"), load_pack("cn-property"))
    assert "保安部" in chinese
    assert "工程维修部" in chinese
    assert "engineering" not in chinese


def test_store_errors_read_in_chinese_keeping_the_database_and_the_drivers_code(
    tmp_path: Path,
) -> None:
    """An operator reading Chinese sees why the store failed in Chinese; the file and
    SQLite's result code stay as written (whoever reads the log searches for them)."""
    zh = translator("zh")
    with pytest.raises(StoreError) as missing:
        SqliteStore(tmp_path / "gone.sqlite3", create=False)
    text = zh.error(missing.value)
    assert text.startswith("投诉数据库 ")
    assert "gone.sqlite3" in text
    assert "不存在" in text
    assert "only" not in text

    (tmp_path / "junk.sqlite3").write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError) as junk:
        SqliteStore(tmp_path / "junk.sqlite3")
    text = zh.error(junk.value)
    assert "不是 SQLite 数据库" in text
    assert text.endswith("(SQLITE_NOTADB)")
    assert isinstance(junk.value.__cause__, sqlite3.Error)

    lost = StoreError(
        "postgresql://db:5432/desk",
        "lost the connection during the operation (a restart, a failover, or its"
        " session was ended); try again",
    )
    assert zh.error(lost) == (
        "投诉数据库 postgresql://db:5432/desk：操作过程中连接中断（重启、故障切换或会话被终止）；请重试"
    )
    assert translator("en").error(lost) == str(lost)


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        ("no outbox item with this id", "待发消息"),
        (
            "already keeps complaints or messages of tenant 'default'; copy into an empty desk",
            "'default'",
        ),
        ("unknown parameter; the pack declares: target", "未知参数"),
        ("unknown parameter; the pack declares no parameters", "未知参数；该规则包未声明任何参数"),
    ],
)
def test_the_everyday_refusals_of_scripts_read_in_chinese(reason: str, words: str) -> None:
    """Review s25N F04: outbox retry of an unknown id, migrate into a desk in use and
    an unknown pack parameter read in English under --lang zh."""
    shown = translator("zh").reason(reason)
    assert shown != reason
    assert words in shown


_ENCODINGS = "utf-8, utf-8-sig, gb18030, big5, cp1252"
_DAYS = "expected Mon..Sun, 周一..周日, a range such as Mon-Fri, daily or weekdays"
_KEPT_WORDS = {"utf", "sig", "gb18030", "big5", "cp1252", "Excel", "CSV", "UTF", "TOML"}
_KEPT_WORDS |= {"csv", "jsonl", "true", "false", "yes", "Mon", "Sun", "Fri", "Sat", "daily"}
_KEPT_WORDS |= {"weekdays", "staff", "name", "big", "Big", "SR"}  # codes, columns, encodings


@pytest.mark.parametrize(
    "reason",
    [
        # desk/importer.py: a file to import (review s45E F01)
        f"is not utf-8 text (byte 1); choose the file's encoding ({_ENCODINGS})",
        f"is not big5 text (byte 12); choose the file's encoding ({_ENCODINGS})",
        "is utf-8 text in a gb18030 file (its encoding differs from the file's);"
        " save it in the file's encoding",
        f"the header row: is not gb18030 text (byte 9); choose the file's encoding ({_ENCODINGS})",
        'the header row: a quoted cell is not closed (an unbalanced ")',
        "longer than 1048576 bytes (not read)",
        "cannot be detected: the file is neither UTF-8 nor GB18030 text (it reads like cp1252"
        f" or Big5); choose it ({_ENCODINGS})",
        "cannot be detected on a stream; choose one",
        'a quoted cell is not closed before the next row (an unbalanced ")',
        "a quoted cell is not closed within 1048576 characters",
        'more cells than the header has (an unbalanced " may join lines)',
        "has a cell longer than 131072 characters",
        "is not valid CSV (a quote inside an unquoted cell?)",
        "is a number too long to be a field",
        "expected csv or jsonl",
        # adapters/staff.py: a staff file (review s45E F02)
        "expected hours such as 09:00-18:00",
        "unexpected text between hour ranges",
        "unexpected text after the hours",
        "weekdays at the end have no hours (expected e.g. 'Sat 09:00-12:00')",
        f"unknown weekday; {_DAYS}",
        f"no weekdays; {_DAYS}",
        "time out of range (00:00 to 23:59, or 24:00 as an end)",
        "part 2: start and end are equal (for the whole day write 00:00-24:00)",
        "is reserved for the desk's own acts (sweeps)",
        "duplicate staff id (first at row 4)",
        "duplicate staff id 'SR-201' (first at row 4)",
        "expected true or false (also yes/no, 1/0, 是/否)",
        "expected a string (quote phone numbers and ids)",
        "expected a string such as 'Mon-Fri 09:00-18:00' or a list of them",
        "expected a table of staff fields",
        "no staff members",
        "unknown key (expected only [[staff]] tables)",
        "missing; expected [[staff]] tables",
        "expected an array of tables ([[staff]])",
        "empty; expected a header row naming the columns",
        "no staff rows below the header",
        "not a header row; the first row must name the columns: staff_id, name",
        "not UTF-8 text (byte 1); in Excel use Save As 'CSV UTF-8'",
    ],
)
def test_the_refusals_of_a_file_to_import_or_a_staff_file_read_in_chinese(reason: str) -> None:
    """Review s45E F01, F02: every reason the importer and the staff file give a clerk
    or an IT person reads in Chinese, a hint in brackets too (not kept as a rule)."""
    shown = translator("zh").reason(reason)
    english = set(re.findall(r"[A-Za-z]{3,}", shown)) - _KEPT_WORDS
    assert english == set(), shown


@pytest.mark.procedure("ESC-5")
@pytest.mark.procedure("VAL-4")
@pytest.mark.procedure("PEN-2")
@pytest.mark.parametrize(
    ("reason", "shown"),
    [
        ("already at the top rung (ESC-5)", "已在最高层级（ESC-5）"),
        (
            "project_manager is not above project_manager (ESC-5)",
            "「项目经理」不高于当前层级「项目经理」（ESC-5）",
        ),
        ("only a valid complaint carries a sanction (VAL-4)", "只有有效投诉才记录处罚（VAL-4）"),
        ("the complaint has no grade yet", "此投诉尚未定级"),
        ("the complaint is not about a staff member (PEN-2)", "此投诉不针对某位员工（PEN-2）"),
    ],
)
def test_refusals_to_escalate_or_sanction_read_in_chinese(reason: str, shown: str) -> None:
    """Review s27E F03: a supervisor's everyday mistakes, not a programmer's."""
    refused = IllegalTransitionError("C-1", "in_handling", "escalate", reason)
    assert translator("zh").error(refused, PACK) == f"投诉 C-1：状态为「处理中」时不能升级：{shown}"


@pytest.mark.procedure("VIS-3")
def test_a_top_rung_decision_below_the_top_reads_in_both_languages() -> None:
    """Review s46D F01: the refusal the property director reads when the complaint is
    still at the project manager names both rungs by the pack's labels and what to
    do, in Chinese too."""
    refused = IllegalTransitionError(
        "C-1",
        "in_handling",
        "close",
        "the complaint is at project_manager: escalate it to the top rung "
        "(senior_management) before the top rung decides its closure (VIS-3)",
    )
    assert translator("zh").error(refused, PACK) == (
        "投诉 C-1：状态为「处理中」时不能关闭：投诉目前在「项目经理」：须先升级到最高层级"
        "「物业总监/总经办」，再由最高层级决定关闭（VIS-3）"
    )
    assert translator("en").error(refused, PACK) == (
        "complaint C-1: cannot close while in handling: the complaint is at project "
        "manager: escalate it to the top rung (property director / general manager's "
        "office) before the top rung decides its closure (VIS-3)"
    )


@pytest.mark.procedure("DL-2")
def test_the_same_working_day_mode_says_working_day() -> None:
    """Review s27E F04: DL-2 runs to the end of the same *working* day (a finding on a
    holiday is due at the next working day's end), so its label is not 当天."""
    from complaintcore.core.rulepack import ClockMode

    assert translator("zh").label(ClockMode.SAME_DAY) == "当个工作日"
    assert ClockMode.SAME_DAY.zh == "当个工作日"
    assert translator("en").label(ClockMode.SAME_DAY) == "end of the same working day"


@pytest.mark.procedure("ESC-2")
def test_show_names_a_missed_duty_of_an_escalation_by_its_label() -> None:
    """An ``Escalated`` event's ``clock`` names the clocks and duties missed
    (``reply,apology``): ``show`` gives each its label in either language
    (review s46H F02: the duty was shown by its code)."""
    from complaintcore.cli.timeline import event_detail

    event = {
        "type": "escalated",
        "at": "2025-10-01T09:00:00+08:00",
        "actor": "system",
        "to_rung": "senior_management",
        "trigger": "deadline_missed",
        "clock": "reply,apology",
    }
    pack = load_pack("cn-property")
    english = event_detail(event, translator("en"), pack)
    assert "reply with the result or a reasoned explanation" in english
    assert "apologise, give the reason and propose a remedy" in english
    chinese = event_detail(event, translator("zh"), pack)
    assert "答复或说明原因" in chinese
    assert "违约致歉、说明原因并提出补救措施" in chinese
    assert "apology" not in english + chinese
