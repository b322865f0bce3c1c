"""Bulk intake throughput with a store that already holds many complaints.

Streams generated complaints through ``Desk.receive_many`` into a fresh SQLite
file (the embedded default), each one registered, classified, linked to the
earlier complaints it repeats (IMP-3: one indexed query), grouped into a
concentrated issue where it belongs (HDL-5), assessed valid (so it is graded),
routed to a handler and stored with its projection and outbox.  First
``--stored`` complaints are received to fill the file, then ``--n`` more are
timed: the rate that matters is intake with that many earlier complaints
stored, which rules out any scan per complaint.

Two streams:

* ``realistic`` (default): 60 estates of 12 buildings (about 170,000
  households, one or two phones each) over two years, so 100,000 complaints are
  about 0.3 a household a year; wording from ten kinds of complaint (repairs
  lead, as in life); about one complaint in eight by a household that
  complained in the last 90 days (most of those about the same thing again), so
  repeats are linked and some matters reach the "raised repeatedly" threshold;
  concentrated issues are rare.
* ``legacy``: the stream this benchmark used before repeats were linked: two
  sites, the same twelve buildings and ten wordings in turn, one complaint a
  minute, so every building gets the same category every hour and *every*
  complaint joins a concentrated issue and a group incident (each one writing
  to its fellow members).  Unrealistic; kept to compare with earlier figures.

    python benchmarks/bench_intake.py                      # 100,000 stored, 10,000 timed
    python benchmarks/bench_intake.py --stream legacy
    python benchmarks/bench_intake.py --stored 20000 --n 5000 --report-only
    python benchmarks/bench_intake.py --stored 20000 --n 5000 --report-only --each
    python benchmarks/bench_intake.py ... --synchronous normal   # WAL synced at checkpoints only

``--each`` times the ``--n`` complaints one ``Desk.receive`` each (a web form's
submissions: at least one commit per complaint) instead of ``receive_many``
batches of 1,000 (a bulk import).  ``--synchronous`` is the store's setting
(``[sqlite] synchronous``): ``full``, the default, syncs the WAL at every commit,
so that cost shows in the wall time, not the process's CPU time; compare the two
settings in alternating runs on the same disk (``--dir``).

Target: >= 2,000 complaints/s on one core with 100,000 earlier complaints
stored.  Exits 1 if it is missed (``--report-only`` to just print).  Memory is
reported at checkpoints; it must stay flat as the file grows (rows are
streamed, never loaded whole).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import StaffList, load_sample_staff
from complaintcore.core.models import Complainant, Complaint, Intake
from complaintcore.desk import Desk
from complaintcore.desk.config import Synchronous
from complaintcore.desk.ports import StaffMember
from complaintcore.rules import load_pack

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2024, 1, 1, 9, tzinfo=SH)
TARGET = 2000

# --------------------------------------------------------------------------- realistic

SITES = [f"estate-{i:02d}" for i in range(1, 61)]
BUILDINGS, UNITS, FLOORS, FLATS = 12, 3, 20, 4
WORDINGS: tuple[tuple[int, tuple[str, ...]], ...] = (
    # (weight, wordings) of one kind of complaint; the pack's keywords classify them
    (
        24,
        (
            "楼上漏水，天花板渗水",
            "卫生间水管漏水，墙皮脱落发霉",
            "water leaking from the ceiling again",
        ),
    ),
    (
        12,
        (
            "电梯又坏了，困梯二十分钟",
            "楼道灯不亮一个多星期了",
            "The lift has been broken for three days",
        ),
    ),
    (12, ("物业费账单多收了两个月", "水费收费不合理，账单有误", "I was overcharged on my bill")),
    (
        11,
        ("楼上装修电钻声太吵，严重扰民", "半夜有人在楼下吵闹", "Loud drilling from the renovation"),
    ),
    (
        9,
        (
            "楼道垃圾三天没人清扫，有异味",
            "垃圾房太臭了，蟑螂很多",
            "The rubbish bins are overflowing",
        ),
    ),
    (
        9,
        (
            "地库车位被别人长期占用",
            "小区里乱停车，消防通道被堵",
            "Someone keeps parking in my space",
        ),
    ),
    (7, ("前台客服态度不耐烦", "保安态度很差，还顶撞业主", "The receptionist was rude")),
    (
        6,
        (
            "单元门禁坏了，陌生人随便进出",
            "车棚电动车被盗，监控没拍到",
            "My bike was stolen from the shed",
        ),
    ),
    (5, ("小区绿化带杂草丛生", "草坪很久没修剪", "The lawn has not been trimmed for weeks")),
    (5, ("快递柜不够用", "公告栏的通知总是过期", "The notice board is out of date")),
)
CHANNELS = ("phone", "phone", "phone", "in_person", "in_person", "hotline", "web", "written")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志"
REPEAT_SHARE = 0.125
"""Complaints by a household that complained in the last 90 days."""
SAME_AGAIN = 0.7
"""Of those, the share about the same kind of thing as before."""
SPAN = timedelta(days=730)
"""The stream's complaints are spread over two years."""


@attrs.frozen
class Household:
    site: str
    building: str
    room: str
    phones: tuple[str, ...]
    name: str


def household(rng: random.Random, index: int) -> Household:
    site = SITES[index % len(SITES)]
    b = 1 + rng.randrange(BUILDINGS)
    unit, floor, flat = rng.randrange(UNITS), rng.randrange(FLOORS - 1), rng.randrange(FLATS)
    room = f"{b}-{1 + unit}-{2 + floor}{1 + flat:02d}"
    phones = tuple(
        f"1{rng.choice('3589')}{rng.randrange(10**9):09d}" for _ in range(rng.choice((1, 1, 2)))
    )
    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(("", *GIVEN))
    return Household(site, str(b), room, phones, name)


def realistic(total: int, seed: int = 2025) -> Iterator[Intake]:
    """``total`` complaints over two years, in time order, one at a time."""
    rng = random.Random(seed)
    kinds = [w for _, w in WORDINGS]
    weights = [w for w, _ in WORDINGS]
    recent: list[tuple[datetime, Household, int]] = []  # (when, who, kind) of the last 90 days
    step = SPAN / max(total, 1)
    for i in range(total):
        at = T0 + step * i + timedelta(minutes=rng.randrange(0, 30))
        if i % 512 == 0:  # forget what is older than 90 days
            recent = [r for r in recent if at - r[0] <= timedelta(days=90)]
        if recent and rng.random() < REPEAT_SHARE:
            _when, who, kind = rng.choice(recent)
            if rng.random() >= SAME_AGAIN:
                kind = rng.choices(range(len(kinds)), weights)[0]
        else:
            who = household(rng, rng.randrange(10**9))
            kind = rng.choices(range(len(kinds)), weights)[0]
        recent.append((at, who, kind))
        receiver = "SR-103"
        yield Intake(
            complainant=Complainant(
                who.name, rng.choice(who.phones), who.room, who.building, who.site
            ),
            channel=rng.choice(CHANNELS),
            received_at=at,
            receiver=receiver,
            summary=rng.choice(kinds[kind]),
            site=who.site,
            idempotency_key=f"bench-{seed}-{i}",
        )


def staff_for_sites() -> StaffList:
    """The sample staff of "sunrise", copied to every estate (head office kept)."""
    sample = list(load_sample_staff())
    members: list[StaffMember] = [m for m in sample if m.site in ("*", "")]
    site_staff = [m for m in sample if m.site == "sunrise"]
    for site in SITES:
        for m in site_staff:
            members.append(attrs.evolve(m, staff_id=f"{site}/{m.staff_id}", site=site))
    # the receiver of every bench complaint works at head office, so no site refuses it
    receptionist = next(m for m in sample if m.staff_id == "SR-103")
    members.append(attrs.evolve(receptionist, site="*"))
    return StaffList(members)


# --------------------------------------------------------------------------- legacy

LEGACY_SUMMARIES = [
    "楼上漏水，天花板渗水",
    "物业费收费不合理，账单有误",
    "晚上装修噪音太大",
    "垃圾没人清理，楼道有异味",
    "停车位被占用，保安不管",
    "The lift has been broken for three days",
    "小区绿化带杂草丛生",
    "前台客服态度不耐烦",
    "门禁卡失灵进不了单元门",
    "water leaking from the ceiling again",
]


def legacy(total: int) -> Iterator[Intake]:
    """The old stream: two sites, the same buildings and wordings in turn, one a minute."""
    for i in range(total):
        at = T0 + timedelta(seconds=60 * i)
        yield Intake(
            complainant=Complainant(
                SURNAMES[i % 20] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[i % 5],
                f"13{8 + i % 2}{i % 100_000_000:08d}",
                f"{1 + i % 12}-{1 + i % 3}-{100 * (1 + i % 28) + 1 + i % 4}",
                str(1 + i % 12),
                "sunrise" if i % 3 else "riverside",
            ),
            channel=("phone", "hotline", "web", "in_person", "written")[i % 5],
            received_at=at,
            receiver="SR-103" if i % 3 else "RS-103",
            summary=LEGACY_SUMMARIES[i % len(LEGACY_SUMMARIES)],
            site="sunrise" if i % 3 else "riverside",
            idempotency_key=f"bench-legacy-{i}",
        )


# --------------------------------------------------------------------------- the run


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@attrs.frozen
class Result:
    stored: int
    timed: int
    fill_rate: float
    rate: float
    cpu_rate: float
    linked: int
    raised_repeatedly: int
    grouped: int
    rss: list[tuple[int, float]]


def run(
    stream_name: str,
    stored: int,
    n: int,
    directory: Path,
    *,
    synchronous: Synchronous = "full",
    each: bool = False,
) -> Result:
    pack = load_pack("cn-property")
    staff = staff_for_sites() if stream_name == "realistic" else load_sample_staff(pack=pack)
    db = directory / f"bench-{stream_name}-{stored}-{n}.sqlite3"
    desk = Desk(
        pack=pack,
        store=SqliteStore(db, synchronous=synchronous),
        directory=staff,
        calendar=calendar_for_spec(pack.calendar),
    )
    total = stored + n
    stream = realistic(total) if stream_name == "realistic" else legacy(total)
    intakes = list(stream)  # generated up front: the timing is the desk's, not the generator's
    # A host streams its rows; this list of every intake would otherwise be walked by
    # each full garbage collection (about a tenth of the time at 100,000).  Frozen, the
    # collector still walks all the desk makes.
    gc.collect()
    gc.freeze()
    now = max(i.received_at for i in intakes) + timedelta(minutes=1)
    rss: list[tuple[int, float]] = []
    linked = repeated = grouped = 0

    def count(result: Complaint) -> None:
        nonlocal linked, repeated, grouped
        kinds = [e.kind for e in result.events]
        linked += "linked" in kinds
        repeated += result.state.raisings >= pack.repeats.threshold > 0
        grouped += "grouped" in kinds

    def receive(chunk: list[Intake]) -> None:
        for result in desk.receive_many(chunk, now=now, validity="valid", batch=1000):
            if isinstance(result, Exception):
                raise result
            count(result)

    def receive_each(chunk: list[Intake]) -> None:
        for intake in chunk:
            count(desk.receive(intake, now=now, validity="valid"))

    began = time.perf_counter()
    for start in range(0, stored, 10_000):
        receive(intakes[start : min(start + 10_000, stored)])
        rss.append((start + 10_000, rss_mb()))
    fill = time.perf_counter() - began
    linked = repeated = grouped = 0
    began, cpu = time.perf_counter(), time.process_time()
    (receive_each if each else receive)(intakes[stored:])
    timed, cpu = time.perf_counter() - began, time.process_time() - cpu
    rss.append((total, rss_mb()))
    desk.close()
    return Result(
        stored,
        n,
        stored / fill if fill else 0.0,
        n / timed,
        n / cpu,
        linked,
        repeated,
        grouped,
        rss,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--stream", choices=("realistic", "legacy"), default="realistic")
    parser.add_argument("--stored", type=int, default=100_000, help="complaints stored first")
    parser.add_argument("--n", type=int, default=10_000, help="complaints timed after them")
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument(
        "--each", action="store_true", help="time one Desk.receive per complaint, not batches"
    )
    parser.add_argument(
        "--synchronous", choices=("full", "normal"), default="full", help="the store's setting"
    )
    parser.add_argument("--dir", type=Path, default=None, help="where the file is made")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        r = run(
            args.stream,
            args.stored,
            args.n,
            Path(tmp),
            synchronous=args.synchronous,
            each=args.each,
        )
    growth = r.rss[-1][1] - r.rss[0][1] if len(r.rss) > 1 else 0.0
    load = os.getloadavg()[0]
    how = "one receive each" if args.each else "receive_many, batches of 1,000"
    print(
        f"{args.stream} ({how}, synchronous {args.synchronous}): "
        f"{r.timed:,} complaints with {r.stored:,} stored: {r.rate:,.0f} /s "
        f"(target >= {TARGET:,}), {r.cpu_rate:,.0f} /s of the process's own CPU time; "
        f"filling the store: {r.fill_rate:,.0f} /s; load average {load:.2f}\n"
        f"  of the timed ones: {r.linked:,} linked to earlier complaints (IMP-3), "
        f"{r.raised_repeatedly:,} raised repeatedly (GRD-2), {r.grouped:,} in a concentrated "
        f"issue (HDL-5)\n"
        f"  max RSS {r.rss[-1][1]:.0f} MB, growth after the first 10,000 {growth:+.1f} MB"
    )
    return 0 if r.rate >= TARGET or args.report_only else 1


if __name__ == "__main__":
    sys.exit(main())
