"""Rule packs as typed data: everything the source practices disagree on.

A pack holds the ladder, departments, categories and keywords, grade rules,
sanctions, deadline clocks and calendar choice (procedures.md, "Rule packs the
sources imply").  These are plain frozen values; :mod:`complaintcore.rules`
loads and validates them from TOML.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, timedelta, tzinfo

import attrs

from complaintcore.core.errors import InvalidInputError, shown_code
from complaintcore.core.models import (
    Cause,
    Channel,
    Fact,
    Grade,
    LabelledEnum,
    Outcome,
    code_named,
)

__all__ = [
    "DEFAULT_PHONE_REGIONS",
    "DEFAULT_ROOM_STYLE",
    "ROOM_STYLES",
    "WHOLE_UK",
    "WHOLE_UK_REASON",
    "Accountability",
    "BarAction",
    "CalendarSpec",
    "Category",
    "ClockMode",
    "ClockSpec",
    "Concentration",
    "Department",
    "Duration",
    "DutySpec",
    "EarlyWarning",
    "Extension",
    "GradeHandler",
    "GradeRule",
    "GradingRules",
    "GroupScope",
    "Improvement",
    "Indicator",
    "IndicatorKind",
    "KindRules",
    "Measure",
    "Parameter",
    "ReopenPolicy",
    "RepeatLinking",
    "RequestLimit",
    "ResponseRules",
    "RulePack",
    "Rung",
    "Sanction",
    "Stage",
    "TargetHandler",
    "TimeBar",
    "UncoveredYears",
    "VisitRules",
    "YearDays",
]


class Measure(LabelledEnum):
    """PEN-1: the sanctions the sources name."""

    WARNING = "warning", "警告", "warning"
    SELF_EXAMINATION = "self_examination", "书面检讨", "written self-examination"
    YELLOW_CARD = "yellow_card", "黄牌", "yellow card"
    CIRCULATED_CRITICISM = "circulated_criticism", "通报批评", "circulated criticism"
    RED_CARD = "red_card", "红牌", "red card"
    BLACK_CARD = "black_card", "黑牌", "black card"


class ClockMode(LabelledEnum):
    """How a clock measures time (procedures.md §7)."""

    WALL = "wall", "自然时间", "wall-clock time"
    WORKING_TIME = "working_time", "工作时间", "working time"
    WORKING_DAYS = "working_days", "工作日", "working days"
    SAME_DAY = "same_day", "当个工作日", "end of the same working day"
    MONTHS = "months", "自然月", "calendar months"
    PROMISED = "promised", "约定时间", "the time agreed with the complainant (DL-5)"
    APPOINTED = (
        "appointed",
        "回访预约答复时间",
        "the reply time appointed at a return visit (VIS-2)",
    )


class ReopenPolicy(LabelledEnum):
    """What a clock does when its complaint is reopened."""

    KEEP = "keep", "保持结果", "keep its result"
    RESUME = "resume", "继续计时", "resume"
    RESTART = "restart", "重新计时", "restart"
    CONTINUE = "continue", "照常计时（关闭期间计入）", "run on, the time closed counted"
    AGAIN = "again", "重开后再次应履行", "owed again from its next start"
    """REC-2: a reopened complaint owes it anew from its next start event (once)."""


DEFAULT_PHONE_REGIONS: tuple[str, ...] = ("CN", "HK", "MO", "TW")
"""Whose phone numbers a pack accepts at intake unless it says otherwise (REC-1):
owners in mainland estates include Hong Kong, Macau and Taiwan residents."""

ROOM_STYLES: tuple[str, ...] = ("house_number", "address")
"""What a complainant's room/unit may hold at intake (REC-1), by the pack's
``room_style``: ``house_number``, a Chinese house number (ASCII letters, digits,
Chinese characters, ``-``, ``#``, ``/`` and spaces: ``3-2-1201``, ``A栋1201``);
``address``, a flat or unit as an address writes it (letters of any script,
digits, spaces and ``- # / , . ' ’ ( )``: ``Flat 3, 12 High Street``, ``Apt. 5``,
``Flat 2/1, 14 Byres Road``).  Both need a digit (review s54R12 F01)."""

DEFAULT_ROOM_STYLE = "house_number"
"""The room style of a pack that names none: the Chinese packs' house numbers."""

WHOLE_UK = frozenset({"GB", "UK"})
"""Codes for the whole United Kingdom, which keeps no bank holidays of its own: each
nation has its list (Easter Monday, the August holiday, 2 January and St Andrew's
Day differ), and the holiday source answers only the days all four share."""
WHOLE_UK_REASON = (
    "{country!r} names no bank-holiday list: the UK's nations keep different bank"
    " holidays; name one of GB-ENG, GB-WLS, GB-SCT or GB-NIR"
)

_DURATION = re.compile(r"^\s*(\d+)\s*(mo|d|h|m|min)\s*$")
_DURATION_SHAPED = re.compile(
    r"\s*\d{1,4}(?:[.,]\d{1,2})?\s*(?:(?:working|work|calendar)\s+)?"
    r"(?:m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?|mo|mos|months?"
    r"|分钟|小时|天|日|周|个月|月)?\s*",
    re.IGNORECASE,
)
"""A slip in a length typed into ``--by`` that may be quoted back (``3 days``, ``5``,
``2wk``, ``5D``, ``1.5d``, ``3天``): a short number and a known unit word, in any
case.  Anything else is withheld (``12 smith``): text typed into ``--by`` may be a
resident's name or phone (PRV-1, reviews s58R3 F03, s58RR2 F05).  A rule pack's
durations are its author's own configuration and are always quoted."""


@attrs.frozen
class Duration:
    """A clock length in exact integer units: minutes, days or months."""

    minutes: int = 0
    days: int = 0
    months: int = 0

    @classmethod
    def parse(cls, text: str, path: str = "duration", *, quote: bool = False) -> Duration:
        """Read ``30m``, ``6h``, ``3d`` or ``1mo``.

        A slip is quoted back when shaped like a length (``_DURATION_SHAPED``), or
        always with ``quote`` (a rule pack's own text, never a resident's)."""
        m = _DURATION.match(text) if isinstance(text, str) else None
        if m is None:
            shaped = quote or (isinstance(text, str) and _DURATION_SHAPED.fullmatch(text))
            got = repr(text) if shaped else "(not shown: it may be personal data)"
            raise InvalidInputError(path, f"expected e.g. '30m', '6h', '3d' or '1mo', got {got}")
        n, unit = int(m.group(1)), m.group(2)
        if unit in ("m", "min"):
            return cls(minutes=n)
        if unit == "h":
            return cls(minutes=60 * n)
        if unit == "d":
            return cls(days=n)
        return cls(months=n)

    @functools.cached_property
    def timedelta(self) -> timedelta:
        """As elapsed time; days count as 24 hours (kept: clocks ask for it again and again)."""
        return timedelta(minutes=self.minutes, days=self.days)

    def __str__(self) -> str:
        if self.months:
            return f"{self.months}mo"
        if self.days:
            return f"{self.days}d"
        if self.minutes % 60 == 0:
            return f"{self.minutes // 60}h"
        return f"{self.minutes}m"


@attrs.frozen
class Rung:
    """ESC-1: one rung of the escalation ladder, lowest first in the pack."""

    code: str
    zh: str
    en: str


@attrs.frozen
class Department:
    """CLS-3: a department that can own a fix."""

    code: str
    zh: str
    en: str


@attrs.frozen
class Category:
    """CLS-1..4: a business category, its cause, its owner and its keywords.

    ``staff_words`` name the category's staff (保洁阿姨, security guard): they count
    as keywords unless the text also matches a ``conduct`` category, when they say
    who the complaint is about rather than what (CLS-4).
    """

    code: str
    zh: str
    en: str
    cause: Cause
    department: str
    keywords: tuple[str, ...] = ()
    helpers: tuple[str, ...] = ()
    urgent: bool = False
    facts: tuple[Fact, ...] = ()
    staff_words: tuple[str, ...] = ()
    conduct: bool = False


@attrs.frozen
class KindRules:
    """VAL-4: words that mark an enquiry or a service request rather than a complaint."""

    enquiry: tuple[str, ...] = ()
    request: tuple[str, ...] = ()


@attrs.frozen
class GradeRule:
    """GRD-2..5: a grade given when the complaint's facts match.

    ``channels``, when given, limits the rule to complaints that arrived through
    them: an internal complaint is one made in writing (GRD-5).
    """

    grade: Grade
    any_of: tuple[Fact, ...] = ()
    all_of: tuple[Fact, ...] = ()
    reason_zh: str = ""
    reason_en: str = ""
    channels: tuple[Channel, ...] = ()

    def matches(self, facts: frozenset[Fact], channel: Channel | None = None) -> bool:
        if self.channels and channel not in self.channels:
            return False
        if self.all_of and not set(self.all_of) <= facts:
            return False
        return not self.any_of or bool(set(self.any_of) & facts)


@attrs.frozen
class GradingRules:
    """GRD-1..6: the rules, the default, and the upgrade by age (DL-6)."""

    rules: tuple[GradeRule, ...] = ()
    default: Grade = Grade.MINOR
    upgrade_after_months: int = 1
    upgrade_to: Grade = Grade.MAJOR


@attrs.frozen
class GradeHandler:
    """ESC-3: the lowest rung that may handle a grade."""

    grade: Grade
    rung: str


@attrs.frozen
class TargetHandler:
    """ESC-4, ESC-3: who handles a complaint about a person on ``rung``.

    ``handler_rung`` is the lowest rung allowed to handle it (above ``rung``);
    ``department``, if given, is the unit that takes it on (销管部 for a complaint
    about a 售楼员).  Rungs without an entry are handled one rung up.
    """

    rung: str
    handler_rung: str
    department: str = ""


@attrs.frozen
class Sanction:
    """PEN-1, PEN-2: measures for a grade, and evaluation points for some staff.

    ``points`` are lost by the person complained about when their rung is one of
    ``points_roles`` and, if ``points_departments`` names any, their department
    (the staff directory's) is one of those: a sales office's front line shares
    one rung, and only its sales staff are sales consultants (004 篇1 §3.4).
    """

    grade: Grade
    measures: tuple[Measure, ...]
    points: int = 0
    points_roles: tuple[str, ...] = ()
    points_departments: tuple[str, ...] = ()


@attrs.frozen
class Extension:
    """How far a clock's deadline may be extended, and what an extension must record.

    An ``Extend`` command moves the clock's due time on by its length (in the
    clock's own unit: working days for a working-day clock).  ``cap`` is the
    most all extensions of one run may add up to (``None``: no cap); an
    extension past it is refused, unless ``beyond_cap`` names fields: then it
    must fill those as well (a procedure whose cap holds only "without good
    reason", Housing Ombudsman Code 6.4 and 6.15: who accepted the reason).
    ``records`` are the fields the
    :class:`~complaintcore.core.models.Extended` event must fill (``reason``,
    ``details``, ``agreed_by``).  ``agreed_by`` names someone other than the
    person extending; at the desk, a member of the staff directory, at
    ``agreed_by_rung`` or above when the pack names one (``""``: any rung;
    review s55R4 F01).
    """

    cap: Duration | None = None
    records: tuple[str, ...] = ("reason",)
    rule: str = ""
    beyond_cap: tuple[str, ...] = ()
    agreed_by_rung: str = ""


@attrs.frozen
class Waiver:
    """One reason a clock's work stops being owed, and what alone brings it back.

    A clock is owed by nobody while any of its waivers holds.  A waiver holds from
    an event carrying one of its ``waive`` tags until an event carrying one of its
    ``unwaive`` tags (and none of its ``waive`` tags).  Kept apart, a re-assessment
    does not undo a satisfied return visit (DL-6: resolved is a matter of the
    complainant, not of the assessment).
    """

    waive: tuple[str, ...]
    unwaive: tuple[str, ...] = ()
    discharges: bool = False
    """The waiver means the clock's work was *done*, not that nobody owed it (DL-6:
    a complainant satisfied at a return visit has the complaint resolved): a run
    it waives before its due time counts met in the month's timeliness (IMP-2),
    one it waives late missed, as any waived run (DL-7).  The clock itself reads
    ``waived`` all the same (review s58R5 F01)."""


@attrs.frozen(cache_hash=True)  # a key of the clocks' caches, hashed many times a complaint
class ClockSpec:
    """DL-1..8: a deadline declared as data.

    The clock starts at the first event carrying a ``start`` tag, is met by an
    event carrying a ``stop`` tag, and (if ``pausable``) does not run between
    ``pause`` and ``resume`` events (DL-8).  ``extension``, when given, lets the
    deadline be extended (see :class:`Extension`).  ``repeat`` starts a new run
    at a start tag that comes after the clock stopped (DL-3: each result the
    department reports owes its own reply).  ``met_if_earlier``: tags whose
    event, come before the start, leaves nothing to do, so the clock is met as
    it starts (DL-3: a complaint the department already holds when customer
    service gets it needs no forwarding).  ``waive``: tags whose event leaves the
    clock's open run owed by nobody (``waived``, counted neither met nor missed)
    until an event carrying an ``unwaive`` tag and no ``waive`` tag brings it back
    as if never waived (DL-3: no department result for a complaint judged invalid
    or an enquiry; DL-6: only a valid complaint becomes major).  An event carrying
    a ``waive`` tag and a ``stop`` tag ends the run with nothing done: it *lapses*,
    counted neither met nor missed (missed if its due time had passed), and a later
    ``unwaive`` does not bring it back (REC-6: a reopened record's sign-off).  ``waivers``:
    further waivers (:class:`Waiver`), each lifted only by its own ``unwaive`` tags (DL-6: a
    month waived by a satisfied visit is owed again when the complainant is
    dissatisfied again, not when the complaint is re-assessed).  ``restart``: tags
    whose event, while the clock runs, begins a new run from that event (DL-3: a
    complaint moved to another department gives that department its own time).
    ``blocks_closure``: the complaint cannot be closed while the clock has started
    and not stopped (VIS-2: the reply appointed at a return visit is still owed).
    ``owed_by``: whose lateness ESC-6 reports to ``report_to``: the complaint's
    responsible ``"department"``, or the ``"receiving_unit"`` that registered it
    (IN-5: bringing the complaint to customer service is the receiver's to do).
    ``outlives_closure``: closing the complaint does not end the clock, only its
    ``stop`` tags do (IN-5: closed, a complaint has still not reached customer
    service; the forward to it is taken after closure).  Any other clock that an
    event after closure would start lapses at once: a closed complaint owes it
    nothing.
    """

    name: str
    zh: str
    en: str
    start: tuple[str, ...]
    stop: tuple[str, ...]
    mode: ClockMode
    duration: Duration = Duration()
    rule: str = ""
    pause: tuple[str, ...] = ("paused",)
    resume: tuple[str, ...] = ("resumed",)
    pausable: bool = True
    at_risk_percent: int = 80
    reopen: ReopenPolicy = ReopenPolicy.RESUME
    escalate_on_breach: bool = True
    report_to: str = ""
    extension: Extension | None = None
    repeat: bool = False
    met_if_earlier: tuple[str, ...] = ()
    waive: tuple[str, ...] = ()
    unwaive: tuple[str, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    restart: tuple[str, ...] = ()
    blocks_closure: bool = False
    owed_by: str = "department"
    outlives_closure: bool = False


OWED_BY = ("department", "receiving_unit")
"""Whose lateness a clock's ``report_to`` hears of (ESC-6): see :class:`ClockSpec`."""


class UncoveredYears(LabelledEnum):
    """What deadlines do in a year whose make-up days (调休) the holiday source lacks.

    China's arrangement for a year (bridge holidays, make-up working days) is
    announced late in the year before; a holiday package released earlier
    cannot know it.
    """

    WARN = "warn", "照常计算并警告", "compute them and warn"
    REFUSE = "refuse", "拒绝计算", "refuse them"


@attrs.frozen
class YearDays:
    """One year's official days off and make-up working days, typed in by hand.

    A year listed here counts as covered: its deadlines are computed without a
    warning, whatever the holiday source knows.
    """

    year: int
    holidays: tuple[date, ...] = ()
    workdays: tuple[date, ...] = ()


@attrs.frozen(cache_hash=True)
class DutySpec(ClockSpec):
    """A duty: something a named role must do by a deadline (DL-5, REC-2, IN-6 …).

    A duty is a clock (the same ``start``/``stop`` tags, modes, at-risk share,
    breach and escalation) with an owner and a discharging command.  Unlike a
    clock, closing the complaint does not end it: only its ``stop`` tags do, so
    an apology or a call back is still owed after closure.  ``start`` may also
    name ``breached:<clock>``: the moment that clock's deadline passed (a broken
    promise).  ``when`` limits the duty to complaints whose history carries one
    of those tags before it starts (``registered:via_head_office`` for IN-6).

    The owner is the complaint's handler (``owner_handler``) and/or the staff of
    ``owner_department`` at ``owner_rung`` of the complaint's site.  ``command``
    names the command that discharges it; ``records`` the fields the
    discharging event must fill (the apology, the reason, the remedy …).
    ``repeat`` owes it again each time a start tag comes after it was
    discharged (every broken promise owes its own apology).  ``channels``, when
    given, limits it to complaints received through them (REC-6: only a written
    complaint's record is signed off); empty, every complaint may owe it.
    ``applies_from``, when given, is the first day (in the pack's zone) the duty is
    owed: a start event on an earlier day starts no run, so a duty added to a pack
    already in use is not owed by what happened before it was added (VIS-1: a
    complaint replied to before 2026-12-05 owes no return visit, re-review s54R13).
    """

    pausable: bool = False
    reopen: ReopenPolicy = ReopenPolicy.KEEP
    when: tuple[str, ...] = ()
    repeat: bool = False
    owner_handler: bool = False
    owner_department: str = ""
    owner_rung: str = ""
    command: str = ""
    records: tuple[str, ...] = ()
    channels: tuple[Channel, ...] = ()
    applies_from: date | None = None

    def owed_on(self, channel: Channel) -> bool:
        """Whether a complaint received through ``channel`` can owe the duty (REC-6:
        only a written complaint's record is signed off)."""
        return not self.channels or channel in self.channels

    def applies_at(self, at: datetime, zone: tzinfo) -> bool:
        """Whether an event at ``at`` may start the duty: on or after ``applies_from``
        (a day in ``zone``, the pack's), or always when it has none."""
        return self.applies_from is None or at.astimezone(zone).date() >= self.applies_from

    @property
    def new_run_tags(self) -> frozenset[str]:
        """Tags besides ``start`` whose event may begin a new run of the duty: its
        ``restart`` tags, and ``reopened`` when it restarts at a reopening (IN-6: head
        office tracks a reopened complaint again, review s50J F01)."""
        found = set(self.restart)
        if self.reopen is ReopenPolicy.RESTART:
            found.add("reopened")
        return frozenset(found)

    @property
    def owed_again_tags(self) -> frozenset[str]:
        """Tags whose event may make the duty's run owed again without beginning a new
        one: ``reopened`` when it resumes or runs on at a reopening, and the tags that
        lift its waivers (``unwaive``, each waiver's own)."""
        found = {tag for waiver in self.waivers for tag in waiver.unwaive}
        if self.waive:
            found.update(self.unwaive)
        if self.reopen in (ReopenPolicy.RESUME, ReopenPolicy.CONTINUE):
            found.add("reopened")
        return frozenset(found)


class GroupScope(LabelledEnum):
    """HDL-5: where complaints about the same issue are looked for."""

    SITE = "site", "同一项目", "the same site"
    BUILDING = "building", "同一楼栋", "the same building"


@attrs.frozen
class Concentration:
    """HDL-5, HDL-6: when open complaints are one concentrated issue, or a group incident.

    Open complaints of the same category at the same site (or building) received
    within ``window`` of each other are one **concentrated issue** once
    ``min_complainants`` distinct complainants have complained; within
    ``group_window``, ``group_complainants`` of them make a **group incident**
    reported to the pack's ``group_report_rung`` at once (``group_window`` is
    not longer than ``window``).  ``0`` turns either off; ``ignore_categories``
    are never grouped (a catch-all category).
    """

    scope: GroupScope = GroupScope.BUILDING
    window: Duration = Duration(minutes=72 * 60)
    min_complainants: int = 0
    group_window: Duration = Duration(minutes=24 * 60)
    group_complainants: int = 0
    ignore_categories: tuple[str, ...] = ()

    @property
    def enabled(self) -> bool:
        return self.min_complainants > 0 or self.group_complainants > 0

    @property
    def reach(self) -> timedelta:
        """How far either side of a complaint its fellow members may have been received."""
        return self.window.timedelta if self.min_complainants else self.group_window.timedelta


class BarAction(LabelledEnum):
    """What a time limit does to a complaint (or an escalation request) that is too late."""

    REFUSE = "refuse", "拒绝受理", "refuse it"
    FLAG = "flag", "受理并标记", "accept it and flag it"


@attrs.frozen
class TimeBar:
    """A time limit at intake: a complaint about something that happened longer ago
    than ``after`` (counted from the intake's ``occurred_at`` to its receipt) is
    refused or flagged.  A complaint that does not say when the issue arose is not
    barred."""

    after: Duration
    action: BarAction = BarAction.FLAG
    rule: str = ""


@attrs.frozen
class RequestLimit:
    """How late a request to escalate into a stage may come.

    The request is in time if it comes within ``after_response`` of the previous
    stage's response **or** within ``after_event`` of when the issue arose
    (``occurred_at``), whichever ends later; before that response, while the
    stage is still open and the complaint was made in time, an ``after_response``
    window has not begun and the request is in time; a stage closed without a
    response, or a complaint flagged out of time, has only ``after_event``; an
    unknown ``occurred_at`` does not apply, and with neither known the request is
    in time.
    """

    after_response: Duration | None = None
    after_event: Duration | None = None
    action: BarAction = BarAction.REFUSE
    rule: str = ""


@attrs.frozen
class Stage:
    """One stage of a staged procedure, lowest first in the pack (stage 1, stage 2 …).

    A complaint starts at the first stage; an ``EscalationRequested`` event moves
    it to the next.  Each stage is acknowledged (``Acknowledged``) and answered
    (``Responded``, with an outcome).  ``acknowledge_clock`` and
    ``response_clock`` name the pack's clocks that time those two steps (for the
    indicators); ``distinct_handler`` refuses a handler who handled an earlier
    stage; ``handler_rung`` is the lowest rung that may handle the stage (an
    SPSO stage 2 is investigated by an investigating officer, not the front
    line that answered stage 1); ``acknowledge_records`` are fields the acknowledgement must fill
    (``definition``, ``remedy_sought``); ``close_on_response`` closes the
    complaint with the stage's response; ``request_limit`` says how late a
    request to escalate into this stage may come.
    """

    code: str
    zh: str
    en: str
    rule: str = ""
    acknowledge_clock: str = ""
    response_clock: str = ""
    distinct_handler: bool = False
    handler_rung: str = ""
    acknowledge_records: tuple[str, ...] = ()
    close_on_response: bool = True
    request_limit: RequestLimit | None = None


@attrs.frozen
class ResponseRules:
    """What a stage response must hold: a remedy for these outcomes."""

    remedy_required: tuple[Outcome, ...] = ()
    rule: str = ""


class IndicatorKind(LabelledEnum):
    """What a periodic indicator counts (see :mod:`complaintcore.core.indicators`)."""

    RECEIVED = "received", "收到", "complaints received"
    RESPONDED = "responded", "已答复", "responses given"
    CLOSED = "closed", "已结案", "complaints closed"
    SHARE_CLOSED = "share_closed", "结案占比", "share of all closures"
    WITHIN_TARGET = "within_target", "按时率", "share within the time limit"
    AVERAGE_WORKING_DAYS = "average_working_days", "平均工作日", "average working days"
    EXTENDED = "extended", "延期", "responses whose time limit was extended"
    OUTCOME = "outcome", "处理结论", "share with an outcome"
    REMEDIES = "remedies", "补救措施", "responses recording a remedy"
    TIME_BARRED = "time_barred", "超出时限", "complaints flagged as out of time"


@attrs.frozen
class Indicator:
    """A figure a pack's periodic report gives (an ombudsman's indicators).

    ``stage`` limits it to one stage (empty: all); ``clock`` names the clock
    ``within_target`` judges (default: the stage's ``response_clock``);
    ``outcome`` is the outcome an ``outcome`` indicator counts.
    ``with_extensions`` (``within_target``): an extended clock is judged against
    its extended due time; false, against its own duration, as a figure "within
    5 working days" needs (the SPSO's indicators count extensions apart).
    """

    code: str
    zh: str
    en: str
    kind: IndicatorKind
    stage: str = ""
    clock: str = ""
    outcome: Outcome | None = None
    rule: str = ""
    with_extensions: bool = True


@attrs.frozen
class Parameter:
    """A value a pack template leaves to the organisation (its own targets).

    The pack's text writes ``"${name}"`` where the value goes; ``value`` is the
    default, and :func:`complaintcore.rules.load_pack` takes others.
    """

    name: str
    value: str
    zh: str = ""
    en: str = ""


@attrs.frozen
class Improvement:
    """IMP-1 (004 篇2 §3.5): cause analysis and corrective and preventive measures.

    ``require_cause``: a valid complaint is closed only once its cause analysis
    is recorded.  Each measure is watched until marked done; it is at risk from
    ``measure_at_risk_percent`` of the time between recording it and its due
    date (DL-7).
    """

    require_cause: bool = False
    measure_at_risk_percent: int = 80


@attrs.frozen
class VisitRules:
    """VIS-1, VIS-3: when return visits that did not reach the complainant count as
    satisfaction failed, so the top rung may decide the closure.

    ``not_reached_attempts``: how many visits or calls that did not reach the
    complainant (``Visit(reached=False)``), since the complaint was last closed
    and since any satisfied visit, count as failing satisfaction.  Each attempt
    counts, several on one day too.  ``0``: never; only an unsatisfied visit or
    an escalation ``dissatisfied`` or ``reschedule_refused`` does.  The sources
    give no number (002 §3.5: visits go on "直到业主满意为止").
    """

    not_reached_attempts: int = 3


REPEAT_LINKS: tuple[str, ...] = ("same_complainant", "same_room", "same_matter")
"""IMP-3: how a new complaint can be linked to an earlier one."""


@attrs.frozen
class RepeatLinking:
    """IMP-3, GRD-2: which earlier complaints a new one is linked to at intake.

    Earlier complaints received within ``window`` by the **same complainant**
    (at the same site) or about the **same room**, and within ``matter_window``
    about the **same matter** (the same building and category), are linked with
    an event.  A customer raising one matter again (the same category, linked by
    the kinds in ``counts``) raises it for the *n*-th time; at ``threshold`` it
    is "raised repeatedly" (GRD-2).  ``0`` turns a window or the threshold off;
    ``ignore_categories`` are never a matter (a catch-all category);
    ``max_links`` caps the ids an event keeps per kind of link.
    """

    window: Duration = Duration()
    matter_window: Duration = Duration()
    threshold: int = 0
    counts: tuple[str, ...] = ("same_complainant", "same_room")
    ignore_categories: tuple[str, ...] = ()
    max_links: int = 20

    @property
    def enabled(self) -> bool:
        # the units, not the timedelta: a pack being checked may hold one too long for it
        return any(d.minutes or d.days for d in (self.window, self.matter_window))


@attrs.frozen
class EarlyWarning:
    """IMP-4: when a monthly count is a rise worth a manager's time (a control limit).

    For each series (a building, category, department or site: ``dimensions``)
    the expected count is the mean of the previous ``baseline_months`` months
    *that have data* (the desk received something that month); at least
    ``min_baseline_months`` of them are needed.  The upper control limit is the
    smallest count a steady series reaches with probability at most
    ``false_alarm_rate`` in a month; a count at or above it, and at least
    ``min_count``, is a warning.  See ``docs/statistics.md``.
    """

    baseline_months: int = 12
    min_baseline_months: int = 2
    min_count: int = 3
    false_alarm_rate: float = 0.001
    dimensions: tuple[str, ...] = ("building", "category", "department", "site")


@attrs.frozen
class Accountability:
    """PEN-1, PEN-2: when a staff member's case is severe and reported to the company.

    004 篇1 §三.4: a consultant complained about loses points that month, and in
    a serious case (情节严重) is handed to the company.  A sanction is severe
    when its grade is in ``severe_grades`` or it carries a measure in
    ``severe_measures``; a month is severe for a person with a severe sanction,
    at least ``severe_points`` points deducted or at least ``severe_complaints``
    valid complaints about them (``0`` turns a threshold off).  ``report_to`` is
    the department told (default: the pack's ``accountability_department``).
    """

    severe_grades: tuple[Grade, ...] = ()
    severe_measures: tuple[Measure, ...] = ()
    severe_points: int = 0
    severe_complaints: int = 0
    report_to: str = ""


@attrs.frozen
class CalendarSpec:
    """Which working calendar a pack's clocks run on (DL-1..4, DL-7, DL-8).

    ``holidays`` and ``workdays`` add days off and working days to the holiday
    source's; ``by_year`` does the same one year at a time and marks the year
    covered; ``uncovered_years`` says what to do in a year nobody covers.
    ``categories`` are the holiday source's lists that mean a day off: its
    ``public`` holidays, and for some places more (Hong Kong's general holidays,
    Good Friday and Easter among them, are ``["public", "optional"]``).
    """

    country: str = "CN"
    timezone: str = "Asia/Shanghai"
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    windows: tuple[tuple[str, str], ...] = (("09:00", "12:00"), ("13:00", "18:00"))
    holidays: tuple[date, ...] = ()
    workdays: tuple[date, ...] = ()
    first_year: int = 2024
    last_year: int = 2040
    by_year: tuple[YearDays, ...] = ()
    uncovered_years: UncoveredYears = UncoveredYears.WARN
    categories: tuple[str, ...] = ("public",)


CODE_KINDS = ("rung", "department", "unit", "category", "stage", "clock", "duty")
"""The kinds of code a pack holds with labels (:meth:`RulePack.codes_of`,
:meth:`RulePack.labels_of`): an error naming one of them may list them with labels."""


@attrs.frozen
class RulePack:
    """Everything a practice decides; see procedures.md for each part's rule ID."""

    name: str
    title_zh: str
    title_en: str
    ladder: tuple[Rung, ...]
    departments: tuple[Department, ...]
    categories: tuple[Category, ...]
    default_category: str
    customer_service: str
    grade_handlers: tuple[GradeHandler, ...] = ()
    target_handlers: tuple[TargetHandler, ...] = ()
    serious_rung: str = ""
    group_report_rung: str = ""
    accountability_department: str = ""
    head_office_unit: str = "head_office"
    sign_off_channels: tuple[str, ...] = ("written",)
    phone_regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS
    room_style: str = DEFAULT_ROOM_STYLE
    """REC-1: what a room/unit may hold (one of :data:`ROOM_STYLES`)."""
    kind_rules: KindRules = KindRules()
    grading: GradingRules = GradingRules()
    sanctions: tuple[Sanction, ...] = ()
    clocks: tuple[ClockSpec, ...] = ()
    duties: tuple[DutySpec, ...] = ()
    concentration: Concentration = Concentration()
    improvement: Improvement = Improvement()
    visits: VisitRules = VisitRules()
    repeats: RepeatLinking = RepeatLinking()
    early_warning: EarlyWarning = EarlyWarning()
    accountability: Accountability = Accountability()
    calendar: CalendarSpec = CalendarSpec()
    stages: tuple[Stage, ...] = ()
    time_bar: TimeBar | None = None
    response: ResponseRules = ResponseRules()
    indicators: tuple[Indicator, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    description: str = ""
    version: str = "1"
    languages: tuple[str, ...] = ()
    """The languages a desk on this pack writes notifications in unless its
    configuration says otherwise (empty: Chinese, then English)."""
    valid_at_intake: bool = False
    """VAL-1, VAL-4: the procedure has no validity step (Housing Ombudsman Code 1.2:
    any expression of dissatisfaction is a complaint), so registration records
    each complaint as valid; an assessment can still say otherwise."""

    # ---------------------------------------------------------------- look-ups

    @functools.cached_property
    def _rung_positions(self) -> dict[str, int]:
        return {r.code: i for i, r in enumerate(self.ladder)}

    def rung_index(self, code: str, *, path: str = "rung") -> int:
        """ESC-1: position on the ladder, 0 at the front line.

        An unknown code is an :class:`InvalidInputError` naming ``path``: the field
        it was given in (``to_rung`` for an escalation; review s50F F02)."""
        try:
            return self._rung_positions[code]
        except KeyError:
            raise InvalidInputError(
                path,
                f"unknown rung {shown_code(code, self.codes_of('rung'))} in pack {self.name}",
            ) from None

    def has_rung(self, code: str) -> bool:
        return code in self._rung_positions

    @property
    def top_rung(self) -> Rung:
        return self.ladder[-1]

    def rung(self, code: str) -> Rung:
        return self.ladder[self.rung_index(code)]

    # Categories and departments are looked up several times per complaint at
    # intake: a plain-text code is found in a dict built once per pack.  Anything
    # else (a code that is not plain text, in the pack or asked for) is looked up
    # by the scan in order, comparing as ever.
    @functools.cached_property
    def _categories_by_code(self) -> dict[str, Category]:
        if any(type(c.code) is not str for c in self.categories):
            return {}
        found: dict[str, Category] = {}
        for c in self.categories:
            found.setdefault(c.code, c)  # the first of a code, as the scan finds
        return found

    @functools.cached_property
    def _department_codes(self) -> frozenset[str]:
        if any(type(d.code) is not str for d in self.departments):
            return frozenset()
        return frozenset(d.code for d in self.departments)

    def has_category(self, code: str) -> bool:
        return type(code) is str and (
            code in self._categories_by_code or any(c.code == code for c in self.categories)
        )

    def category(self, code: str) -> Category:
        found = self._categories_by_code.get(code) if type(code) is str else None
        if found is not None:
            return found
        for c in self.categories:
            if c.code == code:
                return c
        raise InvalidInputError(
            "category",
            f"unknown category {shown_code(code, self.codes_of('category'))} in pack {self.name}",
        )

    def codes_of(self, kind: str) -> tuple[str, ...]:
        """The pack's codes of one kind (``rung``, ``department``, ``unit`` -- its
        departments and head office --, ``category``, ``clock``, ``duty``, ``stage``),
        for an error to tell a typo of one from anything else (PRV-1)."""
        if kind == "rung":
            return tuple(r.code for r in self.ladder)
        if kind == "department":
            return tuple(d.code for d in self.departments)
        if kind == "unit":
            return (*self.codes_of("department"), *filter(None, (self.head_office_unit,)))
        if kind == "category":
            return tuple(c.code for c in self.categories)
        if kind == "stage":
            return tuple(st.code for st in self.stages)
        if kind == "clock":
            return tuple(c.name for c in self.clocks)
        if kind == "duty":
            return tuple(d.name for d in self.duties)
        raise InvalidInputError(
            "kind", f"expected {', '.join(CODE_KINDS[:-1])} or {CODE_KINDS[-1]}"
        )

    def labels_of(self, kind: str) -> tuple[tuple[str, str, str], ...]:
        """The pack's codes of one kind (as :meth:`codes_of`) with their zh and en
        labels: ``(code, zh, en)``.  Head office, a unit without labels of its own,
        has its code for both."""
        items: tuple[Rung | Department | Category | Stage, ...] = ()
        if kind == "rung":
            items = self.ladder
        elif kind in ("department", "unit"):
            items = self.departments
        elif kind == "category":
            items = self.categories
        elif kind == "stage":
            items = self.stages
        elif kind in ("clock", "duty"):
            specs = self.clocks if kind == "clock" else self.duties
            return tuple((s.name, s.zh, s.en) for s in specs)
        else:
            self.codes_of(kind)  # names the kinds there are
        found = tuple((i.code, i.zh, i.en) for i in items)
        if (
            kind == "unit"
            and self.head_office_unit
            and not self.has_department(self.head_office_unit)
        ):
            found += ((self.head_office_unit,) * 3,)
        return found

    def code_for(self, kind: str, text: str) -> str | None:
        """CLS-1, CLS-3, ESC-1: the code of one kind that ``text`` names, for people
        who type what the tables show: the code itself, or its zh or en label
        (:func:`~complaintcore.core.models.code_named`).  None when it names no
        code of that kind, or several."""
        return code_named(self.labels_of(kind), text)

    def has_department(self, code: str) -> bool:
        if type(code) is str and code in self._department_codes:
            return True
        return any(d.code == code for d in self.departments)

    def department(self, code: str) -> Department:
        for d in self.departments:
            if d.code == code:
                return d
        shown = shown_code(code, self.codes_of("department"))
        raise InvalidInputError("department", f"unknown department {shown} in pack {self.name}")

    def clock(self, name: str) -> ClockSpec:
        for c in self.clocks:
            if c.name == name:
                return c
        raise InvalidInputError(
            "clock", f"unknown clock {shown_code(name, self.codes_of('clock'))} in pack {self.name}"
        )

    def duty(self, name: str) -> DutySpec:
        for d in self.duties:
            if d.name == name:
                return d
        raise InvalidInputError(
            "duty", f"unknown duty {shown_code(name, self.codes_of('duty'))} in pack {self.name}"
        )

    @functools.cached_property
    def duty_records(self) -> dict[str, tuple[tuple[DutySpec, tuple[str, ...]], ...]]:
        """Discharging tag -> (duty, fields its event must fill): checked by ``decide``."""
        out: dict[str, list[tuple[DutySpec, tuple[str, ...]]]] = {}
        for d in self.duties:
            if d.records:
                for tag in d.stop:
                    out.setdefault(tag, []).append((d, d.records))
        return {tag: tuple(found) for tag, found in out.items()}

    def target_handler_for(self, rung: str) -> TargetHandler | None:
        """ESC-4: the pack's entry for complaints about a person on ``rung``, if any."""
        for th in self.target_handlers:
            if th.rung == rung:
                return th
        return None

    def handler_rung_for(self, grade: Grade | None) -> str:
        """ESC-3: the lowest rung allowed to handle this grade.

        A grade without an entry takes the entry of the nearest lower grade, so it
        is never handled below a lower one; with none below it, the front line.
        ``internal`` stands apart: its own entry or the front line.
        """
        if grade is None:
            return self.ladder[0].code
        if type(grade) is not Grade:  # not a grade itself: scanned as ever
            return self._handler_rung_scan(grade)
        known = self._handler_rungs
        found = known.get(grade)
        if found is None:
            found = known[grade] = self._handler_rung_scan(grade)
        return found

    @functools.cached_property
    def _handler_rungs(self) -> dict[Grade, str]:
        """:meth:`handler_rung_for` by grade, each found once per pack: routing and
        every access check ask it, several times a complaint at intake (the pack is
        frozen, as :attr:`_rung_positions` assumes)."""
        return {}

    def _handler_rung_scan(self, grade: Grade) -> str:
        below = [
            gh
            for gh in self.grade_handlers
            if gh.grade is grade
            or (Grade.INTERNAL not in (gh.grade, grade) and gh.grade.rank < grade.rank)
        ]
        if not below:
            return self.ladder[0].code
        return max(below, key=lambda gh: gh.grade.rank).rung

    def has_stage(self, code: str) -> bool:
        return any(s.code == code for s in self.stages)

    def stage(self, code: str) -> Stage:
        """A stage by code; ``""`` is the first stage (a complaint starts there)."""
        if not code and self.stages:
            return self.stages[0]
        for s in self.stages:
            if s.code == code:
                return s
        raise InvalidInputError(
            "stage", f"unknown stage {shown_code(code, self.codes_of('stage'))} in pack {self.name}"
        )

    def next_stage(self, code: str) -> Stage | None:
        """The stage after ``code`` (``""``: the first), or None at the last."""
        codes = [s.code for s in self.stages]
        here = codes.index(self.stage(code).code)
        return self.stages[here + 1] if here + 1 < len(codes) else None

    def sanction_for(self, grade: Grade) -> Sanction | None:
        for s in self.sanctions:
            if s.grade is grade:
                return s
        return None

    @property
    def severe_report_to(self) -> str:
        """PEN-2: the department a severe case is reported to (the company's)."""
        return self.accountability.report_to or self.accountability_department
