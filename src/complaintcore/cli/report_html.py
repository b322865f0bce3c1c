"""A monthly report as one self-contained HTML page (IMP-1..4, PEN-1, PEN-2).

:func:`render_html` turns a :class:`~complaintcore.core.stats.MonthlyReport` into a
complete HTML5 document: inline CSS, inline SVG bar and control charts, no
JavaScript, no
fonts, images or style sheets fetched from anywhere, so the file can be mailed,
archived or opened offline.  Labels are Chinese or English (``lang``); every
piece of text is escaped with :func:`html.escape`.  The function does no I/O:
it returns a string and the caller writes it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from complaintcore.core.errors import InvalidInputError
from complaintcore.core.rulepack import RulePack
from complaintcore.core.stats import LABELS, Count, MonthlyReport
from complaintcore.i18n import N_, Translator, available_languages, resolve_language, translator

if TYPE_CHECKING:
    from complaintcore.core.staff_report import StaffReport
    from complaintcore.core.warnings import ControlWarning, Judgement
    from complaintcore.desk.ports import StaffDirectory

__all__ = ["OUTSTANDING_TITLE", "SECTIONS", "render_html", "report_warnings"]

_MONTHS = (
    N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
    N_("July"), N_("August"), N_("September"), N_("October"), N_("November"), N_("December"),
)  # fmt: skip

SECTIONS = {
    "totals": N_("What was received (VAL-4)"),
    "by_category": N_("By category"),
    "by_grade": N_("By grade"),
    "by_department": N_("By responsible department"),
    "by_channel": N_("By channel"),
    "by_site": N_("By site"),
    "by_building": N_("By building"),
    "by_cause": N_("By cause (hardware / software)"),
    "status": N_("Closed / open"),
    "escalations": N_("Escalations by trigger"),
    "clocks": N_("Timeliness"),
    "duties": N_("Duties"),
    "satisfaction": N_("Return-visit satisfaction"),
    "reopened": N_("Complaints reopened"),
    "escalated": N_("Complaints escalated"),
    "repeats": N_("Repeat complaints (IMP-3)"),
    "repeat_groups": N_("Repeat groups"),
    "history": N_("Recent months (valid complaints)"),
    "warnings": N_("Early warning (IMP-4)"),
    "improvement": N_("Cause analysis and measures (IMP-1)"),
    "links": N_("Repeats linked at intake (IMP-3)"),
    "staff": N_("Accountability by staff member (PEN-1, PEN-2)"),
}
"""Titles of a report's sections, by their keys in :func:`complaintcore.core.stats.to_rows`."""

_TOTALS_NOTE = N_(
    "Only complaints verified as valid count as complaints; service requests, enquiries, "
    "invalid and unverified records are counted apart."
)
_TIMELINESS_NOTE = N_(
    "On-time rate = met ÷ (met + met late); the strict rate also counts clocks still "
    "running past their due time as late. Counts every registered record received in "
    "the month."
)
_DUTIES_NOTE = N_(
    "What someone owed on the month's complaints and did by its deadline: an apology "
    "after a broken promise (DL-5), a report to the leader (REC-2), a written report, a "
    "visit to the site, head office's call back (IN-6). Still owed counts those not "
    "done yet, overdue ones included."
)
_REPEATS_NOTE = N_(
    "Valid complaints by the same complainant (phone) or about the same room and "
    "category, each within {days} days of the one before; listed by complaint id only."
)
_LINKS_NOTE = N_(
    "Linked when received: earlier complaints by the same complainant or about the same "
    "room (within {window}), or about the same building and category as received "
    "(within {matter}); "
    "a link counts only when the earlier record is a valid complaint (VAL-4). A customer "
    "who raises one matter {threshold} times has raised it repeatedly (GRD-2)."
)
_WARNING_NOTE = N_(
    "A series (building, category, department, site) warns when this month's valid "
    "complaints reach its upper control limit: the count a steady series reaches with "
    "probability {rate} in a month, given its mean over the previous {months} months that "
    "have data (at least {min_months}), and at least {min_count}. Finer series are judged "
    "first, so one rise is one warning."
)
_IMPROVEMENT_NOTE = N_(
    "Valid complaints of the month with their cause analysed, and the corrective and "
    "preventive measures recorded on them: each has an owner and a due date and is "
    "watched until done."
)
_STAFF_NOTE = N_(
    "Sanctions of the complaints received in the month (whenever recorded) by grade and "
    "card, evaluation points deducted, and valid complaints about each person received in "
    "the month. Severe cases are to be handed to the company (a severe sanction is reported to "
    "it when recorded; a month at the points or complaints limit, once, by a sanction that "
    "finds it there). Staff by id; names masked."
)

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 980px; padding: 24px 20px 48px; color: #1f2933;
  background: #fff; line-height: 1.5; font-size: 14px;
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
    "Hiragino Sans GB", "WenQuanYi Micro Hei", sans-serif; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #d9e2ec; }
p.meta, p.note { color: #52606d; margin: 4px 0 10px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
.card { flex: 1 1 140px; border: 1px solid #d9e2ec; border-radius: 6px; padding: 10px 12px; }
.card .v { font-size: 22px; font-weight: 700; }
.card .k { color: #52606d; font-size: 12px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { border: 1px solid #d9e2ec; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f0f4f8; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
ul.warnings { margin: 6px 0; padding-left: 20px; }
ul.warnings li { color: #9b1c1c; margin: 2px 0; }
.ok { color: #2f6f3e; }
svg { display: block; max-width: 100%; height: auto; margin: 6px 0; }
svg text { font-size: 12px; fill: #1f2933; }
svg .bar { fill: #3b82c4; }
svg .bar2 { fill: #b6d2ec; }
svg .axis { stroke: #9aa5b1; stroke-width: 1; }
svg .mean { stroke: #2f6f3e; stroke-width: 1.5; stroke-dasharray: 6 4; }
svg .ucl { stroke: #b42318; stroke-width: 1.5; stroke-dasharray: 2 3; }
svg .line { stroke: #3b82c4; stroke-width: 2; fill: none; }
svg .dot { fill: #3b82c4; }
svg .hot { fill: #b42318; }
svg .muted { fill: #7b8794; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 0 24px; }
@media (max-width: 760px) { .charts { grid-template-columns: 1fr; } }
.severe { color: #9b1c1c; font-weight: 600; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0 24px; }
@media (max-width: 760px) { .grid { grid-template-columns: 1fr; } }
@media print {
  body { max-width: none; } h2 { break-after: avoid; } svg, table { break-inside: avoid; }
}
footer { margin-top: 32px; color: #7b8794; font-size: 12px; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _num(n: int) -> str:
    return f"{n:,}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _clip(text: str, width: int) -> str:
    """Shorten a chart label to about ``width`` columns (CJK counts double)."""
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0x2E80 else 1
        if used > width:
            return text[: max(i - 1, 1)] + "…"
    return text


# --------------------------------------------------------------------------- charts


def _bar_chart(items: Sequence[tuple[str, int]], caption: str) -> str:
    """Horizontal bars: label, bar, value; inline SVG, no script."""
    row, top, label_w, bar_w, width = 24, 6, 190, 380, 640
    height = top * 2 + row * max(len(items), 1)
    peak = max((v for _, v in items), default=0) or 1
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{_e(caption)}"><title>{_e(caption)}</title>',
        f'<line class="axis" x1="{label_w}" y1="{top}" x2="{label_w}" y2="{height - top}"></line>',
    ]
    for i, (label, value) in enumerate(items):
        y = top + i * row
        w = round(bar_w * value / peak, 1)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end">{_e(_clip(label, 28))}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 4}" width="{w}" height="16"></rect>'
            f'<text x="{label_w + w + 6}" y="{y + 16}">{_num(value)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------- tables


def _table(head: Sequence[tuple[str, bool]], rows: Sequence[Sequence[str]]) -> str:
    """``head`` is (text, numeric); cells are already escaped."""
    th = "".join(f'<th class="n">{_e(t)}</th>' if n else f"<th>{_e(t)}</th>" for t, n in head)
    body = []
    for cells in rows:
        tds = "".join(
            f'<td class="n">{c}</td>' if head[i][1] else f"<td>{c}</td>"
            for i, c in enumerate(cells)
        )
        body.append(f"<tr>{tds}</tr>")
    return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _count_table(t: Translator, counts: Sequence[Count]) -> str:
    total = sum(c.count for c in counts)
    rows = [
        (_e(t.pick(c.zh, c.en)), _num(c.count), _pct(c.count / total if total else None))
        for c in counts
    ]
    return _table([(t("Item"), False), (t("Count"), True), (t("Share"), True)], rows)


def _breakdown(t: Translator, key: str, counts: Sequence[Count], chart: bool = True) -> str:
    title = _title(t, key)
    out = [f'<section id="{_e(key)}"><h2>{_e(title)}</h2>']
    if chart:
        out.append(_bar_chart([(t.pick(c.zh, c.en), c.count) for c in counts], title))
    out.append(_count_table(t, counts))
    out.append("</section>")
    return "".join(out)


# --------------------------------------------------------------------------- sections


def _title(t: Translator, key: str) -> str:
    """A section's title (:data:`SECTIONS`) in ``t``'s language."""
    return t(SECTIONS[key])


def _open(key: str, title: str) -> str:
    return f'<section id="{_e(key)}"><h2>{_e(title)}</h2>'


def _section(key: str, title: str, *parts: str) -> str:
    """A section: its heading, then parts that are already HTML."""
    return _open(key, title) + "".join(parts) + "</section>"


def _note(text: str) -> str:
    return f'<p class="note">{_e(text)}</p>'


def _ok(text: str) -> str:
    return f'<p class="ok">{_e(text)}</p>'


def _dimension_label(t: Translator, dim: str) -> str:
    zh, en = LABELS[dim]
    return t.pick(zh, en)


def _series_label(t: Translator, w: ControlWarning) -> str:
    return t(
        "{dim} “{label}”",
        dim=_dimension_label(t, w.dimension),
        label=t.pick(w.zh, w.en),
    )


def report_warnings(t: Translator, report: MonthlyReport) -> list[str]:
    """What a manager should act on this month, each with its reason (both reports).

    IMP-4 control-limit warnings (observed, expected, limit); deadlines past due
    and still open (DL-7); duties and measures overdue (IMP-1); complaints raised
    repeatedly (GRD-2).
    """
    items = []
    for w in report.warnings:
        items.append(
            t(
                "{series}: {observed} valid complaints, {expected} expected, "
                "control limit {limit} (IMP-4)",
                series=_series_label(t, w),
                observed=w.observed,
                expected=f"{w.expected:.1f}",
                limit=w.limit,
            )
        )
    for c in report.clocks:
        if c.breached:
            items.append(
                t("“{label}”: {n} breached and still open", label=t.pick(c.zh, c.en), n=c.breached)
            )
    for d in report.duties:
        if d.breached:
            items.append(
                t(
                    "duty “{label}”: {n} overdue and still owed",
                    label=t.pick(d.zh, d.en),
                    n=d.breached,
                )
            )
    if report.improvement.overdue:
        items.append(
            t(
                "{n} corrective or preventive measure(s) overdue (IMP-1)",
                n=report.improvement.overdue,
            )
        )
    if report.links.raised_repeatedly:
        items.append(
            t(
                "{n} valid complaint(s) raised repeatedly without a fix (GRD-2)",
                n=report.links.raised_repeatedly,
            )
        )
    return items


def _cards(t: Translator, report: MonthlyReport) -> str:
    totals = report.totals
    met = sum(c.met for c in report.clocks)
    stopped = sum(c.met + c.missed for c in report.clocks)
    cards = [
        (t("Received"), _num(totals.received)),
        (t("Valid complaints"), _num(totals.valid_complaints)),
        (t("Closed / open"), f"{_num(report.closed_count)} / {_num(report.open_count)}"),
        (t("On-time rate (all deadlines)"), _pct(met / stopped if stopped else None)),
        (t("Satisfaction rate"), _pct(report.satisfaction.rate)),
        (
            t("Causes analysed"),
            f"{_num(report.improvement.analysed)} / {_num(totals.valid_complaints)}",
        ),
        (t("Repeat complaints"), _num(report.repeats.repeated)),  # IMP-3 (s58R5 F02)
        (t("Breached"), _num(report.breached)),
    ]
    body = "".join(
        f'<div class="card"><div class="v">{_e(v)}</div><div class="k">{_e(k)}</div></div>'
        for k, v in cards
    )
    return f'<div class="cards">{body}</div>'


def _timeliness(t: Translator, report: MonthlyReport) -> str:
    rows = [
        (
            _e(t.pick(c.zh, c.en)),
            _e(c.rule),
            _num(c.started),
            _num(c.met),
            _num(c.missed),
            _num(c.breached),
            _num(c.running + c.at_risk + c.paused),
            _pct(c.on_time_rate),
            _pct(c.strict_rate),
        )
        for c in report.clocks
    ]
    head = [
        (t("Deadline"), False),
        (t("Rule"), False),
        (t("Started"), True),
        (t("Met"), True),
        (t("Met late"), True),
        (t("Breached"), True),
        (t("Running"), True),
        (t("On-time rate"), True),
        (t("Strict rate"), True),
    ]
    return _section(
        "timeliness", _title(t, "clocks"), _note(t(_TIMELINESS_NOTE)), _table(head, rows)
    )


def _duties(t: Translator, report: MonthlyReport) -> str:
    """Started, done in time, done late and still owed, per duty of the pack."""
    rows = [
        (
            _e(t.pick(d.zh, d.en)),
            _e(d.rule),
            _num(d.started),
            _num(d.met),
            _num(d.missed),
            _num(d.breached),
            _num(d.running + d.at_risk + d.paused + d.breached),
            _pct(d.on_time_rate),
        )
        for d in report.duties
    ]
    head = [
        (t("Duty"), False),
        (t("Rule"), False),
        (t("Started"), True),
        (t("Done in time"), True),
        (t("Done late"), True),
        (t("Overdue"), True),
        (t("Still owed"), True),
        (t("On-time rate"), True),
    ]
    return _section("duties", _title(t, "duties"), _note(t(_DUTIES_NOTE)), _table(head, rows))


def _satisfaction(t: Translator, report: MonthlyReport) -> str:
    s = report.satisfaction
    rows = [
        (_e(t("Return visits")), _num(s.visits)),
        (_e(t("Satisfied visits")), _num(s.satisfied)),
        (_e(t("Satisfaction rate")), _pct(s.rate)),
        (_e(t("Complaints visited")), _num(s.visited_complaints)),
        (_e(t("First-visit satisfaction")), _pct(s.first_visit_rate)),
        (_e(t("Visits not reaching the complainant")), _num(s.not_reached)),
        (_e(t("Closed by top-rung decision")), _num(report.closed_by_top_rung)),
        (_e(t("Major issues from visits")), _num(len(report.major_issues))),
    ]
    head = [(t("Item"), False), (t("Count"), True)]
    return _section("satisfaction", _title(t, "satisfaction"), _table(head, rows))


def _escalations(t: Translator, report: MonthlyReport) -> str:
    summary = [
        (_e(t("Complaints escalated")), _num(report.escalated_complaints)),
        (_e(t("Complaints reopened")), _num(report.reopened)),
        (_e(t("Reopenings")), _num(report.reopen_events)),
    ]
    triggers = [(_e(t.pick(c.zh, c.en)), _num(c.count)) for c in report.escalations]
    return _section(
        "escalations",
        t("Escalations and reopenings"),
        _table([(t("Item"), False), (t("Count"), True)], summary),
        _table([(t("Trigger"), False), (t("Count"), True)], triggers),
    )


def _repeats(t: Translator, report: MonthlyReport) -> str:
    r = report.repeats
    out = [
        _open("repeats", _title(t, "repeats")),
        _note(t(_REPEATS_NOTE, days=r.lookback_days)),
        _table(
            [(t("Item"), False), (t("Count"), True)],
            [
                (_e(t("Repeat groups")), _num(len(r.groups))),
                (_e(t("Complaints in groups")), _num(r.complaints)),
                (_e(t("Repeats this month")), _num(r.repeated)),
            ],
        ),
    ]
    if r.groups:
        rows = [
            (
                _e(g.group_id),
                _e(" ".join(g.ids)),
                _e(t.pick("、", ", ").join(t.pick(*LABELS[x]) for x in g.reasons)),
                _num(g.in_month),
            )
            for g in r.groups
        ]
        head = [
            (t("Group"), False),
            (t("Complaint ids"), False),
            (t("Linked by"), False),
            (t("This month"), True),
        ]
        out.append(_table(head, rows))
    else:
        out.append(_ok(t("No repeat complaints.")))
    out.append("</section>")
    return "".join(out)


def _control_chart(
    points: Sequence[tuple[str, int]],
    expected: float | None,
    limit: int | None,
    caption: str,
    legend: tuple[str, str, str],
) -> str:
    """A control chart: monthly counts (the last one judged), the mean and the upper
    control limit as horizontal lines; inline SVG, no script."""
    width, height, left, bottom, top, right = 640, 220, 40, 36, 30, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([v for _m, v in points] + [limit or 0, 1]) * 1.1
    step = plot_w / max(len(points) - 1, 1)

    def y(v: float) -> float:
        return round(height - bottom - plot_h * v / peak, 1)

    def x(i: int) -> float:
        return round(left + (i * step if len(points) > 1 else plot_w / 2), 1)

    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{_e(caption)}"><title>{_e(caption)}</title>',
        f'<line class="axis" x1="{left}" y1="{height - bottom}" x2="{width - right}" '
        f'y2="{height - bottom}"></line>',
        f'<circle class="dot" cx="{left + 6}" cy="12" r="4"></circle>'
        f'<text x="{left + 14}" y="16">{_e(legend[0])}</text>'
        f'<line class="mean" x1="{left + 190}" y1="12" x2="{left + 214}" y2="12"></line>'
        f'<text x="{left + 220}" y="16">{_e(legend[1])}</text>'
        f'<line class="ucl" x1="{left + 380}" y1="12" x2="{left + 404}" y2="12"></line>'
        f'<text x="{left + 410}" y="16">{_e(legend[2])}</text>',
    ]
    for value, cls in ((expected, "mean"), (limit, "ucl")):
        if value is not None:
            shown = f"{value:.1f}" if cls == "mean" else str(value)
            parts.append(
                f'<line class="{cls}" x1="{left}" y1="{y(value)}" x2="{width - right}" '
                f'y2="{y(value)}"></line>'
                f'<text class="muted" x="{width - right + 6}" y="{y(value) + 4}">'
                f"{_e(shown)}</text>"
            )
    path = " ".join(f"{x(i)},{y(v)}" for i, (_m, v) in enumerate(points))
    parts.append(f'<polyline class="line" points="{path}"></polyline>')
    last = len(points) - 1
    labels_every = max(1, round(len(points) / 8))
    for i, (month, value) in enumerate(points):
        hot = i == last and limit is not None and value >= limit
        parts.append(
            f'<circle class="{"hot" if hot else "dot"}" cx="{x(i)}" cy="{y(value)}" r="4">'
            f'</circle><text x="{x(i)}" y="{y(value) - 8}" text-anchor="middle">'
            f"{_num(value)}</text>"
        )
        if i % labels_every == 0 or i == last:
            parts.append(
                f'<text x="{x(i)}" y="{height - bottom + 18}" text-anchor="middle">'
                f"{_e(month)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _legend(t: Translator) -> tuple[str, str, str]:
    return (t("Valid complaints"), t("Expected (mean)"), t("Upper control limit"))


def _early_warning(t: Translator, report: MonthlyReport) -> str:
    rule = report.warning_rule
    note = t(
        _WARNING_NOTE,
        rate=f"{rule.false_alarm_rate:.2%}",
        months=rule.baseline_months,
        min_months=rule.min_baseline_months,
        min_count=rule.min_count,
    )
    out = [_open("rising", _title(t, "warnings")) + _note(note)]
    if report.warnings:
        rows = [
            (
                _e(_series_label(t, w)),
                _num(w.observed),
                _e(f"{w.expected:.1f}"),
                _num(w.limit),
                _e(f"{w.probability:.1g}"),
                _e(" / ".join(str(n) for n in w.baseline)),
            )
            for w in report.warnings
        ]
        head = [
            (t("Series"), False),
            (t("This month"), True),
            (t("Expected"), True),
            (t("Limit"), True),
            (t("Probability"), True),
            (t("Baseline months"), True),
        ]
        out.append(_table(head, rows))
        charts = [
            _control_chart(
                [*zip(w.months, w.baseline, strict=True), (report.period.key, w.observed)],
                w.expected,
                w.limit,
                _series_label(t, w),
                _legend(t),
            )
            for w in report.warnings
        ]
        out.append('<div class="charts">' + "".join(charts) + "</div>")
    else:
        out.append(_ok(t("No series reached its control limit.")))
    out.append("</section>")
    return "".join(out)


def _history(t: Translator, report: MonthlyReport) -> str:
    """The desk's valid complaints month by month as a control chart (IMP-4)."""
    control: Judgement | None = report.control
    points = [(m.period, m.valid_complaints) for m in report.history if m.received]
    chart = _control_chart(
        points,
        control.expected if control is not None else None,
        control.limit if control is not None else None,
        t("Recent months (valid complaints)"),
        _legend(t),
    )
    rows = [
        (_e(m.period), _num(m.received), _num(m.valid_complaints))
        for m in report.history
        if m.received
    ]
    head = [(t("Month"), False), (t("Received"), True), (t("Valid complaints"), True)]
    title = _e(_title(t, "history"))
    return f'<section id="trend"><h2>{title}</h2>{chart}{_table(head, rows)}</section>'


def _improvement(t: Translator, report: MonthlyReport) -> str:
    m = report.improvement
    rows = [
        (_e(t("Causes analysed")), _num(m.analysed)),
        (_e(t("Closed with the cause analysed")), _num(m.closed_analysed)),
        (_e(t("Measures recorded")), _num(m.opened)),
        (_e(t("Corrective measures")), _num(m.corrective)),
        (_e(t("Preventive measures")), _num(m.preventive)),
        (_e(t("Done in time")), _num(m.done)),
        (_e(t("Done late")), _num(m.done_late)),
        (_e(t("Not yet due")), _num(m.open)),
        (_e(t("Overdue")), _num(m.overdue)),
        # IMP-1's gap, by complaint id only (review s58R5 F03)
        (_e(t("Closed without a cause analysis")), _num(m.closed_without_cause)),
        (_e(t("Closed without a preventive measure")), _num(m.closed_without_preventive)),
    ]
    head = [(t("Item"), False), (t("Count"), True)]
    lists = [
        _note(t(label, ids=", ".join(ids)))
        for label, ids in (
            (_WITHOUT_CAUSE, m.closed_without_cause_ids),
            (_WITHOUT_PREVENTIVE, m.closed_without_preventive_ids),
        )
        if ids
    ]
    return _section(
        "improvement",
        _title(t, "improvement"),
        _note(t(_IMPROVEMENT_NOTE)),
        _table(head, rows),
        *lists,
    )


_WITHOUT_CAUSE = N_("Closed without a cause analysis (IMP-1): {ids}")
_WITHOUT_PREVENTIVE = N_("Closed without a preventive measure (IMP-1): {ids}")


def _links(t: Translator, report: MonthlyReport, pack: RulePack) -> str:
    k = report.links
    rule = pack.repeats
    note = t(
        _LINKS_NOTE,
        window=t.length(rule.window),
        matter=t.length(rule.matter_window),
        threshold=rule.threshold,
    )
    rows = [
        (_e(t("Linked to earlier complaints")), _num(k.linked)),
        (_e(t("Same complainant or same room")), _num(k.repeated)),
        (_e(t.pick(*LABELS["same_complainant"])), _num(k.same_complainant)),
        (_e(t("same room")), _num(k.same_room)),
        (_e(t("same building, same category")), _num(k.same_matter)),
        (_e(t("Raised repeatedly")), _num(k.raised_repeatedly)),
    ]
    head = [(t("Item"), False), (t("Count"), True)]
    return _section("links", _title(t, "links"), _note(note), _table(head, rows))


OUTSTANDING_TITLE = N_(
    "Sanctions outstanding (PEN-2): the grade's sanction is not recorded; the table counts"
    " only the sanctions recorded"
)
"""Above the complaints whose grade's sanction is not recorded, none or a lighter one
(``report --staff``)."""


def _staff(t: Translator, staff: StaffReport, directory: StaffDirectory | None) -> str:
    from complaintcore.core.models import Grade, mask
    from complaintcore.core.rulepack import Measure

    grades = (Grade.MAJOR, Grade.IMPORTANT, Grade.MINOR, Grade.INTERNAL)
    cards = (Measure.YELLOW_CARD, Measure.RED_CARD, Measure.BLACK_CARD)
    head = [
        (t("Staff"), False),
        (t("Name"), False),
        *((t.label(g), True) for g in grades),
        *((t.label(c), True) for c in cards),
        (t.label(Measure.WARNING), True),
        (t("Points"), True),
        (t("Valid complaints"), True),
        (t("Severe"), False),
    ]
    rows = []
    for row in staff.rows:
        member = directory.get(row.staff_id) if directory is not None else None
        name = mask(member.name.split(" (")[0]) if member is not None else ""
        severe = t("to be handed to the company") if row.severe else ""
        rows.append(
            (
                _e(row.staff_id),
                _e(name),
                *(_num(row.sanctioned(g)) for g in grades),
                *(_num(row.carded(c)) for c in cards),
                _num(row.warnings),
                _num(row.points),
                _num(row.complaints),
                f'<span class="severe">{_e(severe)}</span>' if severe else "",
            )
        )
    body = (
        _table(head, rows)
        if rows
        else _ok(t("No sanctions and no valid complaints about staff this month."))
    )
    owed = [o for row in staff.rows for o in row.outstanding]  # PEN-2: not recorded
    if owed:
        items = "".join(f"<li>{_e(t.sanction_outstanding(o, listed=True))}</li>" for o in owed)
        body += _note(t(OUTSTANDING_TITLE)) + f'<ul class="outstanding">{items}</ul>'
    return _section("staff", _title(t, "staff"), _note(t(_STAFF_NOTE)), body)


def _default_title(t: Translator, report: MonthlyReport, pack: RulePack) -> str:
    p = report.period
    return t(
        "Complaint statistics, {month} {year} · {pack}",
        month=t(_MONTHS[p.month - 1]),
        year=p.year,
        pack=t.pick(pack.title_zh, pack.title_en),
    )


def render_html(
    report: MonthlyReport,
    pack: RulePack,
    *,
    lang: str = "zh",
    title: str | None = None,
    staff: StaffReport | None = None,
    directory: StaffDirectory | None = None,
) -> str:
    """IMP-2: the report as a complete, self-contained HTML5 document.

    :param report: from :func:`complaintcore.core.stats.monthly_report`.
    :param pack: the rule pack the report was made with (its title heads the page).
    :param lang: ``"zh"`` (default), ``"en"`` or a language a host added a
        catalog for (:mod:`complaintcore.i18n`): the language of every label.
    :param title: the page title; default names the pack and the month.
    :param staff: the month's per-staff table
        (:func:`complaintcore.core.staff_report.staff_report`), shown when given.
    :param directory: the staff directory, for the (masked) names in that table.
    :returns: the document as a string; UTF-8, inline CSS and SVG, no scripts and
        no external resources.
    :raises InvalidInputError: an unknown ``lang``, or a report of another pack.
    """
    code = resolve_language(lang) if isinstance(lang, str) else None
    if code is None:
        known = ", ".join(available_languages())
        raise InvalidInputError("lang", f"expected one of {known}, got {lang!r}")
    if not isinstance(report, MonthlyReport):
        raise InvalidInputError("report", f"expected MonthlyReport, got {type(report).__name__}")
    if not isinstance(pack, RulePack) or pack.name != report.pack:
        raise InvalidInputError("pack", f"the report was made with the pack {report.pack!r}")
    t = translator(code)
    heading = title if title is not None else _default_title(t, report, pack)
    p = report.period
    warnings = report_warnings(t, report)
    warn_html = (
        '<ul class="warnings">' + "".join(f"<li>{_e(x)}</li>" for x in warnings) + "</ul>"
        if warnings
        else _ok(t("No warnings this month."))
    )
    meta = t(
        "Month: {period} · Time zone: {zone} · Figures as at: {now} · Rule pack: {pack}",
        period=p.key,
        zone=p.timezone,
        now=report.now.isoformat(timespec="minutes"),
        pack=pack.name,
    )
    body = [
        f'<header><h1>{_e(heading)}</h1><p class="meta">{_e(meta)}</p></header>',
        _section("key-figures", t("Key figures"), _cards(t, report)),
        _section("warnings", t("Warnings"), warn_html),
        _section(
            "totals",
            _title(t, "totals"),
            _note(t(_TOTALS_NOTE)),
            _count_table(t, report.totals.counts()[1:]),
        ),
        _history(t, report),
        _breakdown(t, "by_category", report.by_category),
        _breakdown(t, "by_department", report.by_department),
        '<div class="grid">',
        _breakdown(t, "by_channel", report.by_channel),
        _breakdown(t, "by_grade", report.by_grade),
        "</div>",
        _early_warning(t, report),
        _timeliness(t, report),
        _duties(t, report) if report.duties else "",
        _improvement(t, report),
        _satisfaction(t, report),
        _escalations(t, report),
        _links(t, report, pack),
        _repeats(t, report),
        '<div class="grid">',
        _breakdown(t, "by_cause", report.by_cause, chart=False),
        _breakdown(t, "by_site", report.by_site, chart=False),
        "</div>",
        _breakdown(t, "by_building", report.by_building, chart=False),
        _staff(t, staff, directory) if staff is not None else "",
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
