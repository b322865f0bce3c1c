"""A monthly report as rich tables for the terminal (``report --format table``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from complaintcore.cli.text import tr

if TYPE_CHECKING:
    from complaintcore.core.stats import MonthlyReport

__all__ = ["print_report"]

ROWS_PER_SECTION = 40
"""Longer sections (e.g. every repeat) are cut; the CSV and JSON formats have them all."""


def print_report(console: Console, result: MonthlyReport, lang: str) -> None:
    """One table per section of :func:`complaintcore.core.stats.to_rows`."""
    from complaintcore.core import stats

    sections: dict[str, list[dict[str, Any]]] = {}
    for row in stats.to_rows(result):
        sections.setdefault(str(row["section"]), []).append(dict(row))
    console.print(Text(tr(lang, "report_title", period=result.period.key), style="bold"))
    for section, rows in sections.items():
        table = Table(title=section, show_header=True)
        table.add_column(tr(lang, "col_item"))
        table.add_column(tr(lang, "col_metric"))
        table.add_column(tr(lang, "col_value"), justify="right")
        table.add_column(tr(lang, "col_detail"))
        for row in rows[:ROWS_PER_SECTION]:
            value = row["value"]
            shown = f"{value:.1%}" if isinstance(value, float) else str(value)
            table.add_row(str(row["label"]), str(row["metric"]), shown, str(row["detail"])[:60])
        console.print(table)
