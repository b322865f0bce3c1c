"""Concentrated issues and group incidents as pure decisions (HDL-5, HDL-6).

Many owners complaining about the same thing (ten calls about one leak) are one
*concentrated issue*: customer service gives them one unified explanation
(004 篇3 "对于客户反映集中的问题，统一安排时间向客户解释").  Enough of them at
once are a *group incident*, reported to the project manager at once (004 篇1).

The desk asks its store for the open complaints that could share an issue with
a new one (same site or building, same category, about the same person or
about nobody, received near it) and hands them here; :func:`decide_group`
applies the pack's :class:`~complaintcore.core.rulepack.Concentration` rule.  Nothing here reads a
store or a clock.
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata
from bisect import insort
from collections import Counter
from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta

import attrs

from complaintcore.core.building_forms import building_name, plain_number
from complaintcore.core.models import Complainant, Complaint, Grouped, as_instant, staff_key
from complaintcore.core.privacy import room_address
from complaintcore.core.room_forms import (
    BUILDING,
    DASHED_LEVELS,
    FLOOR,
    ONE_GROUP,
    UNIT,
    room_flat,
    room_kept,
    room_list,
    room_listed,
    room_read,
)
from complaintcore.core.rulepack import Concentration, GroupScope
from complaintcore.core.validity import normalise_phone

__all__ = [
    "KEY_DIGITS",
    "GroupDecision",
    "Member",
    "building_key",
    "complainant_key",
    "decide_group",
    "group_key",
    "issue_links",
    "room_building",
    "room_match",
    "room_place",
    "target_key",
]

KEY_DIGITS = 16
"""Hex digits of a complainant or room key: 64 bits, so that two people or rooms of
one site practically never share one (IMP-3, HDL-5)."""


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _spelt(room: str) -> str:
    """IMP-3, GRD-2: a room in no address form as its spelling is matched: NFKC, in
    lower case, the spaces between two ASCII digits one space, any other left out
    (``3  1202`` is ``3 1202``; ``1201 室`` is ``1201室``, ``A 1201`` is ``a1201``).
    Between two digits the space is all that tells different flats apart: ``3
    1202``, ``31 202`` and ``312 02`` are three rooms (review s51R20 F01: every
    space was left out, and all three were ``31202``, one room raised repeatedly
    by three owners); beside a letter it tells nothing (``A 1201`` and ``A1201``,
    ``1201 B`` and ``1201B`` are one flat: review s51R23 F01).  The marks an
    address's flat may hold besides (``, . ' ’ ( )``, a pack's ``room_style``
    ``address``: review s54R12 F01) are spaces here: ``Flat 3, 12 High Street`` is
    ``Flat 3 12 High Street``, ``St. John's`` is ``St Johns``.  A house number
    never held one, so its key is as it was."""
    words = unicodedata.normalize("NFKC", room).casefold().translate(_FOLDED).split()
    spelt = words[:1]
    for word in words[1:]:
        gap = " " if _digit(spelt[-1][-1]) and _digit(word[0]) else ""
        spelt.append(gap + word)
    return "".join(spelt)


_FOLDED = str.maketrans(dict.fromkeys(",.'\u2019()", " "))
"""The address marks :func:`_spelt` reads as spaces (review s54R12 F01)."""


def _digit(char: str) -> bool:
    return "0" <= char <= "9"


@functools.lru_cache(maxsize=4096)
def building_key(building: str) -> str:
    """The form a building is matched and counted by (HDL-5, IMP-2, IMP-3, IMP-4).

    A building typed as its number (or letter, or letter and number) with or
    without a building word is that number or letter
    (:func:`~complaintcore.core.building_forms.building_name`): ``3``, ``3栋``,
    ``3号楼``, ``3幢``, ``3#`` and ``３号楼`` are ``3``; ``A座``, ``A栋``, ``Block A``
    are ``a`` (review s49L F01); ``Block S`` and ``Bldg. S`` are ``s``, ``Blocks``
    (an S right after the word) a plural kept as spelt (review s49U F04).  Any
    other building is matched by its spelling, NFKC, case and spaces ignored
    (``华府3栋``, ``3单元``, ``Block A East``).
    Buildings that differ stay apart: ``3栋`` is not ``13栋`` nor ``3单元``.  A key
    is its own key.  ``""`` without one.  A desk has few buildings and intake
    asks for each complaint several times, so each spelling's key is kept.
    """
    spelt = unicodedata.normalize("NFKC", building).casefold()
    return building_name(spelt) or "".join(spelt.split())


@functools.lru_cache(maxsize=8192)
def room_building(room: str) -> str:
    """IMP-3, GRD-2: the building ``room`` names, as :func:`building_key` keys it: its
    first group when :func:`~complaintcore.core.privacy.room_address` reads that
    group as a building (``3-2-1201``, ``3栋2单元1201室``, ``A座1201`` name
    buildings ``3``, ``3`` and ``a``); ``""`` when it names none (``1201``,
    ``2单元1201``).  A complaint whose building field is blank is in that building
    for matching its room (review s50H F05).  A value of several rooms names the
    building its rooms all name, else none (review s51B F05)."""
    rooms = _rooms(room)
    if len(rooms) > 1:
        named = {room_building(one) for one in rooms}
        return named.pop() if len(named) == 1 else ""
    found = _address(room)
    if found is None:
        return ""
    groups, levels = found
    return building_key(groups[0]) if levels[:1] == (BUILDING,) else ""


def _address(room: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """:func:`~complaintcore.core.privacy.room_address` of ``room`` as a key reads it
    (:func:`~complaintcore.core.room_forms.room_read`: ``Rm 1202``, ``Ｒｍ３－１２０２``,
    ``三号楼二单元1201``; review s51B F01, F04, s51R7 F02), without the floors its flat
    holds (``3号楼5楼502`` is building 3, flat 502; ``3栋5楼3号`` keeps its floor:
    :func:`~complaintcore.core.room_forms.room_kept`, review s51B F03, s51R7 F01) and
    each group's digits a number (``03-02-0101`` is ``3-2-101``:
    :func:`~complaintcore.core.building_forms.plain_number`, review s51B F02)."""
    found = room_address(room_read(room))
    if found is None:
        return None
    groups, levels = room_kept(*found)
    return tuple(map(plain_number, groups)), levels


def _rooms(room: str) -> tuple[str, ...]:
    """The rooms of a value that writes several (review s51B F05): its parts between
    ``/``, ``、``, ``,``, 和 ... (:func:`~complaintcore.core.room_forms.room_list`)
    when each is a room in an address form or a flat of three digits or more
    (``1201/1202``, ``3-2-1201、3-2-1202``); else the value alone (``3/2/1201``,
    ``1201/b``: one room, as spelt)."""
    parts = room_list(room)
    if len(parts) > 1 and all(
        _address(part) is not None or room_listed(_spelt(room_read(part))) for part in parts
    ):
        return parts
    return (room,)


@functools.lru_cache(maxsize=8192)
def room_place(building: str, room: str) -> tuple[str, str]:
    """IMP-3, GRD-2: the building and the room a room key and a phoneless
    complainant's key are made of.  The building is the building field's key
    (:func:`building_key`), or, where that field is blank, the building the room
    names (:func:`room_building`; review s50H F05).  The room is
    :func:`room_match`'s, read below a building field that names one building as
    the whole address reads it: a room of one group is that building's room
    (``3`` and ``1201室`` are ``3-1201``, as ``3栋1201室`` is), and a room that
    starts at its unit, named by the unit's word, that building's unit and room
    (``3`` and ``2单元1201室`` are ``3-2-1201``: review s50Q F04), and so is one
    that starts at its floor, named by 层 or an F (``3栋`` and ``5层3号`` or ``5F-3``
    are ``3栋5层3``, as ``3栋5层3号`` is; ``3栋`` and ``2单元5层3号`` are
    ``3栋2单元5层3``: review s52K F02), so long as no group of it names a building
    or goes unnamed.  Any other room is kept: ``2-1201`` may name a building or a
    unit, and ``5楼3号`` names building 5.  A value of several rooms
    (``1201/1202``) is each of them placed so, in order and once each, joined by
    ``/`` (``3`` and ``1202、1201`` are ``3-1201/3-1202``; review s51B F05)."""
    rooms = _rooms(room)
    if len(rooms) > 1:
        placed = [room_place(building, one) for one in rooms]
        buildings = {place for place, _ in placed}
        return (
            buildings.pop() if len(buildings) == 1 else building_key(building),
            "/".join(sorted({matched for _, matched in placed})),
        )
    matched = room_match(room)
    place = building_key(building)
    if not place:
        return room_building(room), matched
    if not matched or ONE_GROUP.fullmatch(place) is None:
        return place, matched
    if ONE_GROUP.fullmatch(matched):
        return place, f"{place}-{matched}"
    found = _address(room)
    if found is not None and found[1][:1] in _BELOW and _BUILT.isdisjoint(found[1]):
        return place, _written((place, *found[0]), (BUILDING, *found[1]))
    return place, matched


_BELOW = ((UNIT,), (FLOOR,))
"""The levels a room read below its building field may start at (:func:`room_place`)."""

_BUILT = frozenset((BUILDING, ""))
"""The levels a room read below its building field may not name: a building, or a
group whose level is not known (``2-1201`` may name a building or a unit)."""


@functools.lru_cache(maxsize=8192)
def room_match(room: str) -> str:
    """The form a room is matched by (IMP-3, GRD-2, HDL-5): its groups as masking
    reads them (:func:`~complaintcore.core.privacy.room_address`), each with the
    level it names, whatever address form it was typed in -- or, for a room in
    none of those forms, its spelling with NFKC, case and spaces ignored
    (``１２０１`` is ``1201``).  ``""`` without one.

    A room whose groups are a building and a room, or a building, a unit and a
    room (:data:`~complaintcore.core.room_forms.DASHED_LEVELS`), is its groups
    joined by dashes, as it is typed with dashes: ``3栋2单元1201室``,
    ``3号楼2单元1201``, ``３－２－１２０１``, ``3座2-1201`` and ``3 - 2 - 1201室`` are
    ``3-2-1201`` (review s49A F01); ``3栋1201``, ``3号楼1201`` and ``3-1201`` are
    ``3-1201``; ``A座1201`` is ``a-1201``.  Any other room keeps the level each group
    names, written with 栋 for a building and 单元 for a unit (a dash where none is
    named): ``3单元1201`` and ``3门1201`` are ``3单元1201``, another room than
    building 3's ``3-1201`` (review s49Q F02).  Rooms that differ stay apart:
    ``B座1201`` is ``b-1201``; ``1201B`` is ``1201b``.  A room typed with dashes is
    matched as it was before, and a key is its own key.  A room of one group with
    its end word (:data:`~complaintcore.core.room_forms.ROOM_ENDS`) is that group,
    as a room of several is without it: ``1201室``, ``１２０１号`` and ``1201 室``
    are ``1201`` (review s50H F04); ``第3栋2单元1201`` and ``Block 3 2单元1201`` are
    ``3-2-1201`` (:func:`~complaintcore.core.room_forms.building_led`, review s50H
    F02).

    Review s51B: a building or unit written in Chinese numerals is its digits
    (``三号楼二单元1201`` is ``3-2-1201``, F01); a group's digits are a number
    (``03-2-1201`` is ``3-2-1201``, ``0101`` is ``101``: a room is written as its
    floor and two digits, and a zero before the floor pads it, F02); a floor is
    left out (``3号楼5楼502`` is ``3-502``, ``5楼502室`` is ``502``, F03); an English
    word for a room before it is dropped (``Rm3-1202`` and ``Flat 3-1202`` are
    ``3-1202``, ``Rm 1202`` is ``1202``, F04); a value of several rooms is each of
    them, once each, in order, joined by ``/`` (``1202、1201`` is ``1201/1202``, F05).

    Review s51R7: a floor the flat does not hold is kept, written 层 (``3栋5楼3号``,
    floor 5, door 3, is ``3栋5层3``, F01); an English room word in full width is
    the word (``Ｒｍ３－１２０２`` is ``3-1202``, F02); a flat padded after its
    floor holds it (``5楼0502`` is ``502``, F03); a numeral with spaces before its
    word is read (``三 栋 2 单元 1201`` is ``3-2-1201``, F05)."""
    rooms = _rooms(room)
    if len(rooms) > 1:
        return "/".join(sorted({room_match(one) for one in rooms}))
    found = _address(room)
    if found is None:
        spelt = _spelt(room_read(room))
        return room_flat(spelt) or spelt
    return _written(*found)


def _written(groups: tuple[str, ...], levels: tuple[str, ...]) -> str:
    """A room's ``groups`` (:func:`_address`) and their ``levels`` as :func:`room_match`
    writes them: one group alone, a building-room or building-unit-room form
    joined by dashes, any other with the word of each group's level (a dash where
    none is named)."""
    if len(groups) == 1:
        return groups[0]
    if levels == DASHED_LEVELS.get(len(groups)):
        return "-".join(groups)
    return (
        "".join(group + (level or "-") for group, level in zip(groups[:-1], levels, strict=True))
        + groups[-1]
    )


@functools.lru_cache(maxsize=8192)
def complainant_key(complainant: Complainant) -> str:
    """Sixteen hex digits that tell complainants apart (HDL-5, IMP-3, GRD-2).

    Derived from the normalised phone number (or, without one, the room and
    name).  A site's whole history is matched by it (IMP-3 links a complaint to
    every earlier one of its complainant), so two people must practically never
    share one: with 64 bits, a site of a million complainants has about one
    chance in 36 million of any two sharing a key.  (Six digits, as stored
    before schema 11, made two owners among a few thousand one person.)  Not
    a secret: phone numbers are few enough to try them all, so the key is for
    matching and never shown (PRV-1).
    Pure, so the last few thousand are kept: intake asks several times for
    each complaint (projection, grouping, repeats).
    """
    phone = normalise_phone(complainant.phone)
    if phone is None:
        digits = "".join(
            ch for ch in unicodedata.normalize("NFKC", complainant.phone) if ch.isdigit()
        )
        phone = digits if len(digits) >= 7 else None
    if phone is not None:
        source = f"tel:{phone}"
    else:
        place = "|".join(
            (_norm(complainant.site), *room_place(complainant.building, complainant.room))
        )
        source = f"room:{place}|{_norm(complainant.name)}"
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:KEY_DIGITS]


def target_key(complaint: Complaint) -> str:
    """The person a complaint is about (CLS-4) as staff ids are compared
    (:func:`~complaintcore.core.models.staff_key`), or ``""`` when it is about nobody."""
    target = complaint.state.target or complaint.intake.target
    return staff_key(target.staff_id) if target is not None else ""


def group_key(complaint: Complaint, rule: Concentration) -> tuple[str, str, str, str] | None:
    """``(site, building, category, target)`` a complaint is grouped under, or None.

    None when the rule is off, the category is not known yet or is ignored, or
    the complaint has no site (or no building, for a building-scoped rule).
    ``building`` is its :func:`building_key` (``""`` for a site-scoped rule), so
    one building typed two ways is one group.  ``target`` is its
    :func:`target_key`: complaints about one staff member are one issue only with
    complaints about the same person, never with those about another or about
    nobody (HDL-5, ESC-4: one explanation is not given for different people, and
    nobody hears of the issue of a complaint about himself).
    """
    if not rule.enabled:
        return None
    category = complaint.state.category
    if not category or category in rule.ignore_categories:
        return None
    site = (complaint.intake.site or complaint.intake.complainant.site).strip()
    if not site:
        return None
    building = building_key(complaint.intake.complainant.building)
    target = target_key(complaint)
    if rule.scope is GroupScope.BUILDING:
        return (site, building, category, target) if building else None
    return site, "", category, target


def issue_links(complaint: Complaint) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """HDL-5, PRV-1: the concentrated issues ``complaint`` has been part of, and the
    other complaints its history names as their members, each once, in the order
    its ``Grouped`` events name them.

    An issue's text (the one explanation, or any command run on every member) is
    copied into each member's history, so a masked view of one member masks the
    complainants of the others in it too.  An issue it left (``Ungrouped``) still
    counts: the texts given to it stay in its history.  A ``Grouped`` event names
    the members linked before it or with it; those linked later are found by the
    issue (the store's members of it now)."""
    issues: dict[str, None] = {}
    members: dict[str, None] = {}
    for event in complaint.events:
        if isinstance(event, Grouped):
            issues[event.issue] = None
            members.update(dict.fromkeys(event.members))
    if complaint.state.issue:
        issues[complaint.state.issue] = None
    members.pop(complaint.id, None)
    return tuple(issues), tuple(members)


@attrs.frozen
class Member:
    """What grouping needs of one complaint: never a name, phone or room (PRV-1)."""

    id: str
    received_at: datetime
    complainant: str = attrs.field(default="", repr=False)  # a digest, never shown (PRV-1)
    issue: str = ""
    incident: bool = False

    @property
    def who(self) -> str:
        """Whom to count: the complainant key, or the complaint itself when unknown."""
        return self.complainant or f"id:{self.id}"


@attrs.frozen
class GroupDecision:
    """What a new complaint does to its group.

    ``issue`` is the concentrated issue's id; ``members`` the complaints linked
    to it by this decision (time order, the new one included); ``link`` the
    existing ones among them; ``complainants`` the distinct complainants in the
    window;
    ``incident`` whether it is a group incident (HDL-6) and ``became_incident``
    whether this complaint made it one; ``formed`` whether the issue is new.
    """

    issue: str
    members: tuple[str, ...]
    link: tuple[str, ...]
    complainants: int
    incident: bool
    became_incident: bool
    formed: bool


def decide_group(
    new: Member,
    candidates: Sequence[Member],
    rule: Concentration,
    *,
    unnamed: Collection[str] = (),
) -> GroupDecision | None:
    """HDL-5, HDL-6: is ``new`` part of a concentrated issue, and is it a group incident?

    ``candidates`` are open complaints with the same group key (see
    :func:`group_key`: the person complained about included).  Those received
    within ``rule.window`` of ``new`` (or ``group_window`` when only group
    incidents are looked for) are its fellows.
    The issue is concentrated once ``min_complainants`` distinct complainants,
    ``new`` among them, were received within ``window`` of each other; it is a
    group incident once ``group_complainants`` were within ``group_window`` of
    each other, and stays one.  Counted within one span, not on both sides of
    ``new``: a letter registered late between two complaints 120 h apart does
    not make them one "within 72 h".  A complaint near members of an
    existing issue joins it (the most common one, ties to the earliest);
    otherwise a new one is named after the earliest fellow: ``I-<complaint id>``.
    ``unnamed``: complaints that may not name a new issue, since its id reaches
    people who may not hear of them (IN-6: a bypass complaint still waiting for
    consent); the earliest other fellow names it, or, when all are, the earliest.
    """
    if not rule.enabled:
        return None
    reach = rule.reach
    window = rule.window.timedelta
    group_window = rule.group_window.timedelta
    t = new.received_at.astimezone(UTC)
    # one pass: candidates are many in a busy building, the decision is on the hot path
    fellows: list[Member] = []
    near_window: set[str] = {new.who}  # within the window on either side: a bound
    near_group: set[str] = {new.who}
    low, high = t - reach, t + reach
    for m in candidates:
        at = m.received_at  # any zone: compared with UTC times here, so as an instant
        if at < low or at > high or m.id == new.id:
            continue
        fellows.append(m)
        gap = at - t if at >= t else t - at
        if gap <= window:
            near_window.add(m.who)
        if gap <= group_window:
            near_group.add(m.who)
    if (
        (len(near_window) < rule.min_complainants or rule.min_complainants <= 0)
        and (len(near_group) < rule.group_complainants or rule.group_complainants <= 0)
        and not any(m.issue for m in fellows)
    ):
        return None  # too few even on both sides of it: no span can hold enough
    fellows.sort(key=_instant_then_id)
    # instants: members' times may share a zone, compared by wall time (review s48B)
    times = [(as_instant(m.received_at), m.who) for m in fellows]
    insort(times, (t, new.who))
    count = _most_within(times, t, window) if len(near_window) > 1 else 1
    group_after = _most_within(times, t, group_window) if len(near_group) > 1 else 1
    concentrated = rule.min_complainants > 0 and count >= rule.min_complainants
    threshold = rule.group_complainants
    burst = threshold > 0 and group_after >= threshold
    issues = Counter(m.issue for m in fellows if m.issue)
    if not (concentrated or burst or issues):
        return None
    if issues:
        first_seen = {m.issue: i for i, m in reversed(list(enumerate(fellows))) if m.issue}
        issue = min(issues, key=lambda i: (-issues[i], first_seen[i]))
    else:
        named = [m for m in (*fellows, new) if m.id not in unnamed] or [*fellows, new]
        earliest = min(named, key=_instant_then_id)
        issue = f"I-{earliest.id}"
    # once a group incident, always one: later members join it as such
    already = any(m.incident for m in fellows if m.issue == issue)
    incident = burst or already
    link = [m for m in fellows if not m.issue]
    linked = sorted([*link, new], key=_instant_then_id)
    return GroupDecision(
        issue=issue,
        members=tuple(m.id for m in linked),
        link=tuple(m.id for m in link),
        complainants=max(count, group_after),
        incident=incident,
        became_incident=burst and not already,
        formed=not issues,
    )


def _instant_then_id(m: Member) -> tuple[datetime, str]:
    """Members in time order (as instants, :func:`as_instant`), then by id."""
    return as_instant(m.received_at), m.id


def _most_within(times: Sequence[tuple[datetime, str]], t: datetime, width: timedelta) -> int:
    """The most distinct complainants received within ``width`` of each other, over
    the spans that hold ``t`` (HDL-5, HDL-6).  ``times`` is in time order."""
    near = [(at, who) for at, who in times if abs(at - t) <= width]
    best = 0
    seen: Counter[str] = Counter()
    end = 0
    for at, who in near:
        if at > t:
            break
        while end < len(near) and near[end][0] - at <= width:
            seen[near[end][1]] += 1
            end += 1
        best = max(best, len(seen))
        # the span moves past ``at``: its complainant leaves it
        seen[who] -= 1
        if not seen[who]:
            del seen[who]
    return best
