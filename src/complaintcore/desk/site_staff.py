"""The staff of a complaint's site: whom it is routed to and whose messages it sends.

A company of many estates has hundreds of staff, and routing and telling look
at them several times a complaint: :class:`SiteStaff` keeps each site's staff
while the directory hands back the same tuple, and those of them ``get()`` knows,
and the handlers chosen lately, for one command, sweep or delivery pass.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Sequence
from datetime import datetime

import attrs

from complaintcore.core.errors import InvalidInputError
from complaintcore.core.models import Complaint, as_instant
from complaintcore.core.rulepack import RulePack
from complaintcore.desk import access
from complaintcore.desk.checked_directory import CheckedDirectory
from complaintcore.desk.ports import StaffMember
from complaintcore.desk.projection import DUTY_MEMO

__all__ = ["SiteStaff", "not_the_site", "same_staff"]

log = logging.getLogger("complaintcore.desk")


class SiteStaff:
    """The directory's staff by site, kept while the directory hands back the same
    members; those ``get()`` knows, and the handler routing picks, for one command."""

    def __init__(self, directory: CheckedDirectory, pack: RulePack) -> None:
        self.directory = directory
        self.pack = pack
        # Handlers chosen lately, by what routing needs (see handler_for).
        self._routes: tuple[tuple[object, int, object], dict[Hashable, StaffMember | None]] = (
            (None, -1, None),
            {},
        )
        # Staff by site, while the directory hands back the same members (routing).
        self._staff_by_site: tuple[object, dict[str, list[StaffMember]]] = (None, {})
        # Of them, those get() knows: asked again each command, sweep and delivery
        # pass (the directory's passes), since a live get() forgets a leaver while
        # an HR snapshot's members() still lists them (review s48L F01).
        self._known_by_site: tuple[object, int, dict[str, list[StaffMember]]] = (None, -1, {})

    def members(self) -> Sequence[StaffMember]:
        return self.directory.members()

    def site_members(self, complaint: Complaint) -> Sequence[StaffMember]:
        """The staff who work at the complaint's site, for routing it and for
        choosing whom its messages go to; only head office's (staff of every
        site) while a bypass complaint waits for the complainant's consent.

        Kept per site while the directory hands back the same tuple (a staff
        file's does): a company of many estates has hundreds of staff, and
        routing looks at them several times a complaint.  Any other sequence is
        read afresh, since a live directory may update one list in place.
        Whom of them ``get()`` knows is asked once a site per command, sweep
        or delivery pass, not once for as long as the tuple lasts: an HR
        snapshot's ``members()`` is one tuple for an hour while its live
        ``get()`` forgets a leaver at once (review s48L F01).
        """
        members = self.members()
        site = complaint.intake.site or complaint.intake.complainant.site
        known, by_site = self._staff_by_site
        if not same_staff(known, members):
            by_site = {}
            # a list may change in place: a fresh key, so the routes are chosen again
            self._staff_by_site = (members if isinstance(members, tuple) else object(), by_site)
        staff, passes = self._staff_by_site[0], self.directory.passes
        known_staff, known_passes, answered = self._known_by_site
        if known_staff is not staff or known_passes != passes:
            answered = {}
            self._known_by_site = (staff, passes, answered)
        found = answered.get(site)
        if found is None:
            works = by_site.get(site)
            if works is None:
                works = by_site[site] = [m for m in members if m.works_at(site)]
            found = answered[site] = self._answered(complaint, works)
        return not_the_site(complaint, found)

    def _answered(self, complaint: Complaint, members: list[StaffMember]) -> list[StaffMember]:
        """The site's staff ``get()`` knows: someone only ``members()`` lists (a leaver
        in an HR snapshot taken before they left) is never chosen nor told, not even
        as one of a rung or a department, so the next one is (PRV-1, review s48K
        F03).  One lookup a member, once a site per command, sweep or delivery
        pass (review s48L F01); the passed-over ids logged, with the complaint that
        found them."""
        kept = [m for m in members if self._answers(m)]
        if len(kept) < len(members):
            gone = sorted({m.staff_id for m in members} - {m.staff_id for m in kept})
            log.warning(
                "complaint %s: routing and telling passed over %s at its site:"
                " members() lists them but get() does not",
                complaint.id,
                ", ".join(gone),
            )
        return kept

    def handler_for(self, complaint: Complaint, now: datetime) -> StaffMember | None:
        """:func:`~complaintcore.desk.access.pick_handler`, chosen once for the
        complaints that need the same routing at the same instant (a bulk batch's
        share ``now``), while the directory hands back the same members, within
        one command, sweep or delivery pass."""
        members = self.site_members(complaint)
        need = access.routing_of(complaint, self.pack)
        # the directory's list and pass site_members just read
        staff, passes, _ = self._known_by_site
        (known_staff, known_passes, known_pack), memo = self._routes
        if (
            known_staff is not staff
            or known_passes != passes
            or known_pack is not self.pack
            or len(memo) >= DUTY_MEMO
        ):
            memo = {}
            self._routes = ((staff, passes, self.pack), memo)
        key = (need, as_instant(now), now.tzinfo)  # instants (review s57R5 F01)
        if key not in memo:
            memo[key] = self._known(
                complaint, members, lambda left: access.choose_handler(need, left, self.pack, now)
            )
        return memo[key]

    def holder_at(self, complaint: Complaint, rung: str, now: datetime) -> StaffMember | None:
        """ESC-2, ESC-5: who takes the complaint on at exactly ``rung`` after an
        escalation, since the core lets an assignment move it higher only for its
        grade or target: the departments routing tries, in turn, on duty first,
        never the person it is about nor an earlier handler.  ``None`` when nobody
        at the site holds the rung."""
        index = self.pack.rung_index(rung)
        need = attrs.evolve(access.routing_of(complaint, self.pack), floor=index)
        members = [
            m
            for m in self.site_members(complaint)
            if self.pack.has_rung(m.rung) and self.pack.rung_index(m.rung) == index
        ]
        return self._known(
            complaint, members, lambda left: access.choose_handler(need, left, self.pack, now)
        )

    def _known(
        self,
        complaint: Complaint,
        members: Sequence[StaffMember],
        choose: Callable[[Sequence[StaffMember]], StaffMember | None],
    ) -> StaffMember | None:
        """Whom ``choose`` picks among ``members``, once ``get()`` knows them: messages
        are addressed through ``get()``, so someone only ``members()`` lists (a live
        HR system's leaver in an hourly snapshot) would hold the complaint unheard
        and unable to act (review s43D F03).  One lookup per choice, no scan."""
        left = members
        while (chosen := choose(left)) is not None:
            if self.directory.get(chosen.staff_id) is not None:
                return chosen
            log.warning(
                "complaint %s: routing passed over %s: members() lists them but get() does not",
                complaint.id,
                chosen.staff_id,
            )
            left = [m for m in left if m is not chosen]
        return None

    def _answers(self, member: StaffMember) -> bool:
        """Whether ``get()`` knows ``member``; a wrong answer (another person, a field
        of the wrong type) keeps them, to be refused where they are taken, naming
        the directory, as before they were filtered."""
        try:
            return self.directory.get(member.staff_id) is not None
        except InvalidInputError:
            return True


def same_staff(known: object, members: Sequence[StaffMember]) -> bool:
    """Whether ``members`` is the staff read last time, unchanged since: only a
    tuple is sure not to have changed in place."""
    return known is members and isinstance(members, tuple)


def not_the_site(complaint: Complaint, members: Sequence[StaffMember]) -> Sequence[StaffMember]:
    """IN-6, PRV-1: while a bypass complaint waits for the complainant's consent, the
    site it went around hears nothing of it, nor of who made it: only staff of every
    site (head office) are told or chosen."""
    if not complaint.awaiting_site_consent:
        return members
    return [m for m in members if m.site in ("*", "")]
