"""``report --period``: a pack's indicators as a table, JSON, CSV or an HTML page.

The figures are :func:`complaintcore.core.indicators.indicator_report`'s; this
module only words and lays them out, in the reader's language.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from datetime import timedelta
from typing import TYPE_CHECKING, Final

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from complaintcore.cli.files import (
    refuse_planted,
    replace_file,
    same_file,
    warn_if_group_lost,
)
from complaintcore.cli.progress import track
from complaintcore.cli.report_html import _CSS, _e, _table
from complaintcore.cli.terminal import TerminalConsole
from complaintcore.core.rulepack import IndicatorKind
from complaintcore.core.spreadsheet import spreadsheet_safe
from complaintcore.i18n import Translator

if TYPE_CHECKING:
    from complaintcore.cli.context import Ctx
    from complaintcore.core.indicators import IndicatorReport, IndicatorValue

__all__ = [
    "PeriodText",
    "excel_csv",
    "figure",
    "file_name",
    "indicators",
    "not_the_desks_own",
    "render_indicators_html",
    "write_indicators",
    "write_output",
]

_BOM: Final = "\ufeff"


def excel_csv(text: str, fmt: str) -> str:
    """``text`` as written (in UTF-8, always): a CSV starts with a byte-order mark,
    how Excel knows UTF-8 (without one, Excel on a Chinese Windows reads the file
    as GBK and garbles every Chinese label)."""
    return _BOM + text if fmt == "csv" and not text.startswith(_BOM) else text


def file_name(click_ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--output``: a file's name.  ``out/`` names a folder and ``""`` nothing, where
    ``Path`` would read ``out`` and ``.`` (a file ``out`` written, "wrote out/"
    said; an error about ``.``): refused as an existing folder is (review s41B F05).
    ``-`` is standard output, as without ``--output`` (``./-`` names a file ``-``;
    review s51R3 F03).  A socket is refused: no program opens one to write it
    (open(2) fails with ENXIO; review s51R3 F04)."""
    from complaintcore.cli.context import _translator

    if value is None or value == "-":
        return None
    separators = tuple(s for s in (os.sep, os.altsep) if s)
    if not value.strip() or value.endswith(separators):
        t = _translator(click_ctx)
        message = t("expected a file name, not empty and not ending in /")
        raise click.BadParameter(message, click_ctx, param)
    try:
        socket = stat.S_ISSOCK(os.stat(value).st_mode)
    except (OSError, ValueError):  # none yet, or not to be looked at: the write says
        socket = False
    if socket:
        t = _translator(click_ctx)
        message = t("is a socket; give a file, a FIFO or a device")
        raise click.BadParameter(message, click_ctx, param)
    return value


def not_the_desks_own(ctx: Ctx, output: str | None) -> None:
    """Refuse an ``--output`` that is the desk's own database (or its ``-wal``,
    ``-shm`` and ``-journal``, named after the file a symbolic link of the
    database leads to, as SQLite names them: review s51R3 F02), configuration or
    staff file: a report written over the database leaves a desk no command opens
    again.  So is its ``<database>.locks``
    directory and anything in it: a file there leaves every intake unlocked
    (review s45A F05).  Compared by name and, where it exists, as a file: a hard
    link or a bind-mounted path of the database is the database (review s50P
    F01).  A symbolic link to nothing, or one another user planted in a shared
    folder, is refused too (review s50P F04)."""
    if output is None:
        return
    refuse_planted(ctx, output, "'--output'")
    from complaintcore.adapters.stores import is_postgres_url

    ctx.desk()
    config = ctx.config
    if config is None:
        return
    own = [ctx.config_path]
    inside: list[str] = []  # directories whose every path is the desk's
    if config.staff_file is not None:
        own.append(config.resolve(config.staff_file))
    target = _real(output)
    mine = False
    if config.database != ":memory:" and not is_postgres_url(config.database):
        database = config.resolve(config.database)
        own.append(database)
        # SQLite names its side files after the file the link leads to (review s51R3 F02)
        real = os.path.realpath(database)
        sides = [f"{path}{end}" for path in (database, real) for end in _SIDE_FILES]
        own += sides
        inside.append(_real(real + ".locks"))  # as SqliteStore names it
        mine = _beside(real, target)
    mine = (
        mine
        or any(_real(path) == target or same_file(path, output) for path in own)
        or any(
            target == d or target.startswith(d + os.sep) or same_file(d, os.path.dirname(target))
            for d in inside
        )
    )
    if mine:
        click_ctx = click.get_current_context()
        param = next(p for p in click_ctx.command.params if p.name == "output")
        raise click.BadParameter(
            ctx.t("is one of the desk's own files; choose another file"), click_ctx, param
        )


_SIDE_FILES: Final = ("-wal", "-shm", "-journal")
"""What SQLite adds to a database's name for the files it keeps beside it."""


def _beside(database: str, target: str) -> bool:
    """Whether ``target`` (resolved) is ``database`` (resolved) or one of its side
    files, in the database's folder by identity (device and inode): the same
    folder reached by another path (a bind mount) holds them too, written or not
    yet."""
    folder, name = os.path.split(target)
    base = os.path.basename(os.path.normcase(database))
    names = {base, *(base + end for end in _SIDE_FILES)}
    return name in names and same_file(folder, os.path.dirname(database))


def _real(path: str) -> str:
    """A path as the file system finds it (links followed; case on Windows)."""
    return os.path.normcase(os.path.realpath(path))


def write_output(ctx: Ctx, text: str, fmt: str, output: str | None) -> None:
    """A report's ``text`` on standard output or into ``output``, as UTF-8 bytes either
    way (:func:`~complaintcore.cli.context.write_utf8`): a redirected GBK console
    neither mislabels nor cuts a page, a CSV or a JSON document, and a CSV's
    ``\r\n`` rows are not made ``\r\r\n`` on Windows (review s41B F03, F04, F06).  A
    CSV is the same bytes either way; on standard output the other formats end with
    a newline.  A file is replaced by a new one renamed over it, keeping its
    permissions, group and (as root) owner; a device, a FIFO, ``/dev/stdout`` and a
    file that cannot be renamed over are written in place
    (:func:`~complaintcore.cli.files.replace_file`, review s50R).  Written on this
    process's own standard output, no "wrote" line follows the report."""
    from complaintcore.cli.context import write_utf8

    if output is None:
        ctx.emitted = True  # begun: Ctrl-C from here adds no second document
        # a CSV's last row ends its own "\r\n": one more newline would be an empty
        # record, and the file would differ from --output's (review s50C F03)
        write_utf8(excel_csv(text, fmt), nl=fmt != "csv")
        return
    data = excel_csv(text, fmt).encode("utf-8")
    # a new file renamed into place: another name of the file replaced (a hard
    # link) keeps what it held, whatever the checks above missed (review s50P F01)
    written = replace_file(output, data)
    warn_if_group_lost(ctx, written, "'--output'", output)
    if written.descriptor == 1:
        return  # the report is on standard output: a "wrote" line would end up in it
    if ctx.json:
        ctx.emit({"written": output, "format": fmt})
    else:
        ctx.say(ctx.t("wrote {path}", path=output))


if TYPE_CHECKING:  # click >= 8.4 types its parameter types by value
    _TextParam = click.ParamType[str]
else:  # and older clicks cannot subscript them at run time
    _TextParam = click.ParamType


class PeriodText(_TextParam):
    """A reporting period: ``2025``, ``2025-Q1``, ``2025-11`` or ``2025-04..2026-03``."""

    name = "period"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "PERIOD"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        from complaintcore.cli.context import _translator
        from complaintcore.core.errors import InvalidInputError
        from complaintcore.core.indicators import ReportingPeriod

        text = str(value).strip()
        try:
            ReportingPeriod.parse(text, "UTC")  # the form only; the pack's zone comes later
        except InvalidInputError:
            t = _translator(ctx)
            self.fail(t("expected 2025, 2025-Q1, 2025-11 or 2025-04..2026-03"), param, ctx)
        return text


def indicators(ctx: Ctx, period: str) -> IndicatorReport:
    """The desk's pack indicators for ``period``, reading the desk once."""
    from complaintcore.core.indicators import indicator_report

    desk = ctx.desk()
    return indicator_report(
        track(desk.store.complaints(), ctx.t("reading complaints")),
        desk.pack,
        desk.calendar,
        period=period,
        now=ctx.now(),
        lang=ctx.report_lang,
    )


def figure(t: Translator, v: IndicatorValue) -> str:
    """An indicator's value as people read it: a count, a share of a total, an average."""
    if v.value is None:
        return "—"
    if v.kind is IndicatorKind.AVERAGE_WORKING_DAYS:
        days = f"{v.value:.1f}"
        return t.n(
            "{days} working days (over {count} response)",
            "{days} working days (over {count} responses)",
            v.count,
            days=days,
        )
    if v.of is not None:
        share = f"{v.value * 100:.1f}%"
        return t("{share} ({count} of {total})", share=share, count=v.count, total=v.of)
    return str(v.count)


def write_indicators(ctx: Ctx, report: IndicatorReport, fmt: str, output: str | None) -> None:
    """Print or write the indicator report in ``fmt`` (table, json, csv, html)."""
    from complaintcore.core.indicators import (
        INDICATOR_ROW_FIELDS,
        indicator_rows,
        indicators_to_json,
    )

    if fmt == "table":
        if output is None:
            _print(ctx.out, report, ctx.tr)
            return
        buffer = io.StringIO()
        console = TerminalConsole(
            file=buffer, width=120, color_system=None, markup=False, emoji=False
        )
        _print(console, report, ctx.tr)
        text = buffer.getvalue()
    elif fmt == "json":
        text = json.dumps(indicators_to_json(report), ensure_ascii=False, indent=1)
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(INDICATOR_ROW_FIELDS))
        writer.writeheader()
        writer.writerows(
            {k: spreadsheet_safe(v) for k, v in row.items()} for row in indicator_rows(report)
        )
        text = buffer.getvalue()
    else:
        text = render_indicators_html(report, ctx.tr)
    write_output(ctx, text, fmt, output)


def _heading(report: IndicatorReport, t: Translator) -> str:
    return t(
        "{title}: indicators for {period}",
        title=t.pick(report.title_zh, report.title_en),
        period=report.period.key,
    )


def _meta(report: IndicatorReport, t: Translator) -> str:
    """The period's first and last day, both included: its ``end`` is exclusive (the
    next period's first instant, as ``--json`` keeps it), which read as a last day
    would take in the next year's 1 April."""
    p = report.period
    return t(
        "Period: {start} to {end} ({zone}) · Figures as at: {now} · Rule pack: {pack}",
        start=p.start.date().isoformat(),
        end=(p.end.date() - timedelta(days=1)).isoformat(),
        zone=p.timezone,
        now=report.now.isoformat(timespec="minutes"),
        pack=report.pack,
    )


def _print(console: Console, report: IndicatorReport, t: Translator) -> None:
    console.print(Text(_heading(report, t), style="bold"))
    console.print(_meta(report, t))
    table = Table(t("Indicator"), t("Rule"), t("Value"))
    for v in report.values:
        table.add_row(t.pick(v.zh, v.en), v.rule or "-", figure(t, v))
    console.print(table)


def render_indicators_html(report: IndicatorReport, t: Translator) -> str:
    """The indicators as a complete, self-contained HTML5 page (no scripts, no links)."""
    heading = _heading(report, t)
    rows = [[_e(t.pick(v.zh, v.en)), _e(v.rule or "—"), _e(figure(t, v))] for v in report.values]
    body = [
        f'<header><h1>{_e(heading)}</h1><p class="meta">{_e(_meta(report, t))}</p></header>',
        _table([(t("Indicator"), False), (t("Rule"), False), (t("Value"), True)], rows),
        "<footer>"
        + _e(t("Generated by complaintcore. No complainant names, phones or room numbers (PRV-1)."))
        + "</footer>",
    ]
    html_lang = "zh-CN" if t.lang == "zh" else t.lang.replace("_", "-")
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(heading)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
