"""Concentrated issues and group incidents as pure decisions (HDL-5, HDL-6).

004 篇3: "对于客户反映集中的问题，统一安排时间向客户解释" (issues many customers raise
get one unified explanation); 004 篇1: a group complaint is reported to the
project manager at once.  The sources give no numbers; cn-property's rule
(rule-packs.md) is 3 distinct complainants about one category in one building
within 72 hours for a concentrated issue, 5 within 24 hours for a group incident.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintcore.core.concentration import (
    Member,
    complainant_key,
    decide_group,
    group_key,
    issue_links,
)
from complaintcore.core.errors import IllegalTransitionError, InvalidInputError
from complaintcore.core.models import (
    Complainant,
    Escalated,
    Grouped,
    TargetPerson,
    Trigger,
    Ungrouped,
)
from complaintcore.core.rulepack import Concentration, Duration, GroupScope
from complaintcore.core.workflow import Classify, Group, replay
from tests.helpers import SH, Runner, intake, pack

PACK = pack()
RULE = PACK.concentration
T0 = datetime(2025, 11, 10, 10, 0, tzinfo=SH)


def m(n: int, hours: float = 0, who: str = "", issue: str = "", incident: bool = False) -> Member:
    return Member(f"C-{n}", T0 + timedelta(hours=hours), who or f"k{n}", issue, incident)


def test_the_shipped_rule_is_the_documented_one() -> None:
    assert (RULE.scope, RULE.min_complainants, RULE.group_complainants) == (
        GroupScope.BUILDING,
        3,
        5,
    )
    assert (RULE.window, RULE.group_window) == (Duration(minutes=72 * 60), Duration(minutes=1440))
    assert RULE.ignore_categories == ("other",)


@pytest.mark.procedure("IN-6")
def test_a_new_issue_is_never_named_after_a_complaint_that_may_not_name_it() -> None:
    """The issue's id reaches the site: a bypass complaint still waiting for consent
    (C-1, the earliest) does not name it, the earliest of the others (C-2) does."""
    found = decide_group(m(3, 2), [m(1), m(2, 1)], RULE, unnamed={"C-1"})
    assert found is not None
    assert found.issue == "I-C-2"
    assert found.members == ("C-1", "C-2", "C-3")  # still a member
    assert found.complainants == 3
    # the new complaint itself names it when the earlier ones may not
    alone = decide_group(m(3, 2), [m(1), m(2, 1)], RULE, unnamed={"C-1", "C-2"})
    assert alone is not None
    assert alone.issue == "I-C-3"
    # none may: the earliest still names it (only head office is told then)
    every = decide_group(m(3, 2), [m(1), m(2, 1)], RULE, unnamed={"C-1", "C-2", "C-3"})
    assert every is not None
    assert every.issue == "I-C-1"


@pytest.mark.procedure("HDL-5")
def test_three_complainants_make_a_concentrated_issue() -> None:
    assert decide_group(m(2, 1), [m(1)], RULE) is None
    found = decide_group(m(3, 2), [m(1), m(2, 1)], RULE)
    assert found is not None
    assert found.issue == "I-C-1"  # named after its earliest complaint
    assert found.members == ("C-1", "C-2", "C-3")
    assert found.link == ("C-1", "C-2")
    assert found.complainants == 3
    assert found.formed
    assert not found.incident


@pytest.mark.procedure("HDL-5")
def test_the_same_complainant_calling_again_counts_once() -> None:
    again = m(2, 1, who="k1")  # the owner of C-1 calls a second time
    assert decide_group(m(3, 2, who="k1"), [m(1), again], RULE) is None
    found = decide_group(m(4, 3), [m(1), again, m(3, 2, who="k1")], RULE)
    assert found is None  # still only two people
    found = decide_group(m(5, 4, who="k5"), [m(1), again, m(4, 3, who="k4")], RULE)
    assert found is not None
    assert found.complainants == 3


@pytest.mark.procedure("HDL-5")
def test_complaints_outside_the_window_are_not_fellows() -> None:
    old = m(1, -73)  # more than 72 hours before
    assert decide_group(m(3), [old, m(2, -1)], RULE) is None
    found = decide_group(m(3), [m(1, -72), m(2, -1)], RULE)  # exactly 72 hours: in
    assert found is not None


@pytest.mark.procedure("HDL-5")
def test_a_complaint_near_an_issue_joins_it() -> None:
    found = decide_group(m(9, 5), [m(1, issue="I-C-1"), m(2, 1, issue="I-C-1")], RULE)
    assert found is not None
    assert (found.issue, found.link, found.formed) == ("I-C-1", (), False)
    assert found.members == ("C-9",)


@pytest.mark.procedure("HDL-6")
def test_five_complainants_within_a_day_make_a_group_incident() -> None:
    members = [m(n, n) for n in range(1, 5)]
    four = decide_group(m(4, 4), members[:3], RULE)
    assert four is not None
    assert not four.incident
    five = decide_group(m(5, 5), members, RULE)
    assert five is not None
    assert (five.incident, five.became_incident, five.complainants) == (True, True, 5)
    # spread over more than a day: a concentrated issue, not a group incident
    spread = [m(n, 7 * n) for n in range(1, 5)]
    slow = decide_group(m(5, 35), spread, RULE)
    assert slow is not None
    assert not slow.incident


@pytest.mark.procedure("HDL-6")
def test_a_group_incident_stays_one() -> None:
    earlier = [m(1, 0, issue="I-C-1", incident=True), m(2, 1, issue="I-C-1", incident=True)]
    found = decide_group(m(3, 40), earlier, RULE)
    assert found is not None
    assert found.incident
    assert not found.became_incident


@pytest.mark.procedure("HDL-5")
def test_group_keys_follow_the_rule() -> None:
    r = Runner(PACK, intake(summary="楼上漏水"))
    r.register()
    c = r(Classify(actor="h"))
    assert group_key(c, RULE) == ("sunrise", "3", "repairs", "")
    site_wide = attrs.evolve(RULE, scope=GroupScope.SITE)
    assert group_key(c, site_wide) == ("sunrise", "", "repairs", "")
    no_building = Runner(
        PACK, intake(complainant=Complainant("王小明", "13812345678", "1201", "", "sunrise"))
    )
    no_building.register()
    assert group_key(no_building(Classify(actor="h")), RULE) is None
    other = Runner(PACK, intake(summary="想问问小区快递柜的事"))
    other.register()
    assert group_key(other(Classify(actor="h", category="other")), RULE) is None
    assert group_key(c, Concentration()) is None  # the rule is off by default


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("ESC-4")
def test_complaints_about_a_person_are_grouped_by_that_person() -> None:
    """Review s38A F03: one issue is about one person (or nobody), never several."""
    keys = []
    for staff_id in ("SR-101", " sr-101 ", "SR-001", None):
        target = TargetPerson(staff_id, "department_head") if staff_id else None
        r = Runner(PACK, intake(summary="楼上漏水", target=target))
        r.register()
        keys.append(group_key(r(Classify(actor="h")), RULE))
    assert keys == [
        ("sunrise", "3", "repairs", "sr-101"),
        ("sunrise", "3", "repairs", "sr-101"),  # one person however typed
        ("sunrise", "3", "repairs", "sr-001"),
        ("sunrise", "3", "repairs", ""),
    ]


@pytest.mark.procedure("PRV-1")
def test_the_complainant_key_tells_people_apart_without_revealing_them() -> None:
    a = Complainant("王小明", "138 1234 5678", "3-2-1201", "3", "sunrise")
    same = Complainant("王小明", "+86 13812345678", "3-2-1201", "3", "sunrise")
    other = Complainant("李芳", "13900001111", "3-1-501", "3", "sunrise")
    assert complainant_key(a) == complainant_key(same)
    assert complainant_key(a) != complainant_key(other)
    key = complainant_key(a)
    assert len(key) == 16  # 64 bits: two owners of a site practically never share one
    assert int(key, 16) >= 0
    assert not any(part in key for part in ("1381", "5678", "1201"))
    no_phone = Complainant("赵六", "", "5-1-101", "5", "sunrise")
    assert complainant_key(no_phone) == complainant_key(attrs.evolve(no_phone, room="5-1-101 "))


def _most_in_one_span(times: list[tuple[int, str]], hours: int) -> int:
    """By the rule's words: the most distinct complainants received within ``hours``
    of each other, in a span that holds the new complaint (minute 0)."""
    width = hours * 60
    return max(
        len({who for at, who in times if start <= at <= start + width})
        for start in range(-width, 1)  # every span [start, start + width] holding 0
    )


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("HDL-6")
@given(
    offsets=st.lists(st.integers(-80, 80), max_size=12),
    people=st.lists(st.integers(0, 6), max_size=12),
)
def test_an_issue_needs_enough_distinct_complainants_within_the_window_of_each_other(
    offsets: list[int], people: list[int]
) -> None:
    """The law: a decision exists exactly when enough distinct complainants (the new
    one included) were received within the window of each other, or within the
    group window for a group incident.  Offsets are whole hours, so spans starting
    on a whole minute are all the spans there are."""
    candidates = [
        Member(f"C-{i}", T0 + timedelta(hours=o), f"k{p}")
        for i, (o, p) in enumerate(zip(offsets, people, strict=False))
    ]
    times = [(o * 60, f"k{p}") for o, p in zip(offsets, people, strict=False)]
    times.append((0, "k-new"))
    in_window, in_group = _most_in_one_span(times, 72), _most_in_one_span(times, 24)
    expected = in_window >= 3 or in_group >= 5
    found = decide_group(Member("C-new", T0, "k-new"), candidates, RULE)
    assert (found is not None) == expected
    if found is not None:
        assert found.complainants == max(in_window, in_group)
        assert found.incident == (in_group >= 5)
        assert "C-new" in found.members


@pytest.mark.procedure("HDL-5")
def test_a_late_registered_complaint_does_not_bridge_two_windows() -> None:
    """A at 0 h and C at 120 h are 120 h apart; B, received at 60 h but registered
    last, is within 72 h of each, yet no 72 h span holds all three."""
    assert decide_group(m(2, 60), [m(1, 0), m(3, 120)], RULE) is None
    # the same three within 72 h of each other are one issue, whatever the order
    found = decide_group(m(2, 30), [m(1, 0), m(3, 70)], RULE)
    assert found is not None
    assert found.members == ("C-1", "C-2", "C-3")


@pytest.mark.procedure("HDL-6")
def test_a_group_incident_needs_five_within_one_day_of_each_other() -> None:
    """00:00, 02:00, (late) 23:00 on day one and 20:00, 22:00 on day two: five over
    46 h, at most three within any 24 h; with a fifth inside day one, an incident."""
    late = m(5, 23)
    others = [m(1, 0), m(2, 2), m(3, 44), m(4, 46)]
    found = decide_group(late, others, RULE)
    assert found is not None
    assert not found.incident
    assert found.complainants == 5  # all five within 72 h of each other
    burst = decide_group(late, [m(1, 0), m(2, 2), m(3, 10), m(4, 20)], RULE)
    assert burst is not None
    assert burst.incident


# --------------------------------------------------------------------------- the Group command


@pytest.mark.procedure("HDL-6")
def test_linking_a_group_incident_reports_it_to_the_project_manager_once() -> None:
    r = Runner(PACK)
    r.register()
    group = Group(actor="system", issue="I-C-0", members=("C-0", "C-1"), complainants=5)
    c = r(group)
    assert isinstance(c.events[-1], Grouped)
    assert c.state.issue == "I-C-0"
    assert not c.state.group_incident
    assert r(group).events == c.events  # linking again changes nothing
    c = r(attrs.evolve(group, incident=True))
    grouped, escalated = c.events[-2:]
    assert isinstance(grouped, Grouped)
    assert grouped.incident
    assert isinstance(escalated, Escalated)
    assert (escalated.trigger, escalated.to_rung) == (Trigger.INCIDENT, PACK.group_report_rung)
    assert c.state.group_incident
    assert r(attrs.evolve(group, incident=True)).events == c.events
    with pytest.raises(IllegalTransitionError, match="another"):
        r(attrs.evolve(group, issue="I-C-9"))


@pytest.mark.procedure("HDL-5")
def test_a_member_reclassified_out_of_its_category_leaves_its_issue() -> None:
    """An issue is one category at one site or building: classified into another, a
    member leaves it (an event, REC-5), and may then join another issue; classified
    again within the category, it stays.  A history stored before leaving was
    recorded (the reclassification without the event) still folds as it was."""
    r = Runner(PACK)
    r.register()
    r(Classify(actor="SR-101", category="repairs"))
    c = r(
        Group(actor="system", issue="I-C-0", members=("C-0", "C-1"), complainants=5, incident=True)
    )
    assert (c.state.issue, c.state.group_incident) == ("I-C-0", True)
    rung = c.state.rung
    c = r(Classify(actor="SR-101", category="repairs", department="engineering"))
    assert c.state.issue == "I-C-0"
    c = r(Classify(actor="SR-101", category="fees"))
    classified, left = c.events[-2:]
    assert isinstance(left, Ungrouped)
    assert (left.issue, left.at, left.actor) == ("I-C-0", classified.at, "SR-101")
    assert (c.state.issue, c.state.group_incident, c.state.rung) == ("", False, rung)
    c = r(Group(actor="system", issue="I-C-7", members=("C-1", "C-7"), complainants=3))
    assert c.state.issue == "I-C-7"
    old = replay("C-1", c.intake, [e for e in c.events if not isinstance(e, Ungrouped)][:-1])
    assert old.state.issue == "I-C-0"  # stored before: read as it was stored


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("PRV-1")
def test_the_issues_a_complaint_was_part_of_and_their_members_it_names() -> None:
    """Review s46F F02: what masks a member's texts masks the other members of every
    issue it was part of (an issue's explanation stays in its history after it
    left), itself left out."""
    r = Runner(PACK)
    r.register()
    assert issue_links(r(Classify(actor="SR-101", category="repairs"))) == ((), ())
    r(Group(actor="system", issue="I-C-0", members=("C-0", "C-1", "C-2"), complainants=3))
    c = r(Classify(actor="SR-101", category="fees"))
    assert c.state.issue == ""
    assert issue_links(c) == (("I-C-0",), ("C-0", "C-2"))
    c = r(Group(actor="system", issue="I-C-7", members=("C-1", "C-7", "C-2"), complainants=3))
    assert issue_links(c) == (("I-C-0", "I-C-7"), ("C-0", "C-2", "C-7"))


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("typed", ["13812345678", "王小明", "Thompson", "i-C-1", "I-", "I- "])
def test_an_issue_id_not_named_like_the_desks_is_refused_without_quoting_it(typed: str) -> None:
    """Review s31C F04: a clerk typing the owner's phone or name where the issue id
    belongs published it in ``list`` and ``show``.  The desk names an issue ``I-`` and
    its earliest complaint's id; the refusal names the field, not the value."""
    r = Runner(PACK)
    r.register()
    with pytest.raises(InvalidInputError) as info:
        r(Group(actor="SR-201", issue=typed, members=("C-1",), complainants=1))
    assert (info.value.path, info.value.reason) == (
        "issue",
        "is not an issue id: an issue is named I- and the id of its earliest complaint (HDL-5)",
    )
    assert str(info.value) == f"issue: {info.value.reason}"  # what was typed is not quoted


def test_a_group_command_is_checked() -> None:
    r = Runner(PACK)
    r.register()
    with pytest.raises(InvalidInputError) as info:
        r(Group(actor="system", issue="I-1", members=("C-2",), complainants=3))
    assert info.value.path == "members"
    with pytest.raises(InvalidInputError) as info:
        r(Group(actor="system", issue=" ", members=("C-1",), complainants=3))
    assert info.value.path == "issue"
    with pytest.raises(InvalidInputError) as info:
        r(Group(actor="system", issue="I-1", members=("C-1",), complainants=0))
    assert info.value.path == "complainants"
