"""A monthly report as rich tables for the terminal (``report --format table``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from complaintcore.cli.report_html import SECTIONS
from complaintcore.i18n import N_, Translator

if TYPE_CHECKING:
    from complaintcore.core.rulepack import RulePack
    from complaintcore.core.stats import MonthlyReport

__all__ = ["DUTY_METRICS", "METRICS", "print_report"]

ROWS_PER_SECTION = 40
"""Longer sections (e.g. every repeat) are cut; the CSV and JSON formats have them all."""

METRICS = {
    "count": N_("Count"),
    "value": N_("Value"),
    "complaints": N_("Complaints"),
    "received": N_("Received"),
    "valid_complaints": N_("Valid complaints"),
    "started": N_("Started"),
    "met": N_("Met"),
    "missed": N_("Met late"),
    "running": N_("Running"),
    "at_risk": N_("At risk"),
    "paused": N_("Paused"),
    "breached": N_("Breached"),
    "on_time_rate": N_("On-time rate"),
    "strict_rate": N_("Strict rate"),
}
"""What a row's value is, for people."""

DUTY_METRICS = {
    **METRICS,
    "met": N_("Done in time"),
    "missed": N_("Done late"),
    "breached": N_("Overdue"),
}
"""A duty is done, not met: its rows read so (the ``duties`` section)."""


def print_report(
    console: Console, result: MonthlyReport, t: Translator, pack: RulePack | None = None
) -> None:
    """One table per section of :func:`complaintcore.core.stats.to_rows`, in ``t``'s language."""
    from complaintcore.core import stats

    sections: dict[str, list[dict[str, Any]]] = {}
    for row in stats.to_rows(result):
        sections.setdefault(str(row["section"]), []).append(dict(row))
    trends = iter(result.trends)
    console.print(Text(t("Complaint statistics {period}", period=result.period.key), style="bold"))
    for section, rows in sections.items():
        title = SECTIONS.get(section)
        table = Table(title=t(title) if title else section, show_header=True)
        table.add_column(t("Item"))
        table.add_column(t("Metric"))
        table.add_column(t("Value"), justify="right")
        table.add_column(t("Detail"))
        for row in rows[:ROWS_PER_SECTION]:
            names = DUTY_METRICS if section == "duties" else METRICS
            metric = names.get(str(row["metric"]))
            detail = str(row["detail"] or "")
            if section == "trends":
                detail = _trend_detail(t, next(trends))
            table.add_row(
                t.pick(str(row["label_zh"]), str(row["label_en"])),
                t(metric) if metric else str(row["metric"]),
                _value(row["value"]),
                detail[:60],
            )
        console.print(table)


def _value(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1%}"
    return str(value)


def _trend_detail(t: Translator, flag: Any) -> str:
    from complaintcore.core.stats import LABELS

    zh, en = LABELS.get(flag.dimension, (flag.dimension, flag.dimension))
    previous = " / ".join(str(n) for n in flag.previous)
    if flag.new:
        return t(
            "{dimension}: new (previous months {previous})",
            dimension=t.pick(zh, en),
            previous=previous,
        )
    return t(
        "{dimension}: previous months {previous}, average {baseline:.2f}",
        dimension=t.pick(zh, en),
        previous=previous,
        baseline=flag.baseline,
    )
