"""complaintcore at a real company's scale: desks of 1k, 10k and 100k complaints.

Builds (once, cached) SQLite desks that hold the first 1,000, 10,000 and
100,000 complaints of one realistic stream -- 60 estates of 12 buildings,
households that complain again, ten kinds of complaint, about 1,000 complaints
a month from September 2017 -- 97 % of them handled and closed one to nine
days after they came in, the rest left open, a sweep every night escalating
what was late, and every message they caused delivered (about three delivered
outbox rows per complaint).  Then times what a host does with them and prints every figure with
its growth factors (10k/1k, 100k/10k), and every target with its measured value
and whether it holds:

* ``sweep``: a sweep with nothing due, and with 1 % of the complaints due (an
  instant chosen from their stored due times; when fewer than 1 % have one,
  every one that has, and the target line names that share instead), each
  followed by the delivery of what it queued (what a cron job runs); at
  100k also with the delivered outbox history deleted, as a ratio;
* ``rows(limit=200)`` through the API, and ``complaintcore list`` as a command
  (wall time against ``complaintcore --help``);
* ``show``: one complaint with its clocks and duties;
* ``report``: the last full month of the desk, and an empty month after it (its
  IMP-4 baseline months hold the desk's complaints);
* ``verify``: the full check, and the incremental one after appending to 1 %
  of the complaints;
* ``intake``: ``Desk.receive_many`` of the stream's next complaints, against a
  raw SQLite writer of the very rows the desk wrote -- the new complaints' rows,
  and the events, ledger and outbox rows intake added to earlier complaints and
  their projection rows' updates -- with the desk's own connection settings
  (journal, synchronous, page cache, WAL checkpoint interval, foreign keys: read
  from the timed desk's own :class:`SqliteStore` connection, so they cannot
  drift), in the same file, schema and triggers, as a ratio.  The raw writer
  commits once per 1,000 complaints where the desk commits about 28 times (its
  HDL-5/IMP-3 groups), and what the desk reads to decide (its earlier rows,
  stored keys) is not read; with ``synchronous = FULL`` (the store's default)
  each of those commits also syncs the WAL, so the desk pays about 28 syncs
  where the raw writer pays one.

Every figure is the median of ``--repeat`` runs, in wall and CPU time
(``time.process_time``, or the child's rusage for commands); the two 1 % sweeps
of the largest desk, whose ratio is a target, are timed in turns and at least
seven times each.  The load average is printed with the run, as the machine may
be shared.  Targets are ratios measured in the same run wherever the target
allows it.  Every copy of a desk that a timing writes to is put on disk first.

    python benchmarks/bench_scale.py                 # 1k, 10k, 100k (first run builds)
    python benchmarks/bench_scale.py --sizes 1000,10000 --repeat 5
    python benchmarks/bench_scale.py --rebuild --report-only

Built desks are kept in ``--cache`` (default: the temp dir), keyed by a hash
of the library's source and of this file's build parameters, so a second run
only times.  Exits 1 when a target is missed, unless ``--report-only``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import inspect
import itertools
import logging
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import complaintcore
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.chain import parse_utc
from complaintcore.adapters.notify.log import LogNotifier
from complaintcore.adapters.seals import settlement_seal
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import staff_from_toml
from complaintcore.core.models import Complainant, Complaint, Intake, Status
from complaintcore.core.workflow import (
    AttachEvidence,
    Close,
    Handle,
    RecordCause,
    Reply,
    Report,
    Visit,
    decide,
    evolve,
)
from complaintcore.desk import Desk
from complaintcore.desk.ports import VerifyReport
from complaintcore.rules import load_pack

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2017, 9, 1, 8, tzinfo=SH)
PER_MONTH = 1000
STEP = timedelta(days=365.25 / 12) / PER_MONTH
"""About 1,000 complaints a month: a desk of N complaints covers N/1,000 months."""
CLOSED_SHARE = 0.97
"""Complaints the office closes, one to nine days after receiving them; the rest stay
open and are escalated by the nightly sweeps."""
BUILD_VERSION = 2
"""Bump when the way desks are built changes (the cache key includes it)."""

SITES = [f"estate-{i:02d}" for i in range(1, 61)]
BUILDINGS, UNITS, FLOORS, FLATS = 12, 3, 20, 4
WORDINGS: tuple[tuple[int, tuple[str, ...]], ...] = (
    # (weight, wordings) of one kind of complaint; the pack's keywords classify them
    (
        24,
        ("楼上漏水，天花板渗水", "卫生间水管漏水，墙皮脱落发霉", "water leaking from the ceiling"),
    ),
    (12, ("电梯又坏了，困梯二十分钟", "楼道灯不亮一个多星期了", "The lift is broken again")),
    (12, ("物业费账单多收了两个月", "水费收费不合理，账单有误", "I was overcharged on my bill")),
    (11, ("楼上装修电钻声太吵，严重扰民", "半夜有人在楼下吵闹", "Loud drilling upstairs")),
    (9, ("楼道垃圾三天没人清扫，有异味", "垃圾房太臭了，蟑螂很多", "The bins are overflowing")),
    (9, ("地库车位被别人长期占用", "小区里乱停车，消防通道被堵", "Someone parks in my space")),
    (7, ("前台客服态度不耐烦", "保安态度很差，还顶撞业主", "The receptionist was rude")),
    (6, ("单元门禁坏了，陌生人随便进出", "车棚电动车被盗，监控没拍到", "My bike was stolen")),
    (5, ("小区绿化带杂草丛生", "草坪很久没修剪", "The lawn has not been trimmed")),
    (5, ("快递柜不够用", "公告栏的通知总是过期", "The notice board is out of date")),
)
CHANNELS = ("phone", "phone", "phone", "in_person", "in_person", "hotline", "web", "written")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志"
REPEAT_SHARE = 0.125
"""Complaints by a household that complained in the last 90 days."""
SAME_AGAIN = 0.7

# --------------------------------------------------------------------------- the stream


@dataclass(frozen=True)
class Household:
    site: str
    building: str
    room: str
    phones: tuple[str, ...]
    name: str


def _household(rng: random.Random) -> Household:
    site = rng.choice(SITES)
    b = 1 + rng.randrange(BUILDINGS)
    unit, floor, flat = rng.randrange(UNITS), rng.randrange(FLOORS - 1), rng.randrange(FLATS)
    phones = tuple(
        f"1{rng.choice('3589')}{rng.randrange(10**9):09d}" for _ in range(rng.choice((1, 1, 2)))
    )
    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(("", *GIVEN))
    return Household(site, str(b), f"{b}-{1 + unit}-{2 + floor}{1 + flat:02d}", phones, name)


def stream(total: int, seed: int = 2017) -> list[Intake]:
    """The first ``total`` complaints of the stream, in time order (a prefix is a prefix:
    the first n of any longer run are the same complaints)."""
    rng = random.Random(seed)
    kinds = [w for _, w in WORDINGS]
    weights = [w for w, _ in WORDINGS]
    recent: list[tuple[datetime, Household, int]] = []
    out: list[Intake] = []
    for i in range(total):
        at = START + STEP * i + STEP * (0.9 * rng.random())
        at = at.replace(microsecond=0)
        if i % 512 == 0:
            recent = [r for r in recent if at - r[0] <= timedelta(days=90)]
        if recent and rng.random() < REPEAT_SHARE:
            _when, who, kind = rng.choice(recent)
            if rng.random() >= SAME_AGAIN:
                kind = rng.choices(range(len(kinds)), weights)[0]
        else:
            who = _household(rng)
            kind = rng.choices(range(len(kinds)), weights)[0]
        recent.append((at, who, kind))
        out.append(
            Intake(
                complainant=Complainant(
                    who.name, rng.choice(who.phones), who.room, who.building, who.site
                ),
                channel=rng.choice(CHANNELS),
                received_at=at,
                receiver=f"{_prefix(who.site)}-SR-103",
                summary=rng.choice(kinds[kind]),
                site=who.site,
                idempotency_key=f"scale-{seed}-{i}",
            )
        )
    return out


def _prefix(site: str) -> str:
    return "E" + site.rsplit("-", 1)[1]


# --------------------------------------------------------------------------- the desk files


def staff_text() -> str:
    """The packaged sample staff: head office as it is, the "sunrise" site's staff
    copied to each of the 60 estates (ids prefixed), "riverside" left out."""
    sample = (Path(complaintcore.__file__).parent / "data" / "sample-staff.toml").read_text(
        encoding="utf-8"
    )
    head, *blocks = sample.split("\n[[staff]]\n")
    keep = [b for b in blocks if 'site = "*"' in b]
    site_blocks = [b for b in blocks if 'site = "sunrise"' in b]
    out = [head, *("\n[[staff]]\n" + b for b in keep)]
    for site in SITES:
        p = _prefix(site)
        for b in site_blocks:
            text = b.replace('site = "sunrise"', f'site = "{site}"')
            text = text.replace('staff_id = "SR-', f'staff_id = "{p}-SR-')
            out.append("\n[[staff]]\n" + text)
    return "".join(out)


def pack_text() -> str:
    """cn-property with a calendar from 2017, so eight years of history fit in it."""
    from complaintcore import rules

    shipped = Path(rules.__file__).parent / "cn-property.toml"
    text = shipped.read_text(encoding="utf-8")
    if "first_year = 2024" not in text:
        raise SystemExit("cn-property.toml no longer says first_year = 2024; update bench_scale")
    return text.replace("first_year = 2024", "first_year = 2017")


CONFIG = """database = "desk.sqlite3"
pack = "pack.toml"
staff_file = "staff.toml"

[notifiers]
log = true
"""


def write_desk_files(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "staff.toml").write_text(staff_text(), encoding="utf-8")
    (directory / "pack.toml").write_text(pack_text(), encoding="utf-8")
    (directory / "complaintcore.toml").write_text(CONFIG, encoding="utf-8")


def open_desk(directory: Path) -> Desk:
    """The desk as a host builds it, with the log channel (as ``complaintcore init``
    writes it).  Logging is off: sending costs nothing, delivering is measured."""
    pack = load_pack(str(directory / "pack.toml"))
    staff = staff_from_toml((directory / "staff.toml").read_text(encoding="utf-8"), pack=pack)
    return Desk(
        pack=pack,
        store=SqliteStore(directory / "desk.sqlite3"),
        directory=staff,
        calendar=calendar_for_spec(pack.calendar),
        notifiers=[LogNotifier(name="log")],
    )


# --------------------------------------------------------------------------- building


def code_key() -> str:
    """The library's source and this file's build parameters: a cached desk is
    reused only by the code that built it."""
    digest = hashlib.sha256(f"build {BUILD_VERSION} {PER_MONTH} {START}".encode())
    for fn in (stream, staff_text, pack_text, open_desk, build, _close, _closing, _close_after):
        digest.update(inspect.getsource(fn).encode())
    root = Path(complaintcore.__file__).parent
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".toml", ".json") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _quiet_delivery(desk: Desk) -> Callable[[], None]:
    """While building, messages are queued but not sent one by one (they are all
    marked delivered at the end); returns the undo."""
    if "_deliver_due" not in dir(desk):
        return lambda: None
    desk._deliver_due = lambda now, limit=200: (0, 0)  # type: ignore[method-assign]
    return lambda: delattr(desk, "_deliver_due")


def _closing(complaint: Complaint, desk: Desk) -> list[Any]:
    """The commands that close a complaint the usual way: handled, answered,
    visited (satisfied), its cause analysed, closed with the complainant's word."""
    actor = complaint.state.handler
    return [
        Handle(actor=actor, result="已处理完毕 / done"),
        Reply(actor=actor, message="已处理完毕，请您确认 / done, please confirm", final=True),
        Report(
            actor=actor, content="漏水已修复 / the leak is fixed", result="业主满意 / satisfied"
        ),
        Visit(actor=actor, satisfied=True, opinion="满意 / satisfied"),
        RecordCause(
            actor=actor,
            cause="hardware",
            corrective="已修复 / repaired",
            preventive="纳入巡检 / added to the rounds",
        ),
        Close(actor=actor, result="业主确认满意 / confirmed", confirmed_by_complainant=True),
    ]


def _close_after(cid: str) -> timedelta:
    """How long a complaint the office closes takes: one to nine days."""
    return timedelta(days=1 + int(_hash_share(cid[::-1]) * 9))


def _close(desk: Desk, cid: str, when: datetime, now: datetime) -> bool:
    """Close ``cid`` at ``when`` (or after its latest event); True once it is closed
    or can never be (not open any more), False to try again later."""
    complaint = desk.get(cid)
    if not complaint.is_open or not complaint.state.handler:
        return True
    events: list[Any] = []
    after = complaint
    t = max(when, complaint.events[-1].at + timedelta(minutes=30))
    if t + timedelta(hours=15) > now:
        return False
    for command in _closing(complaint, desk):
        try:
            more = decide(after, command, desk.pack, t)
        except complaintcore.ComplaintCoreError:
            continue  # a step this complaint's state does not take (already done)
        after = evolve(after, more)
        events += more
        t += timedelta(hours=3)
    if not events or after.state.status is not Status.CLOSED:
        return True  # this one stays open
    desk._commit(complaint, events, t)
    return True


def settle(desk: Desk, now: datetime) -> int:
    """Sweep until nothing is due at ``now`` (what cron would have done by then)."""
    total = 0
    for _ in range(12):
        report = desk.sweep(now)
        total += report.examined
        if report.examined == 0:
            break
    return total


def build(target: Path, previous: Path | None, n: int, intakes: Sequence[Intake]) -> None:
    """Extend the desk of ``previous`` (or a new one) to the first ``n`` complaints.

    Built beside ``target`` and renamed to it once whole: a run stopped part-way
    (``timeout``, Ctrl-C) leaves no desk the next run would take as built (the
    copied ``now.txt`` of ``previous`` marked it so)."""
    started = time.perf_counter()
    directory = target.with_name(f"{target.name}.part")
    if directory.exists():
        shutil.rmtree(directory)
    if previous is not None:
        shutil.copytree(previous, directory)
    else:
        write_desk_files(directory)
    desk = open_desk(directory)
    undo = _quiet_delivery(desk)
    with contextlib.closing(desk.store):
        have, _items = desk_size(directory)
        pool: list[tuple[datetime, str]] = []  # (when to close it, id)
        if have:
            for row in desk.rows(status=None):
                if row.status != Status.CLOSED.value and _hash_share(row.id) < CLOSED_SHARE:
                    pool.append((row.received_at + _close_after(row.id), row.id))
        now = intakes[max(have - 1, 0)].received_at
        for part in _days(intakes[have:n]):
            # received as they come: each day's complaints in one batch at the day's end
            now = part[-1].received_at + timedelta(minutes=5)
            for result in desk.receive_many(part, now=now, validity="valid", batch=len(part)):
                if isinstance(result, Exception):
                    raise result
                if _hash_share(result.id) < CLOSED_SHARE:
                    pool.append((result.intake.received_at + _close_after(result.id), result.id))
            keep: list[tuple[datetime, str]] = []
            for when, cid in pool:
                if when > now or not _close(desk, cid, when, now):
                    keep.append((when, cid))
            pool = keep
            desk.sweep(now)  # the nightly cron job
            have += len(part)
            if have % 1000 < len(part):
                print(f"    {have:,} received", end="\r", file=sys.stderr)
        undo()
        swept = settle(desk, now)
    conn = sqlite3.connect(directory / "desk.sqlite3")
    with conn:
        conn.execute(
            "UPDATE outbox SET delivered_at = created_at, attempts = 1 WHERE delivered_at IS NULL"
        )
    conn.close()
    _seal_settled(directory)
    (directory / "now.txt").write_text(now.isoformat(), encoding="utf-8")
    directory.rename(target)
    complaints, items = desk_size(target)
    print(
        f"  built the {n:,} desk in {time.perf_counter() - started:.0f} s: {complaints:,}"
        f" complaints, {items:,} delivered outbox rows, {swept:,} swept at the end",
        file=sys.stderr,
    )


def _days(intakes: Sequence[Intake]) -> Iterator[list[Intake]]:
    """The intakes a calendar day (in Shanghai) at a time."""
    part: list[Intake] = []
    for intake in intakes:
        if part and intake.received_at.date() != part[-1].received_at.date():
            yield part
            part = []
        part.append(intake)
    if part:
        yield part


def _hash_share(cid: str) -> float:
    return int(hashlib.sha256(cid.encode()).hexdigest()[:8], 16) / 2**32


def desk_size(directory: Path) -> tuple[int, int]:
    db = directory / "desk.sqlite3"
    if not db.exists():
        return 0, 0
    conn = sqlite3.connect(db)
    try:
        return (
            conn.execute("SELECT count(*) FROM complaints").fetchone()[0],
            conn.execute("SELECT count(*) FROM outbox").fetchone()[0],
        )
    except sqlite3.OperationalError:
        return 0, 0
    finally:
        conn.close()


def desks(sizes: Sequence[int], cache: Path, rebuild: bool, stale_ok: bool) -> dict[int, Path]:
    key = code_key()
    root = cache / f"complaintcore-bench-scale-{key}"
    older = sorted(
        (p for p in cache.glob("complaintcore-bench-scale-*") if p != root and p.is_dir()),
        key=lambda p: p.stat().st_mtime,
    )
    if stale_ok and older and not root.exists():
        root = older.pop()  # while developing: desks built by earlier code, migrated on open
        print(f"reusing desks built by other code: {root}", file=sys.stderr)
    if rebuild and root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    for old in older:
        shutil.rmtree(old, ignore_errors=True)  # built by other code: never reused
    wanted = sorted(set(sizes))
    intakes = stream(max(wanted) + INTAKE_EXTRA)
    out: dict[int, Path] = {}
    previous: Path | None = None
    for n in wanted:
        target = root / f"desk-{n}"
        if not (target / "now.txt").exists():
            if target.exists():
                shutil.rmtree(target)
            print(f"building the {n:,} desk (cached in {root}) ...", file=sys.stderr)
            build(target, previous, n, intakes)
        elif stale_ok:
            _rows_up_to_date(target, key)
        out[n] = target
        previous = target
    return out


def _seal_settled(directory: Path) -> int:
    """Seal the outbox rows the builder marked delivered by hand as the library seals
    a delivery, so that ``verify`` on the desk is a clean check and its timing that
    of one (review s53R7 F02: unsealed, every row was reported as tampered)."""
    conn = sqlite3.connect(directory / "desk.sqlite3")
    try:
        rows = conn.execute(
            "SELECT id, notifier, dedupe_key, complaint_id, delivered_at, dropped_at,"
            " drop_reason, dropped_by, dropped_os_user FROM outbox"
            " WHERE seal = '' AND (delivered_at IS NOT NULL OR dropped_at IS NOT NULL)"
        ).fetchall()
        with conn:
            conn.executemany(
                "UPDATE outbox SET seal = ? WHERE id = ?",
                (
                    (
                        settlement_seal(
                            notifier,
                            key,
                            cid,
                            parse_utc(delivered) if delivered else None,
                            parse_utc(dropped) if dropped else None,
                            reason,
                            by,
                            os_user,
                        ),
                        item,
                    )
                    for item, notifier, key, cid, delivered, dropped, reason, by, os_user in rows
                ),
            )
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return len(rows)
    finally:
        conn.close()


def _rows_up_to_date(target: Path, key: str) -> None:
    """A desk built by other code (``--stale-ok``): migrated and its projection rows
    rewritten once under this code, as the first sweep after an upgrade does, so
    that no timed sweep pays for it.  Done once per code (a marker file)."""
    marker = target / f"rows-{key}.txt"
    if marker.exists():
        return
    print(f"bringing the rows of {target.name} up to date ...", file=sys.stderr)
    _seal_settled(target)  # built before the builder sealed its deliveries
    desk = open_desk(target)
    with contextlib.closing(desk.store):
        rewritten = desk.reproject(desk_now(target))
    marker.write_text(f"{len(rewritten)} rows rewritten\n", encoding="utf-8")


INTAKE_EXTRA = 5000
"""Complaints of the stream after each desk's last, received in the intake timing."""


# --------------------------------------------------------------------------- timing


@dataclass
class Figure:
    """One measured quantity per desk size: medians of wall and CPU seconds."""

    name: str
    unit: str = "s"
    wall: dict[int, float] = field(default_factory=dict)
    cpu: dict[int, float] = field(default_factory=dict)
    note: str = ""


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


class Timer:
    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def __enter__(self) -> Timer:
        self._w, self._c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._w
        self.cpu = time.process_time() - self._c


def scratch_copy(source: Path, scratch: Path) -> Path:
    """A fresh copy of a cached desk for a timing that writes to it."""
    target = scratch / f"{source.name}-{time.monotonic_ns()}"
    shutil.copytree(source, target)
    _flush(target)
    return target


def _flush(directory: Path) -> None:
    """Put a fresh copy on disk before it is timed: otherwise the first fsync of
    whoever writes to it (a checkpoint) also pays for writing out the copy."""
    for path in directory.iterdir():
        if not path.is_file():  # the group locks' directory beside the database
            continue
        with path.open("rb+") as f:
            os.fsync(f.fileno())


def desk_now(directory: Path) -> datetime:
    return datetime.fromisoformat((directory / "now.txt").read_text(encoding="utf-8"))


def one_percent_due(directory: Path, n: int) -> datetime:
    """The instant by which 1 % of the desk's complaints are due for a sweep, chosen
    from their stored due times.  When fewer than 1 % have a due time (an old
    desk's open complaints mostly sit at the top rung), every complaint that has
    one: the sweep reports how many it examined, and the target line names that
    count rather than 1 % (:func:`due_share`)."""
    want = n // 100
    conn = sqlite3.connect(directory / "desk.sqlite3")
    try:
        times = [
            r[0]
            for r in conn.execute(
                "SELECT next_due FROM projection WHERE next_due IS NOT NULL"
                " ORDER BY next_due LIMIT ?",
                (2 * want + 1,),
            )
        ]
    finally:
        conn.close()
    if not times:
        raise SystemExit("no complaint has anything due")
    if len(times) <= want:
        # An old desk's open complaints mostly sit at the top rung with nothing left
        # to escalate (no due time): then every complaint with a due time is due.
        print(f"only {len(times):,} complaints have a due time: all of them due", file=sys.stderr)
        return datetime.fromisoformat(times[-1])
    # Deadlines cluster (18:00 of a working day): of the instants that end a cluster,
    # the one making the share due closest to 1 %.
    ends = [i for i in range(len(times)) if i + 1 == len(times) or times[i + 1] != times[i]]
    best = min(ends, key=lambda i: abs(i + 1 - want))
    return datetime.fromisoformat(times[best])


def time_sweep(
    directory: Path, scratch: Path, now: datetime, *, drop_delivered: bool = False
) -> tuple[float, float, int]:
    copy = scratch_copy(directory, scratch)
    try:
        if drop_delivered:
            conn = sqlite3.connect(copy / "desk.sqlite3")
            with conn:
                conn.execute("DELETE FROM outbox WHERE delivered_at IS NOT NULL")
            conn.execute("VACUUM")
            conn.close()
            _flush(copy)
        desk = open_desk(copy)
        with contextlib.closing(desk.store), Timer() as t:
            report = desk.sweep(now)
            desk.deliver(now)
        return t.wall, t.cpu, report.examined
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def time_incremental_verify(directory: Path, scratch: Path) -> tuple[float, float]:
    """``verify(since=head)`` after an event is appended to 1 % of the complaints
    (evidence attached by each one's handler: accepted in any status), on a copy;
    the head is the one a clean check printed before the appends."""
    copy = scratch_copy(directory, scratch)
    try:
        desk = open_desk(copy)
        with contextlib.closing(desk.store):
            head = desk.store.ledger_head()
            rows = [r for r in desk.store.rows() if r.handler]
            later = desk_now(directory) + timedelta(minutes=5)
            for row in rows[::100][: max(1, len(rows) // 100)]:
                desk.act(
                    row.id,
                    AttachEvidence(actor=row.handler, reference="photo-after-repair.jpg"),
                    now=later,
                )
            with Timer() as t:
                report = desk.verify(since=head)
            if not report.ok or not report.incremental:
                raise SystemExit(f"incremental verify of the {len(rows):,} desk failed")
        return t.wall, t.cpu
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def time_calls(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(repeat):
        with Timer() as t:
            fn()
        walls.append(t.wall)
        cpus.append(t.cpu)
    return median(walls), median(cpus)


def run_command(args: Sequence[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one command, from the child's rusage."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["COMPLAINTCORE_LANG"] = "en"
    env["COLUMNS"] = str(COLUMNS)
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(args), cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"{' '.join(args)} failed ({status}): {err[-500:]}")
    if proc.stderr:
        proc.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime


COLUMNS = 200
"""The terminal width commands are run at: wide enough for ``list``'s ten columns
(at 80 it crops every cell, and rich spends a third more time doing so)."""


def command_line() -> list[str]:
    script = Path(sys.executable).parent / "complaintcore"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "complaintcore.cli.app"]


# --------------------------------------------------------------------------- intake vs raw


def time_intake(directory: Path, scratch: Path, n: int) -> tuple[float, float, float, int]:
    """(desk wall, desk cpu, raw wall, complaints) for the stream's next complaints."""
    intakes = stream(n + INTAKE_EXTRA)[n:]
    a = scratch_copy(directory, scratch)
    b = scratch_copy(directory, scratch)
    try:
        before = _marks(a / "desk.sqlite3")
        desk = open_desk(a)
        with contextlib.closing(desk.store):
            assert isinstance(desk.store, SqliteStore)
            pragmas = desk_pragmas(desk.store)
            stored = 0
            with Timer() as t:
                for lo in range(0, len(intakes), 1000):
                    part = intakes[lo : lo + 1000]
                    now = part[-1].received_at + timedelta(minutes=1)
                    for result in desk.receive_many(part, now=now, validity="valid", batch=1000):
                        if isinstance(result, Exception):
                            raise result
                        stored += 1
        rows = _new_rows(a / "desk.sqlite3", before)
        raw = raw_write(b / "desk.sqlite3", rows, pragmas)
        return t.wall, t.cpu, raw, stored
    finally:
        shutil.rmtree(a, ignore_errors=True)
        shutil.rmtree(b, ignore_errors=True)


def _tables(conn: sqlite3.Connection) -> list[tuple[str, bool, list[str]]]:
    """(table, has a rowid, columns) of every table of the file."""
    out = []
    for name, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
        " AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ):
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({name})")]
        out.append((name, "WITHOUT ROWID" not in sql.upper(), cols))
    return out


def _marks(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        marks = {}
        for name, rowid, _cols in _tables(conn):
            if rowid:
                marks[name] = conn.execute(
                    f"SELECT coalesce(max(rowid), 0) FROM {name}"
                ).fetchone()[0]
        marks["__complaints__"] = conn.execute("SELECT count(*) FROM complaints").fetchone()[0]
        marks["__ledger__"] = conn.execute("SELECT coalesce(max(seq), 0) FROM ledger").fetchone()[0]
        return marks
    finally:
        conn.close()


@dataclass
class NewRows:
    """What the desk inserted, table by table, grouped by complaint in intake order."""

    order: list[str]
    tables: list[tuple[str, list[str], dict[str, list[tuple[Any, ...]]], list[tuple[Any, ...]]]]
    updates: list[tuple[str, list[str], list[tuple[Any, ...]]]] = field(default_factory=list)
    """(table, columns, rows) of earlier complaints' rows intake changed (projection)."""


def _new_rows(db: Path, before: dict[str, int]) -> NewRows:
    conn = sqlite3.connect(db)
    try:
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM complaints WHERE rowid > ? ORDER BY rowid",
                (before.get("complaints", 0),),
            )
        ]
        new = set(ids)
        # the keys lead with the tenant: without it every lookup below scans its table
        tenant = conn.execute("SELECT tenant FROM complaints LIMIT 1").fetchone()[0]
        tables = []
        updates: list[tuple[str, list[str], list[tuple[Any, ...]]]] = []
        for name, rowid, cols in _tables(conn):
            link = "id" if name in ("complaints", "projection") else "complaint_id"
            if rowid and name in before:
                found = conn.execute(
                    f"SELECT {', '.join(cols)} FROM {name} WHERE rowid > ? ORDER BY rowid",
                    (before[name],),
                ).fetchall()
            elif name == "ledger":  # every entry since, earlier complaints' too
                found = conn.execute(
                    f"SELECT {', '.join(cols)} FROM ledger WHERE seq > ? ORDER BY tenant, seq",
                    (before["__ledger__"],),
                ).fetchall()
            elif name == "events":  # the new complaints' and those appended to earlier ones
                touched = sorted(
                    {
                        r[0]
                        for r in conn.execute(
                            "SELECT complaint_id FROM ledger WHERE seq > ?", (before["__ledger__"],)
                        )
                    }
                    - new
                )
                found = []
                for cid in [*ids, *touched]:
                    found += conn.execute(
                        f"SELECT {', '.join(cols)} FROM events"
                        " WHERE tenant = ? AND complaint_id = ? ORDER BY seq",
                        (tenant, cid),
                    ).fetchall()
                earlier = {  # the version (its events) each had at the mark
                    cid: conn.execute(
                        "SELECT coalesce(max(version), 0) FROM ledger"
                        " WHERE tenant = ? AND complaint_id = ? AND seq <= ?",
                        (tenant, cid, before["__ledger__"]),
                    ).fetchone()[0]
                    for cid in touched
                }
                updates = [
                    (
                        "projection",
                        list(_columns(conn)),
                        [
                            conn.execute(
                                f"SELECT {', '.join(_columns(conn))} FROM projection"
                                " WHERE tenant = ? AND id = ?",
                                (tenant, cid),
                            ).fetchone()
                            for cid in touched
                        ],
                    )
                ]
                seq = cols.index("seq")
                cid_at = cols.index("complaint_id")
                found = [r for r in found if r[cid_at] in new or r[seq] > earlier[r[cid_at]]]
            elif link in cols:
                marks = ",".join("?" * len(ids))
                found = (
                    conn.execute(
                        f"SELECT {', '.join(cols)} FROM {name} WHERE {link} IN ({marks})", ids
                    ).fetchall()
                    if ids
                    else []
                )
            else:
                continue
            by: dict[str, list[tuple[Any, ...]]] = {}
            loose: list[tuple[Any, ...]] = []
            where = cols.index(link) if link in cols else None
            for r in found:
                if where is not None and r[where] in new:
                    by.setdefault(r[where], []).append(r)
                else:
                    loose.append(r)
            tables.append((name, cols, by, loose))
        return NewRows(ids, tables, updates)
    finally:
        conn.close()


def _columns(conn: sqlite3.Connection) -> list[str]:
    """The projection's columns, as the file has them."""
    return [r[1] for r in conn.execute("PRAGMA table_info(projection)")]


DESK_PRAGMAS = ("journal_mode", "synchronous", "cache_size", "wal_autocheckpoint", "foreign_keys")
"""The connection settings a desk's store runs with that change what writing costs."""


def desk_pragmas(store: SqliteStore) -> dict[str, Any]:
    """The values of :data:`DESK_PRAGMAS` on a connection of the desk's own store (the
    one timed, so its ``synchronous`` -- ``full`` unless the desk asked for ``normal``
    -- is the raw writer's too: both pay the same WAL sync per commit)."""
    conn = store._conn()
    return {p: conn.execute(f"PRAGMA {p}").fetchone()[0] for p in DESK_PRAGMAS}


def raw_write(db: Path, rows: NewRows, pragmas: dict[str, Any]) -> float:
    """Insert the same rows with plain sqlite3, with the desk's connection settings
    (``pragmas``, read by :func:`desk_pragmas` from the store of the timed desk: the
    raw writer must not pay for a smaller cache, more frequent checkpoints or
    more syncs than the desk), one transaction per 1,000 complaints; the rows of
    earlier complaints and their projection updates in the last; seconds
    taken."""
    conn = sqlite3.connect(db, isolation_level=None)
    for name, value in pragmas.items():
        conn.execute(f"PRAGMA {name} = {value}")
    order = ["tenants", "complaints", "events", "projection"]
    tables = sorted(rows.tables, key=lambda t: order.index(t[0]) if t[0] in order else 99)
    statements = {
        name: f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        for name, cols, _by, _loose in tables
    }
    batches = [rows.order[i : i + 1000] for i in range(0, len(rows.order), 1000)]
    started = time.perf_counter()
    for k, batch in enumerate(batches):
        conn.execute("BEGIN")
        for name, _cols, by, loose in tables:
            data = [r for cid in batch for r in by.get(cid, ())]
            if k == len(batches) - 1:
                data += loose
            if data:
                conn.executemany(statements[name], data)
        if k == len(batches) - 1:
            for name, cols, changed in rows.updates:
                sets = ", ".join(f"{c} = ?" for c in cols)
                conn.executemany(
                    f"UPDATE {name} SET {sets} WHERE tenant = ? AND id = ?",
                    [(*r, r[cols.index("tenant")], r[cols.index("id")]) for r in changed],
                )
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


# --------------------------------------------------------------------------- the run


def months_of(directory: Path) -> tuple[tuple[int, int], tuple[int, int]]:
    """(the last full month of the desk, an empty month)."""
    now = desk_now(directory).astimezone(SH)
    year, month = (now.year, now.month - 1) if now.month > 1 else (now.year - 1, 12)
    return (year, month), empty_month(directory)[0]


def empty_month(directory: Path) -> tuple[tuple[int, int], datetime]:
    """A month with no complaint *after* the desk's history began, and a moment after
    it ends to report it at: the month after the desk's own (the stream leaves no
    month empty).  Its IMP-4 baseline months hold the desk's complaints, so the
    report has the work a real empty month has; a month before the stream's first
    would have an empty baseline too (review s27A F05)."""
    now = desk_now(directory).astimezone(SH)
    year, month = (now.year, now.month + 1) if now.month < 12 else (now.year + 1, 1)
    after = (year, month + 1) if month < 12 else (year + 1, 1)
    return (year, month), datetime(*after, 1, 9, tzinfo=SH)


def monthly(desk: Desk, month: tuple[int, int], now: datetime) -> object:
    """The monthly report as a host asks for it (``report --month`` does the same)."""
    return desk.monthly_report(*month, now=now)


def sample_ids(directory: Path, k: int) -> list[str]:
    conn = sqlite3.connect(directory / "desk.sqlite3")
    try:
        ids = [r[0] for r in conn.execute("SELECT id FROM complaints ORDER BY id")]
    finally:
        conn.close()
    return random.Random(7).sample(ids, min(k, len(ids)))


@dataclass
class Results:
    sizes: list[int]
    figures: dict[str, Figure] = field(default_factory=dict)
    extra: dict[str, float] = field(default_factory=dict)

    def put(self, name: str, n: int, wall: float, cpu: float, unit: str = "s") -> None:
        fig = self.figures.setdefault(name, Figure(name, unit))
        fig.wall[n] = wall
        fig.cpu[n] = cpu


def measure(built: dict[int, Path], repeat: int, scratch: Path) -> Results:
    res = Results(sorted(built))
    cli = command_line()
    top = max(built)
    for n, directory in sorted(built.items()):
        print(f"timing the {n:,} desk ...", file=sys.stderr)
        now = desk_now(directory)
        due_at = one_percent_due(directory, n)
        # sweeps write: each on a fresh copy
        runs = [time_sweep(directory, scratch, now) for _ in range(repeat)]
        res.put("sweep, nothing due (+ delivery)", n, *_med(runs))
        if n == top:
            # with and without the delivered history, in turns and more often: a
            # sweep's CPU time varies by a sixth from copy to copy, and the target
            # is their ratio
            runs, bare = [], []
            for _ in range(max(repeat, SWEEP_PAIRS)):
                runs.append(time_sweep(directory, scratch, due_at))
                bare.append(time_sweep(directory, scratch, due_at, drop_delivered=True))
        else:
            runs, bare = [time_sweep(directory, scratch, due_at) for _ in range(repeat)], []
        res.put(SWEEP_DUE, n, *_med(runs))
        res.extra[f"swept {n}"] = runs[0][2]
        if bare:
            res.put(SWEEP_BARE, n, *_med(bare))
        measure_reads(res, n, directory, repeat)
        runs = [time_incremental_verify(directory, scratch) for _ in range(repeat)]
        res.put("verify, incremental (1 % appended)", n, *_med(runs))
        # commands: warmed up once (byte code written), then timed
        for args, name in ((["--help"], "complaintcore --help"), (["list"], "complaintcore list")):
            run_command([*cli, *args], directory)
            res.put(name, n, *_med([run_command([*cli, *args], directory) for _ in range(repeat)]))
        runs_i = [time_intake(directory, scratch, n) for _ in range(repeat)]
        stored = runs_i[0][3]
        res.put("intake (desk)", n, median([r[0] for r in runs_i]), median([r[1] for r in runs_i]))
        res.put(
            "intake (raw SQLite writer)",
            n,
            median([r[2] for r in runs_i]),
            median([r[2] for r in runs_i]),
        )
        res.extra[f"intake n {n}"] = stored
    return res


def measure_reads(res: Results, n: int, directory: Path, repeat: int) -> None:
    """What reads the desk: rows, show, report, verify (one desk, opened untimed)."""
    now = desk_now(directory)
    desk = open_desk(directory)
    with contextlib.closing(desk.store):
        calls = max(repeat, 21)  # milliseconds each: a median of many resists a busy machine
        res.put("rows(limit=200)", n, *time_calls(lambda: desk.rows(limit=200), calls))
        res.put(
            "rows(limit=200, order='due')",
            n,
            *time_calls(lambda: desk.rows(limit=200, order="due"), calls),
        )
        ids = sample_ids(directory, 20)

        def show() -> None:
            for cid in ids:
                desk.get(cid)
                desk.clocks(cid, now)
                desk.duties(cid, now)

        wall, cpu = time_calls(show, calls)
        res.put("show (one complaint, clocks, duties)", n, wall / len(ids), cpu / len(ids))
        busy, empty = months_of(directory)
        later = empty_month(directory)[1]
        res.put("report, last full month", n, *time_calls(lambda: monthly(desk, busy, now), repeat))
        res.put("report, empty month", n, *time_calls(lambda: monthly(desk, empty, later), repeat))
        reports: list[VerifyReport] = []
        res.put("verify, full", n, *time_calls(lambda: reports.append(desk.verify()), repeat))
        if not all(r.ok for r in reports):  # a failing check is no timing of a clean one
            raise SystemExit(f"full verify of the {n:,} desk failed: {reports[0].problems[:3]}")


SWEEP_DUE = "sweep, 1 % due (+ delivery)"
SWEEP_BARE = "sweep, 1 % due, no delivered history"
"""Figure names: "1 %" is the share asked for; the target line names the share swept."""


def due_share(res: Results, n: int) -> str:
    """What the "1 %" sweeps of ``n`` complaints had due: "1 %" only when that is
    what was swept (within a tenth of it), else the count swept ("207 of 100,000")."""
    due = int(res.extra.get(f"swept {n}", 0))
    if abs(100 * due / n - 1) <= 0.1:
        return "1 %"
    return f"{due:,} of {n:,}"


SWEEP_PAIRS = 7
"""Sweeps timed with and without the delivered history at the largest size (at least)."""


def _med(runs: Sequence[tuple[float, ...]]) -> tuple[float, float]:
    return median([r[0] for r in runs]), median([r[1] for r in runs])


def _fmt(seconds: float) -> str:
    if seconds != seconds:
        return "-"
    if seconds < 0.01:
        return f"{seconds * 1000:.2f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


@dataclass
class Target:
    what: str
    value: float
    limit: float
    higher_is_better: bool = False
    shown: str = ""

    @property
    def holds(self) -> bool:
        if self.value != self.value:
            return False
        return self.value >= self.limit if self.higher_is_better else self.value <= self.limit


def report(res: Results) -> list[Target]:
    sizes = res.sizes
    head = f"{'figure (wall / cpu, median)':44s}" + "".join(f"{n:>22,}" for n in sizes)
    growth = list(itertools.pairwise(sizes))
    head += "".join(f"{f'{b // 1000}k/{a // 1000}k':>10s}" for a, b in growth)
    print(head)
    for fig in res.figures.values():
        line = f"{fig.name:44s}"
        for n in sizes:
            if n in fig.wall:
                line += f"{_fmt(fig.wall[n]) + ' / ' + _fmt(fig.cpu[n]):>22s}"
            else:
                line += f"{'':>22s}"
        for a, b in growth:
            if a in fig.cpu and b in fig.cpu and fig.cpu[a] > 0:
                line += f"{fig.cpu[b] / fig.cpu[a]:>10.2f}"
            else:
                line += f"{'':>10s}"
        print(line)
    print("(growth factors are of CPU time, which other processes on the machine disturb least)")
    return targets(res)


def targets(res: Results) -> list[Target]:
    f = res.figures
    top = max(res.sizes)
    out: list[Target] = []
    small = min(res.sizes)
    mid = sorted(res.sizes)[-2] if len(res.sizes) > 1 else top
    n_in = res.extra.get(f"intake n {top}", float("nan"))
    desk_w, desk_c = f["intake (desk)"].wall[top], f["intake (desk)"].cpu[top]
    raw_w = f["intake (raw SQLite writer)"].wall[top]
    out.append(
        Target(
            f"intake at {top:,} stored: desk ÷ raw SQLite writer of the same rows (wall)",
            raw_w / desk_w,
            0.4,
            True,
            f"{n_in / desk_w:,.0f}/s vs {n_in / raw_w:,.0f}/s",
        )
    )
    out.append(
        Target(
            f"intake at {top:,} stored, complaints per CPU second (one core)",
            n_in / desk_c,
            4000,
            True,
            f"{n_in / desk_w:,.0f}/s wall",
        )
    )
    sweep = f[SWEEP_DUE]
    bare = f.get(SWEEP_BARE)
    if bare is not None:
        out.append(
            Target(
                f"sweep of {top:,} with {due_share(res, top)} due:"
                " with ÷ without the delivered outbox history (cpu)",
                sweep.cpu[top] / bare.cpu[top],
                1.2,
            )
        )
    rep = f["report, last full month"]
    if mid in rep.cpu and mid != top:
        out.append(
            Target(
                f"report of the last full month: {top // 1000}k ÷ {mid // 1000}k history (cpu)",
                rep.cpu[top] / rep.cpu[mid],
                1.3,
            )
        )
    out.append(
        Target(
            f"report of an empty month after {top:,} of history (its baseline full):"
            " seconds of CPU after the desk is open",
            f["report, empty month"].cpu[top],
            0.3,
        )
    )
    for name in ("rows(limit=200)", "complaintcore list"):
        fig = f[name]
        if small != top:
            out.append(
                Target(
                    f"{name}: {top // 1000}k ÷ {small // 1000}k (cpu)",
                    fig.cpu[top] / fig.cpu[small],
                    1.5,
                )
            )
    inc = f.get("verify, incremental (1 % appended)")
    if inc is not None:
        out.append(
            Target(
                f"incremental verify after appending to 1 % at {top:,} ÷ full verify (cpu)",
                inc.cpu[top] / f["verify, full"].cpu[top],
                0.1,
            )
        )
    out.append(
        Target(
            f"complaintcore list ÷ complaintcore --help, wall, {top:,} desk",
            f["complaintcore list"].wall[top] / f["complaintcore --help"].wall[top],
            2.0,
        )
    )
    return out


def calendar_targets() -> list[Target]:
    """bench_calendar.py's two absolute targets, on its own calendar and starts."""
    sys.path.insert(0, str(Path(__file__).parent))
    import bench_calendar as bc

    cal = bc.calendar_from_holidays("CN", tz=bc.SH, years=(bc.FIRST, bc.LAST + 1))
    sample = bc.starts(20_000, 20251114)
    hours = bc.per_call_us(cal.add, sample, 5, bc.SIX_HOURS)
    days = bc.per_call_us(cal.add_days, sample, 5, 3)
    return [
        Target("calendar +6 working hours, µs per call (bench_calendar.py)", hours, 2.0),
        Target("calendar +3 working days, µs per call (bench_calendar.py)", days, 0.6),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cache", default=tempfile.gettempdir())
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument(
        "--stale-ok",
        action="store_true",
        help="reuse desks built by other code (while developing; they are migrated on open)",
    )
    ap.add_argument("--report-only", action="store_true")
    args = ap.parse_args(argv)
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")  # the pack's calendar reaches years without 调休 data
    sizes = sorted({int(s) for s in args.sizes.split(",")})
    built = desks(sizes, Path(args.cache), args.rebuild, args.stale_ok)
    load0 = os.getloadavg()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=args.cache) as scratch:
        res = measure(built, args.repeat, Path(scratch))
    found = report(res) + calendar_targets()
    load1 = os.getloadavg()
    print(
        f"\nPython {sys.version.split()[0]}, {os.cpu_count()} CPUs; load average "
        f"{load0[0]:.2f} at the start, {load1[0]:.2f} at the end "
        f"({time.perf_counter() - began:.0f} s of timing); median of {args.repeat} runs"
    )
    for n in sizes:
        complaints, items = desk_size(built[n])
        print(
            f"  {n:,} desk: {complaints:,} complaints, {items:,} delivered outbox rows "
            f"({items / complaints:.1f} per complaint), 1 % due = "
            f"{int(res.extra.get(f'swept {n}', 0)):,} swept"
        )
    print("\ntargets:")
    for t in found:
        mark = "holds" if t.holds else "MISSED"
        sign = ">=" if t.higher_is_better else "<="
        extra = f"  ({t.shown})" if t.shown else ""
        value = f"{t.value:,.0f}" if abs(t.value) >= 1000 else f"{t.value:.3g}"
        print(f"  [{mark:6s}] {t.what}: {value} (target {sign} {t.limit:g}){extra}")
    missed = [t for t in found if not t.holds]
    return 0 if not missed or args.report_only else 1


if __name__ == "__main__":
    sys.exit(main())
