"""Many hands on the same complaints at once: threads and processes, one SQLite file.

Threads share one desk; each process (``spawn``) builds its own with
``Desk.from_config`` on the same file, as separate programs of an office would
(a web front end, a WeChat back end, a cron sweep).  They all start together
at a barrier and act on the same few complaints -- pauses, resumes, interim
replies, with the documented retry: on ``ConcurrencyConflictError`` reload and
decide again -- and sweep deadlines at the same moment.  Afterwards:

* every successful command appended exactly its event, at the version it was
  decided on (no lost update, nothing doubled, versions 1..n contiguous);
* no escalation applied twice: per complaint and clock run, at most one
  ``escalated`` event names the clock, and each was reported by exactly one
  sweeper (ESC-2); each late department reported once (ESC-6);
* the hash chain verifies (REC-5);
* notifications all reach the webhook server exactly once: desks claim outbox
  items from the store before sending, so no two desks (threads or processes)
  send the same one.

Every worker uses the same fixed time: a history must read forwards, so
workers on different clocks would refuse each other's commands.
"""

from __future__ import annotations

import multiprocessing
import random
import sqlite3
import threading
import traceback
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import write_sample_staff
from complaintcore.core.errors import ConcurrencyConflictError, IllegalTransitionError
from complaintcore.core.models import Complainant, Complaint, Escalated, Intake
from complaintcore.core.workflow import Command, Pause, Reply, Resume
from complaintcore.desk import Desk
from complaintcore.desk.access import recipients
from complaintcore.desk.config import DeskConfig
from tests.helpers import SH
from tests.integration.servers import HttpTestServer

T0 = datetime(2025, 11, 10, 9, 30, tzinfo=SH)  # Monday: the complaints come in
ACT_AT = datetime(2025, 11, 10, 11, 0, tzinfo=SH)  # the same morning: everyone acts
FRIDAY = datetime(2025, 11, 14, 9, 0, tzinfo=SH)  # 3 working days are up: sweeps
THREADS = 4
PROCESSES = 3
SUMMARIES = (
    "楼上漏水，天花板渗水",  # engineering
    "楼道垃圾没人打扫，有异味",  # cleaning
    "小区草坪枯死，杂草丛生",  # greening
    "门禁坏了，陌生人随便进出",  # security
)
# Staff of the sunrise site; any of them may pause, resume and reply (IN-2, DL-8).
ACTORS = ("SR-101", "SR-102", "SR-103", "SR-201", "SR-202", "SR-301", "SR-303", "SR-401")


@dataclass(frozen=True)
class Job:
    """What one worker does; picklable, so a spawned process gets it whole."""

    worker: str
    actor: str
    database: str
    staff_file: str
    webhook: str
    complaint_ids: tuple[str, ...]
    now: datetime
    ops: int = 0
    sweeps: int = 0
    seed: int = 0


@dataclass
class Outcome:
    """What one worker did, as plain tuples."""

    worker: str
    acts: list[tuple[str, int, str, str, str]] = field(default_factory=list)
    """(complaint, version after, event kind, actor, tag) per successful command."""
    escalated: list[tuple[str, str]] = field(default_factory=list)
    reported_late: int = 0
    conflicts: int = 0
    refused: int = 0
    sweep_conflicts: int = 0
    error: str = ""


def _config(database: str, staff_file: str, webhook: str, worker: str) -> DeskConfig:
    notifiers: dict[str, Any] = {"log": False}
    if webhook:
        notifiers["webhooks"] = [{"url": webhook, "timeout": 5, "headers": {"X-Worker": worker}}]
    return DeskConfig(database=database, staff_file=staff_file, notifiers=notifiers)


def _act_once(desk: Desk, job: Job, rng: random.Random, step: int, out: Outcome) -> None:
    """One command on one complaint, decided on what is stored; retried until it lands."""
    cid = rng.choice(job.complaint_ids)
    tag = f"{job.worker}/{step}"
    for _attempt in range(500):
        current = desk.get(cid)
        command: Command
        if current.state.paused:
            command, kind = Resume(actor=job.actor), "resumed"
        elif rng.random() < 0.5:
            command, kind = Pause(actor=job.actor, reason=tag), "paused"
        else:
            command, kind = Reply(actor=job.actor, message=tag), "replied"
        try:
            after = desk.act(cid, command, now=job.now)
        except ConcurrencyConflictError:
            out.conflicts += 1  # someone appended first: reload and decide again
            continue
        except IllegalTransitionError:
            out.refused += 1  # paused or resumed meanwhile: reload and decide again
            continue
        out.acts.append((cid, after.version, kind, job.actor, tag if kind != "resumed" else ""))
        return
    raise AssertionError(f"{job.worker}: step {step} never landed")


def _work(desk: Desk, job: Job) -> Outcome:
    out = Outcome(job.worker)
    rng = random.Random(job.seed)
    for step in range(max(job.ops, job.sweeps)):
        if step < job.sweeps:
            report = desk.sweep(job.now)
            out.escalated += list(report.escalated)
            out.reported_late += report.reported_late
            out.sweep_conflicts += report.conflicts
        if step < job.ops:
            _act_once(desk, job, rng, step, out)
    return out


def _process_main(job: Job, start: Any, results: Any) -> None:
    """A separate program: its own desk from the same configuration and file."""
    try:
        desk = Desk.from_config(_config(job.database, job.staff_file, job.webhook, job.worker))
        try:
            start.wait(60)
            results.put(_work(desk, job))
        finally:
            desk.close()
    except BaseException:
        results.put(Outcome(job.worker, error=traceback.format_exc()))


def _run_together(
    desk: Desk, thread_jobs: Sequence[Job], process_jobs: Sequence[Job]
) -> list[Outcome]:
    """Start every worker at one barrier; threads share ``desk``."""
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(len(process_jobs) + 1)
    results = ctx.Queue()
    processes = [
        ctx.Process(target=_process_main, args=(job, start, results), daemon=True)
        for job in process_jobs
    ]
    for p in processes:
        p.start()
    go = threading.Event()
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def thread_main(job: Job) -> None:
        go.wait(60)
        try:
            out = _work(desk, job)
        except BaseException:
            out = Outcome(job.worker, error=traceback.format_exc())
        with lock:
            outcomes.append(out)

    threads = [threading.Thread(target=thread_main, args=(job,)) for job in thread_jobs]
    for t in threads:
        t.start()
    try:
        start.wait(60)  # every process has built its desk
    finally:
        go.set()
    for t in threads:
        t.join(60)
    try:
        for _ in processes:
            outcomes.append(results.get(timeout=60))
    finally:
        for p in processes:
            p.join(10)
            if p.is_alive():  # pragma: no cover - only when a worker hangs
                p.terminate()
    errors = [o.error for o in outcomes if o.error]
    assert not errors, "\n".join(errors)
    assert len(outcomes) == len(thread_jobs) + len(process_jobs)
    return outcomes


@dataclass
class Office:
    desk: Desk
    database: str
    staff_file: str
    http: HttpTestServer


@pytest.fixture
def office(
    tmp_path: Path, http_server: HttpTestServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Office]:
    # The webhook table has no ``proxies`` key: keep environment proxies off 127.0.0.1
    # (spawned processes inherit the environment).
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    staff_file = str(write_sample_staff(tmp_path / "staff.toml"))
    database = str(tmp_path / "complaints.sqlite3")
    desk = Desk.from_config(_config(database, staff_file, http_server.url("/hook"), "threads"))
    try:
        yield Office(desk, database, staff_file, http_server)
    finally:
        desk.close()


def _receive(desk: Desk, count: int) -> list[Complaint]:
    out = []
    for i in range(count):
        out.append(
            desk.receive(
                Intake(
                    complainant=Complainant(
                        "业主" + "甲乙丙丁戊己庚辛"[i % 8],
                        f"137{i:08d}",
                        f"{i % 9 + 1}-1-{i:04d}",
                        str(i % 9 + 1),
                        "sunrise",
                    ),
                    channel="phone",
                    received_at=T0,
                    receiver="SR-103",
                    summary=SUMMARIES[i % 4],
                    site="sunrise",
                ),
                now=T0,
            )
        )
    return out


def _jobs(
    office: Office,
    ids: Sequence[str],
    now: datetime,
    *,
    ops: int,
    sweeps: int,
    thread_sweeps: int | None = None,
) -> tuple[list[Job], list[Job]]:
    threads = [
        Job(
            f"t{i}",
            ACTORS[i],
            office.database,
            office.staff_file,
            "",
            tuple(ids),
            now,
            ops=ops,
            sweeps=sweeps if thread_sweeps is None else thread_sweeps,
            seed=i,
        )
        for i in range(THREADS)
    ]
    processes = [
        Job(
            f"p{i}",
            ACTORS[THREADS + i],
            office.database,
            office.staff_file,
            office.http.url("/hook"),
            tuple(ids),
            now,
            ops=ops,
            sweeps=sweeps,
            seed=100 + i,
        )
        for i in range(PROCESSES)
    ]
    return threads, processes


def _check_history(
    database: str,
    received: dict[str, int],
    outcomes: Sequence[Outcome],
) -> dict[str, Complaint]:
    """Every stored event after intake is one successful act's or one escalation."""
    acts = [a for o in outcomes for a in o.acts]
    by_slot = Counter((cid, version) for cid, version, *_ in acts)
    assert max(by_slot.values()) == 1, "two commands claim the same version: a lost update"
    slots = {(cid, version): (kind, actor, tag) for cid, version, kind, actor, tag in acts}
    with SqliteStore(database) as store:
        chain = store.verify()
        assert chain.ok, chain.problems
        stored = {cid: store.load(cid) for cid in received}
        rows = {r.id: r for r in store.rows()}
    assert chain.events == sum(len(c.events) for c in stored.values())
    for cid, c in stored.items():
        assert rows[cid].version == c.version == len(c.events)
        mine = [v for (i, v) in slots if i == cid]
        assert all(v > received[cid] for v in mine), "an act overwrote intake events"
        paused = False
        for seq, ev in enumerate(c.events, start=1):
            if seq <= received[cid]:
                continue
            if (cid, seq) in slots:
                kind, actor, tag = slots[(cid, seq)]
                assert (ev.kind, ev.actor) == (kind, actor), (cid, seq)
                if kind == "paused":
                    assert ev.reason == tag  # type: ignore[attr-defined]
                elif kind == "replied":
                    assert ev.message == tag  # type: ignore[attr-defined]
            else:  # by a sweep: an escalation, and the routing to the new rung after it
                assert ev.kind in ("escalated", "assigned"), (cid, seq, ev.kind)
                assert ev.actor == "system", (cid, seq)
                if ev.kind == "assigned":
                    assert c.events[seq - 2].kind == "escalated", (cid, seq)
            if ev.kind == "escalated":  # DL-8: a paused clock does not run, nor escalate
                assert not paused, (cid, seq)
            if ev.kind == "paused":  # decided on fresh state: never paused twice
                assert not paused, (cid, seq)
                paused = True
            elif ev.kind == "resumed":
                assert paused, (cid, seq)
                paused = False
    return stored


@pytest.mark.procedure("REC-5")
def test_threads_and_processes_acting_on_the_same_complaints_lose_nothing(
    office: Office,
) -> None:
    complaints = _receive(office.desk, 3)
    received = {c.id: c.version for c in complaints}
    threads, processes = _jobs(office, list(received), ACT_AT, ops=30, sweeps=0)
    outcomes = _run_together(office.desk, threads, processes)

    for o in outcomes:
        assert len(o.acts) == 30, o.worker  # every command landed in the end
    stored = _check_history(office.database, received, outcomes)
    total_acts = sum(len(o.acts) for o in outcomes)
    assert sum(len(c.events) - received[c.id] for c in stored.values()) == total_acts
    # They really did get in each other's way, and recovered by deciding again.
    assert sum(o.conflicts + o.refused for o in outcomes) > 0


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("ESC-5")
@pytest.mark.procedure("ESC-6")
@pytest.mark.procedure("DL-8")
@pytest.mark.procedure("REC-5")
def test_concurrent_sweeps_escalate_each_breach_once(office: Office) -> None:
    complaints = _receive(office.desk, 8)
    received = {c.id: c.version for c in complaints}
    assert {c.state.rung for c in complaints} == {"department_head"}
    # Some workers pause and resume while everyone sweeps: a paused clock does not
    # escalate (DL-8), and resuming must not escalate it a second time.
    # First every worker sweeps at once: the sweepers split the due complaints
    # between them (claimed, so none is swept twice) and every breach escalates.
    # Then workers pause, resume and reply while others keep sweeping; a pause
    # restarts the clocks, so nothing more is due and nothing escalates twice.
    threads, processes = _jobs(office, list(received), FRIDAY, ops=0, sweeps=2)
    outcomes = _run_together(office.desk, threads, processes)
    threads, processes = _jobs(office, list(received)[:3], FRIDAY, ops=6, sweeps=3)
    threads[2:] = [replace(j, ops=0, sweeps=4) for j in threads[2:]]  # sweep only
    outcomes += _run_together(office.desk, threads, processes)

    # Leave nothing paused, then one more sweep: every breach is now dealt with.
    final = Outcome("final")
    for cid in received:
        if office.desk.get(cid).state.paused:
            after = office.desk.act(cid, Resume(actor="SR-102"), now=FRIDAY)
            final.acts.append((cid, after.version, "resumed", "SR-102", ""))
    last = office.desk.sweep(FRIDAY)
    final.escalated, final.reported_late = list(last.escalated), last.reported_late
    outcomes.append(final)

    stored = _check_history(office.database, received, outcomes)
    done = Counter(
        (cid, name)
        for cid, c in stored.items()
        for ev in c.events
        if isinstance(ev, Escalated)
        for name in ev.clock.split(",")
    )
    # Both 3-working-day clocks were missed by every complaint: each is named by
    # exactly one escalation, however many sweepers saw the breach, and reported
    # by the sweeper that won.
    expected = {(cid, clock) for cid in received for clock in ("department_result", "reply")}
    assert set(done) == expected
    assert max(done.values()) == 1
    claimed = Counter(e for o in outcomes for e in o.escalated)
    assert claimed == done
    ladder = [r.code for r in office.desk.pack.ladder]
    for c in stored.values():
        steps = [e for e in c.events if isinstance(e, Escalated)]
        assert [e.from_rung for e in steps] == ["department_head"] + [e.to_rung for e in steps[:-1]]
        assert all(ladder.index(e.to_rung) > ladder.index(e.from_rung) for e in steps)  # ESC-5
        runs = {s.name: s.run for s in office.desk.clocks(c.id, FRIDAY)}
        assert runs["department_result"] == runs["reply"] == 1
    # ESC-6: the late department reported once per complaint (one HR manager on duty).
    assert sum(o.reported_late for o in outcomes) == len(received)
    assert office.desk.sweep(FRIDAY).escalated == ()

    # Notifications: everything reached the webhook, no desk sent a key twice.
    office.desk.deliver(FRIDAY)
    with sqlite3.connect(office.database) as conn:
        keys = {
            k for (k,) in conn.execute("SELECT dedupe_key FROM outbox WHERE notifier = 'webhook'")
        }
        undelivered = conn.execute(
            "SELECT count(*) FROM outbox WHERE delivered_at IS NULL"
        ).fetchone()[0]
    assert undelivered == 0
    posts = office.http.delivered
    assert {p.header("Idempotency-Key") for p in posts} == keys
    per_key = Counter(p.header("Idempotency-Key") for p in posts)
    assert max(per_key.values()) == 1, [k for k, n in per_key.items() if n > 1][:3]
    assert len(posts) == len(keys)
    topics = Counter(
        topic for topic, _key in {(p.json()["topic"], p.header("Idempotency-Key")) for p in posts}
    )
    assert topics["late_department"] == len(received)
    members = office.desk.directory.members()
    assert topics["escalated"] == sum(  # each escalation told its new rung, once
        len(recipients(members, site="sunrise", rung=e.to_rung, at=FRIDAY))
        for c in stored.values()
        for e in c.events
        if isinstance(e, Escalated)
    )


@pytest.mark.procedure("ESC-2")
def test_a_command_during_a_sweep_is_a_meeting_not_a_failure(tmp_path: Path) -> None:
    """A sweep claims a breached complaint at ``now``; a request acts on it a few
    milliseconds later, before the sweep loads it.  The sweep cannot record anything
    before that command: it counts a meeting and leaves the complaint to the next
    sweep, which escalates the breach (s27C F02: reported failed, so `complaintcore
    sweep` exited non-zero on a busy desk)."""
    staff = tmp_path / "staff.toml"
    write_sample_staff(staff)
    desk = Desk.from_config(
        {"database": str(tmp_path / "c.sqlite3"), "staff_file": str(staff), "notifiers": {}}
    )
    monday = datetime(2025, 11, 17, 9, 0, tzinfo=SH)
    owner = Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise")
    stored = desk.receive(
        Intake(
            owner, "phone", monday, "SR-103", "楼下装修噪音太大，周末一早就开始电钻", site="sunrise"
        ),
        now=monday,
    )
    friday = datetime(2025, 11, 21, 9, 0, tzinfo=SH)  # DL-1's 3 working days are past
    later = datetime(2025, 11, 21, 9, 0, 0, 5000, tzinfo=SH)
    claim = desk.store.claim_due

    def claim_then_a_request_acts(now: datetime, limit: int) -> Any:
        batch = claim(now, limit)
        if batch:
            interim = Reply(actor=stored.state.handler, message="正在协调")
            desk.act(stored.id, interim, now=later)
        return batch

    desk.store.claim_due = claim_then_a_request_acts  # type: ignore[method-assign,assignment]
    try:
        report = desk.sweep(friday)
    finally:
        desk.store.claim_due = claim  # type: ignore[method-assign]
    assert report.failed == ()
    assert report.conflicts == 1
    assert report.escalated == ()
    # the claim's lease lapses; the next sweep escalates the missed reply (ESC-2)
    after = desk.sweep(datetime(2025, 11, 21, 9, 10, tzinfo=SH))
    assert (stored.id, "reply") in after.escalated
    desk.close()
