"""Repeat complaints at intake (IMP-3, GRD-2): a new complaint linked to the earlier
ones it raises again, and a matter raised repeatedly marked on every raising.

:class:`RepeatLinker` asks the store for the earlier complaints of the same
person, room or matter (one indexed query, or one for a bulk batch), links the
draft in memory and leaves the stored raisings to mark once it is stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

import attrs

from complaintcore.core.errors import ComplaintCoreError, ConcurrencyConflictError
from complaintcore.core.grading import promise_not_kept
from complaintcore.core.models import Complaint, Event, Fact, Graded, Linked, Status
from complaintcore.core.repeats import (
    MAX_RAISINGS,
    Earlier,
    LinkDecision,
    decide_links,
    earlier_of,
    not_a_complaint,
    recount,
)
from complaintcore.core.rulepack import RepeatLinking, RulePack
from complaintcore.core.workflow import Link, decide, evolve
from complaintcore.desk import access
from complaintcore.desk.drafts import (
    CONFLICT_RETRIES,
    ByTime,
    Draft,
    not_before_last,
    store_failed,
)
from complaintcore.desk.ports import (
    BatchIntakeStore,
    ComplaintStore,
    RaisingsQuery,
    RaisingsStore,
    RelatedQuery,
)
from complaintcore.desk.telling import Telling

__all__ = ["Later", "RepeatBatch", "RepeatLinker", "Repeated"]

log = logging.getLogger("complaintcore.desk")

_RELATED_LIMIT = 30
"""Earlier complaints read per kind of repeat link (at least ``max_links``): the most
recent ones.  An answer that may have stopped there has its matter's raisings counted
by the store (a :class:`~complaintcore.desk.ports.RaisingsStore`), so ``raisings``
is not cut at what was read (GRD-2); other stores count what was read."""


FollowUps = Callable[[Complaint, str, datetime], tuple[Event, ...]]
"""The desk's follow-ups of new events (a rung a new grade needs, routing)."""
Commit = Callable[..., Complaint]
"""The desk's commit of events on a stored complaint (events, projection, outbox)."""


@attrs.define
class RepeatBatch:
    """One intake's (or one bulk batch's) drafts not yet stored, by repeat-index key
    (IMP-3): a bulk batch's later complaints are linked to its earlier ones."""

    drafts: dict[tuple[str, ...], ByTime] = attrs.Factory(dict)
    heard: dict[str, int] = attrs.Factory(dict)
    """GRD-2: by new complaint id, the highest count of raisings recorded by a stored
    raising of its matter received after it that counts it (:meth:`RepeatLinker.find_later`):
    customer service has heard every count up to it (review s46G F02)."""
    retold: set[str] = attrs.Factory(set)
    """GRD-2: the drafts that count a raising the batch places after them (received
    before them): linked again once stored, they tell their count then, not before
    (:meth:`RepeatLinker.retold`)."""

    def keys(self, site: str, me: Earlier) -> list[tuple[str, ...]]:
        keys: list[tuple[str, ...]] = [
            ("person", site, me.complainant_key),
            ("room", site, me.room_key),
        ]
        if me.building:
            keys.append(("matter", site, me.building, me.category))
        return [k for k in keys if k[-1]]

    def find(self, site: str, me: Earlier, rule: RepeatLinking) -> list[Draft]:
        """The drafts sharing a key with ``me`` within that key's window before it
        (the person's and the room's ``window``, the matter's ``matter_window``):
        later ones are never its earlier raisings, older ones never linked."""
        found: dict[str, Draft] = {}
        for key in self.keys(site, me):
            back = rule.matter_window if key[0] == "matter" else rule.window
            held = self.drafts.get(key)
            if held is not None:
                for d in held.between(me.received_at - back.timedelta, me.received_at):
                    found.setdefault(d.complaint.id, d)
        return list(found.values())

    def add(self, site: str, me: Earlier, draft: Draft) -> None:
        for key in self.keys(site, me):
            self.drafts.setdefault(key, ByTime()).add(draft)

    def later_counting(self, site: str, me: Earlier, rule: RepeatLinking) -> list[Draft]:
        """The drafts held that were received after ``me``, within the window of a key
        they share with it, and count it as an earlier raising of their matter."""
        found: dict[str, Draft] = {}
        for key in self.keys(site, me):
            reach = rule.matter_window if key[0] == "matter" else rule.window
            held = self.drafts.get(key)
            if held is None:
                continue
            for d in held.between(me.received_at, me.received_at + reach.timedelta):
                later = d.earlier or earlier_of(d.complaint)
                if later.id == me.id or later.id in found:
                    continue
                decision = decide_links(later, [me], rule)
                if decision is not None and me.id in decision.counted:
                    found[later.id] = d
        return list(found.values())


@attrs.frozen
class Later:
    """IMP-3, GRD-2: the stored complaints received after some new ones and linked
    without them, read (in time order), to link again once the new ones are stored;
    and, by new complaint, the highest count of raisings recorded by a later one
    that counts it (:meth:`RepeatLinker.find_later`)."""

    drafts: tuple[Draft, ...] = ()
    heard: Mapping[str, int] = attrs.field(factory=dict)
    counts: Mapping[str, int] = attrs.field(factory=dict)
    """The count of raisings each later one had recorded when read (customer
    service heard it), by id."""


@attrs.frozen
class Repeated:
    """Stored complaints a new one raised again, to mark once it is stored (GRD-2)."""

    by: str
    ids: tuple[str, ...]
    raisings: int
    promise_not_kept: bool = False


def _may_be_cut(query: RelatedQuery, answer: Sequence[Earlier]) -> bool:
    """Whether the store's answer may have left earlier raisings out: some kind of it
    may have reached the query's limit (the answer holds that many).  Otherwise it
    holds every earlier complaint the query describes, and counting it is exact."""
    return query.limit is not None and len(answer) >= query.limit


def _may_raise_again(complaint: Complaint, promise_broken: bool) -> bool:
    """GRD-2: an open complaint not yet marked as raised repeatedly, or not yet told
    of the matter's broken promise."""
    facts = complaint.state.facts
    return complaint.is_open and (
        Fact.RAISED_REPEATEDLY not in facts
        or (promise_broken and Fact.PROMISE_NOT_KEPT not in facts)
    )


def _names_new_repeats(complaint: Complaint, decision: LinkDecision) -> bool:
    """IMP-3: whether a decision links a complaint to an earlier one of the same
    complainant or room that its own ``Linked`` events do not name."""
    named: set[str] = set()
    for ev in complaint.events:
        if isinstance(ev, Linked) and not ev.repeated_by:
            named.update(ev.same_complainant, ev.same_room)
    return not named.issuperset((*decision.same_complainant, *decision.same_room))


def _links_only(complaint: Complaint, decision: LinkDecision) -> LinkDecision:
    """IMP-3: a decision recording links alone: the complaint's count of raisings as
    it was (at least 1), not raised repeatedly again (nobody is told, nothing marked)."""
    raisings = min(decision.raisings, max(complaint.state.raisings, 1))
    return attrs.evolve(decision, raisings=raisings, raised_repeatedly=False)


class RepeatLinker:
    """IMP-3, GRD-2 at intake: links drafts to the complaints they repeat, and marks
    the stored raisings of a matter raised repeatedly through the desk's commit."""

    def __init__(
        self,
        *,
        store: ComplaintStore,
        pack: RulePack,
        telling: Telling,
        follow_ups: FollowUps,
        commit: Commit,
    ) -> None:
        self.store = store
        self.pack = pack
        self._telling = telling
        self._follow_ups = follow_ups
        self._commit = commit

    def repeat(self, draft: Draft, now: datetime, batch: RepeatBatch) -> Repeated | None:
        """IMP-3, GRD-2: link a new complaint to the earlier ones it repeats.

        The candidates are the store's complaints of the same site by the same
        complainant, about the same room, or about the same building and
        category (one indexed query, never a scan), and the same bulk batch's
        drafts.  The new complaint gets a ``Linked`` event; when this raising
        reaches the pack's threshold, the earlier raisings are marked too: the
        batch's drafts in memory, the stored ones returned, to be marked once it
        is in.  Each is marked once, and again only to be told of the matter's
        broken promise; a later raising marks any it finds unmarked (a store
        failure or a stop between storing a raising and marking).
        """
        complaint = draft.complaint
        fellows: dict[str, Draft] = {}
        decision = self._decide(draft, batch, fellows)
        if decision is None:
            return None
        # GRD-2: customer service hears each count once, as in time order: not from a
        # raising stored after a later one of its matter that recorded this count or
        # more (that one tells the matter's new count once this one is stored), nor
        # from a draft linked again once the batch is stored (it tells its count then)
        tell = (
            decision.raised_repeatedly
            and complaint.id not in batch.retold
            and decision.raisings > batch.heard.get(complaint.id, 0)
        )
        return self._link_draft(draft, decision, fellows, now, tell=tell)

    def reclassified(self, draft: Draft, now: datetime, batch: RepeatBatch) -> Repeated | None:
        """IMP-3, GRD-2: a stored open complaint reclassified into another category
        (``draft``: it, reclassified, not stored yet) is linked as intake links it,
        for its new matter: the earlier raisings of that matter count, and at the
        threshold it is raised repeatedly, customer service told, the earlier
        raisings marked once it is stored (review s48O F02).  ``batch``: what
        customer service heard of its count (:meth:`find_later`).  Recorded only
        when it counts more raisings than its own links did, or names complaints
        of the same complainant or room its links do not (as :meth:`relink`): a
        count is never lowered, nor a fact taken back (GRD-6)."""
        decision = self._decide(draft, batch, {})
        if decision is not None:
            decision = self._worth_recording(draft.complaint, decision)
        if decision is None:
            return None
        tell = decision.raised_repeatedly and decision.raisings > batch.heard.get(
            draft.complaint.id, 0
        )
        return self._link_draft(draft, decision, {}, now, tell=tell)

    def _link_draft(
        self,
        draft: Draft,
        decision: LinkDecision,
        fellows: Mapping[str, Draft],
        now: datetime,
        *,
        tell: bool,
    ) -> Repeated | None:
        """Record a decision on a draft (and mark the batch's fellows it counts);
        the stored raisings to mark once it is stored (GRD-2)."""
        complaint = draft.complaint
        broken = decision.raised_repeatedly and self._matter_promise_broken(
            draft, decision.counted, fellows, now
        )
        hidden = self._bypassing(draft, decision, fellows)
        command = self._link_command(decision, broken)
        self._apply_link(draft, command, now, hidden=hidden, tell=tell)
        if not decision.raised_repeatedly:
            # from the threshold on, every raising marks the earlier ones not marked
            # yet (_raised_again skips the rest): what a failure left is repaired
            return None
        again = Link(
            actor=access.SYSTEM_ACTOR,
            raisings=decision.raisings,
            raised_repeatedly=True,
            repeated_by=complaint.id,
            promise_not_kept=broken,
        )
        for cid in decision.counted:
            other = fellows.get(cid)
            if other is not None and _may_raise_again(other.complaint, broken):
                self._apply_link(other, again, now)
        stored = tuple(cid for cid in decision.counted if cid not in fellows)
        return Repeated(complaint.id, stored, decision.raisings, broken) if stored else None

    def _decide(
        self, draft: Draft, batch: RepeatBatch, fellows: dict[str, Draft]
    ) -> LinkDecision | None:
        """IMP-3, GRD-2: a complaint's links and raisings, from the store's complaints
        received up to it and the batch's drafts before it (put in ``fellows``)."""
        rule = self.pack.repeats
        query = self._related_query(draft)
        if query is None:
            return None
        site, me = query.site, draft.earlier or earlier_of(draft.complaint)
        stored_raisings, draft.stored_raisings = draft.stored_raisings, None
        if draft.related is not None:  # asked with the batch's others
            candidates, draft.related = draft.related, None
        else:
            candidates = self.store.related(**attrs.asdict(query, recurse=False))
        cut = _may_be_cut(query, candidates)
        fellows.update((d.complaint.id, d) for d in batch.find(site, me, rule))
        candidates += [d.earlier or earlier_of(d.complaint) for d in fellows.values()]
        batch.add(site, me, draft)
        decision = decide_links(me, candidates, rule)
        if decision is None:
            return None
        if cut and stored_raisings is None:
            stored_raisings = self._count_alone(draft)
        if cut and stored_raisings is not None:
            # the store's count of the stored raisings, and the batch's drafts among
            # the counted: what a complaint received alone counts (desk.md)
            in_batch = sum(1 for cid in decision.counted if cid in fellows)
            decision = recount(decision, stored_raisings + in_batch, rule)
        return decision

    def retold(self, drafts: Sequence[Draft]) -> set[str]:
        """GRD-2 for a bulk batch out of time order: the drafts that count a raising the
        batch places after them (received before them).  Each is linked again once
        the batch is stored (:meth:`relink`), with its whole count, and tells customer
        service that count then: told at intake too, a count would be told twice
        and another never (review s46G F02)."""
        probe = RepeatBatch()
        rule = self.pack.repeats
        found: set[str] = set()
        for draft in drafts:
            query = self._related_query(draft)
            if query is None or draft.earlier is None:
                continue
            later = probe.later_counting(query.site, draft.earlier, rule)
            found.update(d.complaint.id for d in later)
            probe.add(query.site, draft.earlier, draft)
        return found

    def _matter_promise_broken(
        self, draft: Draft, counted: Sequence[str], fellows: Mapping[str, Draft], now: datetime
    ) -> bool:
        """GRD-2: whether a raising of a matter raised repeatedly, this one included,
        shows a promise not carried out (a stored raising is loaded to see)."""
        if promise_not_kept(draft.complaint, self.pack, now):
            return True
        for cid in counted:  # most recent first
            fellow = fellows.get(cid)
            try:
                earlier = fellow.complaint if fellow is not None else self.store.load(cid)
            except ComplaintCoreError as exc:
                if store_failed(exc):  # not read is not "kept": the intake fails instead
                    raise
                log.warning("%s: earlier raising %s not read: %s", draft.complaint.id, cid, exc)
                continue
            if promise_not_kept(earlier, self.pack, now):
                return True
        return False

    def _bypassing(
        self, draft: Draft, decision: LinkDecision, fellows: Mapping[str, Draft]
    ) -> frozenset[str]:
        """IN-6: the earlier complaints a site message of a matter raised repeatedly
        would name that were filed straight with head office and still wait for the
        complainant's consent.  Read only when the site is told (GRD-2's threshold),
        as the promise check reads them."""
        if not decision.raised_repeatedly or draft.complaint.awaiting_site_consent:
            return frozenset()
        hidden = set()
        for cid in dict.fromkeys((*decision.same_complainant, *decision.same_room)):
            fellow = fellows.get(cid)
            try:
                earlier = fellow.complaint if fellow is not None else self.store.load(cid)
            except ComplaintCoreError as exc:
                if store_failed(exc):
                    raise
                hidden.add(cid)  # not read: not named either
                continue
            if earlier.awaiting_site_consent:
                hidden.add(cid)
        return frozenset(hidden)

    def _related_query(self, draft: Draft) -> RelatedQuery | None:
        """IMP-3: what to ask the store about a new complaint (None: linking is off,
        or the complaint names no site)."""
        if draft.question is not None:
            return draft.question
        rule = self.pack.repeats
        complaint = draft.complaint
        site = (complaint.intake.site or complaint.intake.complainant.site).strip()
        if not rule.enabled or not site:
            return None
        me = draft.earlier = draft.earlier or earlier_of(complaint)
        t = me.received_at
        window, matter_window = rule.window.timedelta, rule.matter_window.timedelta
        matter = bool(matter_window and me.building and me.category) and (
            me.category not in rule.ignore_categories
        )
        draft.question = RelatedQuery(
            site=site,
            since=t - window,
            until=t,
            complainant_key=me.complainant_key if window else "",
            room_key=me.room_key if window else "",
            building=me.building if matter else "",
            category=me.category if matter else "",
            matter_since=t - matter_window if matter else None,
            limit=max(_RELATED_LIMIT, rule.max_links),
        )
        return draft.question

    def _raisings_query(self, draft: Draft) -> RaisingsQuery | None:
        """GRD-2: what to count of a new complaint's earlier raisings in the store: the
        kinds of link the pack counts, of its category (None: nothing counts)."""
        rule = self.pack.repeats
        query = self._related_query(draft)
        me = draft.earlier
        if query is None or me is None or not_a_complaint(me):
            return None
        if me.category in rule.ignore_categories:
            return None
        window = bool(rule.window.timedelta)
        person = window and "same_complainant" in rule.counts and me.complainant_key
        room = window and "same_room" in rule.counts and me.room_key
        matter = "same_matter" in rule.counts and query.matter_since is not None
        if not (person or room or matter):
            return None
        return RaisingsQuery(
            site=query.site,
            category=me.category,
            since=query.since,
            until=query.until,
            complainant_key=me.complainant_key if person else "",
            room_key=me.room_key if room else "",
            building=me.building,
            matter_since=query.matter_since if matter else None,
            limit=MAX_RAISINGS - 1,  # recount caps raisings there
        )

    def _count_alone(self, draft: Draft) -> int | None:
        """GRD-2: the store's count of one complaint's earlier raisings (None: the store
        cannot count, or nothing counts: the candidates read are counted instead)."""
        if not isinstance(self.store, RaisingsStore):
            return None
        query = self._raisings_query(draft)
        return None if query is None else self.store.raisings_many([query])[0]

    def ask_related(self, drafts: Sequence[Draft]) -> None:
        """IMP-3 for a bulk batch: every draft's question in one go, where the store
        can (each draft then links as if it had asked alone: nothing the batch does
        before it is stored changes the store's answers)."""
        if len(drafts) < 2 or not isinstance(self.store, BatchIntakeStore):
            return
        asked = [(d, q) for d in drafts if (q := self._related_query(d)) is not None]
        if not asked:
            return
        try:
            answers = self.store.related_many([q for _d, q in asked])
        except ComplaintCoreError:
            return  # each asks alone, and a bad question fails only its own complaint
        for (draft, _q), answer in zip(asked, answers, strict=True):
            draft.related = answer
        if not isinstance(self.store, RaisingsStore):
            return
        # GRD-2: answers that may stop at their limit have their raisings counted,
        # the batch's at once (the rest are counted from what was read)
        counting = [
            (d, rq)
            for d, q in asked
            if _may_be_cut(q, d.related or []) and (rq := self._raisings_query(d)) is not None
        ]
        if not counting:
            return
        try:
            counts = self.store.raisings_many([rq for _d, rq in counting])
        except ComplaintCoreError:
            return  # each counts alone
        for (draft, _rq), n in zip(counting, counts, strict=True):
            draft.stored_raisings = n

    def _later_question(self, complaint: Complaint) -> RelatedQuery | None:
        """IMP-3: what to ask the store of the complaints received after a stored one
        that may repeat it: its keys, within the pack's windows after it (None: it
        is linked to nothing, or nothing later may count it)."""
        rule = self.pack.repeats
        site = (complaint.intake.site or complaint.intake.complainant.site).strip()
        me = earlier_of(complaint)
        if not rule.enabled or not site or not_a_complaint(me):
            return None
        t = me.received_at
        window, matter_window = rule.window.timedelta, rule.matter_window.timedelta
        matter = bool(matter_window and me.building and me.category) and (
            me.category not in rule.ignore_categories
        )
        reach = max(window, matter_window if matter else window)
        return RelatedQuery(
            site=site,
            since=t,
            until=t + reach,
            complainant_key=me.complainant_key if window else "",
            room_key=me.room_key if window else "",
            building=me.building if matter else "",
            category=me.category if matter else "",
            matter_since=t if matter else None,
            limit=max(_RELATED_LIMIT, rule.max_links),
        )

    def _later_ones(
        self, stored: Sequence[Complaint], knew: Callable[[str, str], bool]
    ) -> tuple[list[Earlier], dict[str, list[str]]]:
        """IMP-3, GRD-2: the stored complaints received after one of ``stored`` that
        would count it as an earlier raising (open ones) or repeat it (the same
        complainant or room, in any category; closed ones too), but were decided
        without it (``knew(later, earlier)`` says one was decided with it: a bulk
        batch's later drafts), in time order; and by each of ``stored``, the open
        ones among them that count it.  Same-matter links that count nothing (the
        same building and category, another person) are left as they were: a
        building's backlog received newest first is not written again complaint
        by complaint."""
        asked = [(c, q) for c in stored if (q := self._later_question(c)) is not None]
        if not asked:
            return [], {}
        questions = [q for _c, q in asked]
        if len(questions) > 1 and isinstance(self.store, BatchIntakeStore):
            answers = self.store.related_many(questions)
        else:
            answers = [self.store.related(**attrs.asdict(q, recurse=False)) for q in questions]
        rule = self.pack.repeats
        later: dict[str, Earlier] = {}
        counting: dict[str, list[str]] = {}
        for (complaint, _q), answer in zip(asked, answers, strict=True):
            me = earlier_of(complaint)
            for other in answer:
                if other.received_at <= me.received_at or knew(other.id, me.id):
                    continue
                decision = decide_links(other, [me], rule)
                if decision is None:
                    continue
                counts = decision.counted and other.status != Status.CLOSED.value
                if counts:
                    counting.setdefault(me.id, []).append(other.id)
                if counts or decision.same_complainant or decision.same_room:
                    later.setdefault(other.id, other)
        return sorted(later.values(), key=lambda e: (e.received_at, e.id)), counting

    def find_later(
        self,
        stored: Sequence[Complaint],
        knew: Callable[[str, str], bool] = lambda _later, _earlier: False,
    ) -> Later:
        """IMP-3, GRD-2: the stored complaints received after ``stored`` and linked
        without them (see :meth:`_later_ones`), read, to link again by :meth:`relink`
        once ``stored`` are committed; asked before, so that a raising stored after
        a later one of its matter knows the count that one has recorded (customer
        service heard it: review s46G F02).  The same one query whenever it is
        asked: a single intake asks it before its commit rather than after."""
        found, counting = self._later_ones(stored, knew)
        drafts = tuple(Draft(self.store.load(e.id), [], []) for e in found)
        counts = {d.complaint.id: d.complaint.state.raisings for d in drafts}
        heard = {cid: max(counts[o] for o in others) for cid, others in counting.items()}
        return Later(drafts, heard, counts)

    def relink(
        self,
        later: Later,
        now: datetime,
        *,
        deliver: bool = True,
        told: Mapping[str, int] | None = None,
    ) -> set[str]:
        """IMP-3, GRD-2: link again the stored complaints received after some just
        committed that were linked without them (``later``, from
        :meth:`find_later`), so a matter's raisings are counted whatever order they
        arrive in: another process's later intake taking the lock first, or a bulk
        file sorted newest first (review s45A F01).

        Each later one that counts or repeats one of them is decided again as if
        received now (on every stored complaint up to it); where it counts more
        raisings than its own ``Linked`` events say, it records a new ``Linked``.
        One that reaches the threshold only now is marked raised repeatedly
        and marks its earlier raisings as :meth:`raised_again` does.  One whose
        count stays, or a closed one (left as it was, GRD-2), that repeats a
        complaint its links do not name (the same complainant or room, in any
        category: review s46A F01) records the links alone: its count as before,
        nobody told, nothing marked.

        Customer service hears each count of a matter once, as in time order:
        each raising whose count grows tells its new count, unless a raising of
        its matter received after it that counts it had recorded that count or
        more before this intake (``told``: the count each stored one had then, by
        id; not the intake's own, whose counts nobody heard yet).  So the latest
        raising tells the matter's new count with every earlier raising named,
        even one told of before (review s45H F01), and a count is never told
        twice nor left untold (review s46G F02).  The ids of the complaints
        changed, so a receipt can be read again."""
        drafts = list(later.drafts)
        self.ask_related(drafts)
        decided: list[tuple[Draft, LinkDecision]] = []
        for draft in drafts:
            decision = self._decide(draft, RepeatBatch(), {})
            if decision is None:
                continue
            worth = self._worth_recording(draft.complaint, decision)
            if worth is not None:
                decided.append((draft, worth))
        # GRD-2: by each one, the highest count customer service heard before this
        # intake from a later raising that counts it
        told = told or {}
        ceiling: dict[str, int] = {}
        for draft, decision in decided:
            if draft.complaint.id not in told:
                continue  # received with this intake: its count was not heard yet
            before = told[draft.complaint.id]
            for cid in decision.counted:
                ceiling[cid] = max(ceiling.get(cid, 0), before)
        changed: set[str] = set()
        for draft, decision in decided:  # in time order
            cid = draft.complaint.id
            tell = decision.raised_repeatedly and decision.raisings > ceiling.get(cid, 0)
            repeated = self._relink(draft, decision, now, deliver=deliver, tell=tell)
            changed.add(cid)
            if repeated is not None:
                self.raised_again(repeated, now, deliver=deliver)
                changed.update(repeated.ids)
        return changed

    def _worth_recording(self, complaint: Complaint, decision: LinkDecision) -> LinkDecision | None:
        """IMP-3, GRD-2: what a stored complaint decided again records: an open one
        counting more raisings than its links did, the decision; one whose count
        stays, or a closed one, naming complaints of the same complainant or room
        its links do not, the links alone; otherwise nothing."""
        if complaint.is_open and self._adds_to(complaint, decision):
            return decision
        if _names_new_repeats(complaint, decision):
            return _links_only(complaint, decision)
        return None

    @staticmethod
    def _adds_to(complaint: Complaint, decision: LinkDecision) -> bool:
        """Whether a decision counts more raisings than the complaint's own links
        recorded (a later raising's mark carries that one's count, not its own)."""
        own = [
            ev.raisings for ev in complaint.events if isinstance(ev, Linked) and not ev.repeated_by
        ]
        return decision.raisings > max(own, default=1)

    def _relink(
        self, draft: Draft, decision: LinkDecision, now: datetime, *, deliver: bool, tell: bool
    ) -> Repeated | None:
        """Record a stored complaint's new links in its own transaction (a
        concurrent change: read again); the earlier raisings to mark when it is
        raised repeatedly.  ``tell``: customer service has not heard its new count
        (GRD-2), even if it was told of this complaint before."""
        broken = decision.raised_repeatedly and self._matter_promise_broken(
            draft, decision.counted, {}, now
        )
        hidden = self._bypassing(draft, decision, {})
        cid = draft.complaint.id
        for _attempt in range(CONFLICT_RETRIES):
            complaint = self.store.load(cid)
            # marked raised repeatedly when first so (GRD-2's fact), told only of a
            # count customer service has not heard
            first = Fact.RAISED_REPEATEDLY not in complaint.state.facts
            command = attrs.evolve(
                self._link_command(decision, broken),
                raised_repeatedly=decision.raised_repeatedly and (first or tell),
            )
            at = not_before_last(complaint, now)
            events = decide(complaint, command, self.pack, at)
            follow = self._follow_ups(evolve(complaint, events), command.actor, at)
            try:
                self._commit(
                    complaint,
                    (*events, *follow),
                    at,
                    deliver=deliver,
                    hidden=hidden,
                    tell_raised=tell,
                )
            except ConcurrencyConflictError:
                continue
            break
        if not decision.raised_repeatedly:
            return None
        return Repeated(cid, decision.counted, decision.raisings, broken)

    @staticmethod
    def _link_command(decision: LinkDecision, promise_broken: bool) -> Link:
        return Link(
            actor=access.SYSTEM_ACTOR,
            same_complainant=decision.same_complainant,
            same_room=decision.same_room,
            same_matter=decision.same_matter,
            raisings=decision.raisings,
            raised_repeatedly=decision.raised_repeatedly,
            promise_not_kept=promise_broken,
        )

    def _apply_link(
        self,
        draft: Draft,
        command: Link,
        now: datetime,
        *,
        hidden: frozenset[str] = frozenset(),
        tell: bool = True,
    ) -> None:
        """Record links on a draft (not stored yet), in memory; a new grade's rung follows.
        ``hidden``: linked complaints its messages never name (IN-6); ``tell`` false:
        customer service heard its count already (GRD-2)."""
        complaint = draft.complaint
        more = decide(complaint, command, self.pack, now)
        if any(isinstance(e, Graded) for e in more):  # a new grade may need a higher rung
            more = (*more, *self._follow_ups(evolve(complaint, more), command.actor, now))
        after = evolve(complaint, more)
        draft.outbox += self._telling.outbox_for(
            after, more, now, hidden=hidden, tell_raised=tell
        ) + self._telling.duty_outbox(after, more, now)
        draft.complaint, draft.events = after, [*draft.events, *more]

    def raised_again(
        self, repeated: Repeated | None, now: datetime, *, deliver: bool = True
    ) -> None:
        """GRD-2: stored open complaints of a matter raised repeatedly are marked so
        (and graded again), each in its own transaction; closed ones are left as they are.
        Bulk intake delivers once after its batch instead of after each.  A store
        failure is raised (a later raising marks what it left), not passed over."""
        if repeated is None:
            return
        command = Link(
            actor=access.SYSTEM_ACTOR,
            raisings=repeated.raisings,
            raised_repeatedly=True,
            repeated_by=repeated.by,
            promise_not_kept=repeated.promise_not_kept,
        )
        for cid in repeated.ids:
            for _attempt in range(CONFLICT_RETRIES):
                try:
                    complaint = self.store.load(cid)
                    if not _may_raise_again(complaint, repeated.promise_not_kept):
                        break
                    at = not_before_last(complaint, now)  # written meanwhile by a clock ahead
                    events = decide(complaint, command, self.pack, at)
                    follow = self._follow_ups(evolve(complaint, events), command.actor, at)
                    self._commit(complaint, (*events, *follow), at, deliver=deliver)
                except ConcurrencyConflictError:
                    continue
                except ComplaintCoreError as exc:
                    log.warning("%s not marked as raised again by %s: %s", cid, repeated.by, exc)
                    if store_failed(exc):  # the caller hears of it; a later raising repairs
                        raise
                break
