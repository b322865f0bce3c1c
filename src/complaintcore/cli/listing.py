"""``complaintcore list`` and ``show``: what is on the desk, and one complaint in full."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs
import click
from rich.table import Table
from rich.text import Text

from complaintcore.cli.context import Ctx, enum_choice, json_option, now_option, os_user, pass_ctx
from complaintcore.cli.fit import fitted_table, fitting_table, say_blocks
from complaintcore.cli.ids import COMPLAINT_ID
from complaintcore.cli.receive import (
    say_awaiting_closure,
    say_issue,
    say_missing_clears,
    say_suggested_kind,
)
from complaintcore.cli.staged import say_stage, stage_json
from complaintcore.cli.timeline import event_detail, event_time
from complaintcore.core.accountability import OutstandingSanction, outstanding_sanction
from complaintcore.core.deadlines import ClockState, DutyStatus
from complaintcore.core.errors import ComplaintCoreError, shown_issue
from complaintcore.core.models import Complainant, Grade, LabelledEnum, Status, as_instant
from complaintcore.core.validity import five_clears, suggested_kind
from complaintcore.i18n import N_, NC_

if TYPE_CHECKING:
    from complaintcore.desk import Desk
    from complaintcore.desk.ports import ComplaintRow

__all__ = ["MAX_LIMIT", "list_", "outstanding_json", "show"]

MAX_LIMIT = 1_000_000

_COLUMNS = (
    N_("id"),
    N_("status"),
    N_("grade"),
    N_("category"),
    N_("department"),
    N_("site"),
    N_("handler"),
    N_("received"),
    # not a deadline: when the sweep next acts, an at-risk warning (DL-7) or a
    # deadline, whichever comes first; `show` gives each deadline
    N_("next sweep"),
    N_("issue"),
)


_DIGESTS = frozenset({"complainant_key", "room_key"})
"""Row fields for matching repeats and groups, never shown (PRV-1)."""


@click.command("list", help=N_("List complaints (most urgent first with --overdue)."))
@click.option(
    "--status",
    type=enum_choice(Status),
    default=None,
    help=N_("Only this status: a code or its label."),
)
@click.option(
    "--grade",
    type=enum_choice(Grade),
    default=None,
    help=N_("Only this grade: a code or its label."),
)
@click.option("--site", default=None, help=N_("Only this site."))
@click.option(
    "--department",
    default=None,
    help=N_("Only this responsible department: a code or its label."),
)
@click.option(
    "--issue",
    type=COMPLAINT_ID,
    default=None,
    help=N_("Only the complaints of this concentrated issue (HDL-5)."),
)
@click.option("--overdue", is_flag=True, help=N_("Only complaints with a deadline past due."))
@click.option(
    "--limit",
    type=click.IntRange(1, MAX_LIMIT),
    default=200,
    show_default=True,
    help=N_("At most this many complaints."),
)
@json_option
@now_option
@pass_ctx
def list_(
    ctx: Ctx,
    status: str | None,
    grade: str | None,
    site: str | None,
    department: str | None,
    issue: str | None,
    overdue: bool,
    limit: int,
) -> None:
    desk = ctx.desk()
    now = ctx.now()
    if department:  # a label as the table shows it, or a refusal: never "none match"
        department = ctx.code("department", department, "--department")
    if site:
        _known_site(ctx, site)
    filters: dict[str, Any] = {
        "status": status,
        "grade": grade,
        "site": site,
        "department": department,
        "issue": issue,
    }
    rows = _overdue(desk, now, limit, filters) if overdue else desk.rows(**filters, limit=limit)
    if ctx.json:
        ctx.emit_list(_rows_json(desk, rows))
        return
    if not rows:
        ctx.say(ctx.t("no complaints match"))
        return
    _say_rows(ctx, desk, rows, now, _sites_shown(desk, rows))


def _overdue(desk: Desk, now: datetime, limit: int, filters: dict[str, Any]) -> list[ComplaintRow]:
    """DL-7: the complaints with a clock breached and still open at ``now``, longest
    overdue first, escalated by a sweep or not; read from the rows' ``breach_due``
    index, each checked against its clocks and placed by their breach time.  A row
    the upgrade to this schema left with its time received (until a sweep or
    ``verify --reproject`` rewrites it) may have no breach, or a later one than its
    place in the index (review s36A F03): rows are read until ``limit`` are found
    whose breach time no unread row can come before (its stored time is never later
    than its clocks'), or none are left.  A record too damaged to read (``verify``
    names it) is listed from its row, at its stored breach time (review s47I F01)."""
    from complaintcore.desk.drafts import store_failed
    from complaintcore.desk.projection import breach_due

    found: dict[str, ComplaintRow] = {}  # breached, with their clocks' breach time
    order: dict[str, int] = {}  # the index's order, for ties
    asked = limit
    while True:
        rows = desk.rows(**filters, overdue_at=now, limit=asked)
        for r in rows:
            if r.id in order:
                continue
            order[r.id] = len(order)
            try:
                clocks = desk.clocks(r.id, now)
            except ComplaintCoreError as exc:
                if store_failed(exc):  # the store itself failed: nothing listed passes for all
                    raise
                found[r.id] = r  # in the overdue index, its history unreadable
                continue
            if any(s.is_breached for s in clocks):
                found[r.id] = attrs.evolve(r, breach_due=breach_due(clocks, now) or r.breach_due)
        every = len(rows) < asked
        # instants: the clocks' due times share the pack's zone, whose wall times read
        # 01:10 GMT before 01:50 BST in the hour the clocks go back (review s51R15 F03)
        last = as_instant(rows[-1].breach_due) if rows and rows[-1].breach_due else None
        settled = [
            r
            for r in found.values()
            if every
            or (r.breach_due is not None and last is not None and as_instant(r.breach_due) <= last)
        ]
        if len(settled) >= limit or every:
            settled.sort(
                key=lambda r: (r.breach_due is None, as_instant(r.breach_due or now), order[r.id])
            )
            return settled[:limit]
        asked += max(asked, limit - len(settled))


_ROWS_A_READ = 1000
"""Rows whose complainants are read at once for ``list --json``."""


def _rows_json(desk: Desk, rows: Sequence[ComplaintRow]) -> Iterator[dict[str, Any]]:
    """:func:`_row_json` of each row, the complainants its masking needs read a
    thousand rows at a time without their histories (review s40C F01)."""
    sites = desk.known_sites()
    for lo in range(0, len(rows), _ROWS_A_READ):
        part = rows[lo : lo + _ROWS_A_READ]
        people = desk.complainants(
            [r.id for r in part if r.idempotency_key or r.building or _typed_site(r, sites)]
        )
        for row in part:
            yield _row_json(desk, row, people, sites)


def _typed_site(row: ComplaintRow, sites: frozenset[str]) -> bool:
    """Whether a row's site is text typed at intake rather than one the desk names
    (PRV-1; review s47D F01): shown redacted, with its complainant's data."""
    return bool(row.site.strip()) and row.site.strip() not in sites


def _sites_shown(desk: Desk, rows: Sequence[ComplaintRow]) -> list[str]:
    """Each row's site as ``list`` shows it: one the desk names as it is, any other
    redacted as a masked notification shows it (PRV-1; review s47D F01), the
    complainants it needs read a thousand rows at a time, and only for those."""
    from complaintcore.core.privacy import shown_site

    sites = desk.known_sites()
    shown: list[str] = []
    for lo in range(0, len(rows), _ROWS_A_READ):
        part = rows[lo : lo + _ROWS_A_READ]
        people = desk.complainants([r.id for r in part if _typed_site(r, sites)])
        for row in part:
            if not _typed_site(row, sites):
                shown.append(row.site.strip())
                continue
            person = people.get(row.id)
            # one left out (a record too damaged to read: verify names it) is listed
            # all the same, its site at its most cautious (review s47H F05)
            known = None if person is None else (person.name, person.phone, person.room)
            shown.append(shown_site(row.site, sites, also=known))
    return shown


def _row_json(
    desk: Desk, row: ComplaintRow, people: Mapping[str, Complainant], sites: frozenset[str]
) -> dict[str, Any]:
    """A row under ``list --json``, which shows no personal data (PRV-1): without the
    matching digests (short: an estate's rooms are few enough to try), and with the
    idempotency key -- the host's text, perhaps made from the submission -- the
    building -- free text, where a name or phone may be typed -- and a site the desk
    does not name (``sites``: typed text on a desk that takes any) redacted as a
    masked view redacts them.  Times in the desk's zone, as ``show`` gives a time
    typed without an offset: the row keeps them in UTC, and a script printing a
    date must print the desk's day (review s34D F08)."""
    from complaintcore.core.concentration import building_key
    from complaintcore.core.privacy import masked_whole, redact, shown_site
    from complaintcore.serialization import to_dict

    data = {k: v for k, v in to_dict(row).items() if k not in _DIGESTS}
    for key in ("grade", "issue"):  # none, as receive, act and show write it
        data[key] = data.get(key) or None
    for key, value in attrs.asdict(row, recurse=False).items():
        if isinstance(value, datetime):  # stored in UTC: in the desk's zone, as show gives it
            data[key] = value.astimezone(desk.zone).isoformat()
    if row.issue:  # one typed by hand may be a phone or a name (PRV-1)
        data["issue"] = shown_issue(row.issue)
    typed_site = _typed_site(row, sites)
    person = people.get(row.id)
    if person is None:
        # left out of ``people``: a record too damaged to read (verify names it) is
        # listed all the same, its free text at its most cautious (review s47H F05)
        if row.idempotency_key:
            data["idempotency_key"] = masked_whole(row.idempotency_key)
        if row.building:
            data["building"] = masked_whole(row.building)
        if typed_site:
            data["site"] = shown_site(row.site, sites, also=None)
        return data
    known = (person.name, person.phone, person.room)
    if row.idempotency_key:
        data["idempotency_key"] = redact(row.idempotency_key, also=known)
    if row.building:  # the row's key of free text: the text as typed redacted, then keyed
        data["building"] = building_key(redact(person.building, also=known))
    if typed_site:
        data["site"] = shown_site(row.site, sites, also=known)
    return data


def _known_site(ctx: Ctx, site: str) -> None:
    """A site the desk takes complaints for, as ``receive --site`` checks it: a
    misspelt one is refused, not answered with an empty list.  Any site passes on
    a desk that names none (one site)."""
    from complaintcore.core.errors import InvalidInputError

    known = ctx.desk().known_sites()
    if known and site not in known:
        # worded as intake words it, and translated the same way (LIBRARY_REASONS)
        raise InvalidInputError(
            "--site", "unknown site; expected one of " + ", ".join(sorted(known))
        )


_FLEXIBLE = frozenset({"status", "grade", "category", "department"})
"""Columns of labels, which may wrap under a narrow terminal's compact table."""


def _say_rows(
    ctx: Ctx, desk: Desk, rows: Sequence[ComplaintRow], now: datetime, sites: Sequence[str]
) -> None:
    """The rows in the widest layout that fits the terminal with nothing cut (review
    s34D F04): the table with full times; else a compact one (times to the minute in
    the desk's zone, named above it, and without columns empty in every row); else
    one block per complaint, its id first, each value after its column's name."""
    tr, pack, zone = ctx.tr, desk.pack, desk.zone
    width = ctx.out.width
    headings = [ctx.t(column) for column in _COLUMNS]
    cells = [
        [
            r.id,
            _label(ctx, Status, r.status),
            _label(ctx, Grade, r.grade),
            tr.category(r.category, pack) if r.category else "-",
            tr.department(r.department, pack) if r.department else "-",
            site or "-",
            r.handler or "-",
            r.received_at.astimezone(zone).isoformat(timespec="minutes"),
            r.next_due.astimezone(zone).isoformat(timespec="minutes") if r.next_due else "-",
            _issue(ctx, r.issue, r.group_incident),
        ]
        for r, site in zip(rows, sites, strict=True)
    ]
    table = fitted_table(headings, cells, width)
    if table is not None:
        ctx.say(table)
        return
    times = [(r.received_at, r.next_due) for r in rows]
    year = now.astimezone(zone).year
    same_year = all(t.astimezone(zone).year == year for pair in times for t in pair if t)
    form = "%m-%d %H:%M" if same_year else "%Y-%m-%d %H:%M"
    compact = [
        [*row[:7], *(t.astimezone(zone).strftime(form) if t else "-" for t in pair), row[9]]
        for row, pair in zip(cells, times, strict=True)
    ]
    kept = [i for i in range(len(_COLUMNS)) if i == 0 or any(row[i] != "-" for row in compact)]
    table = fitted_table(
        [headings[i] for i in kept],
        [[row[i] for i in kept] for row in compact],
        width,
        flexible=[j for j, i in enumerate(kept) if _COLUMNS[i] in _FLEXIBLE],
        title=ctx.t("complaints (times in {zone})", zone=pack.calendar.timezone),
    )
    if table is not None:
        ctx.say(table)
        return
    say_blocks(ctx.out, headings, cells)


def _issue(ctx: Ctx, issue: str, incident: bool) -> str:
    """A row's concentrated issue, marked when it is a group incident (HDL-6); masked
    unless the desk could have named it (PRV-1: one typed by hand may be a phone)."""
    if not issue:
        return "-"
    shown = shown_issue(issue)
    return ctx.t("{issue} (group incident)", issue=shown) if incident else shown


_SYSTEM = NC_("actor", "system")
"""The desk's own acts (sweeps, routing) as the timeline names their actor."""


def _actor(ctx: Ctx, actor: str) -> str:
    """An event's actor: a staff id as recorded, the desk itself in words."""
    from complaintcore.desk.access import SYSTEM_ACTOR

    return ctx.tr.pgettext("actor", _SYSTEM) if actor == SYSTEM_ACTOR else actor


def _label(ctx: Ctx, enum: type[LabelledEnum], value: str) -> str:
    """A stored enum value (a row's status, grade) by its label."""
    member = next((m for m in enum if m.value == value), None)
    return ctx.tr.label(member) if member is not None else (value or "-")


@click.command(
    help=N_(
        "A complaint's timeline, every clock and the duties it started, with their "
        "derivations.\n\n"
        "Personal data is masked (PRV-1) unless --as names staff entitled to it."
    )
)
@click.argument("complaint_id", type=COMPLAINT_ID)
@click.option(
    "--as",
    "viewer",
    default=None,
    help=N_("Show as this staff member sees it (personal data masked if they need not see it)."),
)
@click.option(
    "--purpose",
    default="",
    help=N_("Why personal data is looked at; kept in the access log with the view."),
)
@json_option
@now_option
@pass_ctx
def show(ctx: Ctx, complaint_id: str, viewer: str | None, purpose: str) -> None:
    from complaintcore.desk import masked_record
    from complaintcore.desk.access import sees_personal_data
    from complaintcore.serialization import complaint_to_dict

    desk = ctx.desk()
    now = ctx.now()
    complaint = desk.get(complaint_id)
    masked = True
    if viewer:
        ctx.check_identity(viewer, complaint_id, "view")
        data = desk.view(
            complaint_id, viewer, now=now, purpose=purpose, via="show --as", os_user=os_user()
        )
        member = desk.member(viewer)
        masked = member is None or not sees_personal_data(member, complaint, desk.pack)
    else:
        others = desk.issue_complainants(complaint)  # an issue's texts name them (HDL-5)
        data = masked_record(
            complaint_to_dict(complaint), desk.pack, others=others, sites=desk.known_sites()
        )
    issue = complaint.state.issue
    if masked and issue:  # PRV-1: one typed by hand may be a phone or a name
        issue = shown_issue(issue)
    clocks = desk.clocks(complaint_id, now)
    duties = desk.duties(complaint_id, now)
    measures = desk.measures(complaint_id, now)
    # PEN-2: its grade's, not recorded: the grade due at --now, as the report's (s56R6 F03)
    owed = outstanding_sanction(complaint, desk.pack, now)
    # GRD-2, DL-6: past its month it is major before a sweep records it (s56R2 F02)
    due_grade = desk.grade_due(complaint_id, now)
    # VAL-4: what the pack's words call it, until assessed (review s57R4 F04)
    kind_hint = suggested_kind(complaint, desk.pack)
    notes = ctx.calendar_notes(now, *(s.due for s in clocks), *(d.due for d in duties))
    if ctx.json:
        data["warnings"] = notes
        data["state"] = {
            "status": complaint.state.status.value,
            "rung": complaint.state.rung,
            "grade": complaint.state.grade.value if complaint.state.grade else None,
            "grade_due": None
            if due_grade is None
            else {"grade": due_grade.grade.value, "reasons": list(due_grade.reasons)},
            "issue": issue or None,
            "group_incident": complaint.state.group_incident,
            "suggested_kind": kind_hint.value if kind_hint is not None else None,
            # REC-2 (review s57R4 F05)
            "five_clears": {
                c.value: ok for c, ok in five_clears(complaint.intake, complaint.events).items()
            },
            **stage_json(complaint, desk.pack),
            "sanction_outstanding": outstanding_json(owed),
        }
        data["clocks"] = [
            {
                "name": s.name,
                "rule": s.rule,
                "state": s.state.value,
                "unacknowledged": s.unacknowledged,
                "due": _in_zone(s.due, desk),
                "derivation": [step.text(desk.zone) for step in s.steps],
            }
            for s in clocks
        ]
        data["duties"] = [_duty_json(d, desk) for d in duties]
        data["measures"] = [
            {
                "measure": m.name,
                "kind": m.measure.measure_kind.value,
                "owner": m.owner,
                "department": m.measure.department or None,
                "due": _in_zone(m.due, desk),
                "state": m.state.value,
                "owed": m.owed,
            }
            for m in measures
        ]
        ctx.emit(data)
        return
    person = data["intake"]["complainant"]
    s = complaint.state
    tr, pack = ctx.tr, desk.pack
    ctx.say(
        Text.assemble(
            (complaint.id, "bold"),
            f"  {tr.label(s.status)}  {tr.label(s.grade) if s.grade else '-'}  "
            f"{tr.category(s.category, pack) if s.category else '-'}",
        )
    )
    if due_grade is not None:
        ctx.say(
            ctx.t(
                "grade due now: {grade} ({reason}); not recorded yet: the next sweep records it",
                grade=tr.label(due_grade.grade),
                reason=due_grade.reasons[0],
            )
        )
    say_issue(ctx, complaint, shown=issue)
    say_awaiting_closure(ctx, complaint)
    say_stage(ctx, complaint, desk.pack)
    if owed is not None:
        ctx.say(tr.sanction_outstanding(owed))
    ctx.say(f"{person['name']} {person['phone']} {person['room']}  {data['intake']['summary']}")
    # the record's gaps after the record itself (VAL-4, REC-2)
    say_suggested_kind(ctx, kind_hint)
    say_missing_clears(ctx, complaint)
    ctx.say(_timeline(ctx, data["events"], desk))
    ctx.say_bold(ctx.t("clocks"))
    for st in clocks:
        due = st.due.astimezone(desk.zone).isoformat(timespec="minutes") if st.due else "-"
        # a stage answered and closed without its acknowledgement: missed, never
        # given, not "met late" (HOC 6.2, 6.11; review s48F F01)
        state = ctx.t("never acknowledged") if st.unacknowledged else tr.label(st.state)
        line = ctx.t(
            "• {name} ({rule}) {state}  due {due}",
            name=tr.clock(st.name, pack),
            rule=st.rule,
            state=state,
            due=due,
        )
        ctx.say(line)
        for step in st.steps:
            ctx.say(f"    {tr.step(step, pack)}")
    if measures:
        ctx.say_bold(ctx.t("measures (IMP-1)"))
        for m in measures:
            ctx.say(
                ctx.t(
                    "• {measure} {kind}: owner {owner}, due {due}, {state}",
                    measure=m.name,
                    kind=tr.label(m.measure.measure_kind),
                    owner=m.owner,
                    due=m.due.astimezone(desk.zone).isoformat(timespec="minutes"),
                    state=tr.label(m.state),
                )
            )
    started = [d for d in duties if d.state not in (ClockState.NOT_STARTED, ClockState.WAIVED)]
    if not started:
        return
    ctx.say_bold(ctx.t("duties"))
    for d in started:
        due = d.due.astimezone(desk.zone).isoformat(timespec="minutes") if d.due else "-"
        ctx.say(
            ctx.t(
                "• {name} ({rule}) {state}  due {due}",
                name=tr.duty(d.name, pack),
                rule=d.rule,
                state=tr.label(d.state),
                due=due,
            )
        )
        owner = tr.owner(d.duty, pack) or "-"
        if d.duty.command:
            line = ctx.t(
                "owed by {owner}; discharged by: {command}",
                owner=owner,
                command=tr.command(d.duty.command),
            )
        else:
            line = ctx.t("owed by {owner}", owner=owner)
        ctx.say(f"    {line}")
        for step in d.clock.steps:
            ctx.say(f"    {tr.step(step, pack)}")


def _timeline(ctx: Ctx, events: Sequence[dict[str, Any]], desk: Desk) -> Table:
    """The timeline as wide as the terminal, each detail wrapped, never cut (review
    s34D F03: Chinese details have no spaces, so rich cut them with "…"): at
    spaces, between Chinese characters and after their punctuation, never inside an
    id or a time.  On a terminal too narrow for even that, every column folds."""
    tr, pack = ctx.tr, desk.pack
    headings = [ctx.t("when"), ctx.t("event"), ctx.t("actor"), ctx.t("detail")]
    title = ctx.t("timeline ({zone})", zone=pack.calendar.timezone)
    rows = [
        [
            event_time(event["at"], desk.zone),
            tr.event(event["type"]),
            _actor(ctx, event["actor"]),
            event_detail(event, tr, pack, zone=desk.zone),
        ]
        for event in events
    ]
    return fitting_table(headings, rows, ctx.out.width, flexible=(3,), title=title)


def outstanding_json(owed: OutstandingSanction | None) -> dict[str, object] | None:
    """PEN-2: a sanction outstanding in ``--json`` (``show``, ``report --staff``): the
    grade's sanction by its codes, and the one recorded (``None``: none yet)."""
    if owed is None:
        return None
    return {
        "staff_id": owed.staff_id,
        "grade": owed.due.grade.value,
        "measures": [m.value for m in owed.due.measures],
        "recorded": (
            None
            if owed.recorded is None
            else {"grade": owed.recorded.grade.value, "measures": list(owed.recorded.measures)}
        ),
    }


def _in_zone(t: datetime | None, desk: Desk) -> str | None:
    """A time under ``show --json``: in the desk's zone with its offset, as the text
    gives it, whatever offset the event it was reckoned from was typed with (review
    s49O F02: a date printed from it is the desk's day)."""
    return t.astimezone(desk.zone).isoformat() if t is not None else None


def _duty_json(d: DutyStatus, desk: Desk) -> dict[str, object]:
    """A duty in ``show --json``: stable codes, English derivation (like the clocks),
    times in the desk's zone."""
    spec = d.duty
    return {
        "name": d.name,
        "rule": d.rule,
        "state": d.state.value,
        "owed": d.owed,
        "due": _in_zone(d.due, desk),
        "owner": {
            "handler": spec.owner_handler,
            "department": spec.owner_department or None,
            "rung": spec.owner_rung or None,
        },
        "command": spec.command or None,
        "derivation": [step.text(desk.zone) for step in d.clock.steps],
    }
