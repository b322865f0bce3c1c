"""Repeat complaints linked when they are received (IMP-3, GRD-2), as pure decisions.

000 asks to reduce repeated complaints; 004 篇2 §3.4A makes a promise not kept
that the customer raised repeatedly (经客户多次提出) without a fix a major
complaint.  When a complaint is received, the desk asks its store for the
earlier complaints of the same site that share its complainant key, its room key
or its building and category (indexed queries, never a scan) and hands them
here; :func:`decide_links` applies the pack's
:class:`~complaintcore.core.rulepack.RepeatLinking` rule.  Nothing here reads a
store or a clock.
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata
from collections.abc import Sequence
from datetime import datetime

import attrs

from complaintcore.core.concentration import KEY_DIGITS, building_key, complainant_key, room_place
from complaintcore.core.models import Complaint, as_instant
from complaintcore.core.rulepack import RepeatLinking

__all__ = [
    "MAX_RAISINGS",
    "Earlier",
    "LinkDecision",
    "decide_links",
    "earlier_of",
    "not_a_complaint",
    "person_and_room_keys",
    "recount",
    "room_key",
]

_INVALID = "invalid"
_NOT_COMPLAINTS = ("request", "enquiry")
"""VAL-4: kinds of record that are not complaints (an assessed enquiry or service request)."""

MAX_RAISINGS = 100
"""GRD-2: the most raisings a complaint records; a matter raised more often counts as
raised this many times.  Far above any pack's threshold, it bounds what a store
counts for one intake (a file flooding one caller's matter stays linear)."""


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


@functools.lru_cache(maxsize=8192)
def room_key(site: str, building: str, room: str) -> str:
    """Sixteen hex digits naming a room (site, building, room number), or ``""``
    without one.

    Like :func:`~complaintcore.core.concentration.complainant_key`: two rooms of
    a site practically never share one, so the earlier complaints about one room
    are found among a site's by it alone.  Its building and room are
    :func:`~complaintcore.core.concentration.room_place`'s, as a phoneless
    complainant's key has them: room ``3-2-1201`` typed with building ``3``,
    ``3栋`` or none is one room (review s50H F05), and so are ``1201室`` and
    ``2单元1201室`` below building ``3`` with ``3栋1201室`` and ``3栋2单元1201室``
    (review s50Q F04).  Not a
    secret: a site's rooms are few enough to try them all, so the key is for
    matching and never shown (PRV-1).
    The room is read as masking reads it, whatever address form it was typed in
    (:func:`~complaintcore.core.concentration.room_match`): ``3-2-1201``,
    ``３－２－１２０１``, ``3栋2单元1201室`` and ``3号楼2单元1201`` are one room
    (review s49A F01), ``A座1201`` and ``B座1201`` two; a room in none of those
    forms is read by its spelling (NFKC, case and spaces ignored).  Pure, so the
    last few thousand are kept (intake asks twice for each complaint).
    """
    place, matched = room_place(building, room)
    if not matched:
        return ""
    source = f"room:{_norm(site)}|{place}|{matched}"
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:KEY_DIGITS]


@attrs.frozen
class Earlier:
    """What linking needs of a complaint: never a name, phone or room (PRV-1)."""

    id: str
    received_at: datetime
    category: str = ""
    building: str = ""
    complainant_key: str = attrs.field(default="", repr=False)  # never shown (PRV-1)
    room_key: str = attrs.field(default="", repr=False)
    status: str = ""
    validity: str = ""
    kind: str = ""
    """VAL-4: ``complaint``, ``request`` or ``enquiry`` as assessed (empty: not known)."""


def earlier_of(complaint: Complaint) -> Earlier:
    """A complaint as linking sees it (its site is the store query's, not kept here)."""
    building, person_key, room = _link_keys(complaint)
    state = complaint.state
    return Earlier(
        id=complaint.id,
        received_at=as_instant(complaint.intake.received_at),  # compared, sorted (s48B)
        category=state.category,
        building=building,
        complainant_key=person_key,
        room_key=room,
        status=state.status.value,
        validity=state.validity.value,
        kind=state.complaint_kind.value,
    )


def person_and_room_keys(complaint: Complaint) -> tuple[str, str]:
    """The ``complainant_key`` and ``room_key`` of :func:`earlier_of`, without the
    rest of its record (what a bulk batch locks on, for every complaint)."""
    _building, person_key, room = _link_keys(complaint)
    return person_key, room


def _link_keys(complaint: Complaint) -> tuple[str, str, str]:
    """The building key, complainant key and room key linking matches on."""
    person = complaint.intake.complainant
    site = (complaint.intake.site or person.site).strip()
    building = building_key(person.building)  # as the store's rows keep it
    return building, complainant_key(person), room_key(site, building, person.room)


def not_a_complaint(record: Earlier) -> bool:
    """VAL-4: whether a record is known not to be a complaint: assessed invalid, or
    assessed as an enquiry or a service request.  A record not yet assessed is
    taken for the complaint it was received as (see :func:`decide_links`)."""
    return record.validity == _INVALID or record.kind in _NOT_COMPLAINTS


@attrs.frozen
class LinkDecision:
    """The links of a new complaint, each kind most recent first (capped at ``max_links``).

    ``counted`` are the earlier complaints in which the same customer raised the
    same matter (the kinds of link the rule counts, same category), most recent
    first; ``raisings`` is one more than their number (at most
    :data:`MAX_RAISINGS`; see :func:`recount` for a store's count), and ``raised_repeatedly``
    whether it reached the rule's threshold (GRD-2).
    """

    same_complainant: tuple[str, ...]
    same_room: tuple[str, ...]
    same_matter: tuple[str, ...]
    counted: tuple[str, ...]
    raisings: int
    raised_repeatedly: bool


def decide_links(
    new: Earlier, candidates: Sequence[Earlier], rule: RepeatLinking
) -> LinkDecision | None:
    """IMP-3, GRD-2: which earlier complaints ``new`` repeats, and whether it is raised
    repeatedly.

    ``candidates`` are complaints of the same site (the store's answer and the
    same bulk batch's earlier drafts).  Those received after ``new`` and ``new``
    itself are left out, and so is every record known not to be a complaint
    (VAL-4, :func:`not_a_complaint`): assessed invalid (found untrue), or assessed
    as an enquiry or a service request -- only a complaint is an earlier raising
    of a matter, and a record known at intake not to be one (``new`` itself) is
    linked to nothing.  A record not yet assessed counts as the complaint it was
    received as: GRD-2 acts at intake, when most earlier raisings are not assessed
    yet.  **Same complainant**: the same complainant key within ``rule.window``;
    **same room**: the same room key (its building in it) within ``rule.window``; **same
    matter**: the same building and category within ``rule.matter_window`` (never
    an ignored category).  A link of a kind in ``rule.counts`` to a complaint of
    the same category (not ignored) counts as an earlier raising of the matter.
    None when nothing is linked.
    """
    if not rule.enabled or not_a_complaint(new):
        return None
    t = new.received_at
    window, matter_window = rule.window.timedelta, rule.matter_window.timedelta
    matter_ok = bool(new.building and new.category) and new.category not in rule.ignore_categories
    seen: dict[str, Earlier] = {}
    for c in candidates:
        if c.id != new.id and c.received_at <= t and not not_a_complaint(c):
            seen.setdefault(c.id, c)
    ordered = sorted(seen.values(), key=lambda c: (c.received_at, c.id), reverse=True)
    person: list[str] = []
    room: list[str] = []
    matter: list[str] = []
    counted: list[str] = []
    for c in ordered:
        age = t - c.received_at
        kinds = set()
        if window and age <= window:
            if new.complainant_key and c.complainant_key == new.complainant_key:
                kinds.add("same_complainant")
            if new.room_key and c.room_key == new.room_key:
                kinds.add("same_room")
        near = matter_ok and matter_window and age <= matter_window
        if near and c.building == new.building and c.category == new.category:
            kinds.add("same_matter")
        if not kinds:
            continue
        person += [c.id] if "same_complainant" in kinds else []
        room += [c.id] if "same_room" in kinds else []
        matter += [c.id] if "same_matter" in kinds else []
        same_category = c.category == new.category and new.category not in rule.ignore_categories
        if same_category and kinds.intersection(rule.counts):
            counted.append(c.id)
    if not (person or room or matter):
        return None
    cap = rule.max_links
    raisings = min(1 + len(counted), MAX_RAISINGS)
    return LinkDecision(
        same_complainant=tuple(person[:cap]),
        same_room=tuple(room[:cap]),
        same_matter=tuple(matter[:cap]),
        counted=tuple(counted),
        raisings=raisings,
        raised_repeatedly=rule.threshold > 0 and raisings >= rule.threshold,
    )


def recount(decision: LinkDecision, earlier: int, rule: RepeatLinking) -> LinkDecision:
    """GRD-2: ``decision`` with its raisings counted from ``earlier``, the number of
    every earlier raising (a store's count and a bulk batch's), not from
    ``counted``, which holds only the candidates read; at most :data:`MAX_RAISINGS`,
    so a count cut at that many gives the same."""
    raisings = min(1 + max(earlier, 0), MAX_RAISINGS)
    return attrs.evolve(
        decision,
        raisings=raisings,
        raised_repeatedly=rule.threshold > 0 and raisings >= rule.threshold,
    )
