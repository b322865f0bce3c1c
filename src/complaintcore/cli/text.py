"""Every word the command line says to people, in Chinese and English, by key.

One table, looked up through :func:`tr`, so that moving to gettext catalogs is a
mechanical change: each key becomes a msgid, each pair a catalog entry.  This
module imports neither click nor rich: the install hint is printed from here
when they are missing.
"""

from __future__ import annotations

import os

__all__ = ["LANGS", "default_lang", "tr"]

LANGS = ("zh", "en")

_TEXT: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- results
    "initialised": ("已初始化：{path}", "initialised {path}"),
    "received": ("已受理 {id}：{category} → {handler}", "received {id}: {category} → {handler}"),
    "imported": (
        "导入完成：新增 {stored} 条，重复 {duplicated} 条，拒绝 {rejected} 条"
        "（共 {rows} 行，编码 {encoding}）",
        "imported: {stored} stored, {duplicated} duplicated, {rejected} rejected"
        " ({rows} rows, encoding {encoding})",
    ),
    "row_stored": ("第 {line} 行：已受理 {id}", "line {line}: stored {id}"),
    "row_duplicate": ("第 {line} 行：重复，已有 {id}", "line {line}: duplicate of {id}"),
    "row_rejected": ("第 {line} 行：被拒绝：{reason}", "line {line}: rejected: {reason}"),
    "delivery_pending": (
        "部分通知仍在发送；其余留在发件箱，由 complaintcore deliver 发送",
        "some notifications are still being sent; the rest wait in the outbox for"
        " 'complaintcore deliver'",
    ),
    "warning_line": ("警告：{text}", "warning: {text}"),
    "done": ("完成：{id} 现为 {status}", "done: {id} is now {status}"),
    "swept": (
        "检查 {examined} 宗；升级 {escalated} 次；预警 {at_risk} 次；升为重大 {regraded} 宗",
        "examined {examined}; escalated {escalated}; at-risk warnings {at_risk}; "
        "regraded {regraded}",
    ),
    "verify_ok": (
        "哈希链校验通过：{complaints} 宗，{events} 个事件",
        "hash chain verified: {complaints} complaints, {events} events",
    ),
    "verify_bad": ("哈希链校验失败：", "hash chain verification failed:"),
    "verify_bad_count": (
        "哈希链校验失败：发现 {count} 个问题",
        "hash chain verification failed: {count} problem(s)",
    ),
    "pack_ok": ("规则包有效：{name}", "rule pack is valid: {name}"),
    "pack_bad": ("{source}：{count} 个问题", "{source}: {count} problem(s)"),
    "written": ("已写入 {path}", "wrote {path}"),
    "none": ("没有符合条件的投诉", "no complaints match"),
    "demo_done": (
        "模拟完成：受理 {received} 宗，关闭 {closed} 宗，升级 {escalated} 宗，重开 {reopened} 宗，"
        "重复投诉 {repeats} 宗",
        "simulated: {received} received, {closed} closed, {escalated} escalated, "
        "{reopened} reopened, {repeats} repeats",
    ),
    # ---------------------------------------------------------------- list / show
    "col_id": ("编号", "id"),
    "col_status": ("状态", "status"),
    "col_grade": ("等级", "grade"),
    "col_category": ("类别", "category"),
    "col_department": ("部门", "department"),
    "col_site": ("项目", "site"),
    "col_handler": ("处理人", "handler"),
    "col_received": ("受理时间", "received"),
    "col_next_due": ("下一时限", "next due"),
    "timeline": ("时间线", "timeline"),
    "col_when": ("时间", "when"),
    "col_event": ("事件", "event"),
    "col_actor": ("操作人", "actor"),
    "col_detail": ("详情", "detail"),
    "clocks": ("时限", "clocks"),
    "clock_line": ("• {name}（{rule}）{state}  到期 {due}", "• {name} ({rule}) {state}  due {due}"),
    # ---------------------------------------------------------------- report
    "report_title": ("{period} 月度投诉统计", "Complaint statistics {period}"),
    "col_item": ("项目", "item"),
    "col_metric": ("指标", "metric"),
    "col_value": ("数值", "value"),
    # ---------------------------------------------------------------- packs
    "col_code": ("代码", "code"),
    "col_cause": ("成因", "cause"),
    "col_clock": ("时限", "clock"),
    "col_rule": ("规则", "rule"),
    "col_mode": ("计时方式", "mode"),
    "col_duration": ("时长", "duration"),
    "col_start": ("开始于", "start"),
    "col_stop": ("停止于", "stop"),
    # ---------------------------------------------------------------- progress
    "progress_receive": ("导入", "importing"),
    "progress_verify": ("校验哈希链", "verifying the hash chain"),
    "progress_report": ("读取投诉", "reading complaints"),
    "progress_demo": ("模拟", "simulating"),
    # ---------------------------------------------------------------- errors
    "error": ("错误", "error"),
    "aborted": ("已中止", "aborted"),
    "see_help": ("（参见 {command} --help）", "(see '{command} --help')"),
    "needs_cli_extra": (
        "complaintcore 命令行需要 cli 扩展（缺少 {module}）：pip install 'complaintcore[cli]'",
        "the complaintcore command line needs the cli extra (missing {module}): "
        "pip install 'complaintcore[cli]'",
    ),
    "no_config": (
        "找不到 {path}；请先运行 `complaintcore init`",
        "{path} not found; run `complaintcore init` first",
    ),
    "no_file": ("找不到文件 {path}", "no file at {path}"),
    "no_pack": (
        "没有名为 {name} 的内置规则包；内置：{known}",
        "no shipped rule pack {name}; shipped: {known}",
    ),
    "config_exists": ("{path} 已存在；用 --force 覆盖", "{path} exists; use --force to overwrite"),
    "not_jsonl_csv": ("应为 .jsonl 或 .csv 文件", "expected a .jsonl or .csv file"),
    "bad_time": (
        "应为 ISO 时间，例如 2025-11-14T17:30",
        "expected an ISO date-time like 2025-11-14T17:30",
    ),
    "time_range": (
        "年份应在 {first} 到 {last} 之间",
        "the year must be between {first} and {last}",
    ),
    "bad_month": ("应为 YYYY-MM，例如 2025-11", "expected YYYY-MM, e.g. 2025-11"),
    "format_conflict": (
        "--json 与 --format {fmt} 不能同时使用",
        "--json and --format {fmt} cannot be used together",
    ),
}


def tr(lang: str, key: str, **values: object) -> str:
    """The text for ``key`` in ``lang`` ("zh" or "en"), with ``values`` filled in."""
    zh, en = _TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


def default_lang() -> str:
    """The language the environment asks for: COMPLAINTCORE_LANG, then the locale."""
    for var in ("COMPLAINTCORE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"
