"""Who is told what: the outbox messages a complaint's events, duties and issues queue.

Messages are queued in the same transaction as the events (the desk's outbox)
and sent later; here is only the choice of recipients and topics, by the
procedures' rules (IN-2, ESC-2, ESC-4, REC-4, REC-6, VIS-1, VIS-3, VIS-4, IN-6, IMP-1, GRD-2, PEN-2,
HDL-5, HDL-6).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from complaintcore.core.concentration import GroupDecision
from complaintcore.core.deadlines import ClockState, DutyStatus
from complaintcore.core.improvement import MeasureStatus
from complaintcore.core.models import (
    Assigned,
    Classified,
    Closed,
    Complainant,
    Complaint,
    Escalated,
    EscalationRequested,
    Event,
    Grouped,
    Handled,
    Linked,
    MeasureAdded,
    Promised,
    Registered,
    Reopened,
    Replied,
    SanctionRecorded,
    Status,
    Trigger,
    Visited,
    as_instant,
    staff_key,
)
from complaintcore.core.privacy import Literals
from complaintcore.core.rulepack import ClockSpec, DutySpec, RulePack
from complaintcore.core.staff_report import StaffMonth
from complaintcore.core.workflow import replay
from complaintcore.desk import access, messages
from complaintcore.desk.ports import Notification, Notifier, StaffDirectory, StaffMember
from complaintcore.desk.projection import Projection, held_by_nobody
from complaintcore.desk.site_staff import SiteStaff, not_the_site
from complaintcore.i18n import N_

__all__ = ["Outbox", "Telling", "measure_detail", "minutes", "owing_unit"]

log = logging.getLogger("complaintcore.desk")

Outbox = list[tuple[str, Notification]]
"""Messages to queue, each with the channel it goes by."""

_AT_ONCE = frozenset({Trigger.SERIOUS, Trigger.INCIDENT})
"""Escalations reported "at once", on duty or not, under the 'urgent' topic: ESC-2's
serious one and HDL-6's group incident or urgent category."""


class Telling:
    """The desk's outbox messages: whom each event, duty, measure and issue tells, in
    the desk's channels and languages."""

    def __init__(
        self,
        *,
        pack: RulePack,
        directory: StaffDirectory,
        notifiers: Mapping[str, Notifier],
        messages: messages.Messages,
        zone: ZoneInfo,
        staff: SiteStaff,
        projection: Projection,
        fellows: Callable[[Complaint], Sequence[Complainant] | Literals],
        sites: Callable[[], Collection[str]] = frozenset,
    ) -> None:
        self.pack = pack
        self.directory = directory
        self.notifiers = notifiers
        self.messages = messages
        self.zone = zone
        self._staff = staff
        self._projection = projection
        self._fellows = fellows
        self._sites = sites

    def fan(
        self,
        complaint: Complaint,
        topic: str,
        member: StaffMember,
        now: datetime,
        discriminator: str,
        detail: Sequence[str | messages.Detail] = (),
        *,
        scope: str = "",
        rung: str = "",
    ) -> Outbox:
        if access.is_target(member, complaint):
            return []  # ESC-4: the person complained about is not told the complainant's words
        groups = self._group_channels()
        # HDL-5, PRV-1: a masked message of an issue member masks the other members'
        # complainants in every text someone wrote, as the masked view does: a
        # detail given to the whole issue (a command run on every member), and the
        # summary, always written (review s56R5 F01).  Read only for a masked
        # message (a group post is one), none for a complaint never in an issue
        # (once per call on many: Fellows)
        masked = bool(groups) or not access.sees_personal_data(member, complaint, self.pack)
        others = self._fellows(complaint) if masked else ()
        render = functools.partial(
            self.messages.render,
            complaint,
            topic,
            member,
            self.pack,
            at=now,
            discriminator=discriminator,
            detail=detail,
            scope=scope,
            others=others,
            sites=self._sites,
            rung=rung,
        )
        note: Notification | None = None
        post: Notification | None = None
        box: Outbox = []
        for name in self.notifiers:
            if name in groups:
                # a group chat gets one post for everyone told: one key, so the outbox
                # keeps the first and drops the copies queued for the other recipients
                post = post or render(group=True)
                box.append((name, post))
            else:
                note = note or render()
                box.append((name, note))
        return box

    def _group_channels(self) -> frozenset[str]:
        """The channels that post into one group chat (a ``group`` attribute that is true)."""
        return frozenset(
            name for name, n in self.notifiers.items() if getattr(n, "group", False) is True
        )

    def outbox_for(
        self,
        complaint: Complaint,
        events: Iterable[Event],
        now: datetime,
        *,
        hidden: Collection[str] = (),
        tell_raised: bool = True,
    ) -> Outbox:
        """Who to tell about these events (same transaction as the events).

        ``hidden``: earlier complaints the site may not hear of (IN-6: bypass
        complaints still waiting for consent), never named in its messages.
        ``tell_raised`` false: a matter raised repeatedly among them is not told to
        customer service, which heard that count already from a raising received
        later (GRD-2, review s46G F02)."""
        if not self.notifiers:
            return []
        members = self._staff.site_members(complaint)  # everyone told works at the site
        site = complaint.intake.site or complaint.intake.complainant.site
        box: Outbox = []
        events = tuple(events)
        base = complaint.version - len(events)
        # HDL-6: the group incident message covers every member's escalation
        grouped = any(isinstance(e, Grouped) and e.incident for e in events)
        department = complaint.state.department
        heads = (department, self.pack.customer_service) if department else (None,)
        # ESC-2, ESC-5: a catch-up sweep escalates once per missed deadline; a rung
        # the complaint went on past in the same commit hears its own escalation,
        # and where it went on to, but no "assigned to you" (review s51R1 F04)
        last_assigned = max(
            (i for i, e in enumerate(events) if isinstance(e, Assigned)), default=-1
        )
        last_escalated = max(
            (i for i, e in enumerate(events) if isinstance(e, Escalated)), default=-1
        )
        for offset, ev in enumerate(events, start=1):
            tag = f"v{base + offset}"
            if isinstance(ev, Assigned) and offset - 1 < last_assigned:
                continue  # handed on again in this commit: the last holder hears it
            if isinstance(ev, Assigned):
                handler = self.directory.get(ev.handler)
                if handler is not None:
                    box += self.fan(complaint, "assigned", handler, now, tag)
                else:  # review s43D F03: never dropped unheard
                    log.warning(
                        "complaint %s: assigned to %s, whom the staff directory does not"
                        " know; nobody is told",
                        complaint.id,
                        ev.handler,
                    )
            elif (
                isinstance(ev, Escalated)
                and grouped
                and ev.trigger is Trigger.INCIDENT
                and not complaint.awaiting_site_consent  # its own is told to head office
            ):
                continue
            elif isinstance(ev, Escalated):
                topic = "urgent" if ev.trigger in _AT_ONCE else "escalated"
                # ESC-2 (serious), HDL-6 (incident): at once, on duty or not; the whole
                # rung from the serious rung up (004 篇4 §3.6), else the rung's staff
                # of the department taking it
                urgent = topic in access.URGENT_TOPICS
                told = self._rung_told(complaint, members, ev.to_rung, ev.trigger, now, urgent)
                if not told and complaint.awaiting_site_consent:  # head office keeps it (IN-6)
                    told = access.recipients(
                        members, site=site, at=now, tz=self.zone, urgent=urgent
                    )
                # which deadline was missed, by the pack's label (review s40B: a UK
                # reader's "deadline missed" names the Code's stage and timescale)
                detail: tuple[messages.Detail, ...] = (
                    messages.Detail(N_("trigger"), ev.trigger),
                    *(
                        messages.Detail(N_("clock"), name.strip(), "clock")
                        for name in ev.clock.split(",")
                        if name.strip()
                    ),
                )
                if offset - 1 < last_escalated and complaint.state.rung != ev.to_rung:
                    went_on = messages.Detail(N_("escalated on to"), complaint.state.rung, "rung")
                    detail = (*detail, went_on)
                for m in told:  # the rung this escalation reached, as the timeline has it
                    box += self.fan(complaint, topic, m, now, tag, detail, rung=ev.to_rung)
            elif isinstance(ev, Classified) and ev.helpers:
                # HDL-4: a helper an earlier classification named was asked then, and
                # one whose part is on record has helped; only a new one is asked
                # (review s54R12 F03, re-review s54R17 F03)
                asked = _helpers_before(complaint, base + offset - 1)
                for dept in (d for d in ev.helpers if d not in asked):
                    for m in self._organiser(complaint, members, site, dept, now)[:1]:
                        box += self.fan(complaint, "help_requested", m, now, tag)
            elif isinstance(ev, Handled) and ev.helper:
                box += self._help_given(complaint, ev, now, tag)
            elif isinstance(ev, Replied) and ev.unanswerable_reason:
                # REC-4: the department head hears; 002 §3.3 is customer service's own
                # rulebook, so its head is 部门负责人 where the department has none.
                # DL-3: and the date agreed in the reply, recorded as the Promised
                # event that follows it (review s54R11 F03)
                why: tuple[messages.Detail, ...] = (
                    messages.Detail(N_("reason"), ev.unanswerable_reason),
                )
                agreed = events[offset] if offset < len(events) else None
                if isinstance(agreed, Promised) and agreed.at == ev.at:
                    when = minutes(agreed.due, self.zone)
                    why = (*why, messages.Detail(N_("agreed date"), when, "time"))
                for m in self._told_or_above(
                    complaint, now, rung=access.supervisor_rung(self.pack), departments=heads
                ):
                    box += self.fan(complaint, "unanswerable", m, now, tag, why)
            elif isinstance(ev, Visited) and ev.major_issue and self.pack.group_report_rung:
                # VIS-4: on the agenda of the regular meeting the group report rung
                # holds, saying what the problem is (review s55R1 F02)
                agenda = tuple(
                    messages.Detail(label, text)
                    for label, text in (
                        (N_("major problem"), ev.problem),
                        (N_("opinion"), ev.opinion),
                    )
                    if text
                )
                for m in self._told_or_above(
                    complaint, now, rung=self.pack.group_report_rung, departments=(None,)
                ):
                    box += self.fan(complaint, "meeting_agenda", m, now, tag, agenda)
            elif (
                isinstance(ev, Closed)
                and complaint.intake.channel.value in self.pack.sign_off_channels
                and not self._sign_off_duty(complaint)
            ):
                # REC-6: one supervisor who may sign it (never the one it is about);
                # a pack's sign-off duty tells its own owners instead (duty_owed)
                for m in self._told_or_above(
                    complaint, now, rung=access.supervisor_rung(self.pack), departments=heads
                )[:1]:
                    box += self.fan(complaint, "sign_off", m, now, tag)
            if (
                isinstance(ev, Visited)
                and ev.reached
                and not ev.satisfied
                and complaint.state.status is Status.CLOSED
            ):
                box += self._unsatisfied_after_closure(complaint, ev, now, tag)
            if isinstance(ev, Reopened):
                box += self._reopened(complaint, ev, events, now, tag)
            if isinstance(ev, EscalationRequested):
                box += self._stage_left(complaint, ev, base + offset - 1, now, tag)
        return box + self._improvement_outbox(complaint, events, now, base, hidden, tell_raised)

    def _help_given(
        self,
        complaint: Complaint,
        handled: Handled,
        now: datetime,
        tag: str,
    ) -> Outbox:
        """HDL-4: customer service replies once a solution is agreed, so whoever
        holds the complaint hears when a helping department records its part (the
        result masked as any message is, PRV-1); with nobody holding it, the
        customer-service supervisor who organises it.  Not the person who recorded it."""
        handler = self.directory.get(complaint.state.handler) if complaint.state.handler else None
        told = (
            [handler]
            if handler is not None
            else self._told_or_above(
                complaint,
                now,
                rung=access.supervisor_rung(self.pack),
                departments=(self.pack.customer_service,),
            )[:1]
        )
        detail = (
            messages.Detail(N_("department"), handled.department, "department"),
            messages.Detail(N_("result"), handled.result),
        )
        box: Outbox = []
        for m in told:
            if staff_key(m.staff_id) != staff_key(handled.actor):
                box += self.fan(complaint, "help_given", m, now, tag, detail)
        return box

    def _organiser(
        self,
        complaint: Complaint,
        members: Sequence[StaffMember],
        site: str,
        department: str,
        now: datetime,
    ) -> list[StaffMember]:
        """HDL-4, PRV-1: who hears that ``department``'s help is requested: the person
        who organises its work, not whoever has the lowest staff id (often its most
        senior, who need not see the complainant's data).  Its supervisor rung
        (:func:`access.supervisor_rung`) if someone there is on duty, else the lowest
        rung with someone on duty; with nobody on duty, the supervisor rung (else the
        lowest rung) all the same, for when they come on.  Never the person the
        complaint is about (ESC-4), so the request still reaches the department."""
        staff = [
            m
            for m in members
            if m.works_at(site)
            and m.department == department
            and not access.is_target(m, complaint)
        ]
        supervisor = access.supervisor_rung(self.pack)
        top = len(self.pack.ladder)

        def rank(m: StaffMember) -> tuple[bool, int, str]:
            index = self.pack.rung_index(m.rung) if self.pack.has_rung(m.rung) else top
            return (m.rung != supervisor, index, m.staff_id)

        on_duty = [m for m in staff if m.on_duty(now, self.zone)]
        return sorted(on_duty or staff, key=rank)

    def _unsatisfied_after_closure(
        self, complaint: Complaint, visit: Visited, now: datetime, tag: str
    ) -> Outbox:
        """VIS-1: a follow-up visit on a closed complaint found the complainant not
        satisfied; it stays closed (reopening is an explicit ``Reopen``), so its
        handler and one head of customer service, who runs the visits (002 §3.5),
        hear of it and decide whether to reopen it or visit again."""
        told: dict[str, StaffMember] = {}
        handler = self.directory.get(complaint.state.handler) if complaint.state.handler else None
        if handler is not None:
            told[handler.staff_id] = handler
        for m in self._told_or_above(
            complaint,
            now,
            rung=access.supervisor_rung(self.pack),
            departments=(self.pack.customer_service,),
        )[:1]:
            told.setdefault(m.staff_id, m)
        detail = (messages.Detail(N_("opinion"), visit.opinion),) if visit.opinion else ()
        box: Outbox = []
        for m in told.values():
            box += self.fan(complaint, "unsatisfied_after_closure", m, now, tag, detail)
        return box

    def _reopened(
        self,
        complaint: Complaint,
        reopened: Reopened,
        events: Sequence[Event],
        now: datetime,
        tag: str,
    ) -> Outbox:
        """VIS-1, VIS-3: a complaint back in handling (an unsatisfied return visit, an
        explicit ``Reopen``) is work again for whoever holds it, with its replies owed
        anew (DL-1, DL-3): its handler hears why (the reason, the visit's opinion,
        masked as any detail is, PRV-1) and when each clock that restarted is due.
        Not when an ``Assigned`` of the same commit told them already (an unsatisfied
        visit below the top escalates it, and its new holder hears ``assigned``), and
        never the person who reopened it.  Nobody holding it (or a handler the
        directory no longer knows), one supervisor-rung member of customer service,
        who organises its handling (else the rung above), as
        ``unsatisfied_after_closure`` does; unless the same commit escalated it,
        whose rung was told (ESC-2) (review s46D F02)."""
        assigned = {staff_key(e.handler) for e in events if isinstance(e, Assigned)}
        holder = complaint.state.handler
        handler = self.directory.get(holder) if holder else None
        if handler is not None:
            told = [] if staff_key(handler.staff_id) in assigned else [handler]
        elif any(isinstance(e, Escalated) for e in events):
            told = []
        else:
            told = self._told_or_above(
                complaint,
                now,
                rung=access.supervisor_rung(self.pack),
                departments=(self.pack.customer_service,),
            )[:1]
        told = [m for m in told if staff_key(m.staff_id) != staff_key(reopened.actor)]
        if not told:
            return []
        detail: list[messages.Detail] = [messages.Detail(N_("reason"), reopened.reason, "note")]
        for ev in events:
            if isinstance(ev, Visited) and ev.reached and not ev.satisfied and ev.opinion:
                detail.append(messages.Detail(N_("opinion"), ev.opinion))
        again = as_instant(reopened.at)  # instants: == of zones fails in a fold (s48B)
        for status in self._projection.clocks_now(complaint, now):
            started = status.started_at
            if (
                started is not None
                and as_instant(started) == again
                and status.state
                in (
                    ClockState.RUNNING,
                    ClockState.AT_RISK,
                )
            ):
                detail.append(messages.Detail(N_("clock"), status.name, "clock"))
                detail.append(messages.Detail(N_("due"), minutes(status.due, self.zone), "time"))
        box: Outbox = []
        for m in told:
            box += self.fan(complaint, "reopened", m, now, tag, detail)
        return box

    def _stage_left(
        self, complaint: Complaint, request: EscalationRequested, at: int, now: datetime, tag: str
    ) -> Outbox:
        """ESC-5: the complainant's request for the next stage (event ``at`` of the
        complaint) takes it from whoever held the stage before, since the new stage is
        routed afresh (to someone else where it needs a different person); they hear
        that it is no longer theirs, with the stage it went to, unless the new
        stage's routing gave it back to them or they recorded the request themselves
        (review s49D F02)."""
        holder = _holder_before(complaint.events[:at])
        if not holder or staff_key(holder) in (
            staff_key(complaint.state.handler),
            staff_key(request.actor),
        ):
            return []
        member = self.directory.get(holder)
        if member is None:
            return []
        detail = (messages.Detail(N_("stage"), request.stage, "stage"),)
        return self.fan(complaint, "stage_left", member, now, tag, detail)

    def _sign_off_duty(self, complaint: Complaint) -> bool:
        """REC-6: whether the pack has a duty discharged by ``sign_off`` that this
        complaint's channel owes: its ``duty_owed`` notice to the duty's owners is
        the request, so closing sends no second one to another supervisor."""
        channel = complaint.intake.channel
        return any(d.command == "sign_off" and d.owed_on(channel) for d in self.pack.duties)

    def _improvement_outbox(
        self,
        complaint: Complaint,
        events: Sequence[Event],
        now: datetime,
        base: int,
        hidden: Collection[str] = (),
        tell_raised: bool = True,
    ) -> Outbox:
        """IMP-1, GRD-2, PEN-2: a measure's owner hears of it; customer service hears
        of a matter raised repeatedly (never of ``hidden`` earlier ones, IN-6), unless
        ``tell_raised`` is false (it heard the count already); a severe sanction is
        reported to the company."""
        members = self._staff.site_members(complaint)  # everyone told works at the site
        site = complaint.intake.site or complaint.intake.complainant.site
        box: Outbox = []
        for offset, ev in enumerate(events, start=1):
            tag = f"v{base + offset}"
            if isinstance(ev, MeasureAdded):
                owner = self.directory.get(ev.owner)
                if owner is not None:
                    box += self.fan(
                        complaint, "measure_owed", owner, now, tag, measure_detail(ev, self.zone)
                    )
            elif isinstance(ev, Linked) and ev.raised_repeatedly and not ev.repeated_by:
                if not tell_raised:
                    continue
                # each once (a complaint of the same person is often of the same room);
                # IN-6: the site is never told of a bypass complaint still waiting
                earlier = [] if complaint.awaiting_site_consent else hidden
                named = dict.fromkeys(
                    cid for cid in (*ev.same_complainant, *ev.same_room) if cid not in earlier
                )
                for m in access.recipients(
                    members, site=site, department=self.pack.customer_service, at=now, tz=self.zone
                )[:1]:
                    detail = (
                        messages.Detail(N_("raised"), str(ev.raisings)),
                        messages.Detail(N_("earlier complaints"), ", ".join(named) or "-"),
                    )
                    box += self.fan(complaint, "raised_repeatedly", m, now, tag, detail)
            elif isinstance(ev, SanctionRecorded) and ev.severe and self.pack.severe_report_to:
                detail = (
                    messages.Detail(N_("staff"), ev.staff_id),
                    messages.Detail(N_("grade"), ev.grade),
                )
                for m in self._company(complaint, now):
                    box += self.fan(complaint, "severe_sanction", m, now, tag, detail)
        return box

    def _company(self, complaint: Complaint, now: datetime) -> list[StaffMember]:
        """PEN-2: who a severe case is reported to: every member of the pack's
        ``report_to`` department, on duty or not (a case for the company waits in
        their inbox, and the same people are told whatever the hour, once each);
        when its only member is the person complained about (never told, ESC-4),
        the top of the ladder, so a severe case is never reported to nobody."""
        members = self._reachable(complaint)
        site = complaint.intake.site or complaint.intake.complainant.site
        told = access.recipients(
            members,
            site=site,
            department=self.pack.severe_report_to,
            at=now,
            tz=self.zone,
            urgent=True,
        )
        if told:
            return told
        top = self.pack.ladder[-1].code
        return access.recipients(members, site=site, rung=top, at=now, tz=self.zone, urgent=True)

    def _reachable(self, complaint: Complaint) -> list[StaffMember]:
        """The site's staff who may be told of the complaint: never the person it is
        about (ESC-4), left out before anyone is chosen so the next one is."""
        return [
            m for m in self._staff.site_members(complaint) if not access.is_target(m, complaint)
        ]

    def _rung_told(
        self,
        complaint: Complaint,
        members: Sequence[StaffMember],
        rung: str,
        trigger: Trigger,
        now: datetime,
        urgent: bool,
    ) -> list[StaffMember]:
        """ESC-2: who hears a move to ``rung`` for ``trigger``: the whole rung for a
        serious matter at the serious rung or above (004 篇4 §3.6), else the rung's
        staff of the department taking it (:func:`access.rung_recipients`)."""
        return access.rung_recipients(
            complaint,
            members,
            self.pack,
            rung=rung,
            at=now,
            tz=self.zone,
            urgent=urgent,
            whole_rung=access.told_the_whole_rung(self.pack, rung, trigger),
        )

    def _told_or_above(
        self,
        complaint: Complaint,
        now: datetime,
        *,
        rung: str,
        departments: Sequence[str | None],
        among: Sequence[StaffMember] | None = None,
    ) -> list[StaffMember]:
        """VIS-4, REC-4, REC-6: who hears what a rule sends to ``rung``: its staff at
        the site in the first of ``departments`` (``None``: any) with anyone there but
        the person complained about; else, as :meth:`_company` does, up the ladder,
        each rung above in those departments and then in any, so an agenda item, an
        unanswerable report or a sign-off request is never addressed to nobody.
        ``among``: the site's staff to choose from, when some are left out (a
        leaver, :meth:`holders`); by default all of them."""
        members = (
            self._reachable(complaint)
            if among is None
            else [m for m in among if not access.is_target(m, complaint)]
        )
        site = complaint.intake.site or complaint.intake.complainant.site
        for step, above in enumerate(self.pack.ladder[self.pack.rung_index(rung) :]):
            for department in dict.fromkeys((*departments, None) if step else departments):
                told = access.recipients(
                    members,
                    site=site,
                    rung=above.code,
                    department=department,
                    at=now,
                    tz=self.zone,
                )
                if told:
                    return told
        return []

    def unassignable_outbox(
        self, complaint: Complaint, now: datetime, discriminator: str = "intake"
    ) -> Outbox:
        """IN-2, ESC-4: a complaint intake could give to nobody (the only staff at or
        above its rung are the person it is about, or there are none) is not left
        for a sweep a day later: customer service's head at the site, who organises
        handling (IN-4), and the pack's accountability department hear of it at
        once, naming the rung it needs; never the person it is about."""
        if not self.notifiers:
            return []
        site = complaint.intake.site or complaint.intake.complainant.site
        told = self._told_or_above(
            complaint,
            now,
            rung=access.supervisor_rung(self.pack),
            departments=(self.pack.customer_service,),
        )
        if self.pack.accountability_department:
            told += access.recipients(
                self._reachable(complaint),
                site=site,
                department=self.pack.accountability_department,
                at=now,
                tz=self.zone,
            )
        need = self.pack.ladder[access.routing_of(complaint, self.pack).floor].code
        detail = (messages.Detail(N_("rung needed"), need, "rung"),)
        box: Outbox = []
        for m in {m.staff_id: m for m in told}.values():
            box += self.fan(complaint, "unassignable", m, now, discriminator, detail)
        return box

    def left_unheld_outbox(self, before: Complaint, after: Complaint, now: datetime) -> Outbox:
        """ESC-2, IN-2: a step after intake (a sweep's or an act's escalation) that
        leaves the complaint at a rung nobody at the site may take is told as
        intake's is (:meth:`unassignable_outbox`), once per such step: the rung it
        reached may have nobody to read its escalation message.  So is a bypass
        complaint released to the site with consent that nobody there may take
        (IN-6: routed at the site as at intake; review s43C F03)."""
        if after.version == before.version:
            return []
        released = before.awaiting_site_consent and not after.awaiting_site_consent
        if released and after.is_open and not after.state.handler:
            return self.unassignable_outbox(after, now, f"v{after.version}")
        if held_by_nobody(before) or not held_by_nobody(after):
            return []
        return self.unassignable_outbox(after, now, f"v{after.version}")

    def severe_month_outbox(
        self, complaint: Complaint, period: str, row: StaffMonth, now: datetime
    ) -> Outbox:
        """PEN-2: the company hears of a person's month at the pack's points or
        complaints limit (情节严重交由公司处理) once: the message's key names the
        person and the month, so the outbox keeps the first and drops the copies
        later sanctions of that month queue."""
        if not self.notifiers or not self.pack.severe_report_to:
            return []
        detail = (
            messages.Detail(N_("staff"), row.staff_id),
            messages.Detail(N_("month"), period),
            messages.Detail(N_("points deducted"), str(row.points)),
            messages.Detail(N_("valid complaints"), str(row.complaints)),
        )
        box: Outbox = []
        for m in self._company(complaint, now):
            box += self.fan(
                complaint, "severe_month", m, now, "", detail, scope=f"{row.staff_id}:{period}"
            )
        return box

    def measure_message(
        self, complaint: Complaint, status: MeasureStatus, topic: str, now: datetime
    ) -> Outbox:
        """A measure's owner is told it is at risk or overdue (once per measure and topic);
        an owner no longer in the directory, the head of its unit (IMP-1: 责任单位及
        责任人, the unit answers for it too): of the measure's department (else anyone
        there); for one recorded without a department, or whose department has
        nobody at the site, of the complaint's responsible department, else
        customer service's, else the rungs above, as :meth:`_told_or_above` goes
        (review s48K F02: it was told to nobody).  The person complained about is
        left out (ESC-4); who is warned instead is logged."""
        if not self.notifiers:
            return []
        detail = measure_detail(status.measure, self.zone)
        owner = self.directory.get(status.owner)
        if owner is not None:
            return self.fan(complaint, topic, owner, now, status.name, detail)
        members = self._reachable(complaint)
        site = complaint.intake.site or complaint.intake.complainant.site
        rung = access.supervisor_rung(self.pack)
        department = status.measure.department
        told = (
            access.recipients(
                members, site=site, rung=rung, department=department, at=now, tz=self.zone
            )
            or access.recipients(members, site=site, department=department, at=now, tz=self.zone)
            if department
            else []
        ) or self._told_or_above(
            complaint,
            now,
            rung=rung,
            departments=(complaint.state.department, self.pack.customer_service),
            among=members,
        )
        log.warning(
            "complaint %s: the owner %s of measure %s is not in the staff directory;"
            " its %s goes to %s",
            complaint.id,
            status.owner,
            status.name,
            topic,
            ", ".join(m.staff_id for m in told) or "nobody (no one at the site to tell)",
        )
        box: Outbox = []
        for m in told:
            box += self.fan(complaint, topic, m, now, status.name, detail)
        return box

    def issue_outbox(
        self,
        complaint: Complaint,
        decision: GroupDecision,
        now: datetime,
        *,
        about: Complaint | None = None,
        hidden: Collection[str] = (),
        spared: Collection[str] = (),
        incident: Sequence[str] = (),
        who: Mapping[str, str] | None = None,
    ) -> Outbox:
        """Customer service hears of a new concentrated issue (HDL-5); the group report
        rung of a group incident, at once (HDL-6).  Never a person a member is about
        (``spared``, staff keys: ESC-4), who would learn of the complaint about him.

        ``about``: a member the site may hear of, when ``complaint`` is a bypass
        complaint the site may not (IN-6): the site's people are told of the issue
        through it.  Without one, head office, who keep the bypass complaint, are.
        ``hidden``: the members waiting for that consent, never named to the site.
        ``incident``: the issue's complaints the group-incident report names, where
        the decision links only some (it joined an existing issue); by default
        ``decision.members``.
        ``who``: the complainant key of each complaint it may name; the messages'
        ``complainants`` counts those of the complaints they name, so the number
        and the list describe one set (review s43F F02).  Without one (or a
        complaint missing from it), each complaint counts as its own.
        """
        if not self.notifiers:
            return []
        if complaint.awaiting_site_consent and about is not None:
            complaint = about

        def detail(shown: Sequence[str]) -> tuple[messages.Detail, ...]:
            if not complaint.awaiting_site_consent:  # told to the site: never a bypass one
                shown = tuple(cid for cid in shown if cid not in hidden) or (complaint.id,)
            people = {(who or {}).get(cid) or f"id:{cid}" for cid in shown}
            return (
                messages.Detail(N_("issue"), decision.issue),
                messages.Detail(N_("complainants"), str(len(people))),
                messages.Detail(N_("complaints"), ", ".join(shown)),
            )

        members = [
            m for m in self._staff.site_members(complaint) if staff_key(m.staff_id) not in spared
        ]
        site = complaint.intake.site or complaint.intake.complainant.site
        keeps = complaint.awaiting_site_consent  # IN-6: nobody at the site; head office
        box: Outbox = []
        if decision.formed:
            told = access.recipients(
                members, site=site, department=self.pack.customer_service, at=now, tz=self.zone
            )
            if not told and keeps:
                told = access.recipients(members, site=site, at=now, tz=self.zone)
            formed = detail(decision.members)
            for m in told:
                box += self.fan(complaint, "concentrated_issue", m, now, decision.issue, formed)
        if decision.became_incident and self.pack.group_report_rung:
            urgent = "group_incident" in access.URGENT_TOPICS
            told = []
            # HDL-6: "at once", on duty or not; a rung nobody at the site holds is
            # passed up the ladder, as the complaint is (ESC-2)
            for above in self.pack.ladder[self.pack.rung_index(self.pack.group_report_rung) :]:
                told = self._rung_told(
                    complaint, members, above.code, Trigger.INCIDENT, now, urgent
                )
                if told or keeps:
                    break
            if not told and keeps:
                told = access.recipients(members, site=site, at=now, tz=self.zone, urgent=urgent)
            report = detail(incident or decision.members)
            for m in told:
                box += self.fan(complaint, "group_incident", m, now, decision.issue, report)
        return box

    def duty_outbox(self, complaint: Complaint, events: Sequence[Event], now: datetime) -> Outbox:
        """Owners hear of the duties these events started, or made owed again (a run
        resumed or run on at a reopening, a waiver lifted), in the same transaction;
        one message per owner and run, so a run they heard of already is not told
        twice -- unless it was discharged, paused or waived just before and these
        events make it owed again, which is news with a due time of its own: told
        once more, once per owner and step (review s51C F02); a run owed just before
        them is not told again, whichever step told it (review s51R12 F02)."""
        channel = complaint.intake.channel
        if not self.notifiers or not events or not self._projection.may_owe(events, channel):
            return []
        first = events[0].at
        if isinstance(events[0], Registered):  # its duties run from the receipt (IN-6)
            first = min(first, complaint.intake.received_at, key=as_instant)
        tags = frozenset(t for e in events for t in e.tags())
        box: Outbox = []
        running: frozenset[tuple[str, int]] | None = None  # just before these events
        for status in self._projection.duties_now(complaint, now):
            started = status.clock.started_at
            if not status.owed or started is None:
                continue
            if as_instant(started) >= as_instant(first):  # instants (review s51R19)
                box += self.tell_owners(complaint, status, "duty_owed", now)
            elif not tags.isdisjoint(status.duty.owed_again_tags):
                if running is None:
                    running = self._running_before(complaint, events, first)
                # a run owed just before was told when it became owed -- at its start
                # or at the step that made it owed again (``@vN``): nothing new now
                # (review s51R12 F02: a run first told when its waiver was lifted
                # was told again at a reopening, under the plain key never used)
                if (status.duty.name, status.clock.run) not in running:
                    # owed again by this step: its own message (the step's version)
                    step = f"v{complaint.version - len(events) + 1}"
                    box += self.tell_owners(complaint, status, "duty_owed", now, again=step)
        return box

    def _running_before(
        self, complaint: Complaint, events: Sequence[Event], at: datetime
    ) -> frozenset[tuple[str, int]]:
        """The duty runs (name and run) owed and not paused just before ``events``, the
        complaint's last, at ``at``; every one owed now when the history does not end
        with them (then nothing is told twice, as before)."""
        count = len(events)
        if complaint.events[-count:] != tuple(events):
            return frozenset(
                (s.duty.name, s.clock.run) for s in self._projection.duties_now(complaint, at)
            )
        before = replay(complaint.id, complaint.intake, complaint.events[:-count])
        return frozenset(
            (s.duty.name, s.clock.run)
            for s in self._projection.duties_now(before, at)
            if s.owed and s.state is not ClockState.PAUSED
        )

    def tell_owners(
        self,
        complaint: Complaint,
        status: DutyStatus,
        topic: str,
        now: datetime,
        members: Sequence[StaffMember] | None = None,
        *,
        again: str = "",
    ) -> Outbox:
        """One message per owner and run of the duty (the key makes it once); ``again``
        names the step that made the run owed again, told once more (s51C F02)."""
        if not self.notifiers:
            return []
        staff = members if members is not None else self.owner_pool(complaint, status.duty)
        duty = status.duty
        detail = [messages.Detail(N_("duty"), duty.name, "duty")]
        if duty.rule:
            detail.append(messages.Detail(N_("rule"), duty.rule, "rule"))
        detail.append(messages.Detail(N_("due"), minutes(status.due, self.zone), "time"))
        if duty.command:
            detail.append(messages.Detail(N_("to discharge it"), duty.command, "command"))
        people = access.duty_owners(complaint, duty, staff, now, tz=self.zone)
        if not people and complaint.awaiting_site_consent:
            # IN-6: the owners are the site's, who may not hear of it before the
            # complainant's consent; head office keeps it, so head office is told
            # (review s46H F01: nobody was, and it escalated unannounced)
            people = self._head_office(complaint, not_the_site(complaint, staff), now)
        if duty.owner_rung and people and all(access.is_target(m, complaint) for m in people):
            # ESC-4: the owner is the person complained about, never told: the rungs
            # above, as a sign-off request before the duty was (REC-6)
            departments = (duty.owner_department or None,)
            people = self._told_or_above(
                complaint, now, rung=duty.owner_rung, departments=departments
            )
        if topic == "duty_overdue" and duty.report_to:
            site = complaint.intake.site or complaint.intake.complainant.site
            people += access.recipients(
                staff, site=site, department=duty.report_to, at=now, tz=self.zone
            )
        box: Outbox = []
        key = f"{duty.name}#{status.clock.run}" + (f"@{again}" if again else "")
        for person in {m.staff_id: m for m in people}.values():
            box += self.fan(complaint, topic, person, now, key, detail)
        return box

    def owner_pool(self, complaint: Complaint, duty: DutySpec) -> Sequence[StaffMember]:
        """The staff a duty's owners are found among: the site's (owners by department
        and rung work there), and the handler from elsewhere when the duty is the
        handler's.  A company of many estates has thousands of staff; the site has
        a few dozen, in the same order."""
        pool = self._staff.site_members(complaint)
        handler = complaint.state.handler
        if duty.owner_handler and handler and all(m.staff_id != handler for m in pool):
            # the handler from elsewhere, as get() knows them: never a leaver an HR
            # snapshot's members() still lists, nor that list's leavers at the site
            # (review s48K F03); the others are chosen at the site all the same
            holder = self.directory.get(handler)
            if holder is not None:
                return not_the_site(complaint, [*pool, holder])
        return pool

    def holders(
        self,
        complaint: Complaint,
        members: Sequence[StaffMember],
        now: datetime,
        clock: str = "",
    ) -> list[StaffMember]:
        """Who owes the complaint's deadlines, for warnings about them (DL-7): its
        handler; for a bypass complaint nobody holds before the complainant's consent,
        head office (IN-6), its own unit's staff first, else whoever the escalation
        of it would tell (``members`` is already head office's alone); for any other
        complaint nobody holds (not routed yet), or one whose handler has left the
        directory, the unit that owes ``clock``, so a warning never goes to nobody
        (see :meth:`_unheld`); and, for IN-5 of a complaint taken at another site,
        whoever took it there (see :meth:`_taken_elsewhere`)."""
        if complaint.state.handler:
            handler = self.directory.get(complaint.state.handler)
            if handler is not None:
                return _joined([handler], self._taken_elsewhere(complaint, clock))
            # review s43D F01: a leaver cannot hear it, and at the top rung nothing
            # escalates: told as if nobody held it, never to the leaver
            log.warning(
                "complaint %s: its handler %s is not in the staff directory;"
                " warnings about its %s clock go to whom they would if nobody held it",
                complaint.id,
                complaint.state.handler,
                clock,
            )
            gone = staff_key(complaint.state.handler)
            members = [m for m in members if staff_key(m.staff_id) != gone]
        if not complaint.awaiting_site_consent:
            told = self._unheld(complaint, members, now, clock)
            return _joined(told, self._taken_elsewhere(complaint, clock))
        return self._head_office(complaint, members, now)

    def _taken_elsewhere(self, complaint: Complaint, clock: str) -> list[StaffMember]:
        """IN-5: who took a complaint at another site and owes its 24 hours to the
        site's customer service (the receiver, or the member who registered it for
        a receiver the directory does not know), while no unit of the site has it:
        they alone at their site may forward it (review s55R6 F02)."""
        spec = next((c for c in self.pack.clocks if c.name == clock), None)
        if spec is None or spec.owed_by != "receiving_unit" or complaint.state.unit:
            return []
        found = (self.directory.get(i) for i in access.elsewhere_forwarders(complaint))
        return [m for m in found if m is not None and not access.is_target(m, complaint)]

    def _head_office(
        self, complaint: Complaint, members: Sequence[StaffMember], now: datetime
    ) -> list[StaffMember]:
        """IN-6: who keeps a bypass complaint waiting for the complainant's consent,
        for what its holder or owners would hear: the staff of the pack's head-office
        unit, else all of head office (``members`` is head office's alone)."""
        site = complaint.intake.site or complaint.intake.complainant.site
        unit = self.pack.head_office_unit
        return (
            access.recipients(members, site=site, department=unit, at=now, tz=self.zone)
            if unit
            else []
        ) or access.recipients(members, site=site, at=now, tz=self.zone)

    def _unheld(
        self, complaint: Complaint, members: Sequence[StaffMember], now: datetime, clock: str
    ) -> list[StaffMember]:
        """DL-7, IN-5, ESC-6: who is warned about a clock of a complaint nobody holds:
        the staff at the site of the unit that owes the clock (``owed_by``: the
        receiving unit for IN-5); of one never routed, first the unit that has it
        now (the one it was registered at or forwarded to: DL-3's forwarding is
        customer service's to do); else of the responsible department, else customer service
        (IN-4), else, as :meth:`_told_or_above` does, the supervisor's rung and up;
        never the person complained about (ESC-4)."""
        site = complaint.intake.site or complaint.intake.complainant.site
        reachable = [m for m in members if not access.is_target(m, complaint)]
        spec = next((c for c in self.pack.clocks if c.name == clock), None)
        owing = owing_unit(complaint, spec) if spec is not None else ""
        receiver = spec is not None and spec.owed_by == "receiving_unit"
        if receiver and access.elsewhere_forwarders(complaint):
            # IN-5: the receiving unit is another site's; the site's own unit of that
            # name never had it: its customer service is told (review s55R6 F02)
            owing = ""
        routed = any(isinstance(e, Assigned) for e in complaint.events)
        units = (owing,) if receiver else (owing, "") if routed else (complaint.state.unit, owing)
        for unit in dict.fromkeys(u for u in (*units, self.pack.customer_service) if u):
            told = access.recipients(reachable, site=site, department=unit, at=now, tz=self.zone)
            if told:
                return told
        here = max(
            complaint.rung_index(self.pack),
            self.pack.rung_index(access.supervisor_rung(self.pack)),
        )
        # review s43E F01: among ``members``, which leave out a handler who left
        return self._told_or_above(
            complaint, now, rung=self.pack.ladder[here].code, departments=(None,), among=reachable
        )


def _joined(first: Sequence[StaffMember], more: Sequence[StaffMember]) -> list[StaffMember]:
    """``first``, then those of ``more`` not among them (by staff id)."""
    seen = {staff_key(m.staff_id) for m in first}
    return [*first, *(m for m in more if staff_key(m.staff_id) not in seen)]


def owing_unit(complaint: Complaint, spec: ClockSpec, since: datetime | None = None) -> str:
    """ESC-6: the unit that owes a clock: the responsible department, or, for a clock
    the receiver owes (IN-5), the unit that registered the complaint.

    ``since``: when the clock's run started.  DL-3 gives each department its days
    from its own acceptance, so the run is owed by the department responsible
    then: a reclassification that could not hand the complaint over (nobody of the
    new department to take it) leaves the run, and its lateness, with the
    department that accepted it, never the one named since (review s46H F03)."""
    if spec.owed_by == "receiving_unit":
        for ev in complaint.events:
            if isinstance(ev, Registered):
                return ev.unit
    if since is not None:
        then = replay(
            complaint.id, complaint.intake, (e for e in complaint.events if e.at <= since)
        )
        if then.state.department:
            return then.state.department
    return complaint.state.department


def measure_detail(measure: MeasureAdded, zone: ZoneInfo) -> tuple[messages.Detail, ...]:
    return (
        messages.Detail(N_("measure"), measure.measure),
        messages.Detail(N_("kind"), measure.measure_kind),
        messages.Detail(N_("action"), measure.action),
        messages.Detail(N_("due"), minutes(measure.due, zone), "time"),
    )


def minutes(t: datetime | None, zone: ZoneInfo) -> str:
    """A due time for people: to the minute, in the pack's zone."""
    return t.astimezone(zone).isoformat(timespec="minutes") if t is not None else "-"


def _holder_before(events: Sequence[Event]) -> str:
    """Who held the complaint after ``events``: the last assignment's handler, unless
    an escalation or a new stage released it since (as the fold reads them)."""
    for ev in reversed(events):
        if isinstance(ev, Assigned):
            return ev.handler
        if isinstance(ev, Escalated | EscalationRequested):
            return ""
    return ""


def _helpers_before(complaint: Complaint, index: int) -> frozenset[str]:
    """HDL-4: the helping departments asked before the event at ``index`` of
    ``complaint.events``: every one an earlier classification named, and every one
    whose part is on record (a helper is asked once, also after a reclassification
    dropped it and the next named it again: re-review s54R17 F03)."""
    asked: set[str] = set()
    for ev in complaint.events[:index]:
        if isinstance(ev, Classified):
            asked.update(ev.helpers)
        elif isinstance(ev, Handled) and ev.helper:
            asked.add(ev.department)
    return frozenset(asked)
