"""Frozen value types: who complained, what they said, and what happened since.

A complaint is its intake record plus an append-only tuple of events (REC-5);
its status, grade, handler and rung are derived from those events by
:func:`complaintcore.core.workflow.evolve`, never stored on their own.
"""

from __future__ import annotations

import enum
import functools
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timezone, tzinfo
from typing import TYPE_CHECKING, Any, ClassVar, Self

import attrs

from complaintcore.core.errors import (
    FieldProblem,
    InvalidInputError,
    NaiveDatetimeError,
    RulePackError,
    shown_code,
)

if TYPE_CHECKING:
    from complaintcore.core.rulepack import Category, RulePack

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "SATISFACTION_FAILED",
    "Acknowledged",
    "Apologised",
    "Assessed",
    "Assigned",
    "CalledBack",
    "Cause",
    "CauseAnalysed",
    "Channel",
    "Classified",
    "Closed",
    "Complainant",
    "Complaint",
    "ComplaintState",
    "Escalated",
    "EscalationRequested",
    "Event",
    "EvidenceAttached",
    "Extended",
    "Fact",
    "Forwarded",
    "Grade",
    "Graded",
    "Grouped",
    "Handled",
    "Intake",
    "Kind",
    "LabelledEnum",
    "Linked",
    "MeasureAdded",
    "MeasureDone",
    "MeasureKind",
    "Outcome",
    "Paused",
    "Promised",
    "Registered",
    "Reopened",
    "Replied",
    "Reported",
    "Responded",
    "Resumed",
    "SanctionRecorded",
    "SignedOff",
    "SiteVisited",
    "Status",
    "TargetPerson",
    "Trigger",
    "Ungrouped",
    "Validity",
    "Visited",
    "code_named",
    "is_date_only",
    "mask",
    "private_repr",
    "require_aware",
    "staff_key",
]


# --------------------------------------------------------------------------- helpers


FIRST_YEAR = 1970
"""The first year a time may fall in: earlier is a typo, not a complaint."""
LAST_YEAR = 2999
"""The last year a time may fall in: later overflows working-time arithmetic."""


def require_aware(value: datetime, path: str) -> datetime:
    """Refuse naive datetimes (a deadline without a time zone is a guess) and times
    outside :data:`FIRST_YEAR` .. :data:`LAST_YEAR`, whose arithmetic would overflow."""
    if not isinstance(value, datetime):
        raise InvalidInputError(path, f"expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(path)
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise InvalidInputError(path, f"the year must be between {FIRST_YEAR} and {LAST_YEAR}")
    return value


def as_instant(value: datetime) -> datetime:
    """The same instant and wall time with a fixed offset.  Python compares two
    datetimes that share a ``tzinfo`` object (``ZoneInfo`` instances are cached) by
    wall time alone, so in the hour a zone repeats when its clocks go back 01:10
    after the change reads earlier than 01:50 before it (review s41D F01, F02).

    Use it (or as a sort, ``min`` or ``max`` key) wherever two times that may share
    a zone are compared, ordered, subtracted or tested for equality (review s48B).
    A time with a fixed offset already is returned as it is: the stores hand
    times back that way, so the common case costs a type check.  The instants of
    the last few time objects are kept (:data:`_INSTANTS`): intake asks for the
    same ``now`` and due times dozens of times a complaint."""
    if type(value.tzinfo) is timezone:
        return value
    kept = _INSTANTS.get(id(value))
    if kept is not None and kept[0] is value:
        return kept[1]
    offset = value.utcoffset()
    if offset is None:
        raise NaiveDatetimeError("datetime")
    found = value.astimezone(timezone(offset))
    if len(_INSTANTS) >= _INSTANTS_KEPT:
        _INSTANTS.clear()
    _INSTANTS[id(value)] = (value, found)
    return found


_INSTANTS: dict[int, tuple[datetime, datetime]] = {}
""":func:`as_instant`'s answers by the id of the time asked about, each kept with that
time (so the id names it while kept, and ``is`` checks it): a datetime is immutable
and its instant a function of it alone, so a kept answer is the one it would compute
again.  Cleared when :data:`_INSTANTS_KEPT` are kept."""
_INSTANTS_KEPT = 256


def in_zone(value: datetime, tz: tzinfo) -> datetime:
    """The instant ``value`` names, read in ``tz``.  ``datetime.astimezone`` hands a
    time already in ``tz`` back unchanged, so a wall time in the hour ``tz`` skips
    (01:30 on the spring change in London, which is 01:30 GMT, 02:30 BST) stays in
    the gap and a month added to it ends an hour early; read through its instant it
    is 02:30 BST, as the CLI reads it (review s51R15 F02)."""
    return as_instant(value).astimezone(tz)


def is_date_only(text: str) -> bool:
    """Whether ISO text is a date without a time of day (``2026-11-03``,
    ``20261103``, ``2026-W45-2``): ``datetime.fromisoformat`` reads it as midnight,
    which is not when a complaint was received (REC-1)."""
    try:
        date.fromisoformat(text.strip())
    except ValueError:
        return False
    return True


Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def _aware(path: str) -> Validator:
    def check(_inst: object, _attr: attrs.Attribute[datetime], value: datetime) -> None:
        require_aware(value, path)

    return check


def _optional_aware(path: str) -> Validator:
    def check(
        _inst: object, _attr: attrs.Attribute[datetime | None], value: datetime | None
    ) -> None:
        if value is not None:
            require_aware(value, path)

    return check


def _text(path: str) -> Validator:
    def check(_inst: object, _attr: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str):
            raise InvalidInputError(path, f"expected text, got {type(value).__name__}")

    return check


def staff_key(staff_id: str) -> str:
    """The form staff ids are compared in: width (NFKC), case and white space folded,
    every default-ignorable character dropped: the zero-width spaces and joiners
    (U+200B-U+200D, U+2060, U+FEFF), the soft hyphen U+00AD, the invisible
    operators U+2061-U+2064, the Hangul fillers, the variation selectors ...,
    the characters :mod:`complaintcore.core.privacy` reads text without.

    ``"SR-301"``, ``"sr-301"``, ``" SR-301 "``, ``"SR-301\u200b"``, ``"SR-301\u00ad"``
    and ``"ＳＲ-３01"`` are one person; a directory may not hold two ids with the same key.
    """
    if not isinstance(staff_id, str):
        return ""
    return _staff_key(staff_id)


@functools.lru_cache(maxsize=4096)
def _staff_key(staff_id: str) -> str:
    # Ids are few and asked for again and again (each candidate handler, each
    # complaint), so the last few thousand keys are kept.
    # Characters nobody sees (pasted from a web page, a chat or Word: a zero-width
    # space, a soft hyphen) are dropped; NFKC keeps them and str.split() does not
    # split on them (review s53R4 F05).  The set is Unicode's default-ignorable
    # one, as the masking code reads it (review s53R11 F02): one list, not two.
    # Imported here, not above: privacy imports this module.
    from complaintcore.core.privacy import _FORMAT as invisible

    # dropped before NFKC, which maps no other character into the set (the
    # halfwidth Hangul filler U+FFA0 becomes U+1160, both in it)
    folded = unicodedata.normalize("NFKC", invisible.sub("", staff_id))
    return "".join(folded.split()).casefold()


def code_named(choices: Iterable[tuple[str, str, str]], text: str) -> str | None:
    """The code among ``choices`` (``(code, zh, en)``) that ``text`` names, for
    people who type what the screens show: the code, or its zh or en label, width
    (NFKC), case and spaces aside (``工程维修部``, ``telephone``, ``部门负责人（主管）``);
    failing those, one name of a label that gives several (``物业总监`` of
    ``物业总监/总经办``, ``部门负责人`` of ``部门负责人(主管)``).  None when ``text``
    names no code, or several."""
    listed = tuple(choices)
    if any(text == code for code, _zh, _en in listed):
        return text
    wanted = _staff_key(text) if isinstance(text, str) else ""
    if not wanted:
        return None
    for names in (_whole_names, _part_names):
        found = {code for code, zh, en in listed if wanted in names(code, zh, en)}
        if found:
            return found.pop() if len(found) == 1 else None
    return None


def _whole_names(code: str, zh: str, en: str) -> set[str]:
    return {_staff_key(code), _staff_key(zh), _staff_key(en)}


def _part_names(_code: str, zh: str, en: str) -> set[str]:
    """The names a label joins with ``/`` (``来访/现场``), and a label without what
    it adds in brackets (``部门负责人(主管)``)."""
    parts: set[str] = set()
    for label in (zh, en):
        folded = _staff_key(label)
        parts.update(p for p in folded.split("/") if p)
        bare = folded.split("(", 1)[0]
        if bare and bare != folded:
            parts.add(bare)
    return parts


def mask(value: str, keep_tail: int = 2) -> str:
    """Mask personal data for logs and reprs (PRV-1): keep only a short tail.

    A name keeps its first character (王**), a phone its last digits.
    """
    if not value:
        return ""
    if value[0].isdigit() or value[0] in "+\uff0b":  # digits, "+" or full-width "＋"
        tail = value[-keep_tail:] if len(value) > keep_tail + 2 else ""
        return "*" * max(len(value) - len(tail), 1) + tail
    return value[0] + "*" * max(len(value) - 1, 1)


def _masked(value: object) -> str:
    return repr(mask(str(value)))


def _hidden(value: object) -> str | None:
    """How a free-text value shows in a repr: its size, never its words."""
    if isinstance(value, enum.Enum):
        return None
    if isinstance(value, str):
        return f"<{len(value)} chars>"
    if isinstance(value, tuple) and value and all(isinstance(v, str | tuple) for v in value):
        return f"<{len(value)} items>"
    return None


def private_repr(shown: Iterable[str]) -> Callable[[Any], str]:
    """A ``__repr__`` for an attrs class that shows free text by its size only (PRV-1).

    Fields named in ``shown`` (ids, codes, enums) are shown as they are; every
    other text field -- what people typed, rendered bodies, lists of texts -- is
    shown as ``<12 chars>``, so a repr in a log or a traceback never carries a
    complaint's words, a name or a phone.  Nested values use their own reprs.
    """
    allowed = frozenset(shown)

    def __repr__(self: Any) -> str:
        parts = []
        for field in attrs.fields(type(self)):
            if not field.repr:
                continue
            value = getattr(self, field.name)
            hidden = None if field.name in allowed else _hidden(value)
            parts.append(f"{field.name}={hidden if hidden is not None else repr(value)}")
        return f"{type(self).__name__}({', '.join(parts)})"

    return __repr__


# --------------------------------------------------------------------------- enums


class LabelledEnum(enum.StrEnum):
    """A string enum whose members carry zh-CN and en labels for people.

    Members *are* their stable value strings (``Status.CLOSED == "closed"``), so
    they compare, hash, format and serialise as those strings; the labels are
    only for display.
    """

    zh: str
    en: str

    def __new__(cls, value: str, zh: str, en: str) -> Self:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.zh = zh
        obj.en = en
        return obj

    def label(self, lang: str = "en") -> str:
        return self.zh if lang.lower().startswith("zh") else self.en

    @classmethod
    def named(cls, text: str) -> Self | None:
        """The member ``text`` names: its value or a label as people type them
        (:func:`code_named`); None for none."""
        value = code_named(((m._value_, m.zh, m.en) for m in cls), text)
        if value is None and isinstance(text, str):
            value = _ALIASES.get(cls.__name__, {}).get(_staff_key(text))
        return next((m for m in cls if m._value_ == value), None)

    @classmethod
    def parse(cls, raw: object, path: str) -> Self:
        """Accept a member, its value, or either label; otherwise name the field."""
        if isinstance(raw, cls):
            return raw
        for member in cls:
            if raw in (member._value_, member.zh, member.en, member.name):
                return member
        allowed = ", ".join(m._value_ for m in cls)
        # the value itself is not quoted: a shifted spreadsheet column can put a
        # name or a phone here (PRV-1)
        raise InvalidInputError(path, f"unknown {cls.__name__}; expected one of {allowed}")


class Channel(LabelledEnum):
    """IN-1: how a complaint arrived."""

    PHONE = "phone", "电话", "telephone"
    IN_PERSON = "in_person", "来访/现场", "in person"
    WRITTEN = "written", "书面/信函", "in writing"
    HOTLINE = "hotline", "投诉热线", "hotline"
    WEB = "web", "网站/应用", "website or app"
    FORWARDED = "forwarded", "转交/总部转办", "forwarded by another office"


_ALIASES: Mapping[str, Mapping[str, str]] = {"Channel": {"前台": "in_person"}}
"""Words the procedures use for a member beyond its labels, by enum: IN-1 names the
front-desk channel 前台/现场/来访, and the label says 来访/现场 (review s45E F05)."""


class Kind(LabelledEnum):
    """VAL-4: only complaints are graded and counted as complaints."""

    COMPLAINT = "complaint", "投诉", "complaint"
    REQUEST = "request", "服务请求", "service request"
    ENQUIRY = "enquiry", "咨询", "enquiry"


class Validity(LabelledEnum):
    """VAL-1: the outcome of verification."""

    UNVERIFIED = "unverified", "未核实", "not yet verified"
    VALID = "valid", "有效", "valid"
    INVALID = "invalid", "无效", "invalid"


class Cause(LabelledEnum):
    """CLS-2: facilities or people."""

    HARDWARE = "hardware", "硬件", "hardware (facilities)"
    SOFTWARE = "software", "软件", "software (people and process)"


class Grade(LabelledEnum):
    """GRD-1: the four grades; ``rank`` orders them for GRD-6."""

    INTERNAL = "internal", "内部", "internal"
    MINOR = "minor", "轻微", "minor"
    IMPORTANT = "important", "重要", "important"
    MAJOR = "major", "重大", "major"

    @property
    def rank(self) -> int:
        return _GRADE_RANK[self]


_GRADE_RANK = {Grade.INTERNAL: 0, Grade.MINOR: 1, Grade.IMPORTANT: 2, Grade.MAJOR: 3}


class Fact(LabelledEnum):
    """Findings about a complaint that the grade rules (GRD-2..5) look at."""

    PROMISE_NOT_KEPT = "promise_not_kept", "承诺或合同未履行", "promise or contract term not kept"
    RAISED_REPEATEDLY = "raised_repeatedly", "多次反映未解决", "raised repeatedly without a fix"
    MAJOR_LOSS = "major_loss", "重大经济损失", "major economic loss"
    PERSONAL_INJURY = "personal_injury", "人身伤害", "personal injury"
    STAFF_FAULT = "staff_fault", "员工过失", "fault of staff"
    AGENT_FAULT = "agent_fault", "代理方过失", "fault of the company's agents"
    FACILITY_LIMITATION = (
        "facility_limitation",
        "设施条件所限",
        "limited facilities or service level",
    )
    RAISED_BY_STAFF = "raised_by_staff", "员工内部投诉", "raised by staff against the organisation"
    SERIOUS = "serious", "严重事件", "serious incident"
    GROUP = "group", "集体投诉", "group complaint"


class MeasureKind(LabelledEnum):
    """IMP-1 (004 篇2 §3.5): a measure corrects this complaint's cause or prevents its return."""

    CORRECTIVE = "corrective", "纠正措施", "corrective measure"
    PREVENTIVE = "preventive", "预防措施", "preventive measure"


class Status(LabelledEnum):
    """Where a complaint stands; derived from its events."""

    NEW = "new", "新建", "new"
    REGISTERED = "registered", "已登记", "registered"
    IN_HANDLING = "in_handling", "处理中", "in handling"
    AWAITING_VISIT = "awaiting_visit", "待回访", "awaiting return visit"
    CLOSED = "closed", "已关闭", "closed"


class Trigger(LabelledEnum):
    """ESC-2: why a complaint moved up the ladder."""

    CANNOT_HANDLE = "cannot_handle", "无法处理", "handler cannot handle it"
    DISSATISFIED = "dissatisfied", "投诉人不满意", "complainant not satisfied"
    RESCHEDULE_REFUSED = "reschedule_refused", "不接受改期", "new time not accepted"
    DEADLINE_MISSED = "deadline_missed", "超时未处理", "deadline missed"
    COORDINATION_FAILED = (
        "coordination_failed",
        "部门协调不成",
        "departments could not be coordinated",
    )
    SERIOUS = "serious", "严重事件", "serious"
    # HDL-6: a group incident or an urgent category reported at once to the pack's
    # group_report_rung; not ESC-2's serious, which goes to serious_rung
    INCIDENT = "incident", "第一时间上报", "reported at once (group incident or emergency)"
    GRADE = "grade", "按等级指派", "handler required by grade"


SATISFACTION_FAILED: frozenset[Trigger] = frozenset(
    {Trigger.DISSATISFIED, Trigger.RESCHEDULE_REFUSED}
)
"""VIS-3, ESC-2: the escalations that say the complainant's satisfaction failed (000
§6-7: not satisfied with the result, or not accepting a rescheduled time).  After one,
an earlier satisfied visit confirms no closure and resolves nothing (DL-6), and the
top rung may decide the closure; the shipped Chinese packs' ``major_by_age`` waiver
names the same triggers among its ``unwaive`` tags (review s46D F03)."""


class Outcome(LabelledEnum):
    """The decision a stage response gives on the complaint (recorded per stage)."""

    UPHELD = "upheld", "成立", "upheld"
    PARTLY_UPHELD = "partly_upheld", "部分成立", "partly upheld"
    NOT_UPHELD = "not_upheld", "不成立", "not upheld"


# --------------------------------------------------------------------------- intake


@attrs.frozen
class Complainant:
    """The person complaining; repr masks every field (PRV-1)."""

    name: str = attrs.field(repr=_masked, validator=_text("complainant.name"))
    phone: str = attrs.field(repr=_masked, validator=_text("complainant.phone"))
    room: str = attrs.field(repr=_masked, validator=_text("complainant.room"))
    # free text (a building may be written with a name or a phone): masked as well
    building: str = attrs.field(default="", repr=_masked, validator=_text("complainant.building"))
    site: str = attrs.field(default="", validator=_text("complainant.site"))


@attrs.frozen
class TargetPerson:
    """CLS-4: the staff member a complaint is about, and their rung (ESC-4)."""

    staff_id: str = attrs.field(validator=_text("target.staff_id"))
    rung: str = attrs.field(validator=_text("target.rung"))
    role: str = attrs.field(default="", validator=_text("target.role"))
    department: str = attrs.field(default="", validator=_text("target.department"))


def _channel(value: Channel | str) -> Channel:
    """IN-1: a channel as ``--channel`` takes it (width, case, spaces, labels), so a
    file's column and the option agree (review s35A F07)."""
    found = Channel.named(value) if isinstance(value, str) else None
    return found if found is not None else Channel.parse(value, "channel")


def _freeze_facts(value: Iterable[Fact | str]) -> frozenset[Fact]:
    if isinstance(value, (str, Fact)):
        value = (value,)
    if not isinstance(value, Iterable):
        raise InvalidInputError("facts", "expected a list of facts")
    return frozenset(Fact.parse(f, "facts") for f in value)


def _freeze_strs(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Iterable) or not all(isinstance(v, str) for v in value):
        raise InvalidInputError("evidence", "expected a list of references (text)")
    return tuple(value)


def _target(_inst: object, _attr: Any, value: object) -> None:
    if value is not None and not isinstance(value, TargetPerson):
        raise InvalidInputError("target", "expected a TargetPerson or nothing")


def _flag(path: str) -> Validator:
    def check(_inst: object, _attr: Any, value: object) -> None:
        if not isinstance(value, bool):
            raise InvalidInputError(path, "expected true or false")

    return check


@attrs.frozen
class Intake:
    """IN-1, REC-1, REC-2: everything recorded when a complaint is received.

    ``receiver`` is whoever took it (IN-2: they stay the recorded receiver even
    after forwarding); ``receiver_unit`` is their department.  Left empty, the
    desk takes it from the staff directory, so a guard's note is the security
    department's and IN-5's 24 hours to customer service run; the pure core,
    which has no directory, registers it as the pack's customer service.
    """

    complainant: Complainant
    channel: Channel = attrs.field(converter=_channel)
    received_at: datetime = attrs.field(validator=_aware("received_at"))
    receiver: str = attrs.field(validator=_text("receiver"))
    summary: str = attrs.field(validator=_text("summary"))
    receiver_unit: str = attrs.field(default="", validator=_text("receiver_unit"))
    description: str = attrs.field(default="", validator=_text("description"))
    site: str = attrs.field(default="", validator=_text("site"))
    location: str = attrs.field(default="", validator=_text("location"))
    occurred_at: datetime | None = attrs.field(
        default=None, validator=_optional_aware("occurred_at")
    )
    account: str = attrs.field(default="", validator=_text("account"))
    target: TargetPerson | None = attrs.field(default=None, validator=_target)
    evidence: tuple[str, ...] = attrs.field(default=(), converter=_freeze_strs)
    facts: frozenset[Fact] = attrs.field(default=frozenset(), converter=_freeze_facts)
    via_head_office: bool = attrs.field(default=False, validator=_flag("via_head_office"))
    idempotency_key: str = attrs.field(default="", validator=_text("idempotency_key"))

    @property
    def text(self) -> str:
        """The words a classifier reads."""
        return f"{self.summary}\n{self.description}".strip()


# --------------------------------------------------------------------------- events


@attrs.frozen(kw_only=True)
class Event:
    """Something that happened to a complaint, when and by whom (REC-5)."""

    kind: ClassVar[str] = "event"

    at: datetime = attrs.field(validator=_aware("at"))
    actor: str = attrs.field(validator=_text("actor"))

    def tags(self) -> tuple[str, ...]:
        """Names deadline clocks match on: the kind, then qualified kinds."""
        return (self.kind,)


BYPASS_UNIT = "head_office"
"""The unit a registration stored without ``via_head_office`` is a bypass at: the
shipped packs' head office, whose ``registered:head_office`` tag once marked IN-6."""


@attrs.frozen(kw_only=True)
class Registered(Event):
    """IN-2, IN-4: the receiver registered it; ``unit`` is where it was registered.

    ``time_barred`` records that the pack's time limit flagged it at intake (the
    issue arose longer ago than the pack accepts without question).

    ``via_head_office`` says whether it is an IN-6 bypass (sent straight to head
    office), tagged ``registered:via_head_office`` for the packs' IN-6 waiver and
    duties: a forwarded complaint head office registers is not one.  ``None``, as
    every registration stored before the field existed reads, means what those
    meant: a bypass when registered at :data:`BYPASS_UNIT`.  Only a registration
    the unit does not describe so records it, so the others are stored as before.

    ``other_site`` says that the receiver works at another site than the
    complaint's (another site's customer service, say): ``unit`` is still the
    receiver's department, but no unit of the complaint's site has it, so the
    registration is tagged ``registered`` alone and the complaint is with no unit
    until it is forwarded (IN-5's 24 hours to the site's customer service run; review
    s54R12 F05).  Stored only when true, so every other registration is stored as
    before.
    """

    kind: ClassVar[str] = "registered"
    unit: str
    time_barred: bool = False
    via_head_office: bool | None = None
    other_site: bool = False

    @property
    def bypass(self) -> bool:
        """IN-6: sent straight to head office, skipping the site."""
        flag = self.via_head_office
        return self.unit == BYPASS_UNIT if flag is None else flag

    def tags(self) -> tuple[str, ...]:
        if self.other_site and not self.bypass:
            return ("registered",)  # IN-5: no unit of the complaint's site registered it
        tags = ("registered", f"registered:{self.unit}")
        return (*tags, "registered:via_head_office") if self.bypass else tags


@attrs.frozen(kw_only=True)
class Forwarded(Event):
    """IN-2, IN-5, IN-6: passed to another unit; the receiver stays on record."""

    kind: ClassVar[str] = "forwarded"
    to_unit: str
    note: str = ""
    consent: bool = True

    def tags(self) -> tuple[str, ...]:
        return ("forwarded", f"forwarded:{self.to_unit}")


@attrs.frozen(kw_only=True)
class Classified(Event):
    """CLS-1..4: category, cause, responsible and helping departments, and why."""

    kind: ClassVar[str] = "classified"
    category: str
    cause: Cause
    department: str
    explanation: tuple[str, ...] = ()
    helpers: tuple[str, ...] = ()
    target: TargetPerson | None = None
    urgent: bool = False


@attrs.frozen(kw_only=True)
class Assessed(Event):
    """VAL-1, VAL-2, VAL-4: verified outcome, kind, reasonableness and facts found."""

    kind: ClassVar[str] = "assessed"
    validity: Validity
    complaint_kind: Kind = Kind.COMPLAINT
    reasonable: bool | None = None
    department: str = ""
    facts: frozenset[Fact] = frozenset()
    note: str = ""

    def tags(self) -> tuple[str, ...]:
        # VAL-2: only a reasonable problem goes to a department (004 篇4 §3.3), so
        # packs waive the forwarding on ``assessed:unreasonable``
        tags = (
            "assessed",
            f"assessed:{self.validity.value}",
            f"assessed:{self.complaint_kind.value}",
        )
        return (*tags, "assessed:unreasonable") if self.reasonable is False else tags


RAISED_TAG = "assessed:raised"
"""The tag of an assessment as a complaint that follows one as a service request or
an enquiry: the resident is now unhappy with how it was handled, and a complaint is
raised then (HOC 1.5; SPSO MCHP, a first-time service request).  Given by
:func:`tagged_events`, which knows the assessment before; a pack whose stage clocks
``restart`` on it times the complaint from that moment (review s58R3 F04)."""


def tagged_events(events: Iterable[Event]) -> list[tuple[Event, frozenset[str]]]:
    """Each event with its tags, and :data:`RAISED_TAG` on the first assessment as a
    complaint of a record found a service request or an enquiry before it was ever
    treated as a complaint (found one, or acknowledged, answered, extended or
    escalated at a stage).  A complaint relabelled a request and back is not raised:
    its stage 1 deadlines stand (review s58RR5 F04).

    Of any validity: a complaint raised and found excluded at once, valid again
    later (a mistake corrected), counts from when it was raised, as one found
    valid first and excluded after does; the exclusion's waiver holds till then
    (review s58RR2 F03)."""
    out: list[tuple[Event, frozenset[str]]] = []
    treated = False  # found a complaint, or a stage 1 step taken: no request after that
    request = False  # found a request or an enquiry before it was treated as a complaint
    prev: Event | None = None
    for ev in events:
        tags = frozenset(ev.tags())
        if isinstance(ev, Assessed):
            if ev.complaint_kind is not Kind.COMPLAINT:
                request = request or not treated
            elif request and not treated:
                tags |= {RAISED_TAG}
                treated = True
            elif not isinstance(prev, Registered):  # not the intake's own assessment
                treated = True
        elif isinstance(ev, _STAGE_STEPS):
            treated = True
        out.append((ev, tags))
        prev = ev
    return out


def ever_a_complaint(events: Iterable[Event]) -> bool:
    """Whether the record was ever treated as a complaint after its intake: found one
    by an assessment, or given a stage 1 step.  A later assessment as a complaint
    then corrects a relabelling; it raises nothing and moves no deadline (review
    s58RR5 F04, F05)."""
    prev: Event | None = None
    for ev in events:
        if isinstance(ev, _STAGE_STEPS) or (
            isinstance(ev, Assessed)
            and ev.complaint_kind is Kind.COMPLAINT
            and not isinstance(prev, Registered)
        ):
            return True
        prev = ev
    return False


@attrs.frozen(kw_only=True)
class Graded(Event):
    """GRD-1..6: a grade and the reasons that produced it."""

    kind: ClassVar[str] = "graded"
    grade: Grade
    reasons: tuple[str, ...] = ()
    automatic: bool = False

    def tags(self) -> tuple[str, ...]:
        return ("graded", f"graded:{self.grade.value}")


@attrs.frozen(kw_only=True)
class Assigned(Event):
    """A handler at a rung of the ladder takes the complaint; ``department`` is the
    unit that takes it on (empty when a handler from elsewhere does, ESC-4).

    ``previous_department`` is the unit that held it before, when this moves it to
    another one: DL-3 gives each department its own time from its acceptance, so
    the move carries the ``transferred`` tag a department's clock restarts on.
    """

    kind: ClassVar[str] = "assigned"
    handler: str
    rung: str
    department: str = ""
    previous_department: str = ""

    def tags(self) -> tuple[str, ...]:
        # IN-5: assigned to customer service, the complaint has reached it
        tags = ("assigned", f"assigned:{self.department}") if self.department else ("assigned",)
        return (*tags, "transferred") if self.previous_department else tags


@attrs.frozen(kw_only=True)
class Promised(Event):
    """DL-5: a processing time agreed with the complainant; a deadline of its own."""

    kind: ClassVar[str] = "promised"
    due: datetime = attrs.field(validator=_aware("due"))
    note: str = ""


@attrs.frozen(kw_only=True)
class Handled(Event):
    """DL-3: a department reports its result to customer service.

    ``helper`` marks the part of a department helping the responsible one (CLS-3,
    HDL-4): it does not meet the responsible department's own deadline.
    """

    kind: ClassVar[str] = "handled"
    department: str
    result: str
    helper: bool = False

    def tags(self) -> tuple[str, ...]:
        return ("handled", "handled:helper" if self.helper else "handled:responsible")


@attrs.frozen(kw_only=True)
class Replied(Event):
    """A reply to the complainant: interim, final result, or an explanation (VAL-3).

    ``unanswerable_reason`` is REC-4: why it cannot be answered at once.
    ``issue`` names the concentrated issue when the reply is the one unified
    explanation given to all its complainants (HDL-5).  ``went_ahead_without``
    names the helping departments a final reply was given without, at the
    replier's word (HDL-4: replied before a solution was agreed with them).
    """

    kind: ClassVar[str] = "replied"
    message: str
    final: bool = False
    explanation: bool = False
    unanswerable_reason: str = ""
    issue: str = ""
    went_ahead_without: tuple[str, ...] = ()

    def tags(self) -> tuple[str, ...]:
        tags = ["replied", "replied:final" if self.final else "replied:interim"]
        if self.explanation:
            tags.append("replied:explanation")
        if self.unanswerable_reason:
            tags.append("replied:unanswerable")
        return tuple(tags)


@attrs.frozen(kw_only=True)
class Escalated(Event):
    """ESC-2, ESC-5: up the ladder, with the trigger; never down.

    ``clock`` names the deadline clock(s) whose breach caused it, comma-separated.
    """

    kind: ClassVar[str] = "escalated"
    from_rung: str
    to_rung: str
    trigger: Trigger
    note: str = ""
    clock: str = ""

    def tags(self) -> tuple[str, ...]:
        return ("escalated", f"escalated:{self.trigger.value}")


@attrs.frozen(kw_only=True)
class Paused(Event):
    """DL-8: waiting on the complainant; the company's clocks may stop."""

    kind: ClassVar[str] = "paused"
    reason: str


@attrs.frozen(kw_only=True)
class Resumed(Event):
    """DL-8: the wait is over."""

    kind: ClassVar[str] = "resumed"


@attrs.frozen(kw_only=True)
class Visited(Event):
    """VIS-1, VIS-2, VIS-4: a return visit and the complainant's opinion.

    ``reached=False`` records an attempt that did not reach the complainant (a call
    not answered, 002 §3 4)): no opinion, so ``satisfied`` is False and means
    nothing; events stored before the field existed read back as reached.
    ``problem`` says what the ``major_issue`` put on the meeting agenda is (VIS-4);
    events stored before it existed read back with none.
    """

    kind: ClassVar[str] = "visited"
    satisfied: bool
    opinion: str = ""
    reply_due: datetime | None = attrs.field(default=None, validator=_optional_aware("reply_due"))
    major_issue: bool = False
    reached: bool = attrs.field(default=True)
    problem: str = ""

    @reached.validator
    def _reached_or_no_opinion(self, _attr: attrs.Attribute[bool], value: bool) -> None:
        if not value and self.satisfied:
            raise InvalidInputError(
                "satisfied", "a complainant not reached gave no opinion (VIS-2)"
            )

    def tags(self) -> tuple[str, ...]:
        if not self.reached:
            return ("visited", "visited:not_reached")
        tags = ("visited", "visited:satisfied" if self.satisfied else "visited:unsatisfied")
        return (*tags, "visited:appointment") if self.reply_due is not None else tags


@attrs.frozen(kw_only=True)
class Closed(Event):
    """VIS-3: closed with the complainant's confirmation or a top-rung decision."""

    kind: ClassVar[str] = "closed"
    result: str
    confirmed_by_complainant: bool = False
    decided_by_top_rung: bool = False


@attrs.frozen(kw_only=True)
class Reopened(Event):
    """A closed or replied complaint goes back into handling."""

    kind: ClassVar[str] = "reopened"
    reason: str


@attrs.frozen(kw_only=True)
class CauseAnalysed(Event):
    """IMP-1: cause analysis with corrective and preventive measures."""

    kind: ClassVar[str] = "cause_analysed"
    cause: str
    corrective: str
    preventive: str = ""


@attrs.frozen(kw_only=True)
class MeasureAdded(Event):
    """IMP-1 (004 篇2 §3.5): a corrective or preventive measure, who carries it out, by when.

    ``measure`` numbers it within the complaint (``M1``, ``M2`` …); ``owner`` is
    the staff member responsible (责任人), ``department`` the unit (责任单位).
    It is owed until a :class:`MeasureDone` names it, whether or not the
    complaint is closed meanwhile.
    """

    kind: ClassVar[str] = "measure_added"
    measure: str
    measure_kind: MeasureKind
    action: str
    owner: str
    due: datetime = attrs.field(validator=_aware("due"))
    department: str = ""


@attrs.frozen(kw_only=True)
class MeasureDone(Event):
    """IMP-1 (004 篇2 §3.5B): a measure carried out, and what was done."""

    kind: ClassVar[str] = "measure_done"
    measure: str
    result: str


@attrs.frozen(kw_only=True)
class SanctionRecorded(Event):
    """PEN-1, PEN-2: the sanction a valid complaint's grade carries.

    ``severe`` marks a sanction the pack reports to the company (004 篇1 §三.4:
    情节严重交由公司处理).
    """

    kind: ClassVar[str] = "sanction_recorded"
    staff_id: str
    grade: Grade
    measures: tuple[str, ...]
    points_deducted: int = 0
    severe: bool = False


@attrs.frozen(kw_only=True)
class SignedOff(Event):
    """REC-6: a supervisor signs the closed record before archiving."""

    kind: ClassVar[str] = "signed_off"
    supervisor: str


@attrs.frozen(kw_only=True)
class EvidenceAttached(Event):
    """REC-3: supporting documents or proof."""

    kind: ClassVar[str] = "evidence_attached"
    reference: str
    note: str = ""


@attrs.frozen(kw_only=True)
class Apologised(Event):
    """DL-5: after a broken promise, an apology, the specific reason and a remedy offered."""

    kind: ClassVar[str] = "apologised"
    apology: str
    reason: str
    remedy: str


@attrs.frozen(kw_only=True)
class Reported(Event):
    """REC-2 (五清楚，一报告), 004 篇4 §3.3: content and result reported to a leader.

    ``written`` is a written report (书面报告) to management, ``reference`` its
    document number; otherwise the report was made by phone or in person.
    ``to`` names who was told (a staff id, a rung or a body).
    """

    kind: ClassVar[str] = "reported"
    content: str
    result: str = ""
    to: str = ""
    written: bool = False
    reference: str = ""

    def tags(self) -> tuple[str, ...]:
        return ("reported", "reported:written" if self.written else "reported:oral")


@attrs.frozen(kw_only=True)
class SiteVisited(Event):
    """004 篇4 §3.6: for a serious complaint, the departments go to the site with the
    complainant and record what they find."""

    kind: ClassVar[str] = "site_visited"
    findings: str
    departments: tuple[str, ...] = ()
    with_complainant: bool = True


@attrs.frozen(kw_only=True)
class CalledBack(Event):
    """IN-6 (004 篇4 §3.4.3): head office calls or visits the complainant at the end."""

    kind: ClassVar[str] = "called_back"
    outcome: str
    satisfied: bool | None = None


@attrs.frozen(kw_only=True)
class Grouped(Event):
    """HDL-5, HDL-6: one of several complaints about one concentrated issue.

    ``members`` are the complaints linked to ``issue`` together with this one
    (all of them when the issue was formed), ``complainants`` how many distinct
    people had complained; ``incident`` marks a group incident (reported to the
    project manager).  Every member of an issue is found by its id, until an
    :class:`Ungrouped` takes it out again.
    """

    kind: ClassVar[str] = "grouped"
    issue: str
    members: tuple[str, ...]
    complainants: int
    incident: bool = False

    def tags(self) -> tuple[str, ...]:
        return ("grouped", "grouped:incident") if self.incident else ("grouped",)


@attrs.frozen(kw_only=True)
class Ungrouped(Event):
    """HDL-5: no longer one of ``issue``'s complaints: reclassified out of what the issue
    is (one category at one site or building), so its explanation is not this one's.

    It may join an issue of its new category; escalations a group incident brought
    stay (ESC-5), though it is no longer part of that incident.
    """

    kind: ClassVar[str] = "ungrouped"
    issue: str


@attrs.frozen(kw_only=True)
class Linked(Event):
    """IMP-3, GRD-2: earlier complaints this one repeats, found when it was received.

    ``same_complainant``, ``same_room`` and ``same_matter`` (same building and
    category) hold their ids, most recent first.  ``raisings`` counts how often
    this customer has raised this matter, this time included, however the
    complaint was received (alone or in a bulk batch): every earlier raising in
    the window, not only the linked ids, up to 100 (a matter raised more often
    records 100); once it reaches the pack's threshold the complaint is
    ``raised_repeatedly`` (GRD-2).  On an
    earlier complaint, ``repeated_by`` names the later one that raised it again.
    ``promise_not_kept``: a raising of the matter shows a promise not carried
    out (GRD-2 reads the matter's promise, whichever raising it was in).
    """

    kind: ClassVar[str] = "linked"
    same_complainant: tuple[str, ...] = ()
    same_room: tuple[str, ...] = ()
    same_matter: tuple[str, ...] = ()
    raisings: int = 1
    raised_repeatedly: bool = False
    repeated_by: str = ""
    promise_not_kept: bool = False

    def tags(self) -> tuple[str, ...]:
        return ("linked", "linked:repeatedly") if self.raised_repeatedly else ("linked",)


@attrs.frozen(kw_only=True)
class Acknowledged(Event):
    """A complaint acknowledged: at a stage of a staged procedure, defined and logged;
    in a pack without stages (``stage`` ``""``), its receipt confirmed to the
    complainant (HDL-1: the call for a written complaint).

    ``definition`` is the complaint as understood (the points to answer);
    ``remedy_sought`` what the complainant wants done; ``apology`` the apology
    made with it (002 A.b: "并表示歉意，请求谅解").  Events stored before
    ``apology`` existed read back without one.
    """

    kind: ClassVar[str] = "acknowledged"
    stage: str
    definition: str = ""
    remedy_sought: str = ""
    apology: str = ""

    def tags(self) -> tuple[str, ...]:
        if not self.stage:  # no stage to name: "acknowledged:" would match nothing
            return ("acknowledged",)
        return ("acknowledged", f"acknowledged:{self.stage}")


@attrs.frozen(kw_only=True)
class EscalationRequested(Event):
    """The complainant asked to take the complaint to the next stage (``stage``).

    ``late`` records that the request came after the stage's time limit and the
    pack flags rather than refuses such requests.
    """

    kind: ClassVar[str] = "escalation_requested"
    from_stage: str
    stage: str
    reason: str = ""
    late: bool = False

    def tags(self) -> tuple[str, ...]:
        return ("escalation_requested", f"escalation_requested:{self.stage}")


@attrs.frozen(kw_only=True)
class Extended(Event):
    """A clock's deadline extended by ``by`` (``"10d"``: in the clock's own unit).

    ``reason`` is why, ``details`` what the complainant was told besides (the
    ombudsman's details), ``agreed_by`` who agreed it.
    """

    kind: ClassVar[str] = "extended"
    clock: str
    by: str
    reason: str = ""
    details: str = ""
    agreed_by: str = ""

    def tags(self) -> tuple[str, ...]:
        return ("extended", f"extended:{self.clock}")


@attrs.frozen(kw_only=True)
class Responded(Event):
    """A stage's response: the decision (``outcome``), the answer, the remedies offered."""

    kind: ClassVar[str] = "responded"
    stage: str
    outcome: Outcome
    message: str
    remedies: tuple[str, ...] = ()

    def tags(self) -> tuple[str, ...]:
        return ("responded", f"responded:{self.stage}", f"responded:{self.outcome.value}")


EVENT_TYPES: tuple[type[Event], ...] = (
    Registered,
    Forwarded,
    Classified,
    Assessed,
    Graded,
    Assigned,
    Promised,
    Handled,
    Replied,
    Escalated,
    Paused,
    Resumed,
    Visited,
    Closed,
    Reopened,
    CauseAnalysed,
    SanctionRecorded,
    SignedOff,
    EvidenceAttached,
    Apologised,
    Reported,
    SiteVisited,
    CalledBack,
    Grouped,
    Ungrouped,
    Linked,
    MeasureAdded,
    MeasureDone,
    Acknowledged,
    EscalationRequested,
    Extended,
    Responded,
)
EVENT_BY_KIND: dict[str, type[Event]] = {cls.kind: cls for cls in EVENT_TYPES}

# Reprs show ids, codes, enums and times; free text only by its size (PRV-1).
_SHOWN_EVENT_FIELDS = (
    "at",
    "actor",
    "unit",
    "to_unit",
    "category",
    "department",
    "helpers",
    "handler",
    "rung",
    "from_rung",
    "to_rung",
    "clock",
    "staff_id",
    "supervisor",
    "issue",
    "measure",
    "owner",
    "same_complainant",
    "same_room",
    "same_matter",
    "repeated_by",
)
for _event_type in (Event, *EVENT_TYPES):
    _event_type.__repr__ = private_repr(_SHOWN_EVENT_FIELDS)  # type: ignore[method-assign,assignment]
# the idempotency key is the host's text, often made from the submission
# ("wx-王小明-13812345678"): free text, shown by its size like the rest (PRV-1)
Intake.__repr__ = private_repr(  # type: ignore[method-assign]
    ("received_at", "receiver", "receiver_unit", "site", "occurred_at")
)


# --------------------------------------------------------------------------- state


@attrs.frozen(slots=False)
class ComplaintState:
    """What the events add up to; recomputed by folding, never edited (REC-5).

    Not slotted: every event folds into a new state, and filling an instance
    dict is quicker than setting 39 slots (bulk intake folds several a complaint).
    """

    status: Status = Status.NEW
    unit: str = ""
    validity: Validity = Validity.UNVERIFIED
    complaint_kind: Kind = Kind.COMPLAINT
    reasonable: bool | None = None
    facts: frozenset[Fact] = frozenset()
    category: str = ""
    cause: Cause | None = None
    department: str = ""
    """The unit that holds the complaint now: the classified department, or the
    one an assignment took it on for (customer service, the unit ESC-4 names for
    complaints about a person); DL-3's result and ESC-6's lateness are its."""
    responsible: str = ""
    """CLS-3: the department that owns the fix, as classified (or assessed); an
    assignment to another unit that handles it (ESC-4, customer service) does not
    change it.  ``""`` until classified.  The statistics count it (IMP-2, IMP-4;
    see :attr:`responsible_department`)."""
    helpers: tuple[str, ...] = ()
    target: TargetPerson | None = None
    urgent: bool = False
    grade: Grade | None = None
    grade_reasons: tuple[str, ...] = ()
    handler: str = ""
    rung: str = ""
    paused: bool = False
    promise_due: datetime | None = None
    handled: bool = False
    final_reply: bool = False
    explained: bool = False
    last_visit_satisfied: bool | None = None
    visits: int = 0
    reopened: int = 0
    escalations: int = 0
    closed_at: datetime | None = None
    signed_off: bool = False
    cause_analysed: bool = False
    site_consent: bool = False
    issue: str = ""
    group_incident: bool = False
    raisings: int = 0
    measures_open: int = 0
    stage: str = ""
    """The stage of a staged procedure it is at; ``""`` is the pack's first stage."""
    acknowledged: bool = False
    """The current stage has been acknowledged."""
    responded: bool = False
    """The current stage has been answered (``outcome`` holds the decision)."""
    outcome: Outcome | None = None
    time_barred: bool = False

    @property
    def responsible_department(self) -> str:
        """CLS-3: the department counted in the statistics: the classified one,
        or, never classified, the one that holds it (review s57R4 F02)."""
        return self.responsible or self.department


@attrs.frozen
class Complaint:
    """An intake record, its events, and the state they fold into.

    Build new ones with :func:`complaintcore.core.workflow.new_complaint` and change them
    only through :func:`complaintcore.core.workflow.evolve`.
    """

    id: str = attrs.field(validator=_text("id"))
    intake: Intake
    events: tuple[Event, ...] = ()
    state: ComplaintState = attrs.field(factory=ComplaintState, eq=False)

    @property
    def version(self) -> int:
        """Number of events: the optimistic-concurrency version."""
        return len(self.events)

    @property
    def status(self) -> Status:
        return self.state.status

    @property
    def is_open(self) -> bool:
        return self.state.status not in (Status.NEW, Status.CLOSED)

    def rung_index(self, pack: RulePack) -> int:
        """ESC-1: the complaint's rung on ``pack``'s ladder, the front line until assigned.

        A stored rung the pack no longer has (renamed or removed in an upgrade)
        is the pack's fault, not the caller's: the error names the complaint.
        """
        rung = self.state.rung
        if not rung:
            return 0
        if not pack.has_rung(rung):
            raise RulePackError(
                pack.name,
                [
                    FieldProblem(
                        "ladder",
                        f"complaint {self.id} stands at rung {shown_code(rung)}, not on the"
                        " pack's ladder (renamed or removed?)",
                    )
                ],
            )
        return pack.rung_index(rung)

    def category_in(self, pack: RulePack) -> Category:
        """CLS-1: the complaint's category in ``pack``.

        A stored category the pack no longer has (renamed or removed in an
        upgrade) is the pack's fault, not the caller's, as for a rung: the error
        names the complaint and says how to go on (classify it again).
        """
        code = self.state.category
        if not pack.has_category(code):
            raise RulePackError(
                pack.name,
                [
                    FieldProblem(
                        "categories",
                        f"complaint {self.id} is filed under category {shown_code(code)}, not"
                        " among the pack's categories (renamed or removed?): classify it again",
                    )
                ],
            )
        return pack.category(code)

    @property
    def awaiting_site_consent(self) -> bool:
        """IN-6: sent straight to head office, not yet released to the site.

        Nothing routes it to the site's office until the complainant's consent
        is recorded (a forward with ``consent=True``).
        """
        return self.intake.via_head_office and not self.state.site_consent


_STAGE_STEPS = (Acknowledged, Responded, Extended, EscalationRequested)
"""Steps only a complaint takes (:func:`tagged_events`, :func:`ever_a_complaint`)."""
