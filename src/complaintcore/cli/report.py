"""``complaintcore report``: the monthly statistics as a table, JSON, CSV or HTML."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console

from complaintcore.cli.context import Ctx, MonthType, json_option, pass_ctx
from complaintcore.cli.report_indicators import PeriodText, indicators, write_indicators
from complaintcore.i18n import N_

if TYPE_CHECKING:
    from complaintcore.core.stats import MonthlyReport, TrendRule

__all__ = ["FORMATS", "monthly", "report", "report_format", "write_report"]

FORMATS = ("table", "json", "csv", "html")


@click.command(
    help=N_(
        "Monthly statistics (IMP-2, IMP-3, IMP-4) as a table, JSON, CSV or HTML; "
        "with --period, the rule pack's own indicators (an ombudsman's figures)."
    )
)
@click.option("--month", type=MonthType(), default=None, help=N_("Default: the current month."))
@click.option(
    "--period",
    type=PeriodText(),
    default=None,
    help=N_(
        "The pack's indicators for a year, quarter, month or range: "
        "2025, 2025-Q1, 2025-11, 2025-04..2026-03."
    ),
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS, case_sensitive=False),
    default=None,
    help=N_("Output format  [default: table; --json is --format json]."),
)
@click.option(
    "--output",
    "output",
    default=None,
    type=click.Path(dir_okay=False),
    help=N_("Write to a file instead of standard output."),
)
@json_option
@pass_ctx
def report(
    ctx: Ctx,
    month: tuple[int, int] | None,
    period: str | None,
    fmt: str | None,
    output: str | None,
) -> None:
    fmt = report_format(ctx, fmt)
    if period is not None:
        if month is not None:
            raise click.UsageError(
                ctx.t("--month and --period cannot be used together"),
                click.get_current_context(),
            )
        write_indicators(ctx, indicators(ctx, period), fmt, output)
        return
    write_report(ctx, monthly(ctx, month), fmt, output)


def report_format(ctx: Ctx, fmt: str | None) -> str:
    """``--json`` is ``--format json``; the two together must agree."""
    if ctx.json:
        if fmt not in (None, "json"):
            raise click.UsageError(
                ctx.t("--json and --format {fmt} cannot be used together", fmt=fmt),
                click.get_current_context(),
            )
        return "json"
    if fmt == "json":
        ctx.json = True
    return fmt or "table"


def monthly(
    ctx: Ctx, month: tuple[int, int] | None, trend_rule: TrendRule | None = None
) -> MonthlyReport:
    """The report of ``month`` (default: the month of ``--now``), from the month's own
    rows (``Desk.monthly_report``)."""
    desk = ctx.desk()
    now = ctx.now()
    year, mon = month if month is not None else (now.year, now.month)
    return desk.monthly_report(year, mon, now=now, lang=ctx.report_lang, trend_rule=trend_rule)


def write_report(
    ctx: Ctx,
    result: MonthlyReport,
    fmt: str,
    output: str | None,
    extra: Mapping[str, object] | None = None,
) -> None:
    """Print or write ``result``; ``extra`` members are added to the JSON document."""
    from complaintcore.core import stats

    if fmt == "table":
        if output is None:
            from complaintcore.cli.report_terminal import print_report

            print_report(ctx.out, result, ctx.tr, ctx.desk().pack)
            return
        text = _table_text(ctx, result)
    elif fmt == "json":
        text = json.dumps(
            {**stats.to_json_dict(result), **(extra or {})}, ensure_ascii=False, indent=1
        )
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(stats.ROW_FIELDS))
        writer.writeheader()
        writer.writerows(stats.to_rows(result))
        text = buffer.getvalue()
    else:
        from complaintcore.cli.report_html import render_html

        text = render_html(result, ctx.desk().pack, lang=ctx.lang)
    if output is None:
        click.echo(text)
        return
    Path(output).write_text(text, encoding="utf-8")
    if ctx.json:
        ctx.emit({"written": output, "format": fmt})
    else:
        ctx.say(ctx.t("wrote {path}", path=output))


def _table_text(ctx: Ctx, result: MonthlyReport) -> str:
    from complaintcore.cli.report_terminal import print_report

    buffer = io.StringIO()
    console = Console(file=buffer, width=120, color_system=None, markup=False, emoji=False)
    print_report(console, result, ctx.tr, ctx.desk().pack)
    return buffer.getvalue()
