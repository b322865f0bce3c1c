"""A monthly report as one self-contained HTML page (IMP-2, IMP-3, IMP-4).

:func:`render_html` turns a :class:`~complaintcore.core.stats.MonthlyReport` into a
complete HTML5 document: inline CSS, inline SVG bar charts, no JavaScript, no
fonts, images or style sheets fetched from anywhere, so the file can be mailed,
archived or opened offline.  Labels are Chinese or English (``lang``); every
piece of text is escaped with :func:`html.escape`.  The function does no I/O:
it returns a string and the caller writes it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from complaintcore.core.errors import InvalidInputError
from complaintcore.core.rulepack import RulePack
from complaintcore.core.stats import LABELS, Count, MonthlyReport

__all__ = ["render_html"]

# UI words, (zh-CN, en).
_T: dict[str, tuple[str, str]] = {
    "report": ("投诉统计月报", "Monthly complaint statistics"),
    "period": ("统计月份", "Month"),
    "timezone": ("时区", "Time zone"),
    "as_at": ("统计截至", "Figures as at"),
    "pack": ("规则包", "Rule pack"),
    "key_figures": ("主要指标", "Key figures"),
    "warnings": ("预警", "Warnings"),
    "no_warnings": ("本月无预警。", "No warnings this month."),
    "totals": ("受理总览(VAL-4)", "What was received (VAL-4)"),
    "totals_note": (
        "只有核实有效的投诉计入投诉统计;服务请求、咨询、无效及未核实记录单独列示。",
        "Only complaints verified as valid count as complaints; service requests, "
        "enquiries, invalid and unverified records are counted apart.",
    ),
    "by_category": ("按投诉类别", "By category"),
    "by_department": ("按责任部门", "By responsible department"),
    "by_channel": ("按受理渠道", "By channel"),
    "by_grade": ("按投诉等级", "By grade"),
    "by_cause": ("按原因(硬件/软件)", "By cause (hardware / software)"),
    "by_site": ("按项目/小区", "By site"),
    "by_building": ("按楼栋", "By building"),
    "trend": ("近月走势(有效投诉)", "Recent months (valid complaints)"),
    "timeliness": ("时限达成", "Timeliness"),
    "timeliness_note": (
        "按时率 = 按时完成 ÷ (按时完成 + 超时完成);严格按时率把仍在计时且已超时的也算作超时。"
        "统计本月受理的全部已登记记录。",
        "On-time rate = met ÷ (met + met late); the strict rate also counts clocks "
        "still running past their due time as late. Counts every registered record "
        "received in the month.",
    ),
    "satisfaction": ("回访满意度", "Return-visit satisfaction"),
    "repeats": ("重复投诉(IMP-3)", "Repeat complaints (IMP-3)"),
    "repeats_note": (
        "同一投诉人(电话)或同一房号同类问题,统计本月及此前{days}天的有效投诉;只列投诉编号。",
        "Same complainant (phone) or same room and category, over valid complaints of "
        "the month and the {days} days before; listed by complaint id only.",
    ),
    "no_repeats": ("无重复投诉。", "No repeat complaints."),
    "escalations": ("升级与重开", "Escalations and reopenings"),
    "rising": ("上升趋势(IMP-4)", "Rising trends (IMP-4)"),
    "rising_note": (
        "与前{months}个月平均数比较:本月 ≥ {min_count} 且 ≥ {ratio} 倍;"
        "或此前没有且本月 ≥ {new_min}。",
        "Compared with the average of the previous {months} months: this month ≥ {min_count} "
        "and ≥ {ratio}× the average; or none before and ≥ {new_min} now.",
    ),
    "item": ("项目", "Item"),
    "count": ("数量", "Count"),
    "share": ("占比", "Share"),
    "month": ("月份", "Month"),
    "received": ("受理", "Received"),
    "valid_complaints": ("有效投诉", "Valid complaints"),
    "clock": ("时限", "Deadline"),
    "rule": ("规则", "Rule"),
    "started": ("已开始", "Started"),
    "met": ("按时完成", "Met"),
    "missed": ("超时完成", "Met late"),
    "breached": ("已超时未完成", "Breached"),
    "in_progress": ("计时中", "Running"),
    "on_time_rate": ("按时率", "On-time rate"),
    "on_time_all": ("按时率(全部时限)", "On-time rate (all deadlines)"),
    "strict_rate": ("严格按时率", "Strict rate"),
    "visits": ("回访次数", "Return visits"),
    "satisfied": ("满意次数", "Satisfied visits"),
    "rate": ("满意率", "Satisfaction rate"),
    "visited_complaints": ("已回访投诉", "Complaints visited"),
    "first_visit_rate": ("首次回访满意率", "First-visit satisfaction"),
    "reopened": ("重开投诉", "Complaints reopened"),
    "reopen_events": ("重开次数", "Reopenings"),
    "escalated": ("升级投诉", "Complaints escalated"),
    "trigger": ("升级原因", "Trigger"),
    "group": ("组", "Group"),
    "ids": ("投诉编号", "Complaint ids"),
    "reasons": ("关联原因", "Linked by"),
    "in_month": ("本月", "This month"),
    "groups": ("重复投诉组", "Repeat groups"),
    "complaints_in_groups": ("组内投诉", "Complaints in groups"),
    "repeated": ("本月重复投诉", "Repeats this month"),
    "dimension": ("维度", "Dimension"),
    "this_month": ("本月", "This month"),
    "previous": ("前几个月", "Previous months"),
    "baseline": ("平均", "Average"),
    "new": ("新出现", "new"),
    "closed_open": ("已关闭 / 未关闭", "Closed / open"),
    "warn_trend": (
        "{dim}「{label}」本月 {count} 件,前期平均 {base}",
        "{dim} “{label}”: {count} this month, average {base} before",
    ),
    "warn_trend_new": (
        "{dim}「{label}」本月新出现 {count} 件",
        "{dim} “{label}”: {count} this month, none before",
    ),
    "warn_breached": (
        "「{label}」有 {n} 项已超时仍未完成",
        "“{label}”: {n} breached and still open",
    ),
    "warn_repeats": (
        "{n} 组重复投诉,本月 {m} 件重复",
        "{n} repeat group(s), {m} repeat complaint(s) this month",
    ),
    "none": ("无", "none"),
    "footer": (
        "由 complaintcore 生成。不含投诉人姓名、电话或房号(PRV-1)。",
        "Generated by complaintcore. No complainant names, phones or room numbers (PRV-1).",
    ),
}  # fmt: skip

_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

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
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0 24px; }
@media (max-width: 760px) { .grid { grid-template-columns: 1fr; } }
@media print {
  body { max-width: none; } h2 { break-after: avoid; } svg, table { break-inside: avoid; }
}
footer { margin-top: 32px; color: #7b8794; font-size: 12px; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


class _Words:
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str, **values: object) -> str:
        zh, en = _T[key]
        return (zh if self.lang == "zh" else en).format(**values)

    def pick(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en


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


def _column_chart(
    groups: Sequence[tuple[str, int, int]], caption: str, legend: tuple[str, str]
) -> str:
    """Grouped columns per month: the light bar is the first value, the dark the second."""
    width, height, left, bottom, top = 640, 240, 40, 40, 28
    plot_h = height - bottom - top
    peak = max((max(a, b) for _, a, b in groups), default=0) or 1
    slot = (width - left - 10) / max(len(groups), 1)
    bar = min(40.0, slot / 3)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{_e(caption)}"><title>{_e(caption)}</title>',
        f'<line class="axis" x1="{left}" y1="{height - bottom}" x2="{width - 10}" '
        f'y2="{height - bottom}"></line>',
        f'<rect class="bar2" x="{left}" y="6" width="12" height="12"></rect>'
        f'<text x="{left + 18}" y="16">{_e(legend[0])}</text>'
        f'<rect class="bar" x="{left + 200}" y="6" width="12" height="12"></rect>'
        f'<text x="{left + 218}" y="16">{_e(legend[1])}</text>',
    ]
    for i, (label, first, second) in enumerate(groups):
        x0 = left + i * slot + (slot - 2 * bar - 4) / 2
        for j, (value, cls) in enumerate(((first, "bar2"), (second, "bar"))):
            h = round(plot_h * value / peak, 1)
            x = round(x0 + j * (bar + 4), 1)
            y = round(height - bottom - h, 1)
            parts.append(
                f'<rect class="{cls}" x="{x}" y="{y}" width="{round(bar, 1)}" '
                f'height="{h}"></rect>'
                f'<text x="{round(x + bar / 2, 1)}" y="{round(y - 4, 1)}" '
                f'text-anchor="middle">{_num(value)}</text>'
            )
        cx = round(left + i * slot + slot / 2, 1)
        parts.append(
            f'<text x="{cx}" y="{height - bottom + 18}" text-anchor="middle">{_e(label)}</text>'
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


def _count_table(w: _Words, counts: Sequence[Count]) -> str:
    total = sum(c.count for c in counts)
    rows = [
        (_e(w.pick(c.zh, c.en)), _num(c.count), _pct(c.count / total if total else None))
        for c in counts
    ]
    return _table([(w("item"), False), (w("count"), True), (w("share"), True)], rows)


def _breakdown(w: _Words, key: str, counts: Sequence[Count], chart: bool = True) -> str:
    title = w(key)
    out = [f'<section id="{_e(key)}"><h2>{_e(title)}</h2>']
    if chart:
        out.append(_bar_chart([(w.pick(c.zh, c.en), c.count) for c in counts], title))
    out.append(_count_table(w, counts))
    out.append("</section>")
    return "".join(out)


# --------------------------------------------------------------------------- sections


def _dimension_label(w: _Words, dim: str) -> str:
    zh, en = LABELS[dim]
    return w.pick(zh, en)


def _warnings(w: _Words, report: MonthlyReport) -> list[str]:
    items = []
    for f in report.trends:
        dim = _dimension_label(w, f.dimension)
        label = w.pick(f.zh, f.en)
        if f.new:
            items.append(w("warn_trend_new", dim=dim, label=label, count=f.count))
        else:
            items.append(
                w("warn_trend", dim=dim, label=label, count=f.count, base=f"{f.baseline:.1f}")
            )
    for c in report.clocks:
        if c.breached:
            items.append(w("warn_breached", label=w.pick(c.zh, c.en), n=c.breached))
    if report.repeats.groups:
        items.append(w("warn_repeats", n=len(report.repeats.groups), m=report.repeats.repeated))
    return items


def _cards(w: _Words, report: MonthlyReport) -> str:
    t = report.totals
    met = sum(c.met for c in report.clocks)
    stopped = sum(c.met + c.missed for c in report.clocks)
    cards = [
        (w("received"), _num(t.received)),
        (w("valid_complaints"), _num(t.valid_complaints)),
        (w("closed_open"), f"{_num(report.closed_count)} / {_num(report.open_count)}"),
        (w("on_time_all"), _pct(met / stopped if stopped else None)),
        (w("rate"), _pct(report.satisfaction.rate)),
        (w("groups"), _num(len(report.repeats.groups))),
        (w("breached"), _num(report.breached)),
    ]
    body = "".join(
        f'<div class="card"><div class="v">{_e(v)}</div><div class="k">{_e(k)}</div></div>'
        for k, v in cards
    )
    return f'<div class="cards">{body}</div>'


def _timeliness(w: _Words, report: MonthlyReport) -> str:
    rows = [
        (
            _e(w.pick(c.zh, c.en)),
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
        (w("clock"), False),
        (w("rule"), False),
        (w("started"), True),
        (w("met"), True),
        (w("missed"), True),
        (w("breached"), True),
        (w("in_progress"), True),
        (w("on_time_rate"), True),
        (w("strict_rate"), True),
    ]
    return (
        f'<section id="timeliness"><h2>{_e(w("timeliness"))}</h2>'
        f'<p class="note">{_e(w("timeliness_note"))}</p>{_table(head, rows)}</section>'
    )


def _satisfaction(w: _Words, report: MonthlyReport) -> str:
    s = report.satisfaction
    rows = [
        (_e(w("visits")), _num(s.visits)),
        (_e(w("satisfied")), _num(s.satisfied)),
        (_e(w("rate")), _pct(s.rate)),
        (_e(w("visited_complaints")), _num(s.visited_complaints)),
        (_e(w("first_visit_rate")), _pct(s.first_visit_rate)),
    ]
    return (
        f'<section id="satisfaction"><h2>{_e(w("satisfaction"))}</h2>'
        f"{_table([(w('item'), False), (w('count'), True)], rows)}</section>"
    )


def _escalations(w: _Words, report: MonthlyReport) -> str:
    summary = [
        (_e(w("escalated")), _num(report.escalated_complaints)),
        (_e(w("reopened")), _num(report.reopened)),
        (_e(w("reopen_events")), _num(report.reopen_events)),
    ]
    triggers = [(_e(w.pick(c.zh, c.en)), _num(c.count)) for c in report.escalations]
    return (
        f'<section id="escalations"><h2>{_e(w("escalations"))}</h2>'
        f"{_table([(w('item'), False), (w('count'), True)], summary)}"
        f"{_table([(w('trigger'), False), (w('count'), True)], triggers)}</section>"
    )


def _repeats(w: _Words, report: MonthlyReport) -> str:
    r = report.repeats
    out = [
        f'<section id="repeats"><h2>{_e(w("repeats"))}</h2>'
        f'<p class="note">{_e(w("repeats_note", days=r.lookback_days))}</p>',
        _table(
            [(w("item"), False), (w("count"), True)],
            [
                (_e(w("groups")), _num(len(r.groups))),
                (_e(w("complaints_in_groups")), _num(r.complaints)),
                (_e(w("repeated")), _num(r.repeated)),
            ],
        ),
    ]
    if r.groups:
        rows = [
            (
                _e(g.group_id),
                _e(" ".join(g.ids)),
                _e(w.pick("、", ", ").join(w.pick(*LABELS[x]) for x in g.reasons)),
                _num(g.in_month),
            )
            for g in r.groups
        ]
        head = [
            (w("group"), False),
            (w("ids"), False),
            (w("reasons"), False),
            (w("in_month"), True),
        ]
        out.append(_table(head, rows))
    else:
        out.append(f'<p class="ok">{_e(w("no_repeats"))}</p>')
    out.append("</section>")
    return "".join(out)


def _trends(w: _Words, report: MonthlyReport) -> str:
    t = report.trend_rule
    note = w(
        "rising_note",
        months=t.baseline_months,
        min_count=t.min_count,
        ratio=f"{t.ratio:g}",
        new_min=t.new_min_count,
    )
    out = [f'<section id="rising"><h2>{_e(w("rising"))}</h2><p class="note">{_e(note)}</p>']
    if report.trends:
        rows = [
            (
                _e(_dimension_label(w, f.dimension)),
                _e(w.pick(f.zh, f.en)),
                _num(f.count),
                _e(" / ".join(str(n) for n in f.previous)),
                _e(w("new") if f.new else f"{f.baseline:.1f}"),
            )
            for f in report.trends
        ]
        head = [
            (w("dimension"), False),
            (w("item"), False),
            (w("this_month"), True),
            (w("previous"), True),
            (w("baseline"), True),
        ]
        out.append(_table(head, rows))
    else:
        out.append(f'<p class="ok">{_e(w("none"))}</p>')
    out.append("</section>")
    return "".join(out)


def _history(w: _Words, report: MonthlyReport) -> str:
    groups = [(m.period, m.received, m.valid_complaints) for m in report.history]
    chart = _column_chart(groups, w("trend"), (w("received"), w("valid_complaints")))
    rows = [(_e(m), _num(a), _num(b)) for m, a, b in groups]
    head = [(w("month"), False), (w("received"), True), (w("valid_complaints"), True)]
    return f'<section id="trend"><h2>{_e(w("trend"))}</h2>{chart}{_table(head, rows)}</section>'


def _default_title(w: _Words, report: MonthlyReport, pack: RulePack) -> str:
    p = report.period
    if w.lang == "zh":
        return f"{pack.title_zh} · {p.year}年{p.month}月投诉统计月报"
    return f"Complaint statistics, {_MONTHS_EN[p.month - 1]} {p.year} · {pack.title_en}"


def render_html(
    report: MonthlyReport, pack: RulePack, *, lang: str = "zh", title: str | None = None
) -> str:
    """IMP-2: the report as a complete, self-contained HTML5 document.

    :param report: from :func:`complaintcore.core.stats.monthly_report`.
    :param pack: the rule pack the report was made with (its title heads the page).
    :param lang: ``"zh"`` (default) or ``"en"``: the language of every label.
    :param title: the page title; default names the pack and the month.
    :returns: the document as a string; UTF-8, inline CSS and SVG, no scripts and
        no external resources.
    :raises InvalidInputError: an unknown ``lang``, or a report of another pack.
    """
    if not isinstance(lang, str) or not lang.lower().startswith(("zh", "en")):
        raise InvalidInputError("lang", f"expected 'zh' or 'en', got {lang!r}")
    if not isinstance(report, MonthlyReport):
        raise InvalidInputError("report", f"expected MonthlyReport, got {type(report).__name__}")
    if not isinstance(pack, RulePack) or pack.name != report.pack:
        raise InvalidInputError("pack", f"the report was made with the pack {report.pack!r}")
    w = _Words("zh" if lang.lower().startswith("zh") else "en")
    heading = title if title is not None else _default_title(w, report, pack)
    p = report.period
    warnings = _warnings(w, report)
    warn_html = (
        '<ul class="warnings">' + "".join(f"<li>{_e(x)}</li>" for x in warnings) + "</ul>"
        if warnings
        else f'<p class="ok">{_e(w("no_warnings"))}</p>'
    )
    meta = (
        f"{w('period')}: {p.key} · {w('timezone')}: {p.timezone} · "
        f"{w('as_at')}: {report.now.isoformat(timespec='minutes')} · "
        f"{w('pack')}: {pack.name}"
    )
    body = [
        f'<header><h1>{_e(heading)}</h1><p class="meta">{_e(meta)}</p></header>',
        f'<section id="key-figures"><h2>{_e(w("key_figures"))}</h2>{_cards(w, report)}</section>',
        f'<section id="warnings"><h2>{_e(w("warnings"))}</h2>{warn_html}</section>',
        f'<section id="totals"><h2>{_e(w("totals"))}</h2>'
        f'<p class="note">{_e(w("totals_note"))}</p>'
        f"{_count_table(w, report.totals.counts()[1:])}</section>",
        _history(w, report),
        _breakdown(w, "by_category", report.by_category),
        _breakdown(w, "by_department", report.by_department),
        '<div class="grid">',
        _breakdown(w, "by_channel", report.by_channel),
        _breakdown(w, "by_grade", report.by_grade),
        "</div>",
        _timeliness(w, report),
        _satisfaction(w, report),
        _escalations(w, report),
        _repeats(w, report),
        _trends(w, report),
        '<div class="grid">',
        _breakdown(w, "by_cause", report.by_cause, chart=False),
        _breakdown(w, "by_site", report.by_site, chart=False),
        "</div>",
        _breakdown(w, "by_building", report.by_building, chart=False),
        f"<footer>{_e(w('footer'))}</footer>",
    ]
    html_lang = "zh-CN" if w.lang == "zh" else "en"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(heading)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
