"""Whom a concentrated issue's texts may name: its members' complainants (HDL-5, PRV-1).

A text given to a whole issue (``explain_all``'s explanation, any command
``act_on_issue`` runs) is copied into each member, so a masked text of one member
masks the complainants of the others too.  Read for each message, that costs
the issue's size per member, and a command on every member the square of it
(review s47G F03, F04); within :meth:`Fellows.read_once` (one ``act_on_issue``,
one batch a sweep claims) each issue's members and their complainants are read
once, and their names, phones and rooms prepared once
(:class:`~complaintcore.core.privacy.Literals`), for every message of the call.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence

from complaintcore.core.concentration import issue_links
from complaintcore.core.models import Complainant, Complaint
from complaintcore.core.privacy import Literals
from complaintcore.desk.masking import literals_of
from complaintcore.desk.ports import ComplaintRow

__all__ = ["Fellows"]


class _Reads:
    """What one call read: each issue's member ids, each complaint's complainant,
    and for each set of issues their members and prepared literals."""

    def __init__(self) -> None:
        self.members: dict[str, tuple[str, ...]] = {}
        self.people: dict[str, Complainant] = {}
        self.absent: set[str] = set()  # not stored (yet): a batch's drafts
        self.joined: dict[tuple[str, ...], dict[str, None]] = {}  # the issues' members
        self.literals: dict[tuple[tuple[str, ...], frozenset[str]], Literals] = {}


class Fellows:
    """The complainants of the issues a complaint has been part of (HDL-5, PRV-1).

    :param issue_rows: the store's members of an issue now.
    :param complainants: the complainant of each stored complaint of some ids.
    """

    def __init__(
        self,
        *,
        issue_rows: Callable[[str], Sequence[ComplaintRow]],
        complainants: Callable[[Sequence[str]], Mapping[str, Complainant]],
    ) -> None:
        self._issue_rows = issue_rows
        self._complainants = complainants
        self._local = threading.local()  # a call's reads belong to its thread

    @contextlib.contextmanager
    def read_once(self, members: Mapping[str, Sequence[str]] | None = None) -> Iterator[None]:
        """Within: each issue's members and their complainants are read once.

        A complaint that joins an issue meanwhile (another process's intake) is
        masked from the next call on, not in the rest of this one.  ``members``:
        issues whose member ids the caller read already, by issue.  Nested, the
        outer call's reads are kept."""
        if getattr(self._local, "reads", None) is not None:
            yield
            return
        reads = _Reads()
        reads.members.update((issue, tuple(ids)) for issue, ids in (members or {}).items())
        self._local.reads = reads
        try:
            yield
        finally:
            self._local.reads = None

    @contextlib.contextmanager
    def masked_as(self, grouped: Complaint) -> Iterator[None]:
        """Within: a message of the complaint with ``grouped``'s id masks as
        ``grouped`` does, the issue it joined in memory before it is stored: the
        receipt's messages, rendered from the complaint as received, mask the
        issue's other complainants (review s56R7 F02)."""
        before = getattr(self._local, "grouped", None)
        self._local.grouped = grouped
        try:
            yield
        finally:
            self._local.grouped = before

    def drafted(self, people: Mapping[str, Complainant]) -> None:
        """Within :meth:`read_once`: the complainants of complaints not stored yet (a
        bulk batch's drafts, by id), so the batch's drafts of one issue mask each
        other in their messages as if received one by one (review s56R7 F02).
        Outside it, nothing."""
        reads: _Reads | None = getattr(self._local, "reads", None)
        if reads is not None:
            reads.people.update(people)
            reads.absent.difference_update(people)

    def joined(self, issue: str, ids: Sequence[str]) -> None:
        """Within :meth:`read_once`: complaints not stored yet (a bulk batch's drafts)
        that are members of ``issue`` now, as the store's members are (review s56R7
        F02).  Outside it, nothing."""
        reads: _Reads | None = getattr(self._local, "reads", None)
        if reads is None:
            return
        have = self._members(issue, reads)
        known = set(have)
        new = tuple(cid for cid in ids if cid not in known)
        if not new:
            return
        reads.members[issue] = (*have, *new)
        # what was prepared for the issue grows by the new members alone: a batch's
        # issue of n drafts costs n members prepared, not n times the issue
        found = self._people(new, reads)
        added = literals_of(found[cid] for cid in new if cid in found)
        for issues, members in reads.joined.items():
            if issue in issues:
                members.update(dict.fromkeys(new))
        for key, prepared in reads.literals.items():
            if issue in key[0]:
                reads.literals[key] = prepared.extended(added)

    def _as_grouped(self, complaint: Complaint) -> Complaint:
        grouped: Complaint | None = getattr(self._local, "grouped", None)
        return grouped if grouped is not None and grouped.id == complaint.id else complaint

    def of(self, complaint: Complaint) -> tuple[Complainant, ...]:
        """The complainants of the other complaints of every issue ``complaint`` has
        been part of (:func:`~complaintcore.core.concentration.issue_links`: the
        members its history names, and each issue's members now), in that order;
        none for a complaint never grouped, without reading the store."""
        complaint = self._as_grouped(complaint)
        issues, named = issue_links(complaint)
        if not issues:
            return ()
        reads: _Reads | None = getattr(self._local, "reads", None)
        ids = dict.fromkeys(named)
        for issue in issues:
            ids.update(dict.fromkeys(self._members(issue, reads)))
        ids.pop(complaint.id, None)
        found = self._people(list(ids), reads)
        return tuple(found[cid] for cid in ids if cid in found)

    def masking(self, complaint: Complaint) -> Sequence[Complainant] | Literals:
        """What masks the other members in a text of ``complaint`` given to a whole
        issue (:meth:`Messages.render <complaintcore.desk.messages.Messages.render>`'s
        ``others``): outside :meth:`read_once`, :meth:`of`; within it, the literals
        of the issues' complainants, prepared once for every member that shares
        them (its own among them: masked in its texts anyway)."""
        reads: _Reads | None = getattr(self._local, "reads", None)
        if reads is None:
            return self.of(complaint)
        complaint = self._as_grouped(complaint)
        issues, named = issue_links(complaint)
        if not issues:
            return ()
        members = reads.joined.get(issues)
        if members is None:
            members = {}
            for issue in issues:
                members.update(dict.fromkeys(self._members(issue, reads)))
            reads.joined[issues] = members
        left = [cid for cid in named if cid not in members]  # left since
        ids = [*members, *left]
        found = self._people(ids, reads)
        # one stored by nobody yet (a draft of the same intake batch) has no data here:
        # the members of one issue share their literals whatever drafts they name
        key = (issues, frozenset(cid for cid in left if cid in found))
        prepared = reads.literals.get(key)
        if prepared is None:
            prepared = Literals(literals_of(found[cid] for cid in ids if cid in found))
            reads.literals[key] = prepared
        return prepared

    def complainants(self, ids: Sequence[str]) -> Mapping[str, Complainant]:
        """The complainant of each stored complaint of ``ids`` (within
        :meth:`read_once`, read once for the call)."""
        found = self._people(ids, getattr(self._local, "reads", None))
        return {cid: found[cid] for cid in ids if cid in found}

    def _members(self, issue: str, reads: _Reads | None) -> tuple[str, ...]:
        if reads is None:
            return tuple(r.id for r in self._issue_rows(issue))
        ids = reads.members.get(issue)
        if ids is None:
            ids = reads.members[issue] = tuple(r.id for r in self._issue_rows(issue))
        return ids

    def _people(self, ids: Sequence[str], reads: _Reads | None) -> Mapping[str, Complainant]:
        if reads is None:
            return self._complainants(ids)
        missing = [cid for cid in ids if cid not in reads.people and cid not in reads.absent]
        if missing:
            found = self._complainants(missing)
            reads.people.update(found)
            reads.absent.update(cid for cid in missing if cid not in found)
        return reads.people
