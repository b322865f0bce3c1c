"""Concentrated issues at intake (HDL-5, HDL-6): a new complaint grouped with the
open complaints of its site, building and category about the same person (or
about nobody), and a group incident flagged.

:class:`Grouper` reads the store's open complaints of a group (one indexed
query, or one per group for a bulk batch; the store does not know whom a
complaint is about, so the desk keeps those about the same person), links the
drafts in memory, links the stored members once the new complaint is in, and
groups again complaints whose group another process added to meanwhile.
"""

from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime

import attrs

from complaintcore.core.concentration import (
    GroupDecision,
    Member,
    complainant_key,
    decide_group,
    group_key,
    target_key,
)
from complaintcore.core.errors import (
    ComplaintCoreError,
    ConcurrencyConflictError,
    ConnectionLostError,
    MembersLeftUnlinkedError,
    StoreError,
    shown_id,
    shown_issue,
)
from complaintcore.core.models import (
    Closed,
    Complaint,
    Event,
    Grouped,
    Reopened,
    Status,
    Ungrouped,
    as_instant,
)
from complaintcore.core.rulepack import Concentration, GroupScope, RulePack
from complaintcore.core.workflow import Group, decide, evolve
from complaintcore.desk import access
from complaintcore.desk.drafts import (
    CONFLICT_RETRIES,
    ByTime,
    Draft,
    Hold,
    not_before_last,
    store_failed,
)
from complaintcore.desk.ports import BatchIntakeStore, ComplaintRow, ComplaintStore, SimilarQuery
from complaintcore.desk.projection import Projection
from complaintcore.desk.repeat_links import Commit, FollowUps
from complaintcore.desk.telling import Outbox, Telling

__all__ = ["GroupKey", "Grouper", "Grouping", "LinkClaims", "Links", "note_claims"]

log = logging.getLogger("complaintcore.desk")

_GROUP_CANDIDATES = 500
"""Open complaints read per grouping query: far more than any threshold needs."""


GroupKey = tuple[str, str, str, str]
"""``(site, building, category, target)``: see
:func:`~complaintcore.core.concentration.group_key`."""


AfterCommit = Callable[..., None]
Append = Callable[[Complaint, Sequence[Event], ComplaintRow, Outbox], Hold | None]
"""The desk's append of events on a stored complaint (as loaded) with their messages,
held while its listeners hear them (hooks.md): the hold to let go after them."""
"""The desk's work after a commit (listeners, waking delivery)."""


@attrs.define
class Grouping:
    """One intake's (or one bulk batch's) view of the groups: the drafts not yet
    stored, and the store's answers, kept per group so a time-ordered batch asks
    the store about each group about once."""

    drafts: dict[GroupKey, ByTime] = attrs.Factory(dict)
    stored: dict[GroupKey, tuple[datetime, datetime, list[Member], list[datetime]]] = attrs.Factory(
        dict
    )
    joined: dict[str, str] = attrs.Factory(dict)
    """Stored complaints the batch's drafts linked to an issue (linked once it is in)."""
    incidents: set[str] = attrs.Factory(set)
    """Issues the batch made group incidents (HDL-6)."""
    seen: dict[GroupKey, set[str]] = attrs.Factory(dict)
    """Every complaint of a group the decisions saw (stored or drafted): one the store
    shows after the commit and not here was stored meanwhile by someone else."""
    targets: dict[str, str] = attrs.Factory(dict)
    """Whom each complaint met is about (:func:`target_key`), read once per batch."""

    def as_linked(self, member: Member) -> Member:
        """A stored member as the batch leaves it: the store is told after the batch,
        and a later draft must join the issue it joined, not make a second one."""
        issue = self.joined.get(member.id, member.issue)
        incident = member.incident or (bool(issue) and issue in self.incidents)
        if (issue, incident) == (member.issue, member.incident):
            return member
        return attrs.evolve(member, issue=issue, incident=incident)


@attrs.frozen
class Links:
    """Stored complaints to link to an issue once the complaint that decided it is in."""

    decision: GroupDecision
    ids: tuple[str, ...]
    incident_all: bool


class Grouper:
    """HDL-5, HDL-6 at intake: groups drafts and stored complaints into concentrated
    issues, committing on stored members through the desk."""

    def __init__(
        self,
        *,
        store: ComplaintStore,
        pack: RulePack,
        telling: Telling,
        projection: Projection,
        follow_ups: FollowUps,
        commit: Commit,
        append: Append,
        after_commit: AfterCommit,
    ) -> None:
        self.store = store
        self.pack = pack
        self._telling = telling
        self._projection = projection
        self._follow_ups = follow_ups
        self._commit = commit
        self._append = append
        self._after_commit = after_commit

    def group(self, draft: Draft, now: datetime, grouping: Grouping) -> Links | None:
        """HDL-5, HDL-6: link a new complaint to the concentrated issue it belongs to.

        The candidates are the store's open complaints of the same group (one
        indexed query, never a scan) and the drafts of the same bulk batch.  The
        new complaint and the batch's drafts are linked in memory; stored
        members are returned, to be linked once the new one is stored.
        """
        rule = self.pack.concentration
        complaint = draft.complaint
        key = group_key(complaint, rule)
        if key is None:
            return None
        t = as_instant(complaint.intake.received_at)  # a batch's: instants (s48B)
        draft.who = complainant_key(complaint.intake.complainant)
        grouping.targets[complaint.id] = key[3]
        grouping.seen.setdefault(key, set()).add(complaint.id)
        held = grouping.drafts.setdefault(key, ByTime())
        near = {d.complaint.id: d for d in held.between(t - rule.reach, t + rule.reach)}
        # never this batch's drafts; those it linked already carry the issue (s25J F04)
        candidates = [grouping.as_linked(m) for m in self._stored_members(key, t, grouping)]
        candidates += [
            Member(
                d.complaint.id,
                as_instant(d.complaint.intake.received_at),
                d.who,
                d.complaint.state.issue,
                d.complaint.state.group_incident,
            )
            for d in near.values()
        ]
        drafts = held.drafts  # before this one is added: the others of the batch
        held.add(draft)
        me = Member(complaint.id, t, draft.who)
        decision = decide_group(me, candidates, rule)
        if decision is None:
            return None
        left: set[str] = set()

        def past_leavers(decision: GroupDecision, hidden: frozenset[str]) -> GroupDecision:
            # HDL-5: its namesake left that issue (reclassified): a second issue of
            # the same name would list both as one
            while decision.formed and self._left_by_namesake(decision, complaint, near):
                left.add(decision.issue.removeprefix("I-"))
                renamed = decide_group(me, candidates, rule, unnamed=hidden | left)
                if renamed is None or renamed.issue == decision.issue:
                    break
                decision = renamed
            return decision

        decision = past_leavers(decision, frozenset())
        about, hidden, reported = None, frozenset[str](), tuple[str, ...]()
        # HDL-5, HDL-6: the messages count the complainants of the complaints they name
        who = {m.id: m.who for m in candidates} | {me.id: me.who}
        if decision.formed or decision.became_incident:  # the site hears of the issue
            hidden = self._bypassing(decision, complaint, near)
            if decision.formed and decision.issue.removeprefix("I-") in hidden:
                # IN-6: the issue's id reaches the site; never a waiting bypass one's,
                # nor, renamed, one that left an issue of that name (review s42F F02)
                renamed = decide_group(me, candidates, rule, unnamed=hidden | left)
                decision = past_leavers(renamed if renamed is not None else decision, hidden)
            if complaint.awaiting_site_consent:
                fellows = sorted(
                    (m for m in candidates if m.issue == decision.issue or m.id in decision.link),
                    key=lambda m: (m.received_at, m.id),
                )
                about = self._told_through([m.id for m in fellows], near)
        if decision.became_incident and not decision.formed:  # HDL-6: the whole issue
            reported, hidden, who = self._incident_members(decision, grouping)
        spared = frozenset[str]()
        if decision.formed or decision.became_incident:  # ESC-4: never told of the issue
            spared = self._targets_told_nothing(decision, grouping)
        self._apply_group(
            draft,
            decision,
            now,
            tell=True,
            about=about,
            hidden=hidden,
            spared=spared,
            reported=reported,
            who=who,
        )
        for other in near.values():
            if other.complaint.id in decision.link:
                self._apply_group(other, decision, now, tell=False)
        if decision.became_incident:  # HDL-6: every draft of the issue, however far
            for other in drafts:
                if (
                    other is not draft
                    and other.complaint.id not in decision.link
                    and other.complaint.state.issue == decision.issue
                ):
                    self._apply_group(other, decision, now, tell=False)
        stored = tuple(i for i in decision.link if i not in near)
        grouping.joined.update((i, decision.issue) for i in stored)
        if decision.incident:
            grouping.incidents.add(decision.issue)
        if stored or decision.became_incident:
            return Links(decision, stored, decision.became_incident)
        return None

    def _stored_members(self, key: GroupKey, t: datetime, grouping: Grouping) -> list[Member]:
        """The store's open complaints of a group within reach of ``t``, oldest first
        (one query per group and batch, then cut from the batch's cached answer)."""
        rule = self.pack.concentration
        reach = rule.reach
        known = grouping.stored.get(key)
        if known is None or t - reach < known[0] or t + reach > known[1]:
            site, building, category, target = key
            since, until = t - reach, t + 2 * reach  # room for the batch's later arrivals
            found = self.store.open_similar(
                site=site,
                category=category,
                since=since,
                until=until,
                building=building if rule.scope is GroupScope.BUILDING else None,
                limit=_GROUP_CANDIDATES,
            )
            if len(found) == _GROUP_CANDIDATES:  # cut short: only what was read is known
                until = found[-1].received_at
            found = self._about(found, target, grouping)
            known = (since, until, found, [m.received_at for m in found])
            grouping.stored[key] = known
            grouping.seen.setdefault(key, set()).update(m.id for m in found)
        _since, _until, members, times = known
        return members[bisect_left(times, t - reach) : bisect_right(times, t + reach)]

    def _target_of(self, complaint_id: str, grouping: Grouping) -> str:
        """Whom a complaint is about (:func:`target_key`), read from the store once per
        batch: its projection row does not say."""
        target = grouping.targets.get(complaint_id)
        if target is None:
            target = grouping.targets[complaint_id] = target_key(self.store.load(complaint_id))
        return target

    def _about(self, found: Sequence[Member], target: str, grouping: Grouping) -> list[Member]:
        """HDL-5, ESC-4: those of the store's answer (site, building and category) that
        are about ``target`` (``""``: about nobody), as :func:`group_key` groups them."""
        return [m for m in found if self._target_of(m.id, grouping) == target]

    def _targets_told_nothing(self, decision: GroupDecision, grouping: Grouping) -> frozenset[str]:
        """ESC-4: the people the issue's members are about, who never hear of the issue.
        One group is about one person, but an issue formed before a release that kept
        them apart may hold complaints about several: a group incident on it looks at
        all its open members."""
        ids = set(decision.members)
        if decision.became_incident and not decision.formed:
            ids.update(r.id for r in self.store.issue_rows(decision.issue))
        return frozenset(t for cid in ids if (t := self._target_of(cid, grouping)))

    def ask_groups(self, drafts: Sequence[Draft], grouping: Grouping) -> None:
        """HDL-5 for a bulk batch: the store's open complaints of every group the
        batch meets, within reach of all its drafts of that group, in one go where
        the store can; :meth:`_stored_members` then cuts each draft's from them
        (and asks again only when a group had more than it read)."""
        if len(drafts) < 2 or not isinstance(self.store, BatchIntakeStore):
            return
        rule = self.pack.concentration
        spans: dict[GroupKey, tuple[datetime, datetime]] = {}
        for draft in drafts:
            key = group_key(draft.complaint, rule)
            if key is None:
                continue
            t = as_instant(draft.complaint.intake.received_at)
            first, last = spans.get(key, (t, t))
            spans[key] = (min(first, t), max(last, t))
        if not spans:
            return
        reach, by_building = rule.reach, rule.scope is GroupScope.BUILDING
        questions = [
            SimilarQuery(
                site=site,
                category=category,
                since=first - reach,
                until=last + 2 * reach,  # as _stored_members asks: room for later arrivals
                building=building if by_building else None,
                limit=_GROUP_CANDIDATES,
            )
            for (site, building, category, _target), (first, last) in spans.items()
        ]
        try:
            answers = self.store.open_similar_many(questions)
        except ComplaintCoreError:
            return  # each group is asked alone, when its first draft needs it
        for key, q, found in zip(spans, questions, answers, strict=True):
            until = q.until
            if len(found) == _GROUP_CANDIDATES:  # cut short: only what was read is known
                until = found[-1].received_at
            found = self._about(found, key[3], grouping)
            grouping.stored[key] = (q.since, until, found, [m.received_at for m in found])
            grouping.seen.setdefault(key, set()).update(m.id for m in found)

    def group_raced(
        self,
        stored: Sequence[Complaint],
        seen: Mapping[GroupKey, set[str]],
        now: datetime,
        *,
        deliver: bool = True,
        targets: Mapping[str, str] | None = None,
    ) -> dict[str, Complaint]:
        """HDL-5, HDL-6: group again complaints just stored whose group gained members
        they were not decided with; those grouped now, by id.

        ``targets``: whom each complaint intake read is about (its
        :attr:`Grouping.targets`), so none is read again: only a complaint stored
        meanwhile is, and none at all when nothing was (review s47G F02).

        Intake decides from the store as read before its commit.  Two processes
        storing complaints of one group at the same moment (both waiting for the
        write lock, or a bulk batch drafting) each miss the other's, and the
        issue or group incident their complainants make was formed by neither.
        So the group is read again once they are stored (one question per group):
        where it holds a complaint ``seen`` does not, and the thresholds are now
        met while the complaint is in no issue (or its issue is now a group
        incident and it is not flagged), it is grouped as intake would now, in
        a commit of its own that tells whom intake tells.  Two processes doing so
        at the same moment may both tell; the issue is named the same by both.
        A failure here leaves the receipt standing (a WARNING; the group's next
        complaint groups them).
        """
        rule = self.pack.concentration
        todo: dict[GroupKey, list[Complaint]] = {}
        for complaint in stored:
            key = group_key(complaint, rule)
            if key is not None:
                todo.setdefault(key, []).append(complaint)
        if not todo:
            return {}
        reach = rule.reach
        questions = [
            SimilarQuery(
                site=site,
                category=category,
                since=min(as_instant(c.intake.received_at) for c in todo[key]) - reach,
                until=max(as_instant(c.intake.received_at) for c in todo[key]) + reach,
                building=building if rule.scope is GroupScope.BUILDING else None,
                limit=_GROUP_CANDIDATES,
            )
            for key in todo
            for site, building, category, _target in [key]
        ]
        try:
            if len(questions) > 1 and isinstance(self.store, BatchIntakeStore):
                answers = self.store.open_similar_many(questions)
            else:
                answers = [self.store.open_similar(**attrs.asdict(q)) for q in questions]
        except ComplaintCoreError as exc:
            log.warning("groups not read again after intake: %s", exc)
            return {}
        regrouped: dict[str, Complaint] = {}
        read = Grouping(targets={**(targets or {})})
        read.targets.update((c.id, key[3]) for key, cs in todo.items() for c in cs)
        for key, answer in zip(todo, answers, strict=True):
            known = seen.get(key, set())
            # nothing stored meanwhile within reach: decided on all there is, and
            # nobody's target is read (intake read those it met once)
            unseen = [m.received_at for m in answer if m.id not in known]
            times = [as_instant(c.intake.received_at) for c in todo[key]]
            if not any(abs(at - t) <= reach for at in unseen for t in times):
                continue
            try:
                found = self._about(answer, key[3], read)
            except ComplaintCoreError as exc:
                log.warning("groups not read again after intake: %s", exc)
                continue
            new = [m.received_at for m in found if m.id not in known]
            if not new:  # nothing stored meanwhile: decided on all there is
                continue
            by_id = {m.id: m for m in found}
            for complaint in todo[key]:
                t = as_instant(complaint.intake.received_at)
                if not any(abs(at - t) <= reach for at in new):
                    continue
                me = by_id.get(complaint.id)
                issue = me.issue if me is not None else complaint.state.issue
                incident = me.incident if me is not None else complaint.state.group_incident
                who = complainant_key(complaint.intake.complainant)
                decision = decide_group(Member(complaint.id, t, who), found, rule)
                if decision is None:
                    continue
                if issue and (incident or not decision.incident or decision.issue != issue):
                    continue
                try:
                    after = self._regroup(complaint.id, now, deliver=deliver)
                except ComplaintCoreError as exc:
                    log.warning("%s: left out of its group after a failure: %s", complaint.id, exc)
                    continue
                if after is not None:
                    regrouped[complaint.id] = after
            ours = {c.id for c in todo[key]}
            self._flag_group_incident(found, ours, now, deliver=deliver, regrouped=regrouped)
        return regrouped

    def _flag_group_incident(
        self,
        found: Sequence[Member],
        ours: Collection[str],
        now: datetime,
        *,
        deliver: bool,
        regrouped: dict[str, Complaint],
    ) -> None:
        """HDL-6 counted per group, not per issue: a member (of any issue) whose group
        holds ``group_complainants`` distinct complainants within ``group_window``
        of it is flagged a group incident on its own issue, and its project
        manager told, as intake would.  Two issues formed by desks that each saw
        half the group (an unlocked store) are each under the threshold alone."""
        rule = self.pack.concentration
        for m in found:
            if not m.issue or m.incident:
                continue
            decision = decide_group(m, found, rule)
            if decision is None or not decision.incident:
                continue
            own = GroupDecision(  # on its own issue: members never move (HDL-5)
                issue=m.issue,
                members=(m.id,),
                link=(m.id,),
                complainants=decision.complainants,
                incident=True,
                became_incident=False,
                formed=False,
            )
            try:
                self.link(Links(own, (m.id,), False), now, deliver=deliver)
            except ComplaintCoreError as exc:
                log.warning("%s: group incident left unflagged after a failure: %s", m.id, exc)
                continue
            if m.id in ours:  # the receipt shows it flagged
                regrouped[m.id] = self.store.load(m.id)

    def _regroup(self, complaint_id: str, now: datetime, *, deliver: bool) -> Complaint | None:
        """Group a stored complaint as intake would now (HDL-5, HDL-6), and link its
        fellows; the complaint as grouped, or None when it did not change."""
        for _attempt in range(CONFLICT_RETRIES):
            complaint = self.store.load(complaint_id)
            if not complaint.is_open:
                return None
            at = not_before_last(complaint, now)  # linked meanwhile by a clock ahead
            draft = Draft(complaint, [], [])
            links = self.group(draft, at, Grouping())
            if draft.events:
                row = self._projection.row(draft.complaint, at)
                try:
                    hold = self._append(complaint, draft.events, row, draft.outbox)
                except ConcurrencyConflictError:  # linked by another meanwhile: look again
                    continue
                self._after_commit(
                    draft.complaint,
                    draft.events,
                    at,
                    deliver=deliver and bool(draft.outbox),
                    hold=hold,
                )
            self.link(links, at, deliver=deliver)
            return draft.complaint if draft.events else None
        return None

    def _group_command(self, complaint: Complaint, decision: GroupDecision) -> Group:
        members = decision.members
        if complaint.id not in members:
            members = (*members, complaint.id)
        return Group(
            actor=access.SYSTEM_ACTOR,
            issue=decision.issue,
            members=members,
            complainants=decision.complainants,
            incident=decision.incident,
        )

    def _left_by_namesake(
        self, decision: GroupDecision, complaint: Complaint, near: dict[str, Draft]
    ) -> bool:
        """HDL-5: the complaint a new issue would be named after once left an issue of
        that name (:class:`~complaintcore.core.models.Ungrouped`), whose other
        complaints still carry it."""
        cid = decision.issue.removeprefix("I-")
        if cid == complaint.id:
            namesake = complaint
        else:
            namesake = near[cid].complaint if cid in near else self.store.load(cid)
        return any(isinstance(e, Ungrouped) and e.issue == decision.issue for e in namesake.events)

    def _bypassing(
        self, decision: GroupDecision, complaint: Complaint, near: dict[str, Draft]
    ) -> frozenset[str]:
        """IN-6: the members of ``decision`` filed straight with head office that still
        wait for the complainant's consent: the site's messages never name them."""
        hidden = set()
        for cid in decision.members:
            if cid == complaint.id:
                member = complaint
            else:
                member = near[cid].complaint if cid in near else self.store.load(cid)
            if member.awaiting_site_consent:
                hidden.add(cid)
        return frozenset(hidden)

    def _incident_members(
        self, decision: GroupDecision, grouping: Grouping
    ) -> tuple[tuple[str, ...], frozenset[str], dict[str, str]]:
        """HDL-6: the open complaints of an existing issue that has just become a group
        incident, in time order, for the report to the project manager (the decision
        links only the newcomers); those of them still waiting for consent (IN-6),
        never named to the site; and each one's complainant key, so the report
        counts the complainants of the complaints it names (review s43F F02)."""
        issue = decision.issue
        found = {
            d.complaint.id: d.complaint
            for held in grouping.drafts.values()
            for d in held.drafts
            if d.complaint.state.issue == issue or d.complaint.id in decision.members
        }
        stored = [r.id for r in self.store.issue_rows(issue) if r.status != Status.CLOSED.value]
        stored += [cid for cid, joined in grouping.joined.items() if joined == issue]
        stored += decision.link  # unlinked stored fellows, linked once this one is in
        for cid in stored:
            if cid not in found:
                found[cid] = member = self.store.load(cid)
                grouping.targets.setdefault(cid, target_key(member))  # read once (ESC-4)
        ordered = sorted(found.values(), key=lambda c: (as_instant(c.intake.received_at), c.id))
        waiting = frozenset(c.id for c in ordered if c.awaiting_site_consent)
        who = {c.id: complainant_key(c.intake.complainant) for c in ordered}
        return tuple(c.id for c in ordered), waiting, who

    def _told_through(self, fellows: Sequence[str], near: dict[str, Draft]) -> Complaint | None:
        """IN-6, HDL-5, HDL-6: when a bypass complaint forms an issue or makes it a
        group incident, the site still hears of the issue, through the earliest of
        its ``fellows`` the site may hear of (None: none; head office is told)."""
        for cid in fellows:
            other = near[cid].complaint if cid in near else self.store.load(cid)
            if not other.awaiting_site_consent:
                return other
        return None

    def _apply_group(
        self,
        draft: Draft,
        decision: GroupDecision,
        now: datetime,
        *,
        tell: bool,
        about: Complaint | None = None,
        hidden: frozenset[str] = frozenset(),
        spared: frozenset[str] = frozenset(),
        reported: tuple[str, ...] = (),
        who: Mapping[str, str] | None = None,
    ) -> None:
        """Link a draft (not stored yet) to the issue, in memory; ``spared``: the people
        the members are about, never told of the issue (ESC-4); ``reported``: the
        issue's complaints a group incident is reported with (HDL-6); ``who``: the
        complainant key of each complaint the messages may name.  A draft the
        incident sends up to a rung nobody at the site holds is told as unassignable
        like the stored members :meth:`link` commits (review s43F F01)."""
        complaint = draft.complaint
        try:
            more = decide(complaint, self._group_command(complaint, decision), self.pack, now)
        except ComplaintCoreError as exc:  # in another issue, say: it stays out of this one
            log.info("%s not linked to issue %s: %s", complaint.id, decision.issue, exc)
            return
        if not more:
            return
        more = (*more, *self._follow_ups(evolve(complaint, more), access.SYSTEM_ACTOR, now))
        after = evolve(complaint, more)
        draft.outbox += self._telling.outbox_for(after, more, now) + self._telling.duty_outbox(
            after, more, now
        )
        if complaint.state.handler:  # one intake gave to nobody was told of it then (IN-2)
            # ESC-2, HDL-6: sent up to a rung nobody at the site holds, as link's _commit
            draft.outbox += self._telling.left_unheld_outbox(complaint, after, now)
        if tell:
            draft.outbox += self._telling.issue_outbox(
                after,
                decision,
                now,
                about=about,
                hidden=hidden,
                spared=spared,
                incident=reported,
                who=who or {},
            )
        draft.complaint, draft.events = after, [*draft.events, *more]

    def link(self, links: Links | None, now: datetime, *, deliver: bool = True) -> None:
        """Link stored members to an issue, each in its own transaction.

        A member that cannot be linked (closed meanwhile, in another issue) is
        left out; one that is not linked because the process stopped is picked
        up by the next complaint of the same group, which finds it unlinked, and
        named by ``Desk.verify(now)``, ``Desk.relink`` linking it (review s57R3
        F01).  A
        member whose connection was lost is tried once more (the store takes a
        new one); a store failure that lasts leaves that member out, the others
        are still linked, one WARNING names every member left out, and the first
        failure is raised, not passed over (review s45C F02).
        """
        if links is None:
            return
        decision = links.decision
        ids = list(links.ids)
        unread: StoreError | None = None
        if links.incident_all:
            try:
                ids += [
                    r.id
                    for r in self.store.issue_rows(decision.issue)
                    if r.status != Status.CLOSED.value and not r.group_incident and r.id not in ids
                ]
            except StoreError as read_failure:  # the members named are linked all the same
                unread = read_failure
        failed = {
            cid: exc
            for cid in ids
            if isinstance(exc := self._link_once_more(cid, decision, now, deliver), StoreError)
        }
        if failed or unread:  # the caller hears of it; the same submission again repairs
            raise self._left_out(decision.issue, failed, unread)

    def link_left_out(
        self, complaints: Sequence[Complaint], now: datetime, *, deliver: bool = True
    ) -> tuple[set[str], dict[str, MembersLeftUnlinkedError]]:
        """HDL-5, HDL-6: link the members that the issue decisions of ``complaints``
        (stored before: retried submissions) named and that are still not linked,
        as :meth:`link` would have linked them (review s46L L01).

        Each complaint's ``Grouped`` events name the members of the decision that
        linked it, so a member a store failure left out (:meth:`link`) is one
        named there that the issue does not hold; in a group incident, also an
        open member not flagged that was open when the issue became one.  A
        member that left the group meanwhile (reclassified into another, or
        ``Ungrouped`` from the issue) is not linked again, nor is one closed or
        in another issue (as :meth:`link`).  Linking is idempotent: nothing is
        written, or queued, twice.  One indexed query per issue
        (``issue_rows``), only for complaints whose decisions named others or
        that are in a group incident.

        Returns the members linked, and, by the first of ``complaints`` of each
        issue, the members still left out after a store failure (one WARNING
        names them); the issue's rows not read leave its members unread
        (``MembersLeftUnlinkedError.unread``).
        """
        owed, deciders = self._named_by_issue(complaints)
        linked: set[str] = set()
        failures: dict[str, MembersLeftUnlinkedError] = {}
        for issue, named in owed.items():
            decider = deciders[issue]
            try:
                failed = self._relink(decider, named, now, deliver=deliver, linked=linked)
            except StoreError as read_failure:  # none known linked: said unread
                failures[decider.id] = self._left_out(issue, {}, read_failure)
                continue
            if failed:
                failures[decider.id] = self._left_out(issue, failed)
        return linked, failures

    def owed(self, complaints: Sequence[Complaint], now: datetime) -> dict[str, tuple[str, ...]]:
        """HDL-5, HDL-6: the members :meth:`link_left_out` would link for
        ``complaints``, by issue, read only (review s57R3 F01): those a ``Grouped``
        event of theirs named and that the issue does not hold, and the open
        members of a group incident not flagged, that :meth:`link` would still
        link now (not closed, in another issue or out of the group meanwhile).
        A process stopped between a batch's commit and its linking leaves them.
        One indexed query per issue (``issue_rows``) and one read per candidate.
        """
        named_by, deciders = self._named_by_issue(complaints)
        found: dict[str, tuple[str, ...]] = {}
        for issue, named in named_by.items():
            due = tuple(
                cid for cid, _decisions in self._owed_links(deciders[issue], named, now, dry=True)
            )
            if due:
                found[issue] = due
        return found

    def owed_by_claims(
        self, claims: Mapping[str, LinkClaims], now: datetime
    ) -> dict[str, tuple[str, ...]]:
        """:meth:`owed` for the issues of ``claims`` (:func:`note_claims`): one indexed
        query per issue; an issue whose rows hold every member named and, in a
        group incident, flag every open one owes nothing and is read no further;
        only the complaints of the others are read again."""
        found: dict[str, tuple[str, ...]] = {}
        for issue, claim in claims.items():
            rows = self.store.issue_rows(issue)
            held = {r.id for r in rows}
            unflagged = claim.incident and any(
                r.status != Status.CLOSED.value and not r.group_incident for r in rows
            )
            if claim.named <= held and not unflagged:
                continue
            complaints = [self.store.load(cid) for cid in claim.ids]
            found |= self.owed(complaints, now)
        return found

    def _named_by_issue(
        self, complaints: Sequence[Complaint]
    ) -> tuple[dict[str, dict[str, tuple[Complaint, Grouped]]], dict[str, Complaint]]:
        """The members ``complaints``' decisions named, by issue (each with the complaint
        and ``Grouped`` event naming it), and each issue's deciding complaint: the
        first of them, or, in a group incident, the one that made the issue one
        (HDL-6: its open members are all owed the flag with that decision, review
        s57R3 F01, s58R2 F01)."""
        rule = self.pack.concentration
        owed: dict[str, dict[str, tuple[Complaint, Grouped]]] = {}  # issue -> member -> why
        deciders: dict[str, Complaint] = {}  # issue -> its first complaint
        for complaint in complaints:
            issue = complaint.state.issue
            if not issue or group_key(complaint, rule) is None:
                continue
            named = {m: (complaint, e) for m, e in _named_members(complaint).items()}
            if named or complaint.state.group_incident:
                first = deciders.setdefault(issue, complaint)
                if complaint.state.group_incident and (
                    not first.state.group_incident or _made_first(complaint, first)
                ):
                    deciders[issue] = complaint
                owed[issue] = named | owed.get(issue, {})  # the first complaint's first
        return owed, deciders

    def _relink(
        self,
        decider: Complaint,
        named: Mapping[str, tuple[Complaint, Grouped]],
        now: datetime,
        *,
        deliver: bool,
        linked: set[str],
    ) -> dict[str, StoreError]:
        """HDL-5, HDL-6: link the members of ``decider``'s issue among ``named`` (each
        with the complaint and ``Grouped`` event that named it) that the issue does
        not hold, and flag its open members in a group incident; those linked go
        into ``linked``, those a store failure left out are returned.

        :raises StoreError: the issue's members could not be read.
        """
        failed: dict[str, StoreError] = {}
        for cid, decisions in self._owed_links(decider, named, now, dry=False, failed=failed):
            for decision in decisions:  # joined, then flagged: as the import linked it
                outcome = self._link_once_more(cid, decision, now, deliver)
                if isinstance(outcome, StoreError):
                    failed[cid] = outcome
                    break
                if outcome:
                    linked.add(cid)
        return failed

    def _owed_links(
        self,
        decider: Complaint,
        named: Mapping[str, tuple[Complaint, Grouped]],
        now: datetime,
        *,
        dry: bool,
        failed: dict[str, StoreError] | None = None,
    ) -> list[tuple[str, tuple[GroupDecision, ...]]]:
        """The members of ``decider``'s issue among ``named`` that the issue does not
        hold, and its open members not flagged in a group incident, still of the
        group, each with the decisions that link it, in the order the import
        took them: the one its ``Grouped`` event names, and, when that joined it
        to an issue since made a group incident, the incident's own (the
        complainants counted and the complaint that made it one, review s58R2
        F01); ``dry``: only those the decisions would still change (not closed or
        in another issue meanwhile).  A member not read for a store failure goes
        into ``failed`` (raised when ``dry``).

        :raises StoreError: the issue's members could not be read.
        """
        rule = self.pack.concentration
        issue = decider.state.issue
        rows = self.store.issue_rows(issue)
        held = {r.id for r in rows}
        missing = {cid: why for cid, why in named.items() if cid not in held}
        flagged_at: datetime | None = None
        incident: Grouped | None = None
        if decider.state.group_incident:  # HDL-6: every open member is flagged
            incident = _became_incident(decider)
            flagged_at = incident.at
            missing |= {
                r.id: (decider, incident)
                for r in rows
                if r.status != Status.CLOSED.value and not r.group_incident
            }
        due: list[tuple[str, tuple[GroupDecision, ...]]] = []
        for cid, (by, event) in missing.items():
            try:
                member = self.store.load(cid)
            except ComplaintCoreError as exc:
                if isinstance(exc, StoreError) and store_failed(exc):
                    if failed is None:
                        raise
                    failed[cid] = exc
                else:
                    log.info("%s not linked to issue %s: %s", cid, issue, exc)
                continue
            if not _still_of(member, issue, group_key(by, rule), rule, since=flagged_at):
                log.info("%s not linked to issue %s: left its group", cid, issue)
                continue
            decisions = tuple(
                GroupDecision(
                    issue=issue,
                    members=e.members,
                    link=(cid,),
                    complainants=e.complainants,
                    incident=e.incident,
                    became_incident=False,
                    formed=False,
                )
                # joined before the issue was a group incident: flagged by the incident's
                for e in ((event,) if incident is None or event.incident else (event, incident))
            )
            if dry and not self._would_change(member, decisions, now):
                continue
            due.append((cid, decisions))
        return due

    def _would_change(
        self, member: Complaint, decisions: Sequence[GroupDecision], now: datetime
    ) -> bool:
        """Whether linking ``member`` with ``decisions`` in turn writes anything, as
        :meth:`_link_member` would decide (nothing to write is nothing owed)."""
        at = not_before_last(member, now)
        changed = False
        for decision in decisions:
            try:
                events = decide(member, self._group_command(member, decision), self.pack, at)
            except ComplaintCoreError:
                return changed
            if events:
                member, changed = evolve(member, events), True
        return changed

    @staticmethod
    def _left_out(
        issue: str, failed: Mapping[str, StoreError], unread: StoreError | None = None
    ) -> MembersLeftUnlinkedError:
        """The members a store failure left out, named in one WARNING (ids only);
        ``unread``: the failure that kept the issue's members unread (a group
        incident's open members to flag, or those a retried submission named)."""
        if failed:
            first = next(iter(failed.values()))
            left = ", ".join(shown_id(cid) for cid in failed)
            log.warning("%s not linked to issue %s: %s", left, shown_issue(issue), first)
        if unread is not None:
            log.warning(
                "members of issue %s not read, so not linked or flagged: %s",
                shown_issue(issue),
                unread,
            )
        cause = next(iter(failed.values())) if failed else unread
        assert cause is not None
        error = MembersLeftUnlinkedError(issue, tuple(failed), cause, unread=unread is not None)
        error.__cause__ = cause
        return error

    def _link_once_more(
        self, cid: str, decision: GroupDecision, now: datetime, deliver: bool
    ) -> StoreError | bool:
        """Link one member, again once if the connection was lost; the store failure
        that left it out, if one did, else whether it was written to."""
        try:
            return self._link_member(cid, decision, now, deliver)
        except ConnectionLostError:
            pass  # a new connection for the second try
        except StoreError as exc:
            return exc
        try:
            return self._link_member(cid, decision, now, deliver)
        except StoreError as exc:
            return exc

    def _link_member(self, cid: str, decision: GroupDecision, now: datetime, deliver: bool) -> bool:
        """Link one member in its own transaction, after another process's write
        read again; one that cannot be linked is left out (INFO), a store failure
        raised (a damaged record is one complaint's, not the store's: left out).
        Whether it was written to (a member linked already is not)."""
        for _attempt in range(CONFLICT_RETRIES):
            try:
                complaint = self.store.load(cid)
                at = not_before_last(complaint, now)  # written by a clock ahead
                command = self._group_command(complaint, decision)
                events = decide(complaint, command, self.pack, at)
                if events:
                    follow = self._follow_ups(evolve(complaint, events), command.actor, at)
                    self._commit(complaint, (*events, *follow), at, deliver=deliver)
                    return True
            except ConcurrencyConflictError:
                continue
            except ComplaintCoreError as exc:
                if store_failed(exc):
                    raise
                log.info("%s not linked to issue %s: %s", cid, decision.issue, exc)
            break
        return False


def _named_members(complaint: Complaint) -> dict[str, Grouped]:
    """HDL-5: the other complaints the decisions that linked ``complaint`` to its
    issue named, each with the latest such ``Grouped`` event (since it last joined
    the issue: an ``Ungrouped`` from it forgets those before)."""
    issue = complaint.state.issue
    named: dict[str, Grouped] = {}
    for event in complaint.events:
        if isinstance(event, Ungrouped) and event.issue == issue:
            named.clear()
        elif isinstance(event, Grouped) and event.issue == issue:
            for member in event.members:
                if member != complaint.id:
                    named[member] = event
    return named


def _became_incident(complaint: Complaint) -> Grouped:
    """HDL-6: the ``Grouped`` event that flagged a complaint of a group incident."""
    issue = complaint.state.issue
    return next(
        e
        for e in reversed(complaint.events)
        if isinstance(e, Grouped) and e.issue == issue and e.incident
    )


def _made_first(complaint: Complaint, other: Complaint) -> bool:
    """HDL-6: whether ``complaint``'s flag of a group incident came before ``other``'s:
    the decision that made the issue one counted the fewest complainants, and
    named only the complaint that made it one (a member it flagged names itself
    beside it), so a relinked member records that complaint (review s58R2 F01)."""

    def rank(c: Complaint) -> tuple[int, int, datetime, datetime, str]:
        e = _became_incident(c)
        return (e.complainants, len(e.members), e.at, as_instant(c.intake.received_at), c.id)

    return rank(complaint) < rank(other)


def _still_of(
    member: Complaint,
    issue: str,
    key: tuple[str, str, str, str] | None,
    rule: Concentration,
    *,
    since: datetime | None,
) -> bool:
    """HDL-5: a member left out of ``issue`` is still of its group (the same site,
    building, category and person complained about) and never left the issue;
    for a group incident flagged at ``since`` (HDL-6), it was open then (one
    closed then and reopened since was not flagged: it is not now)."""
    closed = False  # at ``since``
    for e in member.events:
        if isinstance(e, Ungrouped) and e.issue == issue:
            return False
        if since is not None and e.at <= since and isinstance(e, Closed | Reopened):
            closed = isinstance(e, Closed)
    return not closed and key is not None and group_key(member, rule) == key


@attrs.define
class LinkClaims:
    """What the complaints of one issue read so far say it holds (review s57R3 F01):
    the members their ``Grouped`` events named, their own ids, and whether one is
    flagged a group incident.  Ids only, so a full check keeps no histories."""

    named: set[str] = attrs.field(factory=set)
    ids: list[str] = attrs.field(factory=list)
    incident: bool = False


def note_claims(claims: dict[str, LinkClaims], complaint: Complaint, rule: Concentration) -> None:
    """Add what ``complaint`` says its issue holds to ``claims`` (by issue)."""
    issue = complaint.state.issue
    if not issue or group_key(complaint, rule) is None:
        return
    named = _named_members(complaint)
    if not named and not complaint.state.group_incident:
        return
    claim = claims.setdefault(issue, LinkClaims())
    claim.named.update(named)
    claim.ids.append(complaint.id)
    claim.incident = claim.incident or complaint.state.group_incident
