"""Review s57R3 F01: a ``receive --file`` killed between its batch's commit and the
linking of its issues' stored members left them unlinked (HDL-5) and a group
incident's members unflagged and unreported (HDL-6), with nothing to tell:
``verify(now)`` was clean.  ``verify(now)`` now names each member owed, and
``Desk.relink`` (``verify --relink``) links them as the uninterrupted import, or
running the same file again, would have."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintcore.cli import main
from complaintcore.core.models import Complainant, Complaint
from complaintcore.desk import Desk
from complaintcore.desk.grouping import Grouper
from complaintcore.desk.importer import FileImport
from complaintcore.testing import RecordingNotifier, make_desk
from tests.integration.test_repeats_at_the_desk import T0
from tests.integration.test_store_failures_at_the_desk import (
    FailingSqliteStore,
    _queued,
    _rows_file,
    receive,
)

NOW = T0 + timedelta(days=0.5)


class Killed(BaseException):
    """The process killed (kill -9, an OOM killer) right after the batch's commit."""


def _neighbours(count: int) -> list[Complainant]:
    return [
        Complainant(f"业主{i}", f"1391234000{i}", f"5-1-30{i}", "5", "sunrise")
        for i in range(count)
    ]


@pytest.fixture
def desks(tmp_path: Path) -> Iterator[list[tuple[Desk, FailingSqliteStore]]]:
    """Three desks on SQLite files with a channel: killed, uninterrupted, rerun."""
    made: list[tuple[Desk, FailingSqliteStore]] = []
    stores = [FailingSqliteStore(tmp_path / f"desk{i}.sqlite3") for i in range(3)]
    try:
        for store in stores:
            desk = make_desk(store=store, notifiers=[RecordingNotifier()])
            made.append((desk.__enter__(), store))
        yield made
    finally:
        for desk, store in made:
            desk.__exit__(None, None, None)
            store.close()


def _import(desk: Desk, path: Path, monkeypatch: pytest.MonkeyPatch, *, kill: bool) -> None:
    """Import ``path``; ``kill``: the process dies as the batch's linking begins."""
    if not kill:
        list(FileImport(desk, path, now=NOW))
        return

    def killed(*_args: object, **_kw: object) -> None:
        raise Killed

    with monkeypatch.context() as m:
        m.setattr(Grouper, "link", killed)
        with pytest.raises(Killed):
            list(FileImport(desk, path, now=NOW))


State = tuple[bool, str, bool, list[tuple[str, str]]]


def _in_time_order(desk: Desk) -> list[str]:
    rows = desk.rows()
    return [r.id for r in sorted(rows, key=lambda r: (r.received_at, r.id))]


def _state(desk: Desk, store: FailingSqliteStore, ids: list[str]) -> list[State]:
    """Each complaint's issue (whether it has one: ids differ between desks), rung,
    group-incident flag and queued messages (topic, recipient)."""
    out: list[State] = []
    for cid in ids:
        c = desk.get(cid)
        out.append((bool(c.state.issue), c.state.rung, c.state.group_incident, _queued(store, cid)))
    return out


def _stored(desk: Desk, who: list[Complainant]) -> list[Complaint]:
    return [receive(desk, w, i / 10, f"n{i}") for i, w in enumerate(who)]


@pytest.mark.procedure("HDL-6")
def test_a_kill_before_a_group_incident_is_linked_is_named_by_verify_and_relinked(
    desks: list[tuple[Desk, FailingSqliteStore]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """HDL-6 (cn-property: five complainants of one building within a day): four
    stored, the fifth imported makes the group an incident and is to report every
    member to the project manager at once.  Killed after the commit: the four stay
    unflagged, ``verify(now)`` names each, and ``relink`` flags and reports them
    as the uninterrupted import and a rerun of the file do."""
    who = _neighbours(5)
    path = _rows_file(tmp_path, [(who[4], 0.4, "n4")])
    (killed, k_store), (whole, w_store), (rerun, r_store) = desks
    ids = [c.id for c in _stored(killed, who[:4])]
    for desk in (whole, rerun):
        _stored(desk, who[:4])
    _import(killed, path, monkeypatch, kill=True)
    _import(rerun, path, monkeypatch, kill=True)
    _import(whole, path, monkeypatch, kill=False)
    every = _in_time_order(killed)
    assert len(every) == 5
    assert [killed.get(c).state.group_incident for c in ids] == [False] * 4

    report = killed.verify(NOW)
    assert not report.ok
    owed = [p for p in report.problems if "'verify --relink' links it" in p]
    assert len(owed) == 4
    for cid in ids:
        assert any(f"complaint {cid}: not linked to issue I-" in p for p in owed)
    assert not any(n.name in p or n.phone in p for p in report.problems for n in who)

    assert sorted(killed.relink(NOW)) == sorted(ids)
    assert killed.verify(NOW).ok
    assert killed.relink(NOW) == []  # nothing owed: nothing written or queued twice

    list(FileImport(rerun, path, now=NOW))  # running the same file again
    repaired = _state(killed, k_store, every)
    assert repaired == _state(whole, w_store, _in_time_order(whole))
    assert repaired == _state(rerun, r_store, _in_time_order(rerun))
    assert [killed.get(c).state.rung for c in ids] == ["project_manager"] * 4
    assert all(told for *_flags, told in repaired)
    assert rerun.verify(NOW).ok
    assert whole.verify(NOW).ok


@pytest.mark.procedure("HDL-5")
def test_a_kill_before_an_issue_links_its_stored_members_is_named_and_relinked(
    desks: list[tuple[Desk, FailingSqliteStore]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """HDL-5: two stored, the third imported forms their issue; killed after the
    commit, the two carry no issue though the third's Grouped event names them.
    An incremental check since the head before the import names them too."""
    who = _neighbours(3)
    path = _rows_file(tmp_path, [(who[2], 0.2, "n2")])
    (killed, _store), (whole, _w), _rerun = desks
    one, two = _stored(killed, who[:2])
    _stored(whole, who[:2])
    head = killed.verify(NOW).head
    _import(killed, path, monkeypatch, kill=True)
    _import(whole, path, monkeypatch, kill=False)
    assert killed.get(one.id).state.issue == killed.get(two.id).state.issue == ""

    for report in (killed.verify(NOW), killed.verify(NOW, since=head)):
        owed = [p for p in report.problems if "'verify --relink' links it" in p]
        assert len(owed) == 2, report.problems
    assert killed.verify().ok  # the chains themselves are whole

    assert sorted(killed.relink(NOW)) == sorted([one.id, two.id])
    issue = f"I-{one.id}"
    assert killed.get(one.id).state.issue == killed.get(two.id).state.issue == issue
    w_one, w_two, _w_three = _in_time_order(whole)
    assert whole.get(w_one).state.issue == f"I-{w_one}" == whole.get(w_two).state.issue
    assert killed.verify(NOW).ok


def test_the_cli_verify_relink_links_what_a_killed_import_left(
    desks: list[tuple[Desk, FailingSqliteStore]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``verify`` exits 5 naming the members and a hint; ``verify --relink`` links
    them, says how many, and the check it then makes is clean."""
    who = _neighbours(3)
    path = _rows_file(tmp_path, [(who[2], 0.2, "n2")])
    (killed, store), _whole, _rerun = desks
    _stored(killed, who[:2])
    _import(killed, path, monkeypatch, kill=True)
    monkeypatch.setattr("complaintcore.cli.context.Ctx.desk", lambda _self: killed)
    at = NOW.isoformat()
    runner = CliRunner()
    plain = runner.invoke(main, ["--now", at, "verify"])
    assert plain.exit_code == 5, plain.output
    assert "verify --relink" in plain.output
    zh = runner.invoke(main, ["--lang", "zh_CN", "--now", at, "verify"])
    assert zh.exit_code == 5
    assert "关联其问题之前被中断（进程被终止、主机重启）" in zh.output
    fixed = runner.invoke(main, ["--now", at, "verify", "--relink"])
    assert fixed.exit_code == 0, fixed.output
    assert "members linked: 2" in fixed.output
    assert not store.fail_append
