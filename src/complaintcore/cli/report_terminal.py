"""A monthly report as a compact dashboard for the terminal (``report --format table``).

Key figures first, then one row per deadline clock and per duty (started, met,
met late, breached, still open, on-time rate), the breakdowns by category,
department, grade and channel with counts and shares (side by side when the
terminal is wide enough), the warnings with their reasons, and, behind
``--staff``, the per-staff accountability table (one labelled block per person
where the table does not fit whole).  Everything in the reader's
language; no complainant's name, phone or room (PRV-1).  The CSV and JSON
formats carry every figure; this view leaves out what is zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.cells import cell_len
from rich.console import Console, Group, JustifyMethod, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from complaintcore.cli.fit import printed, wrap
from complaintcore.cli.report_html import OUTSTANDING_TITLE, report_warnings
from complaintcore.i18n import N_, Translator

if TYPE_CHECKING:
    from complaintcore.core.rulepack import RulePack
    from complaintcore.core.staff_report import StaffReport
    from complaintcore.core.stats import ClockFigures, Count, MonthlyReport
    from complaintcore.desk.ports import StaffDirectory

__all__ = ["CLOCK_HEAD", "DUTY_HEAD", "print_report", "print_staff"]

CLOCK_HEAD = (
    N_("Deadline"),
    N_("Rule"),
    N_("Started"),
    N_("Met"),
    N_("Met late"),
    N_("Breached"),
    N_("Still open"),
    N_("On time"),
)
"""The columns of the deadlines table: one row per clock."""

DUTY_HEAD = (
    N_("Duty"),
    N_("Rule"),
    N_("Started"),
    N_("Done in time"),
    N_("Done late"),
    N_("Overdue"),
    N_("Still owed"),
    N_("On time"),
)
"""The columns of the duties table: a duty is done, not met."""

_SIDE_BY_SIDE = 96
"""Terminal width from which two breakdowns are printed side by side."""
_LABEL_WIDTH = 32
"""Widest label column: a longer label is cut with an ellipsis."""
_MIN_LABEL = 12
"""Narrowest label column, however narrow the terminal."""
_FIGURE_WIDTH = 6
"""Narrowest figure column: "100.0%" and a rule id such as "VIS-2" fit whole."""


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _table(title: str, head: Sequence[str], numeric_from: int, room: int | None = None) -> Table:
    """``room``, the console's width: on a terminal narrower than the report's
    natural width the label column gives way, so that the figures stay whole."""
    table = Table(
        title=title,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
    )
    label = _LABEL_WIDTH
    narrow = room is not None and room < _SIDE_BY_SIDE
    headings = [_heading_lines(name) for name in head]
    if narrow:
        assert room is not None
        table.padding = (0, 0, 0, 1)  # one space and the divider between columns
        figures = sum(_column_width(lines) + 2 for lines in headings[1:])
        label = max(_MIN_LABEL, min(_LABEL_WIDTH, room - figures - 1))
    for i, name in enumerate(head):
        justify: JustifyMethod = "right" if i >= numeric_from else "left"
        if i == 0:  # long labels are cut, not wrapped: one row per clock, duty or item
            table.add_column(name, no_wrap=True, overflow="ellipsis", max_width=label)
        elif narrow:  # a word a line in the heading, and figures never cut
            table.add_column(
                "\n".join(headings[i]),
                justify=justify,
                no_wrap=True,
                min_width=_column_width(headings[i]),
            )
        else:
            table.add_column(name, justify=justify)
    return table


def _heading_lines(name: str) -> list[str]:
    """A narrow terminal's figure heading: whole when it fits a figure's width, else
    a word a line, or a Chinese heading, which has no spaces, halved (按时/完成):
    widths in terminal cells, where a Chinese character is two (review s34D F05)."""
    cells = cell_len(name)
    if cells <= _FIGURE_WIDTH:
        return [name]
    if " " in name or cells == len(name):  # no Chinese: a word is never split
        return name.split()
    room = -(-cells // 2)
    while len(lines := wrap(name, room)) > 2:
        room += 1
    return lines


def _column_width(lines: Sequence[str]) -> int:
    return max(_FIGURE_WIDTH, *(cell_len(line) for line in lines))


def _say_wrapped(console: Console, text: str, lead: str = "") -> None:
    """A line of prose within the terminal, wrapped under ``lead`` (Chinese between
    characters, never inside a number or an id)."""
    indent = cell_len(lead)
    for i, line in enumerate(wrap(text, console.width - indent)):
        console.print(Text((lead if i == 0 else " " * indent) + line), soft_wrap=False)


def _key_figures(t: Translator, r: MonthlyReport) -> Table:
    met = sum(c.met for c in r.clocks)
    stopped = sum(c.met + c.missed for c in r.clocks)
    valid = r.totals.valid_complaints
    imp = r.improvement
    cells = [
        (t("Received"), f"{r.totals.received}"),
        (t("Valid complaints"), f"{valid}"),
        (t("Closed / open"), f"{r.closed_count} / {r.open_count}"),
        (t("On-time rate"), _pct(met / stopped if stopped else None)),
        (t("Satisfaction rate"), _pct(r.satisfaction.rate)),
        (t("Escalated"), f"{r.escalated_complaints}"),
        (t("Causes analysed"), f"{imp.analysed} / {valid}"),
        # IMP-3: the repeats the section and its groups count (room and category as
        # at now), not the links made at intake (review s58R5 F02)
        (t("Repeat complaints"), f"{r.repeats.repeated}"),
        (t("Raised repeatedly"), f"{r.links.raised_repeatedly}"),
        (t("Closed by top-rung decision"), f"{r.closed_by_top_rung}"),
        (t("Visits not reaching the complainant"), f"{r.satisfaction.not_reached}"),
        (t("Major issues from visits"), f"{len(r.major_issues)}"),
    ]
    grid = Table.grid(padding=(0, 1))
    for _ in range(3):
        grid.add_column(justify="left")
        grid.add_column(justify="right")
        grid.add_column(justify="left", min_width=2)
    for row in range(0, len(cells), 3):
        line: list[str] = []
        for label, value in cells[row : row + 3]:
            line += [label, value, ""]
        grid.add_row(*line)
    return grid


def _figures_rows(t: Translator, table: Table, figures: Sequence[ClockFigures]) -> None:
    for c in figures:
        if not c.started:
            continue
        still = c.running + c.at_risk + c.paused + c.breached
        table.add_row(
            t.pick(c.zh, c.en),
            c.rule,
            str(c.started),
            str(c.met),
            str(c.missed),
            str(c.breached),
            str(still),
            _pct(c.on_time_rate),
        )


def _deadlines(t: Translator, r: MonthlyReport, room: int) -> Table:
    head = [t(h) for h in CLOCK_HEAD]
    table = _table(t("Deadlines (every record of the month)"), head, 2, room)
    _figures_rows(t, table, r.clocks)
    return table


def _duties(t: Translator, r: MonthlyReport, room: int) -> Table:
    table = _table(t("Duties and measures"), [t(h) for h in DUTY_HEAD], 2, room)
    _figures_rows(t, table, r.duties)
    m = r.improvement
    if m.opened:
        done = m.done + m.done_late
        table.add_row(
            t("corrective and preventive measures"),
            "IMP-1",
            str(m.opened),
            str(m.done),
            str(m.done_late),
            str(m.overdue),
            str(m.open + m.overdue),
            _pct(m.done / done if done else None),
        )
    return table


def _breakdown(t: Translator, title: str, counts: Sequence[Count]) -> Table:
    total = sum(c.count for c in counts)
    table = _table(title, [t("Item"), t("Count"), t("Share")], 1)
    for c in counts:
        if c.count:
            table.add_row(t.pick(c.zh, c.en), str(c.count), _pct(c.count / total))
    return table


def _pair(console: Console, left: Table, right: Table) -> RenderableType:
    if console.width < _SIDE_BY_SIDE:
        return Group(left, Text(""), right)
    grid = Table.grid(padding=(0, 4))
    grid.add_column(vertical="top")
    grid.add_column(vertical="top")
    grid.add_row(left, right)
    return grid


def print_report(
    console: Console,
    result: MonthlyReport,
    t: Translator,
    pack: RulePack | None = None,
    staff: StaffReport | None = None,
    directory: StaffDirectory | None = None,
) -> None:
    """IMP-2: the month as a dashboard, in ``t``'s language (see the module docstring)."""
    title = t(
        "Complaint statistics {period} · figures as at {now}",
        period=result.period.key,
        now=result.now.astimezone(result.period.start.tzinfo).isoformat(timespec="minutes"),
    )
    console.print(Text(title, style="bold"))
    console.print(_key_figures(t, result))
    _say_wrapped(
        console,
        t(
            "Of {received} received: {invalid} invalid, {unverified} not yet verified, "
            "{requests} service requests, {enquiries} enquiries (VAL-4).",
            received=result.totals.received,
            invalid=result.totals.invalid,
            unverified=result.totals.unverified,
            requests=result.totals.requests,
            enquiries=result.totals.enquiries,
        ),
    )
    console.print()
    console.print(_deadlines(t, result, console.width))
    console.print()
    if result.duties or result.improvement.opened:
        console.print(_duties(t, result, console.width))
        console.print()
    console.print(
        _pair(
            console,
            _breakdown(t, t("By category"), result.by_category),
            _breakdown(t, t("By responsible department"), result.by_department),
        )
    )
    console.print()
    console.print(
        _pair(
            console,
            _breakdown(t, t("By grade"), result.by_grade),
            _breakdown(t, t("By channel"), result.by_channel),
        )
    )
    console.print()
    warnings = report_warnings(t, result)
    console.print(Text(t("Warnings"), style="bold"))
    if warnings:
        for line in warnings:
            _say_wrapped(console, line, lead="- ")
    else:
        console.print(Text(t("No warnings this month.")))
    if staff is not None:
        console.print()
        print_staff(console, staff, t, directory)


_STAFF_LEGEND = N_(
    "Sanctions by grade, cards, warnings, points deducted and valid complaints, "
    "by staff member; zeros are left out."
)
"""Under the title of the per-person layout: what its labelled figures count."""


def print_staff(
    console: Console,
    staff: StaffReport,
    t: Translator,
    directory: StaffDirectory | None = None,
) -> None:
    """PEN-1, PEN-2: the month's per-staff table; names masked (PRV-1).

    Headings are never cut or wrapped (at 80 columns 重大 and 重要 both read
    ``重…``, review s33B F01): the table is printed when it fits whole, and one
    block per person, each figure with its full label, when it does not."""
    from complaintcore.core.models import Grade, mask
    from complaintcore.core.rulepack import Measure

    grades = (Grade.MAJOR, Grade.IMPORTANT, Grade.MINOR, Grade.INTERNAL)
    cards = (Measure.YELLOW_CARD, Measure.RED_CARD, Measure.BLACK_CARD)
    title = t("Accountability by staff member {period} (PEN-1, PEN-2)", period=staff.period)
    if not staff.rows:
        console.print(Text(t("No sanctions and no valid complaints about staff this month.")))
        return
    head = [
        t("Staff"),
        t("Name"),
        *(t.label(g) for g in grades),
        *(t.label(c) for c in cards),
        t.label(Measure.WARNING),
        t("Points"),
        t("Valid complaints"),
        t("Severe"),
    ]
    marker = t("to be handed to the company")
    rows: list[list[str]] = []
    for row in staff.rows:
        member = directory.get(row.staff_id) if directory is not None else None
        rows.append(
            [  # as printed, so the blocks below measure what the terminal shows
                printed(row.staff_id),
                printed(mask(member.name.split(" (")[0])) if member is not None else "",
                *(str(row.sanctioned(g) or "") for g in grades),
                *(str(row.carded(c) or "") for c in cards),
                str(row.warnings or ""),
                str(row.points or ""),
                str(row.complaints or ""),
                marker if row.severe else "",
            ]
        )
    table = _table(title, [], 2)
    for i, name in enumerate(head):
        table.add_column(name, justify="right" if 2 <= i < len(head) - 1 else "left", no_wrap=True)
    for cells in rows:
        table.add_row(*cells)
    natural = Measurement.get(console, console.options.update_width(_UNBOUNDED), table)
    if natural.maximum <= console.width:
        console.print(table)
        _print_outstanding(console, staff, t)
        return
    console.print(Text(title, style="bold"))
    console.print(Text(t(_STAFF_LEGEND)), soft_wrap=False)  # wrapped at words, not cut
    who = [" ".join(c for c in cells[:2] if c) for cells in rows]
    indent = max(cell_len(w) for w in who) + 2
    room = max(console.width - indent, 1)
    for person, cells in zip(who, rows, strict=True):
        figures = [
            f"{name} {value}" for name, value in zip(head[2:-1], cells[2:-1], strict=True) if value
        ]
        lines = _packed(figures, room)
        if cells[-1]:  # at words, under the figures: column 0 starts a person
            lines += _packed(t("Severe: {what}", what=cells[-1]).split(" "), room, gap=" ")
        for i, line in enumerate(lines or [""]):
            lead = person if i == 0 else ""
            text = Text(lead + " " * (indent - cell_len(lead)) + line, overflow="fold")
            console.print(text, soft_wrap=False)
    _print_outstanding(console, staff, t)


def _print_outstanding(console: Console, staff: StaffReport, t: Translator) -> None:
    """PEN-1, PEN-2: each complaint of the table whose grade's sanction is not
    recorded (none, or a lighter one before the grade rose), what was recorded and
    what its grade calls for (review s46L L02, s54R5 F02)."""
    owed = [o for row in staff.rows for o in row.outstanding]
    if not owed:
        return
    console.print(Text(t(OUTSTANDING_TITLE), style="bold"), soft_wrap=False)
    for o in owed:
        console.print(Text(t.sanction_outstanding(o, listed=True)), soft_wrap=False)


_UNBOUNDED = 10_000
"""Width to measure the staff table's natural width in: wider than any terminal."""


def _packed(items: Sequence[str], room: int, gap: str = " · ") -> list[str]:
    """``items`` as lines of at most ``room`` cells, an item never split across two
    unless it is wider than a line by itself (then cut into lines of ``room``)."""
    lines: list[str] = []
    for item in items:
        if lines and cell_len(lines[-1] + gap + item) <= room:
            lines[-1] += gap + item
        elif cell_len(item) <= room:
            lines.append(item)
        else:
            lines.extend(_cut(item, room))
    return lines


def _cut(text: str, room: int) -> list[str]:
    """``text`` in pieces of at most ``room`` cells (a wide character is two)."""
    pieces = [""]
    for char in text:
        if pieces[-1] and cell_len(pieces[-1] + char) > room:
            pieces.append("")
        pieces[-1] += char
    return pieces
