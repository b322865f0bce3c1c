"""Monthly statistics, repeat complaints and early warning (IMP-2, IMP-3, IMP-4, VAL-4).

:func:`monthly_report` reads complaints **once**, as a stream, and keeps only
counters (plus, for IMP-3, a few keys per valid complaint in the repeat window),
so it works on 100,000 complaints straight from ``store.complaints()``.  It is
pure: the rule pack, the working calendar and ``now`` are arguments, nothing is
read from a clock or a file.

Counting rules (every figure is explained here and in ``docs/statistics.md``):

* **Month.**  A complaint belongs to the calendar month of its
  ``intake.received_at`` in the pack's calendar time zone
  (``pack.calendar.timezone``): 2025-11-30 23:30 Beijing time is November even
  though it is 15:30 UTC.
* **As at ``now``.**  Every figure describes the month's *cohort* (the
  complaints received in it) as it stands at ``now``: a complaint's state is
  folded from its events up to ``now``; events after ``now`` are ignored and a
  complaint received after ``now`` is left out (counted in
  ``excluded_after_now``).
* **Totals partition what was received (VAL-4).**  ``received`` = requests +
  enquiries + valid complaints + invalid + unverified.  A record assessed as a
  service request or an enquiry counts there whatever its validity; a record of
  kind *complaint* counts as a **valid complaint** only when assessed valid
  (:func:`complaintcore.core.validity.counts_as_complaint`), otherwise as invalid or
  unverified.
* **Breakdowns count valid complaints only (VAL-4)**: by category, grade,
  department, channel, site, building and cause; closed/open; return-visit
  satisfaction; reopened; escalations by trigger; repeats; warnings.  Invalid
  records, requests and enquiries are recorded but counted apart.
* **Timeliness counts every registered record of the month**, not only valid
  complaints, because every deadline binds the company whatever the outcome
  (DL-2, "invalid complaint explained the same day", only ever runs on invalid
  ones).  Each clock of the pack is evaluated at ``now``
  (:func:`complaintcore.core.deadlines.compute_clocks`); a clock that stopped in time
  is *met*, one that stopped late is *missed*, one still running past its due
  time is *breached*; a stage's acknowledgement clock that the stage's response
  ended is *missed*, never acknowledged (as ``report --period`` judges it).  The
  **on-time rate** is met / (met + missed); the stricter rate also counts the
  breached ones as late: met / (met + missed + breached).
  Clocks that never started are not counted.
* **Duties (DL-5, REC-2, IN-6 …)** are counted the same way, per duty of the
  pack, over the month's registered records: started, met (discharged in
  time), missed (discharged late), and still owed (running, at risk, paused,
  breached), as they stand at ``now``.  A duty owed again (an apology for a
  second broken promise) counts every run, as clocks do.  A run whose obligation
  lapsed in time (REC-6: the record was reopened before its sign-off was due) is
  neither met nor missed, and not started; one that lapsed late is missed.
* **Satisfaction (VIS-1)** counts return visits (``Visited`` events up to
  ``now``) of the month's valid complaints: rate = satisfied visits / visits;
  first-visit satisfaction = complaints whose first visit was satisfied /
  complaints visited at least once.
* **Major issues (VIS-4)** are those *raised* in the month: reached return visits
  with ``major_issue`` whose time falls in the month (and up to ``now``), on any
  record whatever month it was received in -- a visit often comes in the month
  after the receipt, and the month's meeting takes up what was raised since the
  last one (review s56L2 F01).
* **Cause analysis and measures (IMP-1)**: see :class:`ImprovementFigures`.
* **Repeats (IMP-3)**: see :class:`Repeats` and :class:`LinkFigures`.
* **Early warning (IMP-4)**: a control limit per series, see
  :mod:`complaintcore.core.warnings`; the rule is the pack's ``early_warning``.
* **Privacy (PRV-1).**  A report never holds a name, a phone number or a room
  number: repeat groups are identified by complaint ids only (a hash of a phone
  number could be reversed by trying every number).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs

from complaintcore.core.concentration import building_key
from complaintcore.core.deadlines import (
    ClockState,
    ClockStatus,
    WorkingTime,
    compute_clocks,
    compute_duties,
)
from complaintcore.core.errors import InvalidInputError
from complaintcore.core.grading import grade_due
from complaintcore.core.improvement import compute_measures
from complaintcore.core.models import (
    Assigned,
    Cause,
    CauseAnalysed,
    Channel,
    Closed,
    Complaint,
    ComplaintState,
    Escalated,
    Fact,
    Grade,
    Kind,
    Linked,
    MeasureAdded,
    MeasureKind,
    Status,
    Trigger,
    Validity,
    Visited,
    as_instant,
    require_aware,
)
from complaintcore.core.repeats import room_key as repeat_room_key
from complaintcore.core.rulepack import ClockSpec, EarlyWarning, RulePack
from complaintcore.core.spreadsheet import spreadsheet_safe
from complaintcore.core.stages import RunJudgement, acknowledge_clocks, judge_run
from complaintcore.core.validity import counts_as_complaint, normalise_phone
from complaintcore.core.warnings import Cell, ControlWarning, Judgement, control_warnings, judge
from complaintcore.core.workflow import fold

__all__ = [
    "LABELS",
    "ROW_FIELDS",
    "SCHEMA",
    "ClockFigures",
    "Count",
    "EarlierMonth",
    "ImprovementFigures",
    "LinkFigures",
    "MajorIssue",
    "MonthTotal",
    "MonthlyReport",
    "Period",
    "RepeatGroup",
    "RepeatRule",
    "Repeats",
    "Satisfaction",
    "Totals",
    "monthly_report",
    "to_json_dict",
    "to_rows",
]

SCHEMA = "complaintcore.monthly_report/2"

Row = dict[str, str | int | float | None]
"""One flat row of :func:`to_rows`: the same keys in every row (CSV-ready)."""

ROW_FIELDS: tuple[str, ...] = (
    "period",
    "section",
    "key",
    "label_zh",
    "label_en",
    "label",
    "metric",
    "value",
    "detail",
)

# Labels of the fixed keys a report uses (zh-CN, en).
LABELS: dict[str, tuple[str, str]] = {
    "received": ("收到", "received"),
    "valid_complaints": ("有效投诉", "valid complaints"),
    "invalid": ("无效投诉", "invalid complaints"),
    "unverified": ("未核实投诉", "complaints not yet verified"),
    "requests": ("服务请求", "service requests"),
    "enquiries": ("咨询", "enquiries"),
    "closed": ("已关闭", "closed"),
    "open": ("未关闭", "open"),
    "same_complainant": ("同一投诉人", "same complainant"),
    "same_room_category": ("同一房号同类问题", "same room, same category"),
    "building": ("楼栋", "building"),
    "site": ("项目/小区", "site"),
    "category": ("投诉类别", "category"),
    "department": ("责任部门", "department"),
    "unclassified": ("未分类", "unclassified"),
    "unassigned": ("未指定部门", "no department"),
    "ungraded": ("未定级", "ungraded"),
    "unknown_cause": ("原因未定", "cause not known"),
    "not_recorded": ("未注明", "not recorded"),
    "control": ("本月有效投诉（对照控制限）", "valid complaints against their control limit"),
    "received_after_now": ("统计时点之后收到（未计入）", "received after now (left out)"),
}

_GRADE_ORDER = (Grade.MAJOR, Grade.IMPORTANT, Grade.MINOR, Grade.INTERNAL)  # GRD-1


def _lang(lang: str) -> str:
    if not isinstance(lang, str) or not lang.lower().startswith(("zh", "en")):
        raise InvalidInputError("lang", f"expected 'zh' or 'en', got {lang!r}")
    return "zh" if lang.lower().startswith("zh") else "en"


def _pick(zh: str, en: str, lang: str) -> str:
    return zh if lang == "zh" else en


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


# --------------------------------------------------------------------------- value types


@attrs.frozen
class Count:
    """One bucket of a breakdown: its key, zh/en labels and how many."""

    key: str
    zh: str
    en: str
    count: int

    def label(self, lang: str = "en") -> str:
        return _pick(self.zh, self.en, _lang(lang))


@attrs.frozen
class Period:
    """A calendar month in a time zone: ``start`` inclusive, ``end`` exclusive."""

    year: int
    month: int
    timezone: str
    start: datetime
    end: datetime

    @classmethod
    def of(cls, year: int, month: int, timezone: str) -> Period:
        if not isinstance(year, int) or isinstance(year, bool) or not 1 <= year <= 9998:
            raise InvalidInputError("year", f"expected a year, got {year!r}")
        if not isinstance(month, int) or isinstance(month, bool) or not 1 <= month <= 12:
            raise InvalidInputError("month", f"expected 1..12, got {month!r}")
        tz = ZoneInfo(timezone)
        nyear, nmonth = (year + 1, 1) if month == 12 else (year, month + 1)
        return cls(
            year,
            month,
            timezone,
            datetime(year, month, 1, tzinfo=tz),
            datetime(nyear, nmonth, 1, tzinfo=tz),
        )

    @property
    def key(self) -> str:
        """``"2025-11"``."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def index(self) -> int:
        """Months since year 0: consecutive months differ by one."""
        return self.year * 12 + self.month - 1

    def shift(self, months: int) -> Period:
        """The month ``months`` away (negative: earlier)."""
        y, m = divmod(self.index + months, 12)
        return Period.of(y, m + 1, self.timezone)


@attrs.frozen
class Totals:
    """VAL-4: what was received, partitioned (the five parts add up to ``received``)."""

    received: int = 0
    valid_complaints: int = 0
    invalid: int = 0
    unverified: int = 0
    requests: int = 0
    enquiries: int = 0

    def counts(self) -> tuple[Count, ...]:
        keys = ("received", "valid_complaints", "invalid", "unverified", "requests", "enquiries")
        return tuple(Count(k, *LABELS[k], getattr(self, k)) for k in keys)


@attrs.frozen
class ClockFigures:
    """One deadline clock over the month's registered records, at ``now``.

    The counts are exclusive: ``started`` = met + missed + running + at_risk +
    paused + breached.
    """

    name: str
    zh: str
    en: str
    rule: str
    met: int = 0
    missed: int = 0
    running: int = 0
    at_risk: int = 0
    paused: int = 0
    breached: int = 0

    @property
    def started(self) -> int:
        return self.met + self.missed + self.running + self.at_risk + self.paused + self.breached

    @property
    def on_time_rate(self) -> float | None:
        """met / (met + missed): of the clocks that stopped, the share stopped in time."""
        return _ratio(self.met, self.met + self.missed)

    @property
    def strict_rate(self) -> float | None:
        """met / (met + missed + breached): breached clocks already count as late."""
        return _ratio(self.met, self.met + self.missed + self.breached)

    def label(self, lang: str = "en") -> str:
        return _pick(self.zh, self.en, _lang(lang))


@attrs.frozen
class Satisfaction:
    """VIS-1: return visits of the month's valid complaints, up to ``now``.

    ``visits`` are those that reached the complainant (an opinion to count);
    ``not_reached`` the attempts that did not, kept out of every rate.
    """

    visits: int = 0
    satisfied: int = 0
    visited_complaints: int = 0
    first_visit_satisfied: int = 0
    not_reached: int = 0

    @property
    def rate(self) -> float | None:
        """Satisfied visits / visits."""
        return _ratio(self.satisfied, self.visits)

    @property
    def first_visit_rate(self) -> float | None:
        """Complaints satisfied at their first visit / complaints visited at least once."""
        return _ratio(self.first_visit_satisfied, self.visited_complaints)


@attrs.frozen
class MajorIssue:
    """VIS-4: a major problem a return visit found, put on the meeting's agenda.

    The complaint, when and by whom: no problem text, no personal data (PRV-1);
    ``show`` gives the rest to those who may read the complaint."""

    complaint_id: str
    at: datetime
    actor: str


@attrs.frozen
class RepeatRule:
    """IMP-3 parameters.

    :ivar lookback_days: a valid complaint repeats the valid complaints received at
        most ``lookback_days`` days before it (each complaint is compared with its
        own window, as intake links it); a group reaches back at most that far
        before the month.

    A report with no rule of its own uses :meth:`of` its pack.
    """

    lookback_days: int = 30

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.lookback_days, int) or self.lookback_days < 0:
            raise InvalidInputError("repeat.lookback_days", "expected an integer >= 0")

    @classmethod
    def of(cls, pack: RulePack) -> RepeatRule:
        """IMP-3: the look-back of ``pack``'s ``[repeats] window`` (the window in which
        intake links the same complainant or room), in whole days rounded up, so the
        report's repeat groups and its ``links`` figure read one window;
        ``RepeatRule()`` (30 days) for a pack that links none (window ``0``)."""
        window = pack.repeats.window.timedelta
        if window <= timedelta(0):
            return cls()
        return cls(lookback_days=-(-window // timedelta(days=1)))

    def reads_from(self, month_start: datetime, pack: RulePack) -> datetime:
        """IMP-3, VAL-4: the earliest time of receipt a report of the month starting at
        ``month_start`` reads: its look-back, or further when the pack links over a
        longer window at intake (a link counts only when the complaint it names is
        a valid complaint, so the report must see it)."""
        reach = max(
            timedelta(days=self.lookback_days),
            pack.repeats.window.timedelta,
            pack.repeats.matter_window.timedelta,
        )
        return month_start.astimezone(UTC) - reach


@attrs.frozen
class RepeatGroup:
    """Linked complaints, named by complaint ids only (PRV-1).

    ``group_id`` is the id of the group's earliest complaint; ``ids`` are ordered
    by time received; ``reasons`` say which link(s) joined them; ``in_month`` is
    how many of them were received in the report month.
    """

    group_id: str
    ids: tuple[str, ...]
    reasons: tuple[str, ...]
    in_month: int


@attrs.frozen
class Repeats:
    """IMP-3: repeat complaints.

    Two valid complaints are linked when they share the **same complainant**
    (the phone number normalised by :func:`complaintcore.core.validity.normalise_phone`,
    else its digits when there are at least 7) or the **same room and category**
    (site + building + room number, the room keyed as intake keys it,
    :func:`complaintcore.core.repeats.room_key`: the room in any address form, the
    building in any form or, left blank, the one the room names; review s50H F01,
    F05; + the business category), and the later was received at most ``lookback_days``
    after the earlier: each complaint is compared with those of its own window,
    as intake links it (the pack's ``[repeats] window``), not with everything
    since the look-back before the month.  Linked complaints form groups
    (transitively).  A group is reported when it has at least two complaints,
    at least one of them received in the report month, all received in the
    month or the ``lookback_days`` before it.

    ``complaints`` is the number of complaints in the groups (earlier ones
    included); ``repeated`` the number of the month's complaints that repeat an
    earlier one (linked to one received before it).
    """

    lookback_days: int
    groups: tuple[RepeatGroup, ...] = ()
    complaints: int = 0
    repeated: int = 0


@attrs.frozen
class ImprovementFigures:
    """IMP-1: cause analysis and measures on the month's valid complaints, at ``now``.

    ``analysed`` valid complaints have a cause analysis (``closed_analysed`` of
    the closed ones).  Measures (corrective and preventive, each with an owner
    and due date) are counted like duties: ``opened`` = ``done`` (in time) +
    ``done_late`` + ``open`` (not yet due) + ``overdue`` (past due, not done).

    IMP-1 asks for a cause analysis and corrective *and preventive* measures on
    every valid complaint; a pack may close one on less (``require_cause`` checks
    the cause and the corrective measure only).  The gap is shown, by complaint id
    only (PRV-1): ``closed_without_cause`` closed valid complaints with no cause
    analysis, ``closed_without_preventive`` closed valid complaints with no
    preventive measure (neither in the cause analysis nor added as a measure),
    their ids in ``*_ids`` (review s58R5 F03).
    """

    analysed: int = 0
    closed_analysed: int = 0
    opened: int = 0
    corrective: int = 0
    preventive: int = 0
    done: int = 0
    done_late: int = 0
    open: int = 0
    overdue: int = 0
    closed_without_cause: int = 0
    closed_without_preventive: int = 0
    closed_without_cause_ids: tuple[str, ...] = ()
    closed_without_preventive_ids: tuple[str, ...] = ()


@attrs.frozen
class LinkFigures:
    """IMP-3, GRD-2: the month's valid complaints linked at intake to earlier ones.

    ``linked`` is the number linked at all; ``repeated`` those that repeat an
    earlier complaint of the same customer (same complainant or same room);
    ``same_complainant``, ``same_room`` and ``same_matter`` by each kind of link
    (a complaint may count under several); ``raised_repeatedly`` carry GRD-2's
    fact (the pack's threshold reached).  VAL-4: a link counts only to an
    earlier record that is a valid complaint as at ``now`` -- not to one
    assessed since as invalid, an enquiry or a service request, nor to one not
    yet verified -- so ``repeated`` and the repeat groups count valid complaints
    alike.
    """

    linked: int = 0
    repeated: int = 0
    same_complainant: int = 0
    same_room: int = 0
    same_matter: int = 0
    raised_repeatedly: int = 0


@attrs.frozen
class MonthTotal:
    """A month's received records and valid complaints (for the trend chart)."""

    period: str
    received: int
    valid_complaints: int


@attrs.frozen
class MonthlyReport:
    """IMP-2: the month's figures.  Build with :func:`monthly_report`."""

    pack: str
    period: Period
    now: datetime
    lang: str
    totals: Totals
    by_category: tuple[Count, ...]
    by_grade: tuple[Count, ...]
    by_department: tuple[Count, ...]
    by_channel: tuple[Count, ...]
    by_site: tuple[Count, ...]
    by_building: tuple[Count, ...]
    by_cause: tuple[Count, ...]
    status: tuple[Count, ...]
    clocks: tuple[ClockFigures, ...]
    satisfaction: Satisfaction
    reopened: int
    reopen_events: int
    escalations: tuple[Count, ...]
    escalated_complaints: int
    repeats: Repeats
    history: tuple[MonthTotal, ...]
    warnings: tuple[ControlWarning, ...]
    warning_rule: EarlyWarning
    excluded_after_now: int = 0
    duties: tuple[ClockFigures, ...] = ()
    improvement: ImprovementFigures = ImprovementFigures()
    links: LinkFigures = LinkFigures()
    control: Judgement | None = None
    """IMP-4: the month's valid complaints against the desk's own control limit."""
    closed_by_top_rung: int = 0
    """VIS-3: of the closed ones, those closed by the top rung's decision, not confirmed."""
    major_issues: tuple[MajorIssue, ...] = ()
    """VIS-4: the major issues return visits raised in the month (by the visit's time
    in the pack's zone), up to ``now``, on any record (valid or not, received in the
    month or before), in time order (reviews s55R1 F03, s56L2 F01)."""

    @property
    def closed_count(self) -> int:
        return next(c.count for c in self.status if c.key == "closed")

    @property
    def open_count(self) -> int:
        return next(c.count for c in self.status if c.key == "open")

    @property
    def breached(self) -> int:
        """Clocks currently past due and still running, over every clock."""
        return sum(c.breached for c in self.clocks)


@attrs.frozen
class EarlierMonth:
    """IMP-4's baseline for one month before the report month, counted elsewhere.

    A store that keeps each complaint's kind, validity, site, building, category
    and department in its projection can count a month without decoding a
    complaint (:meth:`complaintcore.ReportStore.received_counts`); given these,
    :func:`monthly_report` reads complaints of the report month and of the
    repeat window only.  ``received`` counts every record of the month,
    ``valid`` the valid complaints (VAL-4) by ``(site, building, category,
    department)``, each as stored (surrounding spaces are ignored; buildings are
    matched by :func:`~complaintcore.core.concentration.building_key`).
    """

    received: int = 0
    valid: tuple[tuple[tuple[str, str, str, str], int], ...] = ()
    sites: tuple[str, ...] = ()
    """The sites with a record of any kind or validity received in the month (IMP-4:
    a site on the desk then is not new; re-review s58RR2 F02)."""


# --------------------------------------------------------------------------- the pass


def _state_at(complaint: Complaint, now: datetime) -> ComplaintState:
    """The state folded from the events up to ``now`` (the stored state if all are).

    A complaint whose events were never folded (status still NEW) is folded too.
    """
    events = complaint.events
    now = as_instant(now)  # an instant: events may share now's zone (review s41G F02)
    if events and (events[-1].at > now or complaint.state.status is Status.NEW):
        return fold(e for e in events if e.at <= now)
    return complaint.state


def _grade_at(
    complaint: Complaint, state: ComplaintState, pack: RulePack, now: datetime
) -> Grade | None:
    """GRD-2, DL-6: the grade as at ``now``, a rise by time included that no sweep or
    command has recorded yet (the month, a promise let pass on a repeated matter):
    the grade :func:`~complaintcore.core.grading.grade_due` gives, which ``show``
    names and the next sweep records, so a report run before the sweep and one
    run after it agree (review s42C F01, s56R6 F04)."""
    at_now = complaint if state is complaint.state else attrs.evolve(complaint, state=state)
    due = grade_due(at_now, pack, now)
    return state.grade if due is None else due.grade


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _phone_key(phone: str) -> str | None:
    found = normalise_phone(phone, "any")  # a repeat is a repeat whatever the pack accepts
    if found is not None:
        return found
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", phone) if "0" <= ch <= "9")
    return digits if len(digits) >= 7 else None


def _count_runs(states: Counter[ClockState], status: ClockStatus, judged: bool = True) -> None:
    """IMP-2, DL-7: every run of a clock or duty counts, not only the last: a promise
    broken and then agreed anew is one missed (DL-5), a run before a reopening one
    met or missed.  The current run counts by its state; each earlier run that
    passed its due time (``status.breaches``) as missed, the others as met.  A run
    waived before its due time (DL-3: the complaint was judged invalid) counts not
    at all, unless its waiver means the work was done (``status.discharged``, DL-6:
    the complainant satisfied at a return visit within the month): that one is met
    (review s58R5 F01); neither does a promise moved to a new time before it was due
    (``status.superseded``, DL-5): it is one promise with the run that replaced it,
    nor an earlier run that lapsed in time (``status.lapsed``,
    REC-6: a sign-off whose record was reopened before it was due).
    A stage's acknowledgement clock that the stage's response closed, never
    acknowledged, reads missed (``status.unacknowledged``, HOC 6.2, 6.11).
    ``judged``: False when the current run stopped in time without its work done
    and is judged neither met nor missed (:meth:`_Tally._judged`: a closure
    without a response, a request to escalate; review s48F F02)."""
    if status.state is ClockState.NOT_STARTED:
        return
    if judged and status.state is not ClockState.WAIVED:
        states[status.state] += 1
    elif judged and status.discharged:
        states[ClockState.MET] += 1
    earlier = status.run - 1 - status.superseded - status.lapsed
    if earlier <= 0:
        return
    # the current run is late, its breach listed (one extended late, too; one
    # never acknowledged only when its due time had passed)
    late_now = (
        status.state in (ClockState.MISSED, ClockState.BREACHED) or status.late_since is not None
    )
    if status.unacknowledged and status.stopped_at is not None:
        late_now = status.due is None or as_instant(status.stopped_at) > as_instant(status.due)
    late = min(max(len(status.breaches) - late_now, 0), earlier)
    states[ClockState.MISSED] += late
    states[ClockState.MET] += earlier - late


def _site(complaint: Complaint) -> str:
    return (complaint.intake.site or complaint.intake.complainant.site).strip()


def _building(complaint: Complaint) -> tuple[str, str]:
    """``(key, as typed)`` of a complaint's building, qualified by its site
    (``sunrise/3``): counted by its :func:`~complaintcore.core.concentration.building_key`,
    so ``3栋``, ``３号楼`` and ``3 号楼`` are one building (IMP-2, IMP-4), shown as typed."""
    typed = complaint.intake.complainant.building.strip()
    if not typed:
        return "", ""
    site = _site(complaint)
    key = building_key(typed)
    return (f"{site}/{key}", f"{site}/{typed}") if site else (key, typed)


def _building_shown(complaint: Complaint, site: str) -> tuple[str, str]:
    """``(key, label)`` of a complaint's building as a report shows them: the text
    typed redacted as ``list --json`` redacts it (PRV-1; review s41B F01) -- it is
    free text, where an owner may type a name, a phone or a room -- then keyed,
    qualified by ``site``, the complaint's site as the report shows it (review
    s47D F01: on a desk that takes any site, typed text too)."""
    from complaintcore.core.privacy import redact

    person = complaint.intake.complainant
    typed = redact(person.building.strip(), also=(person.name, person.phone, person.room))
    key = building_key(typed)
    return (f"{site}/{key}", f"{site}/{typed}") if site else (key, typed)


def _distinct(shown: Iterable[tuple[str, tuple[str, str]]]) -> dict[str, tuple[str, str]]:
    """Each counted key's ``(key, label)`` as shown, kept distinct (review s47D F02):
    redaction can make two typed sites or buildings look alike (``3栋 王小明`` and
    ``3栋 王大明`` both ``3栋 王**``), and a report's ``key`` names one row.  In the
    order given, the first keeps its shown key and label; a later one whose key
    is taken gets ``#2`` (``#3`` …) after both."""
    out: dict[str, tuple[str, str]] = {}
    taken: set[str] = set()
    for counted, (key, label) in shown:
        n, k, lab = 1, key, label
        while k in taken:
            n += 1
            k, lab = f"{key}#{n}", f"{label}#{n}"
        taken.add(k)
        out[counted] = (k, lab)
    return out


@attrs.frozen
class _Link:
    """What IMP-3 keeps of one valid complaint in the window (never shown)."""

    received: datetime
    id: str
    in_month: bool
    phone: str | None
    room: str | None


@attrs.define
class _Tally:
    """Counters for one pass; private and mutable, gone when the report is built."""

    pack: RulePack
    calendar: WorkingTime
    period: Period
    now: datetime
    warning_rule: EarlyWarning
    repeat_rule: RepeatRule
    earlier: Mapping[int, EarlierMonth] | None = None
    sites: frozenset[str] = frozenset()
    """The site codes the desk names, shown as they are; any other is free text."""
    sites_before: frozenset[str] = frozenset()
    """With ``earlier``: the sites with a record received before the baseline months."""
    site_starts: dict[str, int] = attrs.Factory(dict)
    """IMP-4: each site's first month (index from ``first_index``) with a record of
    any kind or validity, 0 for one with a record before (re-review s58RR2 F02)."""
    tz: ZoneInfo = attrs.field(init=False)
    cut: datetime = attrs.field(init=False)
    """``now`` as an instant (:func:`as_instant`): what every time is compared with,
    since events and receipts may share ``now``'s zone (review s48B)."""
    first_index: int = attrs.field(init=False)
    month_start: datetime = attrs.field(init=False)
    """The month's bounds as instants (UTC): what event times are compared with."""
    month_end: datetime = attrs.field(init=False)
    window_start: datetime = attrs.field(init=False)
    read_start: datetime = attrs.field(init=False)
    kinds: Counter[str] = attrs.Factory(Counter)
    dims: dict[str, Counter[str]] = attrs.Factory(dict)
    clock_states: dict[str, Counter[ClockState]] = attrs.Factory(dict)
    duty_states: dict[str, Counter[ClockState]] = attrs.Factory(dict)
    visits: int = 0
    satisfied_visits: int = 0
    not_reached: int = 0
    visited: int = 0
    first_satisfied: int = 0
    reopened: int = 0
    reopen_events: int = 0
    closed_by_top_rung: int = 0
    triggers: Counter[Trigger] = attrs.Factory(Counter)
    escalated: int = 0
    excluded: int = 0
    history: dict[int, list[int]] = attrs.Factory(dict)
    cells: dict[Cell, list[int]] = attrs.Factory(dict)
    links: list[_Link] = attrs.Factory(list)
    improvement: Counter[str] = attrs.Factory(Counter)
    imp_gaps: dict[str, list[str]] = attrs.Factory(
        lambda: {"closed_without_cause": [], "closed_without_preventive": []}
    )
    """IMP-1: the month's closed valid complaints missing a cause analysis, a
    preventive measure (ids only; review s58R5 F03)."""
    linked: Counter[str] = attrs.Factory(Counter)
    major_issues: list[MajorIssue] = attrs.Factory(list)
    valid_ids: set[str] = attrs.Factory(set)
    """VAL-4: the valid complaints from ``read_start`` on, to judge the links against."""
    link_ids: list[tuple[frozenset[str], frozenset[str], frozenset[str]]] = attrs.Factory(list)
    """IMP-3: each valid complaint's links made at intake (person, room, matter)."""
    building_labels: dict[str, tuple[tuple[datetime, str], Complaint]] = attrs.Factory(dict)
    """Each building key's complaint whose spelling is shown, with its (time received, id)."""
    site_labels: dict[str, tuple[tuple[datetime, str], Complaint]] = attrs.Factory(dict)
    """Each site not in ``sites``: the complaint whose complainant's name, phone and
    room are masked in it (PRV-1), with its (time received, id)."""
    acknowledges: dict[str, frozenset[str]] = attrs.field(init=False)
    """Each stage's acknowledgement clock, with the stages it times (none without stages)."""

    def __attrs_post_init__(self) -> None:
        self.acknowledges = acknowledge_clocks(self.pack)
        self.tz = ZoneInfo(self.period.timezone)
        self.cut = as_instant(self.now)
        self.first_index = self.period.index - self.warning_rule.baseline_months
        start = self.period.start.astimezone(UTC)
        self.month_start, self.month_end = start, self.period.end.astimezone(UTC)
        self.window_start = start - timedelta(days=self.repeat_rule.lookback_days)
        self.read_start = self.repeat_rule.reads_from(self.period.start, self.pack)
        for dim in ("category", "grade", "department", "channel", "site", "building", "cause"):
            self.dims[dim] = Counter()
        for spec in self.pack.clocks:
            self.clock_states[spec.name] = Counter()
        for duty in self.pack.duties:
            self.duty_states[duty.name] = Counter()
        for i in range(self.first_index, self.period.index + 1):
            self.history[i] = [0, 0]
        if self.earlier is not None:
            for site in self.sites_before:
                self._site_seen(site.strip(), 0)
            for i in range(self.first_index, self.period.index):
                self._earlier(i, self.earlier.get(i, EarlierMonth()))

    def add(self, complaint: Complaint) -> None:
        if not isinstance(complaint, Complaint):
            raise InvalidInputError(
                "complaints", f"expected Complaint items, got {type(complaint).__name__}"
            )
        received = complaint.intake.received_at
        if received > self.cut:
            self.excluded += 1
            return
        self._major_issues(complaint)  # VIS-4: raised in the month, whenever received
        local = received.astimezone(self.tz)
        index = local.year * 12 + local.month - 1
        if self.earlier is None and index < self.period.index:  # else given as counts
            self._site_seen(_site(complaint), max(index - self.first_index, 0))
        in_reach = self.read_start <= received < self.period.end
        if not (self.first_index <= index <= self.period.index or in_reach):
            return
        state = _state_at(complaint, self.now)
        valid = counts_as_complaint(state)
        if valid and in_reach:
            self.valid_ids.add(complaint.id)
            if received >= self.window_start:
                self._link(complaint, state, index == self.period.index)
        counted = self.earlier is None or index == self.period.index  # else given as counts
        if counted and self.first_index <= index <= self.period.index:
            month = self.history[index]
            month[0] += 1
            if valid:
                month[1] += 1
                self._cell(complaint, state, index - self.first_index)
        if index == self.period.index:
            self._current(complaint, state, valid)

    # ------------------------------------------------------------- per complaint

    def _link(self, complaint: Complaint, state: ComplaintState, in_month: bool) -> None:
        person = complaint.intake.complainant
        # the room as intake keys it: its site, building and room in any address form
        # (reviews s49A F01, s50H F01, F05)
        room = repeat_room_key(_site(complaint), person.building, person.room)
        room_key = f"{room}|{state.category}" if room else None
        self.links.append(
            _Link(
                as_instant(complaint.intake.received_at),  # sorted, subtracted (s48B)
                complaint.id,
                in_month,
                _phone_key(person.phone),
                room_key,
            )
        )

    def _site_seen(self, site: str, month: int) -> None:
        """IMP-4: a record at ``site`` in ``month`` (from ``first_index``): on the desk then."""
        if site:
            self.site_starts[site] = min(self.site_starts.get(site, month), month)

    def _earlier(self, index: int, month: EarlierMonth) -> None:
        """A baseline month from counts: the same figures :meth:`add` keeps."""
        for site in month.sites:
            self._site_seen(site.strip(), index - self.first_index)
        valid = 0
        for (site, building, category, department), n in month.valid:
            valid += n
            site, building = site.strip(), building_key(building)  # as _building keys it
            building = (f"{site}/{building}" if site else building) if building else ""
            key = (site, building, category, department)
            counts = self.cells.get(key)
            if counts is None:
                counts = self.cells[key] = [0] * (self.period.index - self.first_index + 1)
            counts[index - self.first_index] += n
        self.history[index] = [month.received, valid]

    def _cell(self, complaint: Complaint, state: ComplaintState, month: int) -> None:
        """IMP-4: count a valid complaint in its (site, building, category, department) cell."""
        key = (
            _site(complaint),
            _building(complaint)[0],
            state.category,
            state.responsible_department,
        )
        counts = self.cells.get(key)
        if counts is None:
            counts = self.cells[key] = [0] * (self.period.index - self.first_index + 1)
        counts[month] += 1

    def _month_place(self, complaint: Complaint) -> tuple[str, str]:
        """The site and the building key of a valid complaint of the month.  The
        building's spelling is kept if the first: the month's earliest received
        (then by id), so the report shows the same whichever order its complaints
        are read in (the fast path reads them by time received, a recount in the
        store's order); so is the complaint whose complainant a site not in
        ``sites`` is masked with (review s47D F01)."""
        site = _site(complaint)
        key = _building(complaint)[0]
        first = (as_instant(complaint.intake.received_at), complaint.id)
        kept = self.building_labels.get(key)
        if kept is None or first < kept[0]:
            self.building_labels[key] = (first, complaint)
        if site not in self.sites:
            kept = self.site_labels.get(site)
            if kept is None or first < kept[0]:
                self.site_labels[site] = (first, complaint)
        return site, key

    def _improvement(self, complaint: Complaint, state: ComplaintState) -> None:
        """IMP-1 and IMP-3 on one valid complaint of the month."""
        k = self.improvement
        closed = state.status is Status.CLOSED
        if state.cause_analysed:
            k["analysed"] += 1
            k["closed_analysed"] += closed
        elif closed:  # IMP-1 not met: shown by id (review s58R5 F03)
            self.imp_gaps["closed_without_cause"].append(complaint.id)
        measures = False
        preventive = False  # IMP-1: a preventive measure added
        analysis_preventive = False  # or one in the standing cause analysis
        person: set[str] = set()
        room: set[str] = set()
        matter: set[str] = set()
        for ev in complaint.events:
            if ev.at > self.cut:
                break
            if isinstance(ev, MeasureAdded):
                measures = True
                k["corrective" if ev.measure_kind is MeasureKind.CORRECTIVE else "preventive"] += 1
                preventive = preventive or ev.measure_kind is MeasureKind.PREVENTIVE
            elif isinstance(ev, CauseAnalysed):
                analysis_preventive = bool(ev.preventive.strip())
            elif isinstance(ev, Linked) and not ev.repeated_by:
                person.update(ev.same_complainant)
                room.update(ev.same_room)
                matter.update(ev.same_matter)
        if closed and not (preventive or analysis_preventive):
            self.imp_gaps["closed_without_preventive"].append(complaint.id)
        if person or room or matter:  # judged once every valid complaint is known
            self.link_ids.append((frozenset(person), frozenset(room), frozenset(matter)))
        self.linked["raised_repeatedly"] += Fact.RAISED_REPEATEDLY in state.facts
        if measures:
            for m in compute_measures(complaint, self.pack, self.calendar, self.now, explain=False):
                k["opened"] += 1
                k[_MEASURE_STATE.get(m.state, "open")] += 1

    def _judged(self, complaint: Complaint, status: ClockStatus) -> bool:
        """Whether the clock's current run counts as met or missed.  A run stopped
        in time by a closure without the clock's own stop (a complaint withdrawn, a
        matter settled before any response) or by a request to escalate left its
        work undone, so it was not met (review s48F F02); one stopped so after its
        due time was missed all the same: the deadline passed with the work
        undone, and an owner who gave up waiting must not improve the month's
        figures (IMP-2, DL-7).  One a stage's closure ended never acknowledged is
        missed (``status.unacknowledged``).  Only a run stopped in time is read
        again."""
        stopped = status.stopped_at
        if status.state is not ClockState.MET or stopped is None:
            return True
        stop = self.pack.clock(status.name).stop
        stages = self.acknowledges.get(status.name)
        return judge_run(complaint.events, stop, stopped, stages) is not RunJudgement.NOT

    def _major_issues(self, complaint: Complaint) -> None:
        """VIS-4: the major issues raised in the month -- reached visits with
        ``major_issue`` at or after its start, before its end and up to ``now`` --
        whatever month the record was received in and whatever it turned out to be:
        the list the month's meeting takes up (review s56L2 F01).  A history reads
        forwards, so a record whose last event is before the month has none."""
        events = complaint.events
        if not events or as_instant(events[-1].at) < self.month_start:
            return
        for ev in events:
            at = as_instant(ev.at)
            if at > self.cut or at >= self.month_end:
                break
            if at >= self.month_start and isinstance(ev, Visited) and ev.major_issue and ev.reached:
                self.major_issues.append(MajorIssue(complaint.id, ev.at, ev.actor))

    def _current(self, complaint: Complaint, state: ComplaintState, valid: bool) -> None:
        if complaint.events:
            for status in compute_clocks(complaint, self.pack, self.calendar, self.now):
                judged = self._judged(complaint, status)
                _count_runs(self.clock_states[status.name], status, judged)
            for duty in compute_duties(
                complaint, self.pack, self.calendar, self.now, explain=False
            ):
                _count_runs(self.duty_states[duty.name], duty.clock)
        if state.complaint_kind is Kind.REQUEST:
            self.kinds["requests"] += 1
        elif state.complaint_kind is Kind.ENQUIRY:
            self.kinds["enquiries"] += 1
        elif valid:
            self.kinds["valid_complaints"] += 1
        elif state.validity is Validity.INVALID:
            self.kinds["invalid"] += 1
        else:
            self.kinds["unverified"] += 1
        if not valid:
            return
        d = self.dims
        d["category"][state.category] += 1
        grade = _grade_at(complaint, state, self.pack, self.now)
        d["grade"][grade.value if grade else ""] += 1
        d["department"][state.responsible_department] += 1
        d["channel"][complaint.intake.channel.value] += 1
        site, building = self._month_place(complaint)
        d["site"][site] += 1
        d["building"][building] += 1
        d["cause"][state.cause.value if state.cause else ""] += 1
        self.kinds["closed" if state.status is Status.CLOSED else "open"] += 1
        self._improvement(complaint, state)
        first: bool | None = None
        escalated = False
        previous: Escalated | None = None  # the last escalation, while nobody took it on
        closed: Closed | None = None
        for ev in complaint.events:
            if ev.at > self.cut:
                break
            if isinstance(ev, Closed):
                closed = ev
            if isinstance(ev, Visited) and not ev.reached:
                self.not_reached += 1  # VIS-1: an attempt, no opinion to rate
            elif isinstance(ev, Visited):
                self.visits += 1
                self.satisfied_visits += ev.satisfied
                if first is None:
                    first = ev.satisfied
            elif isinstance(ev, Escalated):
                if not _goes_on(previous, ev):
                    self.triggers[ev.trigger] += 1
                escalated = True
                previous = ev
            elif isinstance(ev, Assigned):
                previous = None
        if first is not None:
            self.visited += 1
            self.first_satisfied += first
        if (
            state.status is Status.CLOSED
            and closed is not None
            and closed.decided_by_top_rung
            and not closed.confirmed_by_complainant  # stored before both were refused
        ):
            self.closed_by_top_rung += 1  # VIS-3: decided, not confirmed by the complainant
        self.escalated += escalated
        if state.reopened:
            self.reopened += 1
            self.reopen_events += state.reopened

    # ------------------------------------------------------------- the report

    def report(self, lang: str) -> MonthlyReport:
        pack = self.pack
        cats = {c.code: (c.zh, c.en) for c in pack.categories}
        deps = {d.code: (d.zh, d.en) for d in pack.departments}
        d = self.dims
        sites = self._sites_shown()
        shown = self._shown(sites)
        k = self.kinds
        totals = Totals(
            received=self.history[self.period.index][0],
            valid_complaints=k["valid_complaints"],
            invalid=k["invalid"],
            unverified=k["unverified"],
            requests=k["requests"],
            enquiries=k["enquiries"],
        )
        clocks = [_figures(spec, self.clock_states[spec.name]) for spec in pack.clocks]
        duties = [_figures(duty, self.duty_states[duty.name]) for duty in pack.duties]
        history = tuple(
            MonthTotal(self.period.shift(i - self.period.index).key, *self.history[i])
            for i in sorted(self.history)
        )
        return MonthlyReport(
            pack=pack.name,
            period=self.period,
            # in the month's zone, as its bounds are: "as at" must not read as before the
            # month ended under a header naming the zone (review s49O F01)
            now=self.now.astimezone(self.period.start.tzinfo),
            lang=lang,
            totals=totals,
            by_category=_known(d["category"], cats, LABELS["unclassified"]),
            by_grade=_known(
                d["grade"], {g.value: (g.zh, g.en) for g in _GRADE_ORDER}, LABELS["ungraded"]
            ),
            by_department=_known(d["department"], deps, LABELS["unassigned"]),
            by_channel=_known(
                d["channel"], {c.value: (c.zh, c.en) for c in Channel}, LABELS["not_recorded"]
            ),
            by_site=_seen(d["site"], sites),
            by_building=_seen(d["building"], shown),
            by_cause=_known(
                d["cause"], {c.value: (c.zh, c.en) for c in Cause}, LABELS["unknown_cause"]
            ),
            status=(
                Count("closed", *LABELS["closed"], k["closed"]),
                Count("open", *LABELS["open"], k["open"]),
            ),
            clocks=tuple(clocks),
            satisfaction=Satisfaction(
                self.visits,
                self.satisfied_visits,
                self.visited,
                self.first_satisfied,
                self.not_reached,
            ),
            reopened=self.reopened,
            reopen_events=self.reopen_events,
            escalations=tuple(Count(t.value, t.zh, t.en, self.triggers[t]) for t in Trigger),
            escalated_complaints=self.escalated,
            repeats=self._repeats(),
            history=history,
            warnings=self._warnings(cats, deps, shown, sites),
            warning_rule=self.warning_rule,
            excluded_after_now=self.excluded,
            duties=tuple(duties),
            improvement=ImprovementFigures(
                **{f: self.improvement[f] for f in _IMPROVEMENT},
                closed_without_cause=len(self.imp_gaps["closed_without_cause"]),
                closed_without_preventive=len(self.imp_gaps["closed_without_preventive"]),
                closed_without_cause_ids=tuple(sorted(self.imp_gaps["closed_without_cause"])),
                closed_without_preventive_ids=tuple(
                    sorted(self.imp_gaps["closed_without_preventive"])
                ),
            ),
            links=self._links(),
            control=self._control(),
            closed_by_top_rung=self.closed_by_top_rung,
            major_issues=tuple(
                sorted(self.major_issues, key=lambda m: (as_instant(m.at), m.complaint_id))
            ),
        )

    def _links(self) -> LinkFigures:
        """IMP-3, VAL-4: the links made at intake that name a valid complaint."""
        k = Counter({"raised_repeatedly": self.linked["raised_repeatedly"]})
        valid = self.valid_ids
        for person, room, matter in self.link_ids:
            kinds = {
                "same_complainant": not valid.isdisjoint(person),
                "same_room": not valid.isdisjoint(room),
                "same_matter": not valid.isdisjoint(matter),
            }
            for name, found in kinds.items():
                k[name] += found
            k["linked"] += any(kinds.values())
            k["repeated"] += kinds["same_complainant"] or kinds["same_room"]
        return LinkFigures(**{f: k[f] for f in _LINKS})

    def _repeats(self) -> Repeats:
        """IMP-3: each valid complaint linked to the latest earlier one of the same phone,
        or room and category, received at most ``lookback_days`` before it (the
        earlier ones are further still); groups are what those links join."""
        links = sorted(self.links, key=lambda x: (x.received, x.id))
        window = timedelta(days=self.repeat_rule.lookback_days)
        parent = list(range(len(links)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        latest: dict[tuple[str, str], int] = {}
        joined: list[tuple[int, str]] = []  # (a later complaint, the reason it was linked)
        repeats = [False] * len(links)
        for i, link in enumerate(links):
            for reason, key in (
                ("same_complainant", link.phone),
                ("same_room_category", link.room),
            ):
                if not key:
                    continue
                before = latest.get((reason, key))
                latest[(reason, key)] = i
                if before is None or link.received - links[before].received > window:
                    continue
                repeats[i] = True
                joined.append((i, reason))
                a, b = find(before), find(i)
                if a != b:
                    parent[max(a, b)] = min(a, b)  # the earliest complaint stays the root
        reasons: dict[int, set[str]] = {}
        for i, reason in joined:
            reasons.setdefault(find(i), set()).add(reason)
        groups: dict[int, list[int]] = {}
        for i in range(len(links)):
            groups.setdefault(find(i), []).append(i)
        found: list[RepeatGroup] = []
        repeated = 0
        for root, members in sorted(groups.items()):
            month = [i for i in members if links[i].in_month]
            if len(members) < 2 or not month:
                continue
            repeated += sum(1 for i in month if repeats[i])
            found.append(
                RepeatGroup(
                    group_id=links[root].id,
                    ids=tuple(links[i].id for i in members),
                    reasons=tuple(sorted(reasons.get(root, ()))),
                    in_month=len(month),
                )
            )
        return Repeats(
            lookback_days=self.repeat_rule.lookback_days,
            groups=tuple(found),
            complaints=sum(len(g.ids) for g in found),
            repeated=repeated,
        )

    def _months(self) -> tuple[list[str], list[bool]]:
        """The tally's months, oldest first, and whether each had data (anything received)."""
        indexes = sorted(self.history)
        periods = [self.period.shift(i - self.period.index).key for i in indexes]
        return periods, [self.history[i][0] > 0 for i in indexes]

    def _warnings(
        self,
        cats: dict[str, tuple[str, str]],
        deps: dict[str, tuple[str, str]],
        shown: Mapping[str, tuple[str, str]],
        sites: Mapping[str, tuple[str, str]],
    ) -> tuple[ControlWarning, ...]:
        labels = {("category", k): v for k, v in cats.items()}
        labels.update({("department", k): v for k, v in deps.items()})
        labels.update({("building", k): (v, v) for k, (_key, v) in shown.items()})
        labels.update({("site", k): (v, v) for k, (_key, v) in sites.items()})
        periods, has_data = self._months()
        found = control_warnings(
            self.cells, periods, has_data, self.warning_rule, labels, site_starts=self.site_starts
        )
        return tuple(_keys_shown(w, shown, sites) for w in found)

    def _sites_shown(self) -> dict[str, tuple[str, str]]:
        """How each site counted this month is shown, ``(key, label)`` (PRV-1; review
        s47D F01): a site the desk names (``sites``) as it is; any other is free text,
        redacted with the name, phone and room of the complainant of its earliest
        complaint (:func:`~complaintcore.core.privacy.shown_site`), once per site,
        not per complaint.  Kept distinct (:func:`_distinct`): the desk's own first,
        then the others in the order first received this month."""
        from complaintcore.core.privacy import shown_site

        known = sorted(s for s in self.dims["site"] if s not in self.site_labels)
        typed = sorted(self.site_labels.items(), key=lambda item: item[1][0])
        pairs = [(s, (s, s)) for s in known]
        for site, (_first, complaint) in typed:
            person = complaint.intake.complainant
            text = shown_site(site, self.sites, also=(person.name, person.phone, person.room))
            pairs.append((site, (text, text)))
        return _distinct(pairs)

    def _shown(self, sites: Mapping[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
        """How each building key is shown, ``(key, label)``: as first spelt this month,
        redacted (:func:`_building_shown`) and qualified by its site as shown (``sites``),
        kept distinct in the order first spelt.  Counting keeps the keys as typed."""
        firsts = sorted(self.building_labels.items(), key=lambda item: item[1][0])
        return _distinct(
            (key, _building_shown(complaint, sites.get(_site(complaint), ("",))[0]))
            for key, (_first, complaint) in firsts
        )

    def _control(self) -> Judgement | None:
        """The desk's valid complaints this month against their own control limit."""
        indexes = sorted(self.history)
        valid = [self.history[i][1] for i in indexes]
        _periods, has_data = self._months()
        return judge(valid[-1], valid[:-1], has_data[:-1], self.warning_rule)


_IMPROVEMENT = tuple(
    a.name
    for a in attrs.fields(ImprovementFigures)
    if a.type in (int, "int") and not a.name.startswith("closed_without")
)
_LINKS = tuple(a.name for a in attrs.fields(LinkFigures))
_MEASURE_STATE = {
    ClockState.MET: "done",
    ClockState.MISSED: "done_late",
    ClockState.BREACHED: "overdue",
}


def _figures(spec: ClockSpec, s: Counter[ClockState]) -> ClockFigures:
    return ClockFigures(
        spec.name,
        spec.zh,
        spec.en,
        spec.rule,
        met=s[ClockState.MET],
        missed=s[ClockState.MISSED],
        running=s[ClockState.RUNNING],
        at_risk=s[ClockState.AT_RISK],
        paused=s[ClockState.PAUSED],
        breached=s[ClockState.BREACHED],
    )


def _known(
    counter: Counter[str], labels: dict[str, tuple[str, str]], empty: tuple[str, str]
) -> tuple[Count, ...]:
    """Every known key in its order (zeros included), then any others seen."""
    out = [Count(key, zh, en, counter[key]) for key, (zh, en) in labels.items()]
    extra = sorted((k for k in counter if k not in labels), key=lambda k: (-counter[k], k))
    for key in extra:
        zh, en = empty if key == "" else (key, key)
        out.append(Count(key, zh, en, counter[key]))
    return tuple(out)


def _keys_shown(
    warning: ControlWarning,
    shown: Mapping[str, tuple[str, str]],
    sites: Mapping[str, tuple[str, str]],
) -> ControlWarning:
    """An IMP-4 warning naming buildings and sites by their keys as shown (PRV-1;
    review s47D F01); one not counted this month (none is, without a complaint)
    by its key redacted."""
    from complaintcore.core.privacy import redact

    of = {"building": shown, "site": sites}

    def key(dimension: str, k: str) -> str:
        found = of[dimension].get(k)
        return found[0] if found is not None else redact(k)

    excluding = tuple(
        f"{d}:{key(d, e.removeprefix(d + ':'))}" if (d := e.partition(":")[0]) in of else e
        for e in warning.excluding
    )
    if warning.dimension not in of:
        return attrs.evolve(warning, excluding=excluding)
    hidden = key(warning.dimension, warning.key)
    if warning.key in of[warning.dimension]:
        return attrs.evolve(warning, key=hidden, excluding=excluding)
    return attrs.evolve(warning, key=hidden, zh=hidden, en=hidden, excluding=excluding)


def _seen(counter: Counter[str], shown: Mapping[str, tuple[str, str]]) -> tuple[Count, ...]:
    """Keys seen, most first, keyed and labelled as ``shown`` has them (else as the
    key); an empty key is 'not recorded'."""
    out = []
    for key in sorted(counter, key=lambda k: (-counter[k], k)):
        code, label = shown.get(key, (key, key))
        zh, en = LABELS["not_recorded"] if key == "" else (label, label)
        out.append(Count(code, zh, en, counter[key]))
    return tuple(out)


def monthly_report(
    complaints: Iterable[Complaint],
    pack: RulePack,
    calendar: WorkingTime,
    *,
    year: int,
    month: int,
    now: datetime,
    lang: str = "en",
    warning_rule: EarlyWarning | None = None,
    repeat_rule: RepeatRule | None = None,
    earlier: Mapping[int, EarlierMonth] | None = None,
    after_now: int | None = None,
    sites: Collection[str] = (),
    sites_before: Collection[str] = (),
) -> MonthlyReport:
    """IMP-2, IMP-3, IMP-4, VAL-4: the statistics of one month, in one pass.

    :param complaints: any iterable, read once (a store's streamed
        ``complaints()`` is fine); complaints of other months are skipped except
        those the warnings' baseline and the repeat window need, and the major
        issues raised in the month on records received before it (VIS-4).
    :param pack: the rule pack: labels, clocks and the calendar's time zone.
    :param calendar: the pack's working calendar
        (``complaintcore.adapters.calendars.calendar_for_spec(pack.calendar)``).
    :param year: the report month's year.
    :param month: the report month, 1..12, in ``pack.calendar.timezone``.
    :param now: aware; every figure is as it stands at ``now`` (see the module
        docstring for the counting rules).
    :param lang: ``"zh"`` or ``"en"``: the language of the ``label`` column of
        :func:`to_rows` and :func:`to_json_dict` (both labels are always there).
    :param warning_rule: IMP-4 control limits (default: the pack's ``early_warning``).
    :param repeat_rule: IMP-3 window (default: the pack's ``[repeats] window``,
        :meth:`RepeatRule.of`).
    :param earlier: the baseline months (``year * 12 + month - 1`` → counts) when
        they are counted elsewhere; then ``complaints`` need only hold those
        received in the report month and in the repeat window before it, and
        those received earlier with an event in the month or later (VIS-4: a
        major issue raised in the month); complaints of earlier months count for
        repeats and major issues only.
    :param after_now: how many complaints were received after ``now`` in all,
        when ``complaints`` holds only some of them.
    :param sites: the site codes the desk names (:meth:`Desk.known_sites
        <complaintcore.desk.Desk.known_sites>`), shown as they are.  Any other
        site -- every site, on a desk that names none and so takes any -- is free
        text where an owner may have typed a name or a phone: the report shows it
        redacted (PRV-1, :func:`~complaintcore.core.privacy.shown_site`), in
        ``by_site``, in the buildings' keys and labels and in the warnings.
    :param sites_before: with ``earlier``, the sites with a record of any kind
        received before the baseline months: IMP-4 judges them over all of the
        baseline, as it does a site with a record in a baseline month
        (``EarlierMonth.sites``); without ``earlier`` the complaints show it.
    :raises InvalidInputError: a bad argument or a non-complaint item; ``.path`` names it.
    """
    require_aware(now, "now")
    if not isinstance(pack, RulePack):
        raise InvalidInputError("pack", f"expected RulePack, got {type(pack).__name__}")
    if isinstance(sites, str) or not all(isinstance(x, str) for x in sites):
        raise InvalidInputError("sites", "expected a collection of site codes")
    if isinstance(sites_before, str) or not all(isinstance(x, str) for x in sites_before):
        raise InvalidInputError("sites_before", "expected a collection of site codes")
    tally = _Tally(
        pack,
        calendar,
        Period.of(year, month, pack.calendar.timezone),
        now,
        warning_rule or pack.early_warning,
        repeat_rule or RepeatRule.of(pack),  # IMP-3: the pack's window
        earlier,
        frozenset(x.strip() for x in sites),
        frozenset(sites_before),
    )
    chosen = _lang(lang)
    for complaint in complaints:
        tally.add(complaint)
    if after_now is not None:
        tally.excluded = after_now
    return tally.report(chosen)


# --------------------------------------------------------------------------- export


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _count_json(c: Count, lang: str) -> dict[str, object]:
    return {"key": c.key, "zh": c.zh, "en": c.en, "label": c.label(lang), "count": c.count}


_BREAKDOWNS = (
    "by_category",
    "by_grade",
    "by_department",
    "by_channel",
    "by_site",
    "by_building",
    "by_cause",
)


def _figures_json(c: ClockFigures, lang: str) -> dict[str, object]:
    return {
        "name": c.name,
        "zh": c.zh,
        "en": c.en,
        "label": c.label(lang),
        "rule": c.rule,
        "started": c.started,
        "met": c.met,
        "missed": c.missed,
        "running": c.running,
        "at_risk": c.at_risk,
        "paused": c.paused,
        "breached": c.breached,
        "on_time_rate": _rate(c.on_time_rate),
        "strict_rate": _rate(c.strict_rate),
    }


def to_json_dict(report: MonthlyReport) -> dict[str, object]:
    """The report as JSON-ready data (str, int, float, None, lists, dicts).

    Rates are rounded to 4 decimals and are ``null`` when there is nothing to
    divide by.  Labels come in both languages (``zh``, ``en``) plus ``label`` in
    the report's language.  No personal data (PRV-1).
    """
    lang = report.lang
    p = report.period
    out: dict[str, object] = {
        "schema": SCHEMA,
        "pack": report.pack,
        "lang": lang,
        "period": {
            "key": p.key,
            "year": p.year,
            "month": p.month,
            "timezone": p.timezone,
            "start": p.start.isoformat(),
            "end": p.end.isoformat(),
        },
        "now": report.now.isoformat(),
        "excluded_after_now": report.excluded_after_now,
        "totals": [_count_json(c, lang) for c in report.totals.counts()],
    }
    for name in _BREAKDOWNS:
        out[name] = [_count_json(c, lang) for c in getattr(report, name)]
    out["status"] = [_count_json(c, lang) for c in report.status]
    out["closed_by_top_rung"] = report.closed_by_top_rung
    out["major_issues"] = [
        {"complaint_id": m.complaint_id, "at": m.at.isoformat(), "actor": m.actor}
        for m in report.major_issues
    ]
    out["clocks"] = [_figures_json(c, lang) for c in report.clocks]
    out["duties"] = [_figures_json(c, lang) for c in report.duties]
    s = report.satisfaction
    out["satisfaction"] = {
        "visits": s.visits,
        "satisfied": s.satisfied,
        "rate": _rate(s.rate),
        "visited_complaints": s.visited_complaints,
        "first_visit_satisfied": s.first_visit_satisfied,
        "first_visit_rate": _rate(s.first_visit_rate),
        "not_reached": s.not_reached,
    }
    out["reopened"] = {"complaints": report.reopened, "events": report.reopen_events}
    out["escalations"] = {
        "complaints": report.escalated_complaints,
        "by_trigger": [_count_json(c, lang) for c in report.escalations],
    }
    r = report.repeats
    out["repeats"] = {
        "lookback_days": r.lookback_days,
        "groups": [
            {
                "group_id": g.group_id,
                "ids": list(g.ids),
                "reasons": list(g.reasons),
                "in_month": g.in_month,
            }
            for g in r.groups
        ],
        "group_count": len(r.groups),
        "complaints": r.complaints,
        "repeated": r.repeated,
    }
    out["history"] = [
        {"period": m.period, "received": m.received, "valid_complaints": m.valid_complaints}
        for m in report.history
    ]
    w = report.warning_rule
    out["warning_rule"] = {
        "baseline_months": w.baseline_months,
        "min_baseline_months": w.min_baseline_months,
        "min_count": w.min_count,
        "false_alarm_rate": w.false_alarm_rate,
        "dimensions": list(w.dimensions),
    }
    out["warnings"] = [
        {
            "dimension": f.dimension,
            "key": f.key,
            "zh": f.zh,
            "en": f.en,
            "label": f.label(lang),
            "observed": f.observed,
            "expected": round(f.expected, 4),
            "limit": f.limit,
            "probability": float(f"{f.probability:.3g}"),
            "months": list(f.months),
            "baseline": list(f.baseline),
            "excluding": list(f.excluding),
        }
        for f in report.warnings
    ]
    c = report.control
    out["control"] = (
        None
        if c is None
        else {
            "observed": c.observed,
            "expected": round(c.expected, 4),
            "limit": c.limit,
            "baseline": list(c.baseline),
        }
    )
    out["improvement"] = {
        k: list(v) if isinstance(v, tuple) else v
        for k, v in attrs.asdict(report.improvement).items()
    }
    out["links"] = attrs.asdict(report.links)
    return out


_IMPROVEMENT_ROWS = (
    ("analysed", "已分析原因", "cause analysed"),
    ("closed_analysed", "已关闭且已分析原因", "closed with the cause analysed"),
    ("opened", "纠正预防措施", "measures recorded"),
    ("corrective", "纠正措施", "corrective measures"),
    ("preventive", "预防措施", "preventive measures"),
    ("done", "按时完成", "done in time"),
    ("done_late", "超时完成", "done late"),
    ("open", "进行中", "not yet due"),
    ("overdue", "已逾期", "overdue"),
    ("closed_without_cause", "已关闭但未分析原因", "closed without a cause analysis"),
    ("closed_without_preventive", "已关闭但无预防措施", "closed without a preventive measure"),
)
_LINK_ROWS = (
    ("linked", "受理时关联到此前投诉", "linked to earlier complaints at intake"),
    ("repeated", "同一客户重复投诉", "repeating the same customer's complaint"),
    ("same_complainant", "同一投诉人", "same complainant"),
    ("same_room", "同一房号", "same room"),
    ("same_matter", "同一楼栋同类问题", "same building, same category"),
    ("raised_repeatedly", "多次反映未解决", "raised repeatedly"),
)


def to_rows(report: MonthlyReport) -> list[Row]:
    """The report as flat rows with the keys :data:`ROW_FIELDS` (for CSV).

    ``section`` groups rows (``totals``, ``by_category`` …, ``clocks``, ``duties``,
    ``satisfaction``, ``improvement``, ``links``, ``repeat_groups``, ``history``,
    ``warnings``, ``control`` (IMP-4: the month's valid complaints, their expected
    count and control limit; none without a baseline) and ``excluded_after_now`` (the
    records received after ``now``, left out)); ``metric``
    says what ``value`` is (``count``, ``on_time_rate`` …); ``detail`` carries
    ids and reasons where a number is not enough.  No personal data (PRV-1).

    Every text cell is :func:`~complaintcore.core.spreadsheet.spreadsheet_safe`:
    a building typed ``=HYPERLINK(…)`` at intake, or a host pack's label, starts
    with ``'`` and cannot run as a formula in the spreadsheet a CSV is opened in
    (CSV injection), so a host writing these rows needs nothing more.
    """
    period = report.period.key
    lang = report.lang
    rows: list[Row] = []
    safe = spreadsheet_safe

    def add(
        section: str,
        key: str,
        zh: str,
        en: str,
        metric: str,
        value: str | int | float | None,
        detail: str = "",
    ) -> None:
        rows.append(
            {
                "period": period,
                "section": section,
                "key": safe(key),
                "label_zh": safe(zh),
                "label_en": safe(en),
                "label": safe(_pick(zh, en, lang)),
                "metric": metric,
                "value": value,
                "detail": safe(detail),
            }
        )

    for c in report.totals.counts():
        add("totals", c.key, c.zh, c.en, "count", c.count)
    for name in (*_BREAKDOWNS, "status", "escalations"):
        for c in getattr(report, name):
            add(name, c.key, c.zh, c.en, "count", c.count)
        if name == "status":  # VIS-3: a part of closed, not a third status
            top = report.closed_by_top_rung
            add(
                name,
                "closed_by_top_rung",
                "高层决定结案",
                "closed by top-rung decision",
                "count",
                top,
            )
    for section, figures in (("clocks", report.clocks), ("duties", report.duties)):
        for k in figures:
            for metric in ("started", "met", "missed", "running", "at_risk", "paused", "breached"):
                add(section, k.name, k.zh, k.en, metric, getattr(k, metric), k.rule)
            add(section, k.name, k.zh, k.en, "on_time_rate", _rate(k.on_time_rate), k.rule)
            add(section, k.name, k.zh, k.en, "strict_rate", _rate(k.strict_rate), k.rule)
    s = report.satisfaction
    sat: tuple[tuple[str, str, str, int | float | None], ...] = (
        ("visits", "回访次数", "return visits", s.visits),
        ("satisfied", "满意次数", "satisfied visits", s.satisfied),
        ("rate", "满意率", "satisfaction rate", _rate(s.rate)),
        ("visited_complaints", "已回访投诉", "complaints visited", s.visited_complaints),
        (
            "first_visit_satisfied",
            "首次回访满意",
            "satisfied at first visit",
            s.first_visit_satisfied,
        ),
        (
            "first_visit_rate",
            "首次回访满意率",
            "first-visit satisfaction rate",
            _rate(s.first_visit_rate),
        ),
        ("not_reached", "未联系上", "visits not reaching the complainant", s.not_reached),
    )
    for key, zh, en, value in sat:
        add("satisfaction", key, zh, en, "value", value)
    add("reopened", "complaints", "重开投诉", "complaints reopened", "count", report.reopened)
    add("reopened", "events", "重开次数", "reopenings", "count", report.reopen_events)
    add(
        "escalated",
        "complaints",
        "升级投诉",
        "complaints escalated",
        "count",
        report.escalated_complaints,
    )
    for key, zh, en in _IMPROVEMENT_ROWS:
        add("improvement", key, zh, en, "count", getattr(report.improvement, key))
    for key, zh, en in _LINK_ROWS:
        add("links", key, zh, en, "count", getattr(report.links, key))
    r = report.repeats
    add("repeats", "groups", "重复投诉组", "repeat groups", "count", len(r.groups))
    add("repeats", "complaints", "组内投诉", "complaints in groups", "count", r.complaints)
    add("repeats", "repeated", "本月重复投诉", "repeats this month", "count", r.repeated)
    for g in r.groups:
        zh = "、".join(LABELS[x][0] for x in g.reasons)
        en = ", ".join(LABELS[x][1] for x in g.reasons)
        add("repeat_groups", g.group_id, zh, en, "complaints", len(g.ids), " ".join(g.ids))
    for m in report.history:
        add("history", m.period, m.period, m.period, "received", m.received)
        add("history", m.period, m.period, m.period, "valid_complaints", m.valid_complaints)
    for f in report.warnings:
        detail = (
            f"expected={f.expected:.2f}; limit={f.limit}; p={f.probability:.2g}; "
            f"baseline={','.join(str(n) for n in f.baseline)}"
        )
        if f.excluding:
            detail += f"; excluding={','.join(f.excluding)}"
        add("warnings", f"{f.dimension}:{f.key}", f.zh, f.en, "observed", f.observed, detail)
    judged = report.control
    if judged is not None:  # IMP-4: the desk's own total, as the HTML chart draws it
        baseline = f"baseline={','.join(str(n) for n in judged.baseline)}"
        zh, en = LABELS["control"]
        add("control", "valid_complaints", zh, en, "observed", judged.observed, baseline)
        add("control", "valid_complaints", zh, en, "expected", round(judged.expected, 4), baseline)
        add("control", "valid_complaints", zh, en, "limit", judged.limit, baseline)
    zh, en = LABELS["received_after_now"]
    add("excluded_after_now", "received_after_now", zh, en, "count", report.excluded_after_now)
    return rows


def _goes_on(previous: Escalated | None, ev: Escalated) -> bool:
    """ESC-2: a move "up one or more rungs" past a rung nobody at the site holds is
    recorded as a further step of the desk's after it (the same trigger, from the
    rung it reached, nobody assigned between, naming no clock of its own): one
    escalation, counted once.  A late sweep's steps each name the clocks that moved
    them."""
    return (
        previous is not None
        and not ev.clock
        and ev.actor == "system"
        and previous.trigger is ev.trigger
        and previous.to_rung == ev.from_rung
    )
