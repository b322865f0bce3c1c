"""``complaintcore report``: the monthly statistics as a dashboard, JSON, CSV or HTML.

``--staff`` adds the month's per-staff accountability table (PEN-1, PEN-2).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

import click

from complaintcore.cli.context import Ctx, MonthType, json_option, now_option, pass_ctx
from complaintcore.cli.report_indicators import (
    PeriodText,
    file_name,
    indicators,
    not_the_desks_own,
    write_indicators,
    write_output,
)
from complaintcore.cli.terminal import TerminalConsole
from complaintcore.core.spreadsheet import spreadsheet_safe
from complaintcore.i18n import N_

if TYPE_CHECKING:
    from complaintcore.core.accountability import OutstandingSanction
    from complaintcore.core.staff_report import StaffReport
    from complaintcore.core.stats import MonthlyReport

__all__ = ["FORMATS", "monthly", "report", "report_format", "staff_table", "write_report"]

FORMATS = ("table", "json", "csv", "html")


@click.command(
    help=N_(
        "Monthly statistics (IMP-1..4) as a dashboard, JSON, CSV or HTML, --staff adding "
        "the per-staff table (PEN); with --period, the rule pack's own indicators."
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
    callback=file_name,
    help=N_("Write to a file instead of standard output."),
)
@click.option(
    "--staff",
    is_flag=True,
    help=N_("Add the per-staff accountability table (PEN-1, PEN-2): sanctions, cards, points."),
)
@json_option
@now_option
@pass_ctx
def report(
    ctx: Ctx,
    month: tuple[int, int] | None,
    period: str | None,
    fmt: str | None,
    output: str | None,
    staff: bool,
) -> None:
    fmt = report_format(ctx, fmt)
    not_the_desks_own(ctx, output)
    if period is not None:
        for given, message in (
            (month is not None, N_("--month and --period cannot be used together")),
            (staff, N_("--staff goes with a monthly report, not with --period")),
        ):
            if given:
                raise click.UsageError(ctx.t(message), click.get_current_context())
        write_indicators(ctx, indicators(ctx, period), fmt, output)
        return
    result = monthly(ctx, month)
    write_report(ctx, result, fmt, output, staff=staff_table(ctx, result) if staff else None)


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


def monthly(ctx: Ctx, month: tuple[int, int] | None) -> MonthlyReport:
    """The report of ``month`` (default: the month of ``--now``), from the month's own
    rows (``Desk.monthly_report``).

    IMP-2: months are calendar months in the pack's time zone, so the default month
    is that of ``now`` read there, whatever offset ``--now`` was typed with
    (``2025-11-30T16:30Z`` is 1 December in Beijing)."""
    desk = ctx.desk()
    now = ctx.now()
    local = now.astimezone(ctx.zone())
    year, mon = month if month is not None else (local.year, local.month)
    return desk.monthly_report(year, mon, now=now, lang=ctx.report_lang)


def staff_table(ctx: Ctx, result: MonthlyReport) -> StaffReport:
    """PEN-1, PEN-2: the per-staff table of the report's month (``Desk.staff_report``)."""
    return ctx.desk().staff_report(result.period.year, result.period.month, now=result.now)


def write_report(
    ctx: Ctx,
    result: MonthlyReport,
    fmt: str,
    output: str | None,
    extra: Mapping[str, object] | None = None,
    staff: StaffReport | None = None,
) -> None:
    """Print or write ``result`` (and ``staff``); ``extra`` members are added to the JSON."""
    from complaintcore.core import stats

    desk = ctx.desk()
    if fmt == "table":
        if output is None:
            from complaintcore.cli.report_terminal import print_report

            print_report(ctx.out, result, ctx.tr, desk.pack, staff, ctx.directory())
            return
        text = _table_text(ctx, result, staff)
    elif fmt == "json":
        more = {} if staff is None else {"staff": staff_json(staff)}
        text = json.dumps(
            {**stats.to_json_dict(result), **more, **(extra or {})}, ensure_ascii=False, indent=1
        )
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(stats.ROW_FIELDS))
        writer.writeheader()
        # no cell may run as a formula (CSV injection): to_rows' cells are safe already
        # and pass unchanged (a cell starting with ' is never quoted again); the
        # staff rows and anything else written here are made safe the same way
        safe = spreadsheet_safe
        writer.writerows({k: safe(v) for k, v in row.items()} for row in stats.to_rows(result))
        if staff is not None:
            writer.writerows({k: safe(v) for k, v in row.items()} for row in staff_rows(staff))
        text = buffer.getvalue()
    else:
        from complaintcore.cli.report_html import render_html

        text = render_html(result, desk.pack, lang=ctx.lang, staff=staff, directory=ctx.directory())
    write_output(ctx, text, fmt, output)


def _table_text(ctx: Ctx, result: MonthlyReport, staff: StaffReport | None) -> str:
    from complaintcore.cli.report_terminal import print_report

    buffer = io.StringIO()
    console = TerminalConsole(file=buffer, width=120, color_system=None, markup=False, emoji=False)
    desk = ctx.desk()
    print_report(console, result, ctx.tr, desk.pack, staff, ctx.directory())
    return buffer.getvalue()


def staff_json(staff: StaffReport) -> dict[str, object]:
    """The per-staff table as JSON-ready data: staff by id, no names (PRV-1)."""
    return {
        "period": staff.period,
        "rows": [
            {
                "staff_id": r.staff_id,
                "sanctions": {g.value: n for g, n in r.sanctions},
                "cards": {c.value: n for c, n in r.cards},
                "warnings": r.warnings,
                "points": r.points,
                "complaints": r.complaints,
                "complaint_ids": list(r.complaint_ids),
                "severe": r.severe,
                "reasons": list(r.reasons),
                # PEN-2: its grade's sanction not recorded (none, or graded up since); not counted
                "outstanding": [
                    {"complaint_id": o.complaint_id, **_outstanding(o)} for o in r.outstanding
                ],
            }
            for r in staff.rows
        ],
    }


def _outstanding(owed: OutstandingSanction) -> dict[str, object]:
    """PEN-2: an outstanding sanction's codes, without the staff id its row names."""
    from complaintcore.cli.listing import outstanding_json

    found = outstanding_json(owed)
    assert found is not None
    return {k: v for k, v in found.items() if k != "staff_id"}


def staff_rows(staff: StaffReport) -> list[dict[str, str | int | float | None]]:
    """The per-staff table as CSV rows of the report's columns (section ``staff``)."""
    rows: list[dict[str, str | int | float | None]] = []
    for r in staff.rows:
        figures = {
            **{f"sanctions_{g.value}": n for g, n in r.sanctions},
            **{c.value: n for c, n in r.cards},
            **({"warnings": r.warnings} if r.warnings else {}),
            "points": r.points,
            "complaints": r.complaints,
            "severe": int(r.severe),
            **({"outstanding": len(r.outstanding)} if r.outstanding else {}),
        }
        details = {
            "severe": " ".join(r.reasons),
            "outstanding": " ".join(o.complaint_id for o in r.outstanding),
        }
        for metric, value in figures.items():
            rows.append(
                {
                    "period": staff.period,
                    "section": "staff",
                    "key": r.staff_id,
                    "label_zh": r.staff_id,
                    "label_en": r.staff_id,
                    "label": r.staff_id,
                    "metric": metric,
                    "value": value,
                    "detail": details.get(metric, ""),
                }
            )
    return rows
