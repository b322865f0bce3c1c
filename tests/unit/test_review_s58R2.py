"""Review s58R2.

F01: ``verify --relink`` (and running the same file again) linked a group
incident's earlier members with the decision that first named them, flagged:
"group incident …: 3 complainants (HDL-6)", the complaint that made the issue one
left out.  The relinked history is now the uninterrupted import's, event for event.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from complaintcore.core.models import Escalated, Grouped
from complaintcore.desk import Desk
from complaintcore.desk.importer import FileImport
from tests.integration.test_store_failures_at_the_desk import (
    FailingSqliteStore,
    _queued,
    _rows_file,
)
from tests.unit.test_review_s57R3 import (
    NOW,
    _import,
    _in_time_order,
    _neighbours,
    _stored,
    desks,
)

__all__ = ["desks"]  # the fixture, shared with review s57R3

_NOT_COMPARED = frozenset({"at"})
"""Event fields left out of the comparison: none else (times are all ``NOW``)."""

Body = tuple[str, tuple[tuple[str, object], ...]]


def _history(desk: Desk, store: FailingSqliteStore) -> list[tuple[list[Body], object]]:
    """Every complaint's events (kind and fields, complaint ids as their place in time
    order: ids differ between desks) and queued messages, in time order."""
    ids = _in_time_order(desk)
    place = {cid: f"#{i}" for i, cid in enumerate(ids)}

    def plain(value: object) -> object:
        if isinstance(value, str):
            for cid, at in place.items():
                value = value.replace(cid, at)
            return value
        if isinstance(value, tuple):
            return tuple(plain(v) for v in value)
        return value

    out: list[tuple[list[Body], object]] = []
    for cid in ids:
        events = [
            (
                e.kind,
                tuple(
                    (k, plain(v))
                    for k, v in sorted(attrs.asdict(e, recurse=False).items())
                    if k not in _NOT_COMPARED
                ),
            )
            for e in desk.get(cid).events
        ]
        out.append((events, plain(tuple(_queued(store, cid)))))
    return out


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("HDL-6")
def test_f01_relinked_members_of_a_group_incident_get_the_uninterrupted_history(
    desks: list[tuple[Desk, FailingSqliteStore]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """cn-property: three complainants of one building form an issue (HDL-5), five
    within a day make it a group incident reported to the project manager (HDL-6).
    Two stored; the import's first forms the issue, its second joins, its third
    makes it a group incident.  Killed after the commit, the two stored are
    relinked: each records joining the issue of 3, then the incident of 5 the
    fifth complaint made, and its escalation says 5, as the uninterrupted import
    (and running the same file again) writes."""
    who = _neighbours(5)
    path = _rows_file(tmp_path, [(w, i / 10, f"n{i}") for i, w in enumerate(who) if i >= 2])
    (killed, k_store), (whole, w_store), (rerun, r_store) = desks
    for desk in desks:
        _stored(desk[0], who[:2])
    _import(killed, path, monkeypatch, kill=True)
    _import(rerun, path, monkeypatch, kill=True)
    _import(whole, path, monkeypatch, kill=False)

    first, second, *_rest, fifth = _in_time_order(killed)
    assert sorted(killed.relink(NOW)) == sorted([first, second])
    assert killed.verify(NOW).ok
    assert killed.relink(NOW) == []
    list(FileImport(rerun, path, now=NOW))  # the other repair: the same file again
    assert rerun.verify(NOW).ok

    expected = _history(whole, w_store)
    assert _history(killed, k_store) == expected
    assert _history(rerun, r_store) == expected
    for cid in (first, second):
        grouped = [e for e in killed.get(cid).events if isinstance(e, Grouped)]
        assert [(e.complainants, e.incident) for e in grouped] == [(3, False), (5, True)]
        assert fifth in grouped[-1].members  # the complaint that made it a group incident
        (escalated,) = [e for e in killed.get(cid).events if isinstance(e, Escalated)]
        assert escalated.to_rung == "project_manager"
        assert "5 complainants (HDL-6)" in escalated.note


@pytest.mark.procedure("HDL-6")
def test_f01_members_flagged_on_relinking_record_the_complaint_that_made_the_incident(
    desks: list[tuple[Desk, FailingSqliteStore]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three stored form the issue; the import's fourth joins it and its fifth makes
    it a group incident, flagging the fourth too.  The stored three, relinked, are
    flagged with the fifth's decision (its members), not the fourth's."""
    who = _neighbours(5)
    path = _rows_file(tmp_path, [(w, i / 10, f"n{i}") for i, w in enumerate(who) if i >= 3])
    (killed, k_store), (whole, w_store), _rerun = desks
    for desk, _store in desks[:2]:
        _stored(desk, who[:3])
    _import(killed, path, monkeypatch, kill=True)
    _import(whole, path, monkeypatch, kill=False)

    assert len(killed.relink(NOW)) == 3
    assert _history(killed, k_store) == _history(whole, w_store)
    *stored, fourth, fifth = _in_time_order(killed)
    for cid in stored:
        flag = [e for e in killed.get(cid).events if isinstance(e, Grouped)][-1]
        assert (flag.complainants, flag.incident) == (5, True)
        assert fifth in flag.members
        assert fourth not in flag.members
