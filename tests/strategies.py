"""Shared hypothesis strategies: complainants, intakes, events and complaints.

Everything generated is valid: aware datetimes (Asia/Shanghai or UTC, between
2000 and 2035, so no historical DST or LMT offsets), mainland mobile numbers
(``1[3-9]\\d{9}``), room numbers like ``3-2-1201``, names in Chinese and English,
any channel, an optional target person, and events of every kind in
:data:`complaintcore.core.models.EVENT_BY_KIND` with valid fields.

Use::

    from tests.strategies import complaints, events, intakes

    @given(complaints())
    def test_something(c: Complaint) -> None: ...
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import attrs
from hypothesis import strategies as st

from complaintcore.core.models import (
    EVENT_BY_KIND,
    Acknowledged,
    Apologised,
    Assessed,
    Assigned,
    CalledBack,
    Cause,
    CauseAnalysed,
    Channel,
    Classified,
    Closed,
    Complainant,
    Complaint,
    Escalated,
    EscalationRequested,
    Event,
    EvidenceAttached,
    Extended,
    Fact,
    Forwarded,
    Grade,
    Graded,
    Grouped,
    Handled,
    Intake,
    Kind,
    Linked,
    MeasureAdded,
    MeasureDone,
    MeasureKind,
    Outcome,
    Paused,
    Promised,
    Registered,
    Reopened,
    Replied,
    Reported,
    Responded,
    Resumed,
    SanctionRecorded,
    SignedOff,
    SiteVisited,
    TargetPerson,
    Trigger,
    Ungrouped,
    Validity,
    Visited,
)
from complaintcore.core.rulepack import Measure

__all__ = [
    "DEPARTMENTS",
    "EVENT_STRATEGIES",
    "RUNGS",
    "SHANGHAI",
    "aware_datetimes",
    "complainants",
    "complaints",
    "event_of",
    "events",
    "intakes",
    "mobile_phones",
    "names",
    "rooms",
    "target_persons",
    "texts",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
TIMEZONES: tuple[tzinfo, ...] = (SHANGHAI, UTC)

#: Codes from the default pack (cn-property); strategies do not load a pack.
RUNGS = (
    "front_line",
    "complaint_handler",
    "department_head",
    "project_manager",
    "senior_management",
)
STAGES = ("stage_1", "stage_2")
"""Stage codes of the staged packs (uk-housing-ombudsman-2024, scotland-spso)."""
DEPARTMENTS = (
    "customer_service",
    "engineering",
    "security",
    "cleaning",
    "greening",
    "finance",
    "hr_admin",
    "sales",
    "head_office",
)
CATEGORIES = (
    "repairs",
    "fees",
    "greening",
    "cleaning",
    "security",
    "parking",
    "noise",
    "service_attitude",
    "data_leak",
    "group_incident",
    "other",
)

_MIN = datetime(2000, 1, 1)
_MAX = datetime(2035, 12, 31)


# --------------------------------------------------------------------------- scalars


def aware_datetimes(
    min_value: datetime = _MIN, max_value: datetime = _MAX
) -> st.SearchStrategy[datetime]:
    """Timezone-aware datetimes in Asia/Shanghai or UTC (bounds are naive)."""
    return st.datetimes(
        min_value=min_value, max_value=max_value, timezones=st.sampled_from(TIMEZONES)
    )


def mobile_phones() -> st.SearchStrategy[str]:
    """Mainland mobile numbers: ``1[3-9]`` then nine ASCII digits."""
    return st.builds(
        lambda second, rest: f"1{second}{rest}",
        st.sampled_from("3456789"),
        st.text(alphabet="0123456789", min_size=9, max_size=9),
    )


def rooms() -> st.SearchStrategy[str]:
    """Building-unit-room numbers such as ``3-2-1201``."""
    return st.builds(
        lambda b, u, floor, r: f"{b}-{u}-{floor}{r:02d}",
        st.integers(1, 30),
        st.integers(1, 6),
        st.integers(1, 33),
        st.integers(1, 4),
    )


_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
_FIRST = ("James", "Mary", "Wei", "Li", "Anna", "David", "Grace", "Tom", "Emily", "Chen")
_LAST = ("Smith", "Wang", "Brown", "Zhang", "Taylor", "Liu", "Jones", "Chan", "O'Neil")


def names() -> st.SearchStrategy[str]:
    """Person names, Chinese (王小明) or English (Grace O'Neil)."""
    chinese = st.builds(
        lambda s, g: s + g,
        st.sampled_from(_SURNAMES),
        st.text(alphabet=_GIVEN, min_size=1, max_size=2),
    )
    english = st.builds(
        lambda f, last: f"{f} {last}", st.sampled_from(_FIRST), st.sampled_from(_LAST)
    )
    return st.one_of(chinese, english)


_WORDS = (
    "漏水",
    "物业费",
    "电梯坏了",
    "态度不好",
    "噪音",
    "停车位",
    "垃圾",
    "保安",
    "leak",
    "lift broken",
    "rude",
    "noise",
    "parking",
    "bill",
    "please help",
)


def texts(min_size: int = 0, max_size: int = 40) -> st.SearchStrategy[str]:
    """Free text: complaint words mixed with any UTF-8 characters."""
    words = st.lists(st.sampled_from(_WORDS), max_size=3).map(" ".join)
    anything = st.text(alphabet=st.characters(codec="utf-8"), max_size=max_size)
    return st.one_of(words, anything).filter(lambda t: min_size <= len(t) <= max_size)


def _ids(prefix: str) -> st.SearchStrategy[str]:
    return st.integers(1, 9999).map(lambda n: f"{prefix}-{n}")


def _nonblank(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return strategy.filter(lambda t: bool(t.strip()))


# --------------------------------------------------------------------------- intake


def complainants() -> st.SearchStrategy[Complainant]:
    """Complainants with a name, a mobile number and a room (REC-1)."""
    return st.builds(
        Complainant,
        name=names(),
        phone=mobile_phones(),
        room=rooms(),
        building=st.integers(1, 30).map(str) | st.just(""),
        site=st.sampled_from(("", "sunrise", "阳光花园", "riverside")),
    )


def target_persons() -> st.SearchStrategy[TargetPerson]:
    """CLS-4: a staff member the complaint is about."""
    return st.builds(
        TargetPerson,
        staff_id=_ids("s"),
        rung=st.sampled_from(RUNGS),
        role=st.sampled_from(("", "receptionist", "guard", "保安", "客服")),
        department=st.sampled_from(("", *DEPARTMENTS)),
    )


def intakes(
    received_at: st.SearchStrategy[datetime] | None = None,
) -> st.SearchStrategy[Intake]:
    """Valid intake records on any channel, with or without a target person."""
    return st.builds(
        Intake,
        complainant=complainants(),
        channel=st.sampled_from(list(Channel)),
        received_at=received_at if received_at is not None else aware_datetimes(),
        receiver=_ids("s"),
        summary=_nonblank(texts(min_size=1)),
        receiver_unit=st.sampled_from(DEPARTMENTS),
        description=texts(),
        site=st.sampled_from(("", "sunrise", "阳光花园")),
        location=st.sampled_from(("", "3栋2单元", "car park B2", "lobby")),
        occurred_at=st.none() | aware_datetimes(),
        account=st.sampled_from(("", "wx-openid-1", "acct-42")),
        target=st.none() | target_persons(),
        evidence=st.lists(
            st.sampled_from(("photo-1.jpg", "invoice.pdf", "录音-1.m4a")), max_size=3
        ).map(tuple),
        facts=st.frozensets(st.sampled_from(list(Fact))),
        via_head_office=st.booleans(),
        idempotency_key=st.sampled_from(("", "k-1", "msg-20250101-1")),
    )


# --------------------------------------------------------------------------- events

_EventStrategy = Callable[[st.SearchStrategy[datetime]], st.SearchStrategy[Event]]
_tags = st.lists(st.sampled_from(("漏水", "keyword: leak", "rule GRD-3")), max_size=3).map(tuple)


def _registered(at: st.SearchStrategy[datetime]) -> st.SearchStrategy[Event]:
    return st.builds(
        Registered,
        at=at,
        actor=_ids("s"),
        unit=st.sampled_from(DEPARTMENTS),
        time_barred=st.booleans(),
    )


EVENT_STRATEGIES: dict[str, _EventStrategy] = {
    "registered": _registered,
    "forwarded": lambda at: st.builds(
        Forwarded,
        at=at,
        actor=_ids("s"),
        to_unit=st.sampled_from(DEPARTMENTS),
        note=texts(),
        consent=st.booleans(),
    ),
    "classified": lambda at: st.builds(
        Classified,
        at=at,
        actor=_ids("s"),
        category=st.sampled_from(CATEGORIES),
        cause=st.sampled_from(list(Cause)),
        department=st.sampled_from(DEPARTMENTS),
        explanation=_tags,
        helpers=st.lists(st.sampled_from(DEPARTMENTS), max_size=2, unique=True).map(tuple),
        target=st.none() | target_persons(),
        urgent=st.booleans(),
    ),
    "assessed": lambda at: st.builds(
        Assessed,
        at=at,
        actor=_ids("s"),
        validity=st.sampled_from(list(Validity)),
        complaint_kind=st.sampled_from(list(Kind)),
        reasonable=st.none() | st.booleans(),
        department=st.sampled_from(("", *DEPARTMENTS)),
        facts=st.frozensets(st.sampled_from(list(Fact))),
        note=texts(),
    ),
    "graded": lambda at: st.builds(
        Graded,
        at=at,
        actor=_ids("s"),
        grade=st.sampled_from(list(Grade)),
        reasons=_tags,
        automatic=st.booleans(),
    ),
    "assigned": lambda at: st.builds(
        Assigned,
        at=at,
        actor=_ids("s"),
        handler=_ids("s"),
        rung=st.sampled_from(RUNGS),
        department=st.sampled_from(("", *DEPARTMENTS)),
    ),
    "promised": lambda at: st.builds(
        Promised, at=at, actor=_ids("s"), due=aware_datetimes(), note=texts()
    ),
    "handled": lambda at: st.builds(
        Handled,
        at=at,
        actor=_ids("s"),
        department=st.sampled_from(DEPARTMENTS),
        result=_nonblank(texts(min_size=1)),
    ),
    "replied": lambda at: st.builds(
        Replied,
        at=at,
        actor=_ids("s"),
        message=texts(),
        final=st.booleans(),
        explanation=st.booleans(),
        unanswerable_reason=st.sampled_from(("", "等待供应商配件")),
        issue=st.sampled_from(("", "I-C-1")),
    ),
    "escalated": lambda at: st.builds(
        Escalated,
        at=at,
        actor=_ids("s"),
        from_rung=st.sampled_from(RUNGS[:-1]),
        to_rung=st.sampled_from(RUNGS[1:]),
        trigger=st.sampled_from(list(Trigger)),
        note=texts(),
        clock=st.sampled_from(("", "reply", "department_result")),
    ),
    "paused": lambda at: st.builds(
        Paused, at=at, actor=_ids("s"), reason=st.sampled_from(("等待业主提供资料", "no access"))
    ),
    "resumed": lambda at: st.builds(Resumed, at=at, actor=_ids("s")),
    "visited": lambda at: st.booleans().flatmap(
        lambda reached: st.builds(
            Visited,
            at=at,
            actor=_ids("s"),
            satisfied=st.booleans() if reached else st.just(False),  # not reached: no opinion
            opinion=texts(),
            reply_due=st.none() | aware_datetimes(),
            major_issue=st.booleans(),
            reached=st.just(reached),
            problem=st.just("") | texts(),
        )
    ),
    "closed": lambda at: st.builds(
        Closed,
        at=at,
        actor=_ids("s"),
        result=texts(),
        confirmed_by_complainant=st.booleans(),
        decided_by_top_rung=st.booleans(),
    ),
    "reopened": lambda at: st.builds(
        Reopened, at=at, actor=_ids("s"), reason=st.sampled_from(("业主不满意", "leak came back"))
    ),
    "cause_analysed": lambda at: st.builds(
        CauseAnalysed, at=at, actor=_ids("s"), cause=texts(), corrective=texts(), preventive=texts()
    ),
    "sanction_recorded": lambda at: st.builds(
        SanctionRecorded,
        at=at,
        actor=_ids("s"),
        staff_id=_ids("s"),
        grade=st.sampled_from(list(Grade)),
        measures=st.lists(
            st.sampled_from([m.value for m in Measure]), min_size=1, max_size=3, unique=True
        ).map(tuple),
        points_deducted=st.integers(0, 20),
        severe=st.booleans(),
    ),
    "signed_off": lambda at: st.builds(SignedOff, at=at, actor=_ids("s"), supervisor=_ids("s")),
    "evidence_attached": lambda at: st.builds(
        EvidenceAttached,
        at=at,
        actor=_ids("s"),
        reference=st.sampled_from(("photo-1.jpg", "https://example.com/e/1", "录音.m4a")),
        note=texts(),
    ),
    "apologised": lambda at: st.builds(
        Apologised,
        at=at,
        actor=_ids("s"),
        apology=_nonblank(texts(min_size=1)),
        reason=_nonblank(texts(min_size=1)),
        remedy=_nonblank(texts(min_size=1)),
    ),
    "reported": lambda at: st.builds(
        Reported,
        at=at,
        actor=_ids("s"),
        content=_nonblank(texts(min_size=1)),
        result=texts(),
        to=st.sampled_from(("", "SR-101", "department_head")),
        written=st.booleans(),
        reference=st.sampled_from(("", "报告-2025-017")),
    ),
    "site_visited": lambda at: st.builds(
        SiteVisited,
        at=at,
        actor=_ids("s"),
        findings=_nonblank(texts(min_size=1)),
        departments=st.lists(st.sampled_from(DEPARTMENTS), max_size=2, unique=True).map(tuple),
        with_complainant=st.booleans(),
    ),
    "called_back": lambda at: st.builds(
        CalledBack,
        at=at,
        actor=_ids("s"),
        outcome=_nonblank(texts(min_size=1)),
        satisfied=st.none() | st.booleans(),
    ),
    "grouped": lambda at: st.builds(
        Grouped,
        at=at,
        actor=_ids("s"),
        issue=st.sampled_from(("I-C-1", "I-C-20251110-0001")),
        members=st.lists(_ids("C"), min_size=1, max_size=4, unique=True).map(tuple),
        complainants=st.integers(1, 12),
        incident=st.booleans(),
    ),
    "ungrouped": lambda at: st.builds(
        Ungrouped,
        at=at,
        actor=_ids("s"),
        issue=st.sampled_from(("I-C-1", "I-C-20251110-0001")),
    ),
    "linked": lambda at: st.builds(
        Linked,
        at=at,
        actor=_ids("s"),
        same_complainant=st.lists(_ids("C"), max_size=3, unique=True).map(tuple),
        same_room=st.lists(_ids("C"), max_size=3, unique=True).map(tuple),
        same_matter=st.lists(_ids("C"), max_size=3, unique=True).map(tuple),
        raisings=st.integers(1, 6),
        raised_repeatedly=st.booleans(),
        repeated_by=st.sampled_from(("", "C-20251110-0009")),
        promise_not_kept=st.booleans(),
    ),
    "measure_added": lambda at: st.builds(
        MeasureAdded,
        at=at,
        actor=_ids("s"),
        measure=st.sampled_from(("M1", "M2", "M3")),
        measure_kind=st.sampled_from(list(MeasureKind)),
        action=_nonblank(texts(min_size=1)),
        owner=_ids("s"),
        due=aware_datetimes(),
        department=st.sampled_from(("", *DEPARTMENTS)),
    ),
    "measure_done": lambda at: st.builds(
        MeasureDone,
        at=at,
        actor=_ids("s"),
        measure=st.sampled_from(("M1", "M2", "M3")),
        result=_nonblank(texts(min_size=1)),
    ),
    "acknowledged": lambda at: st.builds(
        Acknowledged,
        at=at,
        actor=_ids("s"),
        stage=st.sampled_from(("", *STAGES)),  # "": receipt acknowledged, no stages (HDL-1)
        definition=texts(),
        remedy_sought=texts(),
        apology=texts(),
    ),
    "escalation_requested": lambda at: st.builds(
        EscalationRequested,
        at=at,
        actor=_ids("s"),
        from_stage=st.just(STAGES[0]),
        stage=st.just(STAGES[1]),
        reason=texts(),
        late=st.booleans(),
    ),
    "extended": lambda at: st.builds(
        Extended,
        at=at,
        actor=_ids("s"),
        clock=st.sampled_from(("stage_1_response", "stage_2_response")),
        by=st.sampled_from(("1d", "5d", "10d")),
        reason=_nonblank(texts(min_size=1)),
        details=texts(),
        agreed_by=st.sampled_from(("", "HM-001")),
    ),
    "responded": lambda at: st.builds(
        Responded,
        at=at,
        actor=_ids("s"),
        stage=st.sampled_from(STAGES),
        outcome=st.sampled_from(list(Outcome)),
        message=_nonblank(texts(min_size=1)),
        remedies=st.lists(_nonblank(texts(min_size=1)), max_size=2).map(tuple),
    ),
}
assert set(EVENT_STRATEGIES) == set(EVENT_BY_KIND), "a new event kind needs a strategy"


def event_of(kind: str, at: st.SearchStrategy[datetime] | None = None) -> st.SearchStrategy[Event]:
    """Events of one kind (a key of :data:`EVENT_BY_KIND`)."""
    return EVENT_STRATEGIES[kind](at if at is not None else aware_datetimes())


def events(at: st.SearchStrategy[datetime] | None = None) -> st.SearchStrategy[Event]:
    """Events of every kind with valid fields."""
    moment = at if at is not None else aware_datetimes()
    return st.one_of([EVENT_STRATEGIES[kind](moment) for kind in sorted(EVENT_STRATEGIES)])


# --------------------------------------------------------------------------- complaints

# Built once: building strategies inside a draw is slow.
_REGISTERED = _registered(aware_datetimes())
_ANY_EVENT = events()
_INTAKES = intakes()


@st.composite
def complaints(draw: st.DrawFn, max_events: int = 12) -> Complaint:
    """A complaint: an intake, then a registration and events in time order.

    The event sequence is not checked against the workflow (any kinds may follow
    the registration); ``state`` is left at its default, so fold it with
    :func:`complaintcore.core.workflow.evolve` when a test needs it.
    """
    intake = draw(_INTAKES)
    start = intake.received_at
    gaps = draw(st.lists(st.integers(0, 3 * 24 * 3600), max_size=max_events))
    moments = []
    t = start
    for gap in gaps:
        t = t + timedelta(seconds=gap)
        moments.append(t)
    evs: list[Event] = []
    if moments:
        evs.append(attrs.evolve(draw(_REGISTERED), at=moments[0]))
        evs.extend(attrs.evolve(draw(_ANY_EVENT), at=m) for m in moments[1:])
    complaint_id = draw(st.one_of(_ids("C"), st.uuids().map(str)))
    return Complaint(id=complaint_id, intake=intake, events=tuple(evs))
